"""Any query text gets a result or a service error, never a Python exception."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from query_helpers import NOW_MS, make_table, single, write

from tsmock.backend.errors import TimestreamError
from tsmock.backend.service import TimestreamWriteBackend

_PIECES = [
    "SELECT",
    "*",
    ",",
    "FROM",
    "db.t",
    '"db"."t"',
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "LIMIT",
    "1",
    "1.5",
    "'x'",
    "h",
    "time",
    "measure_value::double",
    "measure_name",
    "(",
    ")",
    "+",
    "-",
    "/",
    "=",
    "<",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "15s",
    "2h",
    "ago(1h)",
    "now()",
    "bin(time, 1m)",
    "avg(",
    "count(*)",
    "create_time_series(time, measure_value::double)",
    "ARRAY[1, 2]",
    "sequence(",
    "UNNEST(",
    "CROSS JOIN",
    "AS",
    "x",
    "->",
    "filter(",
    "reduce(",
    "CAST(",
    "ROW(",
    "DOUBLE",
    "BIGINT",
    "timestamp '2020-01-01 00:00:00'",
    "interpolate_linear(",
    "WITH",
    "v",
    "AS (",
    "SHOW",
    "TABLES",
    "DESCRIBE",
    "DATABASES",
    "MEASURES",
    "IN",
    "db",
    "@p",
    '"',
    "'",
    ";",
    "[",
    "]",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "IF(",
    "DISTINCT",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14))
def test_any_text_is_answered(query_backend: Any, frozen: Any, pieces: list[str]) -> None:
    backend: TimestreamWriteBackend = query_backend.write_backend
    if "db" not in backend.databases:
        make_table(backend)
        write(backend, "db", "t", [single({"h": "a"}, "cpu", "1.5", "DOUBLE", NOW_MS)])
    text = " ".join(pieces)
    with contextlib.suppress(TimestreamError):
        query_backend.query(text)


_ATOMS = [
    "1",
    "2.5",
    "'a'",
    "h",
    "time",
    "measure_value::double",
    "now()",
    "NULL",
    "TRUE",
    "ARRAY[1, 2]",
    "create_time_series(time, measure_value::double)",
    "15s",
    "x.value",
    "timestamp '2020-01-01 00:00:00'",
    "date '2020-01-01'",
    "interval '1' day",
]
_CALLS = [
    "abs({})",
    "round({}, 2)",
    "bin({}, 15s)",
    "ago({})",
    "to_milliseconds({})",
    "from_milliseconds({})",
    "avg({})",
    "count({})",
    "min({})",
    "filter({}, x -> x.value > 1)",
    "reduce({}, 0, (s, x) -> s + 1, s -> s)",
    "cardinality({})",
    "CAST({} AS DOUBLE)",
    "CAST({} AS VARCHAR)",
    "interpolate_linear({}, sequence(now() - 1h, now(), 10m))",
    "interpolate_locf({}, now())",
    "date_trunc('hour', {})",
    "IF({} IS NULL, 1, 2)",
    "{} + 1",
    "{} - 1h",
    "{} = 'a'",
    "upper({})",
    "sequence({}, 3)",
]
_expressions = st.recursive(
    st.sampled_from(_ATOMS),
    lambda inner: st.builds(lambda call, arg: call.format(arg), st.sampled_from(_CALLS), inner),
    max_leaves=4,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_expressions, min_size=1, max_size=3), st.booleans())
def test_any_expression_is_answered(
    query_backend: Any, frozen: Any, expressions: list[str], grouped: bool
) -> None:
    backend: TimestreamWriteBackend = query_backend.write_backend
    if "db" not in backend.databases:
        make_table(backend)
        write(backend, "db", "t", [single({"h": "a"}, "cpu", "1.5", "DOUBLE", NOW_MS)])
    text = f"SELECT {', '.join(expressions)} FROM db.t" + (" GROUP BY h" if grouped else "")
    with contextlib.suppress(TimestreamError):
        query_backend.query(text)
