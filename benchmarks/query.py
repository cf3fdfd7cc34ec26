"""Query-side figures: a query through boto3 on 1,000 and 100,000 records, and the
cost of the first `mock_timestream` start in a fresh process.

Run: ``python benchmarks/query.py`` (needs the ``query`` extra).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

import boto3

from tsmock import mock_timestream

QUERY = (
    'SELECT host, bin(time, 1m) AS minute, avg("measure_value::double") AS cpu '
    'FROM "bench"."cpu" WHERE time > ago(1d) GROUP BY host, bin(time, 1m) '
    "ORDER BY minute LIMIT 100"
)


def _fill(write: Any, records: int) -> None:
    now_ms = int(time.time() * 1000)
    batch = []
    for i in range(records):
        batch.append(
            {
                "Dimensions": [{"Name": "host", "Value": f"host-{i % 50}"}],
                "MeasureName": "cpu",
                "MeasureValue": str(i % 97 + 0.5),
                "MeasureValueType": "DOUBLE",
                "Time": str(now_ms - (i // 50) * 1000),
            }
        )
        if len(batch) == 100:
            write.write_records(DatabaseName="bench", TableName="cpu", Records=batch)
            batch = []


def _median_ms(action: Any, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def measure_table(records: int) -> tuple[float, float]:
    with mock_timestream():
        write = boto3.client("timestream-write", region_name="us-east-1")
        query = boto3.client("timestream-query", region_name="us-east-1")
        write.create_database(DatabaseName="bench")
        write.create_table(DatabaseName="bench", TableName="cpu")
        _fill(write, records)
        query.query(QueryString="SELECT 1")  # discovery, engine warm-up
        first = _median_ms(lambda: query.query(QueryString=QUERY), 1)
        again = _median_ms(lambda: query.query(QueryString=QUERY), 20)
        return first, again


def first_start_ms() -> float:
    code = (
        "import time, boto3, tsmock; t = time.perf_counter(); "
        "m = tsmock.mock_timestream(); m.start(); "
        "print((time.perf_counter() - t) * 1000); m.stop()"
    )
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], text=True).strip())
        for _ in range(3)
    ]
    return statistics.median(runs)


def main() -> None:
    first_1k, warm_1k = measure_table(1_000)
    first_100k, warm_100k = measure_table(100_000)
    print(f"query on 1,000 records: first {first_1k:.1f} ms, warm median {warm_1k:.1f} ms")
    print(
        f"query on 100,000 records: first {first_100k:.1f} ms, "
        f"repeated median {warm_100k:.1f} ms"
    )
    print(f"first mock_timestream start in a fresh process: {first_start_ms():.0f} ms")


if __name__ == "__main__":
    main()
