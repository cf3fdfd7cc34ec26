"""Result rows to WriteRecords records by TargetConfiguration."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsmock.backend.scheduled.mapping import MappingError, map_rows, measure_value_text

T0 = 1_700_000_000_123_456_789
VERSION = 1_765_000_000_000


def target(**config: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "DatabaseName": "db",
        "TableName": "rollup",
        "TimeColumn": "t",
        "DimensionMappings": [{"Name": "region", "DimensionValueType": "VARCHAR"}],
    }
    base.update(config)
    return base


MULTI = target(
    MultiMeasureMappings={
        "TargetMultiMeasureName": "stats",
        "MultiMeasureAttributeMappings": [
            {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"},
            {
                "SourceColumn": "n",
                "MeasureValueType": "BIGINT",
                "TargetMultiMeasureAttributeName": "count",
            },
            {"SourceColumn": "ok", "MeasureValueType": "BOOLEAN"},
            {"SourceColumn": "label", "MeasureValueType": "VARCHAR"},
            {"SourceColumn": "seen", "MeasureValueType": "TIMESTAMP"},
        ],
    }
)
COLUMNS = ["region", "t", "avg_cpu", "n", "ok", "label", "seen"]


def test_multi_record_with_every_type() -> None:
    mapped = map_rows(MULTI, COLUMNS, [("eu", T0, 0.1, 7, True, "x", T0 + 1)], VERSION)
    assert mapped.errors == []
    assert mapped.records == [
        {
            "Dimensions": [{"Name": "region", "Value": "eu", "DimensionValueType": "VARCHAR"}],
            "Time": str(T0),
            "TimeUnit": "NANOSECONDS",
            "Version": VERSION,
            "MeasureName": "stats",
            "MeasureValueType": "MULTI",
            "MeasureValues": [
                {"Name": "avg_cpu", "Value": "0.1", "Type": "DOUBLE"},
                {"Name": "count", "Value": "7", "Type": "BIGINT"},
                {"Name": "ok", "Value": "true", "Type": "BOOLEAN"},
                {"Name": "label", "Value": "x", "Type": "VARCHAR"},
                {"Name": "seen", "Value": str(T0 + 1), "Type": "TIMESTAMP"},
            ],
        }
    ]


def test_nulls_leave_out_dimensions_and_attributes() -> None:
    mapped = map_rows(MULTI, COLUMNS, [(None, T0, None, 3, None, None, None)], VERSION)
    (record,) = mapped.records
    assert record["Dimensions"] == []
    assert record["MeasureValues"] == [{"Name": "count", "Value": "3", "Type": "BIGINT"}]


def test_a_row_without_any_attribute_writes_nothing() -> None:
    mapped = map_rows(MULTI, COLUMNS, [("eu", T0, None, None, None, None, None)], VERSION)
    assert mapped.records == [] and mapped.errors == []


def test_measure_name_column_names_the_multi_record() -> None:
    config = target(
        MeasureNameColumn="kind",
        MultiMeasureMappings={
            "MultiMeasureAttributeMappings": [{"SourceColumn": "v", "MeasureValueType": "DOUBLE"}]
        },
    )
    mapped = map_rows(config, ["region", "t", "kind", "v"], [("eu", T0, "cpu", 1)], VERSION)
    assert mapped.records[0]["MeasureName"] == "cpu"
    assert mapped.records[0]["MeasureValues"] == [{"Name": "v", "Value": "1.0", "Type": "DOUBLE"}]


MIXED = target(
    MeasureNameColumn="kind",
    MixedMeasureMappings=[
        {"MeasureName": "cpu", "SourceColumn": "v", "MeasureValueType": "DOUBLE"},
        {
            "MeasureName": "mem",
            "SourceColumn": "v",
            "TargetMeasureName": "memory",
            "MeasureValueType": "DOUBLE",
        },
        {"MeasureName": "state", "SourceColumn": "s", "MeasureValueType": "VARCHAR"},
        {
            "MeasureName": "both",
            "MeasureValueType": "MULTI",
            "MultiMeasureAttributeMappings": [
                {"SourceColumn": "v", "MeasureValueType": "DOUBLE"},
                {
                    "SourceColumn": "s",
                    "MeasureValueType": "VARCHAR",
                    "TargetMultiMeasureAttributeName": "text",
                },
            ],
        },
    ],
)
MIXED_COLUMNS = ["region", "t", "kind", "v", "s"]


def test_mixed_mappings_match_by_measure_name() -> None:
    rows = [
        ("eu", T0, "cpu", 0.5, None),
        ("eu", T0, "mem", 2.0, None),
        ("us", T0, "state", None, "up"),
        ("us", T0, "both", 1.5, "up"),
        ("us", T0, "unmapped", 1.5, "up"),
        ("us", T0, "cpu", None, "up"),
    ]
    mapped = map_rows(MIXED, MIXED_COLUMNS, rows, VERSION)
    assert mapped.errors == []
    summary = [
        (r["MeasureName"], r["MeasureValueType"], r.get("MeasureValue"), r.get("MeasureValues"))
        for r in mapped.records
    ]
    assert summary == [
        ("cpu", "DOUBLE", "0.5", None),
        ("memory", "DOUBLE", "2.0", None),
        ("state", "VARCHAR", "up", None),
        (
            "both",
            "MULTI",
            None,
            [
                {"Name": "v", "Value": "1.5", "Type": "DOUBLE"},
                {"Name": "text", "Value": "up", "Type": "VARCHAR"},
            ],
        ),
    ]


def test_mixed_mappings_without_measure_name_column_apply_to_every_row() -> None:
    config = target(
        MixedMeasureMappings=[
            {"SourceColumn": "v", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "s", "TargetMeasureName": "status", "MeasureValueType": "VARCHAR"},
        ]
    )
    mapped = map_rows(config, ["region", "t", "v", "s"], [("eu", T0, 1.0, "up")], VERSION)
    assert [(r["MeasureName"], r["MeasureValue"]) for r in mapped.records] == [
        ("v", "1.0"),
        ("status", "up"),
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("eu", None, 0.1, 1, True, "x", None), "Time column 't' has no TIMESTAMP value: None"),
        (("eu", T0, "high", 1, True, "x", None), "Value 'high' cannot be written as DOUBLE"),
        (("eu", T0, 0.1, 1.5, True, "x", None), "Value 1.5 cannot be written as BIGINT"),
        (("eu", T0, 0.1, 1, 1, "x", None), "Value 1 cannot be written as BOOLEAN"),
        (("eu", T0, math.nan, 1, True, "x", None), "Value nan is not a finite DOUBLE"),
        (("eu", T0, 0.1, 1, True, "x", 2.5), "Value 2.5 cannot be written as TIMESTAMP"),
    ],
)
def test_values_that_do_not_convert_are_row_errors(row: tuple[Any, ...], reason: str) -> None:
    good = ("eu", T0, 0.1, 1, True, "x", None)
    mapped = map_rows(MULTI, COLUMNS, [good, row, good], VERSION)
    assert len(mapped.records) == 2
    assert [(e.row_index, e.reason) for e in mapped.errors] == [(1, reason)]


def test_null_measure_name_is_a_row_error() -> None:
    mapped = map_rows(MIXED, MIXED_COLUMNS, [("eu", T0, None, 1.0, None)], VERSION)
    assert [e.reason for e in mapped.errors] == ["Measure name column 'kind' is NULL"]


def test_value_texts() -> None:
    assert measure_value_text(3, "DOUBLE") == "3.0"
    assert measure_value_text(1e300, "DOUBLE") == "1e+300"
    assert measure_value_text(4.0, "BIGINT") == "4"
    assert measure_value_text(-(2**63), "BIGINT") == str(-(2**63))
    assert measure_value_text(False, "BOOLEAN") == "false"
    assert measure_value_text(date(2026, 1, 2), "VARCHAR") == "2026-01-02"
    assert measure_value_text(True, "VARCHAR") == "true"
    with pytest.raises(MappingError):
        measure_value_text(True, "DOUBLE")
    with pytest.raises(MappingError):
        measure_value_text(1, "MULTI")


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_text_round_trips(value: float) -> None:
    assert float(measure_value_text(value, "DOUBLE")) == value


cell = st.one_of(st.none(), st.text(max_size=5))
numbers = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))
ints = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))
rows = st.lists(
    st.tuples(
        cell,
        st.integers(min_value=0, max_value=2**62),
        numbers,
        ints,
        st.one_of(st.none(), st.booleans()),
        cell,
        st.one_of(st.none(), st.integers(0, 2**62)),
    ),
    max_size=20,
)


@settings(max_examples=100, deadline=None)
@given(rows)
def test_multi_mapping_properties(result: list[tuple[Any, ...]]) -> None:
    mapped = map_rows(MULTI, COLUMNS, result, VERSION)
    assert mapped.errors == []
    expected = [row for row in result if any(value is not None for value in row[2:])]
    assert len(mapped.records) == len(expected)
    for record, row in zip(mapped.records, expected, strict=True):
        assert record["Time"] == str(row[1]) and record["Version"] == VERSION
        assert [d["Value"] for d in record["Dimensions"]] == ([] if row[0] is None else [row[0]])
        names = [m["Name"] for m in record["MeasureValues"]]
        sources = ["avg_cpu", "count", "ok", "label", "seen"]
        assert names == [n for n, v in zip(sources, row[2:], strict=True) if v is not None]
        for measure in record["MeasureValues"]:
            assert isinstance(measure["Value"], str)
