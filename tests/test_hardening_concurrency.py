"""Reading a table's records while another thread writes to it."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3

from tsmock import mock_timestream_write

DB = "hardening_db"
TABLE = "hardening_table"


def test_table_records_iterated_during_writes() -> None:
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.create_database(DatabaseName=DB)
        client.create_table(DatabaseName=DB, TableName=TABLE)
        table: Any = ts.backend().databases[DB].tables[TABLE]
        base_ms = time.time_ns() // 1_000_000 - 600_000
        done = threading.Event()
        failures: list[BaseException] = []

        def writer() -> None:
            try:
                for batch in range(40):
                    records = [
                        {
                            "Dimensions": [{"Name": "host", "Value": f"h{i % 7}"}],
                            "MeasureName": f"m{i % 3}",
                            "MeasureValue": str(i),
                            "MeasureValueType": "BIGINT",
                            "Time": str(base_ms + batch * 100 + i),
                        }
                        for i in range(100)
                    ]
                    client.write_records(DatabaseName=DB, TableName=TABLE, Records=records)
            except BaseException as error:  # reported by the main thread
                failures.append(error)
            finally:
                done.set()

        thread = threading.Thread(target=writer)
        thread.start()
        seen = 0
        while not done.is_set():
            records = table.records  # must not raise while the writer runs
            assert len(records) >= seen
            seen = len(records)
        thread.join()
        assert failures == []
        assert len(table.records) == 4000
