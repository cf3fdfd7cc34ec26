"""Isolation: no state crosses activations, tests, accounts or regions; stop puts
back exactly what start changed; time follows freezegun (API "State lives for
one activation"; design "Time is read at call time"; reference §3.2, §7.2, §10.7).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import unittest
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock as std_mock

import boto3
import pytest
import requests
import responses
from botocore import handlers as botocore_handlers
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError
from freezegun import freeze_time
from moto import mock_aws
from requests.adapters import HTTPAdapter

from tsmock import TimestreamWriteMock, mock_timestream_write, registry

pytest_plugins = ["pytester"]

REGION = "us-east-1"
OTHER_ACCOUNT = "111122223333"
INGEST = "https://ingest-cell1.timestream.us-east-1.amazonaws.com/"
LIST_DATABASES = {"X-Amz-Target": "Timestream_20181101.ListDatabases"}


def client(region: str = REGION) -> Any:
    return boto3.client("timestream-write", region_name=region)


def database_names(region: str = REGION) -> list[str]:
    return [d["DatabaseName"] for d in client(region).list_databases()["Databases"]]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def record(at_ms: int, value: str = "1.5", host: str = "h1") -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": host}],
        "MeasureName": "cpu",
        "MeasureValue": value,
        "Time": str(at_ms),
    }


def fill(ts: TimestreamWriteMock) -> None:
    """Something of every kind the mock keeps: resources, records, tags, tasks,
    objects, faults, calls, a batch load mode."""
    c = client()
    c.create_database(DatabaseName="db1", Tags=[{"Key": "k", "Value": "v"}])
    c.create_table(DatabaseName="db1", TableName="tbl1")
    c.write_records(DatabaseName="db1", TableName="tbl1", Records=[record(now_ms())])
    ts.put_object("src", "data.csv", f"time,host,cpu\n{now_ms()},h1,2.5\n")
    c.create_batch_load_task(
        DataModelConfiguration={
            "DataModel": {
                "TimeColumn": "time",
                "DimensionMappings": [{"SourceColumn": "host"}],
                "MultiMeasureMappings": {
                    "TargetMultiMeasureName": "m",
                    "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu"}],
                },
            }
        },
        DataSourceConfiguration={
            "DataSourceS3Configuration": {"BucketName": "src"},
            "DataFormat": "CSV",
        },
        ReportConfiguration={"ReportS3Configuration": {"BucketName": "reports"}},
        TargetDatabaseName="db1",
        TargetTableName="tbl1",
    )
    client("eu-west-1").create_database(DatabaseName="db-eu")
    ts.backend(REGION, OTHER_ACCOUNT).create_database("db-other-account")
    ts.add_fault("DescribeTable", "ThrottlingException", times=None)
    ts.batch_load_mode = "manual"


def assert_empty(ts: TimestreamWriteMock) -> None:
    """Nothing of what `fill` makes is there, by the handle or by a client."""
    state = ts._require_state()
    assert [b for b in state.backends() if b.databases or b.batch_load_tasks] == []
    assert state.objects._buckets == {}
    assert ts.faults == []
    assert ts.calls == []
    assert ts.batch_load_mode == "immediate"
    assert database_names() == []
    assert database_names("eu-west-1") == []
    assert client().list_batch_load_tasks()["BatchLoadTasks"] == []
    # A fault of the last activation would strike here.
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client().describe_table(DatabaseName="db1", TableName="tbl1")


def environment() -> dict[str, str]:
    """The process environment, without pytest's own bookkeeping variable."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


class Patched:
    """What tsmock patches in the process, to compare before and after."""

    def __init__(self) -> None:
        self.make_request = Endpoint.make_request
        self.adapter_send = HTTPAdapter.send
        self.get_adapter = requests.Session.get_adapter
        self.environ = environment()
        self.handlers = list(botocore_handlers.BUILTIN_HANDLERS)
        self.active = registry.active()

    def assert_restored(self) -> None:
        assert Endpoint.make_request is self.make_request
        assert HTTPAdapter.send is self.adapter_send
        assert requests.Session.get_adapter is self.get_adapter
        assert environment() == self.environ
        assert self.handlers == botocore_handlers.BUILTIN_HANDLERS
        assert registry.active() is self.active


