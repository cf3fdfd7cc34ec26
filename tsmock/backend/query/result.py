"""`QueryResult`: the rows of a query as Python values, with typed columns.

Python value conventions (what scheduled queries and the encoder rely on):
VARCHAR -> ``str``; BIGINT/INTEGER -> ``int``; DOUBLE -> ``float``; BOOLEAN ->
``bool``; TIMESTAMP -> ``int`` nanoseconds since the epoch; DATE ->
``datetime.date``; TIME -> ``int`` nanoseconds since midnight;
INTERVAL_DAY_TO_SECOND -> ``int`` nanoseconds; INTERVAL_YEAR_TO_MONTH -> ``int``
months; NULL -> ``None``; arrays -> ``list``; rows -> ``tuple``; time series ->
``list`` of ``(time_ns, value)`` pairs sorted by time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The ``ScalarType`` enum of the botocore model ``timestream-query``.
SCALAR_TYPES = frozenset(
    {
        "VARCHAR",
        "BOOLEAN",
        "BIGINT",
        "DOUBLE",
        "TIMESTAMP",
        "DATE",
        "TIME",
        "INTERVAL_DAY_TO_SECOND",
        "INTERVAL_YEAR_TO_MONTH",
        "UNKNOWN",
        "INTEGER",
    }
)

SCALAR = "SCALAR"
ARRAY = "ARRAY"
TIMESERIES = "TIMESERIES"
ROW = "ROW"


@dataclass(frozen=True, slots=True)
class ColumnType:
    """The type of a column: a scalar, an array, a time series or a row.

    ``scalar`` is set for scalars, ``element`` for arrays (the element type) and
    time series (the value type), ``fields`` for rows.
    """

    kind: str
    scalar: str | None = None
    element: ColumnType | None = None
    fields: tuple[Column, ...] = ()

    @staticmethod
    def of_scalar(scalar: str) -> ColumnType:
        """A scalar type by its ``ScalarType`` name."""
        if scalar not in SCALAR_TYPES:
            raise ValueError(f"not a ScalarType: {scalar}")
        return ColumnType(SCALAR, scalar=scalar)

    @staticmethod
    def array_of(element: ColumnType) -> ColumnType:
        """An array of ``element``."""
        return ColumnType(ARRAY, element=element)

    @staticmethod
    def timeseries_of(value: ColumnType) -> ColumnType:
        """A time series whose points hold ``value``."""
        return ColumnType(TIMESERIES, element=value)

    @staticmethod
    def row_of(fields: list[Column] | tuple[Column, ...]) -> ColumnType:
        """A row of named fields."""
        return ColumnType(ROW, fields=tuple(fields))

    def summary(self) -> str:
        """The ScalarType name, or ``ARRAY``/``ROW``/``TIMESERIES``."""
        return self.scalar if self.kind == SCALAR and self.scalar else self.kind

    def to_type(self) -> dict[str, Any]:
        """The wire ``Type`` structure."""
        if self.kind == SCALAR:
            return {"ScalarType": self.scalar}
        if self.kind == ARRAY:
            assert self.element is not None
            return {"ArrayColumnInfo": {"Type": self.element.to_type()}}
        if self.kind == TIMESERIES:
            assert self.element is not None
            return {"TimeSeriesMeasureValueColumnInfo": {"Type": self.element.to_type()}}
        return {"RowColumnInfo": [column.to_column_info() for column in self.fields]}


@dataclass(frozen=True, slots=True)
class Column:
    """A named result column."""

    name: str
    type: ColumnType

    def to_column_info(self) -> dict[str, Any]:
        """The wire ``ColumnInfo`` of this column."""
        return {"Name": self.name, "Type": self.type.to_type()}


VARCHAR = ColumnType.of_scalar("VARCHAR")


@dataclass(slots=True)
class QueryResult:
    """A complete query result: columns and rows of Python values (module docstring)."""

    columns: list[Column]
    rows: list[tuple[object, ...]] = field(default_factory=list)

    def scalar_columns(self) -> list[tuple[str, str]]:
        """(name, ScalarType) per column; ``ARRAY``/``ROW``/``TIMESERIES`` otherwise."""
        return [(column.name, column.type.summary()) for column in self.columns]

    def column_info(self) -> list[dict[str, Any]]:
        """The wire ``ColumnInfo`` list."""
        return [column.to_column_info() for column in self.columns]
