"""The before-call answer and the full HTTP path are observably the same.

One script of calls (every operation, success and error cases, an injected
fault, parameters of other JSON-compatible types) runs twice against fresh
mocks at the same frozen time: once through a plain client, which tsmock answers
at ``before-call``, and once through a client carrying a (no-op) ``before-sign``
handler, which must see the HTTP request and so takes the full path. Answers,
exceptions, ``ts.calls``, ``after-call`` events and the stored state must match,
request ids aside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from freezegun import freeze_time

from tsmock import dispatch, mock_timestream_write

REGION = "us-east-1"
NOW_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SOURCE = "sources"
REPORTS = "reports"
_REQUEST_ID = re.compile(r"^[A-Z2-7]{26}$")
_TASK_ID = re.compile(r"^[0-9A-F]{32}$")
#: botocore fills an absent ClientToken with a random UUID.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _normalize(value: Any, ids: dict[str, str]) -> Any:
    """The value with request ids blanked and task ids numbered in order of appearance."""
    if isinstance(value, dict):
        return {key: _normalize(item, ids) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalize(item, ids) for item in value]
    if isinstance(value, str):
        if _REQUEST_ID.match(value):
            return "<request-id>"
        if _UUID.match(value):
            return "<uuid>"
        if _TASK_ID.match(value):
            return ids.setdefault(value, f"<task-{len(ids)}>")
    return value


def _record(host: str, value: str, offset_ms: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": host}],
        "MeasureName": "cpu",
        "MeasureValue": value,
        "Time": str(NOW_MS - offset_ms),
        **extra,
    }


def _multi(host: str, offset_ms: int) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": host}],
        "MeasureName": "metrics",
        "MeasureValueType": "MULTI",
        "MeasureValues": [
            {"Name": f"m{i}", "Value": str(i * 1.5), "Type": "DOUBLE"} for i in range(5)
        ],
        "Time": str(NOW_MS - offset_ms),
    }


def _script(client: Any, ts: Any) -> Iterator[tuple[str, Callable[[], Any]]]:
    """(name, call) of every step; each call's answer or error is observed."""
    arn = f"arn:aws:timestream:{REGION}:123456789012:database/db1"
    yield "describe_endpoints", client.describe_endpoints
    yield "create_database", lambda: client.create_database(DatabaseName="db1")
    yield "create_database again", lambda: client.create_database(DatabaseName="db1")
    yield "create_database short", lambda: client.create_database(DatabaseName="d")
    yield (
        "create_database tagged",
        lambda: client.create_database(
            DatabaseName="db2", KmsKeyId="key-1", Tags=[{"Key": "team", "Value": "a"}]
        ),
    )
    yield "describe_database", lambda: client.describe_database(DatabaseName="db1")
    yield "describe_database missing", lambda: client.describe_database(DatabaseName="nope")
    yield "update_database", lambda: client.update_database(DatabaseName="db2", KmsKeyId="k2")
    yield (
        "update_database missing",
        lambda: client.update_database(DatabaseName="nope", KmsKeyId="k2"),
    )
    yield "list_databases page", lambda: client.list_databases(MaxResults=1)
    yield "list_databases token", lambda: client.list_databases(NextToken="garbage")
    yield "list_databases", client.list_databases
    yield (
        "create_table",
        lambda: client.create_table(
            DatabaseName="db1",
            TableName="tbl1",
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 24,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
            Tags=[{"Key": "k", "Value": "v"}],
        ),
    )
    yield (
        "create_table magnetic",
        lambda: client.create_table(
            DatabaseName="db1",
            TableName="tbl2",
            MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
            Schema={
                "CompositePartitionKey": [
                    {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "REQUIRED"}
                ]
            },
        ),
    )
    yield (
        "create_table missing db",
        lambda: client.create_table(DatabaseName="nope", TableName="tbl1"),
    )
    yield (
        "create_table bad retention",
        lambda: client.create_table(
            DatabaseName="db1",
            TableName="tbl3",
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 9000,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
        ),
    )
    yield "describe_table", lambda: client.describe_table(DatabaseName="db1", TableName="tbl1")
    yield (
        "describe_table missing",
        lambda: client.describe_table(DatabaseName="db1", TableName="nope"),
    )
    yield (
        "update_table",
        lambda: client.update_table(
            DatabaseName="db1",
            TableName="tbl1",
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 48,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
        ),
    )
    yield "list_tables", lambda: client.list_tables(DatabaseName="db1")
    yield "list_tables all", lambda: client.list_tables(MaxResults=1)
    yield (
        "tag_resource",
        lambda: client.tag_resource(ResourceARN=arn, Tags=[{"Key": "x", "Value": "1"}]),
    )
    yield (
        "tag_resource bad arn",
        lambda: client.tag_resource(
            ResourceARN="arn:aws:nothing", Tags=[{"Key": "x", "Value": "1"}]
        ),
    )
    yield "untag_resource", lambda: client.untag_resource(ResourceARN=arn, TagKeys=["x"])
    yield "list_tags_for_resource", lambda: client.list_tags_for_resource(ResourceARN=arn)
    yield (
        "write_records",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            CommonAttributes={"Dimensions": [{"Name": "region", "Value": "eu"}]},
            Records=[_record(f"h{i}", str(i), i) for i in range(100)],
        ),
    )
    yield (
        "write_records multi",
        lambda: client.write_records(
            DatabaseName="db1", TableName="tbl1", Records=[_multi(f"h{i}", i) for i in range(100)]
        ),
    )
    yield (
        "write_records tuple",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            Records=tuple(_record("t", "1.0", i, Version=2) for i in range(3)),
        ),
    )
    yield (
        "write_records upsert",
        lambda: client.write_records(
            DatabaseName="db1", TableName="tbl1", Records=[_record("h1", "9", 1, Version=5)]
        ),
    )
    yield (
        "write_records same version",
        lambda: client.write_records(
            DatabaseName="db1", TableName="tbl1", Records=[_record("h1", "8", 1, Version=5)]
        ),
    )
    yield (
        "write_records rejected",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            Records=[_record("h1", "1", 0), _record("old", "1", 400 * 24 * 3600 * 1000)],
        ),
    )
    yield (
        "write_records type clash",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            Records=[_record("h1", "1", 5, MeasureValueType="BIGINT")],
        ),
    )
    yield (
        "write_records invalid value",
        lambda: client.write_records(
            DatabaseName="db1", TableName="tbl1", Records=[_record("h1", "abc", 5)]
        ),
    )
    yield (
        "write_records duplicate dimension",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            CommonAttributes={"Dimensions": [{"Name": "host", "Value": "x"}]},
            Records=[_record("h1", "1", 5)],
        ),
    )
    yield (
        "write_records long name",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            Records=[dict(_record("h", "1"), MeasureName="m" * 300)],
        ),
    )
    yield (
        "write_records bad enum",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl1",
            Records=[_record("h1", "1", 5, MeasureValueType="DECIMAL")],
        ),
    )
    yield (
        "write_records partition key",
        lambda: client.write_records(
            DatabaseName="db1",
            TableName="tbl2",
            Records=[dict(_record("h1", "1"), Dimensions=[{"Name": "az", "Value": "a"}])],
        ),
    )
    yield (
        "write_records missing table",
        lambda: client.write_records(
            DatabaseName="db1", TableName="nope", Records=[_record("h1", "1")]
        ),
    )
    ts.add_fault("DescribeDatabase", "ThrottlingException", times=1)
    yield "describe_database fault", lambda: client.describe_database(DatabaseName="db1")
    ts.add_fault("WriteRecords", "RejectedRecordsException", times=1, table="tbl1")
    yield (
        "write_records fault",
        lambda: client.write_records(
            DatabaseName="db1", TableName="tbl1", Records=[_record("h1", "1", 7)]
        ),
    )
    ts.put_object(SOURCE, "in/data.csv", f"host,time,cpu\na,{NOW_MS},1.5\nb,{NOW_MS},x\n")
    task = {
        "DataModelConfiguration": {
            "DataModel": {
                "TimeColumn": "time",
                "TimeUnit": "MILLISECONDS",
                "DimensionMappings": [{"SourceColumn": "host"}],
                "MultiMeasureMappings": {
                    "TargetMultiMeasureName": "load",
                    "MultiMeasureAttributeMappings": [
                        {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}
                    ],
                },
            }
        },
        "DataSourceConfiguration": {
            "DataSourceS3Configuration": {"BucketName": SOURCE, "ObjectKeyPrefix": "in/"},
            "DataFormat": "CSV",
        },
        "ReportConfiguration": {
            "ReportS3Configuration": {"BucketName": REPORTS, "EncryptionOption": "SSE_S3"}
        },
        "TargetDatabaseName": "db1",
        "TargetTableName": "tbl1",
    }
    ts.put_object(REPORTS, "keep", "")
    yield (
        "create_batch_load_task",
        lambda: client.create_batch_load_task(ClientToken="token-1", **task),
    )
    yield (
        "create_batch_load_task no model",
        lambda: client.create_batch_load_task(
            **{key: value for key, value in task.items() if key != "DataModelConfiguration"}
        ),
    )
    yield "list_batch_load_tasks", client.list_batch_load_tasks
    yield (
        "describe_batch_load_task missing",
        lambda: client.describe_batch_load_task(TaskId="0" * 32),
    )
    yield "resume_batch_load_task missing", lambda: client.resume_batch_load_task(TaskId="0" * 32)
    yield "delete_table", lambda: client.delete_table(DatabaseName="db1", TableName="tbl2")
    yield "delete_table missing", lambda: client.delete_table(DatabaseName="db1", TableName="tbl2")
    yield "delete_database not empty", lambda: client.delete_database(DatabaseName="db1")
    yield "delete_database", lambda: client.delete_database(DatabaseName="db2")


