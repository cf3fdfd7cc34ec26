"""The WriteRecords ingestion window through boto3, on a frozen clock (reference §7).

The clock is frozen at ``T0``, half a second past the hour, so the millisecond
digits of the printed bounds are exercised (freezegun's ``time.time_ns`` is exact
there; at most other fractions it is off by a fraction of a microsecond, see
`TestClockBetweenMilliseconds`), and moved with ``tick``/``move_to``. Expected
bounds are written out as literals: the texts are the service's own,
``[lower, upper)`` with three fractional digits and Z.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

DB = "telemetry"
TABLE = "samples"
T0 = datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=timezone.utc)
T0_MS = 1_714_564_800_500
MINUTE_MS = 60 * 1000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
REJECTED_MESSAGE = "One or more records have been rejected. See RejectedRecords for details."


def memory_store_reason(lower: str, upper: str) -> str:
    return f"The record timestamp is outside the time range [{lower}, {upper}) of the memory store."


def ingestion_window_reason(lower: str, upper: str) -> str:
    return (
        f"The record timestamp is outside the time range [{lower}, {upper}) "
        "of the data ingestion window."
    )


# --- fixtures and requests ----------------------------------------------------------------


@pytest.fixture
def frozen(ts: Any) -> Iterator[FrozenDateTimeFactory]:
    # Pytest's own timing keeps the real clock.
    with freeze_time(T0, ignore=["_pytest"]) as clock:
        assert isinstance(clock, FrozenDateTimeFactory)
        yield clock


@pytest.fixture
def client(ts: Any, frozen: FrozenDateTimeFactory) -> Any:
    client = boto3.client("timestream-write", region_name="us-east-1")
    client.create_database(DatabaseName=DB)
    return client


def create_table(
    client: Any, memory_hours: int = 6, magnetic_days: int = 73000, magnetic_writes: bool = False
) -> None:
    client.create_table(
        DatabaseName=DB,
        TableName=TABLE,
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": memory_hours,
            "MagneticStoreRetentionPeriodInDays": magnetic_days,
        },
        MagneticStoreWriteProperties={"EnableMagneticStoreWrites": magnetic_writes},
    )


def set_retention(client: Any, memory_hours: int, magnetic_days: int = 73000) -> None:
    client.update_table(
        DatabaseName=DB,
        TableName=TABLE,
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": memory_hours,
            "MagneticStoreRetentionPeriodInDays": magnetic_days,
        },
    )


def rec(time_ms: int, measure_name: str = "temp", value: str = "20.5") -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "sensor", "Value": "s-1"}],
        "MeasureName": measure_name,
        "MeasureValue": value,
        "Time": str(time_ms),
    }


def write(client: Any, records: list[dict[str, Any]]) -> dict[str, int]:
    response = client.write_records(DatabaseName=DB, TableName=TABLE, Records=records)
    ingested: dict[str, int] = response["RecordsIngested"]
    return ingested


def rejected(client: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with pytest.raises(ClientError) as caught:
        client.write_records(DatabaseName=DB, TableName=TABLE, Records=records)
    response = cast(dict[str, Any], caught.value.response)
    assert response["Error"]["Code"] == "RejectedRecordsException"
    assert response["Error"]["Message"] == REJECTED_MESSAGE
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 419
    assert "RecordsIngested" not in response
    entries: list[dict[str, Any]] = response["RejectedRecords"]
    return entries


def stored(ts: Any) -> list[tuple[str, int, str]]:
    """(measure name, time in ms, store) of each stored record, in write order."""
    return [(r.measure_name, r.time_ns // 1_000_000, r.store) for r in ts.records(DB, TABLE)]


# --- memory store window (§7.2, §7.3 with magnetic writes disabled) ----------------------


class TestMemoryStoreWindow:
    def test_lower_edge_is_inclusive(self, client: Any, ts: Any) -> None:
        create_table(client)
        lower = T0_MS - 6 * HOUR_MS
        assert rejected(client, [rec(lower, "a"), rec(lower - 1, "b")]) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T06:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        assert stored(ts) == [("a", lower, "memory")]

    def test_upper_edge_is_exclusive(self, client: Any, ts: Any) -> None:
        create_table(client)
        upper = T0_MS + 15 * MINUTE_MS
        records = [rec(upper - 1, "a"), rec(upper, "b"), rec(T0_MS + 2 * MINUTE_MS, "c")]
        assert rejected(client, records) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T06:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        assert stored(ts) == [
            ("a", upper - 1, "memory"),
            ("c", T0_MS + 2 * MINUTE_MS, "memory"),
        ]

    def test_everything_inside_is_accepted(self, client: Any, ts: Any) -> None:
        create_table(client)
        times = [T0_MS - 6 * HOUR_MS, T0_MS - HOUR_MS, T0_MS, T0_MS + 15 * MINUTE_MS - 1]
        records = [rec(t, f"m{i}") for i, t in enumerate(times)]
        assert write(client, records) == {"Total": 4, "MemoryStore": 4, "MagneticStore": 0}
        assert [store for _, _, store in stored(ts)] == ["memory"] * 4

    def test_bounds_on_a_whole_second_print_zero_milliseconds(
        self, client: Any, ts: Any, frozen: FrozenDateTimeFactory
    ) -> None:
        frozen.move_to("2024-05-01T12:00:00Z")
        create_table(client, memory_hours=12)
        assert rejected(client, [rec(T0_MS - 500 - 12 * HOUR_MS - 1)]) == [
            {
                "RecordIndex": 0,
                "Reason": memory_store_reason(
                    "2024-05-01T00:00:00.000Z", "2024-05-01T12:15:00.000Z"
                ),
            }
        ]

    def test_seconds_sent_as_milliseconds_are_rejected_not_refused(
        self, client: Any, ts: Any
    ) -> None:
        create_table(client)
        as_ms = rec(T0_MS // 1000)
        assert rejected(client, [as_ms]) == [
            {
                "RecordIndex": 0,
                "Reason": memory_store_reason(
                    "2024-05-01T06:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        assert ts.records(DB, TABLE) == []

    def test_the_window_moves_with_the_clock(
        self, client: Any, ts: Any, frozen: FrozenDateTimeFactory
    ) -> None:
        create_table(client)
        five_hours_ago = T0_MS - 5 * HOUR_MS
        later = T0_MS + 2 * HOUR_MS + 14 * MINUTE_MS
        assert rejected(client, [rec(five_hours_ago, "a"), rec(later, "a")]) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T06:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        frozen.tick(timedelta(hours=2))
        assert rejected(client, [rec(five_hours_ago, "b"), rec(later, "b")]) == [
            {
                "RecordIndex": 0,
                "Reason": memory_store_reason(
                    "2024-05-01T08:00:00.500Z", "2024-05-01T14:15:00.500Z"
                ),
            }
        ]
        assert stored(ts) == [
            ("a", five_hours_ago, "memory"),
            ("b", later, "memory"),
        ]


# --- with magnetic store writes (§7.2, §7.3) ---------------------------------------------


class TestMagneticStoreWindow:
    def test_the_real_case(self, client: Any, ts: Any) -> None:
        # Memory 12 h, magnetic 5 d: 121 h old goes to the magnetic store, 145 h old
        # is outside the data ingestion window.
        create_table(client, memory_hours=12, magnetic_days=5, magnetic_writes=True)
        records = [rec(T0_MS - 121 * HOUR_MS, "a"), rec(T0_MS - 145 * HOUR_MS, "b")]
        assert rejected(client, records) == [
            {
                "RecordIndex": 1,
                "Reason": ingestion_window_reason(
                    "2024-04-26T00:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        assert stored(ts) == [("a", T0_MS - 121 * HOUR_MS, "magnetic")]

    def test_edges_and_routing(self, client: Any, ts: Any) -> None:
        create_table(client, memory_hours=12, magnetic_days=5, magnetic_writes=True)
        memory_lower = T0_MS - 12 * HOUR_MS
        lower = memory_lower - 5 * DAY_MS
        upper = T0_MS + 15 * MINUTE_MS
        accepted = [
            rec(upper - 1, "a"),
            rec(memory_lower, "b"),
            rec(memory_lower - 1, "c"),
            rec(lower, "d"),
        ]
        assert write(client, accepted) == {"Total": 4, "MemoryStore": 2, "MagneticStore": 2}
        assert stored(ts) == [
            ("a", upper - 1, "memory"),
            ("b", memory_lower, "memory"),
            ("c", memory_lower - 1, "magnetic"),
            ("d", lower, "magnetic"),
        ]
        reason = ingestion_window_reason("2024-04-26T00:00:00.500Z", "2024-05-01T12:15:00.500Z")
        assert rejected(client, [rec(lower - 1, "e"), rec(upper, "f"), rec(T0_MS, "g")]) == [
            {"RecordIndex": 0, "Reason": reason},
            {"RecordIndex": 1, "Reason": reason},
        ]
        assert stored(ts)[-1] == ("g", T0_MS, "memory")

    def test_default_magnetic_retention_reaches_back_73000_days(self, client: Any, ts: Any) -> None:
        # The lower bound lies before 1970, where no record time can be written
        # (a negative Time is invalid, §6.4 #11): the epoch itself is inside.
        create_table(client, magnetic_writes=True)
        upper = T0_MS + 15 * MINUTE_MS
        assert rejected(client, [rec(0, "a"), rec(upper, "b")]) == [
            {
                "RecordIndex": 1,
                "Reason": ingestion_window_reason(
                    "1824-06-19T06:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        assert stored(ts) == [("a", 0, "magnetic")]

    def test_enabling_and_disabling_magnetic_writes(self, client: Any, ts: Any) -> None:
        create_table(client)
        old = T0_MS - 7 * HOUR_MS
        memory_reason = memory_store_reason("2024-05-01T06:00:00.500Z", "2024-05-01T12:15:00.500Z")
        assert rejected(client, [rec(old, "a")]) == [{"RecordIndex": 0, "Reason": memory_reason}]

        def magnetic_writes(enabled: bool) -> None:
            client.update_table(
                DatabaseName=DB,
                TableName=TABLE,
                MagneticStoreWriteProperties={"EnableMagneticStoreWrites": enabled},
            )

        magnetic_writes(True)
        assert write(client, [rec(old, "a")]) == {"Total": 1, "MemoryStore": 0, "MagneticStore": 1}
        magnetic_writes(False)
        assert rejected(client, [rec(old, "b")]) == [{"RecordIndex": 0, "Reason": memory_reason}]
        assert stored(ts) == [("a", old, "magnetic")]


# --- retention changes by UpdateTable (§5.9, §7.3) ---------------------------------------


class TestRetentionChanges:
    def test_a_decrease_applies_at_once(self, client: Any, ts: Any) -> None:
        create_table(client)
        write(client, [rec(T0_MS - 5 * HOUR_MS, "before")])
        set_retention(client, 2)
        lower = T0_MS - 2 * HOUR_MS
        assert rejected(client, [rec(lower, "a"), rec(lower - 1, "b")]) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T10:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        assert rejected(client, [rec(T0_MS - 5 * HOUR_MS, "c")])[0]["RecordIndex"] == 0
        assert [name for name, _, _ in stored(ts)] == ["before", "a"]

    def test_an_increase_opens_the_older_part_only_as_time_passes(
        self, client: Any, ts: Any, frozen: FrozenDateTimeFactory
    ) -> None:
        create_table(client, memory_hours=2)
        set_retention(client, 24)
        floor = T0_MS - 2 * HOUR_MS  # the memory window's lower bound at the change
        # At once: nothing older than before the change.
        assert rejected(
            client, [rec(floor, "a"), rec(floor - 1, "b"), rec(T0_MS - 20 * HOUR_MS, "c")]
        ) == [
            {
                "RecordIndex": i,
                "Reason": memory_store_reason(
                    "2024-05-01T10:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
            for i in (1, 2)
        ]
        # Ten hours later the store holds twelve hours: still from the same instant.
        frozen.tick(timedelta(hours=10))
        assert rejected(client, [rec(floor - 1, "d")]) == [
            {
                "RecordIndex": 0,
                "Reason": memory_store_reason(
                    "2024-05-01T10:00:00.500Z", "2024-05-01T22:15:00.500Z"
                ),
            }
        ]
        # 22 hours after the change the store is full; from then on now - 24 h.
        frozen.move_to(T0 + timedelta(hours=22))
        assert write(client, [rec(floor, "e")])["Total"] == 1
        frozen.move_to(T0 + timedelta(hours=23))
        new_lower = T0_MS - HOUR_MS
        assert rejected(client, [rec(new_lower, "f"), rec(new_lower - 1, "g")]) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T11:00:00.500Z", "2024-05-02T11:15:00.500Z"
                ),
            }
        ]
        assert stored(ts) == [
            ("a", floor, "memory"),
            ("e", floor, "memory"),
            ("f", new_lower, "memory"),
        ]

    def test_a_second_increase_keeps_the_first_floor(
        self, client: Any, ts: Any, frozen: FrozenDateTimeFactory
    ) -> None:
        create_table(client, memory_hours=2)
        set_retention(client, 6)
        frozen.tick(timedelta(hours=1))
        set_retention(client, 24)
        floor = T0_MS - 2 * HOUR_MS
        assert rejected(client, [rec(floor, "a"), rec(floor - 1, "b")]) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T10:00:00.500Z", "2024-05-01T13:15:00.500Z"
                ),
            }
        ]

    def test_with_magnetic_writes_the_unopened_part_goes_to_the_magnetic_store(
        self, client: Any, ts: Any
    ) -> None:
        create_table(client, memory_hours=2, magnetic_days=1, magnetic_writes=True)
        set_retention(client, 24, magnetic_days=1)
        lower = T0_MS - 24 * HOUR_MS - DAY_MS
        records = [
            rec(T0_MS - 2 * HOUR_MS, "a"),
            rec(T0_MS - 3 * HOUR_MS, "b"),
            rec(lower, "c"),
        ]
        assert write(client, records) == {"Total": 3, "MemoryStore": 1, "MagneticStore": 2}
        assert stored(ts) == [
            ("a", T0_MS - 2 * HOUR_MS, "memory"),
            ("b", T0_MS - 3 * HOUR_MS, "magnetic"),
            ("c", lower, "magnetic"),
        ]
        assert rejected(client, [rec(lower - 1, "d")]) == [
            {
                "RecordIndex": 0,
                "Reason": ingestion_window_reason(
                    "2024-04-29T12:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]

    def test_a_magnetic_retention_change_applies_at_once(self, client: Any, ts: Any) -> None:
        create_table(client, memory_hours=12, magnetic_days=5, magnetic_writes=True)
        write(client, [rec(T0_MS - 3 * DAY_MS, "a")])
        set_retention(client, 12, magnetic_days=1)
        assert rejected(client, [rec(T0_MS - 3 * DAY_MS, "b")]) == [
            {
                "RecordIndex": 0,
                "Reason": ingestion_window_reason(
                    "2024-04-30T00:00:00.500Z", "2024-05-01T12:15:00.500Z"
                ),
            }
        ]
        set_retention(client, 12, magnetic_days=5)
        assert write(client, [rec(T0_MS - 3 * DAY_MS, "b")])["MagneticStore"] == 1


# --- clocks that are not on a whole millisecond (§7.2) -----------------------------------


class TestClockBetweenMilliseconds:
    def test_frozen_at_a_quarter_second(
        self, client: Any, ts: Any, frozen: FrozenDateTimeFactory
    ) -> None:
        frozen.move_to("2024-05-01T12:00:00.250Z")
        create_table(client)
        lower = T0_MS - 250 - 6 * HOUR_MS  # 06:00:00.250
        assert rejected(client, [rec(lower, "a"), rec(lower - 1, "b")]) == [
            {
                "RecordIndex": 1,
                "Reason": memory_store_reason(
                    "2024-05-01T06:00:00.250Z", "2024-05-01T12:15:00.250Z"
                ),
            }
        ]

    def test_a_record_just_older_than_now_minus_retention(
        self, client: Any, ts: Any, frozen: FrozenDateTimeFactory
    ) -> None:
        frozen.move_to(T0 + timedelta(microseconds=400))
        create_table(client)
        lower = T0_MS - 6 * HOUR_MS  # 06:00:00.500, before now - 6 h = 06:00:00.500400
        entries = rejected(client, [rec(lower, "a"), rec(lower + 1, "b")])
        assert [entry["RecordIndex"] for entry in entries] == [0]
        assert stored(ts) == [("b", lower + 1, "memory")]