@pytest.fixture(autouse=True)
def safety_net() -> Iterator[None]:
    """Whatever a failing test here leaves patched, the next test starts clean."""
    make_request, adapter_send = Endpoint.make_request, HTTPAdapter.send
    get_adapter = requests.Session.get_adapter
    yield
    Endpoint.make_request = make_request  # type: ignore[method-assign]
    HTTPAdapter.send = adapter_send  # type: ignore[method-assign]
    requests.Session.get_adapter = get_adapter  # type: ignore[method-assign]


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> Iterator[Patched]:
    # No credentials or region at all: start has to add them, stop to remove them.
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    before = Patched()
    yield before
    before.assert_restored()


# --- activations ----------------------------------------------------------------------------


def test_no_state_crosses_activations(patched: Patched) -> None:
    with mock_timestream_write() as ts:
        fill(ts)
    with mock_timestream_write() as ts:
        assert_empty(ts)
    patched.assert_restored()


def test_a_handle_started_again_starts_empty(patched: Patched) -> None:
    handle = mock_timestream_write()
    handle.start()
    fill(handle)
    handle.stop()
    patched.assert_restored()
    handle.start()
    try:
        assert_empty(handle)
    finally:
        handle.stop()


def test_each_call_of_a_decorated_function_starts_empty(patched: Patched) -> None:
    seen: list[list[str]] = []

    @mock_timestream_write
    def body(name: str) -> None:
        seen.append(database_names())
        client().create_database(DatabaseName=name)

    @mock_timestream_write()
    async def async_body(name: str) -> None:
        seen.append(database_names())
        client().create_database(DatabaseName=name)

    body("db1")
    body("db2")
    asyncio.run(async_body("db3"))
    asyncio.run(async_body("db4"))
    assert seen == [[], [], [], []]


def test_state_made_in_another_thread_dies_with_the_activation(patched: Patched) -> None:
    with mock_timestream_write() as ts:
        thread = threading.Thread(target=lambda: client().create_database(DatabaseName="db1"))
        thread.start()
        thread.join()
        assert list(ts.backend().databases) == ["db1"]
    with mock_timestream_write():
        assert database_names() == []


# --- from one test to the next ---------------------------------------------------------------

INNER_TESTS = """
import unittest

import boto3
import pytest

from tsmock import mock_timestream_write


def names():
    client = boto3.client("timestream-write", region_name="us-east-1")
    return [d["DatabaseName"] for d in client.list_databases()["Databases"]]


def leave_state_behind():
    client = boto3.client("timestream-write", region_name="us-east-1")
    assert names() == []
    client.create_database(DatabaseName="shared")
    client.create_table(DatabaseName="shared", TableName="tbl")


@mock_timestream_write
def test_decorated_1():
    leave_state_behind()


@mock_timestream_write()
def test_decorated_2_fails():
    leave_state_behind()
    raise RuntimeError("the body raises")


def test_fixture_1(timestream_write_mock):
    leave_state_behind()


def test_fixture_2_fails(timestream_write_mock):
    leave_state_behind()
    assert False, "the body fails"


def test_fixture_3(timestream_write_mock):
    leave_state_behind()


@mock_timestream_write
class TestPlain:
    def setup_method(self):
        assert names() == []

    def test_1(self):
        leave_state_behind()

    def test_2(self):
        leave_state_behind()


@mock_timestream_write
class TestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Class-level state belongs to setUpClass's own activation.
        leave_state_behind()

    def test_1(self):
        leave_state_behind()

    def test_2_fails(self):
        leave_state_behind()
        raise KeyError("the body raises")

    def test_3(self):
        leave_state_behind()


def test_plain_last():
    import boto3.session
    from tsmock import registry

    assert registry.active() is None
"""


