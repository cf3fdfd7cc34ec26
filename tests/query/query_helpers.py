"""Helpers of the query engine's unit tests: writing records through the write API."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
#: The frozen "now" of tests that write relative to the clock.
NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
NOW_MS = int(NOW.timestamp()) * 1000


def write(
    backend: Any,
    database: str,
    table: str,
    records: list[dict[str, Any]],
    common: dict[str, Any] | None = None,
) -> None:
    """Write through the public write API (which moves the table's generation)."""
    for start in range(0, len(records), 100):
        backend.write_records(database, table, records[start : start + 100], common)


def single(
    dims: dict[str, str], name: str, value: str, value_type: str, time_ms: int
) -> dict[str, Any]:
    """A single-measure record."""
    return {
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "MeasureName": name,
        "MeasureValue": value,
        "MeasureValueType": value_type,
        "Time": str(time_ms),
    }


def make_table(backend: Any, database: str = "db", table: str = "t", **kwargs: Any) -> None:
    if database not in backend.databases:
        backend.create_database(database)
    backend.create_table(database, table, **kwargs)
