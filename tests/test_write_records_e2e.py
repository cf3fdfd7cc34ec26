"""WriteRecords end to end through a real boto3 client (behavior reference §5.11, §6, §8, §9).

Every request goes through botocore (serialisation, endpoint discovery, error
parsing) into the mock; what the table then holds is read back with
``ts.records`` and compared field by field. The ingestion window and retention
changes, which need a frozen clock, are in ``test_write_records_window.py``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from tsmock.backend.models import Record

DB = "sensors"
TABLE = "readings"
HOUR_MS = 3600 * 1000
MS_NS = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

REJECTED_MESSAGE = "One or more records have been rejected. See RejectedRecords for details."
REASON_A = (
    "A record already exists with the same time, dimensions, measure name, and record "
    "version. A higher record version must be specified in order to update the measure "
    "value. Specifying record version is supported by the latest SDKs."
)
MEASURE_VALUE_TYPES = "[DOUBLE, BIGINT, VARCHAR, BOOLEAN, TIMESTAMP, MULTI]"
TIME_UNITS = "[MILLISECONDS, SECONDS, MICROSECONDS, NANOSECONDS]"


def reason_b(version: int, existing: int) -> str:
    return (
        f"The record version {version} is lower than the existing version {existing}. "
        "A higher version is required to update the measure value."
    )


# --- fixtures and requests ----------------------------------------------------------------


@pytest.fixture
def client(ts: Any) -> Any:
    return boto3.client("timestream-write", region_name="us-east-1")


@pytest.fixture
def table(client: Any) -> str:
    """An empty table with the default settings (6 h memory, no magnetic writes)."""
    client.create_database(DatabaseName=DB)
    client.create_table(DatabaseName=DB, TableName=TABLE)
    return TABLE


def recent_ms() -> int:
    """A whole-millisecond instant one minute ago: well inside the default window."""
    return time.time_ns() // MS_NS - 60_000


def dims(**pairs: str) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in pairs.items()]


def rec(
    measure_name: str | None = "cpu",
    value: str | None = "1.5",
    *,
    time_ms: int | None = None,
    dimensions: list[dict[str, str]] | None = None,
    value_type: str | None = None,
    version: int | None = None,
    **members: Any,
) -> dict[str, Any]:
    """A Record as boto3 takes it; None leaves a member out."""
    record: dict[str, Any] = {
        "Dimensions": dims(host="web-1") if dimensions is None else dimensions,
        "MeasureName": measure_name,
        "MeasureValue": value,
        "MeasureValueType": value_type,
        "Time": None if time_ms is None else str(time_ms),
        "Version": version,
        **members,
    }
    return {key: item for key, item in record.items() if item is not None}


def multi(
    values: Mapping[str, tuple[str, str]], measure_name: str = "metrics", **members: Any
) -> dict[str, Any]:
    """A MULTI record of ``values`` (attribute name -> (value, type))."""
    measure_values = [{"Name": n, "Value": v, "Type": t} for n, (v, t) in values.items()]
    return rec(
        measure_name,
        None,
        value_type="MULTI",
        MeasureValues=measure_values,
        **members,
    )


def write(
    client: Any,
    records: list[dict[str, Any]],
    common: dict[str, Any] | None = None,
    table_name: str = TABLE,
) -> dict[str, int]:
    """A write that must succeed; its ``RecordsIngested``."""
    kwargs: dict[str, Any] = {"DatabaseName": DB, "TableName": table_name, "Records": records}
    if common is not None:
        kwargs["CommonAttributes"] = common
    response = client.write_records(**kwargs)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    ingested: dict[str, int] = response["RecordsIngested"]
    return ingested


def error_response(
    client: Any,
    records: list[dict[str, Any]],
    common: dict[str, Any] | None = None,
    table_name: str = TABLE,
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"DatabaseName": DB, "TableName": table_name, "Records": records}
    if common is not None:
        kwargs["CommonAttributes"] = common
    with pytest.raises(ClientError) as caught:
        client.write_records(**kwargs)
    return cast(dict[str, Any], caught.value.response)


def refused(
    client: Any,
    records: list[dict[str, Any]],
    common: dict[str, Any] | None = None,
    *,
    coral: bool = False,
) -> str:
    """The message of a WriteRecords refused as a whole with a ValidationException.

    Framework (Coral) errors carry the text under ``message``, service errors under
    ``Message``, which botocore also copies to the top level (§1.3).
    """
    response = error_response(client, records, common)
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "RecordsIngested" not in response
    message: str = response["Error"]["Message"]
    if coral:
        assert "Message" not in response
    else:
        assert response["Message"] == message
    return message


def rejected(
    client: Any, records: list[dict[str, Any]], common: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The ``RejectedRecords`` of a write that must end in RejectedRecordsException (§6.8)."""
    response = error_response(client, records, common)
    assert response["Error"]["Code"] == "RejectedRecordsException"
    assert response["Error"]["Message"] == REJECTED_MESSAGE
    assert response["Message"] == REJECTED_MESSAGE
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 419
    # §6.1: no RecordsIngested with a partial success.
    assert "RecordsIngested" not in response
    entries: list[dict[str, Any]] = response["RejectedRecords"]
    return entries