def _observe(force_full_path: bool) -> tuple[list[Any], int, int]:
    """Every observation of the script, and how many calls took each path."""
    observations: list[Any] = []
    ids: dict[str, str] = {}
    paths = {"full": 0, "all": 0}
    original_handle, original_run = dispatch.handle, dispatch.run

    def counting_handle(*args: Any, **kwargs: Any) -> Any:
        paths["full"] += 1
        return original_handle(*args, **kwargs)

    def counting_run(*args: Any, **kwargs: Any) -> Any:
        paths["all"] += 1
        return original_run(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch, freeze_time("2026-01-01 00:00:00"):
        patch.setattr(dispatch, "handle", counting_handle)
        patch.setattr(dispatch, "run", counting_run)
        patch.setattr("time.sleep", lambda seconds: None)  # botocore's retry backoff
        with mock_timestream_write() as ts:
            client = boto3.client("timestream-write", region_name=REGION)
            if force_full_path:
                client.meta.events.register("before-sign.timestream-write", lambda **kw: None)

            def after_call(http_response: Any, parsed: Any, model: Any, **kwargs: Any) -> None:
                observations.append(
                    ("after-call", model.name, http_response.status_code, _normalize(parsed, ids))
                )

            client.meta.events.register("after-call.timestream-write", after_call)
            for name, call in _script(client, ts):
                try:
                    answer: Any = ("ok", call())
                except ClientError as error:
                    answer = ("error", type(error).__name__, error.response)
                observations.append((name, _normalize(answer, ids)))
            observations.append(
                [
                    (c.service, c.operation, c.error_code, _normalize(c.params, ids))
                    for c in ts.calls
                ]
            )
            backend = ts.backend(REGION)
            for database in backend.databases.values():
                observations.append(_normalize(database.to_dict(), ids))
                for table in database.tables.values():
                    observations.append(_normalize(table.to_dict(), ids))
                    observations.append([repr(record) for record in table.records])
            for task in backend.batch_load_tasks.values():
                observations.append(_normalize(task.to_dict(), ids))
            for key in ts.list_objects(REPORTS):
                report = ts.get_object(REPORTS, key)
                observations.append(_normalize(json.loads(report) if report else None, ids))
    return observations, paths["full"], paths["all"]


def test_both_paths_answer_alike() -> None:
    fast, fast_full, fast_all = _observe(force_full_path=False)
    full, full_full, full_all = _observe(force_full_path=True)
    assert fast_all == full_all
    # The fast run takes the full path only where it must: the first call
    # (endpoint not discovered yet) and the calls a fault matches.
    assert full_full == full_all
    assert fast_full < fast_all // 4
    for fast_item, full_item in zip(fast, full, strict=True):
        assert fast_item == full_item


def test_a_user_handler_on_the_http_request_sees_every_call() -> None:
    seen: list[str] = []
    with mock_timestream_write():
        client = boto3.client("timestream-write", region_name=REGION)
        client.meta.events.register(
            "before-send.timestream-write", lambda request, **kw: seen.append(request.url)
        )
        client.create_database(DatabaseName="db1")
        client.describe_database(DatabaseName="db1")
    # DescribeEndpoints, CreateDatabase, DescribeDatabase.
    assert len(seen) == 3


def test_the_fast_answer_carries_response_metadata() -> None:
    with mock_timestream_write():
        client = boto3.client("timestream-write", region_name=REGION)
        client.create_database(DatabaseName="db1")
        answer = client.describe_database(DatabaseName="db1")
    metadata = answer["ResponseMetadata"]
    assert _REQUEST_ID.match(metadata["RequestId"])
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["HTTPHeaders"] == {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": metadata["RequestId"],
    }


# --- calls made without botocore's serializer ------------------------------------------


def _serializer_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from botocore.serialize import JSONSerializer

    names: list[str] = []
    original = JSONSerializer.serialize_to_request

    def counting(self: Any, parameters: Any, operation_model: Any) -> Any:
        names.append(operation_model.name)
        return original(self, parameters, operation_model)

    monkeypatch.setattr(JSONSerializer, "serialize_to_request", counting)
    return names


def _varied_calls(client: Any) -> None:
    client.create_database(DatabaseName="db1", Tags=[{"Key": "k", "Value": "grüße"}])
    client.create_table(
        DatabaseName="db1",
        TableName="tbl1",
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 24,
            "MagneticStoreRetentionPeriodInDays": 7,
        },
        MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
        Schema={"CompositePartitionKey": [{"Type": "DIMENSION", "Name": "host"}]},
    )
    now = str(int(datetime.now(timezone.utc).timestamp() * 1000))
    client.write_records(
        DatabaseName="db1",
        TableName="tbl1",
        CommonAttributes={"Dimensions": [{"Name": "host", "Value": "h\u00e9"}], "Time": now},
        Records=[
            {"MeasureName": "cpu", "MeasureValue": "1.5", "MeasureValueType": "DOUBLE"},
            {
                "MeasureName": "m",
                "MeasureValueType": "MULTI",
                "MeasureValues": [{"Name": "a", "Value": "true", "Type": "BOOLEAN"}],
                "Version": 3,
            },
        ],
    )
    client.list_tables(DatabaseName="db1", MaxResults=5)


