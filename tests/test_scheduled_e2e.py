"""Scheduled queries end to end through real boto3 clients, and `ts.run_scheduled_queries`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sq"
TOPIC = "arn:aws:sns:us-east-1:123456789012:sq"
BUCKET = "sq-errors"
START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
ROLLUP_SQL = (
    "SELECT host, bin(time, 1h) AS hour, avg(measure_value::double) AS avg_cpu, "
    'count(*) AS n FROM "db1"."src" '
    "WHERE time >= @scheduled_runtime - 1h AND time < @scheduled_runtime "
    "GROUP BY host, bin(time, 1h)"
)
TARGET = {
    "TimestreamConfiguration": {
        "DatabaseName": "db1",
        "TableName": "rollup",
        "TimeColumn": "hour",
        "DimensionMappings": [{"Name": "host", "DimensionValueType": "VARCHAR"}],
        "MultiMeasureMappings": {
            "TargetMultiMeasureName": "stats",
            "MultiMeasureAttributeMappings": [
                {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"},
                {"SourceColumn": "n", "MeasureValueType": "BIGINT"},
            ],
        },
    }
}
MISSING_TARGET = {
    "TimestreamConfiguration": {**TARGET["TimestreamConfiguration"], "TableName": "missing"}
}
# Values per host, one point every 10 minutes of the hour before each hour mark.
VALUES = {"a": [1.0, 2.0, 6.0], "b": [10.0, 20.0]}


@pytest.fixture
def clients(timestream_mock: Any) -> Iterator[tuple[Any, Any]]:
    with freeze_time(START):
        write = boto3.client("timestream-write", region_name=REGION)
        query = boto3.client("timestream-query", region_name=REGION)
        write.create_database(DatabaseName="db1")
        for table in ("src", "rollup"):
            write.create_table(
                DatabaseName="db1",
                TableName=table,
                RetentionProperties={
                    "MemoryStoreRetentionPeriodInHours": 24,
                    "MagneticStoreRetentionPeriodInDays": 7,
                },
            )
        # CreateScheduledQuery checks the query against the source's schema, so
        # the source needs a record before any query is created; this one lies
        # outside every window the tests roll up.
        _write_at(write, "a", 0.0, START - timedelta(minutes=5))
    yield write, query


def _record(host: str, value: float, moment: datetime) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": host}],
        "MeasureName": "cpu",
        "MeasureValue": str(value),
        "MeasureValueType": "DOUBLE",
        "Time": str(int(moment.timestamp() * 1000)),
    }


def _write_at(write: Any, host: str, value: float, moment: datetime) -> None:
    write.write_records(DatabaseName="db1", TableName="src", Records=[_record(host, value, moment)])


def _write_hour(write: Any, hour_end: datetime) -> None:
    records = [
        _record(host, value, hour_end - timedelta(minutes=10 * (i + 1)))
        for host, values in VALUES.items()
        for i, value in enumerate(values)
    ]
    write.write_records(DatabaseName="db1", TableName="src", Records=records)


def _create(query: Any, name: str = "rollup-hourly", **overrides: Any) -> str:
    request: dict[str, Any] = {
        "Name": name,
        "QueryString": ROLLUP_SQL,
        "ScheduleConfiguration": {"ScheduleExpression": "rate(1 hour)"},
        "NotificationConfiguration": {"SnsConfiguration": {"TopicArn": TOPIC}},
        "TargetConfiguration": TARGET,
        "ScheduledQueryExecutionRoleArn": ROLE,
        "ErrorReportConfiguration": {"S3Configuration": {"BucketName": BUCKET}},
    }
    request.update(overrides)
    arn: str = query.create_scheduled_query(**request)["Arn"]
    return arn


def _expected_rollup() -> dict[str, tuple[float, int]]:
    return {host: (sum(v) / len(v), len(v)) for host, v in VALUES.items()}


def _rollup_rows(query: Any) -> list[list[str]]:
    response = query.query(
        QueryString='SELECT host, time, avg_cpu, n FROM "db1"."rollup" ORDER BY time, host'
    )
    return [[cell["ScalarValue"] for cell in row["Data"]] for row in response["Rows"]]


def test_create_describe_list_update_delete(clients: tuple[Any, Any]) -> None:
    _, query = clients
    with freeze_time(START):
        arn = _create(query, Tags=[{"Key": "team", "Value": "ops"}])
        prefix = "arn:aws:timestream:us-east-1:123456789012:scheduled-query/rollup-hourly-"
        assert arn.startswith(prefix) and len(arn) > len(prefix)
        described = query.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
        assert described["Name"] == "rollup-hourly"
        assert described["State"] == "ENABLED"
        assert described["QueryString"] == ROLLUP_SQL
        assert described["TargetConfiguration"] == TARGET
        listed = query.list_scheduled_queries()["ScheduledQueries"]
        assert [(q["Arn"], q["State"]) for q in listed] == [(arn, "ENABLED")]
        assert listed[0]["TargetDestination"] == {
            "TimestreamDestination": {"DatabaseName": "db1", "TableName": "rollup"}
        }
        query.update_scheduled_query(ScheduledQueryArn=arn, State="DISABLED")
        described = query.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
        assert described["State"] == "DISABLED"
        query.delete_scheduled_query(ScheduledQueryArn=arn)
        assert query.list_scheduled_queries()["ScheduledQueries"] == []
        for call in (query.describe_scheduled_query, query.delete_scheduled_query):
            with pytest.raises(ClientError) as raised:
                call(ScheduledQueryArn=arn)
            assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_list_pages_with_the_paginator(clients: tuple[Any, Any]) -> None:
    _, query = clients
    with freeze_time(START):
        arns = {_create(query, name=f"rollup-{i}") for i in range(5)}
        first = query.list_scheduled_queries(MaxResults=2)
        assert len(first["ScheduledQueries"]) == 2 and first["NextToken"]
        pages = query.get_paginator("list_scheduled_queries").paginate(
            PaginationConfig={"PageSize": 2}
        )
        seen = [q["Arn"] for page in pages for q in page["ScheduledQueries"]]
    assert len(seen) == 5 and set(seen) == arns


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"ScheduleConfiguration": {"ScheduleExpression": "every hour"}}, "chedule"),
        ({"TargetConfiguration": MISSING_TARGET}, "missing"),
        ({"QueryString": 'SELECT nope FROM "db1"."src"'}, "Column 'nope' does not exist"),
    ],
)
def test_create_validation_errors(
    clients: tuple[Any, Any], overrides: dict[str, Any], fragment: str
) -> None:
    _, query = clients
    with freeze_time(START), pytest.raises(ClientError) as raised:
        _create(query, **overrides)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert fragment in error["Message"], error["Message"]
    with freeze_time(START):
        assert query.list_scheduled_queries()["ScheduledQueries"] == []


def test_execute_writes_the_rollup(clients: tuple[Any, Any], timestream_mock: Any) -> None:
    write, query = clients
    hour_end = START + timedelta(hours=1)
    with freeze_time(hour_end + timedelta(minutes=5)):
        _write_hour(write, hour_end)
        arn = _create(query)
        query.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=hour_end)
        rows = _rollup_rows(query)
        summary = query.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"][
            "LastRunSummary"
        ]
    expected = _expected_rollup()
    assert [row[0] for row in rows] == ["a", "b"]
    for host, _time, avg_cpu, n in rows:
        assert float(avg_cpu) == pytest.approx(expected[host][0])
        assert int(n) == expected[host][1]
        assert _time.startswith(START.strftime("%Y-%m-%d %H:%M:%S"))
    assert summary["RunStatus"] == "MANUAL_TRIGGER_SUCCESS"
    assert summary["ExecutionStats"]["RecordsIngested"] == 2
    stored = timestream_mock.records("db1", "rollup")
    assert len(stored) == 2


def test_run_scheduled_queries_under_freezegun(
    clients: tuple[Any, Any], timestream_mock: Any
) -> None:
    write, query = clients
    with freeze_time(START) as clock:
        arn = _create(query, ScheduleConfiguration={"ScheduleExpression": "cron(0 * * * ? *)"})
        for hours in (1, 2, 3):
            clock.move_to(START + timedelta(hours=hours))
            _write_hour(write, START + timedelta(hours=hours))
        clock.move_to(START + timedelta(hours=3, minutes=30))
        runs = timestream_mock.run_scheduled_queries()
        # Nothing left to run at the same instant.
        assert timestream_mock.run_scheduled_queries() == []
        rows = _rollup_rows(query)
    times = [run.invocation_time for run in runs]
    assert times == [START + timedelta(hours=h) for h in (1, 2, 3)]
    assert all(run.arn == arn for run in runs)
    assert all(run.run_status == "AUTO_TRIGGER_SUCCESS" for run in runs)
    # Each run rolls up the hour before its invocation; the source has the same
    # values in each of the three hours.
    expected = _expected_rollup()
    assert len(rows) == 6
    for host, _time, avg_cpu, n in rows:
        assert float(avg_cpu) == pytest.approx(expected[host][0])
        assert int(n) == expected[host][1]
    hours_seen = sorted({row[1][:19] for row in rows})
    assert hours_seen == [
        (START + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M:%S") for h in (0, 1, 2)
    ]


def test_disabled_queries_do_not_run_on_schedule(
    clients: tuple[Any, Any], timestream_mock: Any
) -> None:
    _, query = clients
    with freeze_time(START) as clock:
        arn = _create(query)
        query.update_scheduled_query(ScheduledQueryArn=arn, State="DISABLED")
        clock.move_to(START + timedelta(hours=3))
        assert timestream_mock.run_scheduled_queries() == []


def test_tags_on_scheduled_query_arns(clients: tuple[Any, Any]) -> None:
    _, query = clients
    with freeze_time(START):
        arn = _create(query, Tags=[{"Key": "a", "Value": "1"}])
        query.tag_resource(ResourceARN=arn, Tags=[{"Key": "b", "Value": "2"}])
        tags = query.list_tags_for_resource(ResourceARN=arn)["Tags"]
        assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "1"), ("b", "2")]
        query.untag_resource(ResourceARN=arn, TagKeys=["a"])
        assert query.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
        missing = arn + "x"
        with pytest.raises(ClientError) as raised:
            query.list_tags_for_resource(ResourceARN=missing)
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_account_settings(clients: tuple[Any, Any]) -> None:
    _, query = clients
    before = query.describe_account_settings()
    before.pop("ResponseMetadata")
    assert before == {"QueryPricingModel": "BYTES_SCANNED"}
    updated = query.update_account_settings(MaxQueryTCU=8, QueryPricingModel="COMPUTE_UNITS")
    assert updated["MaxQueryTCU"] == 8
    assert updated["QueryPricingModel"] == "COMPUTE_UNITS"
    after = query.describe_account_settings()
    assert after["MaxQueryTCU"] == 8
    assert after["QueryPricingModel"] == "COMPUTE_UNITS"


def test_rejected_rows_go_to_an_error_report(
    clients: tuple[Any, Any], timestream_mock: Any
) -> None:
    write, query = clients
    # The rollup table keeps one hour in memory and takes no magnetic writes, so
    # a rollup row binned two hours back is rejected at ingestion.
    with freeze_time(START):
        write.update_table(
            DatabaseName="db1",
            TableName="rollup",
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 1,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
            MagneticStoreWriteProperties={"EnableMagneticStoreWrites": False},
        )
    hour_end = START + timedelta(hours=1)
    with freeze_time(hour_end + timedelta(hours=2)):
        _write_hour(write, hour_end)
        arn = _create(query)
        query.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=hour_end)
        summary = query.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"][
            "LastRunSummary"
        ]
    assert timestream_mock.records("db1", "rollup") == []
    location = summary["ErrorReportLocation"]["S3ReportLocation"]
    assert location["BucketName"] == BUCKET
    keys = timestream_mock.list_objects(BUCKET)
    assert keys == [location["ObjectKey"]]
    report = json.loads(timestream_mock.get_object(BUCKET, keys[0]))
    assert report["reportId"]
    assert len(report["errors"]) == 2
