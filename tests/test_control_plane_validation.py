"""Server-side shape checks (reference §1.4, §1.5, §3.1, §3.6).

The service checks every constraint of the model and of the API Reference
itself, whether or not the client did: these tests use a client made with
``parameter_validation=False`` (what a raw HTTP caller or another SDK sends)
and expect the Coral-format ValidationException, with its lowercase
``message`` body key (so botocore fills no top-level ``Message``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from raw_http import post

from tsmock import dispatch, mock_timestream_write
from tsmock.state import MockState

PREFIX = "1 validation error detected: "


@pytest.fixture
def raw(ts: Any) -> Any:
    client = boto3.client(
        "timestream-write", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="cpu")
    return client


def framework_error(call: Callable[..., Any], message: str, **kwargs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Message" not in response


def one(value: str, path: str, phrase: str) -> str:
    return f"{PREFIX}Value {value} at '{path}' failed to satisfy constraint: {phrase}"


@pytest.mark.parametrize("name", ["", "a", "ab", "x" * 257])
@pytest.mark.parametrize(
    ("operation", "member", "path", "extra"),
    [
        ("describe_database", "DatabaseName", "databaseName", {}),
        ("delete_database", "DatabaseName", "databaseName", {}),
        ("update_database", "DatabaseName", "databaseName", {"KmsKeyId": "alias/k"}),
        ("list_tables", "DatabaseName", "databaseName", {}),
        ("describe_table", "TableName", "tableName", {"DatabaseName": "db1"}),
        ("delete_table", "TableName", "tableName", {"DatabaseName": "db1"}),
        ("describe_table", "DatabaseName", "databaseName", {"TableName": "cpu"}),
    ],
)
def test_name_lengths_everywhere(
    raw: Any, operation: str, member: str, path: str, extra: dict[str, Any], name: str
) -> None:
    # §3.1: 3-256 characters on every operation, the pattern only on creates.
    phrase = (
        "Member must have length less than or equal to 256"
        if len(name) > 256
        else "Member must have length greater than or equal to 3"
    )
    framework_error(
        getattr(raw, operation), one(f"'{name}'", path, phrase), **{member: name}, **extra
    )


def test_boto3_itself_sends_short_names(ts: Any) -> None:
    # The model has no minimum on names (§1.5), so even a validating client
    # reaches the service, which refuses.
    client = boto3.client("timestream-write", region_name="us-east-1")
    with pytest.raises(ClientError) as caught:
        client.describe_database(DatabaseName="")
    assert caught.value.response["Error"]["Message"] == one(
        "''", "databaseName", "Member must have length greater than or equal to 3"
    )


def test_an_empty_name_on_create_breaks_length_and_pattern(raw: Any) -> None:
    framework_error(
        raw.create_database,
        "2 validation errors detected: Value '' at 'databaseName' failed to satisfy "
        "constraint: Member must have length greater than or equal to 3; Value '' at "
        "'databaseName' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [a-zA-Z0-9_.-]+",
        DatabaseName="",
    )


def test_create_table_names(raw: Any) -> None:
    framework_error(
        raw.create_table,
        "2 validation errors detected: Value 'db 1' at 'databaseName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length "
        "greater than or equal to 3",
        DatabaseName="db 1",
        TableName="ab",
    )


@pytest.mark.parametrize(
    ("operation", "kwargs", "path"),
    [
        ("create_database", {}, "databaseName"),
        ("describe_database", {}, "databaseName"),
        ("update_database", {"DatabaseName": "db1"}, "kmsKeyId"),
        ("create_table", {"DatabaseName": "db1"}, "tableName"),
        ("describe_table", {"TableName": "cpu"}, "databaseName"),
        ("tag_resource", {"Tags": []}, "resourceARN"),
        ("untag_resource", {"ResourceARN": "arn"}, "tagKeys"),
        ("list_tags_for_resource", {}, "resourceARN"),
    ],
)
def test_missing_required_members(
    raw: Any, operation: str, kwargs: dict[str, Any], path: str
) -> None:
    framework_error(getattr(raw, operation), one("null", path, "Member must not be null"), **kwargs)


def test_every_violation_in_one_message(raw: Any) -> None:
    framework_error(
        raw.create_table,
        "3 validation errors detected: Value null at 'tableName' failed to satisfy "
        "constraint: Member must not be null; Value '0' at "
        "'retentionProperties.memoryStoreRetentionPeriodInHours' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1; Value null at "
        "'retentionProperties.magneticStoreRetentionPeriodInDays' failed to satisfy "
        "constraint: Member must not be null",
        DatabaseName="db1",
        RetentionProperties={"MemoryStoreRetentionPeriodInHours": 0},
    )


@pytest.mark.parametrize(
    ("operation", "kwargs", "message"),
    [
        (
            "list_databases",
            {"MaxResults": "5"},
            one("'5'", "maxResults", "Member must be of type integer"),
        ),
        (
            "list_databases",
            {"MaxResults": True},
            one("'true'", "maxResults", "Member must be of type integer"),
        ),
        (
            "list_databases",
            {"MaxResults": 2.5},
            one("'2.5'", "maxResults", "Member must be of type integer"),
        ),
        (
            "list_databases",
            {"NextToken": 5},
            one("'5'", "nextToken", "Member must be of type string"),
        ),
        (
            "describe_database",
            {"DatabaseName": 12345},
            one("'12345'", "databaseName", "Member must be of type string"),
        ),
        (
            "create_table",
            {
                "DatabaseName": "db1",
                "TableName": "tb2",
                "MagneticStoreWriteProperties": {"EnableMagneticStoreWrites": "yes"},
            },
            one(
                "'yes'",
                "magneticStoreWriteProperties.enableMagneticStoreWrites",
                "Member must be of type boolean",
            ),
        ),
        (
            "create_table",
            {"DatabaseName": "db1", "TableName": "tb2", "Schema": {"CompositePartitionKey": []}},
            one(
                "'[]'",
                "schema.compositePartitionKey",
                "Member must have length greater than or equal to 1",
            ),
        ),
        (
            "create_table",
            {
                "DatabaseName": "db1",
                "TableName": "tb2",
                "Schema": {"CompositePartitionKey": [{"Type": "COLUMN"}]},
            },
            one(
                "'COLUMN'",
                "schema.compositePartitionKey.1.member.type",
                "Member must satisfy enum value set: [DIMENSION, MEASURE]",
            ),
        ),
        (
            "create_database",
            {"DatabaseName": "db2", "Tags": [{"Key": "", "Value": "v"}]},
            one("''", "tags.1.member.key", "Member must have length greater than or equal to 1"),
        ),
        (
            "create_database",
            {"DatabaseName": "db2", "KmsKeyId": ""},
            one("''", "kmsKeyId", "Member must have length greater than or equal to 1"),
        ),
        (
            "untag_resource",
            {"ResourceARN": "arn", "TagKeys": ["ok", ""]},
            one("''", "tagKeys.2.member", "Member must have length greater than or equal to 1"),
        ),
        (
            "tag_resource",
            {"ResourceARN": "", "Tags": []},
            one("''", "resourceARN", "Member must have length greater than or equal to 1"),
        ),
    ],
)
def test_types_ranges_enums_and_minimums(
    raw: Any, operation: str, kwargs: dict[str, Any], message: str
) -> None:
    framework_error(getattr(raw, operation), message, **kwargs)


def test_shape_errors_come_before_existence(raw: Any) -> None:
    # §3.6: framework validation first, even when nothing named exists.
    framework_error(
        raw.update_table,
        one(
            "'0'",
            "retentionProperties.magneticStoreRetentionPeriodInDays",
            "Member must have value greater than or equal to 1",
        ),
        DatabaseName="nothing",
        TableName="nothing",
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 1,
            "MagneticStoreRetentionPeriodInDays": 0,
        },
    )


def test_invalid_requests_change_nothing_and_are_logged(ts: Any, raw: Any) -> None:
    before = len(ts.calls)
    with pytest.raises(ClientError):
        raw.create_database(DatabaseName="")
    assert [d["DatabaseName"] for d in raw.list_databases()["Databases"]] == ["db1"]
    refused = ts.calls[before]
    assert refused.operation == "CreateDatabase"
    assert refused.error_code == "ValidationException"
    assert refused.params == {"DatabaseName": ""}


# --- requests that are not even JSON (a raw HTTP caller) ------------------------------


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', b"\xff\xfe", "[" * 100_000])
def test_bodies_that_are_not_a_json_object(body: str | bytes) -> None:
    with mock_timestream_write():
        response = post("ListDatabases", body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["__type"] == "com.amazon.coral.validate#ValidationException"
    assert payload["message"].startswith(PREFIX)


def test_an_empty_body_is_an_empty_input() -> None:
    with mock_timestream_write():
        response = post("ListDatabases", "")
    assert response.status_code == 200
    assert response.json() == {"Databases": []}


def test_unknown_members_are_ignored_and_null_is_absent() -> None:
    with mock_timestream_write():
        response = post(
            "CreateDatabase",
            json.dumps({"DatabaseName": "db1", "Unknown": 1, "KmsKeyId": None, "Tags": None}),
        )
    assert response.status_code == 200
    assert response.json()["Database"]["DatabaseName"] == "db1"


def test_deeply_nested_members_are_a_validation_error() -> None:
    deep = "[" * 5000 + '"leaf"' + "]" * 5000
    body = '{"DatabaseName": "db1", "TableName": "cpu", "Schema": ' + deep + "}"
    with mock_timestream_write():
        response = post("CreateTable", body)
    assert response.status_code == 400
    assert response.json()["__type"] == "com.amazon.coral.validate#ValidationException"


# --- no input makes the mock fail like a broken service ------------------------------

CONTROL_PLANE = [
    "CreateDatabase",
    "DescribeDatabase",
    "UpdateDatabase",
    "DeleteDatabase",
    "ListDatabases",
    "CreateTable",
    "DescribeTable",
    "UpdateTable",
    "DeleteTable",
    "ListTables",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "DescribeEndpoints",
]

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from(["db1", "cpu", "", "ab", "MEASURE", "DIMENSION", "aws:x", "alias/k"])
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Type",
                    "Name",
                    "Key",
                    "Value",
                    "EnableMagneticStoreWrites",
                    "MemoryStoreRetentionPeriodInHours",
                    "MagneticStoreRetentionPeriodInDays",
                    "CompositePartitionKey",
                    "EnforcementInRecord",
                    "S3Configuration",
                    "MagneticStoreRejectedDataLocation",
                ]
            ),
            children,
            max_size=3,
        )
    ),
    max_leaves=8,
)
_members = st.sampled_from(
    [
        "DatabaseName",
        "TableName",
        "KmsKeyId",
        "Tags",
        "TagKeys",
        "ResourceARN",
        "MaxResults",
        "NextToken",
        "RetentionProperties",
        "MagneticStoreWriteProperties",
        "Schema",
    ]
)
_arns = st.sampled_from(
    [
        "arn:aws:timestream:us-east-1:123456789012:database/db1",
        "arn:aws:timestream:us-east-1:123456789012:database/db1/table/cpu",
        "arn:aws:timestream:eu-west-1:123456789012:database/db1",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    operation=st.sampled_from(CONTROL_PLANE),
    params=st.dictionaries(_members, _json | _arns, max_size=5),
)
def test_any_input_gets_a_result_or_a_client_error(operation: str, params: dict[str, Any]) -> None:
    state = MockState()
    backend = state.backend()
    backend.create_database("db1")
    backend.create_table("db1", "cpu")
    headers = {"X-Amz-Target": f"Timestream_20181101.{operation}"}
    response = dispatch.handle(state, "us-east-1", headers, json.dumps(params).encode())
    body = json.loads(response.body)
    if response.status != 200:
        assert response.status < 500, body
        assert body["__type"].split("#")[1] in {
            "ValidationException",
            "ResourceNotFoundException",
            "ConflictException",
            "ServiceQuotaExceededException",
        }, body