def test_calls_the_fast_path_answers_skip_the_serializer_and_log_its_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serialized = _serializer_calls(monkeypatch)
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name=REGION)
        _varied_calls(client)
        # Only the first call (its endpoint unknown yet) went through botocore's
        # serializer; the DescribeEndpoints call it made was answered here too.
        assert serialized == ["CreateDatabase"]
        model = client.meta.service_model
        for call in ts.calls:
            assert call.operation is not None
            expected = client._serializer.serialize_to_request(
                call.params, model.operation_model(call.operation)
            )["body"]
            assert call._body == expected


def test_a_client_with_a_before_sign_handler_is_serialized(monkeypatch: pytest.MonkeyPatch) -> None:
    serialized = _serializer_calls(monkeypatch)
    with mock_timestream_write():
        client = boto3.client("timestream-write", region_name=REGION)
        client.meta.events.register("before-sign.timestream-write", lambda **kw: None)
        _varied_calls(client)
    assert serialized == [
        "CreateDatabase",
        "DescribeEndpoints",
        "CreateTable",
        "WriteRecords",
        "ListTables",
    ]


def test_bad_parameters_raise_botocores_error_without_the_serializer() -> None:
    with mock_timestream_write():
        client = boto3.client("timestream-write", region_name=REGION)
        client.list_databases()
        with pytest.raises(ParamValidationError, match="Invalid type for parameter MaxResults"):
            client.list_databases(MaxResults="5")
        with pytest.raises(ParamValidationError, match="Unknown parameter in input"):
            client.list_databases(Nope=1)


