"""A third-party client end to end: awswrangler's Timestream reader over the mock.

`wr.timestream.query` pages through boto3's Query paginator and turns the typed
rows into pandas frames; with ``chunked=True`` it yields one frame per page.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

# Installed by the `dev` extra; under CI a skip here fails the run (tests/conftest.py).
pytestmark = pytest.mark.interop

wr = pytest.importorskip("awswrangler")
pd = pytest.importorskip("pandas")

REGION = "us-east-1"
SQL = 'SELECT host, measure_value::double AS cpu, time FROM "db1"."tbl" ORDER BY host'


def _write(count: int) -> None:
    write = boto3.client("timestream-write", region_name=REGION)
    write.create_database(DatabaseName="db1")
    write.create_table(DatabaseName="db1", TableName="tbl")
    stamp = str(int(time.time() * 1000))
    write.write_records(
        DatabaseName="db1",
        TableName="tbl",
        Records=[
            {
                "Dimensions": [{"Name": "host", "Value": f"h{i}"}],
                "MeasureName": "cpu",
                "MeasureValue": str(i + 0.5),
                "MeasureValueType": "DOUBLE",
                "Time": stamp,
            }
            for i in range(count)
        ],
    )


def test_query_returns_one_frame_with_typed_columns(timestream_mock: Any) -> None:
    _write(4)
    frame = wr.timestream.query(SQL, boto3_session=boto3.Session(region_name=REGION))
    assert list(frame.columns) == ["host", "cpu", "time"]
    assert frame["host"].tolist() == ["h0", "h1", "h2", "h3"]
    assert frame["cpu"].tolist() == [0.5, 1.5, 2.5, 3.5]
    assert pd.api.types.is_datetime64_any_dtype(frame["time"])


def test_chunked_query_yields_a_frame_per_page(timestream_mock: Any) -> None:
    _write(7)
    chunks = wr.timestream.query(
        SQL,
        chunked=True,
        pagination_config={"MaxItems": 5, "PageSize": 3},
        boto3_session=boto3.Session(region_name=REGION),
    )
    # The first Query page is empty (the result exceeds MaxRows); awswrangler
    # yields no frame for it, so the frames are the 3 and 2 rows asked for.
    frames = list(chunks)
    assert [len(frame) for frame in frames] == [3, 2]
    hosts = [host for frame in frames for host in frame["host"].tolist()]
    assert hosts == ["h0", "h1", "h2", "h3", "h4"]
    assert [c.operation for c in timestream_mock.calls].count("Query") >= 2
