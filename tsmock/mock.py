"""`mock_timestream_write`: decorator, context manager and handle in one object."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from tsmock import registry
from tsmock.intercept import Interception

if TYPE_CHECKING:
    import unittest

    from tsmock.backend.models import BatchLoadTask, Record
    from tsmock.backend.service import TimestreamWriteBackend
    from tsmock.faults import Call, Fault
    from tsmock.state import MockState

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_BATCH_LOAD_MODES = ("immediate", "manual")
_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
_CREDENTIAL_SOURCES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def _aws_files() -> list[str]:
    return [
        os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"),
    ]


def _configured_elsewhere() -> bool:
    return any(os.path.exists(os.path.expanduser(path)) for path in _aws_files())


class _Environment:
    """Fake credentials and a default region where none are configured; undone exactly."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def apply(self, region_name: str) -> None:
        wanted: dict[str, str] = {}
        files = None
        if not any(os.environ.get(name) for name in _CREDENTIAL_SOURCES):
            files = _configured_elsewhere()
            if not files:
                wanted.update(_FAKE_CREDENTIALS)
        if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
            if files is None:
                files = _configured_elsewhere()
            if not files:
                wanted["AWS_DEFAULT_REGION"] = region_name
        for name, value in wanted.items():
            self._saved[name] = os.environ.get(name)
            os.environ[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


class TimestreamWriteMock:
    """The handle of a mock: activate it, inspect what it stores, shape its behavior.

    Use it as a decorator (on sync or async functions and on classes), as a
    context manager (sync or async), or with `start` and `stop`. Nested
    activations share the state of the outermost one.
    """

    def __init__(
        self, account_id: str = registry.DEFAULT_ACCOUNT_ID, region_name: str | None = None
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self._state: MockState | None = None
        self._starts = 0
        self._owns_state = False
        self._interception: Interception | None = None
        self._environment: _Environment | None = None

    # --- activation -------------------------------------------------------------

    def start(self) -> TimestreamWriteMock:
        """Activate the mock (or join the active one); returns the handle."""
        # Imported on first start, so that importing tsmock stays cheap.
        from tsmock.state import MockState

        fresh = MockState(
            account_id=self.account_id,
            region_name=self.region_name or registry.DEFAULT_REGION,
        )
        state, outermost = registry.activate(fresh)
        self._starts += 1
        self._state = state
        if outermost:
            self._owns_state = True
            self._environment = _Environment()
            self._environment.apply(self.region_name or registry.DEFAULT_REGION)
            self._interception = Interception()
            try:
                self._interception.start()
            except BaseException:
                self._environment.restore()
                registry.deactivate()
                raise
        return self

    def stop(self) -> None:
        """Deactivate; the outermost stop restores everything start changed."""
        if self._starts == 0:
            return
        self._starts -= 1
        outermost = registry.deactivate()
        if outermost:
            if self._interception is not None:
                self._interception.stop()
                self._interception = None
            if self._environment is not None:
                self._environment.restore()
                self._environment = None
            if self._state is not None:
                self._state.faults.clear_faults()

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
        if inspect.isclass(target):
            return self._decorate_class(target)
        return self._decorate_callable(target)

    def _fresh(self) -> TimestreamWriteMock:
        return TimestreamWriteMock(self.account_id, self.region_name)

    def _decorate_callable(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Each call of the decorated function gets its own activation (so state never
        # leaks from one test to the next) through this handle.
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

    def _decorate_class(self, cls: type) -> type:
        # unittest is imported by whoever defines a TestCase; no need to import it here.
        unittest_module = sys.modules.get("unittest")
        if unittest_module is not None and issubclass(cls, unittest_module.TestCase):
            self._decorate_test_case(cls)
            return cls
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and callable(attribute):
                setattr(cls, name, self._fresh()._decorate_callable(attribute))
        return cls

    def _decorate_test_case(self, cls: type[unittest.TestCase]) -> None:
        # setUpClass/tearDownClass run inside the mock too (each in its own
        # activation); every test gets one activation from setUp to its cleanups.
        factory = self._fresh
        for hook in ("setUpClass", "tearDownClass"):
            original = getattr(cls, hook)

            def class_hook(klass: type, _original: Any = original) -> None:
                with factory():
                    _original.__func__(klass)

            setattr(cls, hook, classmethod(class_hook))
        original_set_up = cls.setUp

        def set_up(test: unittest.TestCase) -> None:
            mock = factory()
            mock.start()
            test.addCleanup(mock.stop)
            original_set_up(test)

        cls.setUp = set_up  # type: ignore[method-assign]

    # --- inspection -------------------------------------------------------------

    def _require_state(self) -> MockState:
        if self._state is None:
            raise RuntimeError("This mock has never been started: call start() or use `with`.")
        return self._state

    @property
    def active(self) -> bool:
        return self._starts > 0

    def backend(
        self, region_name: str = registry.DEFAULT_REGION, account_id: str | None = None
    ) -> TimestreamWriteBackend:
        """The backend of one account and region (the mock's account by default)."""
        return self._require_state().backend(region_name, account_id)

    def records(
        self,
        database: str,
        table: str,
        region_name: str = registry.DEFAULT_REGION,
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
        return self._require_state().objects.get_object(bucket, key)

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        return self._require_state().objects.list_objects(bucket, prefix)

    # --- batch load -------------------------------------------------------------

    @property
    def batch_load_mode(self) -> str:
        """``"immediate"``: a task runs to its end when created; ``"manual"``: it waits."""
        return self._require_state().batch_load_mode

    @batch_load_mode.setter
    def batch_load_mode(self, mode: str) -> None:
        if mode not in _BATCH_LOAD_MODES:
            raise ValueError(f"batch_load_mode must be one of {_BATCH_LOAD_MODES}, not {mode!r}")
        self._require_state().batch_load_mode = mode

    def advance_batch_load_task(
        self, task_id: str, region_name: str = registry.DEFAULT_REGION, account_id: str | None = None
    ) -> str:
        """In manual mode, take one step of a task's lifecycle; returns the new status."""
        return self.backend(region_name, account_id).advance_batch_load_task(task_id)

    def batch_load_task(
        self, task_id: str, region_name: str = registry.DEFAULT_REGION, account_id: str | None = None
    ) -> BatchLoadTask:
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
    ) -> Fault:
        """Make matching calls fail with an AWS error; returns the fault (see `Fault.fired`)."""
        return self._require_state().faults.add(
            operation,
            error_code,
            times=times,
            probability=probability,
            seed=seed,
            database=database,
            table=table,
            message=message,
        )

    @property
    def faults(self) -> list[Fault]:
        """The faults injected in this activation, with how often each fired."""
        return self._require_state().faults.faults()

    @property
    def calls(self) -> list[Call]:
        """Every call answered while active, in order."""
        return self._require_state().faults.calls_so_far()


@overload
def mock_timestream_write(
    func: None = None, *, account_id: str = ..., region_name: str | None = ...
) -> TimestreamWriteMock: ...


@overload
def mock_timestream_write(func: F) -> F: ...


def mock_timestream_write(
    func: Any = None,
    *,
    account_id: str = registry.DEFAULT_ACCOUNT_ID,
    region_name: str | None = None,
) -> Any:
    """Mock Amazon Timestream Write: ``@mock_timestream_write``, ``with mock_timestream_write() as ts``."""
    mock = TimestreamWriteMock(account_id=account_id, region_name=region_name)
    if func is None:
        return mock
    return mock(func)


__all__ = ["TimestreamWriteMock", "mock_timestream_write"]