def test_no_state_crosses_tests_of_any_form(pytester: pytest.Pytester, patched: Patched) -> None:
    pytester.makepyfile(test_inner=INNER_TESTS)
    # Twice, in opposite orders: whichever test runs second would see the first's
    # database if state leaked.
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", "-p", "no:randomly")
    result.assert_outcomes(passed=8, failed=3)
    patched.assert_restored()
    reverse = pytester.makeconftest(
        """
        def pytest_collection_modifyitems(items):
            items.reverse()
        """
    )
    assert reverse.exists()
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=8, failed=3)
    result.stdout.no_fnmatch_line("*ConflictException*")
    patched.assert_restored()


# --- accounts and regions ---------------------------------------------------------------------


def test_accounts_are_separate(patched: Patched) -> None:
    with mock_timestream_write(account_id=OTHER_ACCOUNT) as ts:
        created = client().create_database(DatabaseName="db1")["Database"]
        assert created["Arn"] == f"arn:aws:timestream:{REGION}:{OTHER_ACCOUNT}:database/db1"
        assert f":{OTHER_ACCOUNT}:key/" in created["KmsKeyId"]
        assert list(ts.backend().databases) == ["db1"]
        assert ts.backend(account_id=OTHER_ACCOUNT) is ts.backend()
        # The default account of the same activation has nothing.
        assert ts.backend(account_id="123456789012").databases == {}
        ts.backend(account_id="123456789012").create_database("db-default")
        assert database_names() == ["db1"]
        # A resource of another account cannot be reached by ARN either.
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            client().list_tags_for_resource(
                ResourceARN=f"arn:aws:timestream:{REGION}:123456789012:database/db-default"
            )
    with mock_timestream_write() as ts:
        assert database_names() == []
        assert ts.backend(account_id=OTHER_ACCOUNT).databases == {}


def test_regions_are_separate(ts: TimestreamWriteMock) -> None:
    client("us-east-1").create_database(DatabaseName="db1")
    west = client("eu-west-1").create_database(DatabaseName="db1")["Database"]
    china = client("cn-north-1").create_database(DatabaseName="db-cn")["Database"]
    assert west["Arn"] == "arn:aws:timestream:eu-west-1:123456789012:database/db1"
    assert china["Arn"] == "arn:aws-cn:timestream:cn-north-1:123456789012:database/db-cn"
    client("eu-west-1").create_table(DatabaseName="db1", TableName="only-west")
    assert client("us-east-1").list_tables()["Tables"] == []
    assert database_names("ap-south-1") == []
    assert database_names("cn-north-1") == ["db-cn"]
    assert list(ts.backend("eu-west-1").databases["db1"].tables) == ["only-west"]
    # A table ARN of one region names nothing in another.
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client("us-east-1").list_tags_for_resource(
            ResourceARN="arn:aws:timestream:eu-west-1:123456789012:database/db1/table/only-west"
        )


def test_region_of_the_mock_for_clients_without_one(patched: Patched) -> None:
    with mock_timestream_write(region_name="eu-central-1") as ts:
        boto3.Session().client("timestream-write").create_database(DatabaseName="db1")
        assert list(ts.backend("eu-central-1").databases) == ["db1"]
        assert ts.backend("us-east-1").databases == {}


# --- what stop puts back ----------------------------------------------------------------------


def test_stop_restores_everything_when_the_body_raises(patched: Patched) -> None:
    with pytest.raises(ZeroDivisionError), mock_timestream_write() as ts:
        fill(ts)
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert Endpoint.make_request is not patched.make_request
        assert requests.Session.get_adapter is not patched.get_adapter
        _ = 1 / 0
    patched.assert_restored()

    @mock_timestream_write
    def decorated() -> None:
        client().create_database(DatabaseName="db1")
        raise KeyError("boom")

    with pytest.raises(KeyError):
        decorated()
    patched.assert_restored()

    async def in_async_with() -> None:
        async with mock_timestream_write():
            raise ValueError("boom")

    with pytest.raises(ValueError):
        asyncio.run(in_async_with())
    patched.assert_restored()


def test_unittest_case_that_raises_restores_everything(patched: Patched) -> None:
    @mock_timestream_write
    class Case(unittest.TestCase):
        def test_error(self) -> None:
            client().create_database(DatabaseName="db1")
            raise RuntimeError("boom")

        def test_failure(self) -> None:
            self.fail("fails")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert (len(result.errors), len(result.failures)) == (1, 1)
    patched.assert_restored()


