"""Table views, column types, NULLs, value formats and metadata statements."""

from __future__ import annotations

import re
from typing import Any

import pytest
from query_helpers import NOW_MS, make_table, single, write

from tsmock.backend.errors import ValidationException
from tsmock.backend.query.errors import QueryExecutionException
from tsmock.backend.query.service import QueryBackend


def scalar(response: dict[str, Any]) -> list[list[Any]]:
    """Rows as lists of ScalarValue texts (None for NullValue)."""
    return [
        [d.get("ScalarValue") if "ScalarValue" in d else None for d in row["Data"]]
        for row in response["Rows"]
    ]


def types(response: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(c["Name"], c["Type"]) for c in response["ColumnInfo"]]


@pytest.fixture
def mixed(write_backend: Any, frozen: Any) -> Any:
    make_table(write_backend)
    write(
        write_backend,
        "db",
        "t",
        [
            single({"host": "a"}, "cpu", "40", "DOUBLE", NOW_MS - 3000),
            single({"host": "b", "az": "1a"}, "count", "7", "BIGINT", NOW_MS - 2000),
            single({"host": "a"}, "state", "ok", "VARCHAR", NOW_MS - 1000),
            {
                "Dimensions": [{"Name": "host", "Value": "c"}],
                "MeasureName": "metrics",
                "MeasureValueType": "MULTI",
                "MeasureValues": [
                    {"Name": "temp", "Value": "21.5", "Type": "DOUBLE"},
                    {"Name": "on", "Value": "true", "Type": "BOOLEAN"},
                    {"Name": "seen", "Value": str((NOW_MS - 500) * 1_000_000), "Type": "TIMESTAMP"},
                ],
                "Time": str(NOW_MS * 1_000_000 - 123),
                "TimeUnit": "NANOSECONDS",
            },
        ],
    )
    return write_backend


def test_select_star_columns_types_and_nulls(query_backend: Any, mixed: Any) -> None:
    response = query_backend.query('SELECT * FROM "db"."t" ORDER BY time')
    names = [name for name, _ in types(response)]
    assert names[:2] == ["host", "az"] or set(names[:2]) == {"host", "az"}
    assert names[2:] == [
        "measure_name",
        "time",
        "measure_value::double",
        "measure_value::bigint",
        "measure_value::varchar",
        "temp",
        "on",
        "seen",
    ]
    by_name = dict(types(response))
    assert by_name["time"] == {"ScalarType": "TIMESTAMP"}
    assert by_name["measure_value::bigint"] == {"ScalarType": "BIGINT"}
    assert by_name["on"] == {"ScalarType": "BOOLEAN"}
    assert by_name["seen"] == {"ScalarType": "TIMESTAMP"}
    rows = [dict(zip(names, row, strict=True)) for row in scalar(response)]
    assert rows[0]["measure_value::double"] == "40.0"
    assert rows[0]["az"] is None and rows[0]["measure_value::bigint"] is None
    assert rows[0]["time"] == "2024-01-01 11:59:57.000000000"
    assert rows[1]["measure_value::bigint"] == "7" and rows[1]["az"] == "1a"
    assert rows[2]["measure_value::varchar"] == "ok"
    multi = rows[3]
    assert multi["time"] == "2024-01-01 11:59:59.999999877"
    assert multi["temp"] == "21.5" and multi["on"] == "true"
    assert multi["seen"] == "2024-01-01 11:59:59.500000000"
    assert multi["measure_value::double"] is None
    null = response["Rows"][3]["Data"][names.index("measure_value::double")]
    assert null == {"NullValue": True}


def test_only_present_value_columns(write_backend: Any, query_backend: Any, frozen: Any) -> None:
    make_table(write_backend)
    write(write_backend, "db", "t", [single({"r": "x"}, "m", "1.5", "DOUBLE", NOW_MS)])
    response = query_backend.query("SELECT * FROM db.t")
    assert [n for n, _ in types(response)] == ["r", "measure_name", "time", "measure_value::double"]


def test_empty_table(write_backend: Any, query_backend: Any) -> None:
    make_table(write_backend)
    response = query_backend.query("SELECT * FROM db.t")
    assert [n for n, _ in types(response)] == ["measure_name", "time"]
    assert response["Rows"] == []
    with pytest.raises(ValidationException, match=r"^line 1:8: Column 'host' does not exist$"):
        query_backend.query("SELECT host FROM db.t")


