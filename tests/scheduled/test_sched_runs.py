"""Runs: ExecuteScheduledQuery, the schedule (run_due), reports, failures, notifications."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from freezegun import freeze_time

from tsmock.backend.errors import ValidationException
from tsmock.backend.models import ns_from_datetime
from tsmock.backend.scheduled import ScheduledQueryBackend
from tsmock.backend.scheduled.runs import MINIMUM_BYTES_METERED

from .fakes import (
    TOPIC,
    FakeRunner,
    FakeSink,
    FakeStore,
    FakeWriter,
    QueryExecutionException,
    create_kwargs,
    multi_target,
    utc,
)

AVG = {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"}
COUNT = {"SourceColumn": "n", "MeasureValueType": "BIGINT"}
TARGET = multi_target([AVG, COUNT])


def ms(moment: datetime) -> int:
    return ns_from_datetime(moment) // 1_000_000


@freeze_time("2026-12-05 15:00:00")
def test_execute_runs_synchronously_and_records_the_run(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter, sink: FakeSink
) -> None:
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    invocation = utc(2026, 12, 5, 14, 0)
    run = backend.execute_scheduled_query(query.arn, invocation, client_token="x" * 32)
    assert runner.runs == [("SELECT rollup", ns_from_datetime(invocation))]
    (record,) = writer.records()
    assert record["Version"] == ms(utc(2026, 12, 5, 15, 0))
    assert record["MeasureValues"] == [
        {"Name": "avg_cpu", "Value": "0.5", "Type": "DOUBLE"},
        {"Name": "n", "Value": "3", "Type": "BIGINT"},
    ]
    assert run.run_status == "MANUAL_TRIGGER_SUCCESS" and run.records_ingested == 1
    summary = backend.describe_scheduled_query(query.arn).to_dict()
    # The run's wall time is whatever it took; only its type and sign are fixed.
    elapsed = summary["LastRunSummary"]["ExecutionStats"]["ExecutionTimeInMillis"]
    assert isinstance(elapsed, int) and elapsed >= 0
    assert summary["PreviousInvocationTime"] == invocation.timestamp()
    assert summary["LastRunSummary"] == {
        "InvocationTime": invocation.timestamp(),
        "TriggerTime": utc(2026, 12, 5, 15, 0).timestamp(),
        "RunStatus": "MANUAL_TRIGGER_SUCCESS",
        "ExecutionStats": {
            "ExecutionTimeInMillis": elapsed,
            "DataWrites": 8 + len("rollup") + len("region") + 2 + len("avg_cpu") + 3 + 1 + 1,
            "BytesMetered": MINIMUM_BYTES_METERED,
            "CumulativeBytesScanned": 0,
            "RecordsIngested": 1,
            "QueryResultRows": 1,
        },
    }
    assert "RecentlyFailedRuns" not in summary
    assert backend.list_scheduled_queries()[0][0].to_summary()["LastRunStatus"] == (
        "MANUAL_TRIGGER_SUCCESS"
    )
    assert run.notification_published
    ((topic, message),) = sink.published
    assert topic == TOPIC
    assert json.loads(message) == {
        "type": "MANUAL_TRIGGER_SUCCESS",
        "arn": query.arn,
        "nextInvocationEpochSecond": int(utc(2026, 12, 5, 16, 0).timestamp()),
        "scheduledQueryRunSummary": {
            "invocationEpochSecond": int(invocation.timestamp()),
            "triggerTimeMillis": ms(utc(2026, 12, 5, 15, 0)),
            "runStatus": "MANUAL_TRIGGER_SUCCESS",
            "executionStats": {
                "executionTimeInMillis": elapsed,
                "dataWrites": summary["LastRunSummary"]["ExecutionStats"]["DataWrites"],
                "bytesMetered": MINIMUM_BYTES_METERED,
                "cumulativeBytesScanned": 0,
                "recordsIngested": 1,
                "queryResultRows": 1,
            },
        },
    }


def test_unpublished_notification_stays_on_the_run(runner: FakeRunner, writer: FakeWriter) -> None:
    backend = ScheduledQueryBackend(runner, writer, FakeStore(), FakeSink(), "1" * 12, "us-east-1")
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert not run.notification_published
    assert json.loads(run.notification or "")["type"] == "MANUAL_TRIGGER_SUCCESS"


def test_scheduled_runtime_drives_the_result(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter
) -> None:
    runner.add(
        "SELECT window",
        [("region", "VARCHAR"), ("t", "TIMESTAMP"), ("avg_cpu", "DOUBLE"), ("n", "BIGINT")],
        lambda runtime: [("eu", runtime, 1.0, 1)],
    )
    query = backend.create_scheduled_query(**create_kwargs(query="SELECT window", target=TARGET))
    for hour in (1, 2):
        backend.execute_scheduled_query(query.arn, utc(2026, 1, 1, hour))
    assert [r["Time"] for r in writer.records()] == [
        str(ns_from_datetime(utc(2026, 1, 1, hour))) for hour in (1, 2)
    ]


@freeze_time("2026-12-05 15:00:00")
def test_versions_grow_with_every_run(backend: ScheduledQueryBackend, writer: FakeWriter) -> None:
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    for _ in range(3):
        backend.execute_scheduled_query(query.arn, utc(2026, 12, 5, 14))
    versions = [record["Version"] for record in writer.records()]
    assert versions == [ms(utc(2026, 12, 5, 15)) + index for index in range(3)]


def test_writes_in_batches_of_100(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter
) -> None:
    rows = [("eu", index, float(index), index) for index in range(250)]
    runner.add(
        "SELECT many",
        [("region", "VARCHAR"), ("t", "TIMESTAMP"), ("avg_cpu", "DOUBLE"), ("n", "BIGINT")],
        rows,
    )
    query = backend.create_scheduled_query(**create_kwargs(query="SELECT many", target=TARGET))
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert writer.batches == [100, 100, 50]
    assert run.stats.records_ingested == 250 and run.stats.query_result_rows == 250


@freeze_time("2026-12-05 15:00:00")
def test_rejected_records_and_mapping_errors_go_to_an_error_report(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter, store: FakeStore
) -> None:
    columns = [("region", "VARCHAR"), ("t", "TIMESTAMP"), ("avg_cpu", "DOUBLE"), ("n", "BIGINT")]
    runner.add("SELECT mixed", columns, [("eu", 1, 1.0, 1), ("us", 2, 2.0, 2), ("ap", 3, 3.0, 2.5)])
    writer.reject = lambda record: "Invalid dimension." if record["Time"] == "2" else None
    query = backend.create_scheduled_query(**create_kwargs(query="SELECT mixed", target=TARGET))
    invocation = utc(2026, 12, 5, 14)
    run = backend.execute_scheduled_query(query.arn, invocation)
    assert run.run_status == "MANUAL_TRIGGER_SUCCESS"
    assert run.stats.records_ingested == 1 and run.stats.query_result_rows == 3
    key = (
        f"reports/{query.arn.rsplit('/', 1)[1]}/{int(invocation.timestamp())}/Manual/"
        f"{ms(utc(2026, 12, 5, 15))}"
    )
    assert run.error_report_location == ("sq-errors", key)
    report = json.loads(store.objects[("sq-errors", key)])
    assert isinstance(report["reportId"], str) and report["reportId"]
    assert report["errors"] == [
        {
            "type": "RecordMappingError",
            "queryResultRowIndex": 2,
            "reason": "Value 2.5 cannot be written as BIGINT",
        },
        {
            "type": "RecordIngestionError",
            "reason": "Invalid dimension.",
            "record": writer.records()[0]
            | {
                "Time": "2",
                "Dimensions": [{"Name": "region", "Value": "us", "DimensionValueType": "VARCHAR"}],
                "MeasureValues": [
                    {"Name": "avg_cpu", "Value": "2.0", "Type": "DOUBLE"},
                    {"Name": "n", "Value": "2", "Type": "BIGINT"},
                ],
            },
        },
    ]
    assert backend.describe_scheduled_query(query.arn).to_dict()["LastRunSummary"][
        "ErrorReportLocation"
    ] == {"S3ReportLocation": {"BucketName": "sq-errors", "ObjectKey": key}}
    # The notification names the report too, in the message's camel case.
    message = json.loads(run.notification or "")
    assert message["scheduledQueryRunSummary"]["errorReportLocation"] == {
        "s3ReportLocation": {"bucketName": "sq-errors", "objectKey": key}
    }


def test_report_key_without_prefix(
    runner: FakeRunner, writer: FakeWriter, store: FakeStore, backend: ScheduledQueryBackend
) -> None:
    writer.reject = lambda record: "no"
    query = backend.create_scheduled_query(
        **create_kwargs(
            target=TARGET, error_report_configuration={"S3Configuration": {"BucketName": "b"}}
        )
    )
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert run.error_report_location is not None
    bucket, key = run.error_report_location
    assert bucket == "b" and key.startswith(query.arn.rsplit("/", 1)[1] + "/1767225600/Manual/")


def failed_summary(backend: ScheduledQueryBackend, arn: str) -> dict[str, Any]:
    summary: dict[str, Any] = backend.describe_scheduled_query(arn).to_dict()["LastRunSummary"]
    return summary


def test_query_failure_is_recorded_not_raised(
    backend: ScheduledQueryBackend, runner: FakeRunner, sink: FakeSink
) -> None:
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    runner.queries["SELECT rollup"].fail_with = QueryExecutionException("Division by zero")
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert run.run_status == "MANUAL_TRIGGER_FAILURE" and run.failure_reason == "Division by zero"
    summary = failed_summary(backend, query.arn)
    assert summary["FailureReason"] == "Division by zero"
    description = backend.describe_scheduled_query(query.arn).to_dict()
    assert description["RecentlyFailedRuns"] == [summary]
    # A non-recoverable failure disables the query, as the service does.
    assert description["State"] == "DISABLED" and "NextInvocationTime" not in description
    message = json.loads(sink.published[-1][1])
    assert message["type"] == "MANUAL_TRIGGER_FAILURE"
    assert "nextInvocationEpochSecond" not in message  # the failure disabled the query
    assert message["scheduledQueryRunSummary"]["failureReason"] == "Division by zero"


def test_deleted_target_table_fails_the_run(
    backend: ScheduledQueryBackend, writer: FakeWriter
) -> None:
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    del writer.tables[("db", "rollup")]
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert run.run_status == "MANUAL_TRIGGER_FAILURE"
    assert run.failure_reason == "The target table rollup in database db does not exist."
    assert run.stats.query_result_rows == 1 and run.stats.records_ingested == 0


def test_recently_failed_runs_keeps_the_last_five(
    backend: ScheduledQueryBackend, runner: FakeRunner
) -> None:
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    runner.queries["SELECT rollup"].fail_with = QueryExecutionException("boom")
    for day in range(1, 8):
        backend.execute_scheduled_query(query.arn, utc(2026, 1, day))
    runner.queries["SELECT rollup"].fail_with = None
    backend.execute_scheduled_query(query.arn, utc(2026, 1, 9))
    description = backend.describe_scheduled_query(query.arn).to_dict()
    assert [run["InvocationTime"] for run in description["RecentlyFailedRuns"]] == [
        utc(2026, 1, day).timestamp() for day in (7, 6, 5, 4, 3)
    ]
    assert description["LastRunSummary"]["RunStatus"] == "MANUAL_TRIGGER_SUCCESS"


def test_query_without_target_runs_and_writes_nothing(
    backend: ScheduledQueryBackend, writer: FakeWriter
) -> None:
    query = backend.create_scheduled_query(**create_kwargs())
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert run.succeeded and run.stats.query_result_rows == 1 and writer.records() == []


def test_run_due_runs_every_due_invocation_in_time_order(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter
) -> None:
    with freeze_time("2026-12-05 10:00:30"):
        hourly = backend.create_scheduled_query(
            **create_kwargs(schedule="cron(0 * * * ? *)", target=TARGET)
        )
        half = backend.create_scheduled_query(
            **create_kwargs(name="half", schedule="rate(30 minutes)", target=TARGET)
        )
        idle = backend.create_scheduled_query(
            **create_kwargs(name="idle", schedule="rate(1 minute)", target=TARGET)
        )
        backend.update_scheduled_query(idle.arn, "DISABLED")
        assert backend.run_due() == []
    with freeze_time("2026-12-05 12:15:00"):
        runs = backend.run_due()
        assert backend.run_due() == []  # nothing runs twice
    assert [(run.arn, run.invocation_time) for run in runs] == [
        (half.arn, utc(2026, 12, 5, 10, 30)),
        (hourly.arn, utc(2026, 12, 5, 11)),
        (half.arn, utc(2026, 12, 5, 11)),
        (half.arn, utc(2026, 12, 5, 11, 30)),
        (hourly.arn, utc(2026, 12, 5, 12)),
        (half.arn, utc(2026, 12, 5, 12)),
    ]
    assert {run.run_status for run in runs} == {"AUTO_TRIGGER_SUCCESS"}
    assert [ns for _, ns in runner.runs] == [ns_from_datetime(run.invocation_time) for run in runs]
    assert len(writer.records()) == 6
    description = backend.describe_scheduled_query(hourly.arn).to_dict()
    assert description["PreviousInvocationTime"] == utc(2026, 12, 5, 12).timestamp()
    assert description["LastRunSummary"]["RunStatus"] == "AUTO_TRIGGER_SUCCESS"
    # Enabling again does not catch up the invocations missed while disabled.
    with freeze_time("2026-12-05 12:20:00"):
        backend.update_scheduled_query(idle.arn, "ENABLED")
        runs = backend.run_due(until=utc(2026, 12, 5, 12, 22))
    assert [(run.arn, run.invocation_time) for run in runs] == [
        (idle.arn, utc(2026, 12, 5, 12, 21)),
        (idle.arn, utc(2026, 12, 5, 12, 22)),
    ]
    # A run after the clock (an explicit future until) is triggered at its invocation time.
    assert [run.trigger_time for run in runs] == [run.invocation_time for run in runs]


def test_run_due_skips_queries_disabled_by_a_failure(
    backend: ScheduledQueryBackend, runner: FakeRunner
) -> None:
    with freeze_time("2026-12-05 10:00:00"):
        query = backend.create_scheduled_query(**create_kwargs(schedule="rate(1 hour)"))
    runner.queries["SELECT rollup"].fail_with = QueryExecutionException("boom")
    runs = backend.run_due(until=utc(2026, 12, 5, 14))
    assert [run.run_status for run in runs] == ["AUTO_TRIGGER_FAILURE"]
    assert backend.describe_scheduled_query(query.arn).state == "DISABLED"


def test_execute_runs_a_disabled_query(backend: ScheduledQueryBackend, writer: FakeWriter) -> None:
    query = backend.create_scheduled_query(**create_kwargs(target=TARGET))
    backend.update_scheduled_query(query.arn, "DISABLED")
    assert backend.execute_scheduled_query(query.arn, utc(2026, 1, 1)).succeeded
    assert len(writer.records()) == 1


def test_a_request_level_write_error_is_isolated_to_its_records(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter, store: FakeStore
) -> None:
    columns = [("region", "VARCHAR"), ("t", "TIMESTAMP"), ("avg_cpu", "DOUBLE"), ("n", "BIGINT")]
    runner.add("SELECT nodims", columns, [("eu", 1, 1.0, 1), (None, 2, 2.0, 2), ("us", 3, 3.0, 3)])
    original = writer.write_records

    def strict(database: str, table: str, records: list[dict[str, Any]]) -> Any:
        if any(not record["Dimensions"] for record in records):
            raise ValidationException("At least one dimension is required for a record.")
        return original(database, table, records)

    writer.write_records = strict  # type: ignore[method-assign]
    query = backend.create_scheduled_query(**create_kwargs(query="SELECT nodims", target=TARGET))
    run = backend.execute_scheduled_query(query.arn, utc(2026, 1, 1))
    assert run.succeeded and run.status == "MANUAL_TRIGGER_SUCCESS"
    assert [record["Time"] for record in writer.records()] == ["1", "3"]
    assert run.records_ingested == 2 and run.error_report_location is not None
    report = json.loads(store.objects[run.error_report_location])
    assert [(e["reason"], e["record"]["Time"]) for e in report["errors"]] == [
        ("At least one dimension is required for a record.", "2")
    ]


def test_naive_times_are_utc(backend: ScheduledQueryBackend, runner: FakeRunner) -> None:
    with freeze_time("2026-12-05 10:00:00"):
        query = backend.create_scheduled_query(**create_kwargs(schedule="rate(1 hour)"))
    run = backend.execute_scheduled_query(query.arn, datetime(2026, 12, 5, 9))
    assert run.invocation_time == utc(2026, 12, 5, 9)
    runs = backend.run_due(until=datetime(2026, 12, 5, 11))
    assert [r.invocation_time for r in runs] == [utc(2026, 12, 5, 11)]
