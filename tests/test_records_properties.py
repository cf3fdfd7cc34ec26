"""Property tests of the write path against small reference models.

Each model is written from the behavior reference (§6.2 merge, §6.5 values,
§8.2 upserts), independently of `tsmock.backend.records`.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tsmock.backend import write as rp
from tsmock.backend.errors import ValidationException
from tsmock.backend.models import Table

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NOW_NS = 1_700_000_000_123_456_789
NOW_S = NOW_NS // 1_000_000_000
UNIT_NS = {"SECONDS": 10**9, "MILLISECONDS": 10**6, "MICROSECONDS": 10**3, "NANOSECONDS": 1}
REASON_A = (
    "A record already exists with the same time, dimensions, measure name, and record "
    "version. A higher record version must be specified in order to update the measure "
    "value. Specifying record version is supported by the latest SDKs."
)


def make_table(magnetic_writes: bool = True, required_key: bool = False) -> Table:
    created = datetime(2023, 1, 1, tzinfo=timezone.utc)
    key: dict[str, Any] = {"Type": "MEASURE"}
    if required_key:
        key = {"Type": "DIMENSION", "Name": "tenant", "EnforcementInRecord": "REQUIRED"}
    return Table(
        database_name="db",
        name="tbl",
        arn="arn",
        memory_retention_hours=6,
        magnetic_retention_days=1,
        magnetic_store_write_properties={"EnableMagneticStoreWrites": magnetic_writes},
        schema={"CompositePartitionKey": [key]},
        creation_time=created,
        last_updated_time=created,
    )


def snapshot(table: Table) -> tuple[Any, ...]:
    """Everything a write can change in a table."""
    return (
        [
            (
                dict(r.dimensions),
                r.measure_name,
                r.measure_value_type,
                r.measure_value,
                dict(r.measure_values),
                r.time_ns,
                r.version,
                r.store,
            )
            for r in table.records
        ],
        dict(table.measure_types),
        set(table.dimension_names),
        set(table.multi_attribute_names),
        dict(table.attribute_types),
    )


# --- §6.5 values: reference model --------------------------------------------------------

INVALID = object()
_DOUBLE_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BIGINT_TEXT = re.compile(r"[+-]?[0-9]+")
_BOOLEAN_TEXT = re.compile(r"true|false", re.IGNORECASE | re.ASCII)


def reference_value(value: str, value_type: str, unit: str) -> object:
    """The documented meaning of a measure value, or INVALID."""
    if value_type == "DOUBLE":
        # Decimal or scientific notation; NaN, Infinity and overflow cannot be written.
        if not _DOUBLE_TEXT.fullmatch(value):
            return INVALID
        number = float(value)
        return number if math.isfinite(number) else INVALID
    if value_type == "BIGINT":
        if not _BIGINT_TEXT.fullmatch(value):
            return INVALID
        number = int(value)
        return number if -(2**63) <= number < 2**63 else INVALID
    if value_type == "BOOLEAN":
        return value.lower() == "true" if _BOOLEAN_TEXT.fullmatch(value) else INVALID
    if value_type == "VARCHAR":
        return value if value else INVALID  # the model's min length is 1
    assert value_type == "TIMESTAMP"
    if not re.fullmatch(r"[0-9]+", value):
        return INVALID
    time_ns = int(value) * UNIT_NS[unit]
    return time_ns if time_ns < 2**63 else INVALID  # up to 2262-04-11T23:47:16.854775807Z


value_texts = st.one_of(
    st.text(alphabet="0123456789+-.eE_ \t", max_size=12),
    st.text(alphabet="0123456789+-.eEnaifINFAtyTrRuUlLsS١½", max_size=9),
    st.text(max_size=6),
    st.floats().map(repr),
    st.floats().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [
            "true",
            "TRUE",
            "fAlSe",
            "NaN",
            "-Infinity",
            "1e308",
            "1e309",
            "-1e309",
            "1e-400",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "+0",
            "0.",
            ".0",
            ".",
            "e5",
            "1e",
            "00012",
            "9223372036",
            "9223372037",
            "922337203685477",
            "1_0",
            "1_000.5",
            " 1",
            "1\n",
            "١٢",
            "+.5e-3",
            "0x10",
            "1.5d",
            "TRUE ",
        ]
    ),
)
value_types = st.sampled_from(["DOUBLE", "BIGINT", "BOOLEAN", "VARCHAR", "TIMESTAMP"])
units = st.sampled_from(sorted(UNIT_NS))


tricky_values = [
    ("1_0", "DOUBLE"),
    ("1_0", "BIGINT"),
    (" 1", "DOUBLE"),
    ("١", "BIGINT"),
    ("١", "DOUBLE"),
    ("infinity", "DOUBLE"),
    ("TRUE", "BOOLEAN"),
    ("ſ", "BOOLEAN"),
]


def with_tricky_values(test: Any) -> Any:
    for value, value_type in tricky_values:
        test = example(value=value, value_type=value_type, unit="MILLISECONDS")(test)
    return test


@SETTINGS
@given(value=value_texts, value_type=value_types, unit=units)
@with_tricky_values
def test_value_parsing_matches_the_reference(value: str, value_type: str, unit: str) -> None:
    expected = reference_value(value, value_type, unit)
    if expected is INVALID:
        with pytest.raises(rp.RecordError):
            rp.parse_measure_value(value, value_type, unit)
    else:
        parsed = rp.parse_measure_value(value, value_type, unit)
        assert parsed == expected
        assert type(parsed) is type(expected)


@SETTINGS
@given(value=value_texts, value_type=value_types, unit=units)
@with_tricky_values
def test_requests_accept_exactly_the_valid_values(value: str, value_type: str, unit: str) -> None:
    valid = reference_value(value, value_type, unit) is not INVALID
    base = {"Dimensions": [{"Name": "h", "Value": "1"}], "Time": "1", "TimeUnit": unit}
    # As the value of a MULTI attribute ...
    record = dict(
        base,
        MeasureName="m",
        MeasureValueType="MULTI",
        MeasureValues=[{"Name": "a", "Value": value, "Type": value_type}],
    )
    checked = [record]
    # ... and as a single measure (TIMESTAMP is not a single-measure type).
    if value_type != "TIMESTAMP":
        checked.append(dict(base, MeasureName="m", MeasureValue=value, MeasureValueType=value_type))
    for record in checked:
        if valid:
            assert rp.prepare_records([record], None)
        else:
            with pytest.raises(ValidationException) as caught:
                rp.prepare_records([record], None)
            assert caught.value.message == (
                f"Invalid measure value {value} for measure value type {value_type}."
            )


@SETTINGS
@given(
    attributes=st.lists(st.tuples(value_texts, value_types), min_size=1, max_size=4),
    unit=units,
)
@example(attributes=[("1 ", "DOUBLE"), ("2", "DOUBLE")], unit="MILLISECONDS")
@example(attributes=[("1", "DOUBLE"), ("\t2", "DOUBLE")], unit="MILLISECONDS")
@example(attributes=[("1", "DOUBLE"), ("x", "BIGINT"), ("1_0", "DOUBLE")], unit="SECONDS")
@example(attributes=[("1_0", "DOUBLE"), ("x", "BIGINT")], unit="SECONDS")
def test_multi_records_report_their_first_invalid_value(
    attributes: list[tuple[str, str]], unit: str
) -> None:
    record = {
        "Dimensions": [{"Name": "h", "Value": "1"}],
        "MeasureName": "m",
        "MeasureValueType": "MULTI",
        "MeasureValues": [
            {"Name": f"a{position}", "Value": value, "Type": value_type}
            for position, (value, value_type) in enumerate(attributes)
        ],
        "Time": "1",
        "TimeUnit": unit,
    }
    invalid = [
        (value, value_type)
        for value, value_type in attributes
        if reference_value(value, value_type, unit) is INVALID
    ]
    if not invalid:
        assert rp.prepare_records([record], None)
        return
    with pytest.raises(ValidationException) as caught:
        rp.prepare_records([record], None)
    value, value_type = invalid[0]
    assert caught.value.message == (
        f"Invalid measure value {value} for measure value type {value_type}."
    )


# --- §6.2 merge --------------------------------------------------------------------------

SCALARS = ("MeasureName", "MeasureValue", "MeasureValueType", "Time", "TimeUnit", "Version")
dimension_lists = st.lists(
    st.fixed_dictionaries(
        {"Name": st.sampled_from(["a", "b", "c", "tenant"]), "Value": st.sampled_from(["1", "2"])}
    ),
    max_size=3,
)
attribute_lists = st.lists(
    st.fixed_dictionaries(
        {
            "Name": st.sampled_from(["x", "y"]),
            "Value": st.sampled_from(["1", "2.5", "true", "q"]),
            "Type": st.sampled_from(["DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP"]),
        }
    ),
    max_size=2,
)
# Mostly valid members, so that requests often get past the first checks.
fields = {
    "Dimensions": st.one_of(st.none(), dimension_lists),
    "MeasureName": st.sampled_from([None, "cpu", "cpu", "mem", ""]),
    "MeasureValue": st.sampled_from([None, "1", "1", "2.5", "x", "true"]),
    "MeasureValueType": st.sampled_from(
        [None, None, "DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "MULTI", "TIMESTAMP"]
    ),
    "MeasureValues": st.one_of(st.none(), attribute_lists),
    "Time": st.sampled_from([None, "1", "1", "2000", "x", "-1"]),
    "TimeUnit": st.sampled_from([None, "SECONDS", "MILLISECONDS", "NANOSECONDS"]),
    "Version": st.sampled_from([None, 1, 2, 0]),
}


@st.composite
def partial_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record or CommonAttributes with any subset of members (null ones included)."""
    present = draw(st.sets(st.sampled_from(sorted(fields))))
    return {name: draw(fields[name]) for name in sorted(present)}


