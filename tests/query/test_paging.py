"""Paging: MaxRows, NextToken chains, botocore's paginator, ClientToken, CancelQuery."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.paginate import Paginator
from query_helpers import NOW_MS, make_table, single, write

from tsmock.backend.errors import ConflictException, ValidationException
from tsmock.backend.query.errors import QueryExecutionException

QUERY = "SELECT measure_value::bigint AS n FROM db.t ORDER BY n"


@pytest.fixture
def numbered(write_backend: Any, query_backend: Any, frozen: Any) -> Any:
    make_table(write_backend)
    write(
        write_backend,
        "db",
        "t",
        [single({"h": "a"}, "n", str(i), "BIGINT", NOW_MS - i) for i in range(2500)],
    )
    return query_backend


def numbers(response: dict[str, Any]) -> list[int]:
    return [int(row["Data"][0]["ScalarValue"]) for row in response["Rows"]]


def test_first_page_empty_when_max_rows_exceeded(numbered: Any) -> None:
    first = numbered.query(QUERY, max_rows=7)
    assert first["Rows"] == [] and "NextToken" in first
    assert first["ColumnInfo"] == [{"Name": "n", "Type": {"ScalarType": "BIGINT"}}]
    assert first["QueryStatus"]["ProgressPercentage"] == 0.0
    second = numbered.query(QUERY, max_rows=7, next_token=first["NextToken"])
    assert numbers(second) == list(range(7))
    assert second["QueryId"] == first["QueryId"]
    assert second["ColumnInfo"] == first["ColumnInfo"]


def test_whole_result_when_it_fits(numbered: Any) -> None:
    response = numbered.query("SELECT 1", max_rows=1)
    assert len(response["Rows"]) == 1 and "NextToken" not in response
    assert response["QueryStatus"]["ProgressPercentage"] == 100.0


def test_chain_without_max_rows_pages_of_1000(numbered: Any) -> None:
    response = numbered.query(QUERY)
    seen = numbers(response)
    assert len(seen) == 1000
    while "NextToken" in response:
        response = numbered.query(QUERY, next_token=response["NextToken"])
        assert len(response["Rows"]) <= 1000
        seen.extend(numbers(response))
    assert seen == list(range(2500))


def test_snapshot_at_first_page(write_backend: Any, numbered: Any) -> None:
    first = numbered.query(QUERY)
    write(write_backend, "db", "t", [single({"h": "b"}, "n", "-1", "BIGINT", NOW_MS)])
    rest = numbered.query(QUERY, next_token=first["NextToken"])
    assert numbers(rest)[0] == 1000


def test_token_rules(numbered: Any) -> None:
    first = numbered.query(QUERY, max_rows=10)
    token1 = first["NextToken"]
    page = numbered.query(QUERY, max_rows=10, next_token=token1)
    again = numbered.query(QUERY, max_rows=10, next_token=token1)
    assert again["Rows"] == page["Rows"] and again["NextToken"] == page["NextToken"]
    with pytest.raises(ValidationException, match="Invalid pagination token"):
        numbered.query("SELECT 2", next_token=page["NextToken"])
    numbered.query(QUERY, max_rows=10, next_token=page["NextToken"])
    with pytest.raises(ValidationException, match="Invalid pagination token"):
        numbered.query(QUERY, max_rows=10, next_token=token1)
    with pytest.raises(ValidationException, match="Invalid pagination token"):
        numbered.query(QUERY, next_token="never-issued")


def test_token_reuse_is_limited(numbered: Any) -> None:
    token = numbered.query(QUERY, max_rows=10)["NextToken"]
    for _ in range(5):
        numbered.query(QUERY, max_rows=10, next_token=token)
    with pytest.raises(ValidationException, match="Invalid pagination token"):
        numbered.query(QUERY, max_rows=10, next_token=token)


def test_max_rows_range(numbered: Any) -> None:
    with pytest.raises(ValidationException, match="less than or equal to 1000"):
        numbered.query(QUERY, max_rows=1001)


def paginate(backend: Any, **config: Any) -> Any:
    """botocore's own paginator of ``query`` over the backend (paginators-1.json)."""
    session = botocore.session.get_session()
    operation = session.get_service_model("timestream-query").operation_model("Query")
    pagination = session.get_paginator_model("timestream-query").get_paginator("Query")

    def call(**kwargs: Any) -> dict[str, Any]:
        return dict(
            backend.query(
                kwargs["QueryString"],
                max_rows=kwargs.get("MaxRows"),
                next_token=kwargs.get("NextToken"),
            )
        )

    return Paginator(call, pagination, operation).paginate(
        QueryString=QUERY, PaginationConfig=config
    )


def test_botocore_paginator_max_items_and_resume(numbered: Any) -> None:
    first = paginate(numbered, MaxItems=25, PageSize=10).build_full_result()
    assert [int(r["Data"][0]["ScalarValue"]) for r in first["Rows"]] == list(range(25))
    resumed = paginate(
        numbered, MaxItems=30, PageSize=10, StartingToken=first["NextToken"]
    ).build_full_result()
    assert [int(r["Data"][0]["ScalarValue"]) for r in resumed["Rows"]] == list(range(25, 55))


def test_botocore_paginator_reads_everything(numbered: Any) -> None:
    result = paginate(numbered).build_full_result()
    assert len(result["Rows"]) == 2500
    assert result["ColumnInfo"] == [{"Name": "n", "Type": {"ScalarType": "BIGINT"}}]


def test_client_token(numbered: Any) -> None:
    token = "t" * 40
    first = numbered.query("SELECT 1", client_token=token)
    assert numbered.query("SELECT 1", client_token=token)["QueryId"] == first["QueryId"]
    with pytest.raises(ValidationException):
        numbered.query("SELECT 2", client_token=token)
    assert numbered.query("SELECT 1")["QueryId"] != first["QueryId"]


def test_cancel(numbered: Any) -> None:
    first = numbered.query(QUERY, max_rows=10)
    assert numbered.cancel_query(first["QueryId"]) == {}
    assert "CancellationMessage" in numbered.cancel_query(first["QueryId"])
    with pytest.raises(ConflictException):
        numbered.query(QUERY, max_rows=10, next_token=first["NextToken"])
    with pytest.raises(ValidationException):
        numbered.cancel_query("AAAA1111")
    with pytest.raises(ValidationException):
        numbered.cancel_query("not-an-id")


def test_pages_are_cut_at_one_megabyte(write_backend: Any, query_backend: Any, frozen: Any) -> None:
    make_table(write_backend)
    big = "x" * 2000
    write(
        write_backend,
        "db",
        "t",
        [single({"h": "a"}, "s", big, "VARCHAR", NOW_MS - i) for i in range(900)],
    )
    query = "SELECT measure_value::varchar, measure_value::varchar, time FROM db.t"
    response = query_backend.query(query)
    assert 0 < len(response["Rows"]) < 900 and "NextToken" in response
    total = len(response["Rows"])
    while "NextToken" in response:
        response = query_backend.query(query, next_token=response["NextToken"])
        assert len(repr(response["Rows"])) < 1_100_000
        total += len(response["Rows"])
    assert total == 900


def test_a_row_over_one_megabyte_aborts(query_backend: Any) -> None:
    with pytest.raises(QueryExecutionException, match="max page response size"):
        query_backend.query("SELECT repeat('x', 1100000)")


def test_query_string_length(query_backend: Any) -> None:
    with pytest.raises(ValidationException, match="less than or equal to 262144"):
        query_backend.query("SELECT 1" + " " * 262_144)
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        query_backend.query("")
