"""Default page sizes and listing orders, as documented on the operations' pages.

ListTables answers 20 tables a page and ListBatchLoadTasks 100 tasks a page when the
request gives no MaxResults (docs/operations/list-tables.md,
docs/operations/list-batch-load-tasks.md); ListTagsForResource lists tags in the
order they were first added (docs/operations/list-tags-for-resource.md).
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from tsmock import TimestreamWriteMock

REGION = "us-east-1"


@pytest.fixture
def client(ts: TimestreamWriteMock) -> Any:
    return boto3.client("timestream-write", region_name=REGION)


def pages(call: Any, key: str, **kwargs: Any) -> list[list[Any]]:
    """Every page of a listing, following NextToken, without MaxResults."""
    result: list[list[Any]] = []
    while True:
        page = call(**kwargs)
        result.append(page[key])
        if "NextToken" not in page:
            return result
        kwargs["NextToken"] = page["NextToken"]


def test_list_tables_pages_of_20_by_default(ts: TimestreamWriteMock, client: Any) -> None:
    client.create_database(DatabaseName="metrics")
    backend = ts.backend(REGION)
    for number in range(45):
        backend.create_table("metrics", f"t{number:02d}")

    listed = pages(client.list_tables, "Tables", DatabaseName="metrics")
    assert [len(page) for page in listed] == [20, 20, 5]
    names = [table["TableName"] for page in listed for table in page]
    assert names == [f"t{number:02d}" for number in range(45)]


def test_list_tables_of_exactly_20_is_one_page(ts: TimestreamWriteMock, client: Any) -> None:
    client.create_database(DatabaseName="metrics")
    for number in range(20):
        ts.backend(REGION).create_table("metrics", f"t{number:02d}")
    page = client.list_tables(DatabaseName="metrics")
    assert len(page["Tables"]) == 20 and "NextToken" not in page


def test_list_tables_of_all_databases_pages_of_20(ts: TimestreamWriteMock, client: Any) -> None:
    backend = ts.backend(REGION)
    for database in ("dbb", "dba"):
        backend.create_database(database)
        for number in range(11):
            backend.create_table(database, f"t{number:02d}")
    listed = pages(client.list_tables, "Tables")
    assert [len(page) for page in listed] == [20, 2]
    assert [(t["DatabaseName"], t["TableName"]) for page in listed for t in page] == [
        (database, f"t{number:02d}") for database in ("dba", "dbb") for number in range(11)
    ]


def test_list_batch_load_tasks_pages_of_100_by_default(
    ts: TimestreamWriteMock, client: Any
) -> None:
    client.create_database(DatabaseName="metrics")
    client.create_table(DatabaseName="metrics", TableName="cpu")
    now = time.time_ns() // 1_000_000
    ts.put_object("source", "in/part.csv", f"host,time,cpu\na,{now},1.5\n")
    request = {
        "TargetDatabaseName": "metrics",
        "TargetTableName": "cpu",
        "DataSourceConfiguration": {
            "DataSourceS3Configuration": {"BucketName": "source", "ObjectKeyPrefix": "in/"},
            "DataFormat": "CSV",
        },
        "ReportConfiguration": {"ReportS3Configuration": {"BucketName": "reports"}},
        "DataModelConfiguration": {
            "DataModel": {
                "TimeColumn": "time",
                "DimensionMappings": [{"SourceColumn": "host"}],
                "MixedMeasureMappings": [
                    {
                        "SourceColumn": "cpu",
                        "MeasureName": "cpu",
                        "MeasureValueType": "DOUBLE",
                    }
                ],
            }
        },
    }
    created = [client.create_batch_load_task(**request)["TaskId"] for _ in range(205)]

    listed = pages(client.list_batch_load_tasks, "BatchLoadTasks")
    assert [len(page) for page in listed] == [100, 100, 5]
    # Oldest first, across pages.
    assert [task["TaskId"] for page in listed for task in page] == created


def test_tags_are_listed_in_the_order_first_added(client: Any) -> None:
    arn = client.create_database(
        DatabaseName="metrics", Tags=[{"Key": "zeta", "Value": "1"}, {"Key": "alpha", "Value": "2"}]
    )["Database"]["Arn"]
    client.tag_resource(
        ResourceARN=arn,
        Tags=[{"Key": "mid", "Value": "3"}, {"Key": "Beta", "Value": "4"}],
    )
    # A new value keeps its key's place; a removed key leaves, and comes back last.
    client.tag_resource(ResourceARN=arn, Tags=[{"Key": "zeta", "Value": "changed"}])
    client.untag_resource(ResourceARN=arn, TagKeys=["alpha"])
    client.tag_resource(ResourceARN=arn, Tags=[{"Key": "alpha", "Value": "5"}])

    tags = client.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert tags == [
        {"Key": "zeta", "Value": "changed"},
        {"Key": "mid", "Value": "3"},
        {"Key": "Beta", "Value": "4"},
        {"Key": "alpha", "Value": "5"},
    ]


def test_table_tags_are_listed_in_the_order_first_added(client: Any) -> None:
    client.create_database(DatabaseName="metrics")
    arn = client.create_table(
        DatabaseName="metrics",
        TableName="cpu",
        Tags=[{"Key": f"k{number}", "Value": str(number)} for number in (3, 1, 2)],
    )["Table"]["Arn"]
    client.tag_resource(ResourceARN=arn, Tags=[{"Key": "k0", "Value": "0"}])
    tags = client.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert [tag["Key"] for tag in tags] == ["k3", "k1", "k2", "k0"]
