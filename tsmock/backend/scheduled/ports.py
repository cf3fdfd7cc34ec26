"""What the scheduled-query backend needs from the rest of tsmock, as Protocols.

The backend stays pure (design.md): the query engine, the write path, the object
store and the notification sink are handed in by whoever wires the backend into
the request path, and tests hand in fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ColumnTypeLike(Protocol):
    """The type of a result column."""

    def summary(self) -> str:
        """The ScalarType name (``DOUBLE``...), or ``ARRAY``/``ROW``/``TIMESERIES``."""
        ...


class ColumnLike(Protocol):
    """One result column of the query engine: its name and type."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> ColumnTypeLike: ...


class ResultLike(Protocol):
    """A finished query result of the query engine.

    Row values follow the engine's conventions: VARCHAR ``str``, BIGINT and
    INTEGER ``int``, DOUBLE ``float``, BOOLEAN ``bool``, TIMESTAMP ``int``
    nanoseconds since the epoch, DATE ``datetime.date``, NULL ``None``.
    """

    @property
    def rows(self) -> Sequence[tuple[Any, ...]]: ...

    def scalar_columns(self) -> list[tuple[str, str]]:
        """``(name, scalar type)`` of each column, e.g. ``("avg_cpu", "DOUBLE")``."""
        ...


class QueryRunner(Protocol):
    """The query engine, as far as scheduled queries use it."""

    def validate(
        self, query_string: str, allow_scheduled_runtime: bool = ...
    ) -> Sequence[ColumnLike]:
        """The result columns of a query checked against the current schema.

        Raises ValidationException (``line 1:8: Column 'x' does not exist``) when bad.
        """
        ...

    def run(self, query_string: str, scheduled_runtime_ns: int | None = None) -> ResultLike:
        """Run a query with ``@scheduled_runtime`` bound to ``scheduled_runtime_ns``."""
        ...


class WriteTarget(Protocol):
    """The WriteRecords path of the write side."""

    def write_records(
        self, database_name: str, table_name: str, records: list[dict[str, Any]]
    ) -> object:
        """Write records given as WriteRecords request members.

        Raises RejectedRecordsException for rejected records (the others are
        stored) and ResourceNotFoundException when the table is gone.
        """
        ...

    def table_exists(self, database_name: str, table_name: str) -> bool:
        """Whether the table exists now."""
        ...


class ObjectStore(Protocol):
    """Where error reports go: the handle's object store, or moto's S3."""

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        """Store one object."""
        ...


class NotificationSink(Protocol):
    """Where run notifications go: moto's SNS when active."""

    def publish(self, topic_arn: str, message: str) -> bool:
        """Publish; False when nothing received it (the run then keeps the message)."""
        ...
