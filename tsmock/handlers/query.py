"""Timestream Query's handler table: each operation of the model to a backend call.

The query service of one account and region reads the tables of the write
backend of the same account and region (docs/querying.md); scheduled queries run
through the same engine and write through the same write path
(docs/scheduled-queries.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tsmock.backend.query.service import QueryBackend
from tsmock.backend.scheduled import ScheduledQueryBackend
from tsmock.backend.service import TimestreamWriteBackend
from tsmock.notifications import MotoSnsSink
from tsmock.services import Handler

if TYPE_CHECKING:
    from tsmock.state import MockState

Params = dict[str, Any]


@dataclass
class QueryServiceBackend:
    """The query service of one account and region: ad hoc and scheduled queries."""

    query: QueryBackend
    scheduled: ScheduledQueryBackend


class _WriteTarget:
    """Scheduled-query results go through the write backend's WriteRecords path."""

    def __init__(self, backend: TimestreamWriteBackend) -> None:
        self._backend = backend

    def write_records(
        self, database_name: str, table_name: str, records: list[dict[str, Any]]
    ) -> object:
        return self._backend.write_records(database_name, table_name, records)

    def table_exists(self, database_name: str, table_name: str) -> bool:
        database = self._backend.databases.get(database_name)
        return database is not None and table_name in database.tables


class _ReportStore:
    """Error reports of scheduled runs land in the activation's object store."""

    def __init__(self, state: MockState) -> None:
        self._state = state

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        self._state.objects.put_object(bucket, key, body)


def new_backend(state: MockState, account_id: str, region_name: str) -> QueryServiceBackend:
    """The query service of one account and region of ``state``."""
    write_backend = state.backend(region_name, account_id)
    query = QueryBackend(write_backend, region_name=region_name)
    scheduled = ScheduledQueryBackend(
        query,
        _WriteTarget(write_backend),
        _ReportStore(state),
        MotoSnsSink(),
        account_id,
        region_name,
    )
    return QueryServiceBackend(query, scheduled)


# --- ad hoc queries ------------------------------------------------------------------


def _query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    return backend.query.query(
        p["QueryString"],
        max_rows=p.get("MaxRows"),
        next_token=p.get("NextToken"),
        client_token=p.get("ClientToken"),
    )


def _cancel_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    return backend.query.cancel_query(p["QueryId"])


def _prepare_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    return backend.query.prepare_query(p["QueryString"], validate_only=p.get("ValidateOnly"))


def _describe_endpoints(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    return {"Endpoints": backend.query.describe_endpoints()}


# --- scheduled queries ---------------------------------------------------------------


def _create_scheduled_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    query = backend.scheduled.create_scheduled_query(
        p["Name"],
        p["QueryString"],
        p["ScheduleConfiguration"],
        p["NotificationConfiguration"],
        p["ScheduledQueryExecutionRoleArn"],
        p["ErrorReportConfiguration"],
        target_configuration=p.get("TargetConfiguration"),
        client_token=p.get("ClientToken"),
        tags=p.get("Tags"),
        kms_key_id=p.get("KmsKeyId"),
    )
    return {"Arn": query.arn}


def _describe_scheduled_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    query = backend.scheduled.describe_scheduled_query(p["ScheduledQueryArn"])
    return {"ScheduledQuery": query.to_dict()}


def _list_scheduled_queries(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    queries, token = backend.scheduled.list_scheduled_queries(
        p.get("MaxResults"), p.get("NextToken")
    )
    result: dict[str, Any] = {"ScheduledQueries": [query.to_summary() for query in queries]}
    if token is not None:
        result["NextToken"] = token
    return result


def _update_scheduled_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    backend.scheduled.update_scheduled_query(p["ScheduledQueryArn"], p["State"])
    return {}


def _delete_scheduled_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    backend.scheduled.delete_scheduled_query(p["ScheduledQueryArn"])
    return {}


def _execute_scheduled_query(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    backend.scheduled.execute_scheduled_query(
        p["ScheduledQueryArn"],
        _invocation_time(p["InvocationTime"]),
        client_token=p.get("ClientToken"),
        query_insights=p.get("QueryInsights"),
    )
    return {}


def _invocation_time(value: Any) -> datetime:
    # Epoch seconds on both paths: botocore's JSON body decoded, or members the
    # model's check passed (it takes a timestamp only as an int or a float).
    return datetime.fromtimestamp(float(value), timezone.utc)


def _tag_resource(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    backend.scheduled.tag_resource(p["ResourceARN"], p["Tags"])
    return {}


def _untag_resource(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    backend.scheduled.untag_resource(p["ResourceARN"], p["TagKeys"])
    return {}


def _list_tags_for_resource(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    tags, token = backend.scheduled.list_tags_for_resource(
        p["ResourceARN"], p.get("MaxResults"), p.get("NextToken")
    )
    result: dict[str, Any] = {"Tags": tags}
    if token is not None:
        result["NextToken"] = token
    return result


def _describe_account_settings(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    return backend.scheduled.describe_account_settings()


def _update_account_settings(backend: QueryServiceBackend, p: Params) -> dict[str, Any]:
    return backend.scheduled.update_account_settings(
        max_query_tcu=p.get("MaxQueryTCU"),
        query_pricing_model=p.get("QueryPricingModel"),
        query_compute=p.get("QueryCompute"),
    )


HANDLERS: dict[str, Handler] = {
    "Query": _query,
    "CancelQuery": _cancel_query,
    "PrepareQuery": _prepare_query,
    "DescribeEndpoints": _describe_endpoints,
    "CreateScheduledQuery": _create_scheduled_query,
    "DescribeScheduledQuery": _describe_scheduled_query,
    "ListScheduledQueries": _list_scheduled_queries,
    "UpdateScheduledQuery": _update_scheduled_query,
    "DeleteScheduledQuery": _delete_scheduled_query,
    "ExecuteScheduledQuery": _execute_scheduled_query,
    "TagResource": _tag_resource,
    "UntagResource": _untag_resource,
    "ListTagsForResource": _list_tags_for_resource,
    "DescribeAccountSettings": _describe_account_settings,
    "UpdateAccountSettings": _update_account_settings,
}

__all__ = ["HANDLERS", "QueryServiceBackend", "new_backend"]