def reference_merge(record: dict[str, Any], common: dict[str, Any] | None) -> dict[str, Any]:
    common = common or {}
    merged: dict[str, Any] = {}
    for name in (*SCALARS, "MeasureValues"):
        value = record.get(name)
        if value is None:
            value = common.get(name)
        if value is not None:
            merged[name] = value
    dims = (common.get("Dimensions") or []) + (record.get("Dimensions") or [])
    names = [d["Name"] for d in dims]
    for position, name in enumerate(names):
        if name in names[:position]:
            raise rp.RecordError(
                f"Dimension names must be unique within a record. Duplicate dimension name: {name}."
            )
    merged["Dimensions"] = dims
    return merged


@SETTINGS
@given(record=partial_records(), common=st.one_of(st.none(), partial_records()))
def test_merge_matches_the_reference(record: dict[str, Any], common: dict[str, Any] | None) -> None:
    """A record with CommonAttributes is checked as the reference's merged record is."""
    assert outcome(lambda: rp.prepare_records([record], common)) == outcome(
        lambda: [rp.prepare_record(reference_merge(record, common), 0)]
    )


def outcome(run: Any) -> Any:
    try:
        return ("ok", run())
    except (rp.RecordError, ValidationException) as error:
        return ("error", getattr(error, "reason", None) or getattr(error, "message", None))


