"""Decorated generators (yield fixtures): the body runs inside the mock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import boto3
import pytest

from tsmock import mock_timestream, mock_timestream_write, registry


def _client() -> object:
    return boto3.client(
        "timestream-write",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


@mock_timestream_write
def _databases() -> Iterator[list[str]]:
    client = _client()
    client.create_database(DatabaseName="gen")  # type: ignore[attr-defined]
    yield [d["DatabaseName"] for d in client.list_databases()["Databases"]]  # type: ignore[attr-defined]
    # Still inside the mock after the yield (teardown of a fixture).
    yield [d["DatabaseName"] for d in client.list_databases()["Databases"]]  # type: ignore[attr-defined]


def test_generator_runs_its_whole_body_inside_the_mock() -> None:
    generator = _databases()
    assert registry.active() is None  # nothing runs before the first next()
    assert next(generator) == ["gen"]
    assert registry.active() is not None
    assert next(generator) == ["gen"]
    with pytest.raises(StopIteration):
        next(generator)
    assert registry.active() is None


def test_closing_a_generator_ends_its_activation() -> None:
    generator = _databases()
    next(generator)
    assert registry.active() is not None
    generator.close()
    assert registry.active() is None


def test_generator_return_value_and_send_pass_through() -> None:
    @mock_timestream_write
    def echo() -> Iterator[object]:
        received = yield "first"
        assert registry.active() is not None
        return received

    generator = echo()
    assert next(generator) == "first"
    with pytest.raises(StopIteration) as stop:
        generator.send("back")
    assert stop.value.value == "back"
    assert registry.active() is None


def test_mock_timestream_decorates_generators() -> None:
    @mock_timestream
    def body() -> Iterator[bool]:
        yield registry.active() is not None

    assert list(body()) == [True]
    assert registry.active() is None


@pytest.fixture
@mock_timestream_write
def tables_fixture() -> Iterator[str]:
    client = _client()
    client.create_database(DatabaseName="fixture_db")  # type: ignore[attr-defined]
    yield "fixture_db"
    client.delete_database(DatabaseName="fixture_db")  # type: ignore[attr-defined]


def test_decorated_yield_fixture(tables_fixture: str) -> None:
    assert registry.active() is not None
    names = [d["DatabaseName"] for d in _client().list_databases()["Databases"]]  # type: ignore[attr-defined]
    assert names == [tables_fixture]


def test_async_generator_runs_inside_the_mock() -> None:
    @mock_timestream_write
    async def body() -> AsyncIterator[bool]:
        yield registry.active() is not None
        await asyncio.sleep(0)
        yield registry.active() is not None

    async def main() -> list[bool]:
        generator = body()
        assert registry.active() is None
        return [item async for item in generator]

    assert asyncio.run(main()) == [True, True]
    assert registry.active() is None


def test_async_generator_aclose_and_throw() -> None:
    seen: list[str] = []

    @mock_timestream
    async def body() -> AsyncIterator[int]:
        try:
            yield 1
        except ValueError:
            seen.append("thrown")
            yield 2
        finally:
            seen.append("finally" if registry.active() is not None else "outside")

    async def main() -> None:
        generator = body()
        assert await generator.__anext__() == 1
        assert await generator.athrow(ValueError()) == 2
        await generator.aclose()

    asyncio.run(main())
    assert seen == ["thrown", "finally"]
    assert registry.active() is None
