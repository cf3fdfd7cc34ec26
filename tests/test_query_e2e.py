"""Timestream Query end to end through real boto3 clients over records written with boto3."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from freezegun import freeze_time

from tsmock import mock_timestream

REGION = "us-east-1"


@pytest.fixture
def clients(timestream_mock: Any) -> Iterator[tuple[Any, Any]]:
    write = boto3.client("timestream-write", region_name=REGION)
    query = boto3.client("timestream-query", region_name=REGION)
    write.create_database(DatabaseName="db1")
    write.create_table(DatabaseName="db1", TableName="tbl")
    yield write, query


def _now_ms() -> str:
    return str(int(time.time() * 1000))


def _scalar_rows(response: dict[str, Any]) -> list[list[str | None]]:
    return [
        [None if cell.get("NullValue") else cell.get("ScalarValue") for cell in row["Data"]]
        for row in response["Rows"]
    ]


def _columns(response: dict[str, Any]) -> list[str]:
    return [column["Name"] for column in response["ColumnInfo"]]


def _write_hosts(write: Any, count: int, stamp: str) -> None:
    records = [
        {
            "Dimensions": [{"Name": "host", "Value": f"h{i:02d}"}],
            "MeasureName": "cpu",
            "MeasureValue": str(float(i)),
            "MeasureValueType": "DOUBLE",
            "Time": stamp,
        }
        for i in range(count)
    ]
    write.write_records(DatabaseName="db1", TableName="tbl", Records=records)


def test_select_star_single_and_multi_records_with_nulls(clients: tuple[Any, Any]) -> None:
    write, query = clients
    stamp = _now_ms()
    write.write_records(
        DatabaseName="db1",
        TableName="tbl",
        Records=[
            {"Dimensions": [{"Name": "host", "Value": "a"}], "MeasureName": "cpu",
             "MeasureValue": "1.5", "MeasureValueType": "DOUBLE", "Time": stamp},
            {"Dimensions": [{"Name": "host", "Value": "b"}], "MeasureName": "m",
             "MeasureValueType": "MULTI", "Time": stamp,
             "MeasureValues": [{"Name": "x", "Value": "3", "Type": "BIGINT"},
                               {"Name": "s", "Value": "hi", "Type": "VARCHAR"}]},
        ],
    )  # fmt: skip
    response = query.query(QueryString='SELECT * FROM "db1"."tbl" ORDER BY host')
    assert _columns(response) == ["host", "measure_name", "time", "measure_value::double", "x", "s"]
    types = [column["Type"]["ScalarType"] for column in response["ColumnInfo"]]
    assert types == ["VARCHAR", "VARCHAR", "TIMESTAMP", "DOUBLE", "BIGINT", "VARCHAR"]
    expected_time = datetime.fromtimestamp(int(stamp) / 1000, timezone.utc)
    rendered = expected_time.strftime("%Y-%m-%d %H:%M:%S.%f") + "000"
    assert _scalar_rows(response) == [
        ["a", "cpu", rendered, "1.5", None, None],
        ["b", "m", rendered, None, "3", "hi"],
    ]
    assert response["Rows"][0]["Data"][4] == {"NullValue": True}
    assert "NextToken" not in response
    assert response["QueryId"]


def test_upsert_shows_only_the_latest_version(clients: tuple[Any, Any]) -> None:
    write, query = clients
    stamp = _now_ms()
    for version, value in ((1, "1.0"), (3, "3.0"), (2, "2.0")):
        record = {"Dimensions": [{"Name": "host", "Value": "a"}], "MeasureName": "cpu",
                  "MeasureValue": value, "MeasureValueType": "DOUBLE", "Time": stamp,
                  "Version": version}  # fmt: skip
        try:
            write.write_records(DatabaseName="db1", TableName="tbl", Records=[record])
        except ClientError as error:
            # A lower version than the stored one is rejected; the stored value stays.
            assert error.response["Error"]["Code"] == "RejectedRecordsException"
    response = query.query(QueryString='SELECT measure_value::double FROM "db1"."tbl"')
    assert _scalar_rows(response) == [["3.0"]]


def test_aggregates_match_what_was_written(clients: tuple[Any, Any]) -> None:
    write, query = clients
    _write_hosts(write, 10, _now_ms())
    response = query.query(
        QueryString='SELECT count(*), sum(measure_value::double), max(host) FROM "db1"."tbl"'
    )
    count, total, top = _scalar_rows(response)[0]
    assert int(count or 0) == 10
    assert float(total or 0) == sum(float(i) for i in range(10))
    assert top == "h09"


def test_show_and_describe(clients: tuple[Any, Any]) -> None:
    write, query = clients
    write.create_database(DatabaseName="db2")
    _write_hosts(write, 1, _now_ms())
    assert _scalar_rows(query.query(QueryString="SHOW DATABASES")) == [["db1"], ["db2"]]
    assert _scalar_rows(query.query(QueryString="SHOW TABLES FROM db1")) == [["tbl"]]
    measures = query.query(QueryString="SHOW MEASURES FROM db1.tbl")
    assert _columns(measures) == ["measure_name", "data_type", "dimensions"]
    assert measures["Rows"][0]["Data"][:2] == [{"ScalarValue": "cpu"}, {"ScalarValue": "double"}]
    described = query.query(QueryString="DESCRIBE db1.tbl")
    assert _scalar_rows(described) == [
        ["host", "varchar", "DIMENSION"],
        ["measure_name", "varchar", "MEASURE_NAME"],
        ["time", "timestamp", "TIMESTAMP"],
        ["measure_value::double", "double", "MEASURE_VALUE"],
    ]


def test_max_rows_pages_with_an_empty_first_page(clients: tuple[Any, Any]) -> None:
    write, query = clients
    _write_hosts(write, 5, _now_ms())
    sql = 'SELECT host FROM "db1"."tbl" ORDER BY host'
    first = query.query(QueryString=sql, MaxRows=2)
    # The service answers a result larger than MaxRows with an empty first page.
    assert first["Rows"] == [] and first["NextToken"]
    seen: list[list[str | None]] = []
    token: str | None = first["NextToken"]
    while token:
        page = query.query(QueryString=sql, MaxRows=2, NextToken=token)
        assert len(page["Rows"]) <= 2
        seen.extend(_scalar_rows(page))
        token = page.get("NextToken")
    assert seen == [[f"h{i:02d}"] for i in range(5)]


def test_boto3_paginator_with_max_items_and_page_size(clients: tuple[Any, Any]) -> None:
    write, query = clients
    _write_hosts(write, 7, _now_ms())
    paginator = query.get_paginator("query")
    pages = paginator.paginate(
        QueryString='SELECT host FROM "db1"."tbl" ORDER BY host',
        PaginationConfig={"MaxItems": 5, "PageSize": 3},
    )
    rows = [row for page in pages for row in _scalar_rows(page)]
    assert rows == [[f"h{i:02d}"] for i in range(5)]
    everything = paginator.paginate(QueryString='SELECT host FROM "db1"."tbl"').build_full_result()
    assert len(everything["Rows"]) == 7


def test_invalid_next_token(clients: tuple[Any, Any]) -> None:
    _, query = clients
    with pytest.raises(ClientError) as raised:
        query.query(QueryString="SELECT 1", NextToken="not-a-token")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "pagination token" in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("sql", "message_start"),
    [
        ('SELECT nope FROM "db1"."tbl"', "line 1:8: Column 'nope' does not exist"),
        ("SELECT * FROM nodb1.tbl", "Requested database 'nodb1' not found"),
        ("SELECT * FROM db1.nope", "line 1:15: Table 'db1.nope' does not exist"),
        ("SELEC 1", "line 1:"),
        ("SELECT 1\nFROM", "line 2:"),
    ],
)
def test_query_errors(clients: tuple[Any, Any], sql: str, message_start: str) -> None:
    _, query = clients
    with pytest.raises(ClientError) as raised:
        query.query(QueryString=sql)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(message_start), error["Message"]


def test_cancel_query_of_an_unknown_id(clients: tuple[Any, Any]) -> None:
    _, query = clients
    with pytest.raises(ClientError) as raised:
        query.cancel_query(QueryId="abc")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_prepare_query_validates(clients: tuple[Any, Any]) -> None:
    _, query = clients
    prepared = query.prepare_query(QueryString='SELECT * FROM "db1"."tbl"', ValidateOnly=True)
    assert prepared["QueryString"] == 'SELECT * FROM "db1"."tbl"'
    with pytest.raises(ClientError) as raised:
        query.prepare_query(QueryString='SELECT nope FROM "db1"."tbl"', ValidateOnly=True)
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_now_and_ago_follow_freezegun(timestream_mock: Any) -> None:
    write = boto3.client("timestream-write", region_name=REGION)
    query = boto3.client("timestream-query", region_name=REGION)
    write.create_database(DatabaseName="db1")
    write.create_table(DatabaseName="db1", TableName="tbl")
    with freeze_time("2026-06-01 12:00:00"):
        _write_hosts(write, 1, str(int(time.time() * 1000) - 2 * 3600 * 1000))
        now = _scalar_rows(query.query(QueryString="SELECT now()"))[0][0]
        assert now is not None and now.startswith("2026-06-01 12:00:00")
        recent = 'SELECT count(*) FROM "db1"."tbl" WHERE time > ago({})'
        assert _scalar_rows(query.query(QueryString=recent.format("3h"))) == [["1"]]
        assert _scalar_rows(query.query(QueryString=recent.format("1h"))) == [["0"]]


def test_throttling_is_retried_and_logged(clients: tuple[Any, Any], timestream_mock: Any) -> None:
    _, query = clients
    fault = timestream_mock.add_fault("Query", "ThrottlingException", times=1)
    assert _scalar_rows(query.query(QueryString="SELECT 1")) == [["1"]]
    assert fault.fired == 1
    query_calls = [c for c in timestream_mock.calls if c.operation == "Query"]
    assert [c.error_code for c in query_calls] == ["ThrottlingException", None]
    assert all(c.service == "timestream-query" for c in query_calls)
    assert query_calls[-1].params["QueryString"] == "SELECT 1"


def test_non_retried_fault_surfaces(clients: tuple[Any, Any], timestream_mock: Any) -> None:
    _, query = clients
    timestream_mock.add_fault("Query", "AccessDeniedException", times=1)
    with pytest.raises(ClientError) as raised:
        query.query(QueryString="SELECT 1")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert _scalar_rows(query.query(QueryString="SELECT 1")) == [["1"]]
    codes = [c.error_code for c in timestream_mock.calls if c.operation == "Query"]
    assert codes == ["AccessDeniedException", None]


def test_retries_exhausted_by_a_lasting_throttle(
    clients: tuple[Any, Any], timestream_mock: Any
) -> None:
    query = boto3.client(
        "timestream-query", region_name=REGION, config=Config(retries={"total_max_attempts": 2})
    )
    timestream_mock.add_fault("Query", "ThrottlingException", times=None)
    with pytest.raises(ClientError, match="ThrottlingException"):
        query.query(QueryString="SELECT 1")
    assert [c.operation for c in timestream_mock.calls].count("Query") == 2


def test_accounts_and_regions_are_isolated() -> None:
    with mock_timestream(account_id="111111111111"):
        write = boto3.client("timestream-write", region_name="eu-west-1")
        write.create_database(DatabaseName="dbeu")
        eu = boto3.client("timestream-query", region_name="eu-west-1")
        us = boto3.client("timestream-query", region_name="us-east-1")
        assert _scalar_rows(eu.query(QueryString="SHOW DATABASES")) == [["dbeu"]]
        assert _scalar_rows(us.query(QueryString="SHOW DATABASES")) == []
        with pytest.raises(ClientError, match="not found"):
            us.query(QueryString="SELECT * FROM dbeu.anything")
    with mock_timestream(account_id="222222222222"):
        eu = boto3.client("timestream-query", region_name="eu-west-1")
        assert _scalar_rows(eu.query(QueryString="SHOW DATABASES")) == []


def test_columns_that_differ_only_in_case_are_refused_not_mixed_up(
    clients: tuple[Any, Any],
) -> None:
    write, query = clients
    write.write_records(
        DatabaseName="db1",
        TableName="tbl",
        Records=[
            {
                "Dimensions": [{"Name": "hostId", "Value": "a"}, {"Name": "hostid", "Value": "b"}],
                "MeasureName": "cpu",
                "MeasureValue": "1",
                "MeasureValueType": "DOUBLE",
                "Time": _now_ms(),
            }
        ],
    )
    with pytest.raises(query.exceptions.ValidationException) as caught:
        query.query(QueryString='SELECT "hostId", "hostid" FROM db1.tbl')
    assert caught.value.response["Error"]["Message"].startswith(
        "Columns 'hostId' and 'hostid' of table 'db1.tbl' differ only in case"
    )
    # DESCRIBE lists both, as the service does.
    described = query.query(QueryString="DESCRIBE db1.tbl")
    assert [row["Data"][0]["ScalarValue"] for row in described["Rows"]][:2] == ["hostId", "hostid"]