def test_configured_environment_is_left_exactly_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    before = environment()
    with mock_timestream_write():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE"
        assert os.environ["AWS_DEFAULT_REGION"] == "ap-southeast-2"
        # The user's own changes inside the mock are theirs to keep.
        os.environ["AWS_ACCESS_KEY_ID"] = "CHANGED"
    assert os.environ.pop("AWS_ACCESS_KEY_ID") == "CHANGED"
    before.pop("AWS_ACCESS_KEY_ID")
    assert environment() == before


def test_activations_ending_in_any_order_restore_once(patched: Patched) -> None:
    # (A nested activation with another account_id is refused: tests/test_handle_rules.py.)
    outer, inner = mock_timestream_write(), mock_timestream_write()
    outer.start()
    inner.start()
    outer.stop()
    # Still active: the inner activation holds it.
    assert registry.active() is not None
    assert database_names() == []
    inner.stop()
    patched.assert_restored()
    inner.stop()  # a second stop changes nothing
    patched.assert_restored()


def test_a_users_requests_mock_started_inside_keeps_working_after_tsmock_stops(
    patched: Patched,
) -> None:
    ts = mock_timestream_write()
    ts.start()
    user = responses.RequestsMock(assert_all_requests_are_fired=False)
    user.start()
    user.get("https://example.com/health", body="from the user's mock")
    ts.stop()
    # Stopping tsmock must not switch off a mock started after it...
    assert requests.get("https://example.com/health", timeout=5).text == "from the user's mock"
    user.stop()
    # ...and once both are stopped, nothing of either answers: an ingest call
    # goes out (the suite's socket guard refuses it).
    with pytest.raises(Exception, match="network access attempted"):
        requests.post(INGEST, data="{}", headers=LIST_DATABASES, timeout=5)
    patched.assert_restored()


def test_moto_started_first_and_stopped_first(patched: Patched) -> None:
    aws = mock_aws()
    aws.start()
    ts = mock_timestream_write()
    ts.start()
    aws.stop()
    ts.stop()
    patched.assert_restored()


def test_moto_started_inside_keeps_answering_after_tsmock_stops(patched: Patched) -> None:
    ts = mock_timestream_write()
    ts.start()
    aws = mock_aws()
    aws.start()
    try:
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="still-moto")
        ts.stop()
        s3.put_object(Bucket="still-moto", Key="k", Body=b"v")
        # moto still answers plain requests too (an unsigned GET: moto refuses
        # it, but in-process; the suite's socket guard would raise otherwise).
        answer = requests.get("https://s3.amazonaws.com/still-moto/k", timeout=5)
        assert answer.status_code == 403
        assert s3.get_object(Bucket="still-moto", Key="k")["Body"].read() == b"v"
    finally:
        aws.stop()
    with pytest.raises(Exception, match="network access attempted"):
        requests.post(INGEST, data="{}", headers=LIST_DATABASES, timeout=5)
    assert HTTPAdapter.send is patched.adapter_send
    # moto saved tsmock's fake credentials at its start; tsmock's stop took them
    # out of what moto puts back, so none remain.
    assert environment() == patched.environ


def test_a_users_endpoint_patch_made_inside_survives_tsmock_stopping(patched: Patched) -> None:
    answered: list[str] = []

    def users_make_request(endpoint: Any, operation_model: Any, request_dict: Any) -> Any:
        answered.append(operation_model.name)
        raise RuntimeError("answered by the user's patch")

    ts = mock_timestream_write()
    ts.start()
    c = client()
    with std_mock.patch.object(Endpoint, "make_request", users_make_request):
        ts.stop()
        with pytest.raises(RuntimeError, match="user's patch"):
            c.list_databases()
    assert answered
    # The user's restore put back tsmock's hook, now passing every call on.
    assert Endpoint.make_request is not users_make_request
    Endpoint.make_request = patched.make_request  # type: ignore[method-assign]


