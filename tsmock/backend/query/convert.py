"""Engine results to `QueryResult` values: DuckDB types to Timestream types, Arrow to Python.

Type mapping (docs/operations/query.md): VARCHAR, DOUBLE, BIGINT, INTEGER,
BOOLEAN, DATE, TIME map directly; FLOAT and DECIMAL with a scale are DOUBLE,
HUGEINT and scale-0 DECIMAL (what DuckDB's ``sum`` of integers gives) BIGINT;
every TIMESTAMP precision is TIMESTAMP; a list of ``STRUCT(time, value)`` is a
time series, other lists arrays, structs rows; INTERVAL is a day-to-second
interval unless every value counts only months.

Imported only by `tsmock.backend.query.engine_modules.load_engine` (pyarrow).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from tsmock.backend.query.result import (
    ARRAY,
    ROW,
    SCALAR,
    TIMESERIES,
    Column,
    ColumnType,
)

_NS_PER_DAY = 86_400_000_000_000
_SCALARS: dict[str, str] = {
    "varchar": "VARCHAR",
    "blob": "VARCHAR",
    "uuid": "VARCHAR",
    "double": "DOUBLE",
    "float": "DOUBLE",
    "bigint": "BIGINT",
    "hugeint": "BIGINT",
    "ubigint": "BIGINT",
    "uinteger": "BIGINT",
    "uhugeint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "INTEGER",
    "tinyint": "INTEGER",
    "usmallint": "INTEGER",
    "utinyint": "INTEGER",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "time": "TIME",
    "time_ns": "TIME",
    "timestamp": "TIMESTAMP",
    "timestamp_ns": "TIMESTAMP",
    "timestamp_ms": "TIMESTAMP",
    "timestamp_s": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP",
    "interval": "INTERVAL_DAY_TO_SECOND",
    '"null"': "UNKNOWN",
    "null": "UNKNOWN",
}


class UnsupportedType(Exception):
    """A result type Timestream cannot express; the caller answers a ValidationException."""


def column_type(duck_type: Any) -> ColumnType:
    """The Timestream type of a DuckDB type (a ``DuckDBPyType``)."""
    kind = str(duck_type.id)
    if kind == "decimal":
        text = str(duck_type)
        scale = text[text.rfind(",") + 1 : -1].strip() if "," in text else "0"
        return ColumnType.of_scalar("BIGINT" if scale == "0" else "DOUBLE")
    if kind == "list" or kind == "array":
        element = duck_type.children[0][1]
        if str(element.id) == "struct":
            names = [name for name, _ in element.children]
            if names == ["time", "value"] and str(element.children[0][1].id).startswith(
                "timestamp"
            ):
                return ColumnType.timeseries_of(column_type(element.children[1][1]))
        return ColumnType.array_of(column_type(element))
    if kind == "struct":
        return ColumnType.row_of([Column(name, column_type(t)) for name, t in duck_type.children])
    scalar = _SCALARS.get(kind)
    if scalar is None:
        raise UnsupportedType(str(duck_type))
    return ColumnType.of_scalar(scalar)


def _timestamp_factor(arrow_type: Any) -> int:
    return {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}[arrow_type.unit]


def _plain(arrow_type: Any) -> Any:
    """``arrow_type`` with timestamps and times as int64 (as_py never needs pandas)."""
    if pa.types.is_timestamp(arrow_type) or pa.types.is_time(arrow_type):
        return pa.int64()
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return pa.list_(_plain(arrow_type.value_type))
    if pa.types.is_fixed_size_list(arrow_type):
        return pa.list_(_plain(arrow_type.value_type))
    if pa.types.is_struct(arrow_type):
        return pa.struct(
            [
                pa.field(f.name, _plain(f.type))
                for f in (arrow_type.field(i) for i in range(arrow_type.num_fields))
            ]
        )
    return arrow_type


Converter = Callable[[Any], Any]


def _interval_value(scalar: str) -> Converter:
    if scalar == "INTERVAL_YEAR_TO_MONTH":
        return lambda v: None if v is None else v.months
    return lambda v: None if v is None else (v.months * 30 + v.days) * _NS_PER_DAY + v.nanoseconds


def _converter(arrow_type: Any, target: ColumnType) -> Converter | None:
    """Per-value fix-up after ``as_py`` of the plain type; None when values are final."""
    if target.kind == SCALAR:
        if pa.types.is_timestamp(arrow_type) or pa.types.is_time(arrow_type):
            factor = _timestamp_factor(arrow_type)
            if factor == 1:
                return None
            return lambda v: None if v is None else v * factor
        if pa.types.is_decimal(arrow_type):
            if target.scalar == "BIGINT":
                return lambda v: None if v is None else int(v)
            return lambda v: None if v is None else float(v)
        if pa.types.is_floating(arrow_type):
            return lambda v: None if v is None else float(v)
        if pa.types.is_interval(arrow_type):
            assert target.scalar is not None
            return _interval_value(target.scalar)
        return None
    if target.kind in (ARRAY, TIMESERIES):
        assert target.element is not None
        element_arrow = arrow_type.value_type
        if target.kind == TIMESERIES:
            time_fix = _converter(element_arrow.field(0).type, ColumnType.of_scalar("TIMESTAMP"))
            value_fix = _converter(element_arrow.field(1).type, target.element)

            def series(v: Any) -> Any:
                if v is None:
                    return None
                return [
                    (
                        p["time"] if time_fix is None else time_fix(p["time"]),
                        p["value"] if value_fix is None else value_fix(p["value"]),
                    )
                    for p in v
                    if p is not None
                ]

            return series
        fix = _converter(element_arrow, target.element)
        if fix is None:
            return None
        return lambda v: None if v is None else [fix(x) for x in v]
    assert target.kind == ROW
    fixes = [
        _converter(arrow_type.field(i).type, target.fields[i].type)
        for i in range(arrow_type.num_fields)
    ]
    names = [target.fields[i].name for i in range(len(target.fields))]

    def row(v: Any) -> Any:
        if v is None:
            return None
        values = list(v.values()) if len(v) == len(names) else [v.get(n) for n in names]
        return tuple(x if f is None else f(x) for x, f in zip(values, fixes, strict=False))

    return row


def refine_interval(target: ColumnType, values: list[Any]) -> ColumnType:
    """A scalar interval column counting only months is year-to-month (§ interval types)."""
    if target.kind != SCALAR or target.scalar != "INTERVAL_DAY_TO_SECOND":
        return target
    present = [v for v in values if v is not None]
    if present and all(v.months and not v.days and not v.nanoseconds for v in present):
        return ColumnType.of_scalar("INTERVAL_YEAR_TO_MONTH")
    return target


def column_values(array: Any, target: ColumnType) -> tuple[ColumnType, list[Any]]:
    """The Python values of one result column (conventions of `QueryResult`)."""
    arrow_type = array.type
    plain = _plain(arrow_type)
    if plain != arrow_type:
        array = array.cast(plain)
    values = array.to_pylist()
    if pa.types.is_interval(arrow_type):
        target = refine_interval(target, values)
    fix = _converter(arrow_type, target)
    if fix is not None:
        values = [fix(v) for v in values]
    return target, values
