"""Timestream Write's handler table: each operation of the model to a backend call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tsmock import shapes
from tsmock.backend.service import TimestreamWriteBackend
from tsmock.services import WRITE, Handler

if TYPE_CHECKING:
    from tsmock.state import MockState

Params = dict[str, Any]


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


def new_backend(state: MockState, account_id: str, region_name: str) -> TimestreamWriteBackend:
    """The write backend of one account and region of ``state``."""
    return TimestreamWriteBackend(
        account_id,
        region_name,
        objects=state.objects,
        immediate_batch_load=lambda: state.batch_load_mode != "manual",
        data_model_violations=_data_model_violations,
    )


def _data_model_violations(model: Any) -> list[str]:
    """A data model read from the object store, checked as a request's DataModel is."""
    return shapes.shape_violations(WRITE, "DataModel", model)
