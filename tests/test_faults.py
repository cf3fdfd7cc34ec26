"""Fault injection seen through real boto3 clients and botocore's own retry handlers.

botocore backs off between retries with random exponential sleeps, and its
adaptive mode waits on a token bucket. The ``no_backoff`` fixture keeps every
retry decision botocore makes but records the delays instead of sleeping them,
so these tests stay fast without changing what is retried.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, cast

import boto3
import botocore.endpoint
import botocore.retries.bucket
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tsmock import Fault, TimestreamWriteMock, mock_timestream_write

REGION = "us-east-1"


class _RecordedSleeps:
    """Stands in for the ``time`` module inside ``botocore.endpoint``.

    botocore sleeps there between attempts; the delays are kept so a test can
    see that botocore's retry handler (not tsmock) decided to retry.
    """

    def __init__(self) -> None:
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _FastClock:
    """A clock for adaptive mode's token bucket in which an hour passes per reading.

    The bucket refills at once, so the rate limiter never has to wait, while
    the limiter itself (enabled by throttles) still runs on every request.
    """

    def __init__(self) -> None:
        self._now = time.time()

    def sleep(self, amount: float) -> None:
        self._now += amount

    def current_time(self) -> float:
        self._now += 3600.0
        return self._now


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> _RecordedSleeps:
    sleeps = _RecordedSleeps()
    monkeypatch.setattr(botocore.endpoint, "time", sleeps)
    monkeypatch.setattr(botocore.retries.bucket, "Clock", _FastClock)
    return sleeps


def client(mode: str = "standard", max_attempts: int | None = None, **retries: Any) -> Any:
    settings: dict[str, Any] = {"mode": mode, **retries}
    if max_attempts is not None:
        settings["max_attempts"] = max_attempts
    config = Config(retries=cast(Any, settings))
    return boto3.client("timestream-write", region_name=REGION, config=config)


def no_retries() -> Any:
    return client(total_max_attempts=1)


def record(value: str = "1.5", host: str = "web-1") -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": host}],
        "MeasureName": "usage",
        "MeasureValue": value,
        "Time": str(int(time.time() * 1000)),
    }


def outcomes(ts: TimestreamWriteMock, operation: str) -> list[str | None]:
    return [call.error_code for call in ts.calls if call.operation == operation]


@pytest.fixture
def cpu(ts: TimestreamWriteMock) -> Any:
    """A standard-mode client (5 retries) with database ``metrics`` and table ``cpu``."""
    c = client("standard", 5)
    c.create_database(DatabaseName="metrics")
    c.create_table(DatabaseName="metrics", TableName="cpu")
    return c


# --- botocore's retry modes ---------------------------------------------------------


def test_two_throttles_then_success_on_the_third_attempt(
    ts: TimestreamWriteMock, cpu: Any, no_backoff: _RecordedSleeps
) -> None:
    throttle = ts.add_fault("WriteRecords", "ThrottlingException", times=2)

    response = cpu.write_records(DatabaseName="metrics", TableName="cpu", Records=[record()])

    assert response["RecordsIngested"]["Total"] == 1
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert throttle.fired == 2
    assert outcomes(ts, "WriteRecords") == ["ThrottlingException", "ThrottlingException", None]
    # botocore's retry handler asked for two backoff delays: it did the retrying.
    assert len(no_backoff.delays) == 2
    assert len(ts.records("metrics", "cpu")) == 1


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_every_retry_mode_retries_injected_throttles(ts: TimestreamWriteMock, mode: str) -> None:
    c = client(mode, 5)
    c.create_database(DatabaseName="metrics")
    for _ in range(3):  # adaptive mode's rate limiter kicks in after the first throttle
        ts.add_fault("ListDatabases", "ThrottlingException", times=2)
        response = c.list_databases()
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert outcomes(ts, "ListDatabases") == ["ThrottlingException", "ThrottlingException", None] * 3
    assert [fault.fired for fault in ts.faults] == [2, 2, 2]


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_throttles_outlasting_the_retries_reach_the_caller(
    ts: TimestreamWriteMock, mode: str
) -> None:
    c = client(mode, 3)
    fault = ts.add_fault("ListDatabases", "ThrottlingException", times=None)

    with pytest.raises(c.exceptions.ThrottlingException) as excinfo:
        c.list_databases()

    assert "reached max retries: 3" in str(excinfo.value)
    assert fault.fired == 4  # max_attempts counts retries: 1 + 3 attempts
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_internal_server_error_is_retried(ts: TimestreamWriteMock, cpu: Any) -> None:
    ts.add_fault("DescribeTable", "InternalServerException", times=3)

    response = cpu.describe_table(DatabaseName="metrics", TableName="cpu")

    assert response["Table"]["TableName"] == "cpu"
    assert response["ResponseMetadata"]["RetryAttempts"] == 3
    assert outcomes(ts, "DescribeTable") == ["InternalServerException"] * 3 + [None]


def test_internal_server_error_answers_500(ts: TimestreamWriteMock) -> None:
    ts.add_fault("ListDatabases", "InternalServerException")

    with pytest.raises(ClientError) as excinfo:
        no_retries().list_databases()

    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Error"]["Code"] == "InternalServerException"


def test_service_quota_exceeded_is_not_retried(ts: TimestreamWriteMock) -> None:
    c = client("standard", 5)
    c.create_database(DatabaseName="metrics")
    fault = ts.add_fault("CreateTable", "ServiceQuotaExceededException", times=None)

    with pytest.raises(c.exceptions.ServiceQuotaExceededException) as excinfo:
        c.create_table(DatabaseName="metrics", TableName="cpu")

    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert fault.fired == 1
    assert outcomes(ts, "CreateTable") == ["ServiceQuotaExceededException"]
    # The fault struck before the service ran: nothing was created.
    assert ts.backend().databases["metrics"].tables == {}


def test_access_denied_is_not_retried(ts: TimestreamWriteMock) -> None:
    c = client("legacy", 5)
    ts.add_fault("CreateDatabase", "AccessDeniedException", times=None)

    with pytest.raises(c.exceptions.AccessDeniedException) as excinfo:
        c.create_database(DatabaseName="metrics")

    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert outcomes(ts, "CreateDatabase") == ["AccessDeniedException"]


# --- rejected records ---------------------------------------------------------------


def test_injected_rejection_refuses_every_record_and_stores_none(
    ts: TimestreamWriteMock, cpu: Any
) -> None:
    fault = ts.add_fault("WriteRecords", "RejectedRecordsException", message="disk full")
    records = [record("1"), record("2", host="web-2"), record("3", host="web-3")]

    with pytest.raises(cpu.exceptions.RejectedRecordsException) as excinfo:
        cpu.write_records(DatabaseName="metrics", TableName="cpu", Records=records)

    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 419
    assert error["ResponseMetadata"]["RetryAttempts"] == 0
    assert error["RejectedRecords"] == [
        {"RecordIndex": 0, "Reason": "disk full"},
        {"RecordIndex": 1, "Reason": "disk full"},
        {"RecordIndex": 2, "Reason": "disk full"},
    ]
    assert error["Error"]["Message"] == (
        "One or more records have been rejected. See RejectedRecords for details."
    )
    assert fault.fired == 1
    assert outcomes(ts, "WriteRecords") == ["RejectedRecordsException"]
    assert ts.records("metrics", "cpu") == []

    # The fault is spent; the same request now goes through.
    cpu.write_records(DatabaseName="metrics", TableName="cpu", Records=records)
    assert len(ts.records("metrics", "cpu")) == 3


def test_injected_rejection_has_a_default_reason(ts: TimestreamWriteMock, cpu: Any) -> None:
    ts.add_fault("WriteRecords", "RejectedRecordsException")

    with pytest.raises(cpu.exceptions.RejectedRecordsException) as excinfo:
        cpu.write_records(DatabaseName="metrics", TableName="cpu", Records=[record()])

    (rejected,) = excinfo.value.response["RejectedRecords"]
    assert rejected["RecordIndex"] == 0
    assert rejected["Reason"]


# --- endpoint discovery -------------------------------------------------------------


def test_invalid_endpoint_causes_one_rediscovery_per_strike(
    ts: TimestreamWriteMock, no_backoff: _RecordedSleeps
) -> None:
    c = client("standard", 1)  # re-discovery retries are not limited by max_attempts
    c.create_database(DatabaseName="metrics")  # discovers and caches the endpoint
    fault = ts.add_fault("ListDatabases", "InvalidEndpointException", times=3)
    before = len(ts.calls)

    response = c.list_databases()

    assert response["ResponseMetadata"]["RetryAttempts"] == 3
    assert fault.fired == 3
    assert [(call.operation, call.error_code) for call in ts.calls[before:]] == [
        ("ListDatabases", "InvalidEndpointException"),
        ("DescribeEndpoints", None),
        ("ListDatabases", "InvalidEndpointException"),
        ("DescribeEndpoints", None),
        ("ListDatabases", "InvalidEndpointException"),
        ("DescribeEndpoints", None),
        ("ListDatabases", None),
    ]
    # botocore resends at once after re-discovery, without a backoff delay.
    assert all(delay == 0 for delay in no_backoff.delays)


def test_unbounded_invalid_endpoint_is_refused(ts: TimestreamWriteMock) -> None:
    with pytest.raises(ValueError, match="finite `times`"):
        ts.add_fault("WriteRecords", "InvalidEndpointException", times=None)
    with pytest.raises(ValueError, match="finite `times`"):
        ts.add_fault("WriteRecords", "InvalidEndpointException", times=None, probability=0.1)
    assert ts.faults == []


def test_describe_endpoints_fault_strikes_discovery_and_botocore_retries_it(
    ts: TimestreamWriteMock,
) -> None:
    fault = ts.add_fault("DescribeEndpoints", "ThrottlingException")

    response = client("standard").list_databases()  # a new client discovers first

    assert response["Databases"] == []
    assert fault.fired == 1
    assert [(call.operation, call.error_code) for call in ts.calls] == [
        ("DescribeEndpoints", "ThrottlingException"),
        ("DescribeEndpoints", None),
        ("ListDatabases", None),
    ]


def test_failed_discovery_reaches_the_caller_of_the_operation(ts: TimestreamWriteMock) -> None:
    ts.add_fault("DescribeEndpoints", "InternalServerException", times=None)
    c = client("standard", 2)

    with pytest.raises(c.exceptions.InternalServerException) as excinfo:
        c.create_database(DatabaseName="metrics")

    assert "calling the DescribeEndpoints operation (reached max retries: 2)" in str(excinfo.value)
    assert outcomes(ts, "DescribeEndpoints") == ["InternalServerException"] * 3
    assert outcomes(ts, "CreateDatabase") == []


def test_describe_endpoints_fault_waits_for_the_next_discovery(ts: TimestreamWriteMock) -> None:
    c = client("standard", 0)
    c.list_databases()  # endpoint cached
    fault = ts.add_fault("DescribeEndpoints", "ThrottlingException")

    c.list_databases()
    assert fault.fired == 0  # the cached endpoint is used: no discovery, no strike

    with pytest.raises(c.exceptions.ThrottlingException, match="DescribeEndpoints"):
        client("standard", 0).list_databases()
    assert fault.fired == 1


def test_faults_on_other_operations_never_strike_discovery(ts: TimestreamWriteMock) -> None:
    ts.add_fault("ListDatabases", "ThrottlingException", times=1)

    with pytest.raises(ClientError):
        no_retries().list_databases()

    assert outcomes(ts, "DescribeEndpoints") == [None]


# --- wire encoding ------------------------------------------------------------------


def test_injected_error_is_encoded_like_the_services(ts: TimestreamWriteMock) -> None:
    ts.add_fault("ListDatabases", "ThrottlingException", message="Slow down, please.")

    with pytest.raises(ClientError) as excinfo:
        no_retries().list_databases()

    error = cast(dict[str, Any], excinfo.value.response)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"] == {"Code": "ThrottlingException", "Message": "Slow down, please."}
    assert error["Message"] == "Slow down, please."  # the modeled member, top level


def test_plain_requests_calls_meet_the_same_faults(ts: TimestreamWriteMock) -> None:
    ts.add_fault("ListDatabases", "InvalidEndpointException", times=1)
    url = f"https://ingest-cell1.timestream.{REGION}.amazonaws.com/"
    headers = {
        "X-Amz-Target": "Timestream_20181101.ListDatabases",
        "Content-Type": "application/x-amz-json-1.0",
    }

    first = requests.post(url, headers=headers, data=b"{}", timeout=5)
    second = requests.post(url, headers=headers, data=b"{}", timeout=5)

    assert first.status_code == 421
    assert first.json()["__type"] == ("com.amazonaws.timestream.v20181101#InvalidEndpointException")
    assert second.status_code == 200
    assert outcomes(ts, "ListDatabases") == ["InvalidEndpointException", None]


# --- which calls a fault strikes ------------------------------------------------------


def test_times_limits_the_strikes(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    fault = ts.add_fault("ListDatabases", "ThrottlingException", times=2)

    results = []
    for _ in range(4):
        try:
            c.list_databases()
            results.append("ok")
        except c.exceptions.ThrottlingException:
            results.append("throttled")

    assert results == ["throttled", "throttled", "ok", "ok"]
    assert fault.fired == 2
    assert fault.exhausted


def test_unlimited_fault_strikes_every_call(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    fault = ts.add_fault("ListDatabases", "AccessDeniedException", times=None)

    for _ in range(5):
        with pytest.raises(c.exceptions.AccessDeniedException):
            c.list_databases()

    assert fault.fired == 5
    assert not fault.exhausted


def test_first_added_fault_that_strikes_wins(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    throttle = ts.add_fault("ListDatabases", "ThrottlingException", times=1)
    denied = ts.add_fault("ListDatabases", "AccessDeniedException", times=1)

    for _ in range(3):
        with contextlib.suppress(ClientError):
            c.list_databases()

    assert outcomes(ts, "ListDatabases") == ["ThrottlingException", "AccessDeniedException", None]
    assert (throttle.fired, denied.fired) == (1, 1)
    assert ts.faults == [throttle, denied]


def test_fault_strikes_only_its_operation(ts: TimestreamWriteMock, cpu: Any) -> None:
    fault = ts.add_fault("DeleteTable", "AccessDeniedException", times=None)

    cpu.describe_table(DatabaseName="metrics", TableName="cpu")
    cpu.write_records(DatabaseName="metrics", TableName="cpu", Records=[record()])
    with pytest.raises(cpu.exceptions.AccessDeniedException):
        cpu.delete_table(DatabaseName="metrics", TableName="cpu")

    assert fault.fired == 1
    assert "cpu" in ts.backend().databases["metrics"].tables


def test_malformed_request_gets_its_validation_error_not_the_fault(
    ts: TimestreamWriteMock,
) -> None:
    c = no_retries()
    fault = ts.add_fault("CreateDatabase", "ThrottlingException", times=None)

    with pytest.raises(c.exceptions.ValidationException):
        c.create_database(DatabaseName="bad name!")

    assert fault.fired == 0


@pytest.fixture
def two_databases(ts: TimestreamWriteMock) -> Any:
    c = no_retries()
    for database in ("alpha", "beta"):
        c.create_database(DatabaseName=database)
        for table in ("cpu", "mem"):
            c.create_table(DatabaseName=database, TableName=table)
    return c


def _write_outcome(c: Any, database: str, table: str) -> str | None:
    try:
        c.write_records(DatabaseName=database, TableName=table, Records=[record()])
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def test_database_scope(ts: TimestreamWriteMock, two_databases: Any) -> None:
    fault = ts.add_fault("WriteRecords", "ThrottlingException", times=None, database="alpha")

    assert _write_outcome(two_databases, "beta", "cpu") is None
    assert _write_outcome(two_databases, "alpha", "cpu") == "ThrottlingException"
    assert _write_outcome(two_databases, "alpha", "mem") == "ThrottlingException"
    assert _write_outcome(two_databases, "beta", "mem") is None
    assert fault.fired == 2
    assert ts.records("alpha", "cpu") == []
    assert len(ts.records("beta", "cpu")) == 1


def test_table_scope(ts: TimestreamWriteMock, two_databases: Any) -> None:
    fault = ts.add_fault("WriteRecords", "InternalServerException", times=None, table="cpu")

    assert _write_outcome(two_databases, "alpha", "mem") is None
    assert _write_outcome(two_databases, "alpha", "cpu") == "InternalServerException"
    assert _write_outcome(two_databases, "beta", "cpu") == "InternalServerException"
    assert fault.fired == 2


def test_database_and_table_scope(ts: TimestreamWriteMock, two_databases: Any) -> None:
    fault = ts.add_fault(
        "WriteRecords", "ThrottlingException", times=None, database="beta", table="mem"
    )

    assert _write_outcome(two_databases, "alpha", "mem") is None
    assert _write_outcome(two_databases, "beta", "cpu") is None
    assert _write_outcome(two_databases, "beta", "mem") == "ThrottlingException"
    assert fault.fired == 1


def test_scope_by_resource_arn_for_tagging(ts: TimestreamWriteMock, two_databases: Any) -> None:
    arn = {
        (d, t): two_databases.describe_table(DatabaseName=d, TableName=t)["Table"]["Arn"]
        for d in ("alpha", "beta")
        for t in ("cpu", "mem")
    }
    alpha = two_databases.describe_database(DatabaseName="alpha")["Database"]["Arn"]
    fault = ts.add_fault(
        "TagResource", "ThrottlingException", times=None, database="alpha", table="cpu"
    )
    tags = [{"Key": "team", "Value": "ops"}]

    two_databases.tag_resource(ResourceARN=arn["alpha", "mem"], Tags=tags)
    two_databases.tag_resource(ResourceARN=arn["beta", "cpu"], Tags=tags)
    two_databases.tag_resource(ResourceARN=alpha, Tags=tags)  # the database names no table
    with pytest.raises(two_databases.exceptions.ThrottlingException):
        two_databases.tag_resource(ResourceARN=arn["alpha", "cpu"], Tags=tags)

    assert fault.fired == 1


def test_scope_by_batch_load_target(ts: TimestreamWriteMock, two_databases: Any) -> None:
    fault = ts.add_fault(
        "CreateBatchLoadTask", "ServiceQuotaExceededException", times=None, database="beta"
    )

    with pytest.raises(two_databases.exceptions.ServiceQuotaExceededException):
        two_databases.create_batch_load_task(
            DataSourceConfiguration={
                "DataSourceS3Configuration": {"BucketName": "source-bucket"},
                "DataFormat": "CSV",
            },
            ReportConfiguration={"ReportS3Configuration": {"BucketName": "report-bucket"}},
            TargetDatabaseName="beta",
            TargetTableName="cpu",
        )

    assert fault.fired == 1
    assert ts.backend().batch_load_tasks == {}


# --- probability and seeds ----------------------------------------------------------


def _flaky_run(probability: float, seed: int, calls: int = 40) -> tuple[list[str | None], int]:
    with mock_timestream_write() as ts:
        c = no_retries()
        fault = ts.add_fault(
            "ListDatabases", "ThrottlingException", times=None, probability=probability, seed=seed
        )
        for _ in range(calls):
            with contextlib.suppress(c.exceptions.ThrottlingException):
                c.list_databases()
        return outcomes(ts, "ListDatabases"), fault.fired


def test_seeded_probability_repeats_across_runs() -> None:
    first, fired = _flaky_run(0.5, seed=7)
    second, fired_again = _flaky_run(0.5, seed=7)

    assert first == second
    assert fired == fired_again == first.count("ThrottlingException")
    assert 0 < fired < 40  # some calls failed, some went through
    assert _flaky_run(0.5, seed=8)[0] != first


def test_seeded_probability_repeats_through_botocore_retries() -> None:
    def run() -> list[str | None]:
        with mock_timestream_write() as ts:
            c = client("standard", 10)
            ts.add_fault(
                "ListDatabases", "ThrottlingException", times=None, probability=0.6, seed=3
            )
            for _ in range(10):
                c.list_databases()
            return outcomes(ts, "ListDatabases")

    first = run()
    assert first == run()
    assert first.count(None) == 10
    assert "ThrottlingException" in first


def test_probability_bounds(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    never = ts.add_fault("ListDatabases", "ThrottlingException", times=None, probability=0.0)
    for _ in range(10):
        c.list_databases()
    assert never.fired == 0

    always = ts.add_fault("ListDatabases", "AccessDeniedException", times=3, probability=1.0)
    for _ in range(5):
        with contextlib.suppress(ClientError):
            c.list_databases()
    assert always.fired == 3


# --- thread safety ------------------------------------------------------------------


def _hammer(c: Any, threads: int, calls_each: int) -> list[str | None]:
    results: list[str | None] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        start.wait()
        for _ in range(calls_each):
            try:
                c.list_databases()
                outcome = None
            except ClientError as error:
                outcome = str(error.response["Error"]["Code"])
            with lock:
                results.append(outcome)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_fired_is_exact_under_concurrent_calls(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    c.list_databases()  # discover before the threads start
    fault = ts.add_fault("ListDatabases", "ThrottlingException", times=37)

    results = _hammer(c, threads=8, calls_each=20)

    assert len(results) == 160
    assert results.count("ThrottlingException") == 37
    assert fault.fired == 37
    assert outcomes(ts, "ListDatabases").count("ThrottlingException") == 37
    assert len(outcomes(ts, "ListDatabases")) == 161


def test_random_faults_count_exactly_under_concurrent_calls(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    c.list_databases()
    fault = ts.add_fault(
        "ListDatabases", "InternalServerException", times=None, probability=0.3, seed=11
    )

    results = _hammer(c, threads=8, calls_each=25)

    assert fault.fired == results.count("InternalServerException") > 0
    assert fault.fired == outcomes(ts, "ListDatabases").count("InternalServerException")


# --- lifetime: faults never outlive their activation ----------------------------------


def test_stop_ends_the_faults_but_keeps_the_call_log() -> None:
    mock = mock_timestream_write()
    with mock:
        fault = mock.add_fault("ListDatabases", "ThrottlingException", times=None)
        with pytest.raises(ClientError):
            no_retries().list_databases()

    assert mock.faults == []
    assert fault.fired == 1  # the fault object still tells what happened
    assert outcomes(mock, "ListDatabases") == ["ThrottlingException"]


def test_a_fault_never_leaks_into_the_next_activation() -> None:
    mock = mock_timestream_write()
    with mock:
        mock.add_fault("ListDatabases", "ThrottlingException", times=None)

    with mock:  # the same handle, started again
        assert mock.faults == []
        assert mock.calls == []
        assert no_retries().list_databases()["Databases"] == []

    with mock_timestream_write() as other:
        assert other.faults == []
        no_retries().list_databases()
        assert outcomes(other, "ListDatabases") == [None]


def test_a_fault_of_an_explicit_start_ends_with_stop() -> None:
    mock = mock_timestream_write()
    mock.start()
    try:
        mock.add_fault("ListDatabases", "AccessDeniedException", times=None)
    finally:
        mock.stop()

    @mock_timestream_write
    def decorated() -> list[dict[str, Any]]:
        return list(no_retries().list_databases()["Databases"])

    assert decorated() == []


def test_nested_activations_share_faults_until_the_outermost_stop() -> None:
    with mock_timestream_write() as outer:
        fault = outer.add_fault("ListDatabases", "ThrottlingException", times=None)
        with mock_timestream_write() as inner:
            assert inner.faults == [fault]
        c = no_retries()
        with pytest.raises(c.exceptions.ThrottlingException):
            c.list_databases()  # the inner stop left the fault in place
    assert outer.faults == []


def test_reset_removes_faults_and_calls(ts: TimestreamWriteMock) -> None:
    c = no_retries()
    ts.add_fault("ListDatabases", "ThrottlingException", times=None)
    with pytest.raises(ClientError):
        c.list_databases()

    ts.reset()

    assert ts.faults == []
    assert ts.calls == []
    c.list_databases()
    assert outcomes(ts, "ListDatabases") == [None]


def test_the_plugin_fixture_exposes_faults_and_calls(
    timestream_write_mock: TimestreamWriteMock,
) -> None:
    fault = timestream_write_mock.add_fault("ListDatabases", "ThrottlingException")
    c = client("standard", 2)

    c.list_databases()

    assert timestream_write_mock.faults == [fault]
    assert fault.fired == 1
    assert outcomes(timestream_write_mock, "ListDatabases") == ["ThrottlingException", None]


# --- refused arguments --------------------------------------------------------------


def test_undocumented_error_code_is_refused(ts: TimestreamWriteMock) -> None:
    # The model lists no InternalServerException for TagResource.
    with pytest.raises(ValueError, match="TagResource does not document the error") as excinfo:
        ts.add_fault("TagResource", "InternalServerException")
    assert "ThrottlingException" in str(excinfo.value)  # it says what would work

    with pytest.raises(ValueError, match="does not document"):
        ts.add_fault("ListDatabases", "RejectedRecordsException")
    with pytest.raises(ValueError, match="does not document"):
        ts.add_fault("DescribeEndpoints", "InvalidEndpointException")
    with pytest.raises(ValueError, match="does not document"):
        ts.add_fault("WriteRecords", "NoSuchThingException")
    assert ts.faults == []


def test_unknown_operation_is_refused(ts: TimestreamWriteMock) -> None:
    with pytest.raises(ValueError, match="use the AWS name 'WriteRecords'"):
        ts.add_fault("write_records", "ThrottlingException")
    with pytest.raises(ValueError, match="Unknown Timestream Write operation 'Query'"):
        ts.add_fault("Query", "ThrottlingException")


@pytest.mark.parametrize(
    ("operation", "scope"),
    [
        ("DescribeEndpoints", {"database": "metrics"}),
        ("ListDatabases", {"database": "metrics"}),
        ("CreateDatabase", {"table": "cpu"}),
        ("ListTables", {"table": "cpu"}),
        ("DescribeBatchLoadTask", {"database": "metrics"}),
    ],
)
def test_scope_an_operation_cannot_name_is_refused(
    ts: TimestreamWriteMock, operation: str, scope: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="would never strike"):
        ts.add_fault(operation, "ThrottlingException", **scope)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"times": -1}, ValueError, "times must be None or at least 0"),
        ({"times": True}, TypeError, "times must be an int"),
        ({"times": 1.5}, TypeError, "times must be an int"),
        ({"probability": 1.5, "times": None}, ValueError, "between 0 and 1"),
        ({"probability": -0.1}, ValueError, "between 0 and 1"),
        ({"probability": "often"}, TypeError, "probability must be a number"),
        ({"seed": 3}, ValueError, "seed only applies with a probability"),
    ],
)
def test_bad_options_are_refused(
    ts: TimestreamWriteMock, options: dict[str, Any], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        ts.add_fault("WriteRecords", "ThrottlingException", **options)
    assert ts.faults == []


def test_a_fault_lists_what_it_was_given(ts: TimestreamWriteMock) -> None:
    fault = ts.add_fault(
        "WriteRecords",
        "ThrottlingException",
        times=None,
        probability=0.25,
        seed=5,
        database="metrics",
        table="cpu",
        message="busy",
    )

    assert isinstance(fault, Fault)
    assert (fault.operation, fault.error_code, fault.times) == (
        "WriteRecords",
        "ThrottlingException",
        None,
    )
    assert (fault.probability, fault.seed, fault.database, fault.table, fault.message) == (
        0.25,
        5,
        "metrics",
        "cpu",
        "busy",
    )
    assert fault.fired == 0
    assert "fired=0" in repr(fault)
