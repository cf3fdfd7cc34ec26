"""`QueryEngine`: runs translated queries in DuckDB over the tables' Arrow views.

One in-memory DuckDB connection per engine, used under a lock; each query
registers the views it reads, runs, and unregisters them. DuckDB errors become
the service's errors (docs/operations/query.md): binding problems a positioned
``ValidationException``, failures while running a ``QueryExecutionException``.

Imported only by `tsmock.backend.query.engine_modules.load_engine`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from duckdb.func import PythonUDFType

from tsmock.backend.models import Table
from tsmock.backend.query import math_functions, metadata, prepass, timeseries
from tsmock.backend.query.convert import UnsupportedType, column_type, column_values
from tsmock.backend.query.errors import QueryExecutionException, ValidationException
from tsmock.backend.query.naming import PLACEHOLDER_PREFIX, OutputColumn
from tsmock.backend.query.parsing import error_prefix_for
from tsmock.backend.query.result import Column, QueryResult
from tsmock.backend.query.translate import Translation, translate
from tsmock.backend.query.views import TableView, ViewCache, ViewColumn

#: Translations kept for reuse (the oldest goes first).
_TRANSLATIONS_KEPT = 512
_SERIES_SQL = "STRUCT(time TIMESTAMP_NS, value DOUBLE)[]"
_PLAIN_SERIES = pa.list_(pa.struct([("time", pa.int64()), ("value", pa.float64())]))
_SERIES_ARROW = pa.list_(pa.struct([("time", pa.timestamp("ns")), ("value", pa.float64())]))
_MISSING_COLUMN = re.compile(
    r'(?:column "(?P<a>[^"]+)" not found|does not have a column named "(?P<b>[^"]+)")'
)
_MISSING_FUNCTION = re.compile(r"Function with name \"?(?P<name>[^\s\"!]+)\"? does not exist")
_NO_MATCH = re.compile(r"No function matches the given name and argument types '(?P<sig>[^']*)'")


def _series_udf(
    function: Callable[..., list[tuple[int, float]]], with_fill: bool = False
) -> Callable[..., Any]:
    def run(series: Any, times: Any, *fill: Any) -> Any:
        points = series.cast(_PLAIN_SERIES).to_pylist()
        instants = times.cast(pa.list_(pa.int64())).to_pylist()
        fills = fill[0].to_pylist() if fill else None
        out: list[Any] = []
        for index, value in enumerate(points):
            wanted = instants[index]
            if value is None or wanted is None or (fills is not None and fills[index] is None):
                out.append(None)
                continue
            pairs = [(p["time"], p["value"]) for p in value if p is not None]
            extra = (fills[index],) if fills is not None else ()
            result = function(pairs, [t for t in wanted if t is not None], *extra)
            out.append([{"time": t, "value": v} for t, v in result])
        return pa.array(out, type=_SERIES_ARROW)

    # DuckDB reads the arity of the Python function it is given.
    if with_fill:
        return lambda series, times, fill: run(series, times, fill)
    return lambda series, times: run(series, times)


def _clean_message(error: Exception) -> str:
    text = str(error).split("\n", 1)[0]
    text = re.sub(r"^[A-Za-z ]+ Error: ", "", text).strip()
    if text.startswith("Division by zero"):
        return "Division by zero"
    # A function's refusal, raised in Python inside the engine: its own message.
    _, marker, message = text.partition(f"{math_functions.InvalidArgument.__name__}: ")
    return message if marker else text


@dataclass(slots=True)
class _Cached:
    """A translation and the columns of each view it was type-checked against."""

    catalog: Any
    translation: Translation
    columns: dict[str, list[ViewColumn]]


@dataclass(slots=True)
class Outcome:
    """A finished statement: its result, the records it scanned, its ``@`` parameters."""

    result: QueryResult
    outputs: list[OutputColumn]
    scanned_records: int
    parameters: list[str]


def _configure(connection: Any) -> None:
    # Trino divides integers as integers; every time is UTC (docs/operations/query.md).
    connection.execute("SET integer_division = true")
    connection.execute("SET TimeZone = 'UTC'")


class QueryEngine:
    """The process's DuckDB database with Timestream's functions; sessions query it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection = duckdb.connect(":memory:")
        _configure(self._connection)
        series = duckdb.sqltype(_SERIES_SQL)
        instants = duckdb.sqltype("TIMESTAMP_NS[]")
        double = duckdb.sqltype("DOUBLE")
        for name, function in (
            ("__ts_interpolate_linear", timeseries.interpolate_linear),
            ("__ts_interpolate_locf", timeseries.interpolate_locf),
            ("__ts_interpolate_spline_cubic", timeseries.interpolate_spline_cubic),
        ):
            self._connection.create_function(
                name, _series_udf(function), [series, instants], series, type=PythonUDFType.ARROW
            )
        self._connection.create_function(
            "__ts_interpolate_fill",
            _series_udf(timeseries.interpolate_fill, with_fill=True),
            [series, instants, double],
            series,
            type=PythonUDFType.ARROW,
        )

        self._connection.create_function(
            math_functions.FROM_BASE_UDF,
            math_functions.from_base,
            [duckdb.sqltype("VARCHAR"), duckdb.sqltype("BIGINT")],
            duckdb.sqltype("BIGINT"),
        )

        self._warm_up()

    def _warm_up(self) -> None:
        """Run every path once, so that pyarrow's and DuckDB's lazy imports (pandas
        among them) happen now, at start, never inside a request under a frozen clock."""
        sample = pa.Table.from_arrays(
            [pa.array([1, 2], pa.int64()).cast(pa.timestamp("ns")), pa.array([1.0, 2.0])],
            names=["time", "v"],
        )
        self._connection.register("__ts_warm_up", sample)
        try:
            relation = self._connection.sql(
                "SELECT time, v, INTERVAL 1 DAY AS i, [1] AS a, {'x': 1} AS r, "
                "__ts_interpolate_linear(CAST([{'time': time, 'value': v}] AS "
                f"{_SERIES_SQL}), [time]) AS s FROM __ts_warm_up"
            )
            table = relation.to_arrow_table()
            for index, duck_type in enumerate(relation.types):
                column_values(table.column(index), column_type(duck_type))
        finally:
            self._connection.unregister("__ts_warm_up")

    def new_session(self) -> EngineSession:
        """A session for one QueryBackend: its own DuckDB connection (a cursor of the
        engine's database, sharing the functions) with its views and translations;
        all of it goes away with the session."""
        with self._lock:
            cursor = self._connection.cursor()
        return EngineSession(cursor)