def test_latest_version_only(write_backend: Any, query_backend: Any, frozen: Any) -> None:
    make_table(write_backend)
    record = single({"h": "a"}, "cpu", "1.0", "DOUBLE", NOW_MS)
    write(write_backend, "db", "t", [{**record, "Version": 1}])
    assert scalar(query_backend.query("SELECT measure_value::double FROM db.t")) == [["1.0"]]
    write(write_backend, "db", "t", [{**record, "MeasureValue": "2.0", "Version": 2}])
    assert scalar(query_backend.query("SELECT measure_value::double FROM db.t")) == [["2.0"]]


def test_view_is_rebuilt_on_generation(write_backend: Any, query_backend: Any, frozen: Any) -> None:
    make_table(write_backend)
    write(write_backend, "db", "t", [single({"h": "a"}, "cpu", "1.0", "DOUBLE", NOW_MS)])
    assert scalar(query_backend.query("SELECT count(*) FROM db.t")) == [["1"]]
    write(write_backend, "db", "t", [single({"h": "b"}, "cpu", "1.0", "DOUBLE", NOW_MS)])
    assert scalar(query_backend.query("SELECT count(*) FROM db.t")) == [["2"]]


def test_records_past_retention_are_gone(
    write_backend: Any, query_backend: Any, frozen: Any
) -> None:
    make_table(
        write_backend,
        retention_properties={
            "MemoryStoreRetentionPeriodInHours": 1,
            "MagneticStoreRetentionPeriodInDays": 1,
        },
    )
    write(write_backend, "db", "t", [single({"h": "a"}, "cpu", "1.0", "DOUBLE", NOW_MS)])
    assert scalar(query_backend.query("SELECT count(*) FROM db.t")) == [["1"]]
    frozen.tick(delta=__import__("datetime").timedelta(hours=26))
    assert scalar(query_backend.query("SELECT count(*) FROM db.t")) == [["0"]]


@pytest.mark.parametrize(
    ("expression", "scalar_type", "text"),
    [
        ("1", "INTEGER", "1"),
        ("'two'", "VARCHAR", "two"),
        ("TRUE", "BOOLEAN", "true"),
        ("1 = 2", "BOOLEAN", "false"),
        ("1.5", "DOUBLE", "1.5"),
        ("DOUBLE '40'", "DOUBLE", "40.0"),
        ("CAST(10000000 AS DOUBLE)", "DOUBLE", "1.0E7"),
        ("CAST(0.0001 AS DOUBLE)", "DOUBLE", "1.0E-4"),
        ("timestamp '2020-08-08 01:00'", "TIMESTAMP", "2020-08-08 01:00:00.000000000"),
        (
            "timestamp '2020-08-08 01:00:00.123456789'",
            "TIMESTAMP",
            "2020-08-08 01:00:00.123456789",
        ),
        ("date '2020-08-08'", "DATE", "2020-08-08"),
        ("time '01:00'", "TIME", "01:00:00.000000000"),
        ("interval '2' day - interval '3' hour", "INTERVAL_DAY_TO_SECOND", "1 21:00:00.000000000"),
        ("interval '3' year - interval '5' month", "INTERVAL_YEAR_TO_MONTH", "2-7"),
        ("count(*)", "BIGINT", "1"),
        ("from_milliseconds(1600000000123)", "TIMESTAMP", "2020-09-13 12:26:40.123000000"),
        ("from_nanoseconds(1600000000123456789)", "TIMESTAMP", "2020-09-13 12:26:40.123456789"),
        ("to_milliseconds(timestamp '2020-09-13 12:26:40.123')", "BIGINT", "1600000000123"),
        (
            "to_nanoseconds(timestamp '2020-09-13 12:26:40.123456789')",
            "BIGINT",
            "1600000000123456789",
        ),
        ("bin(timestamp '2020-09-13 12:26:47', 15s)", "TIMESTAMP", "2020-09-13 12:26:45.000000000"),
        ("timestamp '2020-01-01 00:00:00' + 1h", "TIMESTAMP", "2020-01-01 01:00:00.000000000"),
        (
            "date_trunc('hour', timestamp '2020-01-01 05:43:21')",
            "TIMESTAMP",
            "2020-01-01 05:00:00.000000000",
        ),
        ("IF(1 < 2, 'y', 'n')", "VARCHAR", "y"),
        ("5 / 2", "INTEGER", "2"),
        ("round(2.345, 2)", "DOUBLE", "2.35"),
    ],
)
def test_scalar_expressions(
    query_backend: Any, expression: str, scalar_type: str, text: str
) -> None:
    response = query_backend.query(f"SELECT {expression}")
    assert response["ColumnInfo"] == [{"Name": "_col0", "Type": {"ScalarType": scalar_type}}]
    assert scalar(response) == [[text]]


