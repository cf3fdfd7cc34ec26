"""Bad input at the edges: deep nesting and unknown members, through the mock's HTTP path."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
import requests
from raw_http import post

from tsmock import mock_timestream_write

DB = "hardening_db"
TABLE = "hardening_table"


def deep(levels: int) -> str:
    """A JSON object nested ``levels`` deep."""
    return '{"x":' * levels + "{}" + "}" * levels


@pytest.fixture
def ts() -> Any:
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.create_database(DatabaseName=DB)
        yield ts


def validation_error(response: requests.Response) -> str:
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["__type"].endswith("#ValidationException")
    message: str = payload.get("message") or payload["Message"]
    return message


class TestDeepNesting:
    @pytest.mark.parametrize(
        "token",
        [
            base64.urlsafe_b64encode(("[" * 5000).encode()).decode(),
            base64.urlsafe_b64encode(deep(600).encode()).decode(),
        ],
        ids=["list-5000", "object-600"],
    )
    def test_next_token(self, ts: Any, token: str) -> None:
        response = post("ListDatabases", json.dumps({"NextToken": token}))
        assert validation_error(response) == "Invalid pagination token."

    @pytest.mark.parametrize("levels", [600, 5000])
    def test_unknown_members(self, ts: Any, levels: int) -> None:
        table = f'{{"DatabaseName":"{DB}","TableName":"{TABLE}","Unknown":{deep(levels)}}}'
        validation_error(post("CreateTable", table))
        nested = (
            f'{{"DatabaseName":"{DB}","TableName":"{TABLE}","MagneticStoreWriteProperties":'
            f'{{"EnableMagneticStoreWrites":false,"Unknown":{deep(levels)}}}}}'
        )
        validation_error(post("CreateTable", nested))
        validation_error(post("ListDatabases", f'{{"Unknown":{deep(levels)}}}'))

    def test_data_model_object(self, ts: Any) -> None:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.create_table(DatabaseName=DB, TableName=TABLE)
        ts.put_object("models", "m.json", "[" * 5000)
        with pytest.raises(client.exceptions.ValidationException, match="not valid JSON"):
            client.create_batch_load_task(
                TargetDatabaseName=DB,
                TargetTableName=TABLE,
                DataSourceConfiguration={
                    "DataSourceS3Configuration": {"BucketName": "source"},
                    "DataFormat": "CSV",
                },
                ReportConfiguration={"ReportS3Configuration": {"BucketName": "reports"}},
                DataModelConfiguration={
                    "DataModelS3Configuration": {"BucketName": "models", "ObjectKey": "m.json"}
                },
            )


class TestUnknownMembersAreDropped:
    def test_describe_table_echoes_only_modelled_members(self, ts: Any) -> None:
        body = {
            "DatabaseName": DB,
            "TableName": TABLE,
            "Surprise": 1,
            "MagneticStoreWriteProperties": {
                "EnableMagneticStoreWrites": True,
                "Extra": "x",
                "MagneticStoreRejectedDataLocation": {
                    "S3Configuration": {"BucketName": "rejects", "Hidden": [1, 2]}
                },
            },
            "Schema": {
                "CompositePartitionKey": [{"Type": "MEASURE", "Other": "y"}],
                "Unknown": {"a": 1},
            },
        }
        assert post("CreateTable", json.dumps(body)).status_code == 200
        client = boto3.client("timestream-write", region_name="us-east-1")
        table = client.describe_table(DatabaseName=DB, TableName=TABLE)["Table"]
        assert table["MagneticStoreWriteProperties"] == {
            "EnableMagneticStoreWrites": True,
            "MagneticStoreRejectedDataLocation": {"S3Configuration": {"BucketName": "rejects"}},
        }
        assert table["Schema"] == {"CompositePartitionKey": [{"Type": "MEASURE"}]}
        raw = post("DescribeTable", json.dumps({"DatabaseName": DB, "TableName": TABLE})).json()
        assert "Surprise" not in raw["Table"]

    def test_describe_batch_load_task_echoes_only_modelled_members(self, ts: Any) -> None:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.create_table(DatabaseName=DB, TableName=TABLE)
        body = {
            "TargetDatabaseName": DB,
            "TargetTableName": TABLE,
            "DataSourceConfiguration": {
                "DataSourceS3Configuration": {"BucketName": "source", "Odd": 1},
                "DataFormat": "CSV",
                "Unknown": True,
            },
            "ReportConfiguration": {
                "ReportS3Configuration": {"BucketName": "reports", "Extra": "x"},
                "More": {},
            },
            "DataModelConfiguration": {
                "DataModel": {
                    "TimeColumn": "time",
                    "DimensionMappings": [{"SourceColumn": "host", "Junk": 1}],
                    "MultiMeasureMappings": {
                        "TargetMultiMeasureName": "usage",
                        "MultiMeasureAttributeMappings": [
                            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE", "Z": 0}
                        ],
                    },
                    "Strange": "s",
                },
            },
        }
        response = post("CreateBatchLoadTask", json.dumps(body))
        assert response.status_code == 200, response.text
        task_id = response.json()["TaskId"]
        raw = post("DescribeBatchLoadTask", json.dumps({"TaskId": task_id})).json()
        described = raw["BatchLoadTaskDescription"]
        assert described["ReportConfiguration"] == {
            "ReportS3Configuration": {"BucketName": "reports"}
        }
        assert described["DataSourceConfiguration"]["DataSourceS3Configuration"] == {
            "BucketName": "source"
        }
        assert "Unknown" not in described["DataSourceConfiguration"]
        model = described["DataModelConfiguration"]["DataModel"]
        assert "Strange" not in model
        assert "Junk" not in model["DimensionMappings"][0]
        attribute = model["MultiMeasureMappings"]["MultiMeasureAttributeMappings"][0]
        assert "Z" not in attribute
