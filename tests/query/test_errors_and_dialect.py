"""Error answers with positions, PrepareQuery, scheduled runs, and dialect constructs."""

from __future__ import annotations

from typing import Any

import pytest
from query_helpers import ACCOUNT, NOW_MS, make_table, single, write

from tsmock.backend.errors import ValidationException
from tsmock.backend.query.result import ColumnType, QueryResult
from tsmock.backend.query.service import QueryBackend


@pytest.fixture
def hosts(write_backend: Any, query_backend: Any, frozen: Any) -> Any:
    make_table(write_backend, "my-db", "my.table")
    records = [
        single({"hostId": f"h{i % 2}"}, "cpu", str(10.0 * i), "DOUBLE", NOW_MS - i * 1000)
        for i in range(6)
    ]
    write(write_backend, "my-db", "my.table", records)
    return query_backend


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('SELECT nosuch FROM "my-db"."my.table"', r"^line 1:8: Column 'nosuch' does not exist$"),
        (
            'SELECT "hostId" FROM "my-db"."my.table"\nWHERE  other = 1',
            r"^line 2:8: Column 'other' does not exist$",
        ),
        (
            'SELECT * FROM "nodb"."t"',
            r"^Requested database 'nodb' not found for identifier 'nodb.t' at line 1:15$",
        ),
        ('SELECT * FROM "my-db".nosuch', r"^line 1:15: Table 'my-db.nosuch' does not exist$"),
        ("SELECT * FROM", r"^line 1:\d+: "),
        ("SELEC 1", r"^line 1:\d+: "),
        ("DELETE FROM x", r"^line 1:1: "),
        ("SELECT foo(1)", r"^line 1:8: Function 'foo' not registered$"),
        ("SELECT @scheduled_runtime", r"^line 1:8: "),
        ("SELECT @p", r"^line 1:8: "),
        ("SELECT 24Gju", r"^line 1:8: identifiers must not start with a digit"),
        ("SHOW TABLES FROM nodb", r"nodb"),
        ("DESCRIBE nodb.t", r"^Requested database 'nodb' not found"),
        ("SELECT * FROM t", r"^line 1:15: Table 't' does not exist$"),
        ("SELECT now() + 50ns", r"^line 1:16: "),
    ],
)
def test_validation_errors(hosts: Any, query: str, message: str) -> None:
    with pytest.raises(ValidationException, match=message):
        hosts.query(query)


def test_type_error_is_validation(hosts: Any) -> None:
    with pytest.raises(ValidationException):
        hosts.query("SELECT abs('x')")


def test_quoted_names_and_measure_value(hosts: Any) -> None:
    response = hosts.query(
        'SELECT "hostId", sum(measure_value::double) AS s FROM "my-db"."my.table" '
        'GROUP BY "hostId" ORDER BY "hostId"'
    )
    rows = [[d["ScalarValue"] for d in r["Data"]] for r in response["Rows"]]
    assert rows == [["h0", "60.0"], ["h1", "90.0"]]


def test_durations(hosts: Any) -> None:
    response = hosts.query(
        'SELECT count(*) FROM "my-db"."my.table" WHERE time > ago(2500ms) AND time <= now()'
    )
    assert response["Rows"][0]["Data"][0]["ScalarValue"] == "3"
    response = hosts.query(
        "SELECT now() - 12second, now() + (1h + 10us), bin(now(), 1d), now() - 2m"
    )
    assert [d["ScalarValue"] for d in response["Rows"][0]["Data"]] == [
        "2024-01-01 11:59:48.000000000",
        "2024-01-01 13:00:00.000010000",
        "2024-01-01 00:00:00.000000000",
        "2024-01-01 11:58:00.000000000",
    ]


def test_unnest_arrays_with_and_without_alias(hosts: Any) -> None:
    response = hosts.query(
        "SELECT n FROM (SELECT ARRAY[3, 1, 2] AS a) CROSS JOIN UNNEST(a) AS t(n)"
    )
    assert sorted(int(r["Data"][0]["ScalarValue"]) for r in response["Rows"]) == [1, 2, 3]
    response = hosts.query(
        "SELECT time, value FROM (SELECT CREATE_TIME_SERIES(time, measure_value::double) AS s "
        'FROM "my-db"."my.table" WHERE "hostId" = \'h0\') CROSS JOIN UNNEST(s) ORDER BY time'
    )
    assert [float(r["Data"][1]["ScalarValue"]) for r in response["Rows"]] == [40.0, 20.0, 0.0]


