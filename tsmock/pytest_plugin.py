"""The pytest plugin: fixtures ``timestream_write_mock`` and ``timestream_mock`` (``pytest11``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tsmock.mock import TimestreamMock, TimestreamWriteMock


@pytest.fixture
def timestream_write_mock() -> Iterator[TimestreamWriteMock]:
    """An active Timestream Write mock for one test; stopped (and emptied) afterwards."""
    with TimestreamWriteMock() as mock:
        yield mock


@pytest.fixture
def timestream_mock() -> Iterator[TimestreamMock]:
    """An active mock of Timestream Write and Query (one state) for one test."""
    with TimestreamMock() as mock:
        yield mock
