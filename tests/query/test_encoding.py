"""Value texts and Datum shapes of results."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsmock.backend.query.encoding import (
    datum,
    encode_rows,
    format_day_to_second,
    format_double,
    format_time,
    format_timestamp,
    format_year_to_month,
)
from tsmock.backend.query.result import Column, ColumnType, QueryResult

DOUBLE = ColumnType.of_scalar("DOUBLE")
TIMESTAMP = ColumnType.of_scalar("TIMESTAMP")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (40.0, "40.0"),
        (0.13194831754663383, "0.13194831754663383"),
        (34.840635191284385, "34.840635191284385"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (1e-4, "1.0E-4"),
        (0.001, "0.001"),
        (-2.5e-10, "-2.5E-10"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
    ],
)
def test_double_texts(number: float, text: str) -> None:
    assert format_double(number) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_texts_round_trip(number: float) -> None:
    assert float(format_double(number)) == number


def test_time_texts() -> None:
    assert format_timestamp(0) == "1970-01-01 00:00:00.000000000"
    assert format_timestamp(1_651_822_538_000_000_001) == "2022-05-06 07:35:38.000000001"
    assert format_time(17 * 3600 * 10**9 + 2 * 60 * 10**9 + 7_496_000_000) == "17:02:07.496000000"
    assert format_day_to_second((86400 + 21 * 3600) * 10**9) == "1 21:00:00.000000000"
    assert format_year_to_month(31) == "2-7"


def test_nested_datums() -> None:
    series = ColumnType.timeseries_of(DOUBLE)
    assert datum([(0, 1.0), (1, None)], series) == {
        "TimeSeriesValue": [
            {"Time": "1970-01-01 00:00:00.000000000", "Value": {"ScalarValue": "1.0"}},
            {"Time": "1970-01-01 00:00:00.000000001", "Value": {"NullValue": True}},
        ]
    }
    row = ColumnType.row_of([Column("a", DOUBLE), Column("d", ColumnType.of_scalar("DATE"))])
    assert datum((2.0, date(2020, 1, 2)), row) == {
        "RowValue": {"Data": [{"ScalarValue": "2.0"}, {"ScalarValue": "2020-01-02"}]}
    }
    assert datum(None, series) == {"NullValue": True}
    assert encode_rows([(True, None)], [ColumnType.of_scalar("BOOLEAN"), TIMESTAMP]) == [
        {"Data": [{"ScalarValue": "true"}, {"NullValue": True}]}
    ]


def test_query_result_summaries() -> None:
    result = QueryResult(
        [
            Column("t", TIMESTAMP),
            Column("a", ColumnType.array_of(DOUBLE)),
            Column("s", ColumnType.timeseries_of(DOUBLE)),
            Column("r", ColumnType.row_of([Column("x", DOUBLE)])),
        ]
    )
    assert result.scalar_columns() == [
        ("t", "TIMESTAMP"),
        ("a", "ARRAY"),
        ("s", "TIMESERIES"),
        ("r", "ROW"),
    ]
    assert result.column_info()[1] == {
        "Name": "a",
        "Type": {"ArrayColumnInfo": {"Type": {"ScalarType": "DOUBLE"}}},
    }
