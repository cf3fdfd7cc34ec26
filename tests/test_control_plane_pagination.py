"""ListDatabases and ListTables pages and tokens (reference §4)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, OperationNotPageableError


@pytest.fixture
def client(ts: Any) -> Any:
    return boto3.client("timestream-write", region_name="us-east-1")


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response  # type: ignore[no-any-return]


def assert_invalid_token(response: dict[str, Any]) -> None:
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == "Invalid pagination token."
    assert response["Message"] == "Invalid pagination token."
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def walk(call: Callable[..., Any], key: str, **kwargs: Any) -> list[list[Any]]:
    pages = []
    token = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        pages.append(page[key])
        token = page.get("NextToken")
        if token is None:
            return pages


def names(items: list[dict[str, Any]], key: str = "DatabaseName") -> list[str]:
    return [item[key] for item in items]


def test_walk_pages_in_name_order(client: Any) -> None:
    for name in ("ggg", "aaa", "eee", "ccc", "bbb", "fff", "ddd"):
        client.create_database(DatabaseName=name)
    pages = walk(client.list_databases, "Databases", MaxResults=3)
    assert [names(page) for page in pages] == [
        ["aaa", "bbb", "ccc"],
        ["ddd", "eee", "fff"],
        ["ggg"],
    ]


def test_a_full_last_page_has_no_token(client: Any) -> None:
    for name in ("aaa", "bbb", "ccc", "ddd"):
        client.create_database(DatabaseName=name)
    first = client.list_databases(MaxResults=2)
    second = client.list_databases(MaxResults=2, NextToken=first["NextToken"])
    assert names(second["Databases"]) == ["ccc", "ddd"]
    assert "NextToken" not in second
    everything = client.list_databases(MaxResults=4)
    assert "NextToken" not in everything


def test_empty_list(client: Any) -> None:
    response = client.list_databases()
    assert response["Databases"] == []
    assert "NextToken" not in response


def test_default_page_size_is_twenty(client: Any) -> None:
    for i in range(21):
        client.create_database(DatabaseName=f"db{i:02d}")
    first = client.list_databases()
    assert len(first["Databases"]) == 20
    assert names(client.list_databases(NextToken=first["NextToken"])["Databases"]) == ["db20"]


def test_max_results_bounds(client: Any) -> None:
    for i in range(21):
        client.create_database(DatabaseName=f"db{i:02d}")
    assert len(client.list_databases(MaxResults=20)["Databases"]) == 20
    assert len(client.list_databases(MaxResults=1)["Databases"]) == 1
    # boto3 checks only the minimum (§1.5): 21 reaches the service.
    response = error_of(client.list_databases, MaxResults=21)
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == (
        "1 validation error detected: Value '21' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 20"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    raw = boto3.client(
        "timestream-write", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    for call in (raw.list_databases, raw.list_tables):
        response = error_of(call, MaxResults=0)
        assert response["Error"]["Message"] == (
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )


def test_the_walk_survives_deletions_and_creations_between_pages(client: Any) -> None:
    for name in ("aaa", "bbb", "ccc", "ddd", "eee", "fff", "ggg"):
        client.create_database(DatabaseName=name)
    first = client.list_databases(MaxResults=3)
    assert names(first["Databases"]) == ["aaa", "bbb", "ccc"]
    # The last item of the page and the next one go; one is added before the
    # position reached and one after it.
    client.delete_database(DatabaseName="ccc")
    client.delete_database(DatabaseName="ddd")
    client.create_database(DatabaseName="abc")
    client.create_database(DatabaseName="eeef")
    second = client.list_databases(MaxResults=3, NextToken=first["NextToken"])
    assert names(second["Databases"]) == ["eee", "eeef", "fff"]
    third = client.list_databases(MaxResults=3, NextToken=second["NextToken"])
    assert names(third["Databases"]) == ["ggg"]
    assert "NextToken" not in third


def test_a_token_past_every_item_gives_an_empty_last_page(client: Any) -> None:
    for name in ("aaa", "bbb", "ccc"):
        client.create_database(DatabaseName=name)
    first = client.list_databases(MaxResults=2)
    client.delete_database(DatabaseName="ccc")
    last = client.list_databases(NextToken=first["NextToken"])
    assert last["Databases"] == []
    assert "NextToken" not in last


def test_tokens_are_opaque(client: Any) -> None:
    for name in ("alpha-db", "beta-db"):
        client.create_database(DatabaseName=name)
    token = client.list_databases(MaxResults=1)["NextToken"]
    assert isinstance(token, str)
    assert "alpha-db" not in token


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        "%%%",
        "ünï",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'["ListDatabases"]').decode(),
        base64.urlsafe_b64encode(b'["ListDatabases", [{"a": 1}]]').decode(),
        base64.urlsafe_b64encode(b'["ListDatabases", [1]]').decode(),
        base64.urlsafe_b64encode(b'["ListDatabases", []]').decode(),
        base64.urlsafe_b64encode(b'["ListDatabases", ["a", "b"]]').decode(),
        base64.urlsafe_b64encode(b"42").decode(),
    ],
)
def test_garbage_tokens(client: Any, token: str) -> None:
    client.create_database(DatabaseName="aaa")
    assert_invalid_token(error_of(client.list_databases, NextToken=token))
    assert_invalid_token(error_of(client.list_tables, NextToken=token))


def test_a_token_of_one_operation_is_refused_by_another(client: Any) -> None:
    for name in ("aaa", "bbb"):
        client.create_database(DatabaseName=name)
        client.create_table(DatabaseName=name, TableName="tbl")
    database_token = client.list_databases(MaxResults=1)["NextToken"]
    table_token = client.list_tables(MaxResults=1)["NextToken"]
    assert_invalid_token(error_of(client.list_tables, NextToken=database_token))
    assert_invalid_token(error_of(client.list_databases, NextToken=table_token))


def test_list_tables_walks_across_databases(client: Any) -> None:
    expected = []
    for database in ("db1", "db2", "db3"):
        client.create_database(DatabaseName=database)
        for table in ("t01", "t02"):
            client.create_table(DatabaseName=database, TableName=table)
            expected.append((database, table))
    pages = walk(client.list_tables, "Tables", MaxResults=4)
    assert [len(page) for page in pages] == [4, 2]
    assert [(t["DatabaseName"], t["TableName"]) for page in pages for t in page] == expected
    within = walk(client.list_tables, "Tables", DatabaseName="db2", MaxResults=1)
    assert [names(page, "TableName") for page in within] == [["t01"], ["t02"]]


def test_list_tables_walk_survives_deleting_the_database_of_the_position(client: Any) -> None:
    for database in ("db1", "db2"):
        client.create_database(DatabaseName=database)
        for table in ("t01", "t02"):
            client.create_table(DatabaseName=database, TableName=table)
    first = client.list_tables(MaxResults=1)
    for table in ("t01", "t02"):
        client.delete_table(DatabaseName="db1", TableName=table)
    client.delete_database(DatabaseName="db1")
    rest = client.list_tables(NextToken=first["NextToken"])
    assert [(t["DatabaseName"], t["TableName"]) for t in rest["Tables"]] == [
        ("db2", "t01"),
        ("db2", "t02"),
    ]


def test_boto3_has_no_paginators_for_the_service(client: Any) -> None:
    # §4: paginators-1.json is empty; users page with NextToken themselves.
    assert not client.can_paginate("list_databases")
    with pytest.raises(OperationNotPageableError):
        client.get_paginator("list_tables")
