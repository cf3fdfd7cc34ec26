"""The call log (``ts.calls``): how a test sees the way its code called the service."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tsmock import Call, TimestreamWriteMock, mock_timestream_write

REGION = "us-east-1"


def client() -> Any:
    return boto3.client(
        "timestream-write", region_name=REGION, config=Config(retries={"total_max_attempts": 1})
    )


def record(index: int) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": f"web-{index}"}],
        "MeasureName": "usage",
        "MeasureValue": str(index),
    }


def writes(ts: TimestreamWriteMock) -> list[Call]:
    return [call for call in ts.calls if call.operation == "WriteRecords"]


@pytest.fixture
def cpu(ts: TimestreamWriteMock) -> Any:
    c = client()
    c.create_database(DatabaseName="metrics")
    c.create_table(DatabaseName="metrics", TableName="cpu")
    return c


def write_in_batches(c: Any, records: list[dict[str, Any]], now_ms: str) -> None:
    """The kind of batch writer a test wants to check: at most 100 records a request."""
    for start in range(0, len(records), 100):
        c.write_records(
            DatabaseName="metrics",
            TableName="cpu",
            CommonAttributes={"Time": now_ms, "MeasureValueType": "DOUBLE"},
            Records=records[start : start + 100],
        )


def test_batch_writer_requests_can_be_counted(ts: TimestreamWriteMock, cpu: Any) -> None:
    write_in_batches(cpu, [record(i) for i in range(250)], str(int(time.time() * 1000)))

    assert [len(call.params["Records"]) for call in writes(ts)] == [100, 100, 50]
    assert all(call.error_code is None for call in writes(ts))
    assert len(ts.records("metrics", "cpu")) == 250


def test_params_are_the_request_members_as_sent(ts: TimestreamWriteMock, cpu: Any) -> None:
    now_ms = str(int(time.time() * 1000))
    records = [record(1), record(2)]

    write_in_batches(cpu, records, now_ms)

    (call,) = writes(ts)
    assert call.params == {
        "DatabaseName": "metrics",
        "TableName": "cpu",
        "CommonAttributes": {"Time": now_ms, "MeasureValueType": "DOUBLE"},
        "Records": records,
    }


def test_params_are_a_safe_copy(ts: TimestreamWriteMock, cpu: Any) -> None:
    write_in_batches(cpu, [record(1)], str(int(time.time() * 1000)))
    (call,) = writes(ts)

    params = call.params
    params["Records"].clear()
    params["DatabaseName"] = "changed"

    assert call.params["DatabaseName"] == "metrics"
    assert len(call.params["Records"]) == 1


def test_the_log_is_a_snapshot(ts: TimestreamWriteMock, cpu: Any) -> None:
    snapshot = ts.calls
    count = len(snapshot)

    cpu.list_databases()
    snapshot.clear()

    assert len(ts.calls) == count + 1


def test_a_new_client_discovers_first(ts: TimestreamWriteMock) -> None:
    client().create_database(DatabaseName="metrics")

    assert [(call.operation, call.params, call.error_code) for call in ts.calls] == [
        ("DescribeEndpoints", {}, None),
        ("CreateDatabase", {"DatabaseName": "metrics"}, None),
    ]


def test_errors_of_the_service_are_logged(ts: TimestreamWriteMock, cpu: Any) -> None:
    with pytest.raises(cpu.exceptions.ResourceNotFoundException):
        cpu.describe_table(DatabaseName="metrics", TableName="nope")
    with pytest.raises(cpu.exceptions.ConflictException):
        cpu.create_database(DatabaseName="metrics")

    assert [(call.operation, call.error_code) for call in ts.calls[-2:]] == [
        ("DescribeTable", "ResourceNotFoundException"),
        ("CreateDatabase", "ConflictException"),
    ]
    assert ts.calls[-2].params == {"DatabaseName": "metrics", "TableName": "nope"}


def test_requests_refused_by_validation_keep_operation_and_params(
    ts: TimestreamWriteMock, cpu: Any
) -> None:
    too_many = [record(i) for i in range(101)]

    with pytest.raises(cpu.exceptions.ValidationException):
        cpu.write_records(DatabaseName="metrics", TableName="cpu", Records=too_many)

    (call,) = writes(ts)
    assert call.error_code == "ValidationException"
    assert len(call.params["Records"]) == 101


def test_undecodable_requests_are_logged_too(ts: TimestreamWriteMock) -> None:
    # An unknown target names no operation; an undecodable body still names the
    # operation its target asked for, but has no members.
    url = f"https://ingest-cell1.timestream.{REGION}.amazonaws.com/"

    unknown = requests.post(
        url, headers={"X-Amz-Target": "Timestream_20181101.Query"}, data=b"{}", timeout=5
    )
    not_json = requests.post(
        url,
        headers={"X-Amz-Target": "Timestream_20181101.ListDatabases"},
        data=b"{not json",
        timeout=5,
    )

    assert (unknown.status_code, not_json.status_code) == (404, 400)
    assert [(call.operation, call.params, call.error_code) for call in ts.calls] == [
        (None, {}, "UnknownOperationException"),
        ("ListDatabases", {}, "ValidationException"),
    ]


def test_calls_from_many_threads_are_all_logged(ts: TimestreamWriteMock) -> None:
    c = client()
    c.list_databases()
    barrier = threading.Barrier(6)

    def work() -> None:
        barrier.wait()
        for _ in range(15):
            c.list_databases()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(call.operation == "ListDatabases" for call in ts.calls) == 91


def test_the_log_starts_empty_in_each_activation() -> None:
    with mock_timestream_write() as first:
        client().list_databases()
        assert len(first.calls) == 2
    assert len(first.calls) == 2  # still readable after stop

    with mock_timestream_write() as second:
        assert second.calls == []


def test_call_repr_shows_what_was_asked(ts: TimestreamWriteMock) -> None:
    ts.add_fault("CreateDatabase", "AccessDeniedException")
    with pytest.raises(ClientError):
        client().create_database(DatabaseName="metrics")

    text = repr(ts.calls[-1])
    assert "CreateDatabase" in text
    assert "AccessDeniedException" in text
    assert "'DatabaseName': 'metrics'" in text
