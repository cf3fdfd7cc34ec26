"""The account quotas at their real values: 500 databases and 50,000 tables.

Nothing is monkeypatched: the bulk is created through the backend (the same
create methods the operations call, without the HTTP round trip), the last
accepted resource and the first refused one through boto3, so a limit raised
or lowered by one is caught (docs/operations/create-database.md,
docs/operations/create-table.md).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tsmock import TimestreamWriteMock

REGION = "us-east-1"


@pytest.fixture
def client(ts: TimestreamWriteMock) -> Any:
    return boto3.client("timestream-write", region_name=REGION)


def quota_error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    response: dict[str, Any] = excinfo.value.response
    return response


def test_the_500th_database_is_created_and_the_501st_refused(
    ts: TimestreamWriteMock, client: Any
) -> None:
    backend = ts.backend(REGION)
    for number in range(499):
        backend.create_database(f"db{number:03d}")

    client.create_database(DatabaseName="db499")  # the 500th
    assert len(backend.databases) == 500

    response = quota_error(client.create_database, DatabaseName="db500")
    assert response["Error"] == {
        "Code": "ServiceQuotaExceededException",
        "Message": "You have reached the maximum number of databases.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert "db500" not in backend.databases and len(backend.databases) == 500

    # A name in use is still a conflict at the quota: the name is checked first.
    conflict = quota_error(client.create_database, DatabaseName="db000")
    assert conflict["Error"]["Code"] == "ConflictException"

    # Deleting one frees one place.
    client.delete_database(DatabaseName="db000")
    client.create_database(DatabaseName="db500")
    assert len(backend.databases) == 500


def test_the_database_quota_belongs_to_one_account_and_region(ts: TimestreamWriteMock) -> None:
    backend = ts.backend(REGION)
    for number in range(500):
        backend.create_database(f"db{number:03d}")
    # The same account in another region starts from zero.
    boto3.client("timestream-write", region_name="eu-west-1").create_database(DatabaseName="db500")
    assert list(ts.backend("eu-west-1").databases) == ["db500"]


def test_the_50000th_table_is_created_and_the_50001st_refused(
    ts: TimestreamWriteMock, client: Any
) -> None:
    backend = ts.backend(REGION)
    # The quota counts the tables of every database of the account and region.
    sizes = {"big": 30_000, "medium": 19_999, "empty": 0}
    for database, size in sizes.items():
        backend.create_database(database)
        for number in range(size):
            backend.create_table(database, f"t{number:05d}")

    client.create_table(DatabaseName="medium", TableName="last")  # the 50,000th
    assert sum(len(db.tables) for db in backend.databases.values()) == 50_000

    response = quota_error(client.create_table, DatabaseName="empty", TableName="one_more")
    assert response["Error"] == {
        "Code": "ServiceQuotaExceededException",
        "Message": "You have reached the maximum number of tables.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert backend.databases["empty"].tables == {}

    # An existing name is a conflict, not a quota error.
    conflict = quota_error(client.create_table, DatabaseName="big", TableName="t00000")
    assert conflict["Error"]["Code"] == "ConflictException"

    client.delete_table(DatabaseName="big", TableName="t00000")
    client.create_table(DatabaseName="empty", TableName="one_more")
    assert sum(len(db.tables) for db in backend.databases.values()) == 50_000
