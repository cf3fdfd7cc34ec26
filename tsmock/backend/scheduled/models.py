"""Scheduled queries and their runs, with their wire shapes (botocore ``timestream-query``).

``ScheduledQuery.to_dict()`` is a ``ScheduledQueryDescription`` (DescribeScheduledQuery),
``ScheduledQuery.to_summary()`` a ``ScheduledQuery`` list item (ListScheduledQueries),
``ScheduledQueryRun.to_dict()`` a ``ScheduledQueryRunSummary``. Times are epoch
seconds with millisecond precision, as the rest of tsmock sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tsmock.backend.models import epoch_seconds
from tsmock.backend.scheduled.schedule import Schedule

ENABLED = "ENABLED"
DISABLED = "DISABLED"
#: DescribeScheduledQuery keeps "the last five failed scheduled query runs" (MODEL doc).
RECENT_FAILURES_KEPT = 5


@dataclass
class ExecutionStats:
    """``ExecutionStats`` of a run (docs/operations/scheduled-queries.md: the values)."""

    execution_time_in_millis: int = 0
    data_writes: int = 0
    bytes_metered: int = 0
    cumulative_bytes_scanned: int = 0
    records_ingested: int = 0
    query_result_rows: int = 0

    def to_dict(self) -> dict[str, int]:
        """The wire ``ExecutionStats``."""
        return {
            "ExecutionTimeInMillis": self.execution_time_in_millis,
            "DataWrites": self.data_writes,
            "BytesMetered": self.bytes_metered,
            "CumulativeBytesScanned": self.cumulative_bytes_scanned,
            "RecordsIngested": self.records_ingested,
            "QueryResultRows": self.query_result_rows,
        }


@dataclass
class ScheduledQueryRun:
    """One run of a scheduled query, by the schedule (AUTO) or ExecuteScheduledQuery (MANUAL)."""

    arn: str
    invocation_time: datetime
    trigger_time: datetime
    run_status: str
    stats: ExecutionStats = field(default_factory=ExecutionStats)
    #: ``(bucket, key)`` of the error report, when one was written.
    error_report_location: tuple[str, str] | None = None
    failure_reason: str | None = None
    #: The notification message (JSON text) of this run.
    notification: str | None = None
    #: Whether the notification reached a topic; if not, it stays here for tests.
    notification_published: bool = False

    @property
    def succeeded(self) -> bool:
        """Whether the run's status is a SUCCESS."""
        return self.run_status.endswith("_SUCCESS")

    @property
    def status(self) -> str:
        """The run status, e.g. ``AUTO_TRIGGER_SUCCESS`` (same as ``run_status``)."""
        return self.run_status

    @property
    def records_ingested(self) -> int:
        """Records written to the target table by this run."""
        return self.stats.records_ingested

    def to_dict(self) -> dict[str, Any]:
        """The wire ``ScheduledQueryRunSummary``."""
        summary: dict[str, Any] = {
            "InvocationTime": epoch_seconds(self.invocation_time),
            "TriggerTime": epoch_seconds(self.trigger_time),
            "RunStatus": self.run_status,
            "ExecutionStats": self.stats.to_dict(),
        }
        if self.error_report_location is not None:
            bucket, key = self.error_report_location
            summary["ErrorReportLocation"] = {
                "S3ReportLocation": {"BucketName": bucket, "ObjectKey": key}
            }
        if self.failure_reason is not None:
            summary["FailureReason"] = self.failure_reason
        return summary


@dataclass
class ScheduledQuery:
    """A scheduled query of one account and region."""

    arn: str
    name: str
    query_string: str
    schedule_configuration: dict[str, Any]
    notification_configuration: dict[str, Any]
    target_configuration: dict[str, Any] | None
    execution_role_arn: str
    error_report_configuration: dict[str, Any]
    kms_key_id: str | None
    creation_time: datetime
    schedule: Schedule
    #: The last schedule instant already considered by the scheduler (runs due after it).
    scheduled_through: datetime
    state: str = ENABLED
    tags: dict[str, str] = field(default_factory=dict)
    #: Creation order within the backend, the order of ListScheduledQueries.
    sequence: int = 0
    last_run: ScheduledQueryRun | None = None
    recently_failed_runs: list[ScheduledQueryRun] = field(default_factory=list)

    def next_invocation_time(self, now: datetime) -> datetime | None:
        """The schedule's first fire time after ``now`` (the clock at call time)."""
        return self.schedule.next_after(now, self.creation_time)

    def record_run(self, run: ScheduledQueryRun) -> None:
        """Remember a finished run for Describe and List."""
        self.last_run = run
        if not run.succeeded:
            self.recently_failed_runs = [run, *self.recently_failed_runs][:RECENT_FAILURES_KEPT]

    @property
    def target(self) -> dict[str, Any] | None:
        """The ``TimestreamConfiguration`` of the target, if any."""
        if self.target_configuration is None:
            return None
        timestream: dict[str, Any] = self.target_configuration["TimestreamConfiguration"]
        return timestream

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """The wire ``ScheduledQueryDescription``; ``now`` defaults to the clock."""
        description: dict[str, Any] = {
            "Arn": self.arn,
            "Name": self.name,
            "QueryString": self.query_string,
            "CreationTime": epoch_seconds(self.creation_time),
            "State": self.state,
            "ScheduleConfiguration": self.schedule_configuration,
            "NotificationConfiguration": self.notification_configuration,
            "ScheduledQueryExecutionRoleArn": self.execution_role_arn,
            "ErrorReportConfiguration": self.error_report_configuration,
        }
        self._add_times(description, now)
        if self.target_configuration is not None:
            description["TargetConfiguration"] = self.target_configuration
        if self.kms_key_id is not None:
            description["KmsKeyId"] = self.kms_key_id
        if self.last_run is not None:
            description["LastRunSummary"] = self.last_run.to_dict()
        if self.recently_failed_runs:
            description["RecentlyFailedRuns"] = [run.to_dict() for run in self.recently_failed_runs]
        return description

    def to_summary(self, now: datetime | None = None) -> dict[str, Any]:
        """The wire ``ScheduledQuery`` item of ListScheduledQueries; ``now`` as in to_dict."""
        summary: dict[str, Any] = {
            "Arn": self.arn,
            "Name": self.name,
            "CreationTime": epoch_seconds(self.creation_time),
            "State": self.state,
            "ErrorReportConfiguration": self.error_report_configuration,
        }
        self._add_times(summary, now)
        target = self.target
        if target is not None:
            # The target's database and table, taken from TargetConfiguration.
            summary["TargetDestination"] = {
                "TimestreamDestination": {
                    "DatabaseName": target["DatabaseName"],
                    "TableName": target["TableName"],
                }
            }
        if self.last_run is not None:
            summary["LastRunStatus"] = self.last_run.run_status
        return summary

    def _add_times(self, shape: dict[str, Any], now: datetime | None) -> None:
        if now is None:
            now = datetime.now(timezone.utc)
        if self.last_run is not None:
            shape["PreviousInvocationTime"] = epoch_seconds(self.last_run.invocation_time)
        # A DISABLED query is not invoked by its schedule, so it has no next invocation.
        upcoming = self.next_invocation_time(now) if self.state == ENABLED else None
        if upcoming is not None:
            shape["NextInvocationTime"] = epoch_seconds(upcoming)
