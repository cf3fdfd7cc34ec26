"""CSV rows full of quote characters, with TrimWhiteSpace."""

from __future__ import annotations

import time
from typing import Any

import boto3

from tsmock import mock_timestream_write
from tsmock.backend.batch_load.csv import CsvOptions, parse_csv

QUOTES = '"' * 80_000
TRIM = CsvOptions(trim=True)


def test_unquoted_field_of_quotes_is_kept_as_written() -> None:
    rows = list(parse_csv(f"a,b\nx{QUOTES},y\n", TRIM))
    assert [row.fields for row in rows] == [["a", "b"], [f"x{QUOTES}", "y"]]
    assert rows[1].error is None


def test_quote_after_blank_still_opens_a_quoted_field() -> None:
    rows = list(parse_csv('a,b\n  "q, r" ,  s "t\n', TRIM))
    assert rows[1].fields == ["q, r", 's "t']
    # Not blank before the quote: the quote is a plain character.
    assert next(parse_csv('x "y",z\n', TRIM)).fields == ['x "y"', "z"]


def test_batch_load_row_of_80_kb_of_quotes() -> None:
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.create_database(DatabaseName="hardening_db")
        client.create_table(DatabaseName="hardening_db", TableName="hardening_table")
        t = time.time_ns() // 1_000_000 - 60_000
        body = f"host,time,cpu\nw{QUOTES},{t},1.5\nweb-2,{t + 1},2.5\n"
        ts.put_object("source", "in/a.csv", body)
        model: dict[str, Any] = {
            "TimeColumn": "time",
            "DimensionMappings": [{"SourceColumn": "host"}],
            "MultiMeasureMappings": {
                "TargetMultiMeasureName": "usage",
                "MultiMeasureAttributeMappings": [
                    {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}
                ],
            },
        }
        task_id = client.create_batch_load_task(
            TargetDatabaseName="hardening_db",
            TargetTableName="hardening_table",
            DataSourceConfiguration={
                "DataSourceS3Configuration": {"BucketName": "source", "ObjectKeyPrefix": "in/"},
                "DataFormat": "CSV",
                "CsvConfiguration": {"TrimWhiteSpace": True},
            },
            ReportConfiguration={"ReportS3Configuration": {"BucketName": "reports"}},
            DataModelConfiguration={"DataModel": model},
        )["TaskId"]
        task = client.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        # Both rows are split; the 80 KB dimension value is over the series size
        # limit, so that record is rejected and the other row is loaded.
        report = task["ProgressReport"]
        assert (report["RecordsProcessed"], report["ParseFailures"]) == (2, 0)
        assert report["RecordIngestionFailures"] == 1
        assert [dict(r.dimensions) for r in ts.records("hardening_db", "hardening_table")] == [
            {"host": "web-2"}
        ]
