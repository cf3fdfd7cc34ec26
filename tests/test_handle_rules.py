"""The handle's rules: defaults, failed lookups, use after stop, nesting, repr."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

import tsmock
from tsmock import (
    NotFoundError,
    ObjectNotFoundError,
    ResourceNotFoundError,
    mock_timestream,
    mock_timestream_write,
)

ACCOUNT = "111122223333"
REGION = "eu-west-1"


def client(region_name: str = REGION) -> Any:
    return boto3.client(
        "timestream-write",
        region_name=region_name,
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


def write_one(region_name: str = REGION) -> None:
    write = client(region_name)
    write.create_database(DatabaseName="db1")
    write.create_table(DatabaseName="db1", TableName="cpu")
    write.write_records(
        DatabaseName="db1",
        TableName="cpu",
        Records=[
            {
                "Dimensions": [{"Name": "host", "Value": "a"}],
                "MeasureName": "load",
                "MeasureValue": "0.5",
                "Time": str(int(time.time() * 1000)),
            }
        ],
    )


def test_errors_are_exported() -> None:
    for name in ("NotFoundError", "ObjectNotFoundError", "ResourceNotFoundError"):
        assert name in tsmock.__all__
    assert issubclass(ResourceNotFoundError, NotFoundError)
    assert issubclass(ObjectNotFoundError, NotFoundError)
    assert issubclass(NotFoundError, LookupError)


# --- defaults -----------------------------------------------------------------------


def test_records_and_backend_default_to_the_mocks_own_account_and_region() -> None:
    with mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as ts:
        write_one()
        assert len(ts.records("db1", "cpu")) == 1
        backend = ts.backend()
        assert (backend.account_id, backend.region_name) == (ACCOUNT, REGION)
        assert "db1" in backend.databases


def test_records_of_another_region_are_looked_up_there() -> None:
    with mock_timestream_write(region_name=REGION) as ts:
        write_one("us-west-2")
        assert len(ts.records("db1", "cpu", region_name="us-west-2")) == 1
        with pytest.raises(ResourceNotFoundError):
            ts.records("db1", "cpu")


def test_without_arguments_the_defaults_are_us_east_1_and_123456789012() -> None:
    with mock_timestream_write() as ts:
        backend = ts.backend()
        assert (backend.account_id, backend.region_name) == ("123456789012", "us-east-1")


# --- failed lookups -----------------------------------------------------------------


def test_records_of_an_unknown_database_names_it_and_where() -> None:
    with (
        mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as ts,
        pytest.raises(ResourceNotFoundError) as caught,
    ):
        ts.records("nope", "cpu")
    message = str(caught.value)
    assert "'nope'" in message and ACCOUNT in message and REGION in message
    assert type(caught.value) is not KeyError


def test_records_of_an_unknown_table_names_it_and_where() -> None:
    with mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as ts:
        write_one()
        with pytest.raises(NotFoundError) as caught:
            ts.records("db1", "memory")
    message = str(caught.value)
    assert "'memory'" in message and "'db1'" in message
    assert ACCOUNT in message and REGION in message


def test_batch_load_task_of_an_unknown_id() -> None:
    with (
        mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as ts,
        pytest.raises(ResourceNotFoundError) as caught,
    ):
        ts.batch_load_task("nope")
    message = str(caught.value)
    assert "batch load task 'nope'" in message
    assert ACCOUNT in message and REGION in message
    # Code written against earlier versions caught KeyError: it still works.
    assert isinstance(caught.value, KeyError)


def test_get_object_of_a_missing_key() -> None:
    with mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as ts:
        ts.put_object("bucket", "a.csv", b"x")
        with pytest.raises(ObjectNotFoundError) as caught:
            ts.get_object("bucket", "b.csv")
    message = str(caught.value)
    assert "s3://bucket/b.csv" in message and ACCOUNT in message and REGION in message


# --- after stop ---------------------------------------------------------------------


def test_reading_members_show_the_last_state_after_stop() -> None:
    ts = mock_timestream_write(region_name=REGION).start()
    write_one()
    ts.put_object("bucket", "a.csv", b"x")
    ts.stop()
    assert not ts.active
    assert len(ts.records("db1", "cpu")) == 1
    assert "db1" in ts.backend().databases
    operations = [call.operation for call in ts.calls]
    assert operations[-3:] == ["CreateDatabase", "CreateTable", "WriteRecords"]
    assert ts.get_object("bucket", "a.csv") == b"x"
    assert ts.list_objects("bucket") == ["a.csv"]
    # The next start begins a new, empty state.
    with ts:
        assert ts.calls == []
        with pytest.raises(NotFoundError):
            ts.records("db1", "cpu")


@pytest.mark.parametrize(
    "change",
    [
        lambda ts: ts.add_fault("WriteRecords", "ThrottlingException"),
        lambda ts: ts.put_object("bucket", "a.csv", b"x"),
        lambda ts: ts.advance_batch_load_task("task"),
        lambda ts: setattr(ts, "batch_load_mode", "manual"),
    ],
    ids=["add_fault", "put_object", "advance_batch_load_task", "batch_load_mode"],
)
def test_changing_members_raise_after_stop(change: Any) -> None:
    with mock_timestream_write() as ts:
        pass
    with pytest.raises(RuntimeError, match="not active"):
        change(ts)


def test_run_scheduled_queries_raises_after_stop() -> None:
    with mock_timestream() as ts:
        pass
    with pytest.raises(RuntimeError, match="not active"):
        ts.run_scheduled_queries()


# --- nesting ------------------------------------------------------------------------


def test_nested_activation_with_another_account_raises_naming_both() -> None:
    with mock_timestream_write(account_id=ACCOUNT):
        inner = mock_timestream_write(account_id="999999999999")
        with pytest.raises(RuntimeError) as caught:
            inner.start()
        assert ACCOUNT in str(caught.value) and "999999999999" in str(caught.value)
        assert not inner.active
    assert tsmock.registry.active() is None


def test_nested_activation_with_another_region_raises_naming_both() -> None:
    with mock_timestream_write(region_name=REGION):
        with pytest.raises(RuntimeError) as caught:
            mock_timestream_write(region_name="ap-south-1").start()
        assert REGION in str(caught.value) and "ap-south-1" in str(caught.value)
    assert tsmock.registry.active() is None


def test_nested_activation_with_the_same_account_and_region_joins() -> None:
    with mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as outer:
        with mock_timestream_write(account_id=ACCOUNT, region_name=REGION) as inner:
            assert inner.backend() is outer.backend()
        # Without a region of its own, a nested mock takes the outer one.
        with mock_timestream_write(account_id=ACCOUNT) as inner:
            assert inner.backend() is outer.backend()


# --- repr ---------------------------------------------------------------------------


def test_repr_says_what_the_mock_holds() -> None:
    ts = mock_timestream_write(account_id=ACCOUNT, region_name=REGION)
    assert "inactive" in repr(ts)
    with ts:
        write_one()
        text = repr(ts)
        assert "TimestreamWriteMock active" in text
        assert f"account_id={ACCOUNT}" in text and f"region_name={REGION}" in text
        # DescribeEndpoints, CreateDatabase, CreateTable, WriteRecords.
        assert f"databases=1 tables=1 records=1 calls={len(ts.calls)}" in text
        assert len(ts.calls) == 4
    assert "inactive" in repr(ts) and "records=1" in repr(ts)
