"""Timing of the query engine (not a test): ``PYTHONPATH=$PWD python tests/query/bench_query.py``.

Prints the median of warm queries on a 1,000-record table, and the first and the
repeated query on a 100,000-record table.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from tsmock.backend.models import utc_now_ns
from tsmock.backend.query.engine_modules import load_engine
from tsmock.backend.query.service import QueryBackend
from tsmock.backend.service import TimestreamWriteBackend

QUERY = (
    "SELECT hostname, BIN(time, 1m) AS b, ROUND(AVG(measure_value::double), 2) AS a "
    "FROM db.{table} WHERE measure_name = 'cpu' AND time > ago(6h) GROUP BY hostname, "
    "BIN(time, 1m) ORDER BY b"
)


def fill(backend: TimestreamWriteBackend, table: str, count: int) -> None:
    backend.create_table("db", table)
    now_ms = utc_now_ns() // 1_000_000
    for start in range(0, count, 100):
        records: list[dict[str, Any]] = [
            {
                "Dimensions": [
                    {"Name": "region", "Value": "us-east-1"},
                    {"Name": "hostname", "Value": f"host-{i % 50}"},
                ],
                "MeasureName": "cpu",
                "MeasureValue": str(i % 97 + 0.5),
                "MeasureValueType": "DOUBLE",
                "Time": str(now_ms - i * 100),
            }
            for i in range(start, min(start + 100, count))
        ]
        backend.write_records("db", table, records)


def timed(query: QueryBackend, text: str) -> float:
    began = time.perf_counter()
    query.query(text, max_rows=1000)
    return (time.perf_counter() - began) * 1000


def main() -> None:
    began = time.perf_counter()
    load_engine()
    print(f"load_engine (first, in this process): {(time.perf_counter() - began) * 1000:.0f} ms")
    backend = TimestreamWriteBackend("123456789012", "us-east-1")
    backend.create_database("db")
    fill(backend, "small", 1_000)
    fill(backend, "large", 100_000)
    query = QueryBackend(backend)
    timed(query, QUERY.format(table="small"))
    warm = [timed(query, QUERY.format(table="small")) for _ in range(50)]
    print(f"1,000 records, warm: median {statistics.median(warm):.2f} ms")
    print(f"100,000 records, first query: {timed(query, QUERY.format(table='large')):.0f} ms")
    repeated = [timed(query, QUERY.format(table="large")) for _ in range(10)]
    print(f"100,000 records, repeated: median {statistics.median(repeated):.1f} ms")
    star = [timed(query, "SELECT * FROM db.large LIMIT 1000") for _ in range(5)]
    print(f"100,000 records, SELECT * LIMIT 1000: median {statistics.median(star):.1f} ms")


if __name__ == "__main__":
    main()
