"""Batch load end to end through boto3 (reference §5.12–§5.15, §8.5, §10).

Sources are staged with ``ts.put_object``; moto S3 interop is in
test_batch_load_moto.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from tsmock import TimestreamWriteMock, mock_timestream_write
from tsmock.objects import ObjectStoreError

REGION = "us-east-1"
DB = "metrics"
TABLE = "hosts"
SOURCE = "source-bucket"
REPORTS = "report-bucket"
WINDOW_REASON = "The record timestamp is outside the time range of the data ingestion window."

MULTI_MODEL: dict[str, Any] = {
    "TimeColumn": "time",
    "DimensionMappings": [{"SourceColumn": "host"}],
    "MultiMeasureMappings": {
        "TargetMultiMeasureName": "usage",
        "MultiMeasureAttributeMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "mem", "MeasureValueType": "BIGINT"},
        ],
    },
}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture
def client(ts: TimestreamWriteMock) -> Any:
    """A client with the database and a table whose memory store holds a day."""
    client = boto3.client("timestream-write", region_name=REGION)
    client.create_database(DatabaseName=DB)
    client.create_table(
        DatabaseName=DB,
        TableName=TABLE,
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 24,
            "MagneticStoreRetentionPeriodInDays": 7,
        },
    )
    return client


def task_request(
    model: dict[str, Any] | None = None,
    *,
    prefix: str | None = "in/",
    csv: dict[str, Any] | None = None,
    report_prefix: str | None = "reports",
    table: str = TABLE,
    **extra: Any,
) -> dict[str, Any]:
    source: dict[str, Any] = {"BucketName": SOURCE}
    if prefix is not None:
        source["ObjectKeyPrefix"] = prefix
    data_source: dict[str, Any] = {"DataSourceS3Configuration": source, "DataFormat": "CSV"}
    if csv is not None:
        data_source["CsvConfiguration"] = csv
    report: dict[str, Any] = {"BucketName": REPORTS}
    if report_prefix is not None:
        report["ObjectKeyPrefix"] = report_prefix
    request: dict[str, Any] = {
        "TargetDatabaseName": DB,
        "TargetTableName": table,
        "DataSourceConfiguration": data_source,
        "ReportConfiguration": {"ReportS3Configuration": report},
        "DataModelConfiguration": {"DataModel": model if model is not None else MULTI_MODEL},
    }
    request.update(extra)
    return request


def create(client: Any, model: dict[str, Any] | None = None, **kwargs: Any) -> str:
    task_id: str = client.create_batch_load_task(**task_request(model, **kwargs))["TaskId"]
    return task_id


def describe(client: Any, task_id: str) -> dict[str, Any]:
    description: dict[str, Any] = client.describe_batch_load_task(TaskId=task_id)[
        "BatchLoadTaskDescription"
    ]
    return description


def progress(client: Any, task_id: str) -> dict[str, int]:
    return dict(describe(client, task_id)["ProgressReport"])


def counts(
    processed: int,
    ingested: int,
    parse: int = 0,
    ingestion: int = 0,
    files: int = 0,
    metered: int | None = None,
) -> dict[str, int]:
    expected = {
        "RecordsProcessed": processed,
        "RecordsIngested": ingested,
        "ParseFailures": parse,
        "RecordIngestionFailures": ingestion,
        "FileFailures": files,
    }
    if metered is not None:
        expected["BytesMetered"] = metered
    return expected


def without_bytes(report: dict[str, int]) -> dict[str, int]:
    return {key: value for key, value in report.items() if key != "BytesMetered"}


def error_report(ts: TimestreamWriteMock, task_id: str, prefix: str = "reports") -> Any:
    return json.loads(ts.get_object(REPORTS, f"{prefix}/{task_id}/error-report.json"))


def file_errors(report: Any) -> dict[str, dict[str, list[list[int]]]]:
    return {
        entry["fileName"]: {error["reason"]: error["lineRanges"] for error in entry["errors"]}
        for entry in report["fileErrors"]
    }


def error_code(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


# --- mapping rows to records (§10.5) ----------------------------------------------------------


def test_multi_measure_rows_become_multi_records(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    body = f"host,time,cpu,mem,unused\nweb-1,{t},12.5,512,x\nweb-2,{t + 1},80,,y\n"
    ts.put_object(SOURCE, "in/part-0.csv", body)

    task_id = create(client)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "SUCCEEDED"
    assert "ErrorMessage" not in task
    data_rows = body.encode().split(b"\n", 1)[1]
    assert task["ProgressReport"] == counts(2, 2, metered=len(data_rows))
    stored = ts.records(DB, TABLE)
    assert [(dict(r.dimensions), r.measure_name, r.measure_value_type) for r in stored] == [
        ({"host": "web-1"}, "usage", "MULTI"),
        ({"host": "web-2"}, "usage", "MULTI"),
    ]
    assert dict(stored[0].measure_values) == {"cpu": ("12.5", "DOUBLE"), "mem": ("512", "BIGINT")}
    # A null attribute is left out of the record (§10.5).
    assert dict(stored[1].measure_values) == {"cpu": ("80", "DOUBLE")}
    assert stored[0].time_ns == t * 1_000_000
    assert [r.version for r in stored] == [1, 1]
    assert [r.store for r in stored] == ["memory", "memory"]
    # No report for a task without errors (§10.8): the report bucket stays empty.
    with pytest.raises(ObjectStoreError):
        ts.list_objects(REPORTS)


def test_multi_measure_names_from_measure_name_column_and_attribute_targets(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t_s = now_ms() // 1000
    ts.put_object(
        SOURCE,
        "in/a.csv",
        f"site,rack,ts,kind,temp,ok,seen,label\n"
        f"s1,r1,{t_s},env,21.5,true,{t_s - 5},north\n"
        f"s1,r2,{t_s},power,3,false,{t_s - 9},south\n",
    )
    model = {
        "TimeColumn": "ts",
        "TimeUnit": "SECONDS",
        "DimensionMappings": [
            {"SourceColumn": "site", "DestinationColumn": "site_id"},
            {"SourceColumn": "rack"},
        ],
        "MeasureNameColumn": "kind",
        "MultiMeasureMappings": {
            "MultiMeasureAttributeMappings": [
                {"SourceColumn": "temp", "TargetMultiMeasureAttributeName": "temperature"},
                {"SourceColumn": "ok", "MeasureValueType": "BOOLEAN"},
                {"SourceColumn": "seen", "MeasureValueType": "TIMESTAMP"},
                {"SourceColumn": "label", "MeasureValueType": "VARCHAR"},
            ]
        },
    }

    task_id = create(client, model)

    assert describe(client, task_id)["TaskStatus"] == "SUCCEEDED"
    stored = ts.records(DB, TABLE)
    assert [(dict(r.dimensions), r.measure_name) for r in stored] == [
        ({"site_id": "s1", "rack": "r1"}, "env"),
        ({"site_id": "s1", "rack": "r2"}, "power"),
    ]
    # An attribute without MeasureValueType is DOUBLE (§13 #20).
    assert dict(stored[0].measure_values) == {
        "temperature": ("21.5", "DOUBLE"),
        "ok": ("true", "BOOLEAN"),
        "seen": (str(t_s - 5), "TIMESTAMP"),
        "label": ("north", "VARCHAR"),
    }
    assert stored[0].time_ns == t_s * 1_000_000_000


def test_single_measure_rows_from_mixed_mappings(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    body = f"host,time,cpu,mem,state\nweb-1,{t},1.5,100,up\nweb-2,{t},2.5,,down\n"
    ts.put_object(SOURCE, "in/a.csv", body)
    model = {
        "TimeColumn": "time",
        "DimensionMappings": [{"SourceColumn": "host"}],
        "MixedMeasureMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "mem", "TargetMeasureName": "memory", "MeasureValueType": "BIGINT"},
            {"MeasureName": "status", "SourceColumn": "state", "MeasureValueType": "VARCHAR"},
        ],
    }

    task_id = create(client, model)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "SUCCEEDED"
    # Five records from two rows: the null ``mem`` makes no record (§10.5).
    assert task["ProgressReport"] == counts(
        5, 5, metered=len(body) - len("host,time,cpu,mem,state\n")
    )
    assert [
        (r.dimensions["host"], r.measure_name, r.measure_value_type, r.measure_value)
        for r in ts.records(DB, TABLE)
    ] == [
        ("web-1", "cpu", "DOUBLE", "1.5"),
        ("web-1", "memory", "BIGINT", "100"),
        ("web-1", "status", "VARCHAR", "up"),
        ("web-2", "cpu", "DOUBLE", "2.5"),
        ("web-2", "status", "VARCHAR", "down"),
    ]


def test_mixed_mappings_selected_by_measure_name_column(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t = now_ms()
    ts.put_object(
        SOURCE,
        "in/a.csv",
        f"host,time,metric,value,rx,tx\n"
        f"h1,{t},cpu,0.5,,\n"
        f"h1,{t},net,,10,20\n"
        f"h1,{t},disk,7,,\n"
        f"h2,{t},cpu,0.7,,\n",
    )
    model = {
        "TimeColumn": "time",
        "DimensionMappings": [{"SourceColumn": "host"}],
        "MeasureNameColumn": "metric",
        "MixedMeasureMappings": [
            {"MeasureName": "cpu", "SourceColumn": "value", "MeasureValueType": "DOUBLE"},
            {
                "MeasureName": "net",
                "TargetMeasureName": "network",
                "MeasureValueType": "MULTI",
                "MultiMeasureAttributeMappings": [
                    {"SourceColumn": "rx", "MeasureValueType": "BIGINT"},
                    {"SourceColumn": "tx", "MeasureValueType": "BIGINT"},
                ],
            },
        ],
    }

    task_id = create(client, model)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "FAILED"
    assert without_bytes(task["ProgressReport"]) == counts(4, 3, parse=1)
    assert [
        (r.dimensions["host"], r.measure_name, r.measure_value_type) for r in ts.records(DB, TABLE)
    ] == [
        ("h1", "cpu", "DOUBLE"),
        ("h1", "network", "MULTI"),
        ("h2", "cpu", "DOUBLE"),
    ]
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"The row matches no measure mapping for measure disk.": [[4, 4]]}
    }


def test_dimension_with_null_value_is_left_out(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f"host,az,time,cpu,mem\nh1,,{t},1,1\nh2,b,{t},2,2\n")
    model = dict(MULTI_MODEL, DimensionMappings=[{"SourceColumn": "host"}, {"SourceColumn": "az"}])

    task_id = create(client, model)

    assert describe(client, task_id)["TaskStatus"] == "SUCCEEDED"
    assert [dict(r.dimensions) for r in ts.records(DB, TABLE)] == [
        {"host": "h1"},
        {"host": "h2", "az": "b"},
    ]


# --- parse failures and ingestion failures (§10.5, §10.6, §10.8) ------------------------------


def test_parse_failures_counted_per_row_and_reported_by_reason(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t = now_ms()
    ts.put_object(
        SOURCE,
        "in/a.csv",
        "host,time,cpu,mem\n"
        f"ok-1,{t},1,1\n"  # line 2
        f"bad-fields,{t},1\n"  # line 3: 3 fields
        "bad-time,yesterday,1,1\n"  # line 4
        ",,1,1\n"  # line 5: no time
        f"bad-double,{t},lots,1\n"  # line 6
        f"bad-bigint,{t},1,1.5\n"  # line 7
        f"no-values,{t},,\n"  # line 8: nothing to measure
        f"bad-time-2,12:00,1,1\n"  # line 9
        f"ok-2,{t},2,2\n",  # line 10
    )

    task_id = create(client)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "FAILED"
    assert "ErrorMessage" not in task  # the task ran; its rows failed
    assert without_bytes(task["ProgressReport"]) == counts(9, 2, parse=7)
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["ok-1", "ok-2"]
    report = error_report(ts, task_id)
    assert report["taskId"] == task_id
    assert report["taskErrors"] == []
    assert file_errors(report) == {
        "in/a.csv": {
            "The row has 3 fields but the header has 4.": [[3, 3]],
            "The value yesterday of the time column time is not an integer.": [[4, 4]],
            "The time column time has no value.": [[5, 5]],
            "Invalid measure value lots for measure value type DOUBLE.": [[6, 6]],
            "Invalid measure value 1.5 for measure value type BIGINT.": [[7, 7]],
            "The row has no value for any mapped measure.": [[8, 8]],
            "The value 12:00 of the time column time is not an integer.": [[9, 9]],
        }
    }


def test_one_line_range_per_failed_row_grouped_by_reason(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t = now_ms()
    old = t - 3 * 24 * 3600 * 1000  # outside the 24 h memory store
    ts.put_object(
        SOURCE,
        "in/a.csv",
        f"host,time,cpu,mem\nh1,{old},1,1\nh2,{old},1,1\nh3,{t},1,1\nh4,{old},1,1\n",
    )

    task_id = create(client)

    assert without_bytes(progress(client, task_id)) == counts(4, 1, ingestion=3)
    # The window text of reports has no time range (§7.2, §10.8).
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {WINDOW_REASON: [[2, 2], [3, 3], [5, 5]]}
    }


def test_ingestion_failures_use_the_write_path_rules(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    # A stored record the load conflicts with: same identity, other value, same version.
    client.write_records(
        DatabaseName=DB,
        TableName=TABLE,
        Records=[
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "cpu",
                "MeasureValue": "99",
                "Time": str(t),
            }
        ],
    )
    model = {
        "TimeColumn": "time",
        "DimensionMappings": [{"SourceColumn": "host"}],
        "MixedMeasureMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "note", "MeasureValueType": "VARCHAR"},
        ],
    }
    ts.put_object(
        SOURCE,
        "in/a.csv",
        "host,time,cpu,note\n"
        f"h1,{t},1,fine\n"  # line 2: cpu conflicts, note is stored
        f",{t},2,x\n"  # line 3: no dimension at all -> both records fail
        f"h3,{t},3,{'n' * 2100}\n",  # line 4: the VARCHAR is over 2 KB
    )

    task_id = create(client, model)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "FAILED"
    assert without_bytes(task["ProgressReport"]) == counts(6, 2, ingestion=4)
    assert [
        (r.dimensions["host"], r.measure_name, r.measure_value) for r in ts.records(DB, TABLE)
    ] == [
        ("h1", "cpu", "99"),
        ("h1", "note", "fine"),
        ("h3", "cpu", "3"),
    ]
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {
            "A record already exists with the same time, dimensions, measure name, and record "
            "version. A higher record version must be specified in order to update the measure "
            "value. Specifying record version is supported by the latest SDKs.": [[2, 2]],
            # One line per row even when two of its records fail for the same reason.
            "At least one dimension is required for a record.": [[3, 3]],
            "The VARCHAR measure value exceeds the maximum size of 2 KB.": [[4, 4]],
        }
    }
    # BytesMetered counts the rows that produced ingested records (lines 2 and 4).
    assert task["ProgressReport"]["BytesMetered"] == len(f"h1,{t},1,fine\n") + len(
        f"h3,{t},3,{'n' * 2100}\n"
    )


def test_magnetic_store_and_window_follow_the_table(client: Any, ts: TimestreamWriteMock) -> None:
    client.update_table(
        DatabaseName=DB,
        TableName=TABLE,
        MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
    )
    t = now_ms()
    day = 24 * 3600 * 1000
    ts.put_object(
        SOURCE,
        "in/a.csv",
        f"host,time,cpu,mem\nnew,{t},1,1\nold,{t - 3 * day},1,1\nancient,{t - 30 * day},1,1\n",
    )

    task_id = create(client)

    assert without_bytes(progress(client, task_id)) == counts(3, 2, ingestion=1)
    assert [(r.dimensions["host"], r.store) for r in ts.records(DB, TABLE)] == [
        ("new", "memory"),
        ("old", "magnetic"),
    ]
    assert file_errors(error_report(ts, task_id)) == {"in/a.csv": {WINDOW_REASON: [[4, 4]]}}


def test_reload_with_higher_record_version_updates_without_failures(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh1,{t},1,1\nh2,{t},2,2\n")
    first = create(client)
    assert describe(client, first)["RecordVersion"] == 1

    # §8.5 [REAL]: the same data again with RecordVersion 2 succeeds, no duplicates.
    second = create(client, RecordVersion=2)

    task = describe(client, second)
    assert (task["TaskStatus"], task["RecordVersion"]) == ("SUCCEEDED", 2)
    assert without_bytes(task["ProgressReport"]) == counts(2, 2)
    assert [(r.dimensions["host"], r.version) for r in ts.records(DB, TABLE)] == [
        ("h1", 2),
        ("h2", 2),
    ]

    # Changed values with a lower version are refused with Reason B (§8.3).
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh1,{t},5,5\nh2,{t},2,2\n")
    third = create(client, RecordVersion=1)
    assert without_bytes(progress(client, third)) == counts(2, 1, ingestion=1)
    assert file_errors(error_report(ts, third)) == {
        "in/a.csv": {
            "The record version 1 is lower than the existing version 2. A higher version is "
            "required to update the measure value.": [[2, 2]]
        }
    }


def test_required_partition_key_dimension(ts: TimestreamWriteMock) -> None:
    client = boto3.client("timestream-write", region_name=REGION)
    client.create_database(DatabaseName=DB)
    client.create_table(
        DatabaseName=DB,
        TableName="keyed",
        Schema={
            "CompositePartitionKey": [
                {"Type": "DIMENSION", "Name": "tenant", "EnforcementInRecord": "REQUIRED"}
            ]
        },
    )
    # §9 [DOC]: a data model without the REQUIRED key dimension is refused.
    with pytest.raises(ClientError) as caught:
        create(client, table="keyed")
    assert error_code(caught) == (
        "ValidationException",
        "The data model does not map the required partition key dimension tenant.",
    )
    # Mapped, a row where it is null is a rejected record (§9).
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f"host,org,time,cpu,mem\nh1,acme,{t},1,1\nh2,,{t},1,1\n")
    model = dict(
        MULTI_MODEL,
        DimensionMappings=[
            {"SourceColumn": "host"},
            {"SourceColumn": "org", "DestinationColumn": "tenant"},
        ],
    )
    task_id = create(client, model, table="keyed")
    assert without_bytes(progress(client, task_id)) == counts(2, 1, ingestion=1)
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"The record is missing the required partition key dimension tenant.": [[3, 3]]}
    }


# --- CSV options end to end (§10.4) -----------------------------------------------------------


def loaded(ts: TimestreamWriteMock) -> list[tuple[str, dict[str, tuple[str, str]]]]:
    return [(r.dimensions["host"], dict(r.measure_values)) for r in ts.records(DB, TABLE)]


@pytest.mark.parametrize("separator", ["|", ";", "\t", " "])
def test_column_separator(client: Any, ts: TimestreamWriteMock, separator: str) -> None:
    t = now_ms()
    rows = [["host", "time", "cpu", "mem"], ["h1", str(t), "1.5", "2"]]
    ts.put_object(SOURCE, "in/a.csv", "\n".join(separator.join(row) for row in rows) + "\n")

    task_id = create(client, csv={"ColumnSeparator": separator})

    assert describe(client, task_id)["TaskStatus"] == "SUCCEEDED"
    assert loaded(ts) == [("h1", {"cpu": ("1.5", "DOUBLE"), "mem": ("2", "BIGINT")})]


def test_default_separator_does_not_split_on_semicolons(
    client: Any, ts: TimestreamWriteMock
) -> None:
    ts.put_object(SOURCE, "in/a.csv", f"host;time;cpu;mem\nh1;{now_ms()};1;2\n")
    task_id = create(client)
    assert without_bytes(progress(client, task_id)) == counts(0, 0, files=1)
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"Column time not found in file header.": [[1, 1]]}
    }


def test_quote_char_and_multi_line_values(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    model = dict(
        MULTI_MODEL,
        MultiMeasureMappings={
            "TargetMultiMeasureName": "usage",
            "MultiMeasureAttributeMappings": [
                {"SourceColumn": "cpu"},
                {"SourceColumn": "note", "MeasureValueType": "VARCHAR"},
            ],
        },
    )
    ts.put_object(
        SOURCE,
        "in/a.csv",
        "host,time,cpu,note\n"
        f"'h,1',{t},1,'it''s\nmulti-line'\n"  # lines 2-3
        f"h2,{t},oops,x\n",  # line 4
    )

    task_id = create(client, model, csv={"QuoteChar": "'"})

    assert without_bytes(progress(client, task_id)) == counts(2, 1, parse=1)
    assert loaded(ts) == [
        ("h,1", {"cpu": ("1", "DOUBLE"), "note": ("it's\nmulti-line", "VARCHAR")})
    ]
    # Line numbers count physical lines, so the bad row is line 4.
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"Invalid measure value oops for measure value type DOUBLE.": [[4, 4]]}
    }


def test_escape_char(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nrack\\,7,{t},1,2\n")

    task_id = create(client, csv={"EscapeChar": "\\"})

    assert describe(client, task_id)["TaskStatus"] == "SUCCEEDED"
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["rack,7"]


def test_without_escape_char_a_backslash_is_data(client: Any, ts: TimestreamWriteMock) -> None:
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nrack\\,7,{now_ms()},1,2\n")
    task_id = create(client)
    assert without_bytes(progress(client, task_id)) == counts(1, 0, parse=1)


def test_null_value(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    body = f"host,time,cpu,mem\nh1,{t},NULL,4\nh2,{t},,5\n"
    ts.put_object(SOURCE, "in/a.csv", body)

    task_id = create(client, csv={"NullValue": "NULL"})

    # "NULL" is null; with NullValue set, an empty field is an empty string,
    # which does not parse as DOUBLE.
    assert without_bytes(progress(client, task_id)) == counts(2, 1, parse=1)
    assert loaded(ts) == [("h1", {"mem": ("4", "BIGINT")})]
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"Invalid measure value  for measure value type DOUBLE.": [[3, 3]]}
    }


@pytest.mark.parametrize(("trim", "ingested"), [(True, 1), (False, 0)])
def test_trim_white_space(client: Any, ts: TimestreamWriteMock, trim: bool, ingested: int) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f" host , time ,cpu,mem\n h1 , {t} , 1.5 ,2\n")

    task_id = create(client, csv={"TrimWhiteSpace": trim})

    report = progress(client, task_id)
    if trim:
        assert without_bytes(report) == counts(1, 1)
        assert loaded(ts) == [("h1", {"cpu": ("1.5", "DOUBLE"), "mem": ("2", "BIGINT")})]
    else:
        # Untrimmed, the header names keep their spaces and "host" is not found.
        assert without_bytes(report) == counts(0, 0, files=1)
    assert report["RecordsIngested"] == ingested


def test_blank_lines_and_crlf(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\r\n\r\nh1,{t},1,1\r\n\r\nh2,{t},x,1\r\n")
    task_id = create(client)
    assert without_bytes(progress(client, task_id)) == counts(2, 1, parse=1)
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"Invalid measure value x for measure value type DOUBLE.": [[5, 5]]}
    }


def test_invalid_csv_configuration_is_refused(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        create(client, csv={"ColumnSeparator": "#"})
    code, message = error_code(caught)
    assert code == "ValidationException"
    assert message.startswith("Invalid ColumnSeparator '#'.")
    # Two characters never reach the service's own rules: the framework refuses them.
    with pytest.raises(ClientError) as caught:
        create(client, csv={"QuoteChar": "''"})
    code, message = error_code(caught)
    assert code == "ValidationException"
    assert "dataSourceConfiguration.csvConfiguration.quoteChar" in message


# --- sources and files (§10.3) ----------------------------------------------------------------


def test_sources_under_prefix_in_key_order_with_sub_folders(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t = now_ms()
    header = "host,time,cpu,mem\n"
    ts.put_object(SOURCE, "in/par=1/b.csv", header + f"b,{t},1,1\n")
    ts.put_object(SOURCE, "in/a.csv", header + f"a,{t},1,1\n")
    ts.put_object(SOURCE, "in/empty.csv", b"")  # skipped
    ts.put_object(SOURCE, "in/folder/", b"x")  # a "folder" key: skipped
    ts.put_object(SOURCE, "other/c.csv", header + f"c,{t},1,1\n")

    task_id = create(client)

    assert describe(client, task_id)["TaskStatus"] == "SUCCEEDED"
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["a", "b"]
    assert ts.batch_load_task(task_id).files_done == ["in/a.csv", "in/par=1/b.csv"]


def test_prefix_may_be_one_key_and_no_prefix_loads_the_bucket(
    client: Any, ts: TimestreamWriteMock
) -> None:
    t = now_ms()
    header = "host,time,cpu,mem\n"
    ts.put_object(SOURCE, "sample.csv", header + f"s,{t},1,1\n")
    ts.put_object(SOURCE, "x/other.csv", header + f"o,{t + 1},1,1\n")

    create(client, prefix="sample.csv")
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["s"]

    create(client, prefix=None)
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["s", "o"]


def test_file_failures_do_not_stop_other_files(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/1-ok.csv", f"host,time,cpu,mem\nh1,{t},1,1\n")
    ts.put_object(SOURCE, "in/2-no-mem.csv", f"host,time,cpu\nh2,{t},1\n")
    ts.put_object(SOURCE, "in/3-bom.csv", f"\ufefftime,host,cpu,mem\n{t},h3,1,1\n".encode())
    ts.put_object(SOURCE, "in/4-latin1.csv", "host,time,cpu,mem\nh\xe9,1,1,1\n".encode("latin-1"))
    ts.put_object(SOURCE, "in/5-ok.csv", f"host,time,cpu,mem\nh5,{t},1,1\n")

    task_id = create(client)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "FAILED"
    assert without_bytes(task["ProgressReport"]) == counts(2, 2, files=3)
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["h1", "h5"]
    assert file_errors(error_report(ts, task_id)) == {
        "in/2-no-mem.csv": {"Column mem not found in file header.": [[1, 1]]},
        # §10.1: a byte-order mark makes the first column name differ.
        "in/3-bom.csv": {"Column time not found in file header.": [[1, 1]]},
        "in/4-latin1.csv": {"The file is not valid UTF-8.": []},
    }


@pytest.mark.parametrize(
    ("setup", "prefix", "reason"),
    [
        (lambda ts: None, "in/", "The bucket source-bucket does not exist."),
        (
            lambda ts: ts.put_object(SOURCE, "elsewhere/a.csv", "x"),
            "in/",
            "No source objects were found under s3://source-bucket/in/.",
        ),
        (
            lambda ts: [ts.put_object(SOURCE, f"in/{i:03}.csv", "h\n1\n") for i in range(101)],
            "in/",
            "The data source has 101 objects; a batch load task can load at most 100.",
        ),
    ],
)
def test_task_that_cannot_run_fails_with_error_message(
    client: Any, ts: TimestreamWriteMock, setup: Any, prefix: str, reason: str
) -> None:
    setup(ts)

    task_id = create(client, prefix=prefix)

    task = describe(client, task_id)
    assert (task["TaskStatus"], task["ErrorMessage"]) == ("FAILED", reason)
    assert without_bytes(task["ProgressReport"]) == counts(0, 0)
    report = error_report(ts, task_id)
    assert report == {"taskId": task_id, "taskErrors": [{"reason": reason}], "fileErrors": []}


def test_report_key_without_prefix_and_with_trailing_slash(
    client: Any, ts: TimestreamWriteMock
) -> None:
    ts.put_object(SOURCE, "in/a.csv", "host,time,cpu,mem\nh,never,1,1\n")
    plain = create(client, report_prefix=None)
    slashed = create(client, report_prefix="deep/reports/")
    assert ts.list_objects(REPORTS) == sorted(
        [f"{plain}/error-report.json", f"deep/reports/{slashed}/error-report.json"]
    )


def test_deleting_the_table_fails_unfinished_tasks(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    task_id = create(client)

    client.delete_table(DatabaseName=DB, TableName=TABLE)

    task = describe(client, task_id)
    reason = f"The target table {TABLE} was deleted before the task finished."
    assert (task["TaskStatus"], task["ErrorMessage"]) == ("FAILED", reason)
    assert error_report(ts, task_id)["taskErrors"] == [{"reason": reason}]
    # Listed whether or not the table still exists (§5.14).
    assert [t["TaskId"] for t in client.list_batch_load_tasks()["BatchLoadTasks"]] == [task_id]


# --- creation checks (§10.2) ------------------------------------------------------------------


def test_describe_echoes_configuration_with_defaults(client: Any, ts: TimestreamWriteMock) -> None:
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    request = task_request(
        {
            "TimeColumn": "time",
            "TimeUnit": "MILLISECONDS",
            "DimensionMappings": [{"SourceColumn": "host"}],
            "MixedMeasureMappings": [
                {
                    "MeasureName": "m",
                    "MeasureValueType": "MULTI",
                    "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu"}],
                }
            ],
        }
    )
    request["ReportConfiguration"]["ReportS3Configuration"]["EncryptionOption"] = "SSE_S3"

    with freeze_time("2024-05-01T12:00:00Z"):
        task_id = client.create_batch_load_task(**request)["TaskId"]
        task = describe(client, task_id)

    assert len(task_id) == 32 and task_id == task_id.upper()
    int(task_id, 16)
    assert task["DataSourceConfiguration"] == {
        "DataSourceS3Configuration": {"BucketName": SOURCE, "ObjectKeyPrefix": "in/"},
        "DataFormat": "CSV",
        "CsvConfiguration": {},
    }
    assert task["DataModelConfiguration"] == {
        "DataModel": {
            "TimeColumn": "time",
            "TimeUnit": "MILLISECONDS",
            "DimensionMappings": [{"SourceColumn": "host", "DestinationColumn": "host"}],
            "MixedMeasureMappings": [
                {
                    "MeasureName": "m",
                    "MeasureValueType": "MULTI",
                    "MultiMeasureAttributeMappings": [
                        {"SourceColumn": "cpu", "TargetMultiMeasureAttributeName": "cpu"}
                    ],
                }
            ],
        }
    }
    assert task["ReportConfiguration"] == request["ReportConfiguration"]
    assert (task["TargetDatabaseName"], task["TargetTableName"]) == (DB, TABLE)
    assert task["RecordVersion"] == 1
    created = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert task["CreationTime"] == created == task["LastUpdatedTime"]
    assert "ResumableUntil" not in task


def model_with(**changes: Any) -> dict[str, Any]:
    model = json.loads(json.dumps(MULTI_MODEL))
    for key, value in changes.items():
        if value is None:
            model.pop(key, None)
        else:
            model[key] = value
    return model


MIXED = [{"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (model_with(TimeColumn=None), "The data model must specify a TimeColumn."),
        (
            model_with(DimensionMappings=[{"DestinationColumn": "h"}]),
            "Every dimension mapping must specify a SourceColumn.",
        ),
        (
            model_with(MixedMeasureMappings=MIXED),
            "The data model must specify exactly one of MultiMeasureMappings or "
            "MixedMeasureMappings.",
        ),
        (
            model_with(MultiMeasureMappings=None),
            "The data model must specify exactly one of MultiMeasureMappings or "
            "MixedMeasureMappings.",
        ),
        (
            model_with(
                MultiMeasureMappings={"MultiMeasureAttributeMappings": [{"SourceColumn": "cpu"}]}
            ),
            "MultiMeasureMappings must specify a TargetMultiMeasureName when the data model "
            "has no MeasureNameColumn.",
        ),
        (
            model_with(
                MultiMeasureMappings=None,
                MixedMeasureMappings=[{"MeasureName": "m", "MeasureValueType": "MULTI"}],
            ),
            "A mixed measure mapping of type MULTI must specify MultiMeasureAttributeMappings.",
        ),
        (
            model_with(
                MultiMeasureMappings=None,
                MixedMeasureMappings=[
                    {
                        "MeasureValueType": "MULTI",
                        "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu"}],
                    }
                ],
            ),
            "A mixed measure mapping of type MULTI must specify a TargetMeasureName or a "
            "MeasureName.",
        ),
        (
            model_with(
                MultiMeasureMappings=None,
                MixedMeasureMappings=[{"MeasureName": "m", "MeasureValueType": "BIGINT"}],
            ),
            "A mixed measure mapping of type BIGINT must specify a SourceColumn.",
        ),
        (
            model_with(
                MultiMeasureMappings=None,
                MixedMeasureMappings=[
                    {
                        "SourceColumn": "cpu",
                        "MeasureValueType": "DOUBLE",
                        "MultiMeasureAttributeMappings": [{"SourceColumn": "mem"}],
                    }
                ],
            ),
            "Only a mixed measure mapping of type MULTI can specify MultiMeasureAttributeMappings.",
        ),
        (
            model_with(
                MultiMeasureMappings=None,
                MixedMeasureMappings=[{"SourceColumn": "cpu", "MeasureValueType": "TIMESTAMP"}],
            ),
            "TIMESTAMP is an invalid measure value type.",
        ),
        (
            model_with(
                MultiMeasureMappings=None, MixedMeasureMappings=MIXED, MeasureNameColumn="k"
            ),
            "Every mixed measure mapping must specify a MeasureName when the data model has a "
            "MeasureNameColumn.",
        ),
    ],
)
def test_data_model_rules(client: Any, model: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        create(client, model)
    assert error_code(caught) == ("ValidationException", message)
    assert client.list_batch_load_tasks()["BatchLoadTasks"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r.update(DataModelConfiguration={}),
            "DataModelConfiguration must specify exactly one of DataModel or "
            "DataModelS3Configuration.",
        ),
        (
            lambda r: r.pop("DataModelConfiguration"),
            "DataModelConfiguration must specify exactly one of DataModel or "
            "DataModelS3Configuration.",
        ),
        (
            lambda r: r["DataModelConfiguration"].update(
                DataModelS3Configuration={"BucketName": "models", "ObjectKey": "m.json"}
            ),
            "DataModelConfiguration must specify exactly one of DataModel or "
            "DataModelS3Configuration.",
        ),
        (
            lambda r: r.update(ReportConfiguration={}),
            "ReportConfiguration must specify a ReportS3Configuration.",
        ),
        (
            lambda r: r["ReportConfiguration"]["ReportS3Configuration"].update(
                EncryptionOption="SSE_KMS"
            ),
            "KmsKeyId must be specified in ReportS3Configuration when EncryptionOption is SSE_KMS.",
        ),
        (
            lambda r: r.update(RecordVersion=0),
            "Record version must be greater than or equal to 1.",
        ),
    ],
)
def test_request_rules(client: Any, change: Any, message: str) -> None:
    request = task_request()
    change(request)
    with pytest.raises(ClientError) as caught:
        client.create_batch_load_task(**request)
    assert error_code(caught) == ("ValidationException", message)


def test_sse_kms_with_key_is_accepted(client: Any, ts: TimestreamWriteMock) -> None:
    request = task_request()
    request["ReportConfiguration"]["ReportS3Configuration"].update(
        EncryptionOption="SSE_KMS", KmsKeyId="alias/reports"
    )
    task_id = client.create_batch_load_task(**request)["TaskId"]
    assert (
        describe(client, task_id)["ReportConfiguration"]["ReportS3Configuration"]["KmsKeyId"]
        == "alias/reports"
    )


def test_framework_checks_come_first(client: Any) -> None:
    request = task_request(prefix="/starts-with-slash")
    request["DataSourceConfiguration"]["DataFormat"] = "PARQUET"
    with pytest.raises(ClientError) as caught:
        client.create_batch_load_task(**request)
    code, message = error_code(caught)
    assert code == "ValidationException"
    assert message.startswith("2 validation errors detected: ")
    assert "dataSourceConfiguration.dataFormat" in message
    assert "dataSourceConfiguration.dataSourceS3Configuration.objectKeyPrefix" in message


@pytest.mark.parametrize(
    ("database", "table", "message"),
    [
        ("nodb", TABLE, "The database nodb does not exist."),
        (DB, "notable", "The table notable does not exist."),
    ],
)
def test_target_must_exist(client: Any, database: str, table: str, message: str) -> None:
    request = task_request(table=table, TargetDatabaseName=database)
    # Existence comes before the service's own rules (§3.6).
    request["ReportConfiguration"] = {}
    with pytest.raises(ClientError) as caught:
        client.create_batch_load_task(**request)
    assert error_code(caught) == ("ResourceNotFoundException", message)


def test_data_model_from_the_object_store(client: Any, ts: TimestreamWriteMock) -> None:
    t = now_ms()
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{t},1,2\n")
    ts.put_object("models", "model.json", json.dumps(MULTI_MODEL))
    s3_config = {"BucketName": "models", "ObjectKey": "model.json"}

    request = {**task_request(), "DataModelConfiguration": {"DataModelS3Configuration": s3_config}}

    task_id = client.create_batch_load_task(**request)["TaskId"]

    task = describe(client, task_id)
    assert task["TaskStatus"] == "SUCCEEDED"
    assert task["DataModelConfiguration"] == {"DataModelS3Configuration": s3_config}
    assert loaded(ts) == [("h", {"cpu": ("1", "DOUBLE"), "mem": ("2", "BIGINT")})]


@pytest.mark.parametrize(
    ("body", "config", "message"),
    [
        (
            None,
            {"BucketName": "models", "ObjectKey": "nope.json"},
            "The data model s3://models/nope.json could not be read: "
            "The object s3://models/nope.json does not exist.",
        ),
        (
            None,
            {"BucketName": "models"},
            "DataModelS3Configuration must specify a BucketName and an ObjectKey.",
        ),
        (
            "{not json",
            {"BucketName": "models", "ObjectKey": "m.json"},
            "The data model s3://models/m.json is not valid JSON.",
        ),
        (
            '{"TimeColumn": "time"}',
            {"BucketName": "models", "ObjectKey": "m.json"},
            "The data model s3://models/m.json is not valid: 1 validation error detected: "
            "Value null at 'dimensionMappings' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            json.dumps(model_with(TimeUnit="HOURS")),
            {"BucketName": "models", "ObjectKey": "m.json"},
            "The data model s3://models/m.json is not valid: 1 validation error detected: "
            "Value 'HOURS' at 'timeUnit' failed to satisfy constraint: Member must satisfy "
            "enum value set: [MILLISECONDS, SECONDS, MICROSECONDS, NANOSECONDS]",
        ),
        (
            json.dumps(model_with(DimensionMappings=[{"SourceColumn": ""}])),
            {"BucketName": "models", "ObjectKey": "m.json"},
            "The data model s3://models/m.json is not valid: 1 validation error detected: "
            "Value '' at 'dimensionMappings.1.member.sourceColumn' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1",
        ),
        (
            json.dumps(model_with(TimeColumn=None)),
            {"BucketName": "models", "ObjectKey": "m.json"},
            "The data model must specify a TimeColumn.",
        ),
    ],
)
def test_bad_data_model_in_the_object_store(
    client: Any, ts: TimestreamWriteMock, body: str | None, config: dict[str, str], message: str
) -> None:
    ts.put_object("models", "other.json", "{}")
    if body is not None:
        ts.put_object("models", config["ObjectKey"], body)
    request = {**task_request(), "DataModelConfiguration": {"DataModelS3Configuration": config}}
    with pytest.raises(ClientError) as caught:
        client.create_batch_load_task(**request)
    assert error_code(caught) == ("ValidationException", message)


# --- ClientToken (§10.2, §13 #24) -------------------------------------------------------------


def test_client_token_replay_returns_the_same_task(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    first = create(client, ClientToken="token-1")
    again = create(client, ClientToken="token-1")
    assert again == first
    assert [t["TaskId"] for t in client.list_batch_load_tasks()["BatchLoadTasks"]] == [first]

    with pytest.raises(ClientError) as caught:
        create(client, ClientToken="token-1", RecordVersion=5)
    assert error_code(caught) == (
        "ConflictException",
        "The ClientToken was already used for a batch load task with different parameters.",
    )


def test_boto3_fills_a_fresh_token_per_call(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    assert create(client) != create(client)
    tokens = [c.params["ClientToken"] for c in ts.calls if c.operation == "CreateBatchLoadTask"]
    assert len(set(tokens)) == 2


# --- quotas (§10.1, §13 #23) ------------------------------------------------------------------


def test_five_active_tasks_per_table(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    tasks = [create(client) for _ in range(5)]
    ts.advance_batch_load_task(tasks[0])  # IN_PROGRESS still counts

    with pytest.raises(ClientError) as caught:
        create(client)
    assert error_code(caught) == (
        "ServiceQuotaExceededException",
        "You have reached the maximum number of active batch load tasks.",
    )

    assert ts.advance_batch_load_task(tasks[0]) == "SUCCEEDED"  # frees a slot
    create(client)


def test_ten_active_tasks_per_account(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    for name in ("one", "two", "three"):
        client.create_table(DatabaseName=DB, TableName=name)
    for table in ("one", "two"):
        for _ in range(5):
            create(client, table=table)
    with pytest.raises(ClientError) as caught:
        create(client, table="three")
    assert error_code(caught)[0] == "ServiceQuotaExceededException"
    # Another region is another account-region pair.
    other = boto3.client("timestream-write", region_name="eu-west-1")
    other.create_database(DatabaseName=DB)
    other.create_table(DatabaseName=DB, TableName=TABLE)
    other.create_batch_load_task(**task_request())


def test_stopped_tasks_do_not_count(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    tasks = [create(client) for _ in range(5)]
    ts.advance_batch_load_task(tasks[0])
    assert ts.stop_batch_load_task(tasks[0]) == "PROGRESS_STOPPED"
    create(client)  # PROGRESS_STOPPED is not active (§10.1 recommendation)
    # ...but resuming puts it back among the active ones.
    client.resume_batch_load_task(TaskId=tasks[0])
    with pytest.raises(ClientError) as caught:
        create(client)
    assert error_code(caught)[0] == "ServiceQuotaExceededException"


# --- lifecycle, run modes, stop and resume (§10.7) --------------------------------------------


def test_awswrangler_style_polling_ends_on_the_first_describe(
    client: Any, ts: TimestreamWriteMock
) -> None:
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    task_id = create(client)
    final = {"SUCCEEDED", "FAILED", "PROGRESS_STOPPED", "PENDING_RESUME"}
    describes = 0
    while True:
        describes += 1
        status = describe(client, task_id)["TaskStatus"]
        if status in final:
            break
        time.sleep(0.01)
        assert describes < 3
    assert (status, describes) == ("SUCCEEDED", 1)


def test_manual_mode_steps(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    with freeze_time("2024-05-01T12:00:00Z") as clock:
        t = int(datetime(2024, 5, 1, 11, tzinfo=timezone.utc).timestamp() * 1000)
        ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{t},1,1\n")
        task_id = create(client)
        created = describe(client, task_id)
        assert created["TaskStatus"] == "CREATED"
        assert without_bytes(created["ProgressReport"]) == counts(0, 0)
        assert created["ProgressReport"]["BytesMetered"] == 0

        clock.tick(60)
        assert ts.advance_batch_load_task(task_id) == "IN_PROGRESS"
        running = describe(client, task_id)
        assert running["TaskStatus"] == "IN_PROGRESS"
        assert running["LastUpdatedTime"] - running["CreationTime"] == timedelta(seconds=60)
        assert ts.records(DB, TABLE) == []

        clock.tick(60)
        assert ts.advance_batch_load_task(task_id) == "SUCCEEDED"
        done = describe(client, task_id)
        assert done["LastUpdatedTime"] - done["CreationTime"] == timedelta(seconds=120)
        assert without_bytes(done["ProgressReport"]) == counts(1, 1)

    with pytest.raises(ValueError, match="has finished"):
        ts.advance_batch_load_task(task_id)
    with pytest.raises(ValueError, match="does not exist"):
        ts.advance_batch_load_task("NOPE")


def stage_five_rows(ts: TimestreamWriteMock, t: int) -> str:
    """Five data rows at time ``t``; the third does not parse."""
    lines = [f"h{i},{t},{'bad' if i == 3 else i},{i}\n" for i in range(1, 6)]
    body = "host,time,cpu,mem\n" + "".join(lines)
    ts.put_object(SOURCE, "in/a.csv", body)
    return body


def test_stop_and_resume_without_double_counting(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    with freeze_time("2024-05-01T12:00:00Z"):
        t = int(datetime(2024, 5, 1, 11, tzinfo=timezone.utc).timestamp() * 1000)
        body = stage_five_rows(ts, t)
        task_id = create(client)
        assert ts.stop_batch_load_task(task_id, after_rows=3) == "CREATED"
        ts.advance_batch_load_task(task_id)
        assert ts.advance_batch_load_task(task_id) == "PROGRESS_STOPPED"

        stopped = describe(client, task_id)
        stop_time = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
        assert stopped["ResumableUntil"] == stop_time + timedelta(days=7)
        assert without_bytes(stopped["ProgressReport"]) == counts(3, 2, parse=1)
        assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["h1", "h2"]
        listed = client.list_batch_load_tasks(TaskStatus="PROGRESS_STOPPED")["BatchLoadTasks"]
        assert [(t["TaskId"], t["ResumableUntil"]) for t in listed] == [
            (task_id, stop_time + timedelta(days=7))
        ]
        with pytest.raises(ValueError, match="resume it"):
            ts.advance_batch_load_task(task_id)

        client.resume_batch_load_task(TaskId=task_id)
        pending = describe(client, task_id)
        assert pending["TaskStatus"] == "PENDING_RESUME"
        assert pending["ResumableUntil"] == stop_time + timedelta(days=7)
        assert ts.advance_batch_load_task(task_id) == "IN_PROGRESS"
        assert "ResumableUntil" not in describe(client, task_id)
        assert ts.advance_batch_load_task(task_id) == "FAILED"

    done = describe(client, task_id)
    assert without_bytes(done["ProgressReport"]) == counts(5, 4, parse=1)
    assert done["ProgressReport"]["BytesMetered"] == sum(
        len(line) + 1 for line in body.splitlines()[1:] if ",bad," not in line
    )
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["h1", "h2", "h4", "h5"]
    assert file_errors(error_report(ts, task_id)) == {
        "in/a.csv": {"Invalid measure value bad for measure value type DOUBLE.": [[4, 4]]}
    }


def test_resume_in_immediate_mode_runs_to_the_end(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    t = now_ms()
    header = "host,time,cpu,mem\n"
    ts.put_object(SOURCE, "in/1.csv", header + f"a,{t},1,1\nb,{t},1,1\n")
    ts.put_object(SOURCE, "in/2.csv", header + f"c,{t},1,1\nd,{t},1,1\n")
    task_id = create(client)
    ts.stop_batch_load_task(task_id, after_rows=3)  # stops inside the second file
    ts.advance_batch_load_task(task_id)
    assert ts.advance_batch_load_task(task_id) == "PROGRESS_STOPPED"
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["a", "b", "c"]

    ts.batch_load_mode = "immediate"
    client.resume_batch_load_task(TaskId=task_id)

    task = describe(client, task_id)
    assert task["TaskStatus"] == "SUCCEEDED"
    assert without_bytes(task["ProgressReport"]) == counts(4, 4)
    assert [r.dimensions["host"] for r in ts.records(DB, TABLE)] == ["a", "b", "c", "d"]


def test_stop_now_and_stop_that_never_fires(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    task_id = create(client)
    with pytest.raises(ValueError, match="only an IN_PROGRESS task"):
        ts.stop_batch_load_task(task_id)
    ts.advance_batch_load_task(task_id)
    assert ts.stop_batch_load_task(task_id) == "PROGRESS_STOPPED"
    assert without_bytes(progress(client, task_id)) == counts(0, 0)

    # More rows allowed than there are: the run ends normally.
    other = create(client)
    ts.stop_batch_load_task(other, after_rows=10)
    ts.advance_batch_load_task(other)
    assert ts.advance_batch_load_task(other) == "SUCCEEDED"
    with pytest.raises(ValueError, match="only CREATED"):
        ts.stop_batch_load_task(other, after_rows=1)


def test_resume_errors(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    ts.put_object(SOURCE, "in/a.csv", f"host,time,cpu,mem\nh,{now_ms()},1,1\n")
    with pytest.raises(ClientError) as caught:
        client.resume_batch_load_task(TaskId="ABC123")
    assert error_code(caught) == (
        "ResourceNotFoundException",
        "The batch load task ABC123 does not exist.",
    )
    task_id = create(client)
    not_resumable = (
        "ValidationException",
        f"The batch load task {task_id} cannot be resumed. Only tasks in PROGRESS_STOPPED "
        "status can be resumed before their ResumableUntil time.",
    )
    with pytest.raises(ClientError) as caught:
        client.resume_batch_load_task(TaskId=task_id)  # CREATED
    assert error_code(caught) == not_resumable

    with freeze_time("2024-05-01T12:00:00Z") as clock:
        ts.advance_batch_load_task(task_id)
        ts.stop_batch_load_task(task_id)
        clock.tick(timedelta(days=7))
        with pytest.raises(ClientError) as caught:
            client.resume_batch_load_task(TaskId=task_id)  # ResumableUntil has passed
        assert error_code(caught) == not_resumable
        assert describe(client, task_id)["TaskStatus"] == "PROGRESS_STOPPED"


def test_describe_unknown_and_malformed_task_ids(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.describe_batch_load_task(TaskId="0123456789ABCDEF0123456789ABCDEF")
    assert error_code(caught) == (
        "ResourceNotFoundException",
        "The batch load task 0123456789ABCDEF0123456789ABCDEF does not exist.",
    )
    with pytest.raises(ClientError) as caught:
        client.describe_batch_load_task(TaskId="lower-case")
    code, message = error_code(caught)
    assert code == "ValidationException"
    assert "Member must satisfy regular expression pattern: [A-Z0-9]+" in message


# --- listing (§5.14, §4) ----------------------------------------------------------------------


@pytest.fixture
def five_tasks(client: Any, ts: TimestreamWriteMock) -> Iterator[list[str]]:
    """Five tasks, oldest first: 2 CREATED, 1 IN_PROGRESS, 1 SUCCEEDED, 1 FAILED."""
    ts.batch_load_mode = "manual"
    t = now_ms()
    ts.put_object(SOURCE, "ok/a.csv", f"host,time,cpu,mem\nh,{t},1,1\n")
    ts.put_object(SOURCE, "bad/a.csv", "host,time,cpu,mem\nh,never,1,1\n")
    tasks = [create(client, prefix="ok/") for _ in range(3)]
    tasks.append(create(client, prefix="ok/"))
    tasks.append(create(client, prefix="bad/"))
    ts.advance_batch_load_task(tasks[2])
    for task_id in tasks[3:]:
        ts.advance_batch_load_task(task_id)
        ts.advance_batch_load_task(task_id)
    yield tasks


def test_list_in_creation_order_with_summaries(client: Any, five_tasks: list[str]) -> None:
    page = client.list_batch_load_tasks()
    assert "NextToken" not in page
    items = page["BatchLoadTasks"]
    assert [item["TaskId"] for item in items] == five_tasks
    assert [item["TaskStatus"] for item in items] == [
        "CREATED",
        "CREATED",
        "IN_PROGRESS",
        "SUCCEEDED",
        "FAILED",
    ]
    assert set(items[0]) == {
        "TaskId",
        "TaskStatus",
        "DatabaseName",
        "TableName",
        "CreationTime",
        "LastUpdatedTime",
    }
    assert (items[0]["DatabaseName"], items[0]["TableName"]) == (DB, TABLE)


@pytest.mark.parametrize(
    ("status", "positions"),
    [
        ("CREATED", [0, 1]),
        ("IN_PROGRESS", [2]),
        ("SUCCEEDED", [3]),
        ("FAILED", [4]),
        ("PENDING_RESUME", []),
    ],
)
def test_list_filtered_by_status(
    client: Any, five_tasks: list[str], status: str, positions: list[int]
) -> None:
    items = client.list_batch_load_tasks(TaskStatus=status)["BatchLoadTasks"]
    assert [item["TaskId"] for item in items] == [five_tasks[i] for i in positions]


def test_list_pages(client: Any, five_tasks: list[str]) -> None:
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = client.list_batch_load_tasks(**kwargs)
        pages += 1
        seen.extend(item["TaskId"] for item in page["BatchLoadTasks"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert (seen, pages) == (five_tasks, 3)

    filtered = client.list_batch_load_tasks(TaskStatus="CREATED", MaxResults=1)
    assert [i["TaskId"] for i in filtered["BatchLoadTasks"]] == five_tasks[:1]
    rest = client.list_batch_load_tasks(
        TaskStatus="CREATED", MaxResults=1, NextToken=filtered["NextToken"]
    )
    assert [i["TaskId"] for i in rest["BatchLoadTasks"]] == five_tasks[1:2]
    assert "NextToken" not in rest


def test_list_errors(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.list_batch_load_tasks(MaxResults=101)
    code, message = error_code(caught)
    assert code == "ValidationException"
    assert "Member must have value less than or equal to 100" in message
    with pytest.raises(ClientError) as caught:
        client.list_batch_load_tasks(NextToken="garbage")
    assert error_code(caught) == ("ValidationException", "Invalid pagination token.")


# --- concurrency and invariants -------------------------------------------------------------


def test_concurrent_creates_respect_the_table_quota(client: Any, ts: TimestreamWriteMock) -> None:
    ts.batch_load_mode = "manual"
    clients = [boto3.client("timestream-write", region_name=REGION) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(own: Any) -> None:
        barrier.wait()
        try:
            own.create_batch_load_task(**task_request())
            outcome = "created"
        except ClientError as error:
            outcome = error.response["Error"]["Code"]
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(own,)) for own in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ServiceQuotaExceededException"] * 3 + ["created"] * 5
    assert len(client.list_batch_load_tasks()["BatchLoadTasks"]) == 5


_cpu_values = st.sampled_from(["1", "2.5", "-3e2", "", "x", "NaN"])
_times = st.sampled_from(["now", "old", "bad", ""])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), _times, _cpu_values, _cpu_values), max_size=12))
def test_progress_counters_add_up(rows: list[tuple[int, str, str, str]]) -> None:
    t = now_ms()
    times = {"now": str(t), "old": str(t - 30 * 24 * 3600 * 1000), "bad": "soon", "": ""}
    body = "host,time,cpu,load\n" + "".join(
        f"h{host},{times[when]},{cpu},{load}\n" for host, when, cpu, load in rows
    )
    model = {
        "TimeColumn": "time",
        "DimensionMappings": [{"SourceColumn": "host"}],
        "MixedMeasureMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "load", "MeasureValueType": "DOUBLE"},
        ],
    }
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name=REGION)
        client.create_database(DatabaseName=DB)
        client.create_table(DatabaseName=DB, TableName=TABLE)
        ts.put_object(SOURCE, "in/a.csv", body)
        task_id = create(client, model)
        task = describe(client, task_id)
        report = task["ProgressReport"]
        assert report["RecordsProcessed"] == (
            report["RecordsIngested"] + report["RecordIngestionFailures"] + report["ParseFailures"]
        )
        # Every record is stored once; re-writes of an identity count as ingested.
        identities = {
            (r.dimensions["host"], r.measure_name, r.time_ns) for r in ts.records(DB, TABLE)
        }
        assert len(ts.records(DB, TABLE)) == len(identities) <= report["RecordsIngested"]
        failed = report["ParseFailures"] + report["RecordIngestionFailures"] > 0
        assert task["TaskStatus"] == ("FAILED" if failed else "SUCCEEDED")
        if failed:
            reported = {
                line
                for entry in error_report(ts, task_id)["fileErrors"]
                for error in entry["errors"]
                for line, _ in error["lineRanges"]
            }
            assert reported and all(2 <= line <= len(rows) + 1 for line in reported)
            assert len(reported) <= report["ParseFailures"] + report["RecordIngestionFailures"]