def test_a_call_declined_after_skipping_the_serializer_takes_the_full_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tsmock import fast_path

    declined: list[str] = []
    original = fast_path.answer

    def decline_once(state: Any, service: str, model: Any, *args: Any) -> Any:
        if model.name == "CreateTable" and not declined:
            declined.append(model.name)
            return None
        return original(state, service, model, *args)

    monkeypatch.setattr(fast_path, "answer", decline_once)
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name=REGION)
        _varied_calls(client)
        assert declined == ["CreateTable"]
        assert client.describe_table(DatabaseName="db1", TableName="tbl1")["Table"]["Schema"] == {
            "CompositePartitionKey": [{"Type": "DIMENSION", "Name": "host"}]
        }
        assert [c.operation for c in ts.calls][:4] == [
            "DescribeEndpoints",
            "CreateDatabase",
            "CreateTable",
            "WriteRecords",
        ]


def _between_serializing_and_before_call(
    monkeypatch: pytest.MonkeyPatch, operation: str, act: Callable[[], None]
) -> list[str]:
    """Run ``act`` once, for ``operation``, after its request dict is made and before
    ``before-call`` (where botocore resolves the checksum context)."""
    import botocore.client

    acted: list[str] = []
    original = botocore.client.resolve_checksum_context

    def then_act(request_dict: Any, model: Any, params: Any) -> Any:
        if model.name == operation and not acted:
            acted.append(model.name)
            act()
        return original(request_dict, model, params)

    monkeypatch.setattr(botocore.client, "resolve_checksum_context", then_act)
    return acted


