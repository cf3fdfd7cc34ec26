"""Databases, tables and DescribeEndpoints through real boto3 clients (reference §2-§5).

Every error is checked for its code, HTTP status and message text; derived
fields (ARNs, TableCount, KmsKeyId, times) are checked against the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

from tsmock import mock_timestream_write
from tsmock.backend import service

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
HOUR_NS = 3600 * 10**9
DEFAULT_KEY = re.compile(
    r"arn:aws:kms:us-east-1:123456789012:key/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


@pytest.fixture
def client(ts: Any) -> Any:
    return boto3.client("timestream-write", region_name="us-east-1")


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The error response of a call that must fail with a ClientError."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response  # type: ignore[no-any-return]


def assert_error(response: dict[str, Any], code: str, status: int, message: str) -> None:
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status


def service_error(
    call: Callable[..., Any], code: str, status: int, message: str, **kwargs: Any
) -> None:
    """A service-logic error: its body key is ``Message``, so botocore also fills
    the top-level modeled member (§1.3)."""
    response = error_of(call, **kwargs)
    assert_error(response, code, status, message)
    assert response.get("Message") == message


# --- DescribeEndpoints (§2.1) --------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "address"),
    [
        ("us-east-1", "ingest-cell1.timestream.us-east-1.amazonaws.com"),
        ("eu-west-1", "ingest-cell1.timestream.eu-west-1.amazonaws.com"),
        ("cn-north-1", "ingest-cell1.timestream.cn-north-1.amazonaws.com.cn"),
    ],
)
def test_describe_endpoints_answers_one_cell_cached_for_a_day(
    ts: Any, region: str, address: str
) -> None:
    client = boto3.client("timestream-write", region_name=region)
    response = client.describe_endpoints()
    assert response["Endpoints"] == [{"Address": address, "CachePeriodInMinutes": 1440}]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_responses_carry_a_request_id_shaped_like_the_service_s(client: Any) -> None:
    ok = client.list_databases()["ResponseMetadata"]["RequestId"]
    failed = error_of(client.describe_database, DatabaseName="nothing")["ResponseMetadata"]
    for request_id in (ok, failed["RequestId"]):
        assert re.fullmatch(r"[A-Z0-9]{26}", request_id)
    assert ok != failed["RequestId"]


# --- CreateDatabase / DescribeDatabase (§3.3, §5.1, §5.2) -----------------------------


def test_create_database_fills_in_the_derived_fields(client: Any) -> None:
    with freeze_time(T0):
        database = client.create_database(DatabaseName="metrics")["Database"]
    assert database["Arn"] == f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/metrics"
    assert database["DatabaseName"] == "metrics"
    assert database["TableCount"] == 0
    assert DEFAULT_KEY.fullmatch(database["KmsKeyId"])
    assert database["CreationTime"] == T0
    assert database["LastUpdatedTime"] == T0
    assert client.describe_database(DatabaseName="metrics")["Database"] == database


def test_default_kms_key_is_stable_per_account_and_region() -> None:
    keys = []
    for _ in range(2):
        with mock_timestream_write():
            for region in ("us-east-1", "eu-west-1"):
                client = boto3.client("timestream-write", region_name=region)
                keys.append(client.create_database(DatabaseName="db1")["Database"]["KmsKeyId"])
    assert keys[0] == keys[2]
    assert keys[1] == keys[3]
    assert keys[0] != keys[1]
    assert keys[1].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/")


def test_a_given_kms_key_is_echoed_as_given(client: Any) -> None:
    database = client.create_database(DatabaseName="db1", KmsKeyId="alias/my-key")["Database"]
    assert database["KmsKeyId"] == "alias/my-key"


def test_create_database_times_follow_the_clock_while_it_ticks(client: Any) -> None:
    with freeze_time(T0, tick=True):
        database = client.create_database(DatabaseName="db1")["Database"]
    assert database["CreationTime"] == database["LastUpdatedTime"]
    assert T0 <= database["CreationTime"] < T0 + timedelta(seconds=30)


def test_china_regions_use_the_aws_cn_partition(ts: Any) -> None:
    client = boto3.client("timestream-write", region_name="cn-north-1")
    database = client.create_database(DatabaseName="db1")["Database"]
    assert database["Arn"] == f"arn:aws-cn:timestream:cn-north-1:{ACCOUNT}:database/db1"
    assert database["KmsKeyId"].startswith(f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/")
    table = client.create_table(DatabaseName="db1", TableName="tbl")["Table"]
    assert table["Arn"] == f"arn:aws-cn:timestream:cn-north-1:{ACCOUNT}:database/db1/table/tbl"


def test_duplicate_database_is_a_conflict(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    service_error(
        client.create_database,
        "ConflictException",
        409,
        "The database db1 already exists.",
        DatabaseName="db1",
    )


def test_database_names_are_case_sensitive(client: Any) -> None:
    client.create_database(DatabaseName="metrics")
    client.create_database(DatabaseName="Metrics")
    names = [d["DatabaseName"] for d in client.list_databases()["Databases"]]
    assert sorted(names) == ["Metrics", "metrics"]


def test_unknown_database_is_not_found(client: Any) -> None:
    service_error(
        client.describe_database,
        "ResourceNotFoundException",
        404,
        "The database unknown does not exist.",
        DatabaseName="unknown",
    )


def test_describe_does_not_apply_the_create_pattern(client: Any) -> None:
    # §3.1: only create-type inputs carry the pattern; elsewhere it is just a name.
    service_error(
        client.describe_database,
        "ResourceNotFoundException",
        404,
        "The database bad name! does not exist.",
        DatabaseName="bad name!",
    )


def test_create_database_applies_the_name_pattern(client: Any) -> None:
    response = error_of(client.create_database, DatabaseName="bad name!")
    assert_error(
        response,
        "ValidationException",
        400,
        "1 validation error detected: Value 'bad name!' at 'databaseName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


def test_database_quota(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_DATABASES", 2)
    client.create_database(DatabaseName="db1")
    client.create_database(DatabaseName="db2")
    service_error(
        client.create_database,
        "ServiceQuotaExceededException",
        402,
        "You have reached the maximum number of databases.",
        DatabaseName="db3",
    )
    # A duplicate is still a conflict: the name is checked before the quota.
    response = error_of(client.create_database, DatabaseName="db1")
    assert response["Error"]["Code"] == "ConflictException"


# --- UpdateDatabase (§5.4) -----------------------------------------------------------


def test_update_database_changes_the_key_and_moves_last_updated_time(client: Any) -> None:
    with freeze_time(T0) as frozen:
        created = client.create_database(DatabaseName="db1")["Database"]
        frozen.tick(timedelta(minutes=5))
        updated = client.update_database(DatabaseName="db1", KmsKeyId="alias/other")["Database"]
    assert updated["KmsKeyId"] == "alias/other"
    assert updated["CreationTime"] == created["CreationTime"] == T0
    assert updated["LastUpdatedTime"] == T0 + timedelta(minutes=5)
    assert client.describe_database(DatabaseName="db1")["Database"] == updated


def test_update_database_with_the_same_key_changes_nothing(client: Any) -> None:
    with freeze_time(T0) as frozen:
        created = client.create_database(DatabaseName="db1", KmsKeyId="alias/k")["Database"]
        frozen.tick(timedelta(minutes=5))
        updated = client.update_database(DatabaseName="db1", KmsKeyId="alias/k")["Database"]
    assert updated == created


def test_update_database_time_moves_with_a_ticking_clock(client: Any) -> None:
    with freeze_time(T0, tick=True) as frozen:
        created = client.create_database(DatabaseName="db1")["Database"]
        frozen.move_to(T0 + timedelta(minutes=10))
        updated = client.update_database(DatabaseName="db1", KmsKeyId="alias/k")["Database"]
    assert T0 <= created["LastUpdatedTime"] < T0 + timedelta(minutes=1)
    assert T0 + timedelta(minutes=10) <= updated["LastUpdatedTime"] < T0 + timedelta(minutes=11)
    assert updated["CreationTime"] == created["CreationTime"]


def test_update_unknown_database_is_not_found(client: Any) -> None:
    # Existence comes before the key's form (§3.6).
    service_error(
        client.update_database,
        "ResourceNotFoundException",
        404,
        "The database nothing does not exist.",
        DatabaseName="nothing",
        KmsKeyId="not a key",
    )


def test_update_database_takes_any_key_string(client: Any) -> None:
    # KmsKeyId is not checked by form: the service checks the key itself.
    client.create_database(DatabaseName="db1")
    updated = client.update_database(DatabaseName="db1", KmsKeyId="not a key")["Database"]
    assert updated["KmsKeyId"] == "not a key"


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "alias/ExampleAlias",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias",
    ],
)
def test_update_database_accepts_every_documented_key_form(client: Any, key: str) -> None:
    client.create_database(DatabaseName="db1")
    assert client.update_database(DatabaseName="db1", KmsKeyId=key)["Database"]["KmsKeyId"] == key


# --- DeleteDatabase (§5.5) -----------------------------------------------------------


def test_delete_database(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    response = client.delete_database(DatabaseName="db1")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    service_error(
        client.describe_database,
        "ResourceNotFoundException",
        404,
        "The database db1 does not exist.",
        DatabaseName="db1",
    )
    service_error(
        client.delete_database,
        "ResourceNotFoundException",
        404,
        "The database db1 does not exist.",
        DatabaseName="db1",
    )


def test_a_database_with_tables_cannot_be_deleted(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="tbl")
    service_error(
        client.delete_database,
        "ValidationException",
        400,
        "Cannot delete database db1 because it contains tables. Delete all tables first.",
        DatabaseName="db1",
    )
    client.delete_table(DatabaseName="db1", TableName="tbl")
    client.delete_database(DatabaseName="db1")


def test_table_count_follows_tables_but_last_updated_time_does_not(client: Any) -> None:
    with freeze_time(T0) as frozen:
        client.create_database(DatabaseName="db1")
        frozen.tick(timedelta(hours=1))
        client.create_table(DatabaseName="db1", TableName="tb1")
        client.create_table(DatabaseName="db1", TableName="tb2")
        database = client.describe_database(DatabaseName="db1")["Database"]
        assert database["TableCount"] == 2
        assert database["LastUpdatedTime"] == T0
        client.delete_table(DatabaseName="db1", TableName="tb1")
        assert client.describe_database(DatabaseName="db1")["Database"]["TableCount"] == 1
        listed = client.list_databases()["Databases"]
        assert [(d["DatabaseName"], d["TableCount"]) for d in listed] == [("db1", 1)]


# --- CreateTable (§3.4, §5.6) --------------------------------------------------------


def test_create_table_defaults(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    with freeze_time(T0):
        table = client.create_table(DatabaseName="db1", TableName="cpu")["Table"]
    assert table == {
        "Arn": f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/db1/table/cpu",
        "TableName": "cpu",
        "DatabaseName": "db1",
        "TableStatus": "ACTIVE",
        "RetentionProperties": {
            "MemoryStoreRetentionPeriodInHours": 6,
            "MagneticStoreRetentionPeriodInDays": 73000,
        },
        "CreationTime": T0,
        "LastUpdatedTime": T0,
        "MagneticStoreWriteProperties": {"EnableMagneticStoreWrites": False},
        "Schema": {"CompositePartitionKey": [{"Type": "MEASURE"}]},
    }
    assert client.describe_table(DatabaseName="db1", TableName="cpu")["Table"] == table


def test_create_table_echoes_what_was_given(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    magnetic = {
        "EnableMagneticStoreWrites": True,
        "MagneticStoreRejectedDataLocation": {
            "S3Configuration": {"BucketName": "rejected-bucket", "EncryptionOption": "SSE_S3"}
        },
    }
    schema = {
        "CompositePartitionKey": [
            {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "REQUIRED"}
        ]
    }
    table = client.create_table(
        DatabaseName="db1",
        TableName="cpu",
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 7,
            "MagneticStoreRetentionPeriodInDays": 42,
        },
        MagneticStoreWriteProperties=magnetic,
        Schema=schema,
    )["Table"]
    assert table["RetentionProperties"] == {
        "MemoryStoreRetentionPeriodInHours": 7,
        "MagneticStoreRetentionPeriodInDays": 42,
    }
    # Exactly as sent: no defaults filled into the nested structures.
    assert table["MagneticStoreWriteProperties"] == magnetic
    assert table["Schema"] == schema


def test_dimension_key_without_enforcement_is_echoed_without_it(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    schema = {"CompositePartitionKey": [{"Type": "DIMENSION", "Name": "host"}]}
    table = client.create_table(DatabaseName="db1", TableName="cpu", Schema=schema)["Table"]
    assert table["Schema"] == schema


def test_same_table_name_in_two_databases(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    client.create_database(DatabaseName="db2")
    first = client.create_table(DatabaseName="db1", TableName="cpu")["Table"]
    second = client.create_table(DatabaseName="db2", TableName="cpu")["Table"]
    assert first["Arn"] != second["Arn"]


def test_duplicate_table_is_a_conflict(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="cpu")
    service_error(
        client.create_table,
        "ConflictException",
        409,
        "The table cpu already exists.",
        DatabaseName="db1",
        TableName="cpu",
    )


def test_create_table_in_unknown_database(client: Any) -> None:
    # Existence comes before the request's own rules (§3.6): an invalid schema
    # for a missing database is still "not found".
    service_error(
        client.create_table,
        "ResourceNotFoundException",
        404,
        "The database nothing does not exist.",
        DatabaseName="nothing",
        TableName="cpu",
        Schema={"CompositePartitionKey": [{"Type": "DIMENSION"}]},
    )


def test_table_quota(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_TABLES", 2)
    client.create_database(DatabaseName="db1")
    client.create_database(DatabaseName="db2")
    client.create_table(DatabaseName="db1", TableName="tb1")
    client.create_table(DatabaseName="db2", TableName="tb1")
    service_error(
        client.create_table,
        "ServiceQuotaExceededException",
        402,
        "You have reached the maximum number of tables.",
        DatabaseName="db2",
        TableName="tb2",
    )


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"CompositePartitionKey": [{"Type": "MEASURE"}, {"Type": "DIMENSION", "Name": "a"}]},
            "You have specified too many partition keys to be used in your composite "
            "partition key. Only 1 partition keys can be specified.",
        ),
        (
            {"CompositePartitionKey": [{"Type": "DIMENSION"}]},
            "A partition key of type DIMENSION must specify a Name.",
        ),
        (
            {"CompositePartitionKey": [{"Type": "MEASURE", "Name": "host"}]},
            "A partition key of type MEASURE cannot specify a Name or EnforcementInRecord.",
        ),
        (
            {"CompositePartitionKey": [{"Type": "MEASURE", "EnforcementInRecord": "REQUIRED"}]},
            "A partition key of type MEASURE cannot specify a Name or EnforcementInRecord.",
        ),
    ],
)
def test_schema_rules(client: Any, schema: dict[str, Any], message: str) -> None:
    client.create_database(DatabaseName="db1")
    service_error(
        client.create_table,
        "ValidationException",
        400,
        message,
        DatabaseName="db1",
        TableName="cpu",
        Schema=schema,
    )


def test_an_empty_schema_keeps_the_default_partitioning(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    table = client.create_table(DatabaseName="db1", TableName="cpu", Schema={})["Table"]
    assert table["Schema"] == {"CompositePartitionKey": [{"Type": "MEASURE"}]}


def test_sse_kms_rejected_data_location_needs_a_key(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    location = {"S3Configuration": {"BucketName": "bucket", "EncryptionOption": "SSE_KMS"}}
    response = error_of(
        client.create_table,
        DatabaseName="db1",
        TableName="cpu",
        MagneticStoreWriteProperties={
            "EnableMagneticStoreWrites": True,
            "MagneticStoreRejectedDataLocation": location,
        },
    )
    assert_error(
        response,
        "ValidationException",
        400,
        "KmsKeyId must be specified in MagneticStoreRejectedDataLocation when "
        "EncryptionOption is SSE_KMS.",
    )


@pytest.mark.parametrize(
    ("retention", "message"),
    [
        (
            {"MemoryStoreRetentionPeriodInHours": 8767, "MagneticStoreRetentionPeriodInDays": 1},
            "1 validation error detected: Value '8767' at "
            "'retentionProperties.memoryStoreRetentionPeriodInHours' failed to satisfy "
            "constraint: Member must have value less than or equal to 8766",
        ),
        (
            {"MemoryStoreRetentionPeriodInHours": 1, "MagneticStoreRetentionPeriodInDays": 73001},
            "1 validation error detected: Value '73001' at "
            "'retentionProperties.magneticStoreRetentionPeriodInDays' failed to satisfy "
            "constraint: Member must have value less than or equal to 73000",
        ),
    ],
)
def test_retention_upper_bounds_are_checked_by_the_service(
    client: Any, retention: dict[str, int], message: str
) -> None:
    # boto3 checks only minimums (§1.5): the maximum is the service's to refuse.
    client.create_database(DatabaseName="db1")
    response = error_of(
        client.create_table, DatabaseName="db1", TableName="cpu", RetentionProperties=retention
    )
    assert_error(response, "ValidationException", 400, message)


def test_retention_bounds_are_inclusive(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    retention = {"MemoryStoreRetentionPeriodInHours": 8766, "MagneticStoreRetentionPeriodInDays": 1}
    table = client.create_table(DatabaseName="db1", TableName="cpu", RetentionProperties=retention)[
        "Table"
    ]
    assert table["RetentionProperties"] == retention


def test_s3_names_of_the_rejected_data_location_are_checked(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    response = error_of(
        client.create_table,
        DatabaseName="db1",
        TableName="cpu",
        MagneticStoreWriteProperties={
            "EnableMagneticStoreWrites": True,
            "MagneticStoreRejectedDataLocation": {"S3Configuration": {"BucketName": "Bad_Bucket"}},
        },
    )
    assert_error(
        response,
        "ValidationException",
        400,
        "1 validation error detected: Value 'Bad_Bucket' at "
        "'magneticStoreWriteProperties.magneticStoreRejectedDataLocation.s3Configuration."
        "bucketName' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: [a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9]",
    )


# --- DescribeTable / DeleteTable / ListTables (§5.7, §5.8, §5.10) --------------------


def test_describe_table_not_found_messages(client: Any) -> None:
    service_error(
        client.describe_table,
        "ResourceNotFoundException",
        404,
        "The database nothing does not exist.",
        DatabaseName="nothing",
        TableName="cpu",
    )
    client.create_database(DatabaseName="db1")
    service_error(
        client.describe_table,
        "ResourceNotFoundException",
        404,
        "The table cpu does not exist.",
        DatabaseName="db1",
        TableName="cpu",
    )


def test_delete_table(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="cpu")
    response = client.delete_table(DatabaseName="db1", TableName="cpu")
    assert set(response) == {"ResponseMetadata"}
    for call in (client.describe_table, client.delete_table):
        service_error(
            call,
            "ResourceNotFoundException",
            404,
            "The table cpu does not exist.",
            DatabaseName="db1",
            TableName="cpu",
        )
    service_error(
        client.delete_table,
        "ResourceNotFoundException",
        404,
        "The database nothing does not exist.",
        DatabaseName="nothing",
        TableName="cpu",
    )


def test_a_recreated_table_starts_afresh(client: Any) -> None:
    client.create_database(DatabaseName="db1")
    client.create_table(
        DatabaseName="db1",
        TableName="cpu",
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 1,
            "MagneticStoreRetentionPeriodInDays": 1,
        },
        Tags=[{"Key": "team", "Value": "a"}],
    )
    client.delete_table(DatabaseName="db1", TableName="cpu")
    table = client.create_table(DatabaseName="db1", TableName="cpu")["Table"]
    assert table["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 6
    assert client.list_tags_for_resource(ResourceARN=table["Arn"])["Tags"] == []


def test_list_tables_of_one_database_and_of_all(client: Any) -> None:
    for database in ("db2", "db1"):
        client.create_database(DatabaseName=database)
    for database, table in (("db2", "aaa"), ("db1", "zzz"), ("db1", "mmm")):
        client.create_table(DatabaseName=database, TableName=table)
    everything = client.list_tables()["Tables"]
    assert [(t["DatabaseName"], t["TableName"]) for t in everything] == [
        ("db1", "mmm"),
        ("db1", "zzz"),
        ("db2", "aaa"),
    ]
    # Full table objects, as DescribeTable shows them.
    assert everything[0] == client.describe_table(DatabaseName="db1", TableName="mmm")["Table"]
    only_db2 = client.list_tables(DatabaseName="db2")
    assert [t["TableName"] for t in only_db2["Tables"]] == ["aaa"]
    assert "NextToken" not in only_db2
    client.create_database(DatabaseName="empty")
    assert client.list_tables(DatabaseName="empty")["Tables"] == []


def test_list_tables_of_unknown_database(client: Any) -> None:
    service_error(
        client.list_tables,
        "ResourceNotFoundException",
        404,
        "The database nothing does not exist.",
        DatabaseName="nothing",
    )


# --- UpdateTable (§5.9, §7.3) --------------------------------------------------------


def _create_table(client: Any, **extra: Any) -> dict[str, Any]:
    client.create_database(DatabaseName="db1")
    return client.create_table(DatabaseName="db1", TableName="cpu", **extra)["Table"]  # type: ignore[no-any-return]


def _retention(hours: int, days: int) -> dict[str, int]:
    return {"MemoryStoreRetentionPeriodInHours": hours, "MagneticStoreRetentionPeriodInDays": days}


def test_update_table_retention_moves_last_updated_time(client: Any) -> None:
    with freeze_time(T0) as frozen:
        created = _create_table(client)
        frozen.tick(timedelta(minutes=10))
        updated = client.update_table(
            DatabaseName="db1", TableName="cpu", RetentionProperties=_retention(12, 30)
        )["Table"]
    assert updated["RetentionProperties"] == _retention(12, 30)
    assert updated["CreationTime"] == created["CreationTime"] == T0
    assert updated["LastUpdatedTime"] == T0 + timedelta(minutes=10)
    # Omitted structures keep their values.
    assert updated["MagneticStoreWriteProperties"] == created["MagneticStoreWriteProperties"]
    assert updated["Schema"] == created["Schema"]
    assert client.describe_table(DatabaseName="db1", TableName="cpu")["Table"] == updated


def test_update_table_time_moves_with_a_ticking_clock(client: Any) -> None:
    with freeze_time(T0, tick=True) as frozen:
        created = _create_table(client)
        frozen.move_to(T0 + timedelta(minutes=10))
        updated = client.update_table(
            DatabaseName="db1",
            TableName="cpu",
            MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
        )["Table"]
    assert created["CreationTime"] == created["LastUpdatedTime"]
    assert T0 <= created["LastUpdatedTime"] < T0 + timedelta(minutes=1)
    assert T0 + timedelta(minutes=10) <= updated["LastUpdatedTime"] < T0 + timedelta(minutes=11)
    assert updated["CreationTime"] == created["CreationTime"]


def test_memory_retention_increase_sets_the_window_floor(ts: Any, client: Any) -> None:
    with freeze_time(T0) as frozen:
        _create_table(client, RetentionProperties=_retention(2, 10))
        table = ts.backend().databases["db1"].tables["cpu"]
        assert table.memory_window_floor_ns is None
        frozen.tick(timedelta(hours=1))
        change_ns = int((T0 + timedelta(hours=1)).timestamp()) * 10**9
        client.update_table(
            DatabaseName="db1", TableName="cpu", RetentionProperties=_retention(24, 10)
        )
        # §7.3: the memory store holds only what the old 2 h window held at the change.
        floor = change_ns - 2 * HOUR_NS
        assert table.memory_window_floor_ns == floor
        # A decrease applies at once (§7.3): the window is now − 12 h, no floor.
        frozen.tick(timedelta(hours=1))
        client.update_table(
            DatabaseName="db1", TableName="cpu", RetentionProperties=_retention(12, 10)
        )
        assert table.memory_window_floor_ns is None
        # A second increase: the floor is the lower bound of the window in force
        # at that moment.
        frozen.tick(timedelta(hours=20))
        client.update_table(
            DatabaseName="db1", TableName="cpu", RetentionProperties=_retention(48, 10)
        )
        now_ns = int((T0 + timedelta(hours=22)).timestamp()) * 10**9
        assert table.memory_window_floor_ns == now_ns - 12 * HOUR_NS
        # A further increase while the floor still binds keeps the later bound.
        frozen.tick(timedelta(hours=1))
        client.update_table(
            DatabaseName="db1", TableName="cpu", RetentionProperties=_retention(72, 10)
        )
        assert table.memory_window_floor_ns == now_ns - 12 * HOUR_NS
        # Changing only the magnetic retention leaves the floor alone.
        client.update_table(
            DatabaseName="db1", TableName="cpu", RetentionProperties=_retention(72, 20)
        )
        assert table.memory_window_floor_ns == now_ns - 12 * HOUR_NS


def test_update_table_replaces_magnetic_properties_as_a_whole(client: Any) -> None:
    _create_table(
        client,
        MagneticStoreWriteProperties={
            "EnableMagneticStoreWrites": True,
            "MagneticStoreRejectedDataLocation": {"S3Configuration": {"BucketName": "bucket"}},
        },
    )
    updated = client.update_table(
        DatabaseName="db1",
        TableName="cpu",
        MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
    )["Table"]
    assert updated["MagneticStoreWriteProperties"] == {"EnableMagneticStoreWrites": True}
    assert updated["RetentionProperties"] == _retention(6, 73000)


def test_update_table_changes_only_the_enforcement_of_the_partition_key(client: Any) -> None:
    _create_table(
        client,
        Schema={
            "CompositePartitionKey": [
                {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "OPTIONAL"}
            ]
        },
    )
    required = {
        "CompositePartitionKey": [
            {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "REQUIRED"}
        ]
    }
    updated = client.update_table(DatabaseName="db1", TableName="cpu", Schema=required)["Table"]
    assert updated["Schema"] == required
    for schema in (
        {"CompositePartitionKey": [{"Type": "DIMENSION", "Name": "region"}]},
        {"CompositePartitionKey": [{"Type": "MEASURE"}]},
    ):
        service_error(
            client.update_table,
            "ValidationException",
            400,
            "The composite partition key of a table cannot be changed.",
            DatabaseName="db1",
            TableName="cpu",
            Schema=schema,
        )
    assert client.describe_table(DatabaseName="db1", TableName="cpu")["Table"]["Schema"] == required


def test_update_table_keeps_the_default_measure_key(client: Any) -> None:
    _create_table(client)
    updated = client.update_table(
        DatabaseName="db1", TableName="cpu", Schema={"CompositePartitionKey": [{"Type": "MEASURE"}]}
    )["Table"]
    assert updated["Schema"] == {"CompositePartitionKey": [{"Type": "MEASURE"}]}
    service_error(
        client.update_table,
        "ValidationException",
        400,
        "The composite partition key of a table cannot be changed.",
        DatabaseName="db1",
        TableName="cpu",
        Schema={"CompositePartitionKey": [{"Type": "DIMENSION", "Name": "host"}]},
    )


def test_update_table_with_nothing_to_update(client: Any) -> None:
    _create_table(client)
    service_error(
        client.update_table,
        "ValidationException",
        400,
        "At least one of RetentionProperties, MagneticStoreWriteProperties or Schema must be "
        "specified.",
        DatabaseName="db1",
        TableName="cpu",
    )


def test_update_table_not_found_database_first(client: Any) -> None:
    service_error(
        client.update_table,
        "ResourceNotFoundException",
        404,
        "The database nothing does not exist.",
        DatabaseName="nothing",
        TableName="cpu",
        RetentionProperties=_retention(1, 1),
    )
    client.create_database(DatabaseName="db1")
    service_error(
        client.update_table,
        "ResourceNotFoundException",
        404,
        "The table cpu does not exist.",
        DatabaseName="db1",
        TableName="cpu",
        RetentionProperties=_retention(1, 1),
    )


def test_update_table_refuses_out_of_range_retention_unchanged(client: Any) -> None:
    _create_table(client)
    response = error_of(
        client.update_table,
        DatabaseName="db1",
        TableName="cpu",
        RetentionProperties=_retention(9000, 1),
    )
    assert response["Error"]["Code"] == "ValidationException"
    assert "Member must have value less than or equal to 8766" in response["Error"]["Message"]
    table = client.describe_table(DatabaseName="db1", TableName="cpu")["Table"]
    assert table["RetentionProperties"] == _retention(6, 73000)


# --- Accounts and regions ----------------------------------------------------------


def test_regions_are_isolated(ts: Any) -> None:
    east = boto3.client("timestream-write", region_name="us-east-1")
    west = boto3.client("timestream-write", region_name="eu-west-1")
    east.create_database(DatabaseName="db1")
    assert west.list_databases()["Databases"] == []
    service_error(
        west.describe_database,
        "ResourceNotFoundException",
        404,
        "The database db1 does not exist.",
        DatabaseName="db1",
    )
    west_db = west.create_database(DatabaseName="db1")["Database"]
    assert west_db["Arn"] == f"arn:aws:timestream:eu-west-1:{ACCOUNT}:database/db1"
    assert list(ts.backend("eu-west-1").databases) == ["db1"]
    assert list(ts.backend().databases) == ["db1"]


def test_account_id_of_the_mock() -> None:
    with mock_timestream_write(account_id="111122223333") as ts:
        client = boto3.client("timestream-write", region_name="us-east-1")
        database = client.create_database(DatabaseName="db1")["Database"]
        assert database["Arn"] == "arn:aws:timestream:us-east-1:111122223333:database/db1"
        assert database["KmsKeyId"].startswith("arn:aws:kms:us-east-1:111122223333:key/")
        assert list(ts.backend().databases) == ["db1"]
        assert ts.backend(account_id="111122223333") is ts.backend()
        assert ts.backend(account_id=ACCOUNT).databases == {}
