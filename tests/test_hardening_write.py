"""Hardening of the write path, through real boto3 clients inside the mock."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from freezegun import freeze_time

from tsmock import mock_timestream_write

DB = "hardening_db"
TABLE = "hardening_table"


@pytest.fixture
def client(ts: Any) -> Any:
    return boto3.client("timestream-write", region_name="us-east-1")


@pytest.fixture
def table(client: Any) -> str:
    client.create_database(DatabaseName=DB)
    client.create_table(DatabaseName=DB, TableName=TABLE)
    return TABLE


def _multi(name: str, values: dict[str, tuple[str, str]], time_ms: int) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": "h1"}],
        "MeasureName": name,
        "MeasureValueType": "MULTI",
        "MeasureValues": [{"Name": n, "Value": v, "Type": t} for n, (v, t) in values.items()],
        "Time": str(time_ms),
    }


def _write(client: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    response: dict[str, Any] = client.write_records(
        DatabaseName=DB, TableName=TABLE, Records=records
    )
    return response


class TestMeasureAndAttributeNamespaces:
    def test_multi_record_named_like_its_attribute(self, client: Any, table: str) -> None:
        # awswrangler's shape: MeasureName "measure1" with attributes measure1, measure2.
        now = time.time_ns() // 1_000_000 - 60_000
        records = [
            _multi("measure1", {"measure1": ("1.0", "DOUBLE"), "measure2": ("2", "BIGINT")}, now),
            _multi(
                "measure1", {"measure1": ("3.0", "DOUBLE"), "measure2": ("4", "BIGINT")}, now + 1
            ),
        ]
        response = _write(client, records)
        assert response["RecordsIngested"]["Total"] == 2

    def test_attribute_still_type_locked(self, client: Any, table: str) -> None:
        now = time.time_ns() // 1_000_000 - 60_000
        _write(client, [_multi("measure1", {"measure1": ("1.0", "DOUBLE")}, now)])
        with pytest.raises(client.exceptions.RejectedRecordsException) as caught:
            _write(client, [_multi("measure1", {"measure1": ("x", "VARCHAR")}, now + 1)])
        assert caught.value.response["RejectedRecords"] == [
            {
                "RecordIndex": 0,
                "Reason": "The measure measure1 has type DOUBLE in the table; it cannot be "
                "written as VARCHAR.",
            }
        ]

    def test_single_measure_named_like_an_attribute(self, client: Any, table: str) -> None:
        now = time.time_ns() // 1_000_000 - 60_000
        _write(client, [_multi("group", {"cpu": ("1.0", "DOUBLE")}, now)])
        single = {
            "Dimensions": [{"Name": "host", "Value": "h1"}],
            "MeasureName": "cpu",
            "MeasureValue": "7",
            "MeasureValueType": "BIGINT",
            "Time": str(now),
        }
        assert _write(client, [single])["RecordsIngested"]["Total"] == 1


_MODEL: dict[str, Any] = {
    "TimeColumn": "time",
    "DimensionMappings": [{"SourceColumn": "host"}],
    "MultiMeasureMappings": {
        "TargetMultiMeasureName": "usage",
        "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}],
    },
}


class TestKmsKeyIdIsNotCheckedByForm:
    def test_create_and_update_database_echo_any_key(self, client: Any) -> None:
        created = client.create_database(DatabaseName=DB, KmsKeyId="mykey")["Database"]
        assert created["KmsKeyId"] == "mykey"
        assert client.describe_database(DatabaseName=DB)["Database"]["KmsKeyId"] == "mykey"
        key = "k" * 2048
        updated = client.update_database(DatabaseName=DB, KmsKeyId=key)["Database"]
        assert updated["KmsKeyId"] == key

    def test_longer_than_2048_is_refused(self, client: Any) -> None:
        with pytest.raises(client.exceptions.ValidationException):
            client.create_database(DatabaseName=DB, KmsKeyId="k" * 2049)

    def test_batch_load_report_key_is_echoed(self, client: Any, table: str) -> None:
        report = {
            "BucketName": "report-bucket",
            "EncryptionOption": "SSE_KMS",
            "KmsKeyId": "mykey",
        }
        task_id = client.create_batch_load_task(
            TargetDatabaseName=DB,
            TargetTableName=TABLE,
            DataSourceConfiguration={
                "DataSourceS3Configuration": {"BucketName": "source-bucket"},
                "DataFormat": "CSV",
            },
            ReportConfiguration={"ReportS3Configuration": report},
            DataModelConfiguration={"DataModel": _MODEL},
        )["TaskId"]
        described = client.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        assert described["ReportConfiguration"]["ReportS3Configuration"]["KmsKeyId"] == "mykey"


class TestAccountId:
    @pytest.mark.parametrize("account_id", ["", "12345678901", "1234567890123", "abcdefghijkl"])
    def test_not_12_digits_is_refused_at_construction(self, account_id: str) -> None:
        with pytest.raises(ValueError, match="12 digits"):
            mock_timestream_write(account_id=account_id)

    def test_12_digits_make_valid_arns(self) -> None:
        with mock_timestream_write(account_id="111122223333"):
            c = boto3.client("timestream-write", region_name="us-east-1")
            arn = c.create_database(DatabaseName=DB)["Database"]["Arn"]
        assert arn == f"arn:aws:timestream:us-east-1:111122223333:database/{DB}"


class TestEndOfTime:
    def test_record_outside_the_window_near_year_9999_is_rejected(self) -> None:
        with freeze_time("9999-12-31 23:59:00"), mock_timestream_write():
            c = boto3.client("timestream-write", region_name="us-east-1")
            c.create_database(DatabaseName=DB)
            c.create_table(DatabaseName=DB, TableName=TABLE)
            now_ms = time.time_ns() // 1_000_000
            old = _multi("m", {"a": ("1.0", "DOUBLE")}, 1_000)
            with pytest.raises(c.exceptions.RejectedRecordsException) as caught:
                c.write_records(
                    DatabaseName=DB,
                    TableName=TABLE,
                    Records=[old, _multi("m", {"a": ("1.0", "DOUBLE")}, now_ms)],
                )
            (entry,) = caught.value.response["RejectedRecords"]
            assert entry["RecordIndex"] == 0
            assert entry["Reason"].startswith("The record timestamp is outside the time range [")
            assert entry["Reason"].endswith(", 9999-12-31T23:59:59.999Z) of the memory store.")