# --- time follows freezegun -------------------------------------------------------------------

FROZEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
FROZEN_MS = int(FROZEN.timestamp() * 1000)
HOUR_MS = 3_600_000


def write_outcomes(times_ms: list[int]) -> list[str | None]:
    """For each time, None if the record was stored, else its rejection reason."""
    c = client()
    outcomes: list[str | None] = []
    for at in times_ms:
        try:
            c.write_records(DatabaseName="db1", TableName="tbl1", Records=[record(at)])
            outcomes.append(None)
        except ClientError as error:
            response: dict[str, Any] = dict(error.response)
            (rejected,) = response["RejectedRecords"]
            outcomes.append(rejected["Reason"])
    return outcomes


def test_creation_and_update_times_follow_the_frozen_clock(ts: TimestreamWriteMock) -> None:
    with freeze_time(FROZEN) as frozen:
        c = client()
        database = c.create_database(DatabaseName="db1")["Database"]
        table = c.create_table(DatabaseName="db1", TableName="tbl1")["Table"]
        assert database["CreationTime"] == database["LastUpdatedTime"] == FROZEN
        assert table["CreationTime"] == table["LastUpdatedTime"] == FROZEN
        frozen.tick(timedelta(minutes=5))
        updated = c.update_table(
            DatabaseName="db1",
            TableName="tbl1",
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 12,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
        )["Table"]
        assert updated["CreationTime"] == FROZEN
        assert updated["LastUpdatedTime"] == FROZEN + timedelta(minutes=5)
        frozen.tick(timedelta(hours=1))
        moved = c.update_database(DatabaseName="db1", KmsKeyId="alias/other")["Database"]
        assert moved["LastUpdatedTime"] == FROZEN + timedelta(minutes=65)
    assert ts.backend().databases["db1"].creation_time == FROZEN


def test_the_ingestion_window_follows_the_frozen_clock(ts: TimestreamWriteMock) -> None:
    with freeze_time(FROZEN):
        c = client()
        c.create_database(DatabaseName="db1")
        c.create_table(DatabaseName="db1", TableName="tbl1")  # 6 h memory store
        outcomes = write_outcomes(
            [
                FROZEN_MS - HOUR_MS,
                FROZEN_MS - 7 * HOUR_MS,
                FROZEN_MS + 14 * 60_000,
                FROZEN_MS + 16 * 60_000,
                FROZEN_MS - 6 * HOUR_MS,
                FROZEN_MS + 15 * 60_000,
            ]
        )
    window = (
        "The record timestamp is outside the time range "
        "[2024-05-01T06:00:00.000Z, 2024-05-01T12:15:00.000Z) of the memory store."
    )
    # Lower bound inclusive, upper bound exclusive (§7.2).
    assert outcomes == [None, window, None, window, None, window]
    stored = ts.records("db1", "tbl1")
    assert [r.time for r in stored] == [
        FROZEN - timedelta(hours=1),
        FROZEN + timedelta(minutes=14),
        FROZEN - timedelta(hours=6),
    ]
    assert {r.store for r in stored} == {"memory"}


def test_the_ingestion_window_follows_a_ticking_frozen_clock(ts: TimestreamWriteMock) -> None:
    with freeze_time(FROZEN, tick=True):
        c = client()
        c.create_database(DatabaseName="db1")
        table = c.create_table(DatabaseName="db1", TableName="tbl1")["Table"]
        assert FROZEN <= table["CreationTime"] < FROZEN + timedelta(minutes=1)
        outcomes = write_outcomes(
            [
                FROZEN_MS - HOUR_MS,
                FROZEN_MS - 7 * HOUR_MS,
                FROZEN_MS + 14 * 60_000,
                FROZEN_MS + 16 * 60_000,
            ]
        )
        later = c.describe_table(DatabaseName="db1", TableName="tbl1")["Table"]
        assert later["CreationTime"] == table["CreationTime"]
    assert [outcome is None for outcome in outcomes] == [True, False, True, False]
    assert all("2024-05-01T06:00:" in o for o in outcomes if o)


