"""One run of a scheduled query: query, mapping, writes, error report, notification.

How a run behaves (docs/operations/scheduled-queries.md, "Runs"):

- ``@scheduled_runtime`` is the invocation time; the query runs on the engine over
  the current state.
- Result rows become records (``mapping.py``) written through the WriteRecords
  path in batches of 100, the WriteRecords limit. Records rejected there, and rows
  that could not be mapped, are recoverable errors: the run still succeeds and
  they go to an error report at
  ``<ObjectKeyPrefix>/<name-suffix>/<invocation epoch seconds>/<Auto|Manual>/<trigger epoch ms>``
  in the error-report bucket, as ``{"reportId": ..., "errors": [...]}``.
- A query that fails, or a target table that is gone, fails the run:
  ``*_TRIGGER_FAILURE`` with a ``FailureReason``; the caller never sees an error.
- Statistics: ``QueryResultRows`` the result's rows, ``RecordsIngested`` the
  records stored, ``DataWrites`` the bytes of those records (names, values and
  8 bytes of time each), ``BytesMetered`` the 10 MB a query is metered at least
  (Timestream pricing), ``CumulativeBytesScanned`` 0 (tsmock does not measure
  scans), ``ExecutionTimeInMillis`` the wall time of the run.
- The notification (the service's JSON message form) is published to the SNS
  topic through the sink; when the sink cannot deliver it, it stays on the run.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tsmock.backend.errors import (
    RejectedRecordsException,
    ResourceNotFoundException,
    TimestreamError,
)
from tsmock.backend.models import ns_from_datetime
from tsmock.backend.scheduled.checks import missing_target_table
from tsmock.backend.scheduled.mapping import RowMappingError, map_rows
from tsmock.backend.scheduled.models import ScheduledQuery, ScheduledQueryRun
from tsmock.backend.scheduled.ports import NotificationSink, ObjectStore, QueryRunner, WriteTarget

#: Records per WriteRecords call, the service's limit.
WRITE_BATCH_SIZE = 100
#: Bytes a query is metered at least (Timestream pricing: 10 MB minimum per query).
MINIMUM_BYTES_METERED = 10 * 1024 * 1024
_TIME_BYTES = 8


@dataclass(frozen=True)
class RunPorts:
    """The outside world a run uses."""

    runner: QueryRunner
    writer: WriteTarget
    store: ObjectStore
    sink: NotificationSink


class _RunFailed(Exception):
    """A non-recoverable failure of the run, with the run's FailureReason."""


def perform_run(
    query: ScheduledQuery,
    ports: RunPorts,
    invocation_time: datetime,
    trigger_time: datetime,
    manual: bool,
    version: int,
    next_invocation: Callable[[ScheduledQueryRun], datetime | None],
) -> ScheduledQueryRun:
    """Run ``query`` once and return the finished run (not yet recorded on the query).

    ``next_invocation`` tells, from the finished run, the next scheduled
    invocation that the notification announces (none once a failure disables it).
    """
    kind = "MANUAL" if manual else "AUTO"
    started = time.perf_counter()
    run = ScheduledQueryRun(query.arn, invocation_time, trigger_time, f"{kind}_TRIGGER_SUCCESS")
    try:
        errors = _query_and_write(query, ports, run, version)
    except _RunFailed as failure:
        run.run_status = f"{kind}_TRIGGER_FAILURE"
        run.failure_reason = str(failure)
        errors = []
    if errors:
        run.error_report_location = _write_error_report(query, ports.store, run, manual, errors)
    run.stats.execution_time_in_millis = max(0, int((time.perf_counter() - started) * 1000))
    run.notification = notification_message(run, next_invocation(run))
    topic = query.notification_configuration["SnsConfiguration"]["TopicArn"]
    run.notification_published = ports.sink.publish(topic, run.notification)
    return run


def _query_and_write(
    query: ScheduledQuery, ports: RunPorts, run: ScheduledQueryRun, version: int
) -> list[dict[str, Any]]:
    try:
        result = ports.runner.run(
            query.query_string, scheduled_runtime_ns=ns_from_datetime(run.invocation_time)
        )
    except TimestreamError as error:  # the query's own failure: the run fails
        raise _RunFailed(error.message) from None
    rows = result.rows
    run.stats.query_result_rows = len(rows)
    run.stats.bytes_metered = MINIMUM_BYTES_METERED
    target = query.target
    if target is None:
        return []
    database, table = target["DatabaseName"], target["TableName"]
    if not ports.writer.table_exists(database, table):
        raise _RunFailed(missing_target_table(database, table))
    columns = [name for name, _ in result.scalar_columns()]
    mapped = map_rows(target, columns, rows, version)
    errors: list[dict[str, Any]] = [_mapping_error(error) for error in mapped.errors]
    for start in range(0, len(mapped.records), WRITE_BATCH_SIZE):
        batch = mapped.records[start : start + WRITE_BATCH_SIZE]
        rejected = _write_batch(ports.writer, database, table, batch)
        errors.extend(_ingestion_error(batch, item) for item in rejected)
        refused = {item.get("RecordIndex") for item in rejected}
        stored = [record for index, record in enumerate(batch) if index not in refused]
        run.stats.records_ingested += len(stored)
        run.stats.data_writes += sum(record_bytes(record) for record in stored)
    return errors


