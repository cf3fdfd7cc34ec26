"""`mock_timestream_write` in every form, and the handle (API.md)."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
import unittest
from typing import Any, ClassVar

import boto3
import pytest

import tsmock
from tsmock import TimestreamWriteMock, mock_timestream_write, registry
from tsmock.backend.errors import ResourceNotFoundException
from tsmock.objects import ObjectStoreError


def client() -> Any:
    return boto3.client("timestream-write", region_name="us-east-1")


def database_names() -> list[str]:
    return [d["DatabaseName"] for d in client().list_databases()["Databases"]]


def test_public_names() -> None:
    assert set(tsmock.__all__) >= {"mock_timestream_write", "TimestreamWriteMock"}
    assert tsmock.Record.__name__ == "Record"
    assert tsmock.Database.__name__ == "Database"
    with pytest.raises(AttributeError):
        tsmock.does_not_exist  # noqa: B018


# --- decorators on functions -------------------------------------------------------


@mock_timestream_write
def _bare(name: str) -> list[str]:
    client().create_database(DatabaseName=name)
    return database_names()


@mock_timestream_write()
def _called(name: str) -> list[str]:
    client().create_database(DatabaseName=name)
    return database_names()


@pytest.mark.parametrize("decorated", [_bare, _called])
def test_function_decorators_give_each_call_a_fresh_activation(decorated: Any) -> None:
    assert decorated("db1") == ["db1"]
    # State never leaks from one activation to the next.
    assert decorated("db2") == ["db2"]
    assert registry.active() is None
    assert decorated.__name__ in ("_bare", "_called")


def test_decorator_keeps_the_signature_for_pytest_fixtures() -> None:
    @mock_timestream_write
    def test_something(tmp_path: Any, ts: Any) -> None: ...

    assert list(inspect.signature(test_something).parameters) == ["tmp_path", "ts"]


def test_decorator_with_an_account() -> None:
    @mock_timestream_write(account_id="111122223333", region_name="eu-west-1")
    def create() -> str:
        return client().create_database(DatabaseName="db1")["Database"]["Arn"]  # type: ignore[no-any-return]

    assert create() == "arn:aws:timestream:us-east-1:111122223333:database/db1"


def test_decorated_function_stops_the_mock_when_it_raises() -> None:
    @mock_timestream_write
    def failing() -> None:
        client().create_database(DatabaseName="db1")
        raise KeyError("boom")

    with pytest.raises(KeyError):
        failing()
    assert registry.active() is None


def test_the_decorator_object_is_the_handle() -> None:
    handle = mock_timestream_write()

    @handle
    def create() -> None:
        client().create_database(DatabaseName="db1")
        assert list(handle.backend().databases) == ["db1"]

    create()
    assert not handle.active
    assert [call.operation for call in handle.calls] == ["DescribeEndpoints", "CreateDatabase"]


def test_async_functions_stay_coroutine_functions() -> None:
    @mock_timestream_write
    async def bare() -> list[str]:
        await asyncio.sleep(0)
        client().create_database(DatabaseName="db1")
        return database_names()

    @mock_timestream_write()
    async def called() -> list[str]:
        client().create_database(DatabaseName="db2")
        await asyncio.sleep(0)
        return database_names()

    assert inspect.iscoroutinefunction(bare)
    assert inspect.iscoroutinefunction(called)
    assert asyncio.run(bare()) == ["db1"]
    assert asyncio.run(called()) == ["db2"]
    assert registry.active() is None


def test_async_context_manager() -> None:
    async def body() -> list[str]:
        async with mock_timestream_write() as ts:
            assert isinstance(ts, TimestreamWriteMock)
            client().create_database(DatabaseName="db1")
            return list(ts.backend().databases)

    assert asyncio.run(body()) == ["db1"]
    assert registry.active() is None


def test_decorating_something_else_is_refused() -> None:
    with pytest.raises(TypeError):
        mock_timestream_write()(42)  # type: ignore[call-overload]


# --- decorators on classes ---------------------------------------------------------


@mock_timestream_write
class _DecoratedTestCase(unittest.TestCase):
    class_database: ClassVar[list[str]] = []
    log: ClassVar[list[str]] = []

    @classmethod
    def setUpClass(cls) -> None:
        # Runs inside the mock: this would otherwise reach AWS.
        cls.client = client()
        cls.client.create_database(DatabaseName="class_db")
        cls.class_database = database_names()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.log.append(f"tearDownClass active={registry.active() is not None}")

    def setUp(self) -> None:
        self.log.append("setUp")
        self.client.create_database(DatabaseName="set_up_db")

    def tearDown(self) -> None:
        self.log.append(f"tearDown sees {database_names()}")

    def test_one(self) -> None:
        self.client.create_database(DatabaseName="one")
        assert database_names() == ["one", "set_up_db"]

    def test_two(self) -> None:
        assert database_names() == ["set_up_db"]


def test_unittest_class_decorator() -> None:
    _DecoratedTestCase.log.clear()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_DecoratedTestCase)
    result = unittest.TestResult()
    suite.run(result)
    assert result.errors == [] and result.failures == [], result.errors + result.failures
    assert result.testsRun == 2
    assert _DecoratedTestCase.class_database == ["class_db"]
    assert _DecoratedTestCase.log == [
        "setUp",
        "tearDown sees ['one', 'set_up_db']",
        "setUp",
        "tearDown sees ['set_up_db']",
        "tearDownClass active=True",
    ]
    assert registry.active() is None


def test_unittest_class_decorator_stops_when_set_up_fails() -> None:
    @mock_timestream_write
    class Failing(unittest.TestCase):
        def setUp(self) -> None:
            raise RuntimeError("set-up failed")

        def test_never_runs(self) -> None:
            raise AssertionError

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Failing).run(result)
    assert len(result.errors) == 1
    assert "set-up failed" in result.errors[0][1]
    assert registry.active() is None


def test_async_unittest_case() -> None:
    @mock_timestream_write
    class AsyncCase(unittest.IsolatedAsyncioTestCase):
        async def asyncSetUp(self) -> None:
            client().create_database(DatabaseName="async_db")

        async def test_sees_it(self) -> None:
            assert database_names() == ["async_db"]

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(AsyncCase).run(result)
    assert result.testsRun == 1
    assert result.errors == [] and result.failures == [], result.errors + result.failures


@mock_timestream_write
class TestPlainClass:
    """A pytest-style class: each test* method runs inside its own activation."""

    def setup_method(self, method: Any) -> None:
        client().create_database(DatabaseName="from_setup")

    def teardown_method(self) -> None:
        self.seen_in_teardown = database_names()
        assert self.seen_in_teardown

    def test_first(self) -> None:
        client().create_database(DatabaseName="first")
        assert database_names() == ["first", "from_setup"]

    def test_second(self) -> None:
        assert database_names() == ["from_setup"]

    def helper(self) -> bool:
        return registry.active() is not None


def test_plain_class_decorator() -> None:
    @mock_timestream_write
    class Plain:
        async def test_async(self) -> list[str]:
            client().create_database(DatabaseName="db1")
            return database_names()

        def helper(self) -> bool:
            return registry.active() is not None

    assert inspect.iscoroutinefunction(Plain.test_async)
    assert asyncio.run(Plain().test_async()) == ["db1"]
    # Methods that are not tests are left alone.
    assert Plain().helper() is False
    assert TestPlainClass().helper() is False


def test_plain_class_hooks_outside_pytest() -> None:
    @mock_timestream_write
    class Plain:
        @classmethod
        def setup_class(cls) -> None:
            cls.active_in_setup_class = registry.active() is not None

        def setup_method(self) -> None:
            client().create_database(DatabaseName="from_setup")

        def test_it(self) -> list[str]:
            return database_names()

    Plain.setup_class()
    assert Plain.active_in_setup_class  # type: ignore[attr-defined]
    instance = Plain()
    instance.setup_method(None)  # type: ignore[call-arg]
    assert registry.active() is not None
    assert instance.test_it() == ["from_setup"]
    instance.teardown_method(None)  # type: ignore[attr-defined]
    assert registry.active() is None


def test_plain_class_with_only_a_teardown_method() -> None:
    seen: list[list[str]] = []

    @mock_timestream_write
    class Plain:
        def teardown_method(self, method: Any) -> None:
            seen.append(database_names())

        def test_it(self) -> None:
            client().create_database(DatabaseName="db1")

    instance = Plain()
    instance.setup_method(None)  # type: ignore[attr-defined]
    instance.test_it()
    instance.teardown_method(None)
    assert seen == [["db1"]]
    assert registry.active() is None


def test_plain_class_setup_method_failure_stops_the_mock() -> None:
    @mock_timestream_write
    class Plain:
        def setup_method(self, method: Any) -> None:
            raise RuntimeError("boom")

        def test_it(self) -> None: ...

    with pytest.raises(RuntimeError):
        Plain().setup_method(None)
    assert registry.active() is None


# --- context manager, start/stop, nesting ----------------------------------------------


def test_context_manager_yields_the_handle() -> None:
    with mock_timestream_write() as ts:
        assert isinstance(ts, TimestreamWriteMock)
        assert ts.active
        client().create_database(DatabaseName="db1")
    assert not ts.active
    assert registry.active() is None
    # What the activation stored stays readable on the handle.
    assert list(ts.backend().databases) == ["db1"]


def test_start_and_stop() -> None:
    ts = mock_timestream_write()
    assert ts.start() is ts
    try:
        client().create_database(DatabaseName="db1")
        assert database_names() == ["db1"]
    finally:
        ts.stop()
    ts.stop()  # a second stop is harmless
    assert registry.active() is None
    ts.start()
    try:
        assert database_names() == []
    finally:
        ts.stop()


def test_nested_activations_share_one_backend() -> None:
    with mock_timestream_write() as outer:
        client().create_database(DatabaseName="outer")
        # Another account_id here raises RuntimeError (tests/test_handle_rules.py).
        with mock_timestream_write() as inner:
            assert inner.backend() is outer.backend()
            client().create_database(DatabaseName="inner")
        # The inner stop leaves the outer activation running.
        assert registry.active() is not None
        assert database_names() == ["inner", "outer"]
    assert registry.active() is None


def test_activations_may_stop_in_any_order() -> None:
    from botocore.endpoint import Endpoint

    make_request = Endpoint.make_request
    first = mock_timestream_write().start()
    second = mock_timestream_write().start()
    first.stop()
    assert registry.active() is not None
    assert database_names() == []
    second.stop()
    assert registry.active() is None
    assert Endpoint.make_request is make_request


def test_a_fresh_activation_starts_empty() -> None:
    with mock_timestream_write() as ts:
        client().create_database(DatabaseName="db1")
        ts.add_fault("ListTables", "ThrottlingException")
    with mock_timestream_write() as ts:
        assert database_names() == []
        assert ts.faults == []
        assert [call.operation for call in ts.calls] == ["DescribeEndpoints", "ListDatabases"]


def test_concurrent_starts_and_calls() -> None:
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with mock_timestream_write():
                client().create_database(DatabaseName=f"db{index}")
        except BaseException as error:
            errors.append(error)

    with mock_timestream_write() as ts:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(ts.backend().databases) == [f"db{i}" for i in range(8)]
    assert registry.active() is None


# --- the handle -------------------------------------------------------------------------


def test_reset_empties_everything(ts: Any) -> None:
    c = client()
    c.create_database(DatabaseName="db1")
    boto3.client("timestream-write", region_name="eu-west-1").create_database(DatabaseName="db2")
    ts.put_object("bucket", "key.csv", b"a,b\n")
    ts.add_fault("CreateTable", "ThrottlingException")
    ts.reset()
    assert ts.backend().databases == {}
    assert ts.backend("eu-west-1").databases == {}
    assert ts.faults == []
    assert ts.calls == []
    with pytest.raises(ObjectStoreError):
        ts.get_object("bucket", "key.csv")
    # The mock is still active after a reset.
    c.create_database(DatabaseName="db1")
    c.create_table(DatabaseName="db1", TableName="cpu")


def test_backend_of_a_region_and_an_account(ts: Any) -> None:
    boto3.client("timestream-write", region_name="eu-west-1").create_database(DatabaseName="db1")
    backend = ts.backend("eu-west-1")
    assert backend.region_name == "eu-west-1"
    assert backend.account_id == "123456789012"
    database = backend.databases["db1"]
    assert isinstance(database, tsmock.Database)
    assert database.arn == "arn:aws:timestream:eu-west-1:123456789012:database/db1"
    assert ts.backend().databases == {}
    assert ts.backend("eu-west-1", account_id="111122223333").databases == {}


def test_backend_exposes_databases_tables_and_tasks(ts: Any) -> None:
    c = client()
    c.create_database(DatabaseName="db1")
    c.create_table(DatabaseName="db1", TableName="cpu")
    table = ts.backend().databases["db1"].tables["cpu"]
    assert isinstance(table, tsmock.Table)
    assert table.records == []
    assert ts.backend().batch_load_tasks == {}


def test_records_of_a_table(ts: Any) -> None:
    c = client()
    c.create_database(DatabaseName="db1")
    c.create_table(DatabaseName="db1", TableName="cpu")
    now_ms = int(time.time() * 1000)
    c.write_records(
        DatabaseName="db1",
        TableName="cpu",
        Records=[
            {
                "Dimensions": [{"Name": "host", "Value": "a"}],
                "MeasureName": "load",
                "MeasureValue": "0.5",
                "Time": str(now_ms),
            }
        ],
    )
    (record,) = ts.records("db1", "cpu")
    assert isinstance(record, tsmock.Record)
    assert dict(record.dimensions) == {"host": "a"}
    assert record.measure_name == "load"
    assert record.measure_value == "0.5"
    assert record.time_ns == now_ms * 1_000_000
    with pytest.raises(ResourceNotFoundException):
        ts.records("db1", "missing")


def test_object_store(ts: Any) -> None:
    ts.put_object("bucket", "data/a.csv", "x,y\n")
    ts.put_object("bucket", "data/b.csv", b"1,2\n")
    ts.put_object("bucket", "other.txt", b"")
    assert ts.get_object("bucket", "data/a.csv") == b"x,y\n"
    assert ts.list_objects("bucket", "data/") == ["data/a.csv", "data/b.csv"]
    assert ts.list_objects("bucket") == ["data/a.csv", "data/b.csv", "other.txt"]


def test_a_handle_never_started_says_so() -> None:
    with pytest.raises(RuntimeError, match="never been started"):
        mock_timestream_write().backend()