def test_filter_transform_reduce_on_arrays(hosts: Any) -> None:
    response = hosts.query(
        "SELECT filter(ARRAY[1, 5, 7], x -> x > 2), reduce(ARRAY[1, 2, 3], 0, (s, x) -> s + x, "
        "s -> s * 10), transform(ARRAY[1, 2], x -> x * 2), cardinality(ARRAY[1, 2])"
    )
    data = response["Rows"][0]["Data"]
    assert data[0] == {"ArrayValue": [{"ScalarValue": "5"}, {"ScalarValue": "7"}]}
    assert data[1] == {"ScalarValue": "60"}
    assert data[2] == {"ArrayValue": [{"ScalarValue": "2"}, {"ScalarValue": "4"}]}
    assert data[3] == {"ScalarValue": "2"}


def test_prepare_query(hosts: Any) -> None:
    response = hosts.prepare_query(
        'SELECT "hostId", measure_value::double AS v, 1 FROM "my-db"."my.table" '
        "WHERE time > @scheduled_runtime - 1h",
        validate_only=True,
    )
    assert [c["Name"] for c in response["Columns"]] == ["hostId", "v", "_col2"]
    assert response["Columns"][0]["DatabaseName"] == "my-db"
    assert response["Columns"][0]["TableName"] == "my.table"
    assert [c["Aliased"] for c in response["Columns"]] == [False, True, False]
    assert response["Parameters"] == [
        {"Name": "@scheduled_runtime", "Type": {"ScalarType": "TIMESTAMP"}}
    ]
    with pytest.raises(ValidationException):
        hosts.prepare_query("SELECT 1", validate_only=False)
    with pytest.raises(ValidationException, match="Column 'x' does not exist"):
        hosts.prepare_query('SELECT x FROM "my-db"."my.table"', validate_only=True)



@pytest.mark.parametrize(
    ("query", "parameters"),
    [
        ("SELECT '@scheduled_runtime' AS s", []),
        ("SELECT 1 -- @scheduled_runtime", []),
        (
            "SELECT @scheduled_runtime AS a, @Scheduled_Runtime AS b",
            [{"Name": "@scheduled_runtime", "Type": {"ScalarType": "TIMESTAMP"}}],
        ),
    ],
)
def test_prepare_query_parameters_are_tokens_not_text(
    query_backend: Any, query: str, parameters: list[dict[str, Any]]
) -> None:
    # Text inside a string or a comment is not a parameter; one entry per name.
    response = query_backend.prepare_query(query, validate_only=True)
    assert response["Parameters"] == parameters

def test_run_for_scheduled_queries(hosts: Any) -> None:
    result = hosts.run(
        'SELECT "hostId", time, measure_value::double AS v, @scheduled_runtime AS at, '
        'date \'2020-01-02\' AS d, ARRAY[1] AS a FROM "my-db"."my.table" ORDER BY time LIMIT 1',
        scheduled_runtime_ns=1_600_000_000_123_456_789,
    )
    assert isinstance(result, QueryResult)
    assert result.scalar_columns() == [
        ("hostId", "VARCHAR"),
        ("time", "TIMESTAMP"),
        ("v", "DOUBLE"),
        ("at", "TIMESTAMP"),
        ("d", "DATE"),
        ("a", "ARRAY"),
    ]
    (row,) = result.rows
    assert row[0] == "h1"
    assert row[1] == (NOW_MS - 5000) * 1_000_000
    assert row[2] == 50.0 and isinstance(row[2], float)
    assert row[3] == 1_600_000_000_123_456_789
    assert row[4] == __import__("datetime").date(2020, 1, 2)
    assert row[5] == [1]


def test_validate(hosts: Any) -> None:
    columns = hosts.validate(
        'SELECT create_time_series(time, measure_value::double) AS s FROM "my-db"."my.table"',
    )
    assert columns[0].type == ColumnType.timeseries_of(ColumnType.of_scalar("DOUBLE"))
    with pytest.raises(ValidationException):
        hosts.validate("SELECT @scheduled_runtime")
    assert hosts.validate("SELECT @scheduled_runtime", allow_scheduled_runtime=True)[0].type == (
        ColumnType.of_scalar("TIMESTAMP")
    )


