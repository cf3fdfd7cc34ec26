"""The WriteRecords write path rule by rule (behavior reference §6-§9).

Pure backend: records go through `prepare_records` and `ingest` with a fixed
clock (``NOW_NS``), so window edges are exact and nothing sleeps.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from tsmock.backend import write as rp
from tsmock.backend.errors import ValidationException
from tsmock.backend.models import NO_MEASURE_VALUES, Record, RecordIndex, Table
from tsmock.backend.write.limits import MULTI_VALUES_TOO_LARGE

# 2023-11-14T22:13:20.123456789Z: not on a whole millisecond on purpose.
NOW_NS = 1_700_000_000_123_000_000  # a whole millisecond: the window is rounded to ms
NOW_MS = NOW_NS // 1_000_000
MS = 1_000_000
HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS
FUTURE_MS = 15 * 60 * 1000

REASON_A = (
    "A record already exists with the same time, dimensions, measure name, and record "
    "version. A higher record version must be specified in order to update the measure "
    "value. Specifying record version is supported by the latest SDKs."
)


def make_table(
    memory_hours: int = 6,
    magnetic_days: int = 73000,
    magnetic_writes: bool = False,
    schema: dict[str, Any] | None = None,
) -> Table:
    created = datetime(2023, 1, 1, tzinfo=timezone.utc)
    return Table(
        database_name="db",
        name="tbl",
        arn="arn:aws:timestream:us-east-1:123456789012:database/db/table/tbl",
        memory_retention_hours=memory_hours,
        magnetic_retention_days=magnetic_days,
        magnetic_store_write_properties={"EnableMagneticStoreWrites": magnetic_writes},
        schema=schema or {"CompositePartitionKey": [{"Type": "MEASURE"}]},
        creation_time=created,
        last_updated_time=created,
    )


def rec(**members: Any) -> dict[str, Any]:
    """A single-measure record at NOW_MS; ``members`` override (None removes)."""
    record: dict[str, Any] = {
        "Dimensions": [{"Name": "host", "Value": "h1"}],
        "MeasureName": "cpu",
        "MeasureValue": "1.5",
        "MeasureValueType": "DOUBLE",
        "Time": str(NOW_MS),
    }
    record.update(members)
    return {key: value for key, value in record.items() if value is not None}


def multi(values: dict[str, tuple[str, str]], **members: Any) -> dict[str, Any]:
    """A MULTI record of ``values`` (name -> (value, type))."""
    defaults: dict[str, Any] = {
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "MeasureValue": None,
        "MeasureValues": [{"Name": n, "Value": v, "Type": t} for n, (v, t) in values.items()],
    }
    return rec(**{**defaults, **members})


def write(
    table: Table,
    records: list[dict[str, Any]],
    common: dict[str, Any] | None = None,
    now_ns: int = NOW_NS,
) -> rp.IngestResult:
    return rp.ingest(table, rp.prepare_records(records, common), now_ns)


def refused(records: list[dict[str, Any]], common: dict[str, Any] | None = None) -> str:
    """The ValidationException message of a request refused as a whole."""
    with pytest.raises(ValidationException) as caught:
        rp.prepare_records(records, common)
    return caught.value.message


def reasons(result: rp.IngestResult) -> list[str]:
    return [entry["Reason"] for entry in result.rejected]


def stored(table: Table) -> list[tuple[dict[str, str], str, str | None, int, int, str]]:
    return [
        (dict(r.dimensions), r.measure_name, r.measure_value, r.time_ns, r.version, r.store)
        for r in table.records
    ]


# --- §6.2 CommonAttributes merge --------------------------------------------------------


class TestMerge:
    def test_common_and_record_dimensions_are_concatenated(self) -> None:
        common = {"Dimensions": [{"Name": "region", "Value": "eu"}], "Time": str(NOW_MS)}
        records = [
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "cpu",
                "MeasureValue": "1",
            }
        ]
        (prepared,) = rp.prepare_records(records, common)
        assert prepared.series_key == (("host", "h1"), ("region", "eu"))
        assert prepared.dimensions == {"host": "h1", "region": "eu"}

    def test_the_record_s_members_win_over_common_ones(self) -> None:
        common = {
            "Dimensions": [{"Name": "region", "Value": "eu"}],
            "MeasureValueType": "BIGINT",
            "Time": "5",
            "TimeUnit": "SECONDS",
            "Version": 3,
        }
        record = {
            "Dimensions": [{"Name": "host", "Value": "h1"}],
            "MeasureName": "m",
            "MeasureValue": "7",
            "Version": 4,
        }
        (prepared,) = rp.prepare_records([record], common)
        assert prepared.dimensions == {"host": "h1", "region": "eu"}
        assert (prepared.measure_name, prepared.measure_value) == ("m", "7")
        assert prepared.measure_value_type == "BIGINT"
        assert prepared.time_ns == 5 * 10**9
        assert prepared.version == 4

    def test_overlapping_dimension_names_refuse_the_request(self) -> None:
        common = {"Dimensions": [{"Name": "host", "Value": "a"}]}
        records = [rec(), rec(Dimensions=[{"Name": "host", "Value": "b"}])]
        expected = "Dimension names must be unique within a record. Duplicate dimension name: host."
        assert refused(records, common) == expected
        assert refused(records[:1], common) == expected

    @pytest.mark.parametrize("where", ["record", "common"])
    def test_a_repeated_dimension_name_refuses_the_request(self, where: str) -> None:
        dims = [{"Name": "az", "Value": "1"}, {"Name": "az", "Value": "2"}]
        if where == "record":
            message = refused([rec(Dimensions=dims)])
        else:
            message = refused([rec(Dimensions=None)], {"Dimensions": dims})
        assert message == (
            "Dimension names must be unique within a record. Duplicate dimension name: az."
        )

    def test_record_scalars_win_over_common_ones(self) -> None:
        common = {"MeasureName": "common", "MeasureValue": "1", "Time": "1", "Version": 9}
        (prepared,) = rp.prepare_records([rec(Version=2)], common)
        assert (prepared.measure_name, prepared.measure_value) == ("cpu", "1.5")
        assert prepared.time_ns == NOW_MS * MS
        assert prepared.version == 2

    def test_common_scalars_fill_in_and_defaults_apply(self) -> None:
        common = {"Dimensions": [{"Name": "host", "Value": "h"}], "Time": "7"}
        (prepared,) = rp.prepare_records([{"MeasureName": "m", "MeasureValue": "2"}], common)
        assert prepared.measure_value_type == "DOUBLE"  # default type
        assert prepared.time_ns == 7 * MS  # default unit: milliseconds
        assert prepared.version == 1  # default version

    def test_null_members_count_as_absent(self) -> None:
        common = {"Dimensions": [{"Name": "host", "Value": "h"}], "Time": "7"}
        records = [{"MeasureName": "m", "MeasureValue": "2", "Time": None, "Dimensions": None}]
        (prepared,) = rp.prepare_records(records, common)
        assert prepared.time_ns == 7 * MS
        assert prepared.series_key == (("host", "h"),)

    def test_record_measure_values_replace_common_ones(self) -> None:
        common = {
            "MeasureValueType": "MULTI",
            "MeasureValues": [{"Name": "a", "Value": "1", "Type": "DOUBLE"}],
        }
        records = [
            rec(MeasureValueType=None, MeasureValue=None),
            rec(
                MeasureValueType=None,
                MeasureValue=None,
                MeasureValues=[{"Name": "b", "Value": "2", "Type": "BIGINT"}],
            ),
        ]
        first, second = rp.prepare_records(records, common)
        assert first.measure_values == {"a": ("1", "DOUBLE")}
        assert second.measure_values == {"b": ("2", "BIGINT")}

    def test_records_keep_their_index(self) -> None:
        prepared = rp.prepare_records([rec(Time=str(NOW_MS - i)) for i in range(3)], None)
        assert [p.index for p in prepared] == [0, 1, 2]
        single = rp.prepare_record(rec(), 41)
        assert single.index == 41


# --- §6.4 #4-#13: refused requests -------------------------------------------------------


class TestRequestChecks:
    @pytest.mark.parametrize(
        ("record", "message"),
        [
            (rec(Dimensions=None), "At least one dimension is required for a record."),
            (rec(Dimensions=[]), "At least one dimension is required for a record."),
            (
                rec(Dimensions=[{"Name": "host", "Value": ""}]),
                "Dimension value cannot be empty for dimension host.",
            ),
            (rec(MeasureName=None), "Measure name is required for a record."),
            (rec(MeasureValueType="TIMESTAMP"), "TIMESTAMP is an invalid measure value type."),
            (
                rec(MeasureValues=[{"Name": "a", "Value": "1", "Type": "DOUBLE"}]),
                "MeasureValues can only be specified for measure value type MULTI.",
            ),
            (
                multi({"a": ("1", "DOUBLE")}, MeasureValue="1"),
                "A record of measure value type MULTI must specify MeasureValues "
                "and must not specify MeasureValue.",
            ),
            (
                rec(MeasureValueType="MULTI", MeasureValue=None),
                "A record of measure value type MULTI must specify MeasureValues "
                "and must not specify MeasureValue.",
            ),
            (
                rec(MeasureValueType="MULTI", MeasureValue=None, MeasureValues=[]),
                "A record of measure value type MULTI must specify MeasureValues "
                "and must not specify MeasureValue.",
            ),
            (rec(MeasureValue=None), "Measure value is required for a record."),
            (
                multi({"a": ("1", "MULTI")}),
                "MULTI is an invalid measure value type for a measure in MeasureValues.",
            ),
            (
                rec(
                    MeasureValueType="MULTI",
                    MeasureValue=None,
                    MeasureValues=[
                        {"Name": "a", "Value": "1", "Type": "DOUBLE"},
                        {"Name": "a", "Value": "2", "Type": "DOUBLE"},
                    ],
                ),
                "Measure names must be unique within a multi-measure record. "
                "Duplicate measure name: a.",
            ),
            (
                multi({f"m{i}": ("1", "DOUBLE") for i in range(257)}),
                "A multi-measure record can contain at most 256 measures.",
            ),
            (rec(Version=0), "Record version must be greater than or equal to 1."),
            (rec(Version=-3), "Record version must be greater than or equal to 1."),
        ],
    )
    def test_reason_texts(self, record: dict[str, Any], message: str) -> None:
        assert refused([record]) == message

    @pytest.mark.parametrize(
        "time", [None, "", "abc", "-5", "+5", " 5", "5 ", "1.5", "1e3", "1_000", "١٢٣"]
    )
    def test_invalid_time(self, time: str | None) -> None:
        assert refused([rec(Time=time)]) == "Invalid time for record."

    @pytest.mark.parametrize(
        ("value_type", "value"),
        [
            ("DOUBLE", "NaN"),
            ("DOUBLE", "nan"),
            ("DOUBLE", "Infinity"),
            ("DOUBLE", "-Infinity"),
            ("DOUBLE", "inf"),
            ("DOUBLE", "1e400"),
            ("DOUBLE", ">5%"),
            ("DOUBLE", "1_0"),
            ("DOUBLE", " 1"),
            ("DOUBLE", "1 "),
            ("DOUBLE", "١"),
            ("DOUBLE", "0x10"),
            ("BIGINT", "1.0"),
            ("BIGINT", "1e3"),
            ("BIGINT", "9223372036854775808"),
            ("BIGINT", "-9223372036854775809"),
            ("BIGINT", "1_0"),
            ("BIGINT", ""),
            ("BOOLEAN", "yes"),
            ("BOOLEAN", "1"),
            ("BOOLEAN", " true"),
            ("VARCHAR", ""),
        ],
    )
    def test_invalid_measure_values(self, value_type: str, value: str) -> None:
        message = refused([rec(MeasureValueType=value_type, MeasureValue=value)])
        assert message == f"Invalid measure value {value} for measure value type {value_type}."

    @pytest.mark.parametrize(
        ("value_type", "value"),
        [
            ("DOUBLE", "13.5"),
            ("DOUBLE", "1e-3"),
            ("DOUBLE", "-40"),
            ("DOUBLE", "+.5"),
            ("DOUBLE", "5."),
            ("DOUBLE", "1.7976931348623157e308"),
            ("BIGINT", "9223372036854775807"),
            ("BIGINT", "-9223372036854775808"),
            ("BIGINT", "+7"),
            ("BIGINT", "007"),
            ("BOOLEAN", "true"),
            ("BOOLEAN", "FALSE"),
            ("BOOLEAN", "True"),
            ("VARCHAR", " any text ✓ "),
        ],
    )
    def test_valid_measure_values(self, value_type: str, value: str) -> None:
        (prepared,) = rp.prepare_records(
            [rec(MeasureValueType=value_type, MeasureValue=value)], None
        )
        assert (prepared.measure_value_type, prepared.measure_value) == (value_type, value)

    def test_timestamp_values_count_in_the_record_time_unit(self) -> None:
        bound = "9223372036854775807"  # 2262-04-11T23:47:16.854775807Z in nanoseconds
        ok = multi({"t": (bound, "TIMESTAMP")}, TimeUnit="NANOSECONDS", Time=str(NOW_NS))
        assert rp.prepare_records([ok], None)[0].measure_values == {"t": (bound, "TIMESTAMP")}
        too_late = multi({"t": ("9223372036854775808", "TIMESTAMP")}, TimeUnit="NANOSECONDS")
        assert refused([too_late]) == (
            "Invalid measure value 9223372036854775808 for measure value type TIMESTAMP."
        )
        # The same limit counted in seconds.
        assert rp.prepare_records(
            [multi({"t": ("9223372036", "TIMESTAMP")}, TimeUnit="SECONDS", Time="1")], None
        )
        assert refused([multi({"t": ("9223372037", "TIMESTAMP")}, TimeUnit="SECONDS")]) == (
            "Invalid measure value 9223372037 for measure value type TIMESTAMP."
        )
        assert refused([multi({"t": ("-1", "TIMESTAMP")})]) == (
            "Invalid measure value -1 for measure value type TIMESTAMP."
        )

    def test_an_invalid_attribute_value_names_that_value(self) -> None:
        record = multi({"a": ("1", "DOUBLE"), "b": ("x", "BIGINT"), "c": ("y", "BOOLEAN")})
        assert refused([record]) == "Invalid measure value x for measure value type BIGINT."

    def test_the_first_failing_record_decides(self) -> None:
        records = [rec(), rec(Time="x"), rec(Dimensions=None)]
        assert refused(records) == "Invalid time for record."

    def test_checks_run_in_the_reference_order(self) -> None:
        # #11 (time) comes before #13 (value), for MULTI attributes too.
        assert refused([rec(Time="x", MeasureValue="x")]) == "Invalid time for record."
        assert refused([multi({"a": ("x", "DOUBLE")}, Time="x")]) == "Invalid time for record."
        # #12 (version) before #13.
        assert refused([rec(Version=0, MeasureValue="x")]) == (
            "Record version must be greater than or equal to 1."
        )
        # #4 (dimensions) before #5 (measure name).
        assert refused([rec(Dimensions=None, MeasureName=None)]) == (
            "At least one dimension is required for a record."
        )

    def test_time_units(self) -> None:
        records = [
            rec(Time="2", TimeUnit="SECONDS"),
            rec(Time="2", TimeUnit="MILLISECONDS"),
            rec(Time="2", TimeUnit="MICROSECONDS"),
            rec(Time="2", TimeUnit="NANOSECONDS"),
            rec(Time="2"),
        ]
        assert [p.time_ns for p in rp.prepare_records(records, None)] == [
            2_000_000_000,
            2_000_000,
            2_000,
            2,
            2_000_000,
        ]

    def test_an_invalid_time_unit_is_refused_at_the_time_check(self) -> None:
        # Only reachable without the protocol's enum check (batch load, direct use).
        assert refused([rec(TimeUnit="HOURS")]) == "HOURS is an invalid time unit."
        assert refused([rec(TimeUnit=5)]) == "5 is an invalid time unit."
        # After the MeasureValues checks (#10), before the values are judged (#13).
        assert refused([multi({"t": ("soon", "TIMESTAMP")}, TimeUnit="HOURS")]) == (
            "HOURS is an invalid time unit."
        )
        duplicated = multi({}, TimeUnit="HOURS")
        duplicated["MeasureValues"] = [{"Name": "a", "Value": "1", "Type": "DOUBLE"}] * 2
        assert refused([duplicated]).startswith("Measure names must be unique")

    @pytest.mark.parametrize(
        "record",
        [
            None,
            "text",
            [],
            {"Dimensions": "host"},
            {"Dimensions": [["host", "h"]]},
            {"Dimensions": [{"Name": "host"}]},
            {"Dimensions": [{"Name": 5, "Value": "h"}]},
            {"Dimensions": [{"Name": "host", "Value": None}]},
            {"Dimensions": [{"Name": ["x"], "Value": "h"}]},
            rec(MeasureName=5),
            rec(MeasureName=["cpu"]),
            rec(MeasureValueType=5),
            rec(MeasureValueType=["DOUBLE"]),
            rec(MeasureValueType="FLOAT"),
            rec(MeasureValue=1.5),
            rec(Time=5),
            rec(TimeUnit="HOURS"),
            rec(TimeUnit=["SECONDS"]),
            rec(Version="2"),
            rec(Version=1.0),
            rec(Version=True),
            rec(Time="1" * 5000),
            multi({}, MeasureValues="a"),
            multi({}, MeasureValues=[1]),
            multi({}, MeasureValues=[{"Name": "a", "Value": "1"}]),
            multi({}, MeasureValues=[{"Name": "", "Value": "1", "Type": "DOUBLE"}]),
            multi({}, MeasureValues=[{"Name": ["a"], "Value": "1", "Type": "DOUBLE"}]),
            multi({}, MeasureValues=[{"Name": "a", "Value": 1, "Type": "DOUBLE"}]),
            multi({}, MeasureValues=[{"Name": "a", "Value": "1", "Type": ["DOUBLE"]}]),
        ],
    )
    def test_anything_malformed_is_a_record_error(self, record: Any) -> None:
        # Batch load hands records over without the protocol's shape check.
        with pytest.raises(rp.RecordError) as caught:
            rp.prepare_record(record, 0)
        assert caught.value.reason
        with pytest.raises(ValidationException):
            rp.prepare_records([record], None)

    def test_malformed_common_attributes(self) -> None:
        with pytest.raises(ValidationException):
            rp.prepare_records([rec()], {"Dimensions": [{"Value": "x"}]})
        with pytest.raises(ValidationException):
            rp.prepare_records([rec()], {"Dimensions": "x"})
        with pytest.raises(ValidationException):
            rp.prepare_records([rec()], "x")  # type: ignore[arg-type]
        with pytest.raises(rp.RecordError):
            rp.prepare_record("x", 0)  # type: ignore[arg-type]


# --- §6.5 parse_measure_value -----------------------------------------------------------


class TestParseMeasureValue:
    def test_parsed_types(self) -> None:
        assert rp.parse_measure_value("1e3", "DOUBLE") == 1000.0
        assert rp.parse_measure_value("-12", "BIGINT") == -12
        assert rp.parse_measure_value("TRUE", "BOOLEAN") is True
        assert rp.parse_measure_value("faLse", "BOOLEAN") is False
        assert rp.parse_measure_value("x", "VARCHAR") == "x"
        assert rp.parse_measure_value("3", "TIMESTAMP", "SECONDS") == 3_000_000_000
        assert rp.parse_measure_value("3", "TIMESTAMP") == 3_000_000

    @pytest.mark.parametrize(
        ("value", "value_type", "unit"),
        [("x", "DOUBLE", "MILLISECONDS"), ("1", "MULTI", "MILLISECONDS"), ("1", "TIMESTAMP", "H")],
    )
    def test_invalid(self, value: str, value_type: str, unit: str) -> None:
        with pytest.raises(rp.RecordError) as caught:
            rp.parse_measure_value(value, value_type, unit)
        assert caught.value.reason == (
            f"Invalid measure value {value} for measure value type {value_type}."
        )


# --- §7.2 / §7.3 window, stores, retention ----------------------------------------------


def window_text(lower: str, upper: str, where: str) -> str:
    return f"The record timestamp is outside the time range [{lower}, {upper}) of the {where}."


class TestWindow:
    def test_format(self) -> None:
        assert rp.format_window_time(0) == "1970-01-01T00:00:00.000Z"
        assert rp.format_window_time(NOW_NS) == "2023-11-14T22:13:20.123Z"
        assert rp.format_window_time(-1) == "1969-12-31T23:59:59.999Z"

    def test_now_between_milliseconds_is_rounded_up(self) -> None:
        # §7.2 accepts now − R ≤ t: with now 0.4 ms past a millisecond, the record
        # at that millisecond minus R is older than now − R, and is rejected.
        table = make_table(memory_hours=6)
        now = NOW_NS + 400_000
        lower = NOW_MS - 6 * HOUR_MS
        result = write(table, [rec(Time=str(lower)), rec(Time=str(lower + 1))], now_ns=now)
        assert [entry["RecordIndex"] for entry in result.rejected] == [0]
        assert "[2023-11-14T16:13:20.124Z, 2023-11-14T22:28:20.124Z)" in reasons(result)[0]

    def test_memory_store_edges(self) -> None:
        table = make_table(memory_hours=6)
        lower = NOW_MS - 6 * HOUR_MS
        upper = NOW_MS + FUTURE_MS
        inside = [rec(Time=str(lower)), rec(Time=str(upper - 1))]
        result = write(table, inside)
        assert (result.memory_store, result.magnetic_store, result.rejected) == (2, 0, [])
        outside = [rec(Time=str(lower - 1)), rec(Time=str(upper))]
        result = write(table, outside)
        text = window_text("2023-11-14T16:13:20.123Z", "2023-11-14T22:28:20.123Z", "memory store")
        assert result.rejected == [
            {"RecordIndex": 0, "Reason": text},
            {"RecordIndex": 1, "Reason": text},
        ]
        assert result.total == 0

    def test_two_minutes_in_the_future_is_accepted(self) -> None:
        assert write(make_table(), [rec(Time=str(NOW_MS + 120_000))]).rejected == []

    def test_seconds_sent_as_milliseconds_are_rejected_not_refused(self) -> None:
        result = write(make_table(), [rec(Time=str(NOW_MS // 1000))])
        assert reasons(result)[0].startswith("The record timestamp is outside the time range")

    def test_window_edges_on_whole_milliseconds_match_the_text(self) -> None:
        # The printed bounds are exact: a record at the printed lower bound is in.
        table = make_table(memory_hours=1)
        lower_ns = (NOW_MS - HOUR_MS) * MS
        result = write(table, [rec(Time=str(lower_ns), TimeUnit="NANOSECONDS")])
        assert result.rejected == []
        result = write(table, [rec(Time=str(lower_ns - 1), TimeUnit="NANOSECONDS")])
        assert "[2023-11-14T21:13:20.123Z, 2023-11-14T22:28:20.123Z)" in reasons(result)[0]

    def test_magnetic_store_routing_and_counts(self) -> None:
        # The real case of §7.2: memory 12 h, magnetic 5 d.
        table = make_table(memory_hours=12, magnetic_days=5, magnetic_writes=True)
        records = [
            rec(Time=str(NOW_MS - HOUR_MS)),  # memory
            rec(Time=str(NOW_MS - 121 * HOUR_MS)),  # magnetic
            rec(Time=str(NOW_MS - 145 * HOUR_MS)),  # older than 12 h + 5 d: rejected
            rec(Time=str(NOW_MS - 12 * HOUR_MS)),  # memory (lower bound inclusive)
            rec(Time=str(NOW_MS - 12 * HOUR_MS - 1)),  # magnetic
            rec(Time=str(NOW_MS - 12 * HOUR_MS - 5 * DAY_MS)),  # magnetic (inclusive)
            rec(Time=str(NOW_MS + FUTURE_MS)),  # future: rejected
        ]
        result = write(table, records)
        assert (result.memory_store, result.magnetic_store, result.total) == (2, 3, 5)
        text = window_text(
            "2023-11-09T10:13:20.123Z", "2023-11-14T22:28:20.123Z", "data ingestion window"
        )
        assert result.rejected == [
            {"RecordIndex": 2, "Reason": text},
            {"RecordIndex": 6, "Reason": text},
        ]
        assert [r.store for r in table.records] == [
            "memory",
            "magnetic",
            "memory",
            "magnetic",
            "magnetic",
        ]

    def test_default_magnetic_retention_reaches_back_to_1824(self) -> None:
        table = make_table(memory_hours=6, magnetic_days=73000, magnetic_writes=True)
        result = write(table, [rec(Time="0"), rec(Time=str(NOW_MS + FUTURE_MS))])
        assert result.magnetic_store == 1
        assert reasons(result) == [
            window_text(
                "1824-01-02T16:13:20.123Z", "2023-11-14T22:28:20.123Z", "data ingestion window"
            )
        ]

    def test_ingestion_window_helper(self) -> None:
        window = rp.ingestion_window(make_table(memory_hours=1, magnetic_days=1), NOW_NS)
        assert window.upper_ns == (NOW_MS + FUTURE_MS) * MS
        assert window.memory_lower_ns == window.lower_ns == (NOW_MS - HOUR_MS) * MS
        assert window.store_for(NOW_MS * MS) == "memory"
        assert window.store_for(window.lower_ns - 1) is None
        table = make_table(memory_hours=1, magnetic_days=1, magnetic_writes=True)
        window = rp.ingestion_window(table, NOW_NS)
        assert window.lower_ns == (NOW_MS - HOUR_MS - DAY_MS) * MS
        assert window.store_for(window.memory_lower_ns - 1) == "magnetic"

    def test_retention_increase_opens_the_older_window_only_as_time_passes(self) -> None:
        # UpdateTable raised memory retention from 2 h to 24 h at NOW: the floor is
        # the memory window's lower bound at that moment (§7.3, project decision).
        table = make_table(memory_hours=24)
        table.memory_window_floor_ns = NOW_NS - 2 * HOUR_MS * MS
        three_hours_old = rec(Time=str(NOW_MS - 3 * HOUR_MS))
        result = write(table, [three_hours_old])
        assert reasons(result) == [
            window_text("2023-11-14T20:13:20.123Z", "2023-11-14T22:28:20.123Z", "memory store")
        ]
        assert write(table, [rec(Time=str(NOW_MS - HOUR_MS))]).rejected == []
        floor_ms = NOW_MS - 2 * HOUR_MS
        # The window widens as time passes: after 10 h it spans 12 h, not 24 h ...
        window = rp.ingestion_window(table, NOW_NS + 10 * HOUR_MS * MS)
        assert window.memory_lower_ns == floor_ms * MS
        # ... and the floor stops mattering once the store has filled up (22 h).
        window = rp.ingestion_window(table, NOW_NS + 23 * HOUR_MS * MS)
        assert window.memory_lower_ns == (NOW_MS - HOUR_MS) * MS
        later = NOW_NS + 23 * HOUR_MS * MS
        assert write(table, [rec(Time=str(NOW_MS - HOUR_MS // 2))], now_ns=later).rejected == []

    def test_retention_increase_with_magnetic_writes_goes_to_the_magnetic_store(self) -> None:
        table = make_table(memory_hours=24, magnetic_days=1, magnetic_writes=True)
        table.memory_window_floor_ns = NOW_NS - 2 * HOUR_MS * MS
        result = write(table, [rec(Time=str(NOW_MS - 3 * HOUR_MS))])
        assert (result.memory_store, result.magnetic_store) == (0, 1)

    def test_retention_decrease_applies_at_once(self) -> None:
        table = make_table(memory_hours=24)
        table.memory_retention_hours = 2  # UpdateTable lowers it: no floor
        result = write(table, [rec(Time=str(NOW_MS - 3 * HOUR_MS))])
        assert reasons(result) == [
            window_text("2023-11-14T20:13:20.123Z", "2023-11-14T22:28:20.123Z", "memory store")
        ]

    def test_report_reason(self) -> None:
        text = window_text("2023-11-14T20:13:20.123Z", "2023-11-14T22:28:20.123Z", "memory store")
        assert rp.report_reason(text) == (
            "The record timestamp is outside the time range of the data ingestion window."
        )
        assert rp.report_reason(REASON_A) == REASON_A


# --- §8 versions and upserts ------------------------------------------------------------


class TestUpserts:
    def test_documented_sequence(self) -> None:
        table = make_table()
        # 1. No version: stored with version 1.
        assert write(table, [rec(MeasureValue="1")]).total == 1
        assert stored(table)[0][2:5] == ("1", NOW_MS * MS, 1)
        # 2. Different value, no version: rejected, version not greater.
        result = write(table, [rec(MeasureValue="2")])
        assert result.rejected == [{"RecordIndex": 0, "Reason": REASON_A}]
        # 3. Different value, version 2: updated.
        assert write(table, [rec(MeasureValue="2", Version=2)]).rejected == []
        assert [(r.measure_value, r.version) for r in table.records] == [("2", 2)]
        # 4. Same value, version 3: only the version changes.
        assert write(table, [rec(MeasureValue="2", Version=3)]).rejected == []
        assert [(r.measure_value, r.version) for r in table.records] == [("2", 3)]
        # 5. Any further change needs a version above 3.
        result = write(table, [rec(MeasureValue="5", Version=3)])
        assert result.rejected == [{"RecordIndex": 0, "Reason": REASON_A}]
        result = write(table, [rec(MeasureValue="5", Version=2)])
        assert result.rejected == [
            {
                "RecordIndex": 0,
                "Reason": "The record version 2 is lower than the existing version 3. "
                "A higher version is required to update the measure value.",
                "ExistingVersion": 3,
            }
        ]
        assert write(table, [rec(MeasureValue="5", Version=4)]).rejected == []
        assert [(r.measure_value, r.version) for r in table.records] == [("5", 4)]
        assert len(table.index) == 1

    def test_awswrangler_versioned_sequence(self) -> None:
        table = make_table()
        assert write(table, [rec(MeasureValue="1", Version=1)]).total == 1
        assert write(table, [rec(MeasureValue="1", Version=1)]).total == 1  # retry: fine
        assert reasons(write(table, [rec(MeasureValue="2", Version=1)])) == [REASON_A]
        assert write(table, [rec(MeasureValue="2", Version=2)]).rejected == []
        assert [r.measure_value for r in table.records] == ["2"]

    def test_same_value_lower_version_is_an_accepted_no_op(self) -> None:
        table = make_table()
        write(table, [rec(Version=5)])
        result = write(table, [rec(Version=2)])
        assert (result.rejected, result.total) == ([], 1)
        assert table.records[0].version == 5

    @pytest.mark.parametrize(
        ("value_type", "first", "same", "different"),
        [
            ("DOUBLE", "1.0", "1", "1.5"),
            ("DOUBLE", "100", "1e2", "1e3"),
            ("BIGINT", "5", "+005", "6"),
            ("BOOLEAN", "true", "TRUE", "false"),
            ("VARCHAR", "a", "a", "A"),
        ],
    )
    def test_values_compare_parsed(
        self, value_type: str, first: str, same: str, different: str
    ) -> None:
        table = make_table()
        write(table, [rec(MeasureValueType=value_type, MeasureValue=first)])
        assert write(table, [rec(MeasureValueType=value_type, MeasureValue=same)]).rejected == []
        assert table.records[0].measure_value == first  # a no-op keeps what was written
        result = write(table, [rec(MeasureValueType=value_type, MeasureValue=different)])
        assert reasons(result) == [REASON_A]

    def test_identity_is_the_dimension_set_measure_name_and_instant(self) -> None:
        table = make_table()
        dims = [{"Name": "a", "Value": "1"}, {"Name": "b", "Value": "2"}]
        write(table, [rec(Dimensions=dims)])
        # Dimension order and time unit do not matter.
        same = rec(Dimensions=dims[::-1], Time=str(NOW_MS * 1000), TimeUnit="MICROSECONDS")
        assert reasons(write(table, [dict(same, MeasureValue="9")])) == [REASON_A]
        # Another measure name, time or dimension value is another record.
        write(table, [rec(Dimensions=dims, MeasureName="mem", MeasureValue="9")])
        write(table, [rec(Dimensions=dims, Time=str(NOW_MS - 1), MeasureValue="9")])
        write(table, [rec(Dimensions=[{"Name": "a", "Value": "1"}], MeasureValue="9")])
        assert len(table.index) == 4

    def test_multi_values_compare_as_sets(self) -> None:
        table = make_table()
        write(table, [multi({"a": ("1.0", "DOUBLE"), "b": ("x", "VARCHAR")})])
        reordered = multi({"b": ("x", "VARCHAR"), "a": ("1", "DOUBLE")})
        assert write(table, [reordered]).rejected == []
        fewer = multi({"a": ("1", "DOUBLE")})
        assert reasons(write(table, [fewer])) == [REASON_A]
        # A higher version replaces the whole set: attributes not sent are gone.
        assert write(table, [multi({"a": ("1", "DOUBLE")}, Version=2)]).rejected == []
        (record,) = table.records
        assert record.measure_values == {"a": ("1", "DOUBLE")}
        assert (record.measure_value_type, record.measure_value) == ("MULTI", None)

    def test_multi_timestamps_compare_as_instants(self) -> None:
        table = make_table()
        seconds = multi({"t": ("5", "TIMESTAMP")}, Time=str(NOW_MS // 1000), TimeUnit="SECONDS")
        write(table, [seconds])
        millis = multi({"t": ("5000", "TIMESTAMP")}, Time=str(NOW_MS // 1000 * 1000))
        assert write(table, [millis]).rejected == []
        other = multi({"t": ("5", "TIMESTAMP")}, Time=str(NOW_MS // 1000 * 1000))
        assert reasons(write(table, [other])) == [REASON_A]

    def test_an_update_keeps_the_write_position_and_replaces_the_object(self) -> None:
        table = make_table()
        write(table, [rec(Time=str(NOW_MS - i), MeasureValue=str(i)) for i in range(3)])
        before = table.records
        write(table, [rec(Time=str(NOW_MS - 1), MeasureValue="new", MeasureValueType="VARCHAR")])
        write(table, [rec(Time=str(NOW_MS - 1), MeasureValue="9", Version=2)])
        assert [r.measure_value for r in table.records] == ["0", "9", "2"]
        assert before[1].measure_value == "1"  # records already handed out stay as they were

    def test_duplicates_in_one_request(self) -> None:
        table = make_table()
        result = write(table, [rec(MeasureValue="1"), rec(MeasureValue="2")])
        assert result.rejected == [{"RecordIndex": 1, "Reason": REASON_A}]
        assert result.total == 1
        result = write(table, [rec(MeasureValue="1"), rec(MeasureValue="1.0")])
        assert (result.rejected, result.total) == ([], 2)
        result = write(table, [rec(MeasureValue="3", Version=2), rec(MeasureValue="4", Version=3)])
        assert (result.rejected, result.total) == ([], 2)
        assert [(r.measure_value, r.version) for r in table.records] == [("4", 3)]

    def test_a_no_op_counts_in_the_store_of_the_stored_record(self) -> None:
        table = make_table(memory_hours=6, magnetic_days=1, magnetic_writes=True)
        five_hours_old = rec(Time=str(NOW_MS - 5 * HOUR_MS))
        assert write(table, [five_hours_old]).memory_store == 1
        # Two hours later that time belongs to the magnetic part of the window.
        later = NOW_NS + 2 * HOUR_MS * MS
        result = write(table, [five_hours_old], now_ns=later)
        assert (result.memory_store, result.magnetic_store) == (1, 0)
        # A real update is stored where its time now belongs.
        result = write(table, [dict(five_hours_old, Version=2)], now_ns=later)
        assert (result.memory_store, result.magnetic_store) == (0, 1)
        assert table.records[0].store == "magnetic"


# --- partial success -----------------------------------------------------------------------


def test_partial_success_stores_the_accepted_records_only() -> None:
    table = make_table()
    records = [
        rec(Time=str(NOW_MS - 1)),
        rec(Time=str(NOW_MS - 7 * HOUR_MS)),  # outside the 6 h window
        rec(Time=str(NOW_MS - 2)),
        rec(Time=str(NOW_MS - 1), MeasureValue="9"),  # conflicts with record 0
        rec(Time=str(NOW_MS - 3)),
    ]
    result = write(table, records)
    assert [entry["RecordIndex"] for entry in result.rejected] == [1, 3]
    assert result.total == result.memory_store == 3
    assert [r.time_ns for r in table.records] == [(NOW_MS - i) * MS for i in (1, 2, 3)]
    assert all(r.measure_value == "1.5" for r in table.records)


def test_stored_records() -> None:
    table = make_table()
    common = {"Dimensions": [{"Name": "region", "Value": "eu"}], "Time": str(NOW_MS)}
    write(
        table,
        [
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "cpu",
                "MeasureValue": "0.5",
            },
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "mem",
                "MeasureValue": "7",
                "MeasureValueType": "BIGINT",
            },
            multi({"a": ("1", "DOUBLE")}, Dimensions=[{"Name": "host", "Value": "h1"}], Time=None),
        ],
        common,
    )
    first, second, third = table.records
    assert first == Record(
        {"host": "h1", "region": "eu"}, "cpu", "DOUBLE", "0.5", {}, NOW_MS * MS, 1, "memory"
    )
    assert first.measure_values is NO_MEASURE_VALUES
    assert first.dimensions is second.dimensions is third.dimensions  # shared per series
    assert first.time == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
    assert (second.measure_value_type, second.measure_value) == ("BIGINT", "7")
    assert third.measure_values == {"a": ("1", "DOUBLE")}
    assert isinstance(third.measure_values, dict)


# --- §6.4 #14-#17: limits, types, names -----------------------------------------------


class TestTableRules:
    def test_type_locking(self) -> None:
        table = make_table()
        write(table, [rec()])
        result = write(table, [rec(MeasureValueType="BIGINT", MeasureValue="1", Time="1")])
        assert reasons(result) == [
            "The measure cpu has type DOUBLE in the table; it cannot be written as BIGINT."
        ]
        assert table.measure_types == {"cpu": "DOUBLE"}

    def test_multi_attributes_are_type_locked(self) -> None:
        table = make_table()
        write(table, [multi({"a": ("1", "DOUBLE")})])
        result = write(table, [multi({"a": ("1", "BIGINT")}, Time=str(NOW_MS - 1))])
        assert reasons(result) == [
            "The measure a has type DOUBLE in the table; it cannot be written as BIGINT."
        ]
        assert table.measure_types == {"metrics": "MULTI"}
        assert table.attribute_types == {"a": "DOUBLE"}
        assert table.multi_attribute_names == {"a"}

    def test_only_accepted_records_are_recorded(self) -> None:
        table = make_table()
        late = rec(Time="1", MeasureName="x", Dimensions=[{"Name": "d", "Value": "1"}])
        assert write(table, [late]).rejected
        assert (table.measure_types, table.dimension_names) == ({}, set())
        # The rejected record fixed no type for "x".
        assert (
            write(
                table, [rec(MeasureName="x", MeasureValueType="BIGINT", MeasureValue="1")]
            ).rejected
            == []
        )
        assert table.measure_types == {"x": "BIGINT"}
        assert table.dimension_names == {"host"}

    def test_dimension_limit(self) -> None:
        table = make_table()
        dims = [{"Name": f"d{i:03d}", "Value": "v"} for i in range(128)]
        assert write(table, [rec(Dimensions=dims)]).rejected == []
        extra = [*dims[:2], {"Name": "d999", "Value": "v"}]
        result = write(table, [rec(Dimensions=extra, Time="1")])
        assert reasons(result) == [
            "Adding the dimension d999 would exceed the maximum of 128 dimensions per table."
        ]
        assert write(table, [rec(Dimensions=dims[5:9], MeasureValue="2")]).rejected == []

    def test_measure_limit(self) -> None:
        table = make_table()
        table.measure_types.update({f"m{i}": "DOUBLE" for i in range(8192)})
        assert reasons(write(table, [rec(MeasureName="new")])) == [
            "Adding the measure new would exceed the maximum of 8192 measure names per table."
        ]
        assert write(table, [rec(MeasureName="m7")]).rejected == []

    def test_multi_attribute_limit(self) -> None:
        table = make_table()
        table.attribute_types.update({f"a{i}": "DOUBLE" for i in range(1024)})
        result = write(table, [multi({"a1": ("1", "DOUBLE"), "zz": ("1", "DOUBLE")})])
        assert reasons(result) == [
            "Adding the measure zz would exceed the maximum of 1024 distinct measures in "
            "multi-measure records per table."
        ]
        assert write(table, [multi({"a1": ("1", "DOUBLE")})]).rejected == []

    def test_dimension_and_measure_names_share_one_namespace(self) -> None:
        table = make_table()
        write(table, [rec()])
        result = write(table, [rec(Dimensions=[{"Name": "cpu", "Value": "x"}], MeasureName="m")])
        assert reasons(result) == ["The dimension name cpu is already used as a measure name."]
        result = write(table, [rec(MeasureName="host")])
        assert reasons(result) == ["The measure name host is already used as a dimension name."]
        result = write(table, [rec(Dimensions=[{"Name": "z", "Value": "x"}], MeasureName="z")])
        assert reasons(result) == ["The dimension name z is already used as a measure name."]
        result = write(table, [multi({"host": ("1", "DOUBLE")})])
        assert reasons(result) == ["The measure name host is already used as a dimension name."]

    @pytest.mark.parametrize(
        "name",
        [
            "time",
            "measure_value",
            "measure_name",
            "ts_non_existent_col",
            "ts_x",
            "measure_value::double",
            "measure_name_2",
            "a:b",
        ],
    )
    def test_reserved_dimension_names(self, name: str) -> None:
        result = write(make_table(), [rec(Dimensions=[{"Name": name, "Value": "x"}])])
        assert reasons(result) == [
            f"{name} is a reserved name and cannot be used as a dimension name."
        ]

    def test_reserved_attribute_names(self) -> None:
        result = write(make_table(), [multi({"time": ("1", "DOUBLE")})])
        assert reasons(result) == ["time is a reserved name and cannot be used as a measure name."]
        # A single measure's name is a value of the measure_name column, not a column.
        assert write(make_table(), [rec(MeasureName="time")]).rejected == []

    def test_size_limits(self) -> None:
        table = make_table()
        long_dimension = "é" * 31  # 31 characters, 62 bytes
        cases = [
            (
                rec(Dimensions=[{"Name": long_dimension, "Value": "x"}]),
                f"The dimension name {long_dimension} exceeds the maximum size of 60 bytes.",
            ),
            (
                rec(MeasureName="é" * 129),
                f"The measure name {'é' * 129} exceeds the maximum size of 256 bytes.",
            ),
            (
                multi({"é" * 129: ("1", "DOUBLE")}),
                f"The measure name {'é' * 129} exceeds the maximum size of 256 bytes.",
            ),
            (
                rec(Dimensions=[{"Name": "a", "Value": "é" * 1024}]),
                "The dimension names and values of the record exceed the maximum size of "
                "2 KB per series.",
            ),
            (
                rec(MeasureValueType="VARCHAR", MeasureValue="é" * 1025),
                "The VARCHAR measure value exceeds the maximum size of 2 KB.",
            ),
            (
                multi({"a": ("é" * 1025, "VARCHAR")}),
                "The VARCHAR measure value exceeds the maximum size of 2 KB.",
            ),
            (
                multi({f"m{i}": ("x" * 500, "VARCHAR") for i in range(5)}),
                "The measure values of the multi-measure record exceed the maximum size of "
                "2048 bytes.",
            ),
            (
                rec(
                    Dimensions=[{"Name": "a", "Value": "x" * 1500}],
                    MeasureValueType="VARCHAR",
                    MeasureValue="y" * 600,
                ),
                "The record exceeds the maximum record size of 2 KB.",
            ),
        ]
        result = write(table, [record for record, _ in cases])
        assert reasons(result) == [text for _, text in cases]
        assert len(table.index) == 0
        # Right at the limits: accepted.
        at_limit = [
            rec(Dimensions=[{"Name": "é" * 30, "Value": "x"}]),
            rec(MeasureValueType="VARCHAR", MeasureValue="é" * 1000, Time="1", MeasureName="v"),
        ]
        assert (
            write(
                make_table(memory_hours=8766, magnetic_days=73000, magnetic_writes=True), at_limit
            ).rejected
            == []
        )

    def test_the_first_size_limit_in_the_documented_order_is_reported(self) -> None:
        long_dimension = {"Name": "é" * 31, "Value": "x"}  # 62 bytes
        big_series = {"Name": "a", "Value": "é" * 1024}  # over 2 KB
        long_name = "é" * 129  # 258 bytes
        cases = [
            # Single measures: dimension name, measure name, series, VARCHAR, record.
            (rec(Dimensions=[long_dimension], MeasureName=long_name), "of 60 bytes"),
            (rec(Dimensions=[big_series], MeasureName=long_name), "of 256 bytes"),
            (
                rec(Dimensions=[big_series], MeasureValueType="VARCHAR", MeasureValue="é" * 1025),
                "per series",
            ),
            (rec(MeasureValueType="VARCHAR", MeasureValue="é" * 1025), "VARCHAR"),
            # MULTI: ... measure name, attribute name, series, VARCHAR, values, record.
            (multi({long_name: ("1", "DOUBLE")}, MeasureName=long_name + "x"), f"{long_name}x "),
            (multi({long_name: ("1", "DOUBLE")}, Dimensions=[big_series]), f"{long_name} "),
            (multi({"a": ("é" * 1025, "VARCHAR")}, Dimensions=[big_series]), "per series"),
            (multi({"a": ("é" * 1025, "VARCHAR"), "b": ("x" * 10, "VARCHAR")}), "VARCHAR"),
            (multi({f"m{i}": ("x" * 500, "VARCHAR") for i in range(5)}), "2048 bytes"),
        ]
        result = write(make_table(), [record for record, _ in cases])
        for reason, (_, expected) in zip(reasons(result), cases, strict=True):
            assert expected in reason, reason


# --- §9 partition keys -----------------------------------------------------------------------


class TestPartitionKeys:
    @staticmethod
    def table(enforcement: str | None) -> Table:
        key: dict[str, Any] = {"Type": "DIMENSION", "Name": "tenant"}
        if enforcement is not None:
            key["EnforcementInRecord"] = enforcement
        return make_table(schema={"CompositePartitionKey": [key]})

    def test_required_key_missing_is_rejected(self) -> None:
        table = self.table("REQUIRED")
        records = [rec(), rec(Dimensions=[{"Name": "tenant", "Value": "t1"}])]
        result = write(table, records)
        assert result.rejected == [
            {
                "RecordIndex": 0,
                "Reason": "The record is missing the required partition key dimension tenant.",
            }
        ]
        assert result.total == 1

    @pytest.mark.parametrize("enforcement", ["OPTIONAL", None])
    def test_optional_key_may_be_missing(self, enforcement: str | None) -> None:
        assert write(self.table(enforcement), [rec()]).rejected == []

    def test_enforcement_follows_the_current_schema(self) -> None:
        table = self.table("REQUIRED")
        assert write(table, [rec()]).rejected
        table.schema = {
            "CompositePartitionKey": [
                {"Type": "DIMENSION", "Name": "tenant", "EnforcementInRecord": "OPTIONAL"}
            ]
        }
        assert write(table, [rec()]).rejected == []


# --- RecordIndex ----------------------------------------------------------------------------


def test_record_index_keeps_write_order_across_series_and_updates() -> None:
    index = RecordIndex()

    def record(key: tuple[tuple[str, str], ...], name: str, t: int, value: str) -> Record:
        return Record(index.series_dimensions(key), name, "DOUBLE", value, {}, t, 1, "memory")

    a, b = (("h", "a"),), (("h", "b"),)
    for key, name, t, value in [
        (a, "x", 1, "1"),
        (b, "x", 1, "2"),
        (a, "y", 1, "3"),
        (a, "x", 2, "4"),
        (b, "x", 1, "5"),
        (a, "x", 1, "6"),
    ]:
        index.put(key, record(key, name, t, value))
    assert [r.measure_value for r in index] == ["6", "5", "3", "4"]
    assert len(index) == 4
    found = index.find(a, "x", 2)
    assert found is not None and found.measure_value == "4"
    assert index.find(a, "z", 2) is None and index.find((("h", "c"),), "x", 1) is None
    assert index.bucket(b, "x") == {1: list(index)[1]}
    index.clear()
    assert list(index) == [] and len(index) == 0


def test_doubles_in_exponent_form_count_toward_the_multi_values_limit() -> None:
    # §6.4 #14: the sum of a MULTI record's values is at most 2048 bytes, whatever
    # notation its DOUBLE values use (here 100 × 25 characters).
    values = [
        {"Name": f"a{i}", "Value": "1.2345678901234567890e+10", "Type": "DOUBLE"}
        for i in range(100)
    ]
    record = {
        "Dimensions": [{"Name": "host", "Value": "h"}],
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "Time": str(NOW_MS),
        "MeasureValues": values,
    }
    result = write(make_table(), [record])
    assert reasons(result) == [MULTI_VALUES_TOO_LARGE]
    assert result.total == 0
