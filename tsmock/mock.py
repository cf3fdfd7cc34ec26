"""`mock_timestream_write` and `mock_timestream`: decorator, context manager, handle."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from tsmock import registry
from tsmock.backend.objects import ObjectStoreError
from tsmock.decorating import decorate_callable, decorate_class
from tsmock.defaults import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from tsmock.handle_errors import (
    ObjectNotFoundError,
    ResourceNotFoundError,
    not_active,
    summary,
)
from tsmock.services import QUERY, WRITE

if TYPE_CHECKING:

    from tsmock.backend.models import BatchLoadTask, Record
    from tsmock.backend.scheduled import ScheduledQueryRun
    from tsmock.backend.service import TimestreamWriteBackend
    from tsmock.calls import Call
    from tsmock.faults import Fault
    from tsmock.state import MockState

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)
#: The handle's own class, so that `TimestreamMock().start()` is a `TimestreamMock`.
M = TypeVar("M", bound="TimestreamWriteMock")

_BATCH_LOAD_MODES = ("immediate", "manual")


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

    def start(self: M) -> M:
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
            current = registry.active()
            if current is not None:
                self._check_joins(current)
            # A nested start joins the state in force: no new one is built for it.
            state, _ = registry.activate(
                current
                or MockState(
                    account_id=self.account_id,
                    region_name=region_name,
                    services=self.services,
                ),
                lambda: SwitchedOn(region_name),
            )
            self._starts += 1
            self._state = state
        return self

    def _check_joins(self, current: MockState) -> None:
        # A nested activation shares the outer state: asking for another account or
        # region would silently get the outer one, so it is refused instead. Without
        # a region of its own, a nested mock takes the outer one.
        wanted = (self.account_id, self.region_name or current.region_name)
        if wanted != (current.account_id, current.region_name):
            raise RuntimeError(
                f"a mock is already active with account {current.account_id}, region "
                f"{current.region_name}; a nested activation cannot use account "
                f"{wanted[0]}, region {wanted[1]}: nested activations share the outer "
                "state, so give them the same account_id and region_name"
            )

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

    def __enter__(self: M) -> M:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self: M) -> M:
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
            return decorate_class(self, target)
        if not callable(target):
            raise TypeError(
                f"mock_timestream_write decorates functions and classes, not {target!r}"
            )
        return decorate_callable(self, target)

    def _fresh(self: M) -> M:
        return type(self)(self.account_id, self.region_name)

    # --- inspection -------------------------------------------------------------

    def _require_state(self) -> MockState:
        if self._state is None:
            raise RuntimeError("This mock has never been started: call start() or use `with`.")
        return self._state

    def _require_active(self, action: str) -> MockState:
        # After stop() the state stays readable until the next start, but a change
        # made to it would be thrown away unseen: refuse it.
        state = self._require_state()
        if not self.active:
            raise not_active(action)
        return state

    @property
    def active(self) -> bool:
        """Whether this handle has an activation that has not stopped yet."""
        return self._starts > 0

    def __repr__(self) -> str:
        state = self._state
        account = state.account_id if state is not None else self.account_id
        region = state.region_name if state is not None else self.region_name or DEFAULT_REGION
        status = "active" if self.active else "inactive"
        return (
            f"<{type(self).__name__} {status} account_id={account} region_name={region} "
            f"{summary(state)}>"
        )

    def backend(
        self, region_name: str | None = None, account_id: str | None = None
    ) -> TimestreamWriteBackend:
        """The backend of one account and region (the mock's own by default)."""
        return self._require_state().backend(region_name, account_id)

    def records(
        self,
        database: str,
        table: str,
        region_name: str | None = None,
        account_id: str | None = None,
    ) -> list[Record]:
        """The stored records of a table, in write order; `tsmock.NotFoundError` if none."""
        backend = self.backend(region_name, account_id)
        with backend.lock:
            found = backend.databases.get(database)
            if found is None:
                raise ResourceNotFoundError(
                    f"database {database!r}", backend.account_id, backend.region_name
                )
            found_table = found.tables.get(table)
            if found_table is None:
                raise ResourceNotFoundError(
                    f"table {table!r} of database {database!r}",
                    backend.account_id,
                    backend.region_name,
                )
            return found_table.records

    # --- object store -----------------------------------------------------------

    def put_object(self, bucket: str, key: str, body: bytes | str) -> None:
        """Store an object for batch load (in moto's S3 while moto is active)."""
        self._require_active("putting an object").objects.put_object(bucket, key, body)

    def get_object(self, bucket: str, key: str) -> bytes:
        """The body of a stored object; `tsmock.NotFoundError` if the bucket or key is missing."""
        state = self._require_state()
        try:
            return state.objects.get_object(bucket, key)
        except ObjectStoreError as error:
            raise ObjectNotFoundError(
                f"object s3://{bucket}/{key} ({error.reason})",
                state.account_id,
                state.region_name,
                error.reason,
            ) from None

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
        self._require_active("setting batch_load_mode").batch_load_mode = mode

    def advance_batch_load_task(
        self,
        task_id: str,
        region_name: str | None = None,
        account_id: str | None = None,
    ) -> str:
        """In manual mode, take one step of a task's lifecycle; returns the new status."""
        self._require_active("advancing a batch load task")
        return self.backend(region_name, account_id).advance_batch_load_task(task_id)

    def stop_batch_load_task(
        self,
        task_id: str,
        after_rows: int | None = None,
        region_name: str | None = None,
        account_id: str | None = None,
    ) -> str:
        """Make a task stop (PROGRESS_STOPPED) so that ResumeBatchLoadTask can be tested.

        Without ``after_rows``, an IN_PROGRESS task stops now; with it, the task's
        next run stops after that many more CSV data rows. Returns the status.
        """
        self._require_active("stopping a batch load task")
        return self.backend(region_name, account_id).stop_batch_load_task(task_id, after_rows)

    def batch_load_task(
        self,
        task_id: str,
        region_name: str | None = None,
        account_id: str | None = None,
    ) -> BatchLoadTask:
        """A batch load task of one account and region, by id; `tsmock.NotFoundError` if none."""
        backend = self.backend(region_name, account_id)
        task = backend.batch_load_tasks.get(task_id)
        if task is None:
            raise ResourceNotFoundError(
                f"batch load task {task_id!r}", backend.account_id, backend.region_name
            )
        return task

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
        state = self._require_active("adding a fault")
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

    def run_scheduled_queries(self, until: datetime | None = None) -> list[ScheduledQueryRun]:
        """Run every due invocation of every ENABLED scheduled query up to ``until``.

        ``until`` defaults to the clock now (freezegun moves it). Invocations run in
        time order across all accounts and regions of this activation, each once;
        returns the runs (ARN, invocation time, status, records ingested).
        """
        state = self._require_active("running scheduled queries")
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
    return _handle_or_decorated(TimestreamMock(account_id, region_name), func)


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
    return _handle_or_decorated(TimestreamWriteMock(account_id, region_name), func)


def _handle_or_decorated(mock: TimestreamWriteMock, func: Any) -> Any:
    # Called bare (``@mock_timestream_write``) the factory got the function;
    # called with options (or none), it returns the handle.
    return mock if func is None else mock(func)


__all__ = ["TimestreamMock", "TimestreamWriteMock", "mock_timestream", "mock_timestream_write"]
