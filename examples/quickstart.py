"""Write a few records to a mocked Timestream table and print what was stored.

Run it with only the runtime dependencies installed:

    python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python examples/quickstart.py
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import boto3

from tsmock import mock_timestream_write

DATABASE = "sensors"
TABLE = "readings"


def format_value(measure_value: str | None, measure_values: Mapping[str, tuple[str, str]]) -> str:
    """One cell of the value column: the scalar value, or the MULTI attributes."""
    if measure_values:
        return ", ".join(
            f"{name}={value} ({kind})" for name, (value, kind) in measure_values.items()
        )
    return str(measure_value)


def print_table(rows: list[list[str]]) -> None:
    """Print rows as a table whose columns fit their widest cell."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main() -> None:
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.create_database(DatabaseName=DATABASE)
        client.create_table(
            DatabaseName=DATABASE,
            TableName=TABLE,
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 24,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
        )

        now_ms = int(time.time() * 1000)
        response = client.write_records(
            DatabaseName=DATABASE,
            TableName=TABLE,
            # Shared by every record below; each record adds what differs.
            CommonAttributes={
                "Dimensions": [{"Name": "site", "Value": "berlin"}],
                "Time": str(now_ms),
                "TimeUnit": "MILLISECONDS",
            },
            Records=[
                {
                    "Dimensions": [{"Name": "sensor", "Value": "t-1"}],
                    "MeasureName": "temperature",
                    "MeasureValue": "21.5",
                    "MeasureValueType": "DOUBLE",
                },
                {
                    "Dimensions": [{"Name": "sensor", "Value": "d-7"}],
                    "MeasureName": "door_open",
                    "MeasureValue": "true",
                    "MeasureValueType": "BOOLEAN",
                    "Version": 3,
                },
                {
                    "Dimensions": [{"Name": "sensor", "Value": "w-2"}],
                    "MeasureName": "weather",
                    "MeasureValueType": "MULTI",
                    "MeasureValues": [
                        {"Name": "humidity", "Value": "61", "Type": "BIGINT"},
                        {"Name": "pressure", "Value": "1013.2", "Type": "DOUBLE"},
                        {"Name": "condition", "Value": "cloudy", "Type": "VARCHAR"},
                    ],
                },
            ],
        )
        print("RecordsIngested:", response["RecordsIngested"])
        print()

        rows = [["dimensions", "measure", "type", "value(s)", "time (UTC)", "version", "store"]]
        for record in ts.records(DATABASE, TABLE):
            dimensions = ", ".join(f"{name}={value}" for name, value in record.dimensions.items())
            rows.append(
                [
                    dimensions,
                    record.measure_name,
                    record.measure_value_type,
                    format_value(record.measure_value, record.measure_values),
                    record.time.isoformat(timespec="milliseconds"),
                    str(record.version),
                    record.store,
                ]
            )
        print_table(rows)


if __name__ == "__main__":
    main()
