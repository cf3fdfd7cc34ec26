"""Fakes of the query engine, write path, object store and notification sink."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tsmock.backend.errors import (
    RejectedRecordsException,
    ResourceNotFoundException,
    TimestreamError,
    ValidationException,
)


class QueryExecutionException(TimestreamError):
    """What the engine raises when a valid query fails at run time."""

    code = "QueryExecutionException"
    status = 400


@dataclass(frozen=True)
class FakeType:
    scalar: str

    def summary(self) -> str:
        return self.scalar


@dataclass(frozen=True)
class FakeColumn:
    name: str
    type: FakeType


@dataclass
class FakeResult:
    columns: list[tuple[str, str]]
    rows: list[tuple[Any, ...]]

    def scalar_columns(self) -> list[tuple[str, str]]:
        return list(self.columns)


@dataclass
class FakeQuery:
    columns: list[tuple[str, str]]
    #: Rows, or a function of @scheduled_runtime (ns) giving the rows.
    rows: list[tuple[Any, ...]] | Callable[[int | None], list[tuple[Any, ...]]] = field(
        default_factory=list
    )
    fail_with: TimestreamError | None = None


class FakeRunner:
    """Knows a few query strings; anything else fails validation like a missing column."""

    def __init__(self) -> None:
        self.queries: dict[str, FakeQuery] = {}
        self.runs: list[tuple[str, int | None]] = []
        self.validations: list[tuple[str, bool]] = []

    def add(self, query_string: str, columns: list[tuple[str, str]], rows: Any = ()) -> FakeQuery:
        query = FakeQuery(columns, rows if callable(rows) else list(rows))
        self.queries[query_string] = query
        return query

    def validate(
        self, query_string: str, allow_scheduled_runtime: bool = False
    ) -> list[FakeColumn]:
        self.validations.append((query_string, allow_scheduled_runtime))
        query = self.queries.get(query_string)
        if query is None:
            raise ValidationException("line 1:8: Column 'nosuch' does not exist")
        return [FakeColumn(name, FakeType(kind)) for name, kind in query.columns]

    def run(self, query_string: str, scheduled_runtime_ns: int | None = None) -> FakeResult:
        self.runs.append((query_string, scheduled_runtime_ns))
        query = self.queries[query_string]
        if query.fail_with is not None:
            raise query.fail_with
        rows = query.rows(scheduled_runtime_ns) if callable(query.rows) else query.rows
        return FakeResult(list(query.columns), list(rows))


class FakeWriter:
    """Stores records per table; ``reject`` decides which records are refused."""

    def __init__(self, *tables: tuple[str, str]) -> None:
        self.tables: dict[tuple[str, str], list[dict[str, Any]]] = {t: [] for t in tables}
        self.batches: list[int] = []
        self.reject: Callable[[dict[str, Any]], str | None] = lambda record: None

    def table_exists(self, database_name: str, table_name: str) -> bool:
        return (database_name, table_name) in self.tables

    def write_records(
        self, database_name: str, table_name: str, records: list[dict[str, Any]]
    ) -> dict[str, int]:
        table = self.tables.get((database_name, table_name))
        if table is None:
            raise ResourceNotFoundException(f"The table {table_name} does not exist.")
        assert len(records) <= 100
        self.batches.append(len(records))
        rejected = []
        for index, record in enumerate(records):
            reason = self.reject(record)
            if reason is None:
                table.append(record)
            else:
                rejected.append({"RecordIndex": index, "Reason": reason})
        if rejected:
            raise RejectedRecordsException(rejected)
        return {"Total": len(records)}

    def records(self, database: str = "db", table: str = "rollup") -> list[dict[str, Any]]:
        return self.tables[(database, table)]


class FakeStore:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        self.objects[(bucket, key)] = body


class FakeSink:
    def __init__(self, *topics: str) -> None:
        self.topics = set(topics)
        self.published: list[tuple[str, str]] = []

    def publish(self, topic_arn: str, message: str) -> bool:
        if topic_arn not in self.topics:
            return False
        self.published.append((topic_arn, message))
        return True


def utc(*parts: int) -> datetime:
    """An aware UTC datetime from its parts."""
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]


TOPIC = "arn:aws:sns:us-east-1:123456789012:sq-topic"
ROLE = "arn:aws:iam::123456789012:role/sq-role"
ERROR_REPORTS = {"S3Configuration": {"BucketName": "sq-errors", "ObjectKeyPrefix": "reports"}}


def multi_target(
    attributes: Sequence[dict[str, Any]],
    dimensions: Sequence[str] = ("region",),
    measure_name: str | None = "rollup",
    measure_name_column: str | None = None,
    database: str = "db",
    table: str = "rollup",
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "DatabaseName": database,
        "TableName": table,
        "TimeColumn": "t",
        "DimensionMappings": [
            {"Name": name, "DimensionValueType": "VARCHAR"} for name in dimensions
        ],
        "MultiMeasureMappings": {"MultiMeasureAttributeMappings": list(attributes)},
    }
    if measure_name is not None:
        config["MultiMeasureMappings"]["TargetMultiMeasureName"] = measure_name
    if measure_name_column is not None:
        config["MeasureNameColumn"] = measure_name_column
    return {"TimestreamConfiguration": config}


def create_kwargs(
    name: str = "hourly",
    query: str = "SELECT rollup",
    schedule: str = "rate(1 hour)",
    target: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "name": name,
        "query_string": query,
        "schedule_configuration": {"ScheduleExpression": schedule},
        "notification_configuration": {"SnsConfiguration": {"TopicArn": TOPIC}},
        "scheduled_query_execution_role_arn": ROLE,
        "error_report_configuration": copy.deepcopy(ERROR_REPORTS),
        "target_configuration": target,
    }
    kwargs.update(extra)
    return kwargs
