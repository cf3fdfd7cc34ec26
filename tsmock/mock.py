"""`mock_timestream_write` and `mock_timestream`: decorator, context manager, handle."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from tsmock import registry
from tsmock.defaults import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from tsmock.services import QUERY, WRITE

if TYPE_CHECKING:
    import unittest

    from tsmock.backend.models import BatchLoadTask, Record
    from tsmock.backend.scheduled import ScheduledQueryRun
    from tsmock.backend.service import TimestreamWriteBackend
    from tsmock.calls import Call
    from tsmock.faults import Fault
    from tsmock.state import MockState

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_BATCH_LOAD_MODES = ("immediate", "manual")


def _call_optional(function: Callable[..., Any], instance: Any, method: Any) -> None:
    # pytest passes the test method to setup_method/teardown_method only when
    # the function takes it; call the user's function the same way.
    code = getattr(function, "__code__", None)
    if code is not None and code.co_argcount < 2:
        function(instance)
    else:
        function(instance, method)


class TimestreamWriteMock:
    """The handle of a mock: activate it, inspect what it stores, shape its behavior.

    Use it as a decorator (on sync or async functions and on classes), as a
    context manager (sync or async), or with `start` and `stop`. Nested
    activations share the state of the outermost one; the outermost stop
    restores everything the start changed.
    """

    #: The botocore services this mock answers.
    services: frozenset[str] = frozenset({WRITE})

    def __init__(
        self, account_id: str = DEFAULT_ACCOUNT_ID, region_name: str | None = None
    ) -> None:
        # Account ids are 12 digits: every ARN the mock makes carries one.
        if not (
            isinstance(account_id, str)
            and len(account_id) == 12
            and account_id.isascii()
            and account_id.isdigit()
        ):
            raise ValueError(
                f"account_id must be 12 digits, like '123456789012'; got {account_id!r}"
            )
        self.account_id = account_id
        self.region_name = region_name
        self._state: MockState | None = None
        self._starts = 0

    # --- activation -------------------------------------------------------------

    def start(self) -> TimestreamWriteMock:
        """Activate the mock (or join the active one); returns the handle."""
        # Imported on first start, so that importing tsmock stays cheap.
        from tsmock.environment import SwitchedOn
        from tsmock.state import MockState

        if QUERY in self.services:
            # The SQL engine loads here, never inside a request: a first import of
            # pandas/pyarrow under freezegun's frozen clock can crash the interpreter.
            from tsmock.backend.query.engine_modules import load_engine

            load_engine()
        region_name = self.region_name or DEFAULT_REGION
        with registry.lifecycle_lock:
            state, _ = registry.activate(
                MockState(
                    account_id=self.account_id,
                    region_name=region_name,
                    services=self.services,
                ),
                lambda: SwitchedOn(region_name),
            )
            self._starts += 1
            self._state = state
        return self

    def stop(self) -> None:
        """Deactivate; the last activation to stop restores everything start changed."""
        with registry.lifecycle_lock:
            if self._starts == 0:
                return
            self._starts -= 1
            state = registry.active()
            if registry.deactivate() and state is not None:
                state.faults.clear_faults()

    def reset(self) -> None:
        """Empty all state: resources, records, tasks, objects, faults and the call log."""
        self._require_state().reset()

    def __enter__(self) -> TimestreamWriteMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> TimestreamWriteMock:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- decorating -------------------------------------------------------------

    @overload
    def __call__(self, target: C) -> C: ...

    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Any) -> Any:
        """Decorate a function (sync or async) or a test class."""
        if inspect.isclass(target):
            return self._decorate_class(target)
        if not callable(target):
            raise TypeError(
                f"mock_timestream_write decorates functions and classes, not {target!r}"
            )
        return self._decorate_callable(target)

    def _fresh(self) -> TimestreamWriteMock:
        return type(self)(self.account_id, self.region_name)

    def _decorate_callable(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Each call of the decorated function gets its own activation (so state never
        # leaks from one test to the next) through this handle.
        if inspect.isasyncgenfunction(func):
            return self._decorate_async_generator(func)
        if inspect.isgeneratorfunction(func):
            # A yield fixture: the body runs inside the mock from the first next()
            # until the generator finishes or is closed (``yield from`` forwards
            # send/throw/close to it).
            @functools.wraps(func)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return (yield from func(*args, **kwargs))

            return generator_wrapper
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper

    def _decorate_async_generator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Async generators have no ``yield from``: forward asend/athrow/aclose by hand,
        # so the body runs inside one activation from its first step to its end.
        @functools.wraps(func)
        async def async_generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                inner = func(*args, **kwargs)
                try:
                    item = await inner.__anext__()
                except StopAsyncIteration:
                    return
                while True:
                    try:
                        sent = yield item
                    except GeneratorExit:
                        await inner.aclose()
                        raise
                    except BaseException as error:  # forwarded to the body, as yield from does
                        try:
                            item = await inner.athrow(error)
                        except StopAsyncIteration:
                            return
                    else:
                        try:
                            item = await inner.asend(sent)
                        except StopAsyncIteration:
                            return

        return async_generator_wrapper

    def _decorate_class(self, cls: type) -> type:
        # unittest is imported by whoever defines a TestCase; no need to import it here.
        unittest_module = sys.modules.get("unittest")
        if unittest_module is not None and issubclass(cls, unittest_module.TestCase):
            self._decorate_test_case(cls)
            return cls
        self._decorate_plain_class(cls)
        return cls

    def _decorate_class_hooks(self, cls: type, names: tuple[str, str]) -> None:
        # Class-level set-up and tear-down run inside the mock, each in its own
        # activation, so they never reach AWS (state made there ends with them).
        factory = self._fresh
        for name in names:
            raw = vars(cls).get(name)
            if raw is None:
                if not hasattr(cls, name):
                    continue
                raw = getattr(cls, name)
            function = getattr(raw, "__func__", raw)

            def class_hook(klass: type, _function: Any = function) -> None:
                with factory():
                    _function(klass)

            setattr(cls, name, classmethod(class_hook))

    def _decorate_test_case(self, cls: type[unittest.TestCase]) -> None:
        # Every test gets one activation from setUp to its cleanups (tearDown
        # included); setUpClass/tearDownClass run inside the mock too.
        self._decorate_class_hooks(cls, ("setUpClass", "tearDownClass"))
        factory = self._fresh
        original_set_up = cls.setUp

        def set_up(test: unittest.TestCase) -> None:
            mock = factory()
            mock.start()
            test.addCleanup(mock.stop)
            original_set_up(test)

        cls.setUp = set_up  # type: ignore[assignment,method-assign]

    def _decorate_plain_class(self, cls: type) -> None:
        # A pytest-style class: every test* method runs inside the mock; with
        # setup_method/teardown_method, one activation spans all three, as the
        # unittest form does; setup_class/teardown_class run inside the mock too.
        self._decorate_class_hooks(cls, ("setup_class", "teardown_class"))
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(attribute):
                setattr(cls, name, self._fresh()._decorate_callable(attribute))
        set_up = getattr(cls, "setup_method", None)
        tear_down = getattr(cls, "teardown_method", None)
        if set_up is None and tear_down is None:
            return
        factory = self._fresh

        def setup_method(instance: Any, method: Any = None) -> None:
            mock = factory()
            mock.start()
            instance._tsmock_activation = mock
            try:
                if set_up is not None:
                    _call_optional(set_up, instance, method)
            except BaseException:
                # pytest skips teardown_method after a failed setup_method.
                del instance._tsmock_activation
                mock.stop()
                raise

        def teardown_method(instance: Any, method: Any = None) -> None:
            mock = instance.__dict__.pop("_tsmock_activation", None)
            try:
                if tear_down is not None:
                    _call_optional(tear_down, instance, method)
            finally:
                if mock is not None:
                    mock.stop()

        cls.setup_method = setup_method  # type: ignore[attr-defined]
        cls.teardown_method = teardown_method  # type: ignore[attr-defined]

    # --- inspection -------------------------------------------------------------

    def _require_state(self) -> MockState:
        if self._state is None:
            raise RuntimeError("This mock has never been started: call start() or use `with`.")
        return self._state

    @property
    def active(self) -> bool:
        """Whether this handle has an activation that has not stopped yet."""
        return self._starts > 0

    def backend(
        self, region_name: str = DEFAULT_REGION, account_id: str | None = None
    ) -> TimestreamWriteBackend:
        """The backend of one account and region (the mock's account by default)."""
        return self._require_state().backend(region_name, account_id)

    def records(
        self,
        database: str,
        table: str,
        region_name: str = DEFAULT_REGION,
        account_id: str | None = None,
    ) -> list[Record]:
        """The stored records of a table, in write order."""
        backend = self.backend(region_name, account_id)
        with backend.lock:
            return backend.get_table(database, table).records

    # --- object store -----------------------------------------------------------

    def put_object(self, bucket: str, key: str, body: bytes | str) -> None:
        """Store an object for batch load (in moto's S3 while moto is active)."""
        self._require_state().objects.put_object(bucket, key, body)

    def get_object(self, bucket: str, key: str) -> bytes:
        """The body of a stored object."""
        return self._require_state().objects.get_object(bucket, key)

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        """The keys of a bucket that start with ``prefix``, sorted."""
        return self._require_state().objects.list_objects(bucket, prefix)

    # --- batch load -------------------------------------------------------------

    @property
    def batch_load_mode(self) -> str:
        """``"immediate"``: a task runs to its end when created; ``"manual"``: it waits."""
        return self._require_state().batch_load_mode

    @batch_load_mode.setter
    def batch_load_mode(self, mode: str) -> None:
        """Choose ``"immediate"`` or ``"manual"``."""
        if mode not in _BATCH_LOAD_MODES:
            raise ValueError(f"batch_load_mode must be one of {_BATCH_LOAD_MODES}, not {mode!r}")
        self._require_state().batch_load_mode = mode

    def advance_batch_load_task(
        self,
        task_id: str,
        region_name: str = DEFAULT_REGION,
        account_id: str | None = None,
    ) -> str:
        """In manual mode, take one step of a task's lifecycle; returns the new status."""
        return self.backend(region_name, account_id).advance_batch_load_task(task_id)

    def stop_batch_load_task(
        self,
        task_id: str,
        after_rows: int | None = None,
        region_name: str = DEFAULT_REGION,
        account_id: str | None = None,
    ) -> str:
        """Make a task stop (PROGRESS_STOPPED) so that ResumeBatchLoadTask can be tested.

        Without ``after_rows``, an IN_PROGRESS task stops now; with it, the task's
        next run stops after that many more CSV data rows. Returns the status.
        """
        return self.backend(region_name, account_id).stop_batch_load_task(task_id, after_rows)

    def batch_load_task(
        self,
        task_id: str,
        region_name: str = DEFAULT_REGION,
        account_id: str | None = None,
    ) -> BatchLoadTask:
        """A batch load task of one account and region, by id."""
        return self.backend(region_name, account_id).batch_load_tasks[task_id]

    # --- faults and calls -------------------------------------------------------

    def add_fault(
        self,
        operation: str,
        error_code: str,
        times: int | None = 1,
        probability: float | None = None,
        seed: int | None = None,
        database: str | None = None,
        table: str | None = None,
        message: str | None = None,
        service: str | None = None,
    ) -> Fault:
        """Make matching calls fail with an AWS error; returns the fault (see `Fault.fired`)."""
        state = self._require_state()
        return state.faults.add(
            operation,
            error_code,
            times=times,
            probability=probability,
            seed=seed,
            database=database,
            table=table,
            message=message,
            service=service,
            services=state.services,
        )

    @property
    def faults(self) -> list[Fault]:
        """The faults injected in this activation, with how often each fired."""
        return self._require_state().faults.faults()

    @property
    def calls(self) -> list[Call]:
        """Every call answered while active, in order."""
        return self._require_state().calls.calls()


class TimestreamMock(TimestreamWriteMock):
    """The handle of `mock_timestream`: answers timestream-write and timestream-query.

    One state serves both services, so a query reads what the test wrote.
    """

    services: frozenset[str] = frozenset({WRITE, QUERY})

    def start(self) -> TimestreamMock:
        """Activate the mock (or join the active one); returns the handle."""
        super().start()
        return self

    def __enter__(self) -> TimestreamMock:
        return self.start()

    async def __aenter__(self) -> TimestreamMock:
        return self.start()

    def run_scheduled_queries(self, until: datetime | None = None) -> list[ScheduledQueryRun]:
        """Run every due invocation of every ENABLED scheduled query up to ``until``.

        ``until`` defaults to the clock now (freezegun moves it). Invocations run in
        time order across all accounts and regions of this activation, each once;
        returns the runs (ARN, invocation time, status, records ingested).
        """
        state = self._require_state()
        if not self.active:
            raise RuntimeError("the mock is not active: start it before running scheduled queries")
        moment = until if until is not None else datetime.now(timezone.utc)
        runs: list[ScheduledQueryRun] = []
        for backend in state.backends(QUERY):
            runs.extend(backend.scheduled.run_due(moment))
        runs.sort(key=lambda run: run.invocation_time)
        return runs


@overload
def mock_timestream(
    func: None = None, *, account_id: str = ..., region_name: str | None = ...
) -> TimestreamMock: ...


@overload
def mock_timestream(func: F) -> F: ...


def mock_timestream(
    func: Any = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region_name: str | None = None,
) -> Any:
    """Mock Amazon Timestream Write and Query over one state (needs ``timestream-mock[query]``).

    The same forms as `mock_timestream_write`: decorator (bare or called, on
    functions and classes), ``with``, ``async with``, ``start()``/``stop()``.
    """
    mock = TimestreamMock(account_id=account_id, region_name=region_name)
    if func is None:
        return mock
    return mock(func)


@overload
def mock_timestream_write(
    func: None = None, *, account_id: str = ..., region_name: str | None = ...
) -> TimestreamWriteMock: ...


@overload
def mock_timestream_write(func: F) -> F: ...


def mock_timestream_write(
    func: Any = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region_name: str | None = None,
) -> Any:
    """Mock Amazon Timestream Write.

    ``@mock_timestream_write`` (bare or called, on functions and classes),
    ``with mock_timestream_write() as ts``, ``async with``, or ``start()``/``stop()``.
    """
    mock = TimestreamWriteMock(account_id=account_id, region_name=region_name)
    if func is None:
        return mock
    return mock(func)


__all__ = ["TimestreamMock", "TimestreamWriteMock", "mock_timestream", "mock_timestream_write"]
