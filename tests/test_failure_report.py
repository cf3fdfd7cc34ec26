"""A failing test says why: the ``tsmock`` report section, the logger and the marker."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from typing import Any

import boto3
import pytest

import tsmock
from tsmock import TimestreamWriteMock, mock_timestream_write

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True, scope="module")
def _modules_loaded() -> None:
    # An in-process pytest run forgets the modules first imported during it (and a
    # second import of pyarrow in one process can crash it): import them here first.
    for module in pkgutil.walk_packages(tsmock.__path__, "tsmock."):
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra that is not installed
            continue
    from tsmock.backend.query.engine_modules import load_engine

    load_engine()

# A test module run by pytester: one write that is rejected, one call that fails.
FAILING_MODULE = '''
import time

import boto3
import pytest

from tsmock import mock_timestream_write


def client():
    return boto3.client(
        "timestream-write", region_name="us-east-1",
        aws_access_key_id="x", aws_secret_access_key="y",
    )


def write_bad_and_missing():
    write = client()
    write.create_database(DatabaseName="db1")
    write.create_table(DatabaseName="db1", TableName="cpu")
    now = str(int(time.time() * 1000))
    good = {"Dimensions": [{"Name": "h", "Value": "a"}], "MeasureName": "m",
            "MeasureValue": "1", "MeasureValueType": "DOUBLE", "Time": now}
    # Ten days old: outside the memory store window, so the record is rejected.
    bad = dict(good, Time=str(int(time.time() * 1000) - 10 * 86400 * 1000))
    try:
        write.write_records(DatabaseName="db1", TableName="cpu", Records=[good, bad])
    except write.exceptions.RejectedRecordsException:
        pass
    try:
        write.describe_table(DatabaseName="db1", TableName="nope")
    except write.exceptions.ResourceNotFoundException:
        pass


def test_fixture_fails(timestream_write_mock):
    write_bad_and_missing()
    assert False, "fixture test failed"


def test_fixture_passes(timestream_write_mock):
    write_bad_and_missing()


@mock_timestream_write
def test_decorator_fails():
    write_bad_and_missing()
    assert False, "decorated test failed"


@mock_timestream_write
def test_decorator_passes():
    write_bad_and_missing()


def test_without_tsmock_fails():
    assert False, "no mock here"
'''


@pytest.fixture
def outcome(pytester: pytest.Pytester) -> pytest.RunResult:
    pytester.makepyfile(test_module=FAILING_MODULE)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-rA")


def _section(output: str, test: str) -> str:
    # The failure block of one test, from its header to the next one.
    start = output.index(f"_ {test} _")
    rest = output[start + 1 :]
    ends = [rest.find(marker) for marker in ("\n___", "\n===") if rest.find(marker) >= 0]
    return rest[: min(ends)] if ends else rest


def test_failing_tests_get_a_tsmock_section(outcome: pytest.RunResult) -> None:
    outcome.assert_outcomes(passed=2, failed=3)
    output = outcome.stdout.str()
    for test in ("test_fixture_fails", "test_decorator_fails"):
        block = _section(output, test)
        assert "- tsmock -" in block, block
        assert "timestream-write WriteRecords: RejectedRecordsException" in block
        assert "record 1:" in block and "record 0:" not in block
        assert "timestream-write DescribeTable: ResourceNotFoundException" in block
        assert "The table nope does not exist." in block
        assert "calls, 2 with an error:" in block
        assert "CreateTable" not in block  # successful calls are not listed


def test_passing_and_unmocked_tests_print_nothing(outcome: pytest.RunResult) -> None:
    output = outcome.stdout.str()
    assert output.count("- tsmock -") == 2
    assert "- tsmock -" not in _section(output, "test_without_tsmock_fails")


def test_a_failure_with_no_error_answer_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_module="""
def test_quiet(timestream_write_mock):
    assert False
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "- tsmock -" in output
    assert "tsmock answered 0 calls, none with an error" in output


def test_the_marker_configures_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_module="""
import pytest


@pytest.mark.tsmock(account_id="111122223333", region_name="eu-west-1",
                    batch_load_mode="manual")
def test_write(timestream_write_mock):
    backend = timestream_write_mock.backend()
    assert (backend.account_id, backend.region_name) == ("111122223333", "eu-west-1")
    assert timestream_write_mock.batch_load_mode == "manual"


@pytest.mark.tsmock(region_name="ap-south-1")
def test_query(timestream_mock):
    assert timestream_mock.backend().region_name == "ap-south-1"


def test_default(timestream_write_mock):
    backend = timestream_write_mock.backend()
    assert (backend.account_id, backend.region_name) == ("123456789012", "us-east-1")
    assert timestream_write_mock.batch_load_mode == "immediate"
"""
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "--strict-markers"
    )
    result.assert_outcomes(passed=3)


def test_the_marker_refuses_unknown_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_module="""
import pytest


@pytest.mark.tsmock(acount_id="111122223333")
def test_write(timestream_write_mock):
    pass
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    assert result.ret != 0
    assert "acount_id" in result.stdout.str() + result.stderr.str()


# --- the logger -----------------------------------------------------------------------


def _client() -> Any:
    return boto3.client(
        "timestream-write",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


def test_every_answered_call_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tsmock")
    with mock_timestream_write():
        write = _client()
        write.create_database(DatabaseName="db1")
        with pytest.raises(write.exceptions.ConflictException):
            write.create_database(DatabaseName="db1")
    records = [r for r in caplog.records if r.name == "tsmock"]
    success = [r for r in records if "CreateDatabase: OK" in r.getMessage()]
    errors = [r for r in records if "CreateDatabase: ConflictException" in r.getMessage()]
    assert [r.levelno for r in success] == [logging.DEBUG]
    assert [r.levelno for r in errors] == [logging.INFO]
    assert "db1" in errors[0].getMessage()  # the AWS message names the database


def test_rejected_records_are_kept_on_the_call() -> None:
    ts: TimestreamWriteMock
    with mock_timestream_write() as ts:
        write = _client()
        write.create_database(DatabaseName="db1")
        write.create_table(DatabaseName="db1", TableName="cpu")
        record = {
            "Dimensions": [{"Name": "h", "Value": "a"}],
            "MeasureName": "m",
            "MeasureValue": "1",
            "MeasureValueType": "DOUBLE",
            "Time": str(int(time.time() * 1000) - 10 * 86400 * 1000),
        }
        with pytest.raises(write.exceptions.RejectedRecordsException):
            write.write_records(DatabaseName="db1", TableName="cpu", Records=[record])
    (call,) = [c for c in ts.calls if c.operation == "WriteRecords"]
    assert call.error_code == "RejectedRecordsException"
    assert call.error_message is not None
    assert [entry["RecordIndex"] for entry in call.rejected_records] == [0]
