"""Scheduled-query notifications reach moto's SNS when the topic exists there."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from moto import mock_aws

from tsmock import mock_timestream

REGION = "us-east-1"


def _scheduled_query(query: Any, topic_arn: str) -> str:
    arn: str = query.create_scheduled_query(
        Name="rollup",
        QueryString=(
            'SELECT host, bin(time, 1h) AS hour, avg(measure_value::double) AS cpu '
            'FROM "metrics"."raw" WHERE time <= @scheduled_runtime GROUP BY host, bin(time, 1h)'
        ),
        ScheduleConfiguration={"ScheduleExpression": "rate(1 hour)"},
        NotificationConfiguration={"SnsConfiguration": {"TopicArn": topic_arn}},
        TargetConfiguration={
            "TimestreamConfiguration": {
                "DatabaseName": "metrics",
                "TableName": "hourly",
                "TimeColumn": "hour",
                "DimensionMappings": [{"Name": "host", "DimensionValueType": "VARCHAR"}],
                "MultiMeasureMappings": {
                    "TargetMultiMeasureName": "cpu_hourly",
                    "MultiMeasureAttributeMappings": [
                        {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}
                    ],
                },
            }
        },
        ScheduledQueryExecutionRoleArn="arn:aws:iam::123456789012:role/scheduled",
        ErrorReportConfiguration={"S3Configuration": {"BucketName": "query-errors"}},
    )["Arn"]
    return arn


def _setup(write: Any) -> None:
    write.create_database(DatabaseName="metrics")
    for table in ("raw", "hourly"):
        write.create_table(DatabaseName="metrics", TableName=table)
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    write.write_records(
        DatabaseName="metrics",
        TableName="raw",
        Records=[
            {
                "Dimensions": [{"Name": "host", "Value": "web-1"}],
                "MeasureName": "cpu",
                "MeasureValue": "42.5",
                "MeasureValueType": "DOUBLE",
                "Time": str(now_ms - 60_000),
            }
        ],
    )


def test_a_run_notification_is_published_to_moto_sns() -> None:
    with mock_aws(), mock_timestream():
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic_arn = sns.create_topic(Name="scheduled-runs")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="runs")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

        write = boto3.client("timestream-write", region_name=REGION)
        query = boto3.client("timestream-query", region_name=REGION)
        _setup(write)
        arn = _scheduled_query(query, topic_arn)
        query.execute_scheduled_query(
            ScheduledQueryArn=arn, InvocationTime=datetime.now(timezone.utc)
        )

        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        bodies = [json.loads(json.loads(m["Body"])["Message"]) for m in messages]
        assert [body["type"] for body in bodies] == ["MANUAL_TRIGGER_SUCCESS"]
        assert bodies[0]["arn"] == arn
        summary = bodies[0]["scheduledQueryRunSummary"]
        assert summary["executionStats"]["recordsIngested"] == 1


def test_without_moto_the_notification_stays_on_the_run() -> None:
    with mock_timestream() as ts:
        write = boto3.client("timestream-write", region_name=REGION)
        query = boto3.client("timestream-query", region_name=REGION)
        _setup(write)
        _scheduled_query(query, "arn:aws:sns:us-east-1:123456789012:nowhere")
        runs = ts.run_scheduled_queries(until=datetime.now(timezone.utc) + timedelta(hours=2))
        assert runs, "a rate(1 hour) query is due after its first hour"
        assert runs[0].notification_published is False
        assert json.loads(runs[0].notification)["arn"] == runs[0].arn


def test_a_topic_moto_does_not_know_is_not_an_error() -> None:
    with mock_aws(), mock_timestream() as ts:
        write = boto3.client("timestream-write", region_name=REGION)
        query = boto3.client("timestream-query", region_name=REGION)
        _setup(write)
        arn = _scheduled_query(query, "arn:aws:sns:us-east-1:123456789012:missing")
        query.execute_scheduled_query(
            ScheduledQueryArn=arn, InvocationTime=datetime.now(timezone.utc)
        )
        summary = query.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"][
            "LastRunSummary"
        ]
        assert summary["RunStatus"] == "MANUAL_TRIGGER_SUCCESS"
        assert ts.records("metrics", "hourly")