def test_magnetic_writes_follow_the_frozen_clock(ts: TimestreamWriteMock) -> None:
    with freeze_time(FROZEN):
        c = client()
        c.create_database(DatabaseName="db1")
        c.create_table(
            DatabaseName="db1",
            TableName="tbl1",
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 6,
                "MagneticStoreRetentionPeriodInDays": 1,
            },
            MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
        )
        outcomes = write_outcomes([FROZEN_MS - 7 * HOUR_MS, FROZEN_MS - 31 * HOUR_MS])
    assert outcomes[0] is None
    assert outcomes[1] == (
        "The record timestamp is outside the time range "
        "[2024-04-30T06:00:00.000Z, 2024-05-01T12:15:00.000Z) of the data ingestion window."
    )
    (stored,) = ts.records("db1", "tbl1")
    assert stored.store == "magnetic"


BATCH_MODEL = {
    "TimeColumn": "time",
    "DimensionMappings": [{"SourceColumn": "host"}],
    "MultiMeasureMappings": {
        "TargetMultiMeasureName": "usage",
        "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}],
    },
}


def create_task(c: Any) -> str:
    task_id: str = c.create_batch_load_task(
        DataModelConfiguration={"DataModel": BATCH_MODEL},
        DataSourceConfiguration={
            "DataSourceS3Configuration": {"BucketName": "src"},
            "DataFormat": "CSV",
        },
        ReportConfiguration={"ReportS3Configuration": {"BucketName": "reports"}},
        TargetDatabaseName="db1",
        TargetTableName="tbl1",
    )["TaskId"]
    return task_id


def test_batch_load_follows_the_frozen_clock(ts: TimestreamWriteMock) -> None:
    run_at = FROZEN + timedelta(minutes=5)
    run_ms = FROZEN_MS + 5 * 60_000
    rows = [
        f"{run_ms - HOUR_MS},h1,1.5",
        f"{run_ms - 7 * HOUR_MS},h2,2.5",
        f"{run_ms + 14 * 60_000},h3,3.5",
        f"{run_ms + 16 * 60_000},h4,4.5",
    ]
    ts.put_object("src", "data.csv", "time,host,cpu\n" + "\n".join(rows) + "\n")
    with freeze_time(FROZEN) as frozen:
        c = client()
        c.create_database(DatabaseName="db1")
        c.create_table(DatabaseName="db1", TableName="tbl1")
        ts.batch_load_mode = "manual"
        task_id = create_task(c)
        created = c.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        assert created["CreationTime"] == created["LastUpdatedTime"] == FROZEN
        frozen.tick(timedelta(minutes=3))
        ts.advance_batch_load_task(task_id)
        ts.stop_batch_load_task(task_id)
        stopped = c.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        assert stopped["TaskStatus"] == "PROGRESS_STOPPED"
        assert stopped["LastUpdatedTime"] == FROZEN + timedelta(minutes=3)
        assert stopped["ResumableUntil"] > FROZEN + timedelta(minutes=3)
        frozen.tick(timedelta(minutes=2))
        c.resume_batch_load_task(TaskId=task_id)
        ts.advance_batch_load_task(task_id)
        ts.advance_batch_load_task(task_id)  # the run, at run_at
        done = c.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        assert done["LastUpdatedTime"] == run_at
        # The window of the run is the frozen clock's at that moment (§7.2).
        assert done["ProgressReport"]["RecordsIngested"] == 2
        assert done["ProgressReport"]["RecordIngestionFailures"] == 2
        assert done["TaskStatus"] == "FAILED"
        # A stopped task can be resumed until ResumableUntil, not from then on.
        second = create_task(c)
        ts.advance_batch_load_task(second)
        ts.stop_batch_load_task(second)
        until = c.describe_batch_load_task(TaskId=second)["BatchLoadTaskDescription"][
            "ResumableUntil"
        ]
        frozen.move_to(until)
        with pytest.raises(ClientError, match="ValidationException"):
            c.resume_batch_load_task(TaskId=second)
    hosts = sorted(r.dimensions["host"] for r in ts.records("db1", "tbl1"))
    assert hosts == ["h1", "h3"]