class EngineSession:
    """Runs the statements of one QueryBackend (thread-safe)."""

    def __init__(self, connection: Any) -> None:
        self._lock = threading.RLock()
        self._connection = connection
        _configure(connection)
        self._views = ViewCache()
        self._registered: dict[str, Any] = {}
        self._translations: dict[tuple[str, bool], _Cached] = {}

    def run(
        self,
        query_string: str,
        catalog: Any,
        lock: Any,
        now_ns: int,
        *,
        scheduled_runtime_ns: int | None = None,
        allow_scheduled_runtime: bool = False,
        execute: bool = True,
    ) -> Outcome:
        """Run (or with ``execute=False`` only bind) one statement."""

        def view_of(table: Table) -> TableView:
            return self._views.view(table, lock, now_ns)

        if metadata.is_metadata_statement(query_string):
            result = metadata.run_metadata(query_string, catalog, view_of)
            return Outcome(result, [], 0, [])
        translation, views = self._translation(
            query_string, catalog, allow_scheduled_runtime, view_of
        )
        for name, table in translation.views.items():
            twins = views[name].case_twins
            if twins is not None:
                raise ValidationException(
                    f"Columns '{twins[0]}' and '{twins[1]}' of table "
                    f"'{table.database_name}.{table.name}' differ only in case: tsmock's SQL "
                    "engine cannot tell them apart (the service can), so it does not query "
                    "this table"
                )
        scanned = sum(view.arrow.num_rows for view in views.values())
        sql = translation.bind(now_ns, scheduled_runtime_ns)
        with self._lock:
            for name, view in views.items():
                # A view stays registered until its table's view changes.
                if self._registered.get(name) is not view.arrow:
                    self._connection.register(name, view.arrow)
                    self._registered[name] = view.arrow
            result = self._execute(query_string, sql, translation.outputs, execute)
        return Outcome(result, translation.outputs, scanned, translation.parameters)

    def _translation(
        self,
        query_string: str,
        catalog: Any,
        allow_scheduled_runtime: bool,
        view_of: Callable[[Table], TableView],
    ) -> tuple[Translation, dict[str, TableView]]:
        """The translation of a text and the views it reads, by view name.

        A translation is reused while the tables it reads are the same tables with
        the same columns: its type checks were made against those columns.
        """
        key = (query_string, allow_scheduled_runtime)
        with self._lock:
            cached = self._translations.get(key)
        if cached is not None and cached.catalog is catalog:
            reused = cached.translation
            if reused.is_current(catalog):
                views = {name: view_of(table) for name, table in reused.views.items()}
                if all(view.columns == cached.columns[name] for name, view in views.items()):
                    return reused, views
        read: dict[int, TableView] = {}

        def column_types(table: Table) -> dict[str, str]:
            view = read[id(table)] = view_of(table)
            return {c.name: c.scalar for c in view.columns}

        allowed = frozenset({prepass.SCHEDULED_RUNTIME}) if allow_scheduled_runtime else frozenset()
        translation = translate(
            prepass.rewrite(query_string, parameters=allowed), catalog, column_types
        )
        views = {name: read[id(table)] for name, table in translation.views.items()}
        columns = {name: view.columns for name, view in views.items()}
        with self._lock:
            if len(self._translations) >= _TRANSLATIONS_KEPT:
                self._translations.pop(next(iter(self._translations)))
            self._translations[key] = _Cached(catalog, translation, columns)
        return translation, views

    def _execute(
        self, query_string: str, sql: str, outputs: list[OutputColumn], execute: bool
    ) -> QueryResult:
        try:
            relation = self._connection.sql(sql)
        except duckdb.Error as error:
            raise self._bind_error(query_string, error) from None
        assert relation is not None
        names = list(relation.columns)
        if outputs and all(o.name is not None for o in outputs) and len(outputs) == len(names):
            names = [
                o.name if o.name is not None else n for o, n in zip(outputs, names, strict=True)
            ]
        names = [
            f"_col{index}" if name.startswith(PLACEHOLDER_PREFIX) else name
            for index, name in enumerate(names)
        ]
        try:
            types = [column_type(t) for t in relation.types]
        except UnsupportedType as unsupported:
            raise ValidationException(
                f"The result type {unsupported} is not supported by Timestream"
            ) from None
        columns = [Column(name, t) for name, t in zip(names, types, strict=True)]
        if not execute:
            return QueryResult(columns, [])
        try:
            table = relation.to_arrow_table()
        except duckdb.Error as error:
            raise QueryExecutionException(_clean_message(error)) from None
        final_columns: list[Column] = []
        data: list[list[Any]] = []
        for index, column in enumerate(columns):
            final_type, values = column_values(table.column(index), column.type)
            final_columns.append(Column(column.name, final_type))
            data.append(values)
        rows = list(zip(*data, strict=True)) if data else []
        return QueryResult(final_columns, rows)

    @staticmethod
    def _bind_error(query_string: str, error: Exception) -> Exception:
        message = _clean_message(error)
        if isinstance(error, (duckdb.ConversionException, duckdb.OutOfRangeException)):
            return QueryExecutionException(message)
        missing = _MISSING_COLUMN.search(message)
        if missing is not None:
            name = missing.group("a") or missing.group("b")
            if "." in name and name not in query_string:
                name = name.rsplit(".", 1)[1]
            return ValidationException(
                f"{error_prefix_for(query_string, name)}Column '{name}' does not exist"
            )
        function = _MISSING_FUNCTION.search(message)
        if function is not None:
            name = function.group("name")
            return ValidationException(
                f"{error_prefix_for(query_string, name)}Function '{name}' not registered"
            )
        mismatch = _NO_MATCH.search(message)
        if mismatch is not None:
            signature = mismatch.group("sig")
            name = signature.split("(", 1)[0]
            arguments = signature[len(name) :]
            prefix = error_prefix_for(query_string, name)
            return ValidationException(
                f"{prefix}Unexpected parameters {arguments} for function {name}"
            )
        return ValidationException(f"{error_prefix_for(query_string, '')}{message}")
