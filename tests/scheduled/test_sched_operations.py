"""CreateScheduledQuery checks, Describe/List/Update/Delete, tags, account settings."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import pytest
from freezegun import freeze_time

from tsmock.backend.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    TimestreamError,
    ValidationException,
)
from tsmock.backend.scheduled import ScheduledQueryBackend

from .fakes import (
    ERROR_REPORTS,
    TOPIC,
    FakeRunner,
    FakeSink,
    FakeStore,
    FakeWriter,
    create_kwargs,
    multi_target,
    utc,
)

AVG = {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"}
TOKEN = "a" * 32


def epoch(*parts: int) -> float:
    return utc(*parts).timestamp()


def raises(error: type[TimestreamError], message: str, call: Any, **kwargs: Any) -> None:
    with pytest.raises(error) as caught:
        call(**kwargs)
    assert type(caught.value) is error
    assert caught.value.message == message


@freeze_time("2026-12-05 15:03:20")
def test_create_and_describe(backend: ScheduledQueryBackend, runner: FakeRunner) -> None:
    query = backend.create_scheduled_query(
        **create_kwargs(target=multi_target([AVG]), kms_key_id="alias/sq")
    )
    assert query.arn.startswith("arn:aws:timestream:us-east-1:123456789012:scheduled-query/hourly-")
    suffix = query.arn.rsplit("-", 1)[1]
    assert len(suffix) == 12 and suffix.isalnum() and suffix == suffix.lower()
    assert runner.validations == [("SELECT rollup", True)]
    description = backend.describe_scheduled_query(query.arn).to_dict()
    assert description == {
        "Arn": query.arn,
        "Name": "hourly",
        "QueryString": "SELECT rollup",
        "CreationTime": epoch(2026, 12, 5, 15, 3, 20),
        "State": "ENABLED",
        "ScheduleConfiguration": {"ScheduleExpression": "rate(1 hour)"},
        "NotificationConfiguration": {"SnsConfiguration": {"TopicArn": TOPIC}},
        "ScheduledQueryExecutionRoleArn": "arn:aws:iam::123456789012:role/sq-role",
        "ErrorReportConfiguration": ERROR_REPORTS,
        "NextInvocationTime": epoch(2026, 12, 5, 16, 3),  # 16:03, the rate anchored at 15:03
        "TargetConfiguration": multi_target([AVG]),
        "KmsKeyId": "alias/sq",
    }


@pytest.mark.parametrize("kms_key_id", ["mykey", "not a key", "k" * 2048])
def test_any_kms_key_id_is_stored_as_given(backend: ScheduledQueryBackend, kms_key_id: str) -> None:
    # The service checks the key itself; no form is documented (docs/operations/
    # create-scheduled-query.md): any 1-2048 character string is echoed.
    query = backend.create_scheduled_query(
        **create_kwargs(target=multi_target([AVG]), kms_key_id=kms_key_id)
    )
    assert backend.describe_scheduled_query(query.arn).to_dict()["KmsKeyId"] == kms_key_id


def test_arn_suffix_follows_the_seeded_random_source(
    runner: FakeRunner, writer: FakeWriter
) -> None:
    def arn() -> str:
        backend = ScheduledQueryBackend(
            runner, writer, FakeStore(), FakeSink(), "1" * 12, "cn-north-1", rng=random.Random(3)
        )
        return backend.create_scheduled_query(**create_kwargs()).arn

    assert arn() == arn()
    assert arn().startswith("arn:aws-cn:timestream:cn-north-1:111111111111:scheduled-query/")


def test_next_invocation_time_follows_the_clock(backend: ScheduledQueryBackend) -> None:
    with freeze_time("2026-12-05 15:03:20"):
        query = backend.create_scheduled_query(**create_kwargs(schedule="cron(0/2 * * * ? *)"))
        assert query.to_dict(datetime.now(timezone.utc))["NextInvocationTime"] == epoch(
            2026, 12, 5, 15, 4
        )
    with freeze_time("2026-12-05 16:00:00"):
        assert backend.describe_scheduled_query(query.arn).to_dict()["NextInvocationTime"] == epoch(
            2026, 12, 5, 16, 2
        )
    backend.update_scheduled_query(query.arn, "DISABLED")
    assert "NextInvocationTime" not in query.to_dict()


def _target_with(**config: Any) -> dict[str, Any]:
    target = multi_target([AVG])
    target["TimestreamConfiguration"].update(config)
    return target


def mixed(*mappings: dict[str, Any], name_column: str | None = "region") -> dict[str, Any]:
    target = multi_target([AVG])
    config = target["TimestreamConfiguration"]
    del config["MultiMeasureMappings"]
    config["MixedMeasureMappings"] = list(mappings)
    config["DimensionMappings"] = []
    if name_column:
        config["MeasureNameColumn"] = name_column
    return target


VALIDATION_CASES = [
    (
        dict(name="bad name"),
        "Invalid scheduled query name 'bad name': names are 1 to 64 "
        "characters, letters, digits and ! - _ * ' ( ) / . (not / or . first)",
    ),
    (
        dict(name="x" * 65),
        "Invalid scheduled query name '" + "x" * 65 + "': names are 1 to 64 "
        "characters, letters, digits and ! - _ * ' ( ) / . (not / or . first)",
    ),
    (
        dict(schedule="every hour"),
        "Invalid ScheduleExpression 'every hour': expected cron(...) or rate(...)",
    ),
    (dict(query="SELECT nosuch FROM db.t"), "line 1:8: Column 'nosuch' does not exist"),
    (
        dict(target=multi_target([AVG], table="gone")),
        "The target table gone in database db does not exist.",
    ),
    (
        dict(target=multi_target([AVG], database="nodb")),
        "The target table rollup in database nodb does not exist.",
    ),
    (
        dict(target=multi_target([{"SourceColumn": "x", "MeasureValueType": "DOUBLE"}])),
        "Column 'x' of MultiMeasureAttributeMappings is not a column of the query result.",
    ),
    (
        dict(target=multi_target([{"SourceColumn": "region", "MeasureValueType": "DOUBLE"}])),
        "Column 'region' of MultiMeasureAttributeMappings has type VARCHAR, expected BIGINT or "
        "DOUBLE or INTEGER.",
    ),
    (
        dict(target=multi_target([AVG], dimensions=["n"])),
        "Column 'n' of DimensionMappings has type BIGINT, expected VARCHAR.",
    ),
    (
        dict(target=multi_target([AVG], dimensions=["zone"])),
        "Column 'zone' of DimensionMappings is not a column of the query result.",
    ),
    (
        dict(target=multi_target([AVG], measure_name=None)),
        "MultiMeasureMappings needs a TargetMultiMeasureName when no MeasureNameColumn is given.",
    ),
    (
        dict(target=multi_target([AVG], measure_name_column="n")),
        "Column 'n' of MeasureNameColumn has type BIGINT, expected VARCHAR.",
    ),
    (dict(target=multi_target([AVG, AVG])), "Duplicate multi-measure attribute name 'avg_cpu'."),
    (dict(target=multi_target([])), "MultiMeasureAttributeMappings must not be empty."),
    (dict(tags=[{"Key": "aws:x", "Value": "1"}]), "Tag keys starting with 'aws:' are reserved."),
]


#: Targets CreateScheduledQuery refuses: their shape, or their mixed measure mappings.
TARGET_CASES = [
    (
        _target_with(TimeColumn="region"),
        "Column 'region' of TimeColumn has type VARCHAR, expected TIMESTAMP.",
    ),
    (
        _target_with(MixedMeasureMappings=[{"SourceColumn": "n", "MeasureValueType": "BIGINT"}]),
        "Exactly one of MultiMeasureMappings and MixedMeasureMappings must be provided in the "
        "TargetConfiguration for db.rollup.",
    ),
    (
        {
            "TimestreamConfiguration": {
                **multi_target([AVG])["TimestreamConfiguration"],
                "MultiMeasureMappings": None,
            }
        },
        "Exactly one of MultiMeasureMappings and MixedMeasureMappings must be provided in the "
        "TargetConfiguration for db.rollup.",
    ),
    (
        mixed({"SourceColumn": "n", "MeasureValueType": "BIGINT"}),
        "MixedMeasureMappings need a MeasureName when a MeasureNameColumn is given.",
    ),
    (
        mixed({"MeasureName": "m", "MeasureValueType": "MULTI"}),
        "A MixedMeasureMapping of type MULTI takes MultiMeasureAttributeMappings and no "
        "SourceColumn.",
    ),
    (
        mixed(
            {
                "MeasureName": "m",
                "MeasureValueType": "DOUBLE",
                "SourceColumn": "n",
                "MultiMeasureAttributeMappings": [AVG],
            }
        ),
        "A MixedMeasureMapping of type DOUBLE takes no MultiMeasureAttributeMappings.",
    ),
    (
        mixed({"MeasureValueType": "DOUBLE"}, name_column=None),
        "A MixedMeasureMapping of type DOUBLE needs a SourceColumn.",
    ),
    (
        mixed({"MeasureName": "m", "MeasureValueType": "BOOLEAN", "SourceColumn": "n"}),
        "Column 'n' of MixedMeasureMappings has type BIGINT, expected BOOLEAN.",
    ),
]


@pytest.mark.parametrize(
    ("changes", "message"),
    [*VALIDATION_CASES, *((dict(target=target), message) for target, message in TARGET_CASES)],
)
def test_create_validation(
    backend: ScheduledQueryBackend, changes: dict[str, Any], message: str
) -> None:
    raises(ValidationException, message, backend.create_scheduled_query, **create_kwargs(**changes))
    assert backend.scheduled_queries == {}


def test_valid_mixed_mappings_are_accepted(backend: ScheduledQueryBackend) -> None:
    target = mixed(
        {"MeasureName": "cpu", "SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"},
        {
            "MeasureName": "both",
            "MeasureValueType": "MULTI",
            "MultiMeasureAttributeMappings": [
                AVG,
                {"SourceColumn": "n", "MeasureValueType": "BIGINT"},
            ],
        },
    )
    backend.create_scheduled_query(**create_kwargs(target=target))


def test_duplicate_name_is_a_conflict(backend: ScheduledQueryBackend) -> None:
    backend.create_scheduled_query(**create_kwargs())
    raises(
        ConflictException,
        "A scheduled query with the name hourly already exists.",
        backend.create_scheduled_query,
        **create_kwargs(),
    )


def test_client_token_idempotency(backend: ScheduledQueryBackend) -> None:
    with freeze_time("2026-12-05 10:00:00"):
        first = backend.create_scheduled_query(**create_kwargs(client_token=TOKEN))
    with freeze_time("2026-12-05 17:59:59"):
        assert backend.create_scheduled_query(**create_kwargs(client_token=TOKEN)) is first
        raises(
            ValidationException,
            "The ClientToken was already used with a different CreateScheduledQuery request.",
            backend.create_scheduled_query,
            **create_kwargs(client_token=TOKEN, schedule="rate(2 hours)"),
        )
    with freeze_time("2026-12-05 18:00:00"):  # 8 hours later the token is forgotten
        raises(
            ConflictException,
            "A scheduled query with the name hourly already exists.",
            backend.create_scheduled_query,
            **create_kwargs(client_token=TOKEN),
        )
    backend.delete_scheduled_query(first.arn)
    with freeze_time("2026-12-05 12:00:00"):
        again = backend.create_scheduled_query(**create_kwargs(client_token=TOKEN))
    assert again.arn != first.arn


def test_list_in_creation_order_with_paging(backend: ScheduledQueryBackend) -> None:
    names = ["zeta", "alpha", "mid", "beta", "omega"]
    for index, name in enumerate(names):
        with freeze_time(f"2026-12-05 10:0{index}:00"):
            backend.create_scheduled_query(**create_kwargs(name=name, target=multi_target([AVG])))
    seen, token, pages = [], None, 0
    while True:
        page, token = backend.list_scheduled_queries(max_results=2, next_token=token)
        seen += [query.name for query in page]
        pages += 1
        if token is None:
            break
    assert seen == names and pages == 3
    everything, token = backend.list_scheduled_queries()
    assert token is None and [q.name for q in everything] == names
    with freeze_time("2026-12-05 10:30:00"):
        summary = everything[0].to_summary()
    assert summary == {
        "Arn": everything[0].arn,
        "Name": "zeta",
        "CreationTime": epoch(2026, 12, 5, 10, 0),
        "State": "ENABLED",
        "ErrorReportConfiguration": ERROR_REPORTS,
        "NextInvocationTime": epoch(2026, 12, 5, 11, 0),  # rate(1 hour) from 10:00
        "TargetDestination": {
            "TimestreamDestination": {"DatabaseName": "db", "TableName": "rollup"}
        },
    }
    raises(
        ValidationException,
        "Invalid pagination token.",
        backend.list_scheduled_queries,
        next_token="garbage",
    )


def test_update_and_delete(backend: ScheduledQueryBackend) -> None:
    query = backend.create_scheduled_query(**create_kwargs(tags=[{"Key": "team", "Value": "a"}]))
    backend.update_scheduled_query(query.arn, "DISABLED")
    assert backend.describe_scheduled_query(query.arn).state == "DISABLED"
    raises(
        ValidationException,
        "Invalid State PAUSED: use ENABLED or DISABLED.",
        backend.update_scheduled_query,
        scheduled_query_arn=query.arn,
        state="PAUSED",
    )
    backend.delete_scheduled_query(query.arn)
    missing = f"The resource with arn {query.arn} does not exist."
    for call, kwargs in [
        (backend.describe_scheduled_query, {}),
        (backend.delete_scheduled_query, {}),
        (backend.update_scheduled_query, {"state": "ENABLED"}),
        (backend.execute_scheduled_query, {"invocation_time": datetime.now(timezone.utc)}),
    ]:
        raises(ResourceNotFoundException, missing, call, scheduled_query_arn=query.arn, **kwargs)
    raises(
        ResourceNotFoundException, missing, backend.list_tags_for_resource, resource_arn=query.arn
    )
    with pytest.raises(ResourceNotFoundException) as caught:
        backend.describe_scheduled_query(query.arn)
    assert caught.value.extra == {"ScheduledQueryArn": query.arn}


def test_tags(backend: ScheduledQueryBackend) -> None:
    query = backend.create_scheduled_query(**create_kwargs(tags=[{"Key": "a", "Value": "1"}]))
    backend.tag_resource(query.arn, [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags, token = backend.list_tags_for_resource(query.arn)
    assert tags == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}] and token is None
    backend.tag_resource(query.arn, [{"Key": f"k{i}", "Value": ""} for i in range(48)])
    page, token = backend.list_tags_for_resource(query.arn, max_results=20)
    assert len(page) == 20 and token is not None
    rest, end = backend.list_tags_for_resource(query.arn, max_results=40, next_token=token)
    assert len(rest) == 30 and end is None
    raises(
        ServiceQuotaExceededException,
        f"The resource {query.arn} cannot have more than 50 tags.",
        backend.tag_resource,
        resource_arn=query.arn,
        tags=[{"Key": "one-more", "Value": "x"}],
    )
    backend.untag_resource(query.arn, ["a", "k0", "absent"])
    tags, _ = backend.list_tags_for_resource(query.arn)
    assert [tag["Key"] for tag in tags][:2] == ["b", "k1"] and len(tags) == 48
    for arn in [
        "arn:aws:timestream:us-east-1:123456789012:database/db",
        "not-an-arn",
        query.arn.replace("us-east-1", "eu-west-1"),
    ]:
        raises(
            ResourceNotFoundException,
            f"The resource with arn {arn} does not exist.",
            backend.tag_resource,
            resource_arn=arn,
            tags=[],
        )


def test_too_many_tags_at_creation(backend: ScheduledQueryBackend) -> None:
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    raises(
        ServiceQuotaExceededException,
        "The resource hourly cannot have more than 50 tags.",
        backend.create_scheduled_query,
        **create_kwargs(tags=tags),
    )


def test_account_settings(backend: ScheduledQueryBackend) -> None:
    assert backend.describe_account_settings() == {"QueryPricingModel": "BYTES_SCANNED"}
    for bad in (0, 2, 1004, 6):
        raises(
            ValidationException,
            f"MaxQueryTCU {bad} is not valid: it must be a multiple of 4 from 4 to 1000.",
            backend.update_account_settings,
            max_query_tcu=bad,
        )
    answer = backend.update_account_settings(
        max_query_tcu=8,
        query_pricing_model="COMPUTE_UNITS",
        query_compute={
            "ComputeMode": "PROVISIONED",
            "ProvisionedCapacity": {
                "TargetQueryTCU": 8,
                "NotificationConfiguration": {"RoleArn": "arn:aws:iam::1:role/r"},
            },
        },
    )
    expected = {
        "QueryPricingModel": "COMPUTE_UNITS",
        "MaxQueryTCU": 8,
        "QueryCompute": {
            "ComputeMode": "PROVISIONED",
            "ProvisionedCapacity": {
                "ActiveQueryTCU": 8,
                "LastUpdate": {"TargetQueryTCU": 8, "Status": "SUCCEEDED"},
                "NotificationConfiguration": {"RoleArn": "arn:aws:iam::1:role/r"},
            },
        },
    }
    assert answer == expected and backend.describe_account_settings() == expected
    raises(
        ValidationException,
        "QueryPricingModel cannot be changed from COMPUTE_UNITS back to BYTES_SCANNED.",
        backend.update_account_settings,
        query_pricing_model="BYTES_SCANNED",
    )


def test_stored_configuration_does_not_follow_the_request(backend: ScheduledQueryBackend) -> None:
    kwargs = create_kwargs(target=multi_target([AVG]))
    query = backend.create_scheduled_query(**kwargs)
    kwargs["target_configuration"]["TimestreamConfiguration"]["TableName"] = "changed"
    kwargs["error_report_configuration"]["S3Configuration"]["BucketName"] = "changed"
    description = query.to_dict()
    assert description["TargetConfiguration"]["TimestreamConfiguration"]["TableName"] == "rollup"
    assert description["ErrorReportConfiguration"]["S3Configuration"]["BucketName"] == "sq-errors"
