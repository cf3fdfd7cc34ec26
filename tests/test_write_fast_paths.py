"""The shortcuts of the WriteRecords path answer exactly as the plain checks do.

* The dispatcher prepares the members botocore sent while its shape check
  leaves the records' members to that preparation
  (`records.prepare_records` with ``check_shapes``): every request must get the
  answer it gets when only its body is known, which takes the full shape check,
  then the backend.
* That preparation vouches for the shapes it was handed: whenever it succeeds,
  the full shape check passes too. Its limits are the model's.
* DOUBLE values of MULTI records are checked by the shape of their text, once
  per shape and request; attribute types are checked against the table once per
  request. Records whose request says otherwise are checked one by one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tsmock import dispatch, protocol
from tsmock.backend import records as rp
from tsmock.backend import service
from tsmock.backend.errors import ValidationException
from tsmock.backend.models import Table
from tsmock.state import MockState

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REGION = "us-east-1"
NOW_MS = 1_700_000_000_123
HEADERS = {"X-Amz-Target": "Timestream_20181101.WriteRecords"}


class Text(str):
    """A string that is not exactly ``str``: the shape check refuses it."""


class Mapping(dict[str, Any]):
    """A dict that is not exactly ``dict``: the shape check refuses it."""


class Items(list[Any]):
    """A list that is not exactly ``list``: the shape check refuses it."""


# --- requests: mostly valid, with the members the preparation checks broken now and then


def sometimes(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
    return st.one_of(good, good, good, good, good, bad)


junk = st.sampled_from([None, 0, 1, True, "", [], {}, ["x"], {"Name": "a"}, 1.5])
attribute_names = sometimes(
    st.sampled_from(["a", "b", "c", "host"]),
    st.one_of(junk, st.sampled_from(["ts_x", "a" * 300, "é" * 70, Text("a")])),
)
attribute_types = sometimes(
    st.sampled_from(["DOUBLE", "DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP"]),
    st.one_of(junk, st.sampled_from(["MULTI", "double", Text("DOUBLE")])),
)
values = sometimes(
    st.sampled_from(["1", "2.5", "-3", ".5", "7.", "true", "x", "12"]),
    st.one_of(
        junk,
        st.sampled_from(
            ["1e5", "1_0", " 1", "1,5", "nan", "1" * 2048, "1" * 2049, "x" * 2049, Text("1")]
        ),
    ),
)
items = sometimes(
    st.fixed_dictionaries({"Name": attribute_names, "Value": values, "Type": attribute_types}),
    st.one_of(
        junk,
        st.fixed_dictionaries({"Name": attribute_names, "Value": values}),
        st.fixed_dictionaries(
            {"Name": attribute_names, "Value": values, "Type": attribute_types}
        ).map(Mapping),
    ),
)
measure_values = sometimes(
    st.lists(items, min_size=1, max_size=4),
    st.one_of(junk, st.lists(items, max_size=4).map(Items)),
)
dimensions = sometimes(
    st.sampled_from([[{"Name": "host", "Value": "h1"}], [{"Name": "h", "Value": "2"}]]),
    st.sampled_from([[], [{"Name": "host", "Value": ""}], [{"Name": "a" * 61, "Value": "1"}]]),
)
records = st.fixed_dictionaries(
    {
        "Dimensions": dimensions,
        "MeasureName": sometimes(
            st.sampled_from(["m", "n", "a"]),
            st.one_of(junk, st.sampled_from(["m" * 256, "m" * 257, Text("m")])),
        ),
        "MeasureValueType": sometimes(
            st.sampled_from(["MULTI", "MULTI", "DOUBLE", "BIGINT"]),
            st.one_of(junk, st.sampled_from(["TIMESTAMP", "double", Text("MULTI")])),
        ),
        "Time": sometimes(
            st.sampled_from([str(NOW_MS - k) for k in range(3)]),
            st.one_of(junk, st.sampled_from(["x", "1" * 256, "1" * 257, Text("1")])),
        ),
    },
    optional={
        "Version": sometimes(st.sampled_from([1, 2]), st.sampled_from([0, 2**63, 2**63 - 1])),
        "TimeUnit": sometimes(
            st.sampled_from(["MILLISECONDS", "MICROSECONDS"]),
            st.sampled_from(["", "ms", Text("SECONDS")]),
        ),
    },
).flatmap(
    lambda record: sometimes(
        (
            measure_values.map(lambda mv: {**record, "MeasureValues": mv})
            if record["MeasureValueType"] == "MULTI"
            else values.map(lambda value: {**record, "MeasureValue": value})
        ),
        st.tuples(measure_values, values).map(
            lambda both: {**record, "MeasureValues": both[0], "MeasureValue": both[1]}
        ),
    )
)
commons = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {}, optional={"MeasureValueType": st.just("MULTI"), "MeasureValues": measure_values}
    ),
)
requests = st.fixed_dictionaries(
    {
        "DatabaseName": sometimes(st.just("db1"), st.just("missing")),
        "TableName": st.just("tbl"),
        "Records": st.lists(records, min_size=1, max_size=4),
    },
    optional={"CommonAttributes": commons},
)


def wire(value: Any) -> Any:
    """``value`` as decoding its JSON gives it back: exact types only."""
    return json.loads(json.dumps(value))


# --- the dispatcher: members sent == body only --------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def fixed_clock() -> Iterator[None]:
    with mock.patch.object(service, "utc_now_ns", lambda: NOW_MS * 1_000_000 + 400_000):
        yield


def world() -> MockState:
    state = MockState()
    backend = state.backend(REGION)
    backend.create_database("db1")
    backend.create_table("db1", "tbl")
    return state


def table_contents(state: MockState) -> Any:
    table = state.backend(REGION).get_table("db1", "tbl")
    return (
        sorted(table.measure_types.items()),
        sorted(table.dimension_names),
        sorted(table.multi_attribute_names),
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
    )


@SETTINGS
@given(batch=st.lists(requests, min_size=1, max_size=3), fault=st.booleans())
def test_sent_members_are_answered_as_the_body_alone_is(
    batch: list[dict[str, Any]], fault: bool
) -> None:
    sent_state, body_state = world(), world()
    if fault:  # a fault strikes after the shape check, on either path
        for state in (sent_state, body_state):
            state.faults.add("WriteRecords", "ThrottlingException", times=1)
    for request in batch:
        body = json.dumps(request).encode()
        # JSON has no str, dict or list subclasses: botocore would send those too.
        by_members = dispatch.handle(sent_state, REGION, HEADERS, body, copy.deepcopy(request))
        by_body = dispatch.handle(body_state, REGION, HEADERS, body)
        assert (by_members.status, by_members.body) == (by_body.status, by_body.body)
        assert table_contents(sent_state) == table_contents(body_state)
    assert [(c.operation, c.error_code) for c in sent_state.calls.calls()] == [
        (c.operation, c.error_code) for c in body_state.calls.calls()
    ]


# --- the preparation vouches for what the shape check leaves to it -------------------------


@SETTINGS
@given(request=requests)
@example(
    request={
        "DatabaseName": "db1",
        "TableName": "tbl",
        "Records": [
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "m",
                "MeasureValueType": "",  # falsy: DOUBLE to the write path, not in the enum
                "MeasureValue": "1",
                "Time": str(NOW_MS),
            }
        ],
    }
)
def test_a_prepared_request_passes_the_whole_shape_check(request: dict[str, Any]) -> None:
    if not protocol.is_valid("WriteRecords", request, dispatch._CHECKED_BY_PREPARE):
        return
    try:
        rp.prepare_records(request["Records"], request.get("CommonAttributes"), check_shapes=True)
    except (ValidationException, rp.UncheckedShape):
        return
    assert protocol.is_valid("WriteRecords", request)


def test_the_preparation_checks_every_member_the_shape_check_leaves_out() -> None:
    left_out = {member for _, member in dispatch._CHECKED_BY_PREPARE}
    record_members = set(protocol.service_model().shape_for("Record").members)
    # A member the model adds is checked by the shape check until reviewed here.
    assert left_out == record_members - {"Dimensions"}


def test_the_preparation_knows_the_model_s_limits() -> None:
    model = protocol.service_model()
    record = model.shape_for("Record").members
    item = model.shape_for("MeasureValue").members
    extra = protocol._EXTRA_MEMBER_CONSTRAINTS[("Record", "MeasureName")]
    assert record["MeasureName"].metadata == {"min": 1}
    assert extra == {"max": rp.MAX_MEASURE_NAME_CHARS}
    assert record["MeasureValue"].metadata == {"min": 1, "max": rp.MAX_MEASURE_VALUE_CHARS}
    assert record["Time"].metadata == {"min": 1, "max": rp.MAX_TIME_CHARS}
    assert record["Version"].type_name == "long"
    assert set(record["TimeUnit"].metadata["enum"]) == set(rp.TIME_UNIT_NS)
    assert set(record["MeasureValueType"].metadata["enum"]) == {
        "DOUBLE",
        "BIGINT",
        "VARCHAR",
        "BOOLEAN",
        "TIMESTAMP",
        "MULTI",
    }
    assert item["Name"].metadata == {"min": 1}
    assert item["Value"].metadata == {"min": 1, "max": rp.MAX_MEASURE_VALUE_CHARS}
    assert set(item["Type"].metadata["enum"]) == {*rp._ATTRIBUTE_TYPES, "MULTI"}


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("MeasureName", "m" * 257),
        ("MeasureValue", "1" * 2049),
        ("MeasureValueType", ""),
        ("Time", "1" * 257),
        ("Version", 2**63),
        ("MeasureValues", Items([{"Name": "a", "Value": "1", "Type": "DOUBLE"}])),
        ("MeasureValues", [Mapping({"Name": "a", "Value": "1", "Type": "DOUBLE"})]),
        ("MeasureValues", [{"Name": "a", "Value": "x" * 2049, "Type": "VARCHAR"}]),
    ],
)
def test_a_shape_the_write_path_accepts_but_the_model_refuses(member: str, value: Any) -> None:
    record: dict[str, Any] = {
        "Dimensions": [{"Name": "host", "Value": "h1"}],
        "MeasureName": "m",
        "MeasureValueType": "MULTI" if member == "MeasureValues" else "DOUBLE",
        "Time": "1" if member == "Time" else str(NOW_MS),
        member: value,
    }
    if member != "MeasureValues":
        record.setdefault("MeasureValue", "1")
    if member == "MeasureValue":
        record["MeasureValueType"] = "VARCHAR"
    rp.prepare_records([record], None)  # the write path alone takes it
    with pytest.raises(rp.UncheckedShape):
        rp.prepare_records([record], None, check_shapes=True)
    # Through the dispatcher, the answer is the body's: the framework's
    # ValidationException, unless only the exact types were wrong (JSON has none).
    request = {"DatabaseName": "db1", "TableName": "tbl", "Records": [record]}
    body = json.dumps(request).encode()
    by_members = dispatch.handle(world(), REGION, HEADERS, body, request)
    by_body = dispatch.handle(world(), REGION, HEADERS, body)
    assert (by_members.status, by_members.body) == (by_body.status, by_body.body)
    if not protocol.is_valid("WriteRecords", wire(request)):
        assert by_members.status == 400
        assert json.loads(by_members.body)["message"].startswith("1 validation error detected: ")


# --- DOUBLE values by shape, attribute types once per request -------------------------------


def make_table() -> Table:
    created = datetime(2023, 1, 1, tzinfo=timezone.utc)
    return Table(
        database_name="db1",
        name="tbl",
        arn="arn",
        memory_retention_hours=6,
        magnetic_retention_days=1,
        magnetic_store_write_properties={},
        schema={"CompositePartitionKey": [{"Type": "MEASURE"}]},
        creation_time=created,
        last_updated_time=created,
    )


def multi(values: dict[str, tuple[str, str]], time_ms: int = NOW_MS) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": "h1"}],
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "MeasureValues": [{"Name": n, "Value": v, "Type": t} for n, (v, t) in values.items()],
        "Time": str(time_ms),
    }


def test_a_comma_inside_a_value_is_no_separator() -> None:
    # Joined by commas, both records' values read "1,2,3"; only the first is valid.
    first = multi({"a": ("1", "DOUBLE"), "b": ("2", "DOUBLE"), "c": ("3", "DOUBLE")})
    second = multi({"a": ("1,2", "DOUBLE"), "b": ("3", "DOUBLE")})
    with pytest.raises(ValidationException) as caught:
        rp.prepare_records([first, second], None)
    assert caught.value.message == "Invalid measure value 1,2 for measure value type DOUBLE."


@given(
    texts=st.lists(
        st.text(alphabet="0123456789+-., e_\t٣", min_size=1, max_size=6), min_size=1, max_size=4
    )
)
@SETTINGS
def test_values_of_one_shape_are_all_valid_or_all_checked_one_by_one(texts: list[str]) -> None:
    # The same texts with other digits share a shape: each record is judged alone.
    other = [text.translate(str.maketrans("0123456789", "9876543210")) for text in texts]
    for values in (texts, other):
        record = multi({f"a{k}": (text, "DOUBLE") for k, text in enumerate(values)})
        invalid = [text for text in values if not rp._is_double(text)]
        if invalid:
            with pytest.raises(ValidationException) as caught:
                rp.prepare_records([multi({"z": ("1", "DOUBLE")}), record], None)
            assert caught.value.message == (
                f"Invalid measure value {invalid[0]} for measure value type DOUBLE."
            )
        else:
            rp.prepare_records([multi({"z": ("1", "DOUBLE")}), record], None)


def test_records_that_disagree_on_a_type_are_checked_one_by_one() -> None:
    table = make_table()
    request = [multi({"a": ("1", "DOUBLE")}), multi({"a": ("1", "BIGINT")}, NOW_MS - 1)]
    result = rp.ingest(table, rp.prepare_records(request, None), NOW_MS * 1_000_000)
    assert result.total == 1
    assert result.rejected == [
        {"RecordIndex": 1, "Reason": rp.type_conflict_reason("a", "DOUBLE", "BIGINT")}
    ]


def test_records_of_other_requests_are_checked_against_their_own_types() -> None:
    table = make_table()
    first = rp.prepare_records(
        [multi({"a": ("1", "DOUBLE")}), multi({"b": ("2", "DOUBLE")}, NOW_MS - 1)], None
    )
    rp.ingest(table, first, NOW_MS * 1_000_000)
    # The table knows the first request's types; the records of another request
    # in the same list are still checked against the table, one by one.
    again = rp.prepare_records(
        [multi({"a": ("3", "DOUBLE")}, NOW_MS - 2), multi({"b": ("4", "DOUBLE")}, NOW_MS - 3)],
        None,
    )
    other = rp.prepare_records(
        [multi({"a": ("5", "BIGINT")}, NOW_MS - 4), multi({"b": ("6", "DOUBLE")}, NOW_MS - 5)],
        None,
    )
    result = rp.ingest(table, [*again, *other], NOW_MS * 1_000_000)
    assert result.total == 3
    assert result.rejected == [
        {"RecordIndex": 0, "Reason": rp.type_conflict_reason("a", "DOUBLE", "BIGINT")}
    ]
    assert table.measure_types["a"] == "DOUBLE"


def test_an_enum_member_of_a_str_subclass_is_not_taken_as_exact() -> None:
    # A str subclass hashes like its text, so set membership alone would let it
    # through; the sent members must then be decoded from the body instead.
    record = {
        "Dimensions": [{"Name": "host", "Value": "h1"}],
        "MeasureName": "m",
        "MeasureValue": "1.0",
        "Time": str(NOW_MS),
        "TimeUnit": Text("SECONDS"),
    }
    request = {"DatabaseName": "db1", "TableName": "tbl", "Records": [record]}
    assert not protocol.is_valid("WriteRecords", request)
    assert protocol.is_valid("WriteRecords", json.loads(json.dumps(request)))
    body = json.dumps(request).encode()
    by_members = dispatch.handle(world(), REGION, HEADERS, body, copy.deepcopy(request))
    by_body = dispatch.handle(world(), REGION, HEADERS, body)
    assert (by_members.status, by_members.body) == (by_body.status, by_body.body)
