"""The 2 KB edges of a MULTI record, byte for byte, through boto3.

docs/operations/write-records.md, check 14: the measure values of one MULTI record
are at most 2048 bytes in total, and the whole record (dimension names and values,
the measure name, the attribute names and the values) at most 2 KB. Sizes are
UTF-8 bytes, not characters. A record at a limit is accepted; one byte more is
refused with that limit's reason, and the rest of the request is still written.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from tsmock import TimestreamWriteMock

REGION = "us-east-1"
RECORD_TOO_LARGE = "The record exceeds the maximum record size of 2 KB."
MULTI_VALUES_TOO_LARGE = (
    "The measure values of the multi-measure record exceed the maximum size of 2048 bytes."
)
# Every byte of a record besides its values: dimension "h" = "x" (2), measure
# name "m" (1), attribute names "a" and "b" (2).
OVERHEAD = 5


@pytest.fixture
def client(ts: TimestreamWriteMock) -> Any:
    client = boto3.client("timestream-write", region_name=REGION)
    client.create_database(DatabaseName="metrics")
    client.create_table(DatabaseName="metrics", TableName="cpu")
    return client


def text_of(nbytes: int) -> str:
    """A string of exactly ``nbytes`` UTF-8 bytes, mostly two-byte characters."""
    return "é" * (nbytes // 2) + "x" * (nbytes % 2)


def multi(values_bytes: int, host: str = "x") -> dict[str, Any]:
    """A MULTI record whose two VARCHAR values hold ``values_bytes`` bytes in all."""
    first = values_bytes // 2
    return {
        "Dimensions": [{"Name": "h", "Value": host}],
        "MeasureName": "m",
        "MeasureValueType": "MULTI",
        "MeasureValues": [
            {"Name": "a", "Value": text_of(first), "Type": "VARCHAR"},
            {"Name": "b", "Value": text_of(values_bytes - first), "Type": "VARCHAR"},
        ],
        "Time": str(time.time_ns() // 1_000_000),
    }


def write(client: Any, *records: dict[str, Any]) -> list[dict[str, Any]]:
    """Write the records; the RejectedRecords of the answer ([] if none)."""
    try:
        client.write_records(DatabaseName="metrics", TableName="cpu", Records=list(records))
    except client.exceptions.RejectedRecordsException as error:
        rejected: list[dict[str, Any]] = error.response["RejectedRecords"]
        return rejected
    return []


def test_the_helper_counts_bytes_not_characters() -> None:
    record = multi(2043)
    values = [v["Value"] for v in record["MeasureValues"]]
    assert sum(len(v.encode("utf-8")) for v in values) == 2043
    assert sum(len(v) for v in values) < 2043


def test_a_record_of_exactly_2048_bytes_is_accepted(ts: TimestreamWriteMock, client: Any) -> None:
    assert write(client, multi(2048 - OVERHEAD)) == []
    [stored] = ts.records("metrics", "cpu")
    assert sum(len(value.encode()) for value, _ in stored.measure_values.values()) == 2043


def test_a_record_of_2049_bytes_is_refused_as_too_large(
    ts: TimestreamWriteMock, client: Any
) -> None:
    rejected = write(client, multi(2049 - OVERHEAD), multi(2048 - OVERHEAD, host="y"))
    assert rejected == [{"RecordIndex": 0, "Reason": RECORD_TOO_LARGE}]
    assert [record.dimensions for record in ts.records("metrics", "cpu")] == [{"h": "y"}]


def test_values_of_exactly_2048_bytes_are_within_the_values_limit(client: Any) -> None:
    # 2048 bytes of values meet the values limit exactly; with the names around
    # them the record is over 2 KB, and that is the reason given.
    assert write(client, multi(2048)) == [{"RecordIndex": 0, "Reason": RECORD_TOO_LARGE}]


def test_values_of_2049_bytes_break_the_values_limit(client: Any) -> None:
    assert write(client, multi(2049)) == [{"RecordIndex": 0, "Reason": MULTI_VALUES_TOO_LARGE}]


def test_double_values_count_as_written(ts: TimestreamWriteMock, client: Any) -> None:
    # A DOUBLE counts the bytes of its text, exponent and all: 80 values of 25
    # characters are 2000 bytes (accepted by the values limit, but the names make
    # the record too large); 82 are 2050 (over the values limit).
    def doubles(count: int) -> dict[str, Any]:
        record = multi(0)
        record["MeasureValues"] = [
            {"Name": f"a{i}", "Value": "1.2345678901234567890e+10", "Type": "DOUBLE"}
            for i in range(count)
        ]
        return record

    assert write(client, doubles(82)) == [{"RecordIndex": 0, "Reason": MULTI_VALUES_TOO_LARGE}]
    assert write(client, doubles(80)) == [{"RecordIndex": 0, "Reason": RECORD_TOO_LARGE}]
    assert ts.records("metrics", "cpu") == []
