"""Timestream SQL to DuckDB SQL: parse the Trino dialect, resolve tables, map functions.

The token pre-pass (`tsmock.backend.query.prepass`) has already turned durations,
``measure_value::<type>`` and ``@scheduled_runtime`` into parseable forms. Here
sqlglot parses the Trino dialect; table names are checked (database, then
table: the service's order, docs/operations/query.md) and replaced by the
table's view; Timestream's own functions become DuckDB expressions or the
Python functions the engine registers; unnamed result columns get Trino's
``_colN`` names.

Imported only by `tsmock.backend.query.engine_modules.load_engine` (sqlglot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from tsmock.backend.models import Table
from tsmock.backend.query import prepass, typecheck
from tsmock.backend.query.errors import ValidationException, position_prefix
from tsmock.backend.query.math_functions import call, math_function
from tsmock.backend.query.metadata import stored_table
from tsmock.backend.query.naming import (
    OutputColumn,
    name_outputs,
    outermost_select,
)
from tsmock.backend.query.parsing import parse

_UNNEST_MARKER = "__ts_unnest_"
_TIMESERIES_TYPE = "STRUCT(time TIMESTAMP_NS, value DOUBLE)[]"
_INTERPOLATIONS = {
    "interpolate_linear": "__ts_interpolate_linear",
    "interpolate_locf": "__ts_interpolate_locf",
    "interpolate_fill": "__ts_interpolate_fill",
    "interpolate_spline_cubic": "__ts_interpolate_spline_cubic",
}


#: Stand-ins for the query's instants in the generated SQL, filled in per run so
#: that one translation serves every run of the same text.
NOW_PLACEHOLDER = "__ts_now_ns"
RUNTIME_PLACEHOLDER = "__ts_runtime_ns"


@dataclass(slots=True)
class Translation:
    """DuckDB SQL and the tables it reads, by view name."""

    sql: str
    views: dict[str, Table]
    outputs: list[OutputColumn]
    #: The ``@name`` parameters the text uses (lower case, each once).
    parameters: list[str]

    def bind(self, now_ns: int, scheduled_runtime_ns: int | None) -> str:
        """The SQL with the instants of this run."""
        runtime = now_ns if scheduled_runtime_ns is None else scheduled_runtime_ns
        return self.sql.replace(NOW_PLACEHOLDER, str(now_ns)).replace(
            RUNTIME_PLACEHOLDER, str(runtime)
        )

    def is_current(self, catalog: Any) -> bool:
        """Whether every table it reads is still the stored table of that name."""
        for table in self.views.values():
            database = catalog.databases.get(table.database_name)
            if database is None or database.tables.get(table.name) is not table:
                return False
        return True


class Catalog(Protocol):
    """What the translation needs of the write backend: ``databases``."""

    databases: dict[str, Any]


def _offset(node: exp.Expression) -> int:
    """The offset of ``node`` in the rewritten text (its earliest identifier's start)."""
    starts = [
        int(meta["start"])
        for identifier in node.find_all(exp.Identifier)
        if "start" in (meta := getattr(identifier, "_meta", None) or {})
    ]
    return min(starts, default=0)


def _literal_ns(node: exp.Expression) -> int | None:
    """The nanoseconds of a pre-pass duration call, else None."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == prepass.DURATION_FUNCTION:
        literal = node.expressions[0]
        assert isinstance(literal, exp.Literal)
        return int(literal.this)
    return None


def _placeholder_timestamp(name: str) -> exp.Expression:
    return call("make_timestamp_ns", exp.column(name))


class _Rewriter:
    def __init__(
        self,
        rewritten: prepass.Rewritten,
        catalog: Catalog,
    ) -> None:
        self.rewritten = rewritten
        self.catalog = catalog
        self.views: dict[str, Table] = {}
        self.view_names: dict[int, str] = {}
        self.unnests: dict[str, str] = {}
        self.table_of_alias: dict[str, tuple[str, str]] = {}
        self.table_by_alias: dict[str, Table] = {}

    # --- tables -----------------------------------------------------------------

    def resolve_tables(self, tree: exp.Expression) -> None:
        cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            if not isinstance(table.this, exp.Identifier):
                continue
            name = table.name
            database_name = table.db
            if table.catalog:
                raise self.rewritten.error(
                    _offset(table), f"Table '{table.catalog}.{database_name}.{name}' does not exist"
                )
            if not database_name:
                if name in cte_names:
                    continue
                raise self.rewritten.error(_offset(table), f"Table '{name}' does not exist")
            stored = stored_table(
                self.catalog,
                self.rewritten.original,
                database_name,
                name,
                self.rewritten.original_offset(_offset(table)),
            )
            view = self.view_names.get(id(stored))
            if view is None:
                view = self.view_names[id(stored)] = f"__ts_view_{id(stored)}"
                self.views[view] = stored
            alias = table.alias or name
            self.table_of_alias[alias] = (database_name, name)
            self.table_by_alias[alias] = stored
            table.replace(
                exp.Table(
                    this=exp.to_identifier(view),
                    alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
                )
            )

    # --- expressions --------------------------------------------------------------

    def duration(self, node: exp.Expression) -> exp.Expression:
        """A duration call as a DuckDB INTERVAL (microseconds)."""
        ns = _literal_ns(node)
        assert ns is not None
        if ns % 1000:
            assert isinstance(node, exp.Anonymous)
            where = int(node.expressions[1].this)
            raise prepass.error_at(
                self.rewritten.original,
                where,
                "Durations below one microsecond are not supported by tsmock",
            )
        return call("to_microseconds", exp.Literal.number(ns // 1000))

    def duration_ns(self, node: exp.Expression) -> exp.Expression:
        """A duration as BIGINT nanoseconds: literal, or from an INTERVAL expression."""
        ns = _literal_ns(node)
        if ns is not None:
            return exp.Literal.number(ns)
        seconds = call("epoch", node)
        return exp.Paren(
            this=exp.Mul(
                this=exp.Cast(
                    this=call(
                        "round", exp.Mul(this=seconds, expression=exp.Literal.number(1000000))
                    ),
                    to=exp.DataType.build("BIGINT"),
                ),
                expression=exp.Literal.number(1000),
            )
        )

    def now(self) -> exp.Expression:
        return _placeholder_timestamp(NOW_PLACEHOLDER)

    def rewrite(self, node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.CurrentTimestamp, exp.Localtimestamp)):
            # The clock of the call (UTC is the only time zone), so freezegun rules it.
            return self.now()
        if isinstance(node, exp.Localtime):
            return exp.Cast(this=self.now(), to=exp.DataType.build("TIME"))
        if isinstance(node, exp.CurrentTimezone):
            return exp.Literal.string("UTC")
        if isinstance(node, exp.CurrentDate):
            return exp.Cast(this=self.now(), to=exp.DataType.build("DATE"))
        if isinstance(node, exp.CurrentTime):
            return exp.Cast(this=self.now(), to=exp.DataType.build("TIME"))
        if isinstance(node, (exp.Cast, exp.TryCast)):
            to = node.args.get("to")
            if isinstance(to, exp.DataType) and to.this in (
                exp.DataType.Type.TIMESTAMP,
                exp.DataType.Type.TIMESTAMPTZ,
                exp.DataType.Type.TIMESTAMPNTZ,
            ):
                node.set("to", exp.DataType.build("TIMESTAMP_NS", dialect="duckdb"))
            return node
        if isinstance(node, exp.Literal) and not node.is_string:
            text = str(node.this)
            if "." in text or "e" in text.lower():
                # A decimal literal is DOUBLE here (docs: the ScalarType enum has no DECIMAL).
                return exp.Cast(this=node.copy(), to=exp.DataType.build("DOUBLE"))
            return node
        if isinstance(node, exp.ApproxQuantile):
            if node.args.get("weight") is not None or node.args.get("accuracy") is not None:
                raise self.rewritten.error(
                    _offset(node), "approx_percentile with weights or accuracy is not supported"
                )
            # An exact discrete percentile: one of the values, as the service gives for
            # small inputs (docs/operations/query.md, approx_percentile).
            return call("quantile_disc", node.this, node.args["quantile"])
        if isinstance(node, exp.Reduce):
            return self.reduce(node)
        if isinstance(node, exp.GenerateSeries):
            return self.sequence(node)
        if isinstance(node, exp.FromBase):
            return math_function("from_base", [node.this, node.expression]) or node
        if isinstance(node, exp.Anonymous):
            return self.function(node)
        return node

    def function(self, node: exp.Anonymous) -> exp.Expression:
        name = node.name.lower()
        args = list(node.expressions)
        if name == prepass.SCHEDULED_RUNTIME_FUNCTION:
            return _placeholder_timestamp(RUNTIME_PLACEHOLDER)
        if name == "now" and not args:
            return self.now()
        if name == "ago" and len(args) == 1:
            # Parenthesized: ``now() - ago(1h)`` is now() - (now() - 1h), not
            # (now() - now()) - 1h.
            return exp.Paren(this=exp.Sub(this=self.now(), expression=args[0]))
        if name == "bin" and len(args) == 2:
            step = self.duration_ns(args[1])
            floored = exp.Mul(
                this=exp.Paren(
                    this=exp.IntDiv(
                        this=call("epoch_ns", args[0]), expression=exp.Paren(this=step)
                    )
                ),
                expression=exp.Paren(this=step.copy()),
            )
            return call("make_timestamp_ns", floored)
        if name == "from_milliseconds" and len(args) == 1:
            return call(
                "make_timestamp_ns",
                exp.Mul(
                    this=exp.Cast(this=args[0], to=exp.DataType.build("BIGINT")),
                    expression=exp.Literal.number(1_000_000),
                ),
            )
        if name == "from_nanoseconds" and len(args) == 1:
            return call(
                "make_timestamp_ns", exp.Cast(this=args[0], to=exp.DataType.build("BIGINT"))
            )
        if name in ("to_milliseconds", "to_nanoseconds") and len(args) == 1:
            divisor = 1_000_000 if name == "to_milliseconds" else 1
            ns = _literal_ns(args[0])
            if ns is not None:
                return exp.Literal.number(ns // divisor)
            epoch = call("epoch_ns", args[0])
            if divisor == 1:
                return epoch
            return exp.IntDiv(this=epoch, expression=exp.Literal.number(divisor))
        if name == "to_iso8601" and len(args) == 1:
            # Trino's form for a timestamp: milliseconds and ``Z`` (UTC).
            return exp.DPipe(
                this=call("strftime", args[0], exp.Literal.string("%Y-%m-%dT%H:%M:%S.%g")),
                expression=exp.Literal.string("Z"),
            )
        if name == "from_iso8601_timestamp" and len(args) == 1:
            return exp.Cast(
                this=exp.Cast(this=args[0], to=exp.DataType.build("TIMESTAMPTZ")),
                to=exp.DataType.build("TIMESTAMP_NS", dialect="duckdb"),
            )
        if name == "from_iso8601_date" and len(args) == 1:
            return exp.Cast(this=args[0], to=exp.DataType.build("DATE"))
        if name == "create_time_series" and len(args) == 2:
            point = exp.Struct(
                expressions=[
                    exp.PropertyEQ(this=exp.to_identifier("time"), expression=args[0]),
                    exp.PropertyEQ(this=exp.to_identifier("value"), expression=args[1]),
                ]
            )
            ordered = exp.Order(expressions=[exp.Ordered(this=args[0].copy())])
            return exp.ArrayAgg(this=exp.Order(this=point, expressions=ordered.expressions))
        if name in _INTERPOLATIONS and len(args) in (2, 3):
            return self.interpolation(node, name, args)
        return math_function(name, args) or node

    def sequence(self, node: exp.GenerateSeries) -> exp.Expression:
        """``sequence(start, stop, duration)`` in whole nanoseconds (DuckDB's own
        timestamp series counts microseconds)."""
        step = node.args.get("step")
        step_ns = _literal_ns(step) if step is not None else None
        if step_ns is None or step_ns <= 0:
            return node
        start = call("epoch_ns", node.args["start"])
        stop = call("epoch_ns", node.args["end"])
        count = exp.Add(
            this=exp.Paren(
                this=exp.IntDiv(
                    this=exp.Paren(this=exp.Sub(this=stop, expression=start.copy())),
                    expression=exp.Literal.number(step_ns),
                )
            ),
            expression=exp.Literal.number(1),
        )
        index = exp.to_identifier("__ts_i")
        point = call(
            "make_timestamp_ns",
            exp.Add(
                this=start.copy(),
                expression=exp.Mul(
                    this=exp.Column(this=index.copy()), expression=exp.Literal.number(step_ns)
                ),
            ),
        )
        # A stop before the start gives an empty array, as Trino's sequence does.
        steps = call(
            "range", exp.Literal.number(0), call("greatest", count, exp.Literal.number(0))
        )
        return call("list_transform", steps, exp.Lambda(this=point, expressions=[index]))

    def interpolation(
        self, node: exp.Expression, name: str, args: list[exp.Expression]
    ) -> exp.Expression:
        if (name == "interpolate_fill") != (len(args) == 3):
            raise self.rewritten.error(_offset(node), f"Unexpected parameters for {name}")
        series = exp.Cast(this=args[0], to=exp.DataType.build(_TIMESERIES_TYPE, dialect="duckdb"))
        times = args[1]
        many = isinstance(times, (exp.GenerateSeries, exp.Array, exp.ArrayAgg)) or (
            # ``list_transform``: a sequence of timestamps already rewritten (below).
            isinstance(times, exp.Anonymous)
            and times.name.lower() in ("sequence", "list_transform")
        )
        if not many:
            times = exp.Array(expressions=[times])
        times = exp.Cast(this=times, to=exp.DataType.build("TIMESTAMP_NS[]", dialect="duckdb"))
        extra = [exp.Cast(this=args[2], to=exp.DataType.build("DOUBLE"))] if len(args) == 3 else []
        interpolated = call(_INTERPOLATIONS[name], series, times, *extra)
        if many:
            return interpolated
        # The scalar form: the value at that one instant (NULL outside the series).
        first = call("list_extract", interpolated, exp.Literal.number(1))
        return call("struct_extract", first, exp.Literal.string("value"))

    def reduce(self, node: exp.Reduce) -> exp.Expression:
        merge = node.args.get("merge")
        finish = node.args.get("finish")
        if not isinstance(merge, exp.Lambda):
            raise self.rewritten.error(_offset(node), "reduce needs a lambda (s, x) -> ...")
        reduced = call("list_reduce", node.this, merge, node.args["initial"])
        if finish is None:
            return reduced
        if not isinstance(finish, exp.Lambda) or len(finish.expressions) != 1:
            raise self.rewritten.error(_offset(node), "reduce needs a lambda s -> ...")
        state = finish.expressions[0].name
        body = finish.this.copy()

        def is_state(inner: exp.Expression) -> bool:
            if isinstance(inner, exp.Identifier):
                return bool(inner.name == state)
            return isinstance(inner, exp.Column) and not inner.table and inner.name == state

        def inline(inner: exp.Expression) -> exp.Expression:
            if isinstance(inner, exp.Dot) and is_state(inner.this):
                return call(
                    "struct_extract", reduced.copy(), exp.Literal.string(inner.expression.name)
                )
            if isinstance(inner, exp.Column) and inner.table == state and not inner.args.get("db"):
                return call("struct_extract", reduced.copy(), exp.Literal.string(inner.name))
            if is_state(inner) and not isinstance(inner.parent, exp.Column):
                return reduced.copy()
            return inner

        if is_state(body):
            return reduced
        transformed: exp.Expression = body.transform(inline)
        return transformed

    # --- unnest -------------------------------------------------------------------

    def unnest(self, tree: exp.Expression) -> None:
        for node in list(tree.find_all(exp.Unnest)):
            if not isinstance(node.parent, (exp.Join, exp.From)):
                continue
            if node.args.get("offset"):
                raise self.rewritten.error(
                    _offset(node), "UNNEST ... WITH ORDINALITY is not supported by tsmock"
                )
            marker = f"{_UNNEST_MARKER}{len(self.unnests)}"
            items = ", ".join(
                f"UNNEST({arg.sql(dialect='duckdb')}, recursive := true)"
                for arg in node.expressions
            )
            self.unnests[marker] = f"LATERAL (SELECT {items})"
            alias = node.args.get("alias")
            replacement = exp.Table(this=exp.to_identifier(marker))
            if isinstance(alias, exp.TableAlias):
                replacement.set("alias", alias)
            node.replace(replacement)

    def finish_sql(self, sql: str) -> str:
        for marker, text in self.unnests.items():
            sql = sql.replace(marker, text)
        return sql


def translate(
    rewritten: prepass.Rewritten,
    catalog: Catalog,
    column_types: Callable[[Table], dict[str, str]],
) -> Translation:
    """DuckDB SQL for one query (raises positioned ValidationExceptions).

    ``column_types`` gives a table's columns and ScalarTypes, for the type checks
    DuckDB would not make (`tsmock.backend.query.typecheck`).
    """
    tree = parse(rewritten)
    rewriter = _Rewriter(rewritten, catalog)
    rewriter.resolve_tables(tree)
    typecheck.check(
        tree,
        {alias: column_types(t) for alias, t in rewriter.table_by_alias.items()},
        lambda node, message: rewritten.error(_offset(node), message),
    )
    # Children first, so that a rewrite sees its arguments already rewritten.
    for node in reversed(list(tree.walk(bfs=False))):
        if node is tree or not isinstance(node, exp.Expression):
            continue
        replacement = rewriter.rewrite(node)
        if replacement is not node:
            node.replace(replacement)
    # Durations their callers did not consume are INTERVALs.
    for node in list(tree.find_all(exp.Anonymous)):
        if _literal_ns(node) is not None:
            node.replace(rewriter.duration(node))
    rewriter.unnest(tree)
    outputs: list[OutputColumn] = []
    select = outermost_select(tree)
    if select is not None:
        outputs = name_outputs(select, rewriter.table_of_alias)
    try:
        generated = tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as unsupported:
        # Never a silently different query: what cannot be carried over is refused.
        raise ValidationException(
            f"{position_prefix(1, 1)}Unsupported construct: {unsupported}"
        ) from None
    sql = rewriter.finish_sql(generated)
    parameters = list(dict.fromkeys(name.lower() for name, _ in rewritten.parameters))
    return Translation(sql, rewriter.views, outputs, parameters)
