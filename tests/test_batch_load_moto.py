"""Batch load with moto's S3: sources and reports live there while moto is active.

Objects are staged and reports read back with plain boto3 S3 clients, in both
nesting orders of ``moto.mock_aws`` and tsmock. The suite's socket guard makes
any attempt to reach the real S3 fail the test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tsmock import TimestreamWriteMock, mock_timestream_write
from tsmock import objects as object_store
from tsmock.objects import ObjectStore, ObjectStoreError, moto_active

REGION = "us-east-1"
DB, TABLE = "metrics", "hosts"
SOURCE, REPORTS = "source-bucket", "report-bucket"
MODEL: dict[str, Any] = {
    "TimeColumn": "time",
    "DimensionMappings": [{"SourceColumn": "host"}],
    "MixedMeasureMappings": [{"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}],
}


@contextmanager
def moto_outside() -> Iterator[TimestreamWriteMock]:
    with mock_aws(), mock_timestream_write() as ts:
        yield ts


@contextmanager
def moto_inside() -> Iterator[TimestreamWriteMock]:
    with mock_timestream_write() as ts, mock_aws():
        yield ts


ORDERS = pytest.mark.parametrize(
    "activation", [moto_outside, moto_inside], ids=["moto-outer", "moto-inner"]
)
Activation = Callable[[], Any]


def timestream() -> Any:
    client = boto3.client("timestream-write", region_name=REGION)
    client.create_database(DatabaseName=DB)
    client.create_table(DatabaseName=DB, TableName=TABLE)
    return client


def create_task(client: Any, **changes: Any) -> str:
    request: dict[str, Any] = {
        "TargetDatabaseName": DB,
        "TargetTableName": TABLE,
        "DataSourceConfiguration": {
            "DataSourceS3Configuration": {"BucketName": SOURCE, "ObjectKeyPrefix": "in/"},
            "DataFormat": "CSV",
        },
        "DataModelConfiguration": {"DataModel": MODEL},
        "ReportConfiguration": {
            "ReportS3Configuration": {"BucketName": REPORTS, "ObjectKeyPrefix": "reports"}
        },
    }
    request.update(changes)
    task_id: str = client.create_batch_load_task(**request)["TaskId"]
    return task_id


def describe(client: Any, task_id: str) -> dict[str, Any]:
    task: dict[str, Any] = client.describe_batch_load_task(TaskId=task_id)[
        "BatchLoadTaskDescription"
    ]
    return task


def csv_body() -> str:
    t = time.time_ns() // 1_000_000
    return f"host,time,cpu\nh1,{t},1.5\nh2,{t},high\nh3,{t},3\n"


@ORDERS
def test_sources_and_report_in_moto_s3(activation: Activation) -> None:
    with activation() as ts:
        assert moto_active()
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=SOURCE)
        s3.create_bucket(Bucket=REPORTS)
        s3.put_object(Bucket=SOURCE, Key="in/part-0.csv", Body=csv_body().encode())
        client = timestream()

        task_id = create_task(client)

        task = describe(client, task_id)
        assert task["TaskStatus"] == "FAILED"
        progress = task["ProgressReport"]
        assert (progress["RecordsProcessed"], progress["RecordsIngested"]) == (3, 2)
        assert progress["ParseFailures"] == 1
        assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["h1", "h3"]
        key = f"reports/{task_id}/error-report.json"
        report = json.loads(s3.get_object(Bucket=REPORTS, Key=key)["Body"].read())
        assert report == {
            "taskId": task_id,
            "taskErrors": [],
            "fileErrors": [
                {
                    "fileName": "in/part-0.csv",
                    "errors": [
                        {
                            "reason": "Invalid measure value high for measure value type DOUBLE.",
                            "lineRanges": [[3, 3]],
                        }
                    ],
                }
            ],
        }
        # The handle's object helpers see the same place.
        assert ts.list_objects(REPORTS) == [key]
        assert json.loads(ts.get_object(REPORTS, key)) == report


@ORDERS
def test_handle_put_object_goes_to_moto_and_creates_the_bucket(activation: Activation) -> None:
    with activation() as ts:
        ts.put_object(SOURCE, "in/a.csv", csv_body())
        s3 = boto3.client("s3", region_name=REGION)
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=SOURCE)["Contents"]] == ["in/a.csv"]
        ts.put_object(SOURCE, "in/b.csv", b"more")  # the bucket exists now
        assert ts.list_objects(SOURCE, "in/") == ["in/a.csv", "in/b.csv"]
        assert ts.get_object(SOURCE, "in/b.csv") == b"more"
        with pytest.raises(ObjectStoreError) as caught:
            ts.get_object(SOURCE, "in/c.csv")
        assert caught.value.reason == "The object s3://source-bucket/in/c.csv does not exist."
        with pytest.raises(ObjectStoreError) as caught:
            ts.list_objects("nothing-here")
        assert caught.value.reason == "The bucket nothing-here does not exist."


def test_missing_report_bucket_in_moto_fails_the_task_with_a_message() -> None:
    with moto_outside():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=SOURCE)
        s3.put_object(Bucket=SOURCE, Key="in/a.csv", Body=csv_body().encode())
        client = timestream()

        task_id = create_task(client)

        task = describe(client, task_id)
        assert task["TaskStatus"] == "FAILED"
        assert task["ErrorMessage"] == (
            "The error report could not be written: The bucket report-bucket does not exist."
        )
        # The service does not create report buckets, and neither does tsmock.
        assert REPORTS not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_missing_source_bucket_in_moto() -> None:
    with moto_inside():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=REPORTS)
        client = timestream()

        task_id = create_task(client)

        task = describe(client, task_id)
        reason = "The bucket source-bucket does not exist."
        assert (task["TaskStatus"], task["ErrorMessage"]) == ("FAILED", reason)
        body = s3.get_object(Bucket=REPORTS, Key=f"reports/{task_id}/error-report.json")["Body"]
        assert json.loads(body.read())["taskErrors"] == [{"reason": reason}]


def test_data_model_and_many_sources_from_moto() -> None:
    with moto_outside() as ts:
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (SOURCE, REPORTS, "models"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="models", Key="model.json", Body=json.dumps(MODEL).encode())
        t = time.time_ns() // 1_000_000
        for i in range(12):
            s3.put_object(
                Bucket=SOURCE, Key=f"in/{i:02}.csv", Body=f"host,time,cpu\nh{i},{t},{i}\n"
            )
        client = timestream()
        config = {"BucketName": "models", "ObjectKey": "model.json"}

        task_id = create_task(client, DataModelConfiguration={"DataModelS3Configuration": config})

        task = describe(client, task_id)
        assert task["TaskStatus"] == "SUCCEEDED"
        assert task["ProgressReport"]["RecordsIngested"] == 12
        assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == [f"h{i}" for i in range(12)]


def test_in_memory_store_is_used_again_after_moto_stops(ts: TimestreamWriteMock) -> None:
    ts.put_object(SOURCE, "in/memory.csv", b"kept")
    with mock_aws():
        assert ts._require_state().objects.backed_by_moto
        with pytest.raises(ObjectStoreError):
            ts.get_object(SOURCE, "in/memory.csv")  # moto's S3 has no such bucket
        ts.put_object(SOURCE, "in/moto.csv", b"gone with moto")
    assert not moto_active()
    assert ts.list_objects(SOURCE) == ["in/memory.csv"]
    assert ts.get_object(SOURCE, "in/memory.csv") == b"kept"


def test_moto_server_mode_style_inactivity_never_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    # If moto's stubber does not answer (not active, server or proxy mode), the S3
    # client has no way out of the process: the store refuses instead.
    import moto.core.models  # noqa: F401  (moto imported, but no mock_aws running)

    monkeypatch.setattr(object_store, "moto_active", lambda: True)
    store = ObjectStore()
    with pytest.raises(ObjectStoreError, match="moto did not answer"):
        store.get_object(SOURCE, "in/a.csv")
    with pytest.raises(ObjectStoreError, match="moto did not answer"):
        store.put_object(SOURCE, "in/a.csv", b"x")


def test_moto_detection_is_cheap_and_follows_activation() -> None:
    assert not moto_active()
    with mock_aws():
        assert moto_active()
        with mock_aws():
            assert moto_active()
        assert moto_active()
    assert not moto_active()


def test_bucket_exists_in_moto_is_false_only_for_an_s3_error() -> None:
    # An S3 error answer (404 for a missing bucket) means "no such bucket"; anything
    # else raised by the client is a bug and must not pass for a missing bucket.
    store = ObjectStore()
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=SOURCE)
        assert store.bucket_exists(SOURCE)
        assert not store.bucket_exists("no-such-bucket")

        class Broken:
            def head_bucket(self, **params: Any) -> None:
                raise ValueError("not an S3 answer")

        store._s3 = Broken  # type: ignore[method-assign]
        with pytest.raises(ValueError, match="not an S3 answer"):
            store.bucket_exists(SOURCE)
