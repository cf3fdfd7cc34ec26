"""The wire dictionaries match the botocore model of timestream-query."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from tsmock.backend.scheduled import ScheduledQueryBackend

from .fakes import FakeRunner, FakeWriter, create_kwargs, multi_target

MODEL = botocore.session.get_session().get_service_model("timestream-query")


def check(shape_name: str, value: dict[str, Any]) -> None:
    report = ParamValidator().validate(value, MODEL.shape_for(shape_name))
    assert not report.has_errors(), report.generate_report()
    # Every member the model requires is present.
    assert set(MODEL.shape_for(shape_name).required_members) <= set(value)


@pytest.mark.parametrize("fail", [False, True])
def test_describe_list_and_run_shapes(
    backend: ScheduledQueryBackend, runner: FakeRunner, writer: FakeWriter, fail: bool
) -> None:
    query = backend.create_scheduled_query(
        **create_kwargs(
            target=multi_target([{"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"}]),
            kms_key_id="alias/k",
            tags=[{"Key": "k", "Value": "v"}],
        )
    )
    if fail:
        writer.reject = lambda record: "rejected"
        del writer.tables[("db", "rollup")]
    run = backend.execute_scheduled_query(query.arn, datetime(2026, 1, 1, tzinfo=timezone.utc))
    check("ScheduledQueryRunSummary", run.to_dict())
    check("DescribeScheduledQueryResponse", {"ScheduledQuery": query.to_dict()})
    page, _ = backend.list_scheduled_queries()
    check("ListScheduledQueriesResponse", {"ScheduledQueries": [q.to_summary() for q in page]})
    tags, _ = backend.list_tags_for_resource(query.arn)
    check("ListTagsForResourceResponse", {"Tags": tags})


def test_account_settings_shapes(backend: ScheduledQueryBackend) -> None:
    check("DescribeAccountSettingsResponse", backend.describe_account_settings())
    answer = backend.update_account_settings(
        max_query_tcu=4,
        query_pricing_model="COMPUTE_UNITS",
        query_compute={"ComputeMode": "PROVISIONED", "ProvisionedCapacity": {"TargetQueryTCU": 4}},
    )
    check("UpdateAccountSettingsResponse", answer)
