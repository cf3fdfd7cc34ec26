"""Scheduled queries of Timestream Query: models, schedules, runs and the backend."""

from __future__ import annotations

from tsmock.backend.scheduled.account import AccountSettings
from tsmock.backend.scheduled.backend import ScheduledQueryBackend
from tsmock.backend.scheduled.models import ExecutionStats, ScheduledQuery, ScheduledQueryRun
from tsmock.backend.scheduled.ports import (
    ColumnLike,
    ColumnTypeLike,
    NotificationSink,
    ObjectStore,
    QueryRunner,
    ResultLike,
    WriteTarget,
)
from tsmock.backend.scheduled.schedule import fire_times, next_after, parse_schedule

__all__ = [
    "AccountSettings",
    "ColumnLike",
    "ColumnTypeLike",
    "ExecutionStats",
    "NotificationSink",
    "ObjectStore",
    "QueryRunner",
    "ResultLike",
    "ScheduledQuery",
    "ScheduledQueryBackend",
    "ScheduledQueryRun",
    "WriteTarget",
    "fire_times",
    "next_after",
    "parse_schedule",
]