def _write_batch(
    writer: WriteTarget, database: str, table: str, batch: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    try:
        writer.write_records(database, table, batch)
    except RejectedRecordsException as rejection:
        rejected: list[dict[str, Any]] = rejection.extra.get("RejectedRecords", [])
        return rejected
    except ResourceNotFoundException:  # the table went away during the run
        raise _RunFailed(missing_target_table(database, table)) from None
    except TimestreamError as error:
        # WriteRecords refuses a whole request for some record faults (e.g. a record
        # without dimensions); written one by one, the others still get stored.
        if len(batch) == 1:
            return [{"RecordIndex": 0, "Reason": error.message}]
        refused = []
        for index, record in enumerate(batch):
            for item in _write_batch(writer, database, table, [record]):
                refused.append({**item, "RecordIndex": index})
        return refused
    return []


def record_bytes(record: Mapping[str, Any]) -> int:
    """The bytes a record stores: names and values of dimensions and measures, and its time."""
    size = _TIME_BYTES + len(str(record.get("MeasureName", "")).encode())
    for dimension in record.get("Dimensions", []):
        size += len(dimension["Name"].encode()) + len(dimension["Value"].encode())
    if "MeasureValue" in record:
        size += len(str(record["MeasureValue"]).encode())
    for measure in record.get("MeasureValues", []):
        size += len(measure["Name"].encode()) + len(measure["Value"].encode())
    return size


def _mapping_error(error: RowMappingError) -> dict[str, Any]:
    return {
        "type": "RecordMappingError",
        "queryResultRowIndex": error.row_index,
        "reason": error.reason,
    }


def _ingestion_error(
    batch: Sequence[dict[str, Any]], rejected: Mapping[str, Any]
) -> dict[str, Any]:
    index = rejected.get("RecordIndex")
    entry: dict[str, Any] = {"type": "RecordIngestionError", "reason": rejected.get("Reason", "")}
    if isinstance(index, int) and 0 <= index < len(batch):
        entry["record"] = batch[index]
    if "ExistingVersion" in rejected:
        entry["existingVersion"] = rejected["ExistingVersion"]
    return entry


def error_report_key(
    query: ScheduledQuery, invocation_time: datetime, trigger_time: datetime, manual: bool
) -> str:
    """``<prefix>/<name-suffix>/<invocation s>/<Auto|Manual>/<trigger ms>`` (module docstring)."""
    s3 = query.error_report_configuration["S3Configuration"]
    parts = [
        query.arn.rsplit("/", 1)[-1],
        str(ns_from_datetime(invocation_time) // 1_000_000_000),
        "Manual" if manual else "Auto",
        str(ns_from_datetime(trigger_time) // 1_000_000),
    ]
    prefix = s3.get("ObjectKeyPrefix")
    if prefix:
        parts.insert(0, prefix.rstrip("/"))
    return "/".join(parts)


def _write_error_report(
    query: ScheduledQuery,
    store: ObjectStore,
    run: ScheduledQueryRun,
    manual: bool,
    errors: list[dict[str, Any]],
) -> tuple[str, str]:
    bucket = query.error_report_configuration["S3Configuration"]["BucketName"]
    key = error_report_key(query, run.invocation_time, run.trigger_time, manual)
    report = {"reportId": str(uuid.uuid4()), "errors": errors}
    store.put_object(bucket, key, json.dumps(report).encode())
    return bucket, key


def notification_message(run: ScheduledQueryRun, next_invocation: datetime | None) -> str:
    """The run's notification in the service's JSON form.

    Its run summary is the wire ``ScheduledQueryRunSummary`` with every key's first
    letter in lower case (``S3ReportLocation`` -> ``s3ReportLocation``), except the
    two times, which the message gives as whole epoch seconds and milliseconds.
    """
    wire = _lower_first_letters(run.to_dict())
    del wire["invocationTime"], wire["triggerTime"]
    summary = {
        "invocationEpochSecond": ns_from_datetime(run.invocation_time) // 1_000_000_000,
        "triggerTimeMillis": ns_from_datetime(run.trigger_time) // 1_000_000,
        **wire,
    }
    message: dict[str, Any] = {"type": run.run_status, "arn": run.arn}
    if next_invocation is not None:
        message["nextInvocationEpochSecond"] = ns_from_datetime(next_invocation) // 1_000_000_000
    message["scheduledQueryRunSummary"] = summary
    return json.dumps(message)


def _lower_first_letters(shape: dict[str, Any]) -> dict[str, Any]:
    return {
        key[:1].lower() + key[1:]: _lower_first_letters(value) if isinstance(value, dict) else value
        for key, value in shape.items()
    }
