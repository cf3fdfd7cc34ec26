"""The columnar view of a table: one Arrow table of its records as queries see them.

Columns follow docs/operations/query.md: the dimensions (VARCHAR) in order of
first appearance, ``measure_name``, ``time`` (TIMESTAMP, ns), then the
``measure_value::`` columns of the single-measure types present (double, bigint,
varchar, boolean), then the MULTI attributes in order of first appearance; a
row lacks what its record lacks (NULL). Every stored record is the latest
version of its identity, memory and magnetic store alike.

Imported only by `tsmock.backend.query.engine_modules.load_engine` (pyarrow).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from tsmock.backend.models import Record, Table

_NS_PER_HOUR = 3_600_000_000_000
_NS_PER_DAY = 24 * _NS_PER_HOUR
_MS_NS = 1_000_000
#: Single-measure value columns in their ``SELECT *`` order (double < bigint < varchar [REAL]).
SINGLE_MEASURE_TYPES = ("DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN")
_ARROW_TYPES: dict[str, Any] = {
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("ns"),
}


def _parse_boolean(text: str) -> bool | None:
    lowered = text.lower()
    return True if lowered == "true" else False if lowered == "false" else None


def _parser(value_type: str, unit_ns: int) -> Callable[[str], object]:
    if value_type == "DOUBLE":
        return float
    if value_type == "BIGINT":
        return int
    if value_type == "BOOLEAN":
        return _parse_boolean
    if value_type == "TIMESTAMP":
        return lambda text: int(text) * unit_ns
    return str


@dataclass(frozen=True, slots=True)
class ViewColumn:
    """A column of a table view: name, ScalarType and Timestream attribute type."""

    name: str
    scalar: str
    #: ``DIMENSION``, ``MEASURE_NAME``, ``TIMESTAMP``, ``MEASURE_VALUE`` or ``MULTI``.
    attribute: str


@dataclass(slots=True)
class TableView:
    """What queries see of a table: the Arrow table and its column descriptions."""

    arrow: Any
    columns: list[ViewColumn]
    #: measure name -> (data type in lower case or ``multi``, dimension names seen with it).
    measures: dict[str, tuple[str, list[str]]]
    oldest_time_ns: int | None
    generation: int
    #: Two column names that differ only in case, if any (`_case_twins`).
    case_twins: tuple[str, str] | None


def _safe(parse: Callable[[str], object], text: str) -> object:
    try:
        return parse(text)
    except ValueError:
        return None


def build_view(table: Table, records: list[Record]) -> TableView:
    """The view of ``records`` (the table's stored records, read under its lock)."""
    count = len(records)
    dimensions: dict[str, list[object]] = {}
    singles: dict[str, list[object]] = {}
    multis: dict[str, list[object]] = {}
    multi_types: dict[str, str] = {}
    measure_names: list[object] = [None] * count
    times: list[int] = [0] * count
    measures: dict[str, tuple[str, list[str]]] = {}
    seen_series: set[tuple[str, int]] = set()
    oldest: int | None = None
    for index, record in enumerate(records):
        dims = record.dimensions
        for name, value in dims.items():
            column = dimensions.get(name)
            if column is None:
                column = dimensions[name] = [None] * count
            column[index] = value
        measure = record.measure_name
        measure_names[index] = measure
        time_ns = record.time_ns
        times[index] = time_ns
        if oldest is None or time_ns < oldest:
            oldest = time_ns
        value_type = record.measure_value_type
        if value_type == "MULTI":
            unit_ns = getattr(record.measure_values, "unit_ns", _MS_NS)
            for name, (text, attribute_type) in record.measure_values.items():
                column = multis.get(name)
                if column is None:
                    column = multis[name] = [None] * count
                    multi_types[name] = attribute_type
                if attribute_type == multi_types[name]:
                    column[index] = _safe(_parser(attribute_type, unit_ns), text)
        elif record.measure_value is not None:
            column = singles.get(value_type)
            if column is None:
                column = singles[value_type] = [None] * count
            column[index] = _safe(_parser(value_type, _MS_NS), record.measure_value)
        series_key = (measure, id(dims))
        if series_key not in seen_series:
            seen_series.add(series_key)
            data_type = "multi" if value_type == "MULTI" else value_type.lower()
            entry = measures.get(measure)
            if entry is None:
                entry = measures[measure] = (data_type, [])
            for name in dims:
                if name not in entry[1]:
                    entry[1].append(name)
    columns: list[ViewColumn] = []
    names: list[str] = []
    arrays: list[Any] = []
    for name, values in dimensions.items():
        columns.append(ViewColumn(name, "VARCHAR", "DIMENSION"))
        names.append(name)
        arrays.append(pa.array(values, pa.string()))
    columns.append(ViewColumn("measure_name", "VARCHAR", "MEASURE_NAME"))
    names.append("measure_name")
    arrays.append(pa.array(measure_names, pa.string()))
    columns.append(ViewColumn("time", "TIMESTAMP", "TIMESTAMP"))
    names.append("time")
    arrays.append(pa.array(times, pa.int64()).cast(pa.timestamp("ns")))
    for value_type in SINGLE_MEASURE_TYPES:
        single = singles.get(value_type)
        if single is not None:
            name = f"measure_value::{value_type.lower()}"
            columns.append(ViewColumn(name, value_type, "MEASURE_VALUE"))
            names.append(name)
            arrays.append(pa.array(single, _ARROW_TYPES[value_type]))
    for name, values in multis.items():
        attribute_type = multi_types[name]
        columns.append(ViewColumn(name, attribute_type, "MULTI"))
        names.append(name)
        if attribute_type == "TIMESTAMP":
            arrays.append(pa.array(values, pa.int64()).cast(pa.timestamp("ns")))
        else:
            arrays.append(pa.array(values, _ARROW_TYPES[attribute_type]))
    arrow = pa.Table.from_arrays(arrays, names=names)
    return TableView(
        arrow, columns, measures, oldest, table.generation, _case_twins(columns)
    )


def _case_twins(columns: list[ViewColumn]) -> tuple[str, str] | None:
    """Two of the column names that differ only in case, if any.

    The service tells ``hostId`` and ``hostid`` apart; DuckDB matches names
    case-insensitively, so a query of such a table is refused rather than
    answered with the wrong column.
    """
    seen: dict[str, str] = {}
    for column in columns:
        folded = column.name.casefold()
        twin = seen.get(folded)
        if twin is not None:
            return twin, column.name
        seen[folded] = column.name
    return None


def retention_cutoff_ns(table: Table, now_ns: int) -> int:
    """The oldest time a table still holds: memory plus magnetic retention back from now."""
    return (
        now_ns
        - table.memory_retention_hours * _NS_PER_HOUR
        - table.magnetic_retention_days * _NS_PER_DAY
    )


@dataclass(slots=True)
class ViewCache:
    """Table views by table, rebuilt when ``Table.generation`` moves (every change of
    the stored records moves it)."""

    _views: dict[int, tuple[Table, TableView]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def view(self, table: Table, lock: Any, now_ns: int) -> TableView:
        """The current view of ``table``; ``lock`` guards its records while read."""
        with self._lock:
            cached = self._views.get(id(table))
        current: TableView | None = None
        if cached is not None and cached[0] is table:
            current = cached[1]
            if current.generation != table.generation:
                current = None
        if current is None:
            with lock:
                records = list(table.index)
                current = build_view(table, records)
            with self._lock:
                self._views[id(table)] = (table, current)
        cutoff = retention_cutoff_ns(table, now_ns)
        if current.oldest_time_ns is not None and current.oldest_time_ns < cutoff:
            # Records past retention are gone from queries (docs/operations/query.md);
            # the write side keeps them until it drops them itself.
            keep = pc.greater_equal(
                current.arrow.column("time").cast(pa.int64()), pa.scalar(cutoff, pa.int64())
            )
            return replace(current, arrow=current.arrow.filter(keep), oldest_time_ns=cutoff)
        return current
