"""Fixtures: a scheduled-query backend wired to fakes."""

from __future__ import annotations

import random

import pytest

from tsmock.backend.scheduled import ScheduledQueryBackend

from .fakes import TOPIC, FakeRunner, FakeSink, FakeStore, FakeWriter

ROLLUP_COLUMNS = [("region", "VARCHAR"), ("t", "TIMESTAMP"), ("avg_cpu", "DOUBLE"), ("n", "BIGINT")]


@pytest.fixture
def runner() -> FakeRunner:
    fake = FakeRunner()
    fake.add("SELECT rollup", ROLLUP_COLUMNS, [("eu", 1_700_000_000_000_000_000, 0.5, 3)])
    return fake


@pytest.fixture
def writer() -> FakeWriter:
    return FakeWriter(("db", "rollup"))


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def sink() -> FakeSink:
    return FakeSink(TOPIC)


@pytest.fixture
def backend(
    runner: FakeRunner, writer: FakeWriter, store: FakeStore, sink: FakeSink
) -> ScheduledQueryBackend:
    return ScheduledQueryBackend(
        runner, writer, store, sink, "123456789012", "us-east-1", rng=random.Random(7)
    )
