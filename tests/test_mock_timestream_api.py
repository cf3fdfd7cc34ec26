"""`mock_timestream` in every form, the `timestream_mock` fixture, one state for both services."""

from __future__ import annotations

import asyncio
import socket
import unittest
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tsmock import mock_timestream, mock_timestream_write
from tsmock.mock import TimestreamMock

REGION = "us-east-1"


def _show_databases() -> list[str]:
    query = boto3.client("timestream-query", region_name=REGION)
    rows = query.query(QueryString="SHOW DATABASES")["Rows"]
    return [row["Data"][0]["ScalarValue"] for row in rows]


def _create_database(name: str) -> None:
    boto3.client("timestream-write", region_name=REGION).create_database(DatabaseName=name)


def test_bare_decorator() -> None:
    @mock_timestream
    def body() -> list[str]:
        _create_database("db1")
        return _show_databases()

    assert body() == ["db1"]
    # Each call has its own activation: nothing leaks into the next one.
    assert body() == ["db1"]


def test_called_decorator_with_an_account() -> None:
    @mock_timestream(account_id="111122223333")
    def body() -> str:
        _create_database("db1")
        arn: str = boto3.client("timestream-write", region_name=REGION).describe_database(
            DatabaseName="db1"
        )["Database"]["Arn"]
        assert _show_databases() == ["db1"]
        return arn

    assert ":111122223333:" in body()


def test_async_functions_bare_and_called() -> None:
    @mock_timestream
    async def bare() -> list[str]:
        await asyncio.sleep(0)
        _create_database("dba")
        return _show_databases()

    @mock_timestream()
    async def called() -> list[str]:
        await asyncio.sleep(0)
        _create_database("dbb")
        return _show_databases()

    assert asyncio.iscoroutinefunction(bare) and asyncio.iscoroutinefunction(called)
    assert asyncio.run(bare()) == ["dba"]
    assert asyncio.run(called()) == ["dbb"]


def test_context_manager_and_async_context_manager() -> None:
    with mock_timestream() as ts:
        assert isinstance(ts, TimestreamMock) and ts.active
        _create_database("db1")
        assert _show_databases() == ["db1"]
    assert not ts.active

    async def body() -> list[str]:
        async with mock_timestream() as inner:
            assert inner.active
            _create_database("db2")
            return _show_databases()

    assert asyncio.run(body()) == ["db2"]


def test_start_and_stop() -> None:
    ts = mock_timestream()
    started = ts.start()
    try:
        assert started is ts
        _create_database("db1")
        assert _show_databases() == ["db1"]
        assert list(ts.backend(REGION).databases) == ["db1"]
    finally:
        ts.stop()
    assert not ts.active


@mock_timestream
class DecoratedTestCase(unittest.TestCase):
    def setUp(self) -> None:
        _create_database("dbsetup")

    def test_setup_state_is_visible_to_queries(self) -> None:
        assert _show_databases() == ["dbsetup"]

    def test_each_test_starts_from_its_own_state(self) -> None:
        _create_database("dbextra")
        assert _show_databases() == ["dbextra", "dbsetup"]


def test_the_decorated_test_case_runs_green() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTestCase)
    result = unittest.TestResult()
    suite.run(result)
    assert result.testsRun == 2
    assert result.errors == [] and result.failures == []


def test_fixture_serves_both_services_from_one_state(timestream_mock: Any) -> None:
    assert isinstance(timestream_mock, TimestreamMock)
    _create_database("db1")
    assert _show_databases() == ["db1"]
    services = [(call.service, call.operation) for call in timestream_mock.calls]
    assert ("timestream-write", "CreateDatabase") in services
    assert ("timestream-query", "Query") in services
    timestream_mock.reset()
    assert _show_databases() == []


def test_write_mock_nested_in_the_query_mock_shares_its_state() -> None:
    with mock_timestream() as ts:
        with mock_timestream_write():
            _create_database("db1")
        assert ts.active
        assert _show_databases() == ["db1"]


class _Recorder:
    def __init__(self) -> None:
        self.attempts: list[Any] = []

    def refuse(self, *args: Any, **kwargs: Any) -> Any:
        self.attempts.append(args)
        raise OSError("network access attempted")


def test_the_write_mock_does_not_answer_timestream_query(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(socket.socket, "connect", recorder.refuse)
    monkeypatch.setattr(socket, "getaddrinfo", recorder.refuse)
    monkeypatch.setattr(socket, "create_connection", recorder.refuse)
    with mock_timestream_write() as ts:
        _create_database("db1")
        query = boto3.client(
            "timestream-query",
            region_name=REGION,
            config=Config(retries={"total_max_attempts": 1}),
        )
        with pytest.raises(Exception):  # noqa: B017 - botocore wraps the refused connection
            query.query(QueryString="SHOW DATABASES")
        # The request left the process (the guard refused it) and the mock never saw it.
        assert recorder.attempts
        assert [call.service for call in ts.calls] == ["timestream-write"] * len(ts.calls)
        assert "Query" not in [call.operation for call in ts.calls]


def test_run_scheduled_queries_needs_an_active_mock() -> None:
    ts = mock_timestream()
    with ts:
        assert ts.run_scheduled_queries() == []
    with pytest.raises(RuntimeError):
        ts.run_scheduled_queries()
