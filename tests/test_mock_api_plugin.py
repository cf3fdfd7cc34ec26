"""The pytest plugin: ``timestream_write_mock`` through the ``pytest11`` entry point."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest

from tsmock import TimestreamWriteMock, registry

pytest_plugins = ["pytester"]


def test_entry_point_registers_the_plugin() -> None:
    (plugin,) = [ep for ep in entry_points(group="pytest11") if ep.name == "tsmock"]
    assert plugin.value == "tsmock.pytest_plugin"
    assert hasattr(plugin.load(), "timestream_write_mock")


def test_fixture_is_an_active_handle(timestream_write_mock: Any) -> None:
    assert isinstance(timestream_write_mock, TimestreamWriteMock)
    assert timestream_write_mock.active
    assert registry.active() is not None


def test_fixture_in_an_inline_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import boto3
        from tsmock import registry


        def client():
            return boto3.client("timestream-write", region_name="us-east-1")


        def test_a_creates(timestream_write_mock):
            client().create_database(DatabaseName="db1")
            assert list(timestream_write_mock.backend().databases) == ["db1"]


        def test_b_starts_empty(timestream_write_mock):
            assert client().list_databases()["Databases"] == []
            assert [c.operation for c in timestream_write_mock.calls] == [
                "DescribeEndpoints",
                "ListDatabases",
            ]


        def test_c_stopped_after_the_test():
            assert registry.active() is None


        def test_d_fails_inside(timestream_write_mock):
            client().describe_database(DatabaseName="missing")


        def test_e_still_stopped():
            assert registry.active() is None
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_d_fails_inside*", "*ResourceNotFoundException*"])
    assert registry.active() is None
