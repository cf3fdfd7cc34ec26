"""Queries from many threads, while others write, each see a consistent table."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from query_helpers import NOW_MS, make_table, single, write


def test_parallel_queries_and_writes(write_backend: Any, query_backend: Any, frozen: Any) -> None:
    make_table(write_backend)
    write(write_backend, "db", "t", [single({"h": "a"}, "n", "1", "BIGINT", NOW_MS - 1)])
    lock = threading.Lock()
    written = [1]

    def writer(batch: int) -> None:
        records = [
            single({"h": f"w{batch}"}, "n", "1", "BIGINT", NOW_MS - 1000 * batch - i)
            for i in range(50)
        ]
        write(write_backend, "db", "t", records)
        with lock:
            written.append(50)

    def reader(_: int) -> int:
        response = query_backend.query("SELECT sum(measure_value::bigint) AS s FROM db.t")
        total = int(response["Rows"][0]["Data"][0]["ScalarValue"])
        assert (total - 1) % 50 == 0
        return total

    with ThreadPoolExecutor(max_workers=8) as pool:
        writes = [pool.submit(writer, b) for b in range(1, 11)]
        reads = [pool.submit(reader, r) for r in range(40)]
        for future in writes + reads:
            future.result()
    assert reader(0) == sum(written)