def utc(time_ns: int) -> datetime:
    return EPOCH + timedelta(microseconds=time_ns // 1000)


def row(record: Record) -> dict[str, Any]:
    """Every documented field of a stored record (API.md ``Record``)."""
    assert record.time.tzinfo is not None
    assert record.time.utcoffset() == timedelta(0)
    return {
        "dimensions": dict(record.dimensions),
        "measure_name": record.measure_name,
        "measure_value_type": record.measure_value_type,
        "measure_value": record.measure_value,
        "measure_values": dict(record.measure_values),
        "time": record.time,
        "time_ns": record.time_ns,
        "version": record.version,
        "store": record.store,
    }


def expected(
    dimensions: Mapping[str, str],
    measure_name: str,
    value_type: str,
    value: str | None,
    time_ms: int,
    *,
    values: Mapping[str, tuple[str, str]] | None = None,
    version: int = 1,
    store: str = "memory",
) -> dict[str, Any]:
    time_ns = time_ms * MS_NS
    return {
        "dimensions": dict(dimensions),
        "measure_name": measure_name,
        "measure_value_type": value_type,
        "measure_value": value,
        "measure_values": dict(values or {}),
        "time": utc(time_ns),
        "time_ns": time_ns,
        "version": version,
        "store": store,
    }


def rows(ts: Any, table_name: str = TABLE) -> list[dict[str, Any]]:
    return [row(record) for record in ts.records(DB, table_name)]


def values_of(ts: Any) -> list[tuple[str | None, int]]:
    """(measure value, version) of each stored record, in write order."""
    return [(r.measure_value, r.version) for r in ts.records(DB, TABLE)]


# --- realistic ingestion (§5.11, §6.2, §6.5-§6.7) ----------------------------------------


class TestIngestion:
    def test_single_measure_records_of_every_scalar_type(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        host = dims(host="web-1", az="us-east-1a")
        records = [
            rec("cpu", "13.5", time_ms=t, dimensions=host),  # no type: DOUBLE
            rec(
                "requests", "-9223372036854775808", time_ms=t, dimensions=host, value_type="BIGINT"
            ),
            rec("status", "degraded", time_ms=t, dimensions=host, value_type="VARCHAR"),
            rec("healthy", "false", time_ms=t + 1, dimensions=host, value_type="BOOLEAN"),
            rec("load", "1e-3", time_ms=t + 2, dimensions=host, value_type="DOUBLE"),
        ]
        assert write(client, records) == {"Total": 5, "MemoryStore": 5, "MagneticStore": 0}
        where = {"host": "web-1", "az": "us-east-1a"}
        assert rows(ts) == [
            expected(where, "cpu", "DOUBLE", "13.5", t),
            expected(where, "requests", "BIGINT", "-9223372036854775808", t),
            expected(where, "status", "VARCHAR", "degraded", t),
            expected(where, "healthy", "BOOLEAN", "false", t + 1),
            expected(where, "load", "DOUBLE", "1e-3", t + 2),
        ]

    def test_multi_measure_record_with_every_attribute_type(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        values = {
            "temperature": ("21.25", "DOUBLE"),
            "packets": ("9223372036854775807", "BIGINT"),
            "firmware": ("v1.2.3", "VARCHAR"),
            "door_open": ("true", "BOOLEAN"),
            "last_boot": (str(t - 5000), "TIMESTAMP"),
        }
        record = multi(values, "environment", time_ms=t, dimensions=dims(device="d-7"))
        assert write(client, [record]) == {"Total": 1, "MemoryStore": 1, "MagneticStore": 0}
        assert rows(ts) == [
            expected({"device": "d-7"}, "environment", "MULTI", None, t, values=values)
        ]

    def test_common_attributes_with_record_specific_parts(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        seconds = t // 1000
        common = {
            "Dimensions": dims(region="us-east-1", fleet="blue"),
            "MeasureValueType": "BIGINT",
            "Time": str(seconds),
            "TimeUnit": "SECONDS",
            "Version": 7,
        }
        records: list[dict[str, Any]] = [
            {"Dimensions": dims(host="a"), "MeasureName": "conns", "MeasureValue": "12"},
            # The record's own members win over the common ones (§6.2).
            {
                "Dimensions": dims(host="b"),
                "MeasureName": "ratio",
                "MeasureValue": "0.5",
                "MeasureValueType": "DOUBLE",
                "Time": str(t),
                "TimeUnit": "MILLISECONDS",
                "Version": 9,
            },
            # No dimensions of its own: only the common ones.
            {"MeasureName": "conns", "MeasureValue": "40"},
        ]
        assert write(client, records, common) == {
            "Total": 3,
            "MemoryStore": 3,
            "MagneticStore": 0,
        }
        shared = {"region": "us-east-1", "fleet": "blue"}
        assert rows(ts) == [
            expected({**shared, "host": "a"}, "conns", "BIGINT", "12", seconds * 1000, version=7),
            expected({**shared, "host": "b"}, "ratio", "DOUBLE", "0.5", t, version=9),
            expected(shared, "conns", "BIGINT", "40", seconds * 1000, version=7),
        ]

    def test_aws_sample_app_pattern(self, client: Any, ts: Any, table: str) -> None:
        # The AWS sample app: dimensions, type and time in common; name and value per record.
        t = recent_ms()
        common = {
            "Dimensions": dims(region="us-east-1", az="az1", hostname="host1"),
            "MeasureValueType": "DOUBLE",
            "Time": str(t),
        }
        records = [
            {"MeasureName": "cpu_utilization", "MeasureValue": "13.5"},
            {"MeasureName": "memory_utilization", "MeasureValue": "40"},
        ]
        assert write(client, records, common) == {
            "Total": 2,
            "MemoryStore": 2,
            "MagneticStore": 0,
        }
        where = {"region": "us-east-1", "az": "az1", "hostname": "host1"}
        assert rows(ts) == [
            expected(where, "cpu_utilization", "DOUBLE", "13.5", t),
            expected(where, "memory_utilization", "DOUBLE", "40", t),
        ]

    def test_multi_measure_name_and_type_in_common(self, client: Any, ts: Any, table: str) -> None:
        # awswrangler's pattern: MULTI in common, dimensions and MeasureValues per record.
        t = recent_ms()
        common = {"MeasureName": "metrics", "MeasureValueType": "MULTI", "Time": str(t)}
        records = [
            {
                "Dimensions": dims(host=host),
                "MeasureValues": [
                    {"Name": "cpu", "Value": cpu, "Type": "DOUBLE"},
                    {"Name": "procs", "Value": procs, "Type": "BIGINT"},
                ],
            }
            for host, cpu, procs in (("a", "1.5", "10"), ("b", "2.5", "20"))
        ]
        assert write(client, records, common)["Total"] == 2
        assert rows(ts) == [
            expected(
                {"host": "a"},
                "metrics",
                "MULTI",
                None,
                t,
                values={"cpu": ("1.5", "DOUBLE"), "procs": ("10", "BIGINT")},
            ),
            expected(
                {"host": "b"},
                "metrics",
                "MULTI",
                None,
                t,
                values={"cpu": ("2.5", "DOUBLE"), "procs": ("20", "BIGINT")},
            ),
        ]

    @pytest.mark.parametrize(
        ("unit", "suffix", "extra_ns", "microsecond"),
        [
            ("SECONDS", "", 0, 0),
            ("MILLISECONDS", "123", 123_000_000, 123_000),
            ("MICROSECONDS", "123456", 123_456_000, 123_456),
            ("NANOSECONDS", "123456789", 123_456_789, 123_456),
        ],
    )
    def test_time_units(
        self,
        client: Any,
        ts: Any,
        table: str,
        unit: str,
        suffix: str,
        extra_ns: int,
        microsecond: int,
    ) -> None:
        seconds = recent_ms() // 1000
        written = f"{seconds}{suffix}"
        write(client, [rec(Time=written, TimeUnit=unit)])
        (stored,) = ts.records(DB, TABLE)
        assert stored.time_ns == seconds * 1_000_000_000 + extra_ns
        assert stored.time == datetime.fromtimestamp(seconds, tz=timezone.utc).replace(
            microsecond=microsecond
        )
        assert stored.time.tzinfo is not None
        assert stored.time.utcoffset() == timedelta(0)

    def test_time_unit_defaults_to_milliseconds(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms() // 1000 * 1000 + 7
        write(client, [rec(time_ms=t)])
        (stored,) = ts.records(DB, TABLE)
        assert stored.time_ns == t * MS_NS
        assert stored.time.microsecond == 7000

    def test_time_unit_from_common_attributes(self, client: Any, ts: Any, table: str) -> None:
        micros = recent_ms() * 1000 + 42
        write(client, [rec(Time=str(micros))], {"TimeUnit": "MICROSECONDS"})
        (stored,) = ts.records(DB, TABLE)
        assert stored.time_ns == micros * 1000

    def test_default_version_is_1(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [rec(time_ms=t), multi({"a": ("1", "BIGINT")}, time_ms=t)])
        assert [r.version for r in ts.records(DB, TABLE)] == [1, 1]

    def test_measure_values_in_common_are_used_or_replaced_never_concatenated(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        common = {
            "MeasureName": "metrics",
            "MeasureValueType": "MULTI",
            "Time": str(t),
            "MeasureValues": [{"Name": "cpu", "Value": "1.5", "Type": "DOUBLE"}],
        }
        records = [
            {"Dimensions": dims(host="a")},
            {
                "Dimensions": dims(host="b"),
                "MeasureValues": [{"Name": "mem", "Value": "2048", "Type": "BIGINT"}],
            },
        ]
        assert write(client, records, common)["Total"] == 2
        assert [dict(r.measure_values) for r in ts.records(DB, TABLE)] == [
            {"cpu": ("1.5", "DOUBLE")},
            {"mem": ("2048", "BIGINT")},
        ]

    def test_timestamp_attributes_count_in_the_record_time_unit(
        self, client: Any, ts: Any, table: str
    ) -> None:
        # §6.5: TIMESTAMP values use the record's TimeUnit; the largest instant is
        # 2262-04-11T23:47:16.854775807Z.
        seconds = recent_ms() // 1000
        in_range = multi(
            {"boot": ("9223372036", "TIMESTAMP")}, Time=str(seconds), TimeUnit="SECONDS"
        )
        assert write(client, [in_range])["Total"] == 1
        (stored,) = ts.records(DB, TABLE)
        assert dict(stored.measure_values) == {"boot": ("9223372036", "TIMESTAMP")}
        too_late = multi(
            {"boot": ("9223372037", "TIMESTAMP")}, Time=str(seconds + 1), TimeUnit="SECONDS"
        )
        assert (
            refused(client, [too_late])
            == "Invalid measure value 9223372037 for measure value type TIMESTAMP."
        )
        # The same digits are a fine instant when counted in milliseconds.
        as_ms = multi({"boot": ("9223372037", "TIMESTAMP")}, time_ms=seconds * 1000 + 1)
        assert write(client, [as_ms])["Total"] == 1

    def test_booleans_are_case_insensitive_and_stored_as_written(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        records = [
            rec("up", text, time_ms=t + i, value_type="BOOLEAN")
            for i, text in enumerate(("TRUE", "False", "true"))
        ]
        assert write(client, records)["Total"] == 3
        assert [r.measure_value for r in ts.records(DB, TABLE)] == ["TRUE", "False", "true"]

    def test_a_full_request_of_100_records(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        records = [rec(value=str(i), time_ms=t - i) for i in range(100)]
        assert write(client, records) == {"Total": 100, "MemoryStore": 100, "MagneticStore": 0}
        assert [(r.measure_value, r.time_ns) for r in ts.records(DB, TABLE)] == [
            (str(i), (t - i) * MS_NS) for i in range(100)
        ]


# --- whole-request ValidationException (§1.4, §6.4 #1-#13) -------------------------------


def coral(path: str, value: str, phrase: str) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{path}' "
        f"failed to satisfy constraint: {phrase}"
    )


class TestValidationException:
    def test_more_than_100_records(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        message = refused(client, [rec(time_ms=t - i) for i in range(101)], coral=True)
        # How the real service dumps the list is not specified (§1.4): only the frame.
        assert message.startswith("1 validation error detected: Value '")
        assert message.endswith(
            "' at 'records' failed to satisfy constraint: "
            "Member must have length less than or equal to 100"
        )
        assert ts.records(DB, TABLE) == []

    def test_more_than_128_dimensions_in_a_record(self, client: Any, ts: Any, table: str) -> None:
        many = [{"Name": f"d{i:03d}", "Value": "v"} for i in range(129)]
        message = refused(client, [rec(time_ms=recent_ms(), dimensions=many)], coral=True)
        assert message.startswith("1 validation error detected: Value '")
        assert message.endswith(
            "' at 'records.1.member.dimensions' failed to satisfy constraint: "
            "Member must have length less than or equal to 128"
        )
        assert ts.records(DB, TABLE) == []

    @pytest.mark.parametrize(
        ("bad", "common", "message"),
        [
            pytest.param(
                {"MeasureValueType": "FOO"},
                None,
                coral(
                    "records.2.member.measureValueType",
                    "FOO",
                    f"Member must satisfy enum value set: {MEASURE_VALUE_TYPES}",
                ),
                id="measure-value-type",
            ),
            pytest.param(
                {"TimeUnit": "HOURS"},
                None,
                coral(
                    "records.2.member.timeUnit",
                    "HOURS",
                    f"Member must satisfy enum value set: {TIME_UNITS}",
                ),
                id="time-unit",
            ),
            pytest.param(
                {
                    "Dimensions": [
                        {"Name": "host", "Value": "a"},
                        {"Name": "rack", "Value": "r1", "DimensionValueType": "X"},
                    ]
                },
                None,
                coral(
                    "records.2.member.dimensions.2.member.dimensionValueType",
                    "X",
                    "Member must satisfy enum value set: [VARCHAR]",
                ),
                id="dimension-value-type",
            ),
            pytest.param(
                {
                    "MeasureValue": None,
                    "MeasureValueType": "MULTI",
                    "MeasureValues": [
                        {"Name": "a", "Value": "1", "Type": "DOUBLE"},
                        {"Name": "b", "Value": "1", "Type": "FLOAT"},
                    ],
                },
                None,
                coral(
                    "records.2.member.measureValues.2.member.type",
                    "FLOAT",
                    f"Member must satisfy enum value set: {MEASURE_VALUE_TYPES}",
                ),
                id="measure-values-type",
            ),
            pytest.param(
                {},
                {"TimeUnit": "DAYS"},
                coral(
                    "commonAttributes.timeUnit",
                    "DAYS",
                    f"Member must satisfy enum value set: {TIME_UNITS}",
                ),
                id="common-time-unit",
            ),
            pytest.param(
                {"MeasureValue": "7" * 2049},
                None,
                coral(
                    "records.2.member.measureValue",
                    "7" * 2049,
                    "Member must have length less than or equal to 2048",
                ),
                id="measure-value-length",
            ),
            pytest.param(
                {"Time": "1" * 257},
                None,
                coral(
                    "records.2.member.time",
                    "1" * 257,
                    "Member must have length less than or equal to 256",
                ),
                id="time-length",
            ),
            pytest.param(
                {"MeasureName": "m" * 257},
                None,
                coral(
                    "records.2.member.measureName",
                    "m" * 257,
                    "Member must have length less than or equal to 256",
                ),
                id="measure-name-257-chars",
            ),
            pytest.param(
                {"Dimensions": [{"Name": "host", "Value": "a"}, {"Name": "n" * 61, "Value": "v"}]},
                None,
                coral(
                    "records.2.member.dimensions.2.member.name",
                    "n" * 61,
                    "Member must have length less than or equal to 60",
                ),
                id="dimension-name-61-chars",
            ),
            pytest.param(
                {},
                {
                    "Dimensions": [
                        {"Name": "region", "Value": "eu"},
                        {"Name": "z" * 61, "Value": "v"},
                    ]
                },
                coral(
                    "commonAttributes.dimensions.2.member.name",
                    "z" * 61,
                    "Member must have length less than or equal to 60",
                ),
                id="common-dimension-name-61-chars",
            ),
        ],
    )
    def test_framework_constraints(
        self,
        client: Any,
        ts: Any,
        table: str,
        bad: dict[str, Any],
        common: dict[str, Any] | None,
        message: str,
    ) -> None:
        t = recent_ms()
        records = [rec(time_ms=t), {**rec(time_ms=t + 1), **bad}]
        records = [{k: v for k, v in r.items() if v is not None} for r in records]
        assert refused(client, records, common, coral=True) == message
        assert ts.records(DB, TABLE) == []

    def test_limits_hold_exactly_at_the_maximum(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        at_limits = rec(
            "m" * 256,
            "v" * 1000,
            time_ms=t,
            dimensions=dims(**{"n" * 60: "v"}),
            value_type="VARCHAR",
        )
        assert write(client, [at_limits])["Total"] == 1
        (stored,) = ts.records(DB, TABLE)
        assert stored.measure_name == "m" * 256
        assert dict(stored.dimensions) == {"n" * 60: "v"}

    def test_several_violations_are_listed_together(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        records = [rec(time_ms=t, TimeUnit="HOURS"), rec(time_ms=t, value_type="FOO")]
        assert refused(client, records, coral=True) == (
            "2 validation errors detected: "
            "Value 'HOURS' at 'records.1.member.timeUnit' failed to satisfy constraint: "
            f"Member must satisfy enum value set: {TIME_UNITS}; "
            "Value 'FOO' at 'records.2.member.measureValueType' failed to satisfy "
            f"constraint: Member must satisfy enum value set: {MEASURE_VALUE_TYPES}"
        )

    def test_framework_checks_come_before_the_service_checks(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        records = [rec(time_ms=t, dimensions=[]), rec(time_ms=t, value_type="FOO")]
        message = refused(client, records, coral=True)
        assert message == coral(
            "records.2.member.measureValueType",
            "FOO",
            f"Member must satisfy enum value set: {MEASURE_VALUE_TYPES}",
        )

    @pytest.mark.parametrize(
        ("bad", "common", "message"),
        [
            pytest.param(
                {"Dimensions": dims(host="a") + dims(host="b")},
                None,
                "Dimension names must be unique within a record. Duplicate dimension name: host.",
                id="3-repeated-dimension",
            ),
            pytest.param(
                {"Dimensions": dims(rack="r1", region="eu")},
                {"Dimensions": dims(region="us")},
                "Dimension names must be unique within a record. Duplicate dimension name: region.",
                id="3-common-and-record-overlap",
            ),
            pytest.param(
                {"Dimensions": []},
                None,
                "At least one dimension is required for a record.",
                id="4-no-dimension",
            ),
            pytest.param(
                {"Dimensions": None},
                None,
                "At least one dimension is required for a record.",
                id="4-dimensions-missing",
            ),
            pytest.param(
                {"MeasureName": None},
                None,
                "Measure name is required for a record.",
                id="5-no-measure-name",
            ),
            pytest.param(
                {"MeasureValueType": "TIMESTAMP", "MeasureValue": "1700000000000"},
                None,
                "TIMESTAMP is an invalid measure value type.",
                id="6-timestamp-single-measure",
            ),
            pytest.param(
                {
                    "MeasureValueType": "BIGINT",
                    "MeasureValue": None,
                    "MeasureValues": [{"Name": "a", "Value": "1", "Type": "BIGINT"}],
                },
                None,
                "MeasureValues can only be specified for measure value type MULTI.",
                id="7-measure-values-on-bigint",
            ),
            pytest.param(
                {
                    "MeasureValue": None,
                    "MeasureValues": [{"Name": "a", "Value": "1", "Type": "DOUBLE"}],
                },
                None,
                "MeasureValues can only be specified for measure value type MULTI.",
                id="7-measure-values-on-default-double",
            ),
            pytest.param(
                {
                    "MeasureValueType": "MULTI",
                    "MeasureValue": "1",
                    "MeasureValues": [{"Name": "a", "Value": "1", "Type": "DOUBLE"}],
                },
                None,
                "A record of measure value type MULTI must specify MeasureValues "
                "and must not specify MeasureValue.",
                id="8-multi-with-measure-value",
            ),
            pytest.param(
                {"MeasureValueType": "MULTI", "MeasureValue": None},
                None,
                "A record of measure value type MULTI must specify MeasureValues "
                "and must not specify MeasureValue.",
                id="8-multi-without-measure-values",
            ),
            pytest.param(
                {"MeasureValueType": "MULTI", "MeasureValue": None, "MeasureValues": []},
                None,
                "A record of measure value type MULTI must specify MeasureValues "
                "and must not specify MeasureValue.",
                id="8-multi-with-empty-measure-values",
            ),
            pytest.param(
                {"MeasureValue": None},
                None,
                "Measure value is required for a record.",
                id="9-no-measure-value",
            ),
            pytest.param(
                {
                    "MeasureValueType": "MULTI",
                    "MeasureValue": None,
                    "MeasureValues": [{"Name": "a", "Value": "1", "Type": "MULTI"}],
                },
                None,
                "MULTI is an invalid measure value type for a measure in MeasureValues.",
                id="10-attribute-of-type-multi",
            ),
            pytest.param(
                {
                    "MeasureValueType": "MULTI",
                    "MeasureValue": None,
                    "MeasureValues": [
                        {"Name": "a", "Value": "1", "Type": "DOUBLE"},
                        {"Name": "a", "Value": "2", "Type": "DOUBLE"},
                    ],
                },
                None,
                "Measure names must be unique within a multi-measure record. "
                "Duplicate measure name: a.",
                id="10-repeated-attribute",
            ),
            pytest.param(
                {
                    "MeasureValueType": "MULTI",
                    "MeasureValue": None,
                    "MeasureValues": [
                        {"Name": f"a{i}", "Value": "1", "Type": "BIGINT"} for i in range(257)
                    ],
                },
                None,
                "A multi-measure record can contain at most 256 measures.",
                id="10-257-attributes",
            ),
            pytest.param({"Time": None}, None, "Invalid time for record.", id="11-no-time"),
            pytest.param({"Time": "12.5"}, None, "Invalid time for record.", id="11-decimal"),
            pytest.param({"Time": "soon"}, None, "Invalid time for record.", id="11-text"),
            pytest.param({"Time": "-5"}, None, "Invalid time for record.", id="11-negative"),
            pytest.param(
                {"Version": 0},
                None,
                "Record version must be greater than or equal to 1.",
                id="12-version-0",
            ),
            pytest.param(
                {"Version": -3},
                None,
                "Record version must be greater than or equal to 1.",
                id="12-negative-version",
            ),
            pytest.param(
                {"MeasureValue": "abc"},
                None,
                "Invalid measure value abc for measure value type DOUBLE.",
                id="13-double-text",
            ),
            pytest.param(
                {"MeasureValue": "NaN"},
                None,
                "Invalid measure value NaN for measure value type DOUBLE.",
                id="13-double-nan",
            ),
            pytest.param(
                {"MeasureValue": "-Infinity"},
                None,
                "Invalid measure value -Infinity for measure value type DOUBLE.",
                id="13-double-infinity",
            ),
            pytest.param(
                {"MeasureValue": "1e999"},
                None,
                "Invalid measure value 1e999 for measure value type DOUBLE.",
                id="13-double-overflow",
            ),
            pytest.param(
                {"MeasureValueType": "BIGINT", "MeasureValue": "1.5"},
                None,
                "Invalid measure value 1.5 for measure value type BIGINT.",
                id="13-bigint-decimal",
            ),
            pytest.param(
                {"MeasureValueType": "BIGINT", "MeasureValue": "9223372036854775808"},
                None,
                "Invalid measure value 9223372036854775808 for measure value type BIGINT.",
                id="13-bigint-overflow",
            ),
            pytest.param(
                {"MeasureValueType": "BOOLEAN", "MeasureValue": "yes"},
                None,
                "Invalid measure value yes for measure value type BOOLEAN.",
                id="13-boolean",
            ),
            pytest.param(
                {
                    "MeasureValueType": "MULTI",
                    "MeasureValue": None,
                    "MeasureValues": [
                        {"Name": "a", "Value": "1", "Type": "DOUBLE"},
                        {"Name": "b", "Value": "yesterday", "Type": "TIMESTAMP"},
                    ],
                },
                None,
                "Invalid measure value yesterday for measure value type TIMESTAMP.",
                id="13-multi-timestamp",
            ),
            pytest.param(
                {"Dimensions": dims(host="")},
                None,
                "Dimension value cannot be empty for dimension host.",
                id="empty-dimension-value",
            ),
        ],
    )
    def test_service_checks(
        self,
        client: Any,
        ts: Any,
        table: str,
        bad: dict[str, Any],
        common: dict[str, Any] | None,
        message: str,
    ) -> None:
        # A good record first: a refused request stores nothing at all (§6.1).
        t = recent_ms()
        good = rec(time_ms=t, dimensions=dims(rack="r0"))
        bad_record = {k: v for k, v in {**rec(time_ms=t + 1), **bad}.items() if v is not None}
        assert refused(client, [good, bad_record], common) == message
        assert ts.records(DB, TABLE) == []

    def test_the_first_failing_record_decides(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        records = [
            rec(time_ms=t),
            rec(time_ms=t, Version=0),
            rec(time_ms=t, dimensions=[]),
        ]
        assert refused(client, records) == "Record version must be greater than or equal to 1."
        assert ts.records(DB, TABLE) == []

    def test_a_batch_with_some_records_without_dimensions_fails_as_a_whole(
        self, client: Any, ts: Any, table: str
    ) -> None:
        # The real xk6 case: 100 records, a few without dimensions (§6.1).
        t = recent_ms()
        records = [rec(time_ms=t - i) for i in range(100)]
        for i in (37, 80):
            records[i] = rec(time_ms=t - i, dimensions=[])
        message = refused(client, records)
        assert message == "At least one dimension is required for a record."
        assert ts.records(DB, TABLE) == []


class TestMissingResources:
    def test_unknown_database(self, client: Any, ts: Any) -> None:
        response = error_response(client, [rec(time_ms=recent_ms())])
        assert response["Error"] == {
            "Code": "ResourceNotFoundException",
            "Message": f"The database {DB} does not exist.",
        }
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 404

    def test_unknown_table(self, client: Any, ts: Any, table: str) -> None:
        response = error_response(client, [rec(time_ms=recent_ms())], table_name="absent")
        assert response["Error"] == {
            "Code": "ResourceNotFoundException",
            "Message": "The table absent does not exist.",
        }

    def test_existence_is_checked_after_the_framework_and_before_the_records(
        self, client: Any, ts: Any, table: str
    ) -> None:
        # §3.6: framework constraints, then resources, then the service's own rules.
        no_dimension = rec(time_ms=recent_ms(), dimensions=[])
        response = error_response(client, [no_dimension], table_name="absent")
        assert response["Error"]["Code"] == "ResourceNotFoundException"
        bad_enum = rec(time_ms=recent_ms(), value_type="FOO")
        response = error_response(client, [bad_enum], table_name="absent")
        assert response["Error"]["Code"] == "ValidationException"
        assert response["Error"]["Message"] == coral(
            "records.1.member.measureValueType",
            "FOO",
            f"Member must satisfy enum value set: {MEASURE_VALUE_TYPES}",
        )


class TestParameterValidationOff:
    @pytest.fixture
    def raw_client(self, ts: Any, table: str) -> Any:
        return boto3.client(
            "timestream-write",
            region_name="us-east-1",
            config=Config(parameter_validation=False),
        )

    def test_zero_records(self, raw_client: Any, ts: Any) -> None:
        assert refused(raw_client, [], coral=True) == coral(
            "records", "[]", "Member must have length greater than or equal to 1"
        )

    def test_empty_measure_value(self, raw_client: Any, ts: Any) -> None:
        records = [rec(time_ms=recent_ms()), rec("mem", "", time_ms=recent_ms())]
        assert refused(raw_client, records, coral=True) == coral(
            "records.2.member.measureValue",
            "",
            "Member must have length greater than or equal to 1",
        )
        assert ts.records(DB, TABLE) == []

    def test_boto3_itself_refuses_these_without_sending(
        self, client: Any, ts: Any, table: str
    ) -> None:
        # §1.5: with parameter validation on, botocore checks `min` and sends nothing.
        with pytest.raises(ParamValidationError):
            client.write_records(DatabaseName=DB, TableName=TABLE, Records=[])
        with pytest.raises(ParamValidationError):
            client.write_records(
                DatabaseName=DB, TableName=TABLE, Records=[rec("cpu", "", time_ms=recent_ms())]
            )
        assert [call.operation for call in ts.calls if call.operation == "WriteRecords"] == []


# --- RejectedRecords (§6.4 #14-#20, §6.8) -----------------------------------------------


def good_pair(t: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two records that are accepted on any table of these tests."""
    return (
        rec("cpu", "1.5", time_ms=t, dimensions=dims(host="ok-1")),
        rec("cpu", "2.5", time_ms=t, dimensions=dims(host="ok-2")),
    )


def assert_partial_success(ts: Any, t: int, before: int = 0) -> None:
    """The two `good_pair` records were stored after ``before`` earlier ones."""
    stored = rows(ts)[before:]
    assert stored == [
        expected({"host": "ok-1"}, "cpu", "DOUBLE", "1.5", t),
        expected({"host": "ok-2"}, "cpu", "DOUBLE", "2.5", t),
    ]


E_ACUTE = "\u00e9"  # two bytes in UTF-8


class TestRejectedRecords:
    @pytest.mark.parametrize(
        ("bad", "reason"),
        [
            pytest.param(
                rec("cpu", "1", dimensions=dims(**{E_ACUTE * 31: "v"})),
                f"The dimension name {E_ACUTE * 31} exceeds the maximum size of 60 bytes.",
                id="dimension-name-62-bytes",
            ),
            pytest.param(
                rec(E_ACUTE * 129, "1", dimensions=dims(host="h")),
                f"The measure name {E_ACUTE * 129} exceeds the maximum size of 256 bytes.",
                id="measure-name-258-bytes",
            ),
            pytest.param(
                multi({E_ACUTE * 129: ("1", "DOUBLE")}, dimensions=dims(host="h")),
                f"The measure name {E_ACUTE * 129} exceeds the maximum size of 256 bytes.",
                id="attribute-name-258-bytes",
            ),
            pytest.param(
                rec("cpu", "1", dimensions=dims(a="x" * 1100, b="y" * 1000)),
                "The dimension names and values of the record exceed the maximum size of "
                "2 KB per series.",
                id="series-over-2kb",
            ),
            pytest.param(
                rec("note", E_ACUTE * 1025, value_type="VARCHAR", dimensions=dims(host="h")),
                "The VARCHAR measure value exceeds the maximum size of 2 KB.",
                id="varchar-over-2kb",
            ),
            pytest.param(
                multi(
                    {"a": ("x" * 1100, "VARCHAR"), "b": ("y" * 1000, "VARCHAR")},
                    dimensions=dims(host="h"),
                ),
                "The measure values of the multi-measure record exceed the maximum size of "
                "2048 bytes.",
                id="multi-values-over-2048-bytes",
            ),
            pytest.param(
                rec("note", "v" * 1100, value_type="VARCHAR", dimensions=dims(host="h" * 1000)),
                "The record exceeds the maximum record size of 2 KB.",
                id="record-over-2kb",
            ),
            pytest.param(
                rec("cpu", "1", dimensions=dims(time="now")),
                "time is a reserved name and cannot be used as a dimension name.",
                id="reserved-dimension-time",
            ),
            pytest.param(
                rec("cpu", "1", dimensions=dims(ts_zone="z")),
                "ts_zone is a reserved name and cannot be used as a dimension name.",
                id="reserved-dimension-prefix",
            ),
            pytest.param(
                rec("cpu", "1", dimensions=dims(measure_name="x")),
                "measure_name is a reserved name and cannot be used as a dimension name.",
                id="reserved-dimension-measure-name",
            ),
            pytest.param(
                multi({"measure_value": ("1", "DOUBLE")}, dimensions=dims(host="h")),
                "measure_value is a reserved name and cannot be used as a measure name.",
                id="reserved-attribute",
            ),
        ],
    )
    def test_record_level_limits_and_names(
        self, client: Any, ts: Any, table: str, bad: dict[str, Any], reason: str
    ) -> None:
        t = recent_ms()
        first, last = good_pair(t)
        assert rejected(client, [first, {**bad, "Time": str(t)}, last]) == [
            {"RecordIndex": 1, "Reason": reason}
        ]
        assert_partial_success(ts, t)

    def test_the_129th_dimension_of_a_table(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        names = ["host"] + [f"d{i:03d}" for i in range(127)]
        wide = [{"Name": name, "Value": "v"} for name in names]
        assert write(client, [rec(time_ms=t - 1, dimensions=wide)])["Total"] == 1
        first, last = good_pair(t)
        new_dimension = rec("cpu", "1", time_ms=t, dimensions=dims(host="h", zone="z"))
        assert rejected(client, [first, new_dimension, last]) == [
            {
                "RecordIndex": 1,
                "Reason": "Adding the dimension zone would exceed the maximum of 128 "
                "dimensions per table.",
            }
        ]
        assert_partial_success(ts, t, before=1)

    def test_the_8193rd_measure_name_of_a_table(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        # "cpu" (the good pair's measure) is one of the 8192.
        names = ["cpu"] + [f"m{i:04d}" for i in range(8191)]
        for start in range(0, len(names), 100):
            batch = [rec(name, "1", time_ms=t - 1) for name in names[start : start + 100]]
            write(client, batch)
        first, last = good_pair(t)
        assert rejected(client, [first, rec("m8191", "1", time_ms=t), last]) == [
            {
                "RecordIndex": 1,
                "Reason": "Adding the measure m8191 would exceed the maximum of 8192 measure "
                "names per table.",
            }
        ]
        assert_partial_success(ts, t, before=8192)

    def test_the_1025th_multi_measure_attribute_of_a_table(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        for block in range(4):
            values = {f"a{block * 256 + i:03x}": ("1", "BIGINT") for i in range(256)}
            write(client, [multi(values, f"group{block}", time_ms=t - 1)])
        first, last = good_pair(t)
        new_attribute = multi({"a400": ("1", "BIGINT")}, "group0", time_ms=t)
        known_attribute = multi({"a3ff": ("2", "BIGINT")}, "group0", time_ms=t)
        assert rejected(client, [first, new_attribute, known_attribute, last]) == [
            {
                "RecordIndex": 1,
                "Reason": "Adding the measure a400 would exceed the maximum of 1024 distinct "
                "measures in multi-measure records per table.",
            }
        ]
        assert len(ts.records(DB, TABLE)) == 4 + 3

    def test_a_measure_keeps_its_first_type(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [rec("cpu", "1.5", time_ms=t - 1, dimensions=dims(host="ok-1"))])
        first, last = good_pair(t)
        as_bigint = rec("cpu", "2", time_ms=t, value_type="BIGINT", dimensions=dims(host="x"))
        assert rejected(client, [first, as_bigint, last]) == [
            {
                "RecordIndex": 1,
                "Reason": "The measure cpu has type DOUBLE in the table; it cannot be "
                "written as BIGINT.",
            }
        ]
        assert_partial_success(ts, t, before=1)

    def test_a_multi_attribute_keeps_its_first_type(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [multi({"temp": ("20.5", "DOUBLE")}, time_ms=t - 1)])
        first, last = good_pair(t)
        changed = multi({"temp": ("hot", "VARCHAR")}, time_ms=t)
        assert rejected(client, [first, changed, last]) == [
            {
                "RecordIndex": 1,
                "Reason": "The measure temp has type DOUBLE in the table; it cannot be "
                "written as VARCHAR.",
            }
        ]
        assert_partial_success(ts, t, before=1)

    def test_dimension_and_measure_names_share_one_namespace(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        write(client, [rec("cpu", "1", time_ms=t - 1, dimensions=dims(host="h"))])
        first, last = good_pair(t)
        dimension_named_cpu = rec("mem", "1", time_ms=t, dimensions=dims(cpu="x"))
        measure_named_host = rec("host", "1", time_ms=t, dimensions=dims(rack="r"))
        assert rejected(client, [first, dimension_named_cpu, measure_named_host, last]) == [
            {
                "RecordIndex": 1,
                "Reason": "The dimension name cpu is already used as a measure name.",
            },
            {
                "RecordIndex": 2,
                "Reason": "The measure name host is already used as a dimension name.",
            },
        ]
        assert_partial_success(ts, t, before=1)

    def test_required_partition_key_missing(self, client: Any, ts: Any) -> None:
        create_partitioned_table(client, "REQUIRED")
        t = recent_ms()
        first, last = good_pair(t)
        first["Dimensions"] += dims(device="d1")
        last["Dimensions"] += dims(device="d2")
        assert rejected(client, [first, rec(time_ms=t), last]) == [
            {
                "RecordIndex": 1,
                "Reason": "The record is missing the required partition key dimension device.",
            }
        ]
        assert [dict(r.dimensions) for r in ts.records(DB, TABLE)] == [
            {"host": "ok-1", "device": "d1"},
            {"host": "ok-2", "device": "d2"},
        ]

    def test_every_rejected_record_is_listed_in_request_order(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        write(client, [rec("cpu", "1.5", time_ms=t, version=3)])
        records = [
            rec("cpu", "9", time_ms=t, version=3),  # reason A
            rec("mem", "1", time_ms=t),  # accepted
            rec("cpu", "9", time_ms=t, version=2),  # reason B
            rec("cpu", "1", time_ms=t // 1000, TimeUnit="MILLISECONDS"),  # 1970: window
            rec("cpu", "7", time_ms=t, value_type="BIGINT"),  # type
            rec("disk", "3", time_ms=t + 1),  # accepted
        ]
        entries = rejected(client, records)
        assert [entry["RecordIndex"] for entry in entries] == [0, 2, 3, 4]
        assert entries[0] == {"RecordIndex": 0, "Reason": REASON_A}
        assert entries[1] == {"RecordIndex": 2, "Reason": reason_b(2, 3), "ExistingVersion": 3}
        assert entries[2]["Reason"].startswith("The record timestamp is outside the time range [")
        assert entries[2]["Reason"].endswith(") of the memory store.")
        assert "ExistingVersion" not in entries[2]
        assert entries[3] == {
            "RecordIndex": 4,
            "Reason": "The measure cpu has type DOUBLE in the table; it cannot be "
            "written as BIGINT.",
        }
        assert [(r.measure_name, r.measure_value, r.version) for r in ts.records(DB, TABLE)] == [
            ("cpu", "1.5", 3),
            ("mem", "1", 1),
            ("disk", "3", 1),
        ]

    def test_all_records_rejected(self, client: Any, ts: Any, table: str) -> None:
        old = recent_ms() - 7 * HOUR_MS
        entries = rejected(client, [rec(time_ms=old), rec(time_ms=old + 1)])
        assert [entry["RecordIndex"] for entry in entries] == [0, 1]
        assert ts.records(DB, TABLE) == []

    def test_a_rejection_is_not_retried(self, client: Any, ts: Any, table: str) -> None:
        # §1.6: 419 is not retried by botocore; the mock answers exactly once.
        old = recent_ms() - 7 * HOUR_MS
        response = error_response(client, [rec(time_ms=old)])
        assert response["ResponseMetadata"]["RetryAttempts"] == 0
        writes = [call for call in ts.calls if call.operation == "WriteRecords"]
        assert [call.error_code for call in writes] == ["RejectedRecordsException"]


# --- upserts (§8) -------------------------------------------------------------------------


class TestUpserts:
    def test_documented_sequence(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        # 1. no Version: stored with version 1.
        assert write(client, [rec(value="10", time_ms=t)])["Total"] == 1
        assert values_of(ts) == [("10", 1)]
        # 2. a different value without Version: rejected, reason A.
        assert rejected(client, [rec(value="11", time_ms=t)]) == [
            {"RecordIndex": 0, "Reason": REASON_A}
        ]
        assert values_of(ts) == [("10", 1)]
        # 3. the different value with Version 2: updated.
        assert write(client, [rec(value="11", time_ms=t, version=2)])["Total"] == 1
        assert values_of(ts) == [("11", 2)]
        # 4. the same value with Version 3: only the version changes.
        assert write(client, [rec(value="11", time_ms=t, version=3)])["Total"] == 1
        assert values_of(ts) == [("11", 3)]
        # 5. further changes need a version above 3.
        assert rejected(client, [rec(value="12", time_ms=t, version=3)]) == [
            {"RecordIndex": 0, "Reason": REASON_A}
        ]
        assert rejected(client, [rec(value="12", time_ms=t, version=2)]) == [
            {"RecordIndex": 0, "Reason": reason_b(2, 3), "ExistingVersion": 3}
        ]
        assert values_of(ts) == [("11", 3)]
        assert write(client, [rec(value="12", time_ms=t, version=4)])["Total"] == 1
        assert values_of(ts) == [("12", 4)]

    def test_awswrangler_versioned_flow(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()

        def frame(values: tuple[str, str, str], version: int) -> list[dict[str, Any]]:
            return [
                rec(
                    "metrics",
                    None,
                    time_ms=t + i,
                    dimensions=dims(dim0=f"foo{i}"),
                    value_type="MULTI",
                    version=version,
                    MeasureValues=[
                        {"Name": "value", "Value": value, "Type": "DOUBLE"},
                        {"Name": "label", "Value": f"row{i}", "Type": "VARCHAR"},
                    ],
                )
                for i, value in enumerate(values)
            ]

        assert write(client, frame(("1.0", "1.1", "1.2"), 1))["Total"] == 3
        # The same values with the same version: accepted, nothing changes.
        assert write(client, frame(("1.0", "1.1", "1.2"), 1))["Total"] == 3
        # Changed values with the same version: every record rejected.
        assert rejected(client, frame(("2.0", "2.1", "2.2"), 1)) == [
            {"RecordIndex": i, "Reason": REASON_A} for i in range(3)
        ]
        assert write(client, frame(("2.0", "2.1", "2.2"), 2))["Total"] == 3
        assert [
            (dict(r.dimensions), dict(r.measure_values), r.version) for r in ts.records(DB, TABLE)
        ] == [
            (
                {"dim0": f"foo{i}"},
                {"value": (value, "DOUBLE"), "label": (f"row{i}", "VARCHAR")},
                2,
            )
            for i, value in enumerate(("2.0", "2.1", "2.2"))
        ]

    def test_reason_b_carries_the_existing_version(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [rec(value="1", time_ms=t, version=200)])
        assert rejected(client, [rec(value="2", time_ms=t, version=2)]) == [
            {
                "RecordIndex": 0,
                "Reason": "The record version 2 is lower than the existing version 200. "
                "A higher version is required to update the measure value.",
                "ExistingVersion": 200,
            }
        ]

    def test_same_value_with_a_lower_version_is_an_accepted_no_op(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        write(client, [rec(value="5", time_ms=t, version=5)])
        assert write(client, [rec(value="5", time_ms=t, version=2)]) == {
            "Total": 1,
            "MemoryStore": 1,
            "MagneticStore": 0,
        }
        assert write(client, [rec(value="5", time_ms=t)]) == {
            "Total": 1,
            "MemoryStore": 1,
            "MagneticStore": 0,
        }
        assert values_of(ts) == [("5", 5)]

    def test_same_value_with_a_higher_version_only_raises_the_version(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        write(client, [rec(value="5", time_ms=t)])
        write(client, [rec(value="5", time_ms=t, version=9)])
        assert values_of(ts) == [("5", 9)]

    def test_duplicate_identity_with_another_value_in_one_request(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        records = [rec(value="1", time_ms=t), rec(value="2", time_ms=t)]
        assert rejected(client, records) == [{"RecordIndex": 1, "Reason": REASON_A}]
        assert values_of(ts) == [("1", 1)]

    def test_duplicate_identity_with_the_same_value_in_one_request(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        records = [rec(value="1", time_ms=t), rec(value="1", time_ms=t)]
        assert write(client, records) == {"Total": 2, "MemoryStore": 2, "MagneticStore": 0}
        assert values_of(ts) == [("1", 1)]

    def test_duplicates_in_one_request_follow_the_version_rules(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        assert (
            write(client, [rec(value="1", time_ms=t), rec(value="2", time_ms=t, version=2)])[
                "Total"
            ]
            == 2
        )
        assert values_of(ts) == [("2", 2)]
        records = [rec(value="3", time_ms=t, version=4), rec(value="4", time_ms=t, version=3)]
        assert rejected(client, records) == [
            {"RecordIndex": 1, "Reason": reason_b(3, 4), "ExistingVersion": 4}
        ]
        assert values_of(ts) == [("3", 4)]

    def test_the_same_instant_in_seconds_and_milliseconds_is_one_identity(
        self, client: Any, ts: Any, table: str
    ) -> None:
        seconds = recent_ms() // 1000
        write(client, [rec(value="1", Time=str(seconds), TimeUnit="SECONDS")])
        as_ms = rec(value="2", Time=str(seconds * 1000), TimeUnit="MILLISECONDS")
        assert rejected(client, [as_ms]) == [{"RecordIndex": 0, "Reason": REASON_A}]
        as_us = rec(value="1", Time=str(seconds * 1_000_000), TimeUnit="MICROSECONDS")
        assert write(client, [as_us])["Total"] == 1
        as_ns = rec(value="3", Time=str(seconds * 1_000_000_000), TimeUnit="NANOSECONDS")
        write(client, [{**as_ns, "Version": 2}])
        (stored,) = ts.records(DB, TABLE)
        assert (stored.measure_value, stored.version, stored.time_ns) == (
            "3",
            2,
            seconds * 1_000_000_000,
        )

    def test_dimension_order_is_irrelevant(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [rec(value="1", time_ms=t, dimensions=dims(host="h", az="a"))])
        swapped = rec(value="2", time_ms=t, dimensions=dims(az="a", host="h"))
        assert rejected(client, [swapped]) == [{"RecordIndex": 0, "Reason": REASON_A}]
        common = {"Dimensions": dims(az="a")}
        same_value = rec(value="1", time_ms=t, dimensions=dims(host="h"))
        assert write(client, [same_value], common)["Total"] == 1
        assert [(dict(r.dimensions), r.measure_value) for r in ts.records(DB, TABLE)] == [
            ({"host": "h", "az": "a"}, "1")
        ]

    def test_another_dimension_set_is_another_series(
        self, client: Any, ts: Any, table: str
    ) -> None:
        t = recent_ms()
        write(client, [rec(value="1", time_ms=t, dimensions=dims(host="h"))])
        write(client, [rec(value="2", time_ms=t, dimensions=dims(host="h", az="a"))])
        write(client, [rec(value="3", time_ms=t, dimensions=dims(host="H"))])
        write(client, [rec("mem", value="4", time_ms=t, dimensions=dims(host="h"))])
        assert [r.measure_value for r in ts.records(DB, TABLE)] == ["1", "2", "3", "4"]

    def test_multi_values_compare_as_sets(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        values = {"a": ("1.5", "DOUBLE"), "b": ("x", "VARCHAR"), "c": ("true", "BOOLEAN")}
        write(client, [multi(values, time_ms=t)])
        reordered = {name: values[name] for name in ("c", "a", "b")}
        assert write(client, [multi(reordered, time_ms=t)])["Total"] == 1
        fewer = {"a": ("1.5", "DOUBLE"), "b": ("x", "VARCHAR")}
        changed = {**values, "b": ("y", "VARCHAR")}
        more = {**values, "d": ("7", "BIGINT")}
        assert rejected(
            client, [multi(fewer, time_ms=t), multi(changed, time_ms=t), multi(more, time_ms=t)]
        ) == [{"RecordIndex": i, "Reason": REASON_A} for i in range(3)]
        (stored,) = ts.records(DB, TABLE)
        assert dict(stored.measure_values) == values
        # A higher version replaces the whole set: attributes not sent are gone.
        write(client, [multi(fewer, time_ms=t, version=2)])
        (stored,) = ts.records(DB, TABLE)
        assert (dict(stored.measure_values), stored.version) == (fewer, 2)


# --- RecordsIngested (§6.9) ---------------------------------------------------------------


class TestRecordsIngested:
    def test_magnetic_store_routing_when_magnetic_writes_are_enabled(
        self, client: Any, ts: Any
    ) -> None:
        client.create_database(DatabaseName=DB)
        client.create_table(
            DatabaseName=DB,
            TableName=TABLE,
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 6,
                "MagneticStoreRetentionPeriodInDays": 30,
            },
            MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
        )
        t = recent_ms()
        records = [
            rec(value="1", time_ms=t),
            rec(value="2", time_ms=t - 7 * HOUR_MS),
            rec(value="3", time_ms=t - 10 * 24 * HOUR_MS),
            rec(value="4", time_ms=t - 5 * HOUR_MS),
        ]
        assert write(client, records) == {"Total": 4, "MemoryStore": 2, "MagneticStore": 2}
        assert [(r.measure_value, r.store) for r in ts.records(DB, TABLE)] == [
            ("1", "memory"),
            ("2", "magnetic"),
            ("3", "magnetic"),
            ("4", "memory"),
        ]
        # An identical rewrite counts in the store that holds the record (§6.9).
        assert write(client, records[1:3]) == {"Total": 2, "MemoryStore": 0, "MagneticStore": 2}

    def test_counts_of_a_mixed_request(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [rec(value="1", time_ms=t)])
        records = [
            rec(value="1", time_ms=t),  # identical: a no-op, still ingested
            multi({"a": ("1", "BIGINT"), "b": ("2", "BIGINT")}, time_ms=t),  # one record
            rec("mem", "3", time_ms=t, version=4),
        ]
        assert write(client, records) == {"Total": 3, "MemoryStore": 3, "MagneticStore": 0}
        assert len(ts.records(DB, TABLE)) == 3


# --- partition keys (§9) ------------------------------------------------------------------


def create_partitioned_table(client: Any, enforcement: str | None) -> None:
    key: dict[str, str] = {"Type": "DIMENSION", "Name": "device"}
    if enforcement is not None:
        key["EnforcementInRecord"] = enforcement
    client.create_database(DatabaseName=DB)
    client.create_table(DatabaseName=DB, TableName=TABLE, Schema={"CompositePartitionKey": [key]})


MISSING_DEVICE = "The record is missing the required partition key dimension device."


class TestPartitionKeys:
    def test_required_key_given_in_common_attributes(self, client: Any, ts: Any) -> None:
        create_partitioned_table(client, "REQUIRED")
        t = recent_ms()
        common = {"Dimensions": dims(device="d1"), "Time": str(t)}
        assert write(client, [rec(), rec("mem", "2")], common)["Total"] == 2
        assert [dict(r.dimensions) for r in ts.records(DB, TABLE)] == [
            {"device": "d1", "host": "web-1"},
            {"device": "d1", "host": "web-1"},
        ]

    @pytest.mark.parametrize("enforcement", ["OPTIONAL", None])
    def test_optional_key_may_be_missing(
        self, client: Any, ts: Any, enforcement: str | None
    ) -> None:
        create_partitioned_table(client, enforcement)
        t = recent_ms()
        assert write(client, [rec(time_ms=t)]) == {
            "Total": 1,
            "MemoryStore": 1,
            "MagneticStore": 0,
        }
        assert [dict(r.dimensions) for r in ts.records(DB, TABLE)] == [{"host": "web-1"}]

    def test_update_table_switches_enforcement(self, client: Any, ts: Any) -> None:
        create_partitioned_table(client, "OPTIONAL")
        t = recent_ms()
        write(client, [rec(value="1", time_ms=t)])

        def enforce(enforcement: str) -> None:
            schema = {
                "CompositePartitionKey": [
                    {"Type": "DIMENSION", "Name": "device", "EnforcementInRecord": enforcement}
                ]
            }
            client.update_table(DatabaseName=DB, TableName=TABLE, Schema=schema)

        enforce("REQUIRED")
        with_key = rec(value="2", time_ms=t + 1, dimensions=dims(host="web-1", device="d"))
        assert rejected(client, [rec(value="2", time_ms=t + 1), with_key]) == [
            {"RecordIndex": 0, "Reason": MISSING_DEVICE}
        ]
        enforce("OPTIONAL")
        assert write(client, [rec(value="3", time_ms=t + 2)])["Total"] == 1
        assert [r.measure_value for r in ts.records(DB, TABLE)] == ["1", "2", "3"]

    def test_the_key_check_comes_before_the_window(self, client: Any, ts: Any) -> None:
        create_partitioned_table(client, "REQUIRED")
        old = recent_ms() - 7 * HOUR_MS
        assert rejected(client, [rec(time_ms=old)]) == [
            {"RecordIndex": 0, "Reason": MISSING_DEVICE}
        ]


# --- deleting drops the records (§5.5, §5.10) --------------------------------------------


class TestDeletion:
    def test_a_recreated_table_is_empty(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        write(client, [rec(value="1", time_ms=t, version=5)])
        client.delete_table(DatabaseName=DB, TableName=TABLE)
        with pytest.raises(ClientError) as caught:
            client.write_records(DatabaseName=DB, TableName=TABLE, Records=[rec(time_ms=t)])
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert caught.value.response["Error"]["Message"] == f"The table {TABLE} does not exist."
        client.create_table(DatabaseName=DB, TableName=TABLE)
        assert ts.records(DB, TABLE) == []
        # Nothing of the old table survives: no stored version, no locked type.
        as_bigint = rec(value="2", time_ms=t, value_type="BIGINT")
        assert write(client, [as_bigint])["Total"] == 1
        assert [
            (r.measure_value_type, r.measure_value, r.version) for r in ts.records(DB, TABLE)
        ] == [("BIGINT", "2", 1)]

    def test_a_recreated_database_is_empty(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        client.create_table(DatabaseName=DB, TableName="other")
        write(client, [rec(time_ms=t)])
        write(client, [rec(time_ms=t)], table_name="other")
        client.delete_table(DatabaseName=DB, TableName=TABLE)
        client.delete_table(DatabaseName=DB, TableName="other")
        client.delete_database(DatabaseName=DB)
        client.create_database(DatabaseName=DB)
        client.create_table(DatabaseName=DB, TableName=TABLE)
        client.create_table(DatabaseName=DB, TableName="other")
        assert ts.records(DB, TABLE) == []
        assert ts.records(DB, "other") == []
        assert write(client, [rec(value="9", time_ms=t)])["Total"] == 1
        assert values_of(ts) == [("9", 1)]

    def test_other_tables_keep_their_records(self, client: Any, ts: Any, table: str) -> None:
        t = recent_ms()
        client.create_table(DatabaseName=DB, TableName="other")
        write(client, [rec(value="1", time_ms=t)])
        write(client, [rec(value="2", time_ms=t)], table_name="other")
        client.delete_table(DatabaseName=DB, TableName=TABLE)
        assert [r.measure_value for r in ts.records(DB, "other")] == ["2"]
