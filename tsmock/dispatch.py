"""From a decoded request to an encoded response: the one entry of every call.

Finds the backend of the caller's account and region, applies injected faults,
logs the call, runs the operation and encodes its result or error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tsmock import protocol
from tsmock.backend import records
from tsmock.backend.errors import InternalServerException, TimestreamError
from tsmock.backend.service import TimestreamWriteBackend
from tsmock.state import MockState

Params = dict[str, Any]
Handler = Callable[[TimestreamWriteBackend, Params], dict[str, Any]]


def _page(key: str, items: list[Any], token: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {key: [item.to_dict() for item in items]}
    if token is not None:
        result["NextToken"] = token
    return result


def _describe_endpoints(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    return {"Endpoints": backend.describe_endpoints()}


def _create_database(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    database = backend.create_database(p["DatabaseName"], p.get("KmsKeyId"), p.get("Tags"))
    return {"Database": database.to_dict()}


def _describe_database(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    return {"Database": backend.describe_database(p["DatabaseName"]).to_dict()}


def _update_database(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    return {"Database": backend.update_database(p["DatabaseName"], p["KmsKeyId"]).to_dict()}


def _delete_database(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    backend.delete_database(p["DatabaseName"])
    return {}


def _list_databases(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    items, token = backend.list_databases(p.get("MaxResults"), p.get("NextToken"))
    return _page("Databases", items, token)


def _create_table(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    table = backend.create_table(
        p["DatabaseName"],
        p["TableName"],
        retention_properties=p.get("RetentionProperties"),
        tags=p.get("Tags"),
        magnetic_store_write_properties=p.get("MagneticStoreWriteProperties"),
        schema=p.get("Schema"),
    )
    return {"Table": table.to_dict()}


def _describe_table(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    return {"Table": backend.describe_table(p["DatabaseName"], p["TableName"]).to_dict()}


def _update_table(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    table = backend.update_table(
        p["DatabaseName"],
        p["TableName"],
        retention_properties=p.get("RetentionProperties"),
        magnetic_store_write_properties=p.get("MagneticStoreWriteProperties"),
        schema=p.get("Schema"),
    )
    return {"Table": table.to_dict()}


def _delete_table(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    backend.delete_table(p["DatabaseName"], p["TableName"])
    return {}


def _list_tables(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    items, token = backend.list_tables(
        p.get("DatabaseName"), p.get("MaxResults"), p.get("NextToken")
    )
    return _page("Tables", items, token)


def _tag_resource(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    backend.tag_resource(p["ResourceARN"], p["Tags"])
    return {}


def _untag_resource(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    backend.untag_resource(p["ResourceARN"], p["TagKeys"])
    return {}


def _list_tags_for_resource(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    tags = backend.list_tags_for_resource(p["ResourceARN"])
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


def _write_records(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    ingested = backend.write_records(
        p["DatabaseName"], p["TableName"], p["Records"], p.get("CommonAttributes")
    )
    return {"RecordsIngested": ingested}


def _create_batch_load_task(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    task_id = backend.create_batch_load_task(
        client_token=p.get("ClientToken"),
        data_model_configuration=p.get("DataModelConfiguration"),
        data_source_configuration=p["DataSourceConfiguration"],
        report_configuration=p["ReportConfiguration"],
        target_database_name=p["TargetDatabaseName"],
        target_table_name=p["TargetTableName"],
        record_version=p.get("RecordVersion"),
    )
    return {"TaskId": task_id}


def _describe_batch_load_task(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    task = backend.describe_batch_load_task(p["TaskId"])
    return {"BatchLoadTaskDescription": task.to_dict()}


def _list_batch_load_tasks(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    items, token = backend.list_batch_load_tasks(
        p.get("TaskStatus"), p.get("MaxResults"), p.get("NextToken")
    )
    result: dict[str, Any] = {"BatchLoadTasks": [task.summary() for task in items]}
    if token is not None:
        result["NextToken"] = token
    return result


def _resume_batch_load_task(backend: TimestreamWriteBackend, p: Params) -> dict[str, Any]:
    backend.resume_batch_load_task(p["TaskId"])
    return {}


HANDLERS: dict[str, Handler] = {
    "DescribeEndpoints": _describe_endpoints,
    "CreateDatabase": _create_database,
    "DescribeDatabase": _describe_database,
    "UpdateDatabase": _update_database,
    "DeleteDatabase": _delete_database,
    "ListDatabases": _list_databases,
    "CreateTable": _create_table,
    "DescribeTable": _describe_table,
    "UpdateTable": _update_table,
    "DeleteTable": _delete_table,
    "ListTables": _list_tables,
    "TagResource": _tag_resource,
    "UntagResource": _untag_resource,
    "ListTagsForResource": _list_tags_for_resource,
    "WriteRecords": _write_records,
    "CreateBatchLoadTask": _create_batch_load_task,
    "DescribeBatchLoadTask": _describe_batch_load_task,
    "ListBatchLoadTasks": _list_batch_load_tasks,
    "ResumeBatchLoadTask": _resume_batch_load_task,
}


#: What the write path checks against the model itself on its way through every
#: record (`records.prepare_records` with ``check_shapes``): the shape check
#: leaves it out rather than walk each record twice.
_CHECKED_BY_PREPARE = frozenset(
    ("Records", member)
    for member in (
        "MeasureName",
        "MeasureValue",
        "MeasureValueType",
        "MeasureValues",
        "Time",
        "TimeUnit",
        "Version",
    )
)


def _prepare_sent_records(params: dict[str, Any]) -> list[records.PreparedRecord] | None:
    """The records of a WriteRecords request prepared, if it surely passes its shape check.

    None whenever the shape check must decide, or some record fails: then the
    request takes the usual path (shape check, faults, backend), and the error
    it meets first is the one answered.
    """
    if not protocol.is_valid("WriteRecords", params, _CHECKED_BY_PREPARE):
        return None
    try:
        return records.prepare_records(
            params["Records"], params.get("CommonAttributes"), check_shapes=True
        )
    except Exception:  # refused, or a shape left to check: the usual path answers
        return None


def handle(
    state: MockState,
    region_name: str,
    headers: Any,
    body: bytes | str | None,
    sent_params: dict[str, Any] | None = None,
) -> protocol.Response:
    """Answer one HTTP request to the service; never raises."""
    operation: str | None = None
    params: dict[str, Any] = {}
    try:
        operation = protocol.operation_of(headers)
        prepared: list[records.PreparedRecord] | None = None
        if sent_params is not None and operation == "WriteRecords":
            # WriteRecords keeps nothing of its members but strings and numbers, so
            # it may read the members botocore serialized instead of decoding 100
            # records of JSON: they come out prepared, every shape checked on the
            # way, or None, and then the body takes the usual path so that the
            # error met first is the one answered.
            prepared = _prepare_sent_records(sent_params)
        if prepared is not None:
            assert sent_params is not None
            params = sent_params
        else:
            params = protocol.parse_request(headers, body).params
            # The call log names the operation even when the framework refuses the
            # members, so a test can see which call failed validation.
            protocol.validate(operation, params)
        backend = state.backend(region_name)
        state.faults.before_call(operation, params)
        if prepared is not None:
            ingested = backend.write_prepared_records(
                params["DatabaseName"], params["TableName"], prepared
            )
            result: dict[str, Any] = {"RecordsIngested": ingested}
        else:
            result = HANDLERS[operation](backend, params)
    except TimestreamError as error:
        state.faults.record(operation, body, error.code)
        return protocol.encode_error(error)
    except Exception as error:  # a bug in the mock: answer as the service would
        state.faults.record(operation, body, "InternalServerException")
        return protocol.encode_error(
            InternalServerException(f"tsmock internal error: {type(error).__name__}: {error}")
        )
    state.faults.record(operation, body, None)
    return protocol.encode_result(result)
