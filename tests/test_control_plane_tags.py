"""TagResource, UntagResource and ListTagsForResource (reference §5.16-§5.18, §11)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
DB_ARN = f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/db1"
TABLE_ARN = f"{DB_ARN}/table/cpu"


@pytest.fixture
def client(ts: Any) -> Any:
    client = boto3.client("timestream-write", region_name="us-east-1")
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="cpu")
    return client


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response  # type: ignore[no-any-return]


def assert_error(response: dict[str, Any], code: str, status: int, message: str) -> None:
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in pairs.items()]


def listed(client: Any, arn: str) -> dict[str, str]:
    return {
        tag["Key"]: tag["Value"] for tag in client.list_tags_for_resource(ResourceARN=arn)["Tags"]
    }


@pytest.mark.parametrize("arn", [DB_ARN, TABLE_ARN])
def test_tag_untag_flow(client: Any, arn: str) -> None:
    # The flow of the real service (§5.18): k1 at creation, k2+k3 added, k2 removed.
    client.tag_resource(ResourceARN=arn, Tags=tags(k1="v1"))
    response = client.tag_resource(ResourceARN=arn, Tags=tags(k2="v2", k3="v3"))
    assert set(response) == {"ResponseMetadata"}
    assert listed(client, arn) == {"k1": "v1", "k2": "v2", "k3": "v3"}
    response = client.untag_resource(ResourceARN=arn, TagKeys=["k2", "not-there"])
    assert set(response) == {"ResponseMetadata"}
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == tags(k1="v1", k3="v3")


def test_a_resource_without_tags_lists_an_empty_list(client: Any) -> None:
    assert client.list_tags_for_resource(ResourceARN=DB_ARN)["Tags"] == []
    assert client.list_tags_for_resource(ResourceARN=TABLE_ARN)["Tags"] == []


def test_tags_given_at_creation(ts: Any) -> None:
    client = boto3.client("timestream-write", region_name="us-east-1")
    client.create_database(DatabaseName="db1", Tags=tags(team="a", env="dev"))
    client.create_table(DatabaseName="db1", TableName="cpu", Tags=tags(owner="me"))
    assert listed(client, DB_ARN) == {"team": "a", "env": "dev"}
    assert listed(client, TABLE_ARN) == {"owner": "me"}


def test_database_and_table_tags_are_separate(client: Any) -> None:
    client.tag_resource(ResourceARN=DB_ARN, Tags=tags(level="database"))
    client.tag_resource(ResourceARN=TABLE_ARN, Tags=tags(level="table"))
    assert listed(client, DB_ARN) == {"level": "database"}
    assert listed(client, TABLE_ARN) == {"level": "table"}


def test_an_existing_key_gets_the_new_value_and_keys_are_case_sensitive(client: Any) -> None:
    client.tag_resource(ResourceARN=DB_ARN, Tags=tags(env="dev"))
    client.tag_resource(ResourceARN=DB_ARN, Tags=tags(env="prod", Env="other"))
    assert listed(client, DB_ARN) == {"env": "prod", "Env": "other"}


def test_tags_disappear_with_the_resource(client: Any) -> None:
    client.tag_resource(ResourceARN=DB_ARN, Tags=tags(a="1"))
    client.tag_resource(ResourceARN=TABLE_ARN, Tags=tags(b="2"))
    client.delete_table(DatabaseName="db1", TableName="cpu")
    client.delete_database(DatabaseName="db1")
    client.create_database(DatabaseName="db1")
    client.create_table(DatabaseName="db1", TableName="cpu")
    assert listed(client, DB_ARN) == {}
    assert listed(client, TABLE_ARN) == {}


def test_empty_values_and_the_allowed_characters(client: Any) -> None:
    allowed = tags(**{"a b+c-d=e.f_g:h/i": "", "ünïcödé7": "Wert mit Leerzeichen +-=._:/"})
    client.tag_resource(ResourceARN=DB_ARN, Tags=allowed)
    assert client.list_tags_for_resource(ResourceARN=DB_ARN)["Tags"] == allowed


# --- limits --------------------------------------------------------------------------


def test_fifty_tags_per_resource(client: Any) -> None:
    fifty = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    client.tag_resource(ResourceARN=TABLE_ARN, Tags=fifty)
    # Overwriting existing keys stays within the limit.
    client.tag_resource(ResourceARN=TABLE_ARN, Tags=[{"Key": "k0", "Value": "new"}])
    response = error_of(
        client.tag_resource, ResourceARN=TABLE_ARN, Tags=[{"Key": "k50", "Value": "v"}]
    )
    assert_error(
        response,
        "ServiceQuotaExceededException",
        402,
        f"The resource {TABLE_ARN} cannot have more than 50 tags.",
    )
    assert len(listed(client, TABLE_ARN)) == 50
    assert listed(client, TABLE_ARN)["k0"] == "new"


def test_more_than_fifty_tags_at_creation(ts: Any) -> None:
    client = boto3.client("timestream-write", region_name="us-east-1")
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    response = error_of(client.create_database, DatabaseName="db1", Tags=many)
    assert_error(
        response,
        "ServiceQuotaExceededException",
        402,
        f"The resource {DB_ARN} cannot have more than 50 tags.",
    )
    assert client.list_databases()["Databases"] == []
    client.create_database(DatabaseName="db1")
    response = error_of(client.create_table, DatabaseName="db1", TableName="cpu", Tags=many)
    assert response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert client.list_tables()["Tables"] == []


def test_more_than_two_hundred_tags_in_one_request_is_a_shape_error(client: Any) -> None:
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(201)]
    response = error_of(client.tag_resource, ResourceARN=DB_ARN, Tags=many)
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"].startswith("1 validation error detected: Value '[")
    assert response["Error"]["Message"].endswith(
        "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200"
    )


def test_key_and_value_lengths(client: Any) -> None:
    response = error_of(
        client.tag_resource,
        ResourceARN=DB_ARN,
        Tags=[{"Key": "k" * 129, "Value": "v" * 257}],
    )
    assert_error(
        response,
        "ValidationException",
        400,
        f"2 validation errors detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to "
        "satisfy constraint: Member must have length less than or equal to 128; "
        f"Value '{'v' * 257}' at 'tags.1.member.value' failed to satisfy constraint: "
        "Member must have length less than or equal to 256",
    )
    client.tag_resource(ResourceARN=DB_ARN, Tags=[{"Key": "k" * 128, "Value": "v" * 256}])


# --- tag rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ({"Key": "aws:owner", "Value": "x"}, "Tag keys starting with 'aws:' are reserved."),
        ({"Key": "AWS:owner", "Value": "x"}, "Tag keys starting with 'aws:' are reserved."),
        ({"Key": "owner", "Value": "aws:x"}, "Tag values starting with 'aws:' are reserved."),
        (
            {"Key": "bad*key", "Value": "x"},
            "Invalid tag key bad*key: tag keys may contain only letters, digits, white space "
            "and the characters + - = . _ : /",
        ),
        (
            {"Key": "key", "Value": "bad;value"},
            "Invalid tag value bad;value: tag values may contain only letters, digits, white "
            "space and the characters + - = . _ : /",
        ),
    ],
)
def test_tag_rules(client: Any, tag: dict[str, str], message: str) -> None:
    response = error_of(client.tag_resource, ResourceARN=DB_ARN, Tags=[tag])
    assert_error(response, "ValidationException", 400, message)
    assert response["Message"] == message
    response = error_of(client.create_table, DatabaseName="db1", TableName="other", Tags=[tag])
    assert_error(response, "ValidationException", 400, message)
    assert listed(client, DB_ARN) == {}


def test_duplicate_keys_in_one_request(client: Any) -> None:
    response = error_of(
        client.tag_resource,
        ResourceARN=DB_ARN,
        Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}],
    )
    assert_error(response, "ValidationException", 400, "Duplicate tag key: k.")


def test_reserved_keys_cannot_be_removed(client: Any) -> None:
    response = error_of(client.untag_resource, ResourceARN=DB_ARN, TagKeys=["aws:cloudformation"])
    assert_error(
        response, "ValidationException", 400, "Tag keys starting with 'aws:' are reserved."
    )


# --- which resource ------------------------------------------------------------------


@pytest.mark.parametrize(
    "arn",
    [
        "not-an-arn",
        "arn:aws:timestream:us-east-1:123456789012:table/cpu",
        "arn:aws:timestream:us-east-1:1234:database/db1",
        "arn:aws:s3:us-east-1:123456789012:database/db1",
        f"{DB_ARN}/table/",
        f"{DB_ARN}/",
        f"{DB_ARN}/table/cpu/extra",
    ],
)
def test_malformed_arn(client: Any, arn: str) -> None:
    for call, extra in (
        (client.tag_resource, {"Tags": tags(a="b")}),
        (client.untag_resource, {"TagKeys": ["a"]}),
        (client.list_tags_for_resource, {}),
    ):
        response = error_of(call, ResourceARN=arn, **extra)
        assert_error(response, "ValidationException", 400, f"Invalid resource ARN: {arn}")


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:timestream:eu-west-1:{ACCOUNT}:database/db1",
        "arn:aws:timestream:us-east-1:111122223333:database/db1",
        f"arn:aws:timestream:eu-west-1:{ACCOUNT}:database/db1/table/cpu",
        f"arn:aws-cn:timestream:us-east-1:{ACCOUNT}:database/db1",
    ],
)
def test_arn_of_another_region_account_or_partition_names_nothing_here(
    client: Any, arn: str
) -> None:
    for call, extra in (
        (client.tag_resource, {"Tags": tags(a="b")}),
        (client.untag_resource, {"TagKeys": ["a"]}),
        (client.list_tags_for_resource, {}),
    ):
        response = error_of(call, ResourceARN=arn, **extra)
        assert_error(response, "ResourceNotFoundException", 404, "The database db1 does not exist.")


def test_arn_of_missing_resources(client: Any) -> None:
    missing_db = f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/nothing"
    response = error_of(client.list_tags_for_resource, ResourceARN=missing_db)
    assert_error(response, "ResourceNotFoundException", 404, "The database nothing does not exist.")
    response = error_of(client.list_tags_for_resource, ResourceARN=f"{missing_db}/table/cpu")
    assert_error(response, "ResourceNotFoundException", 404, "The database nothing does not exist.")
    response = error_of(client.list_tags_for_resource, ResourceARN=f"{DB_ARN}/table/nothing")
    assert_error(response, "ResourceNotFoundException", 404, "The table nothing does not exist.")


def test_existence_is_checked_before_the_tags(client: Any) -> None:
    # §3.6: resource existence before the request's own rules.
    response = error_of(
        client.tag_resource,
        ResourceARN=f"{DB_ARN}/table/nothing",
        Tags=[{"Key": "aws:reserved", "Value": "x"}],
    )
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    response = error_of(
        client.untag_resource, ResourceARN=f"{DB_ARN}/table/nothing", TagKeys=["aws:reserved"]
    )
    assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_china_partition_arns(ts: Any) -> None:
    client = boto3.client("timestream-write", region_name="cn-north-1")
    arn = client.create_database(DatabaseName="db1")["Database"]["Arn"]
    assert arn.startswith("arn:aws-cn:")
    client.tag_resource(ResourceARN=arn, Tags=tags(a="1"))
    assert listed(client, arn) == {"a": "1"}
    response = error_of(
        client.list_tags_for_resource, ResourceARN=arn.replace("arn:aws-cn:", "arn:aws:")
    )
    assert response["Error"]["Code"] == "ResourceNotFoundException"