@SETTINGS
@given(
    records=st.lists(partial_records(), min_size=1, max_size=5),
    common=st.one_of(st.none(), partial_records()),
)
@example(
    records=[{"Dimensions": [{"Name": "a", "Value": "1"}], "MeasureName": "m", "Time": None}],
    common={"Time": "5", "MeasureValue": "1"},
)
@example(
    records=[{"Dimensions": None, "MeasureName": "m", "MeasureValue": "1"}],
    common={"Dimensions": [{"Name": "a", "Value": "1"}], "Time": "5"},
)
def test_a_request_is_checked_as_its_merged_records_are(
    records: list[dict[str, Any]], common: dict[str, Any] | None
) -> None:
    """`prepare_records` (one loop, caches) = the reference merge + `prepare_record` per record."""
    before = copy.deepcopy((records, common))

    def one_by_one() -> list[rp.PreparedRecord]:
        return [rp.prepare_record(reference_merge(r, common), i) for i, r in enumerate(records)]

    assert outcome(lambda: rp.prepare_records(records, common)) == outcome(one_by_one)
    assert (records, common) == before  # the request is never modified


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["Name", "Value", "Type", "x"]), inner, max_size=3)
    ),
    max_leaves=8,
)
anything = st.dictionaries(st.sampled_from([*sorted(fields), "Other"]), json_values, max_size=5)