def test_now_and_ago_follow_the_frozen_clock(query_backend: Any, frozen: Any) -> None:
    response = query_backend.query("SELECT now() AS n, ago(1h) AS a, current_timestamp AS c")
    assert scalar(response) == [
        [
            "2024-01-01 12:00:00.000000000",
            "2024-01-01 11:00:00.000000000",
            "2024-01-01 12:00:00.000000000",
        ]
    ]


def test_ago_is_one_operand(query_backend: Any, frozen: Any) -> None:
    response = query_backend.query("SELECT now() - ago(1h), ago(1h) - now(), ago(2h) < ago(1h)")
    assert scalar(response) == [["0 01:00:00.000000000", "-0 01:00:00.000000000", "true"]]


def test_column_names(query_backend: Any, mixed: Any) -> None:
    response = query_backend.query(
        "SELECT measure_name, CASE WHEN host = 'a' THEN 1 ELSE 0 END, host AS h, "
        "measure_value::double FROM db.t"
    )
    assert [n for n, _ in types(response)] == [
        "measure_name",
        "_col1",
        "h",
        "measure_value::double",
    ]


def test_nested_types(query_backend: Any) -> None:
    response = query_backend.query(
        "SELECT ARRAY[1, 2], CAST(ROW(1, 'a') AS ROW(x BIGINT, y VARCHAR)), "
        "sequence(1, 3), ARRAY[CAST(NULL AS INTEGER)]"
    )
    assert types(response)[0][1] == {"ArrayColumnInfo": {"Type": {"ScalarType": "INTEGER"}}}
    assert types(response)[1][1] == {
        "RowColumnInfo": [
            {"Name": "x", "Type": {"ScalarType": "BIGINT"}},
            {"Name": "y", "Type": {"ScalarType": "VARCHAR"}},
        ]
    }
    data = response["Rows"][0]["Data"]
    assert data[0] == {"ArrayValue": [{"ScalarValue": "1"}, {"ScalarValue": "2"}]}
    assert data[1] == {"RowValue": {"Data": [{"ScalarValue": "1"}, {"ScalarValue": "a"}]}}
    assert len(data[2]["ArrayValue"]) == 3
    assert data[3] == {"ArrayValue": [{"NullValue": True}]}


def test_metadata_statements(write_backend: Any, query_backend: Any, mixed: Any) -> None:
    write_backend.create_database("other")
    write_backend.create_table("db", "a_table")
    assert scalar(query_backend.query("SHOW DATABASES")) == [["db"], ["other"]]
    assert scalar(query_backend.query("SHOW DATABASES LIKE 'o%'")) == [["other"]]
    response = query_backend.query("SHOW TABLES FROM db")
    assert response["ColumnInfo"] == [{"Name": "Table", "Type": {"ScalarType": "VARCHAR"}}]
    assert scalar(response) == [["a_table"], ["t"]]
    assert scalar(query_backend.query("SHOW TABLES IN \"db\" LIKE 't'")) == [["t"]]
    measures = query_backend.query("SHOW MEASURES FROM db.t")
    assert [c["Name"] for c in measures["ColumnInfo"]] == [
        "measure_name",
        "data_type",
        "dimensions",
    ]
    assert measures["ColumnInfo"][2]["Type"] == {
        "ArrayColumnInfo": {
            "Type": {
                "RowColumnInfo": [
                    {"Name": "dimension_name", "Type": {"ScalarType": "VARCHAR"}},
                    {"Name": "data_type", "Type": {"ScalarType": "VARCHAR"}},
                ]
            }
        }
    }
    rows = measures["Rows"]
    assert [r["Data"][0]["ScalarValue"] for r in rows] == ["count", "cpu", "metrics", "state"]
    assert [r["Data"][1]["ScalarValue"] for r in rows] == ["bigint", "double", "multi", "varchar"]
    count_dims = rows[0]["Data"][2]["ArrayValue"]
    assert {d["RowValue"]["Data"][0]["ScalarValue"] for d in count_dims} == {"host", "az"}
    assert scalar(query_backend.query("SHOW MEASURES FROM db.t LIKE 'c%'"))[0][0] == "count"
    described = scalar(query_backend.query("DESCRIBE db.t"))
    assert described[2:6] == [
        ["measure_name", "varchar", "MEASURE_NAME"],
        ["time", "timestamp", "TIMESTAMP"],
        ["measure_value::double", "double", "MEASURE_VALUE"],
        ["measure_value::bigint", "bigint", "MEASURE_VALUE"],
    ]
    assert ["on", "boolean", "MULTI"] in described
    assert ["host", "varchar", "DIMENSION"] in described


