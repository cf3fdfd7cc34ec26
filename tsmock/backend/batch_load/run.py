"""Running a batch load task: files, rows, chunks through the write path, the report.

A task reads every CSV object under its source prefix, maps each row to records
with its data model, and hands them to the write path (`write.Preparer`
and `write.ingest`), so every record rule is the one WriteRecords applies. What
the write path refuses becomes a record ingestion failure; what cannot be
turned into records at all is a parse failure (docs/batch-load.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tsmock.backend import write as write_path
from tsmock.backend.batch_load.csv import CsvOptions, CsvRow, parse_csv
from tsmock.backend.batch_load.data_model import ParseFailure, RowMapper, referenced_columns
from tsmock.backend.batch_load.limits import (
    CHUNK_ROWS,
    FINAL_STATUSES,
    MAX_FILE_BYTES,
    MAX_SOURCE_FILES,
    MAX_TASK_BYTES,
    RESUME_PERIOD,
    utc_now,
)
from tsmock.backend.batch_load.report import report_document, report_key
from tsmock.backend.models import BatchLoadTask, Table, utc_now_ns
from tsmock.backend.objects import ObjectStore, ObjectStoreError

if TYPE_CHECKING:
    from tsmock.backend.models import Database


@dataclass(slots=True)
class Execution:
    """What a task needs to run and to continue where it stopped.

    See docs/operations/create-batch-load-task.md.
    """

    #: Creation order within the backend (the list order, docs/operations/list-databases.md).
    sequence: int
    #: The data model in force (inline or read from S3 at creation).
    data_model: dict[str, Any]
    csv: CsvOptions
    #: The source keys, listed when the task first runs; None before.
    sources: list[str] | None = None
    #: Index in ``sources`` of the file being loaded.
    position: int = 0
    #: Data rows of that file already handled (never handled twice on resume).
    rows_done: int = 0
    #: Rows the next run may handle before it stops (`stop_batch_load_task`).
    stop_after_rows: int | None = None
    task_errors: list[str] = field(default_factory=list)
    #: File name -> reason -> failed line numbers, in the order found.
    file_errors: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def report_line(self, file_name: str, reason: str, line: int | None) -> None:
        lines = self.file_errors.setdefault(file_name, {}).setdefault(reason, [])
        if line is not None:
            lines.append(line)


@dataclass(slots=True)
class _RowOutcome:
    """What happened to the records of one row within a chunk."""

    line: int
    nbytes: int
    parse_error: str | None = None
    records: int = 0
    failures: list[str] = field(default_factory=list)


class Stopped(Exception):
    """The run reached the row count of a requested stop."""


class TaskError(Exception):
    """The task cannot run at all: it fails with ``ErrorMessage``.

    See docs/operations/create-batch-load-task.md.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TaskRunner:
    """How tasks run and end (a mixin of `BatchLoadOperations`)."""

    if TYPE_CHECKING:
        objects: ObjectStore
        databases: dict[str, Database]
        _executions: dict[str, Execution]

    # --- lifecycle --------------------------------------------------------------------------

    @staticmethod
    def _set_status(task: BatchLoadTask, status: str) -> None:
        task.status = status
        task.last_updated_time = utc_now()
        if status == "IN_PROGRESS" or status in FINAL_STATUSES:
            task.resumable_until = None

    def _stop(self, task: BatchLoadTask) -> None:
        self._set_status(task, "PROGRESS_STOPPED")
        # Clamped: a clock frozen in the last week of year 9999 has no later datetime.
        latest = datetime.max.replace(tzinfo=timezone.utc)
        stopped = task.last_updated_time
        task.resumable_until = (
            stopped + RESUME_PERIOD if stopped <= latest - RESUME_PERIOD else latest
        )

    def _fail(self, task: BatchLoadTask, reason: str) -> None:
        """The task cannot go on: FAILED with ``ErrorMessage`` and a ``taskErrors`` entry."""
        self._executions[task.task_id].task_errors.append(reason)
        if task.error_message is None:
            task.error_message = reason
        self._finish(task)

    def _finish(self, task: BatchLoadTask) -> None:
        run = self._executions[task.task_id]
        progress = task.progress
        failed = bool(
            run.task_errors
            or progress.parse_failures
            or progress.record_ingestion_failures
            or progress.file_failures
        )
        run.stop_after_rows = None
        self._set_status(task, "FAILED" if failed else "SUCCEEDED")
        if failed:
            self._write_report(task, run)

    def _write_report(self, task: BatchLoadTask, run: Execution) -> None:
        """Write the task's error report to its report bucket."""
        report = report_document(task.task_id, run.task_errors, run.file_errors)
        s3 = task.report_configuration["ReportS3Configuration"]
        key = report_key(s3.get("ObjectKeyPrefix"), task.task_id)
        try:
            self.objects.put_object(s3["BucketName"], key, json.dumps(report), create_bucket=False)
        except ObjectStoreError as error:
            if task.error_message is None:
                task.error_message = f"The error report could not be written: {error.reason}"

    def _run(self, task: BatchLoadTask) -> None:
        """Load what is left of an IN_PROGRESS task; ends final or PROGRESS_STOPPED."""
        try:
            self._load(task)
        except Stopped:
            self._stop(task)
        except TaskError as error:
            self._fail(task, error.reason)
        except Exception as error:  # a bug must not leave the task running forever
            self._fail(task, f"The task failed with an internal error: {type(error).__name__}.")
            raise
        else:
            self._finish(task)

    def _load(self, task: BatchLoadTask) -> None:
        run = self._executions[task.task_id]
        source = task.data_source_configuration["DataSourceS3Configuration"]
        bucket, prefix = source["BucketName"], source.get("ObjectKeyPrefix") or ""
        objects = self.objects
        if run.sources is None:
            # docs/operations/create-batch-load-task.md: everything under the prefix, in
            # key order; empty objects and "folder" keys are skipped. Listed once, so a
            # resumed task loads the same files.
            try:
                listing = objects.list_object_sizes(bucket, prefix)
            except ObjectStoreError as error:
                raise TaskError(error.reason) from None
            listing = [(key, size) for key, size in listing if size > 0 and not key.endswith("/")]
            if not listing:
                raise TaskError(f"No source objects were found under s3://{bucket}/{prefix}.")
            if len(listing) > MAX_SOURCE_FILES:
                raise TaskError(
                    f"The data source has {len(listing)} objects; a batch load task can load "
                    f"at most {MAX_SOURCE_FILES}."
                )
            if sum(size for _, size in listing) > MAX_TASK_BYTES:
                raise TaskError("The data source exceeds the maximum task size of 100 GB.")
            run.sources = [key for key, _ in listing]
        database = self.databases.get(task.target_database_name)
        table = database.tables.get(task.target_table_name) if database is not None else None
        if table is None:
            raise TaskError(f"The target table {task.target_table_name} does not exist.")
        while run.position < len(run.sources):
            key = run.sources[run.position]
            self._load_file(task, run, table, objects, bucket, key)
            run.position += 1
            run.rows_done = 0
            task.files_done.append(key)

    def _file_failed(
        self, task: BatchLoadTask, run: Execution, key: str, reason: str, line: int | None = None
    ) -> None:
        task.progress.file_failures += 1
        run.report_line(key, reason, line)

    def _load_file(
        self,
        task: BatchLoadTask,
        run: Execution,
        table: Table,
        objects: ObjectStore,
        bucket: str,
        key: str,
    ) -> None:
        try:
            data = objects.get_object(bucket, key)
        except ObjectStoreError as error:
            self._file_failed(task, run, key, error.reason)
            return
        if len(data) > MAX_FILE_BYTES:
            self._file_failed(task, run, key, "The file exceeds the maximum file size of 5 GB.")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self._file_failed(task, run, key, "The file is not valid UTF-8.")
            return
        rows = parse_csv(text, run.csv)
        header = next(rows, None)
        if header is None:
            self._file_failed(task, run, key, "The file has no header row.")
            return
        if header.fields is None:
            self._file_failed(
                task, run, key, f"The header row could not be read: {header.error}", header.line
            )
            return
        columns: dict[str, int] = {}
        for index, name in enumerate(header.fields):
            columns.setdefault(name or "", index)
        for column in referenced_columns(run.data_model):
            if column not in columns:
                # docs/operations/create-batch-load-task.md [ASSUMED text]: the whole file fails.
                self._file_failed(
                    task, run, key, f"Column {column} not found in file header.", header.line
                )
                return
        mapper = RowMapper(run.data_model, columns, task.record_version)
        width = len(header.fields)
        skip = run.rows_done
        chunk: list[CsvRow] = []
        try:
            for row in rows:
                if skip:
                    skip -= 1
                    continue
                if run.stop_after_rows is not None:
                    if run.stop_after_rows <= 0:
                        run.stop_after_rows = None
                        raise Stopped
                    run.stop_after_rows -= 1
                chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    self._load_rows(task, run, table, key, mapper, width, chunk)
                    chunk = []
        finally:
            if chunk:
                self._load_rows(task, run, table, key, mapper, width, chunk)

    def _load_rows(
        self,
        task: BatchLoadTask,
        run: Execution,
        table: Table,
        key: str,
        mapper: RowMapper,
        width: int,
        rows: list[CsvRow],
    ) -> None:
        """Map rows to records and send them through the write path; count and report."""
        outcomes: list[_RowOutcome] = []
        prepared: list[write_path.PreparedRecord] = []
        owners: list[_RowOutcome] = []
        # One preparer for the chunk, as for one WriteRecords request: each
        # dimension set and attribute name is checked and measured once, and the
        # records of a series share its key (`ingest` then shares its lookups).
        # Records are still prepared one by one: a failure is that record's own.
        preparer = write_path.Preparer()
        for row in rows:
            outcome = _RowOutcome(row.line, row.nbytes)
            outcomes.append(outcome)
            if row.fields is None:
                outcome.parse_error = row.error
                continue
            if len(row.fields) != width:
                outcome.parse_error = (
                    f"The row has {len(row.fields)} fields but the header has {width}."
                )
                continue
            try:
                wire_records = mapper.records(row.fields)
            except ParseFailure as failure:
                outcome.parse_error = failure.reason
                continue
            for record in wire_records:
                outcome.records += 1
                try:
                    prepared.extend(preparer.prepare([record], len(prepared)))
                except write_path.RecordError as error:
                    # The per-record forms of WriteRecords' request checks
                    # (docs/operations/create-batch-load-task.md).
                    outcome.failures.append(error.reason)
                else:
                    owners.append(outcome)
        if prepared:
            result = write_path.ingest(table, prepared, utc_now_ns())
            for rejected in result.rejected:
                owners[rejected["RecordIndex"]].failures.append(
                    write_path.report_reason(rejected["Reason"])
                )
        progress = task.progress
        for outcome in outcomes:
            if outcome.parse_error is not None:
                progress.parse_failures += 1
                progress.records_processed += 1
                run.report_line(key, outcome.parse_error, outcome.line)
                continue
            failed = len(outcome.failures)
            ingested = outcome.records - failed
            progress.records_processed += outcome.records
            progress.records_ingested += ingested
            progress.record_ingestion_failures += failed
            if ingested:
                # docs/operations/create-batch-load-task.md [ASSUMED]: the bytes of the rows that
                # produced ingested records.
                progress.bytes_metered += outcome.nbytes
            for reason in dict.fromkeys(outcome.failures):
                run.report_line(key, reason, outcome.line)
        run.rows_done += len(rows)
        task.last_updated_time = utc_now()