@SETTINGS
@given(
    record=st.one_of(anything, partial_records(), json_values),
    common=st.one_of(st.none(), anything, partial_records()),
)
@example(
    record={"Dimensions": [{"Name": ["x"], "Value": "1"}, "junk", "junk"]},
    common={"Dimensions": []},
)
def test_malformed_input_only_ever_raises_record_error(record: Any, common: Any) -> None:
    """Batch load relies on it: a bad record is a RecordError, never a crash."""
    try:
        rp.prepare_record(record, 0)
    except rp.RecordError as error:
        assert error.reason
    try:
        rp.prepare_records([record], common)
    except ValidationException as error:
        assert error.message


# --- §8.2 upserts: reference model ---------------------------------------------------------

writes = st.fixed_dictionaries(
    {
        "host": st.sampled_from(["h1", "h2"]),
        "measure": st.sampled_from(["m1", "m2"]),
        "second": st.integers(min_value=0, max_value=1),
        "unit": units,
        "value": st.sampled_from(["1", "1.0", "2", "3e0"]),
        "version": st.sampled_from([None, 1, 2, 3]),
    }
)


def wire(write: dict[str, Any]) -> dict[str, Any]:
    instant_ns = (NOW_S - write["second"]) * 10**9
    record: dict[str, Any] = {
        "Dimensions": [{"Name": "host", "Value": write["host"]}],
        "MeasureName": write["measure"],
        "MeasureValue": write["value"],
        "Time": str(instant_ns // UNIT_NS[write["unit"]]),
        "TimeUnit": write["unit"],
    }
    if write["version"] is not None:
        record["Version"] = write["version"]
    return record


@SETTINGS
@given(requests=st.lists(st.lists(writes, min_size=1, max_size=4), min_size=1, max_size=6))
def test_upserts_follow_the_reference(requests: list[list[dict[str, Any]]]) -> None:
    table = make_table()
    # identity -> (parsed value, version, value as first written)
    model: dict[tuple[str, str, int], tuple[float, int, str]] = {}
    for request in requests:
        expected_rejected = []
        for position, write in enumerate(request):
            identity = (write["host"], write["measure"], write["second"])
            value, version = float(write["value"]), write["version"] or 1
            stored = model.get(identity)
            if stored is None or version > stored[1]:
                model[identity] = (value, version, write["value"])
            elif value == stored[0]:
                pass  # accepted, nothing changes
            elif version == stored[1]:
                expected_rejected.append({"RecordIndex": position, "Reason": REASON_A})
            else:
                expected_rejected.append(
                    {
                        "RecordIndex": position,
                        "Reason": f"The record version {version} is lower than the existing "
                        f"version {stored[1]}. A higher version is required to update the "
                        "measure value.",
                        "ExistingVersion": stored[1],
                    }
                )
        result = rp.ingest(table, rp.prepare_records([wire(w) for w in request], None), NOW_NS)
        assert result.rejected == expected_rejected
        assert result.total == result.memory_store == len(request) - len(expected_rejected)
    actual = {
        (r.dimensions["host"], r.measure_name, NOW_S - r.time_ns // 10**9): (
            float(r.measure_value or "nan"),
            r.version,
            r.measure_value,
        )
        for r in table.records
    }
    assert actual == model
    assert len(table.index) == len(model)


# --- a rejected request (or record) changes nothing ------------------------------------------

HOUR_MS = 3600 * 1000
NOW_MS = NOW_NS // 1_000_000
templates: list[dict[str, Any]] = [
    {"MeasureName": "cpu", "MeasureValue": "1"},
    {"MeasureName": "cpu", "MeasureValue": "2"},  # conflicts with the one above
    {"MeasureName": "cpu", "MeasureValue": "2", "Version": 2},
    {"MeasureName": "cpu", "MeasureValue": "7", "MeasureValueType": "BIGINT"},  # type lock
    {"MeasureName": "mem", "MeasureValue": "x", "MeasureValueType": "VARCHAR"},
    {"MeasureName": "host", "MeasureValue": "1"},  # a dimension's name
    {"MeasureName": "cpu", "MeasureValue": "1", "Time": str(NOW_MS - 2 * HOUR_MS * 24)},
    {"MeasureName": "cpu", "MeasureValue": "1", "Time": str(NOW_MS - 8 * HOUR_MS)},
    {"MeasureName": "cpu", "MeasureValue": "1", "Extra": [{"Name": "time", "Value": "1"}]},
    {"MeasureName": "cpu", "MeasureValue": "1", "Extra": [{"Name": "cpu", "Value": "1"}]},
    {"MeasureName": "cpu", "MeasureValue": "1", "Extra": [{"Name": "tenant", "Value": "t"}]},
    {"MeasureName": "cpu", "MeasureValue": "1", "Extra": [{"Name": "new", "Value": "v"}]},
    {"MeasureName": "v", "MeasureValue": "é" * 1100, "MeasureValueType": "VARCHAR"},
    {
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "MeasureValues": [{"Name": "cpu", "Value": "1", "Type": "DOUBLE"}],
    },
    {
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "MeasureValues": [{"Name": "load", "Value": "1", "Type": "BIGINT"}],
    },
    {
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "MeasureValues": [{"Name": "load", "Value": "1.5", "Type": "DOUBLE"}],
    },
]


def template_record(template: int, host: str) -> dict[str, Any]:
    record = dict(templates[template])
    extra = record.pop("Extra", [])
    record["Dimensions"] = [{"Name": "host", "Value": host}, *extra]
    record.setdefault("Time", str(NOW_MS))
    return record


requests_of_templates = st.lists(
    st.lists(
        st.tuples(st.integers(0, len(templates) - 1), st.sampled_from(["h1", "h2"])),
        min_size=1,
        max_size=5,
    ),
    max_size=4,
)


@SETTINGS
@given(
    history=requests_of_templates,
    request=st.lists(
        st.tuples(st.integers(0, len(templates) - 1), st.sampled_from(["h1", "h2"])),
        min_size=1,
        max_size=6,
    ),
    magnetic_writes=st.booleans(),
    required_key=st.booleans(),
)
def test_rejected_records_change_nothing(
    history: list[list[tuple[int, str]]],
    request: list[tuple[int, str]],
    magnetic_writes: bool,
    required_key: bool,
) -> None:
    """Storing a request = storing only its accepted records; the others leave no trace."""

    def replay() -> Table:
        table = make_table(magnetic_writes, required_key)
        for past in history:
            rp.ingest(table, rp.prepare_records([template_record(*r) for r in past], None), NOW_NS)
        return table

    full = replay()
    result = rp.ingest(
        full, rp.prepare_records([template_record(*r) for r in request], None), NOW_NS
    )
    refused = {entry["RecordIndex"] for entry in result.rejected}
    accepted_only = [r for position, r in enumerate(request) if position not in refused]
    partial = replay()
    again = rp.ingest(
        partial, rp.prepare_records([template_record(*r) for r in accepted_only], None), NOW_NS
    )
    assert again.rejected == []
    # The table's name bookkeeping covers every stored record, with its types.
    for record in full.records:
        assert set(record.dimensions) <= full.dimension_names
        assert full.measure_types[record.measure_name] == record.measure_value_type
        for name, (_, value_type) in record.measure_values.items():
            assert full.attribute_types[name] == value_type
            assert name in full.multi_attribute_names
    assert (again.memory_store, again.magnetic_store) == (
        result.memory_store,
        result.magnetic_store,
    )
    assert snapshot(partial) == snapshot(full)


invalid_records = st.sampled_from(
    [
        {"MeasureName": "cpu", "MeasureValue": "1", "Time": "1"},  # no dimension
        {"Dimensions": [{"Name": "h", "Value": "1"}], "MeasureValue": "1", "Time": "1"},
        {
            "Dimensions": [{"Name": "h", "Value": "1"}],
            "MeasureName": "m",
            "Time": "x",
            "MeasureValue": "1",
        },
        {
            "Dimensions": [{"Name": "h", "Value": "1"}],
            "MeasureName": "m",
            "Time": "1",
            "MeasureValue": "NaN",
        },
        {
            "Dimensions": [{"Name": "h", "Value": "1"}],
            "MeasureName": "m",
            "Time": "1",
            "MeasureValue": "1",
            "MeasureValueType": "TIMESTAMP",
        },
        {
            "Dimensions": [{"Name": "h", "Value": "1"}],
            "MeasureName": "m",
            "Time": "1",
            "MeasureValue": "1",
            "Version": 0,
        },
        {
            "Dimensions": [{"Name": "h", "Value": "1"}, {"Name": "h", "Value": "2"}],
            "MeasureName": "m",
            "Time": "1",
            "MeasureValue": "1",
        },
    ]
)


@SETTINGS
@given(
    history=requests_of_templates,
    valid=st.lists(
        st.tuples(st.integers(0, len(templates) - 1), st.sampled_from(["h1", "h2"])),
        max_size=5,
    ),
    invalid=invalid_records,
    position=st.integers(min_value=0, max_value=5),
)
def test_a_refused_request_changes_nothing(
    history: list[list[tuple[int, str]]],
    valid: list[tuple[int, str]],
    invalid: dict[str, Any],
    position: int,
) -> None:
    """A request refused as a whole (ValidationException) stores none of its records."""
    table = make_table()
    for past in history:
        rp.ingest(table, rp.prepare_records([template_record(*r) for r in past], None), NOW_NS)
    before = snapshot(table)
    request = [template_record(*r) for r in valid]
    request.insert(min(position, len(request)), invalid)
    with pytest.raises(ValidationException):
        # As the service does it: store only what passed every check.
        rp.ingest(table, rp.prepare_records(request, None), NOW_NS)
    assert snapshot(table) == before


# Records whose names break a limit or are reserved, among ordinary ones: what a
# shared preparer remembers of earlier records must not leak into later ones.
_LONG = "n" * 70
tricky_records = st.one_of(
    partial_records(),
    st.sampled_from(
        [
            {
                "Dimensions": [{"Name": name, "Value": "1"}],
                "MeasureName": "m",
                "MeasureValueType": "MULTI",
                "MeasureValues": [
                    {"Name": attribute, "Value": "1", "Type": "DOUBLE"},
                    {"Name": "x", "Value": "2", "Type": "BIGINT"},
                ],
                "Time": "5",
            }
            for name in ("a", "ts_a", _LONG)
            for attribute in ("y", "time", "é" * 200)
        ]
    ),
)


@SETTINGS
@given(records=st.lists(tricky_records, min_size=1, max_size=6))
def test_a_shared_preparer_prepares_each_record_as_alone(records: list[dict[str, Any]]) -> None:
    """Batch load prepares a chunk's records one by one with one `Preparer`: each
    gives what a fresh one (`prepare_record`) gives it alone, failure or not."""
    preparer = rp.Preparer()
    for index, record in enumerate(records):
        shared = outcome(functools.partial(preparer.prepare, [record], index))
        assert shared == outcome(functools.partial(rp.Preparer().prepare, [record], index))