def test_describe_endpoints(query_backend: Any) -> None:
    assert query_backend.describe_endpoints() == [
        {"Address": "query-cell1.timestream.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440}
    ]


def test_describe_endpoints_in_china_has_the_write_sides_dns_suffix(
    new_write_backend: Any,
) -> None:
    query_backend = QueryBackend(new_write_backend(ACCOUNT, "cn-north-1"))
    assert query_backend.describe_endpoints() == [
        {
            "Address": "query-cell1.timestream.cn-north-1.amazonaws.com.cn",
            "CachePeriodInMinutes": 1440,
        }
    ]


def test_clock_functions_and_conversions(query_backend: Any, frozen: Any) -> None:
    response = query_backend.query(
        "SELECT current_date, current_time, current_timezone(), "
        "to_iso8601(timestamp '2020-01-01 00:00:00'), "
        "from_iso8601_timestamp('2020-01-01T01:02:03Z'), hour(now()), localtimestamp, "
        "current_timestamp(3)"
    )
    assert [d["ScalarValue"] for d in response["Rows"][0]["Data"]] == [
        "2024-01-01",
        "12:00:00.000000000",
        "UTC",
        "2020-01-01T00:00:00.000Z",
        "2020-01-01 01:02:03.000000000",
        "12",
        "2024-01-01 12:00:00.000000000",
        "2024-01-01 12:00:00.000000000",
    ]


def test_scalar_interpolation(hosts: Any) -> None:
    response = hosts.query(
        "SELECT interpolate_linear(create_time_series(time, measure_value::double), "
        "now() - 1500ms), interpolate_locf(create_time_series(time, measure_value::double), "
        'now() - 1500ms) FROM "my-db"."my.table"'
    )
    # Points at now - 1 s (10.0) and now - 2 s (20.0).
    assert [d["ScalarValue"] for d in response["Rows"][0]["Data"]] == ["15.0", "20.0"]


def test_sequence_of_timestamps_keeps_nanoseconds(query_backend: Any) -> None:
    response = query_backend.query(
        "SELECT sequence(from_nanoseconds(1000000000000000001), "
        "from_nanoseconds(1000000000000000301), 100ns), "
        "sequence(timestamp '2020-01-01 00:00:02', timestamp '2020-01-01 00:00:00', 1s)"
    )
    data = response["Rows"][0]["Data"]
    assert [d["ScalarValue"][-9:] for d in data[0]["ArrayValue"]] == [
        "000000001",
        "000000101",
        "000000201",
        "000000301",
    ]
    assert data[1] == {"ArrayValue": []}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            'SELECT * FROM "my-db"."my.table" WHERE measure_value::double = \'abc\'',
            r"^line 1:40: Cannot apply operator: double = varchar\(3\)$",
        ),
        (
            'SELECT * FROM "my-db"."my.table" WHERE "hostId" = 5',
            r"^line 1:40: Cannot apply operator: varchar = integer$",
        ),
        (
            'SELECT * FROM "my-db"."my.table" WHERE "hostId"',
            r"^line 1:40: WHERE clause must evaluate to a boolean: actual type varchar$",
        ),
    ],
)
def test_type_errors(hosts: Any, query: str, message: str) -> None:
    with pytest.raises(ValidationException, match=message):
        hosts.query(query)


def test_names_defined_in_the_query_are_not_type_checked(hosts: Any) -> None:
    response = hosts.query(
        'WITH c AS (SELECT CAST(measure_value::double AS VARCHAR) AS "hostId" '
        'FROM "my-db"."my.table") SELECT count(*) FROM c WHERE "hostId" = \'10.0\''
    )
    assert response["Rows"][0]["Data"][0]["ScalarValue"] == "1"


def test_type_checks_follow_columns_written_since_an_earlier_run(
    write_backend: Any, query_backend: Any, frozen: Any
) -> None:
    # The same text again after a write added the column: checked against the
    # columns of now, not those of the first run.
    make_table(write_backend)
    write(write_backend, "db", "t", [single({"h": "a"}, "s", "x", "VARCHAR", NOW_MS)])
    query = "SELECT * FROM db.t WHERE measure_value::double = 'abc'"
    with pytest.raises(ValidationException, match=r"Column 'measure_value::double' does not"):
        query_backend.query(query)
    write(write_backend, "db", "t", [single({"h": "a"}, "c", "1.5", "DOUBLE", NOW_MS)])
    with pytest.raises(
        ValidationException, match=r"^line 1:26: Cannot apply operator: double = varchar\(3\)$"
    ):
        query_backend.query(query)
