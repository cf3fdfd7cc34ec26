"""A third-party client end to end: awswrangler's Timestream writer and batch loader.

awswrangler batches WriteRecords itself, returns rejected records to its caller,
and for batch load writes CSV to S3 with boto3 and polls DescribeBatchLoadTask
until the task ends; moto's S3 holds the objects.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

# Installed by the `dev` extra; under CI a skip here fails the run (tests/conftest.py).
pytestmark = pytest.mark.interop

wr = pytest.importorskip("awswrangler")
pd = pytest.importorskip("pandas")
moto = pytest.importorskip("moto")

REGION = "us-east-1"
REASON_A = (
    "A record already exists with the same time, dimensions, measure name, and record "
    "version. A higher record version must be specified in order to update the measure "
    "value. Specifying record version is supported by the latest SDKs."
)


def _create_table(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="tbl")


def test_write_stores_single_and_multi_measure_rows_and_returns_rejections(ts: Any) -> None:
    _create_table(boto3.client("timestream-write", region_name=REGION))
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    df = pd.DataFrame({"time": [now] * 3, "host": ["a", "b", "c"], "cpu": [1.0, 2.0, 3.0]})

    first = wr.timestream.write(
        df=df, database="db1", table="tbl", time_col="time", measure_col="cpu",
        dimensions_cols=["host"],
    )  # fmt: skip
    changed = df.assign(cpu=[9.0, 2.0, 3.0])
    second = wr.timestream.write(
        df=changed, database="db1", table="tbl", time_col="time", measure_col="cpu",
        dimensions_cols=["host"],
    )  # fmt: skip
    multi = pd.DataFrame({"time": [now], "host": ["a"], "m1": [1.5], "m2": [7]})
    third = wr.timestream.write(
        df=multi, database="db1", table="tbl", time_col="time", measure_col=["m1", "m2"],
        dimensions_cols=["host"], measure_name="metrics",
    )  # fmt: skip

    assert first == [] and third == []
    # Same identity, same version, another value: reason A for the changed row only.
    assert second == [{"RecordIndex": 0, "Reason": REASON_A}]
    stored = [
        (dict(r.dimensions), r.measure_name, r.measure_value_type, r.measure_value,
         dict(r.measure_values), r.version, r.time.replace(tzinfo=None))
        for r in ts.records("db1", "tbl")
    ]  # fmt: skip
    assert stored == [
        ({"host": "a"}, "cpu", "DOUBLE", "1.0", {}, 1, now),
        ({"host": "b"}, "cpu", "DOUBLE", "2.0", {}, 1, now),
        ({"host": "c"}, "cpu", "DOUBLE", "3.0", {}, 1, now),
        ({"host": "a"}, "metrics", "MULTI", None,
         {"m1": ("1.5", "DOUBLE"), "m2": ("7", "BIGINT")}, 1, now),
    ]  # fmt: skip


@pytest.mark.parametrize("moto_outside", [True, False])
def test_batch_load_reads_csv_from_moto_s3_and_polls_to_success(
    moto_outside: bool, timestream_write_mock: Any
) -> None:
    ts = timestream_write_mock
    with moto.mock_aws():
        if moto_outside:
            # The fixture started tsmock before moto; restart it inside moto's scope.
            ts.stop()
            ts.start()
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="bkt")
        _create_table(boto3.client("timestream-write", region_name=REGION))
        now_ms = int(time.time() * 1000)
        df = pd.DataFrame(
            {
                "time": [now_ms - 1000 * i for i in range(4)],
                "host": ["a", "b", "c", "d"],
                "measure_name": ["metrics"] * 4,
                "cpu": [0.5, 1.5, 2.5, 3.5],
                "mem": [10, 20, 30, 40],
            }
        )
        result = wr.timestream.batch_load(
            df=df, path="s3://bkt/load/", database="db1", table="tbl", time_col="time",
            dimensions_cols=["host"], measure_cols=["cpu", "mem"],
            measure_name_col="measure_name", time_unit="MILLISECONDS",
            report_s3_configuration={"BucketName": "bkt", "ObjectKeyPrefix": "reports"},
        )  # fmt: skip

        description = result["BatchLoadTaskDescription"]
        assert description["TaskStatus"] == "SUCCEEDED"
        progress = description["ProgressReport"]
        assert (progress["RecordsProcessed"], progress["RecordsIngested"]) == (4, 4)
        assert progress["ParseFailures"] == progress["RecordIngestionFailures"] == 0
        stored = {
            r.dimensions["host"]: (r.measure_name, dict(r.measure_values), r.time_ns // 10**6)
            for r in ts.records("db1", "tbl")
        }
        assert stored == {
            host: ("metrics", {"cpu": (str(cpu), "DOUBLE"), "mem": (str(mem), "BIGINT")}, t)
            for host, cpu, mem, t in zip(df["host"], df["cpu"], df["mem"], df["time"], strict=True)
        }
        # A successful task writes no error report (§10.8).
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="bkt").get("Contents", [])]
        assert not [key for key in keys if key.startswith("reports/")]


def test_batch_load_failure_raises_in_awswrangler_and_leaves_an_error_report(ts: Any) -> None:
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="bkt")
        _create_table(boto3.client("timestream-write", region_name=REGION))
        now_ms = int(time.time() * 1000)
        # The second row is a week old: outside the default 6 h memory window.
        df = pd.DataFrame(
            {
                "time": [now_ms, now_ms - 7 * 24 * 3600 * 1000],
                "host": ["a", "b"],
                "measure_name": ["metrics"] * 2,
                "cpu": [0.5, 1.5],
            }
        )
        with pytest.raises(wr.exceptions.TimestreamLoadError):
            wr.timestream.batch_load(
                df=df, path="s3://bkt/load/", database="db1", table="tbl", time_col="time",
                dimensions_cols=["host"], measure_cols=["cpu"],
                measure_name_col="measure_name", time_unit="MILLISECONDS",
                report_s3_configuration={"BucketName": "bkt", "ObjectKeyPrefix": "reports"},
            )  # fmt: skip

        [task] = ts.backend().batch_load_tasks.values()
        assert task.status == "FAILED"
        assert (task.progress.records_ingested, task.progress.record_ingestion_failures) == (1, 1)
        report = s3.get_object(Bucket="bkt", Key=f"reports/{task.task_id}/error-report.json")
        errors = json.loads(report["Body"].read())["fileErrors"][0]["errors"]
        assert errors == [
            {
                "reason": "The record timestamp is outside the time range of the data "
                "ingestion window.",
                "lineRanges": [[3, 3]],
            }
        ]
        assert [r.dimensions["host"] for r in ts.records("db1", "tbl")] == ["a"]