def test_runtime_failure_is_query_execution(query_backend: Any) -> None:
    with pytest.raises(QueryExecutionException):
        query_backend.query("SELECT CAST('abc' AS INTEGER)")
    with pytest.raises(QueryExecutionException, match="Division by zero"):
        query_backend.query("SELECT 1 / 0")


def test_deleted_and_recreated_table(write_backend: Any, query_backend: Any, frozen: Any) -> None:
    make_table(write_backend)
    write(write_backend, "db", "t", [single({"h": "a"}, "cpu", "1.0", "DOUBLE", NOW_MS)])
    query = "SELECT h, measure_value::double FROM db.t"
    assert scalar(query_backend.query(query)) == [["a", "1.0"]]
    write_backend.delete_table("db", "t")
    with pytest.raises(ValidationException, match=r"^line 1:\d+: Table 'db.t' does not exist$"):
        query_backend.query(query)
    write_backend.create_table("db", "t")
    write(write_backend, "db", "t", [single({"h": "b"}, "cpu", "2.0", "DOUBLE", NOW_MS)])
    assert scalar(query_backend.query(query)) == [["b", "2.0"]]


def test_two_accounts_do_not_mix(
    new_write_backend: Any, write_backend: Any, query_backend: Any, frozen: Any
) -> None:
    other = new_write_backend("210987654321", "us-east-1")
    make_table(write_backend)
    make_table(other)
    write(write_backend, "db", "t", [single({"h": "a"}, "cpu", "1.0", "DOUBLE", NOW_MS)])
    write(other, "db", "t", [single({"h": "z"}, "cpu", "9.0", "DOUBLE", NOW_MS)])
    query = "SELECT h FROM db.t"
    assert scalar(query_backend.query(query)) == [["a"]]
    assert scalar(QueryBackend(other).query(query)) == [["z"]]


def test_floating_point_and_base_functions(query_backend: Any) -> None:
    response = query_backend.query(
        "SELECT e(), nan(), infinity(), -infinity(), is_nan(nan()), is_finite(1e0), "
        "is_finite(infinity()), is_infinite(-infinity()), to_base(255, 16)"
    )
    assert scalar(response) == [
        [
            "2.718281828459045",
            "NaN",
            "Infinity",
            "-Infinity",
            "true",
            "true",
            "false",
            "true",
            "ff",
        ]
    ]
    assert [t for _, t in types(response)] == [
        {"ScalarType": kind}
        for kind in ["DOUBLE"] * 4 + ["BOOLEAN"] * 4 + ["VARCHAR"]
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT from_base('ff', 16)", "255"),
        ("SELECT from_base('-101', 2)", "-5"),
        ("SELECT from_base('7fffffffffffffff', 16)", "9223372036854775807"),
        ("SELECT from_base('Z', 36)", "35"),
    ],
)
def test_from_base(query_backend: Any, sql: str, expected: str) -> None:
    response = query_backend.query(sql)
    assert scalar(response) == [[expected]]
    assert types(response)[0][1] == {"ScalarType": "BIGINT"}


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT from_base('0xff', 16)", "Not a valid base-16 number: 0xff"),
        ("SELECT from_base('1_0', 10)", "Not a valid base-10 number: 1_0"),
        ("SELECT from_base('12', 2)", "Not a valid base-2 number: 12"),
        (
            "SELECT from_base('8000000000000000', 16)",
            "Not a valid base-16 number: 8000000000000000",
        ),
        ("SELECT from_base('1', 37)", "Radix must be between 2 and 36: 37"),
    ],
)
def test_from_base_refusals(query_backend: Any, sql: str, message: str) -> None:
    with pytest.raises(QueryExecutionException, match=f"^{re.escape(message)}$"):
        query_backend.query(sql)