def test_a_fault_armed_after_skipping_the_serializer_strikes_on_the_full_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[Any] = []
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name=REGION)
        client.create_database(DatabaseName="db1")

        def arm_and_watch() -> None:
            ts.add_fault("DescribeDatabase", "ResourceNotFoundException", message="gone")
            client.meta.events.register_first(
                "before-send.timestream-write", lambda request, **kw: sent.append(request)
            )

        acted = _between_serializing_and_before_call(monkeypatch, "DescribeDatabase", arm_and_watch)
        with pytest.raises(ClientError, match="gone"):
            client.describe_database(DatabaseName="db1")
    assert acted == ["DescribeDatabase"]
    # The full path sent botocore's own request.
    assert [request.headers["X-Amz-Target"] for request in sent] == [
        b"Timestream_20181101.DescribeDatabase"
    ]
    assert json.loads(sent[0].body) == {"DatabaseName": "db1"}


def test_a_mock_stopped_after_skipping_the_serializer_sends_botocores_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.awsrequest import AWSResponse

    from tsmock import registry

    sent: list[Any] = []

    class _Raw:
        def stream(self, **kwargs: Any) -> Iterator[bytes]:
            yield b"{}"

    def answer_elsewhere(request: Any, **kwargs: Any) -> AWSResponse:
        sent.append(request)
        return AWSResponse(request.url, 200, {}, _Raw())  # type: ignore[arg-type]

    with mock_timestream_write():
        client = boto3.client("timestream-write", region_name=REGION)
        client.create_database(DatabaseName="db1")

        def stop_and_watch() -> None:
            # What another thread's stop looks like to this call.
            monkeypatch.setattr(registry, "_active", None)
            client.meta.events.register("before-send.timestream-write", answer_elsewhere)

        acted = _between_serializing_and_before_call(monkeypatch, "DeleteDatabase", stop_and_watch)
        client.delete_database(DatabaseName="db1")
        monkeypatch.undo()
    assert acted == ["DeleteDatabase"]
    # Whatever answers once tsmock no longer does gets botocore's own request.
    assert [request.headers.get("X-Amz-Target") for request in sent] == [
        b"Timestream_20181101.DeleteDatabase"
    ]
    assert json.loads(sent[0].body) == {"DatabaseName": "db1"}
