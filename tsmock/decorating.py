"""How a mock decorates: functions (sync, async, generators) and test classes.

Each call of a decorated function gets its own activation through the handle,
so state never leaks from one test to the next.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import unittest


class Activation(Protocol):
    """What decorating needs of a handle (`tsmock.mock.TimestreamWriteMock`)."""

    def __enter__(self) -> Any: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def start(self) -> Any: ...

    def stop(self) -> None: ...

    def _fresh(self) -> Activation: ...


def _call_optional(function: Callable[..., Any], instance: Any, method: Any) -> None:
    # pytest passes the test method to setup_method/teardown_method only when
    # the function takes it; call the user's function the same way.
    code = getattr(function, "__code__", None)
    if code is not None and code.co_argcount < 2:
        function(instance)
    else:
        function(instance, method)


def decorate_callable(mock: Activation, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a function, coroutine function, generator or async generator function."""
    # Each call of the decorated function gets its own activation (so state never
    # leaks from one test to the next) through this handle.
    if inspect.isasyncgenfunction(func):
        return _decorate_async_generator(mock, func)
    if inspect.isgeneratorfunction(func):
        # A yield fixture: the body runs inside the mock from the first next()
        # until the generator finishes or is closed (``yield from`` forwards
        # send/throw/close to it).
        @functools.wraps(func)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            with mock:
                return (yield from func(*args, **kwargs))

        return generator_wrapper
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with mock:
                return await func(*args, **kwargs)

        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mock:
            return func(*args, **kwargs)

    return wrapper


def _decorate_async_generator(mock: Activation, func: Callable[..., Any]) -> Callable[..., Any]:
    # Async generators have no ``yield from``: forward asend/athrow/aclose by hand,
    # so the body runs inside one activation from its first step to its end.
    @functools.wraps(func)
    async def async_generator_wrapper(*args: Any, **kwargs: Any) -> Any:
        with mock:
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


def decorate_class(mock: Activation, cls: type) -> type:
    """Make every test of a class (unittest or pytest style) and its hooks run mocked."""
    # unittest is imported by whoever defines a TestCase; no need to import it here.
    unittest_module = sys.modules.get("unittest")
    if unittest_module is not None and issubclass(cls, unittest_module.TestCase):
        _decorate_test_case(mock, cls)
        return cls
    _decorate_plain_class(mock, cls)
    return cls


def _decorate_class_hooks(mock: Activation, cls: type, names: tuple[str, str]) -> None:
    # Class-level set-up and tear-down run inside the mock, each in its own
    # activation, so they never reach AWS (state made there ends with them).
    factory = mock._fresh
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


def _decorate_test_case(mock: Activation, cls: type[unittest.TestCase]) -> None:
    # Every test gets one activation from setUp to its cleanups (tearDown
    # included); setUpClass/tearDownClass run inside the mock too.
    _decorate_class_hooks(mock, cls, ("setUpClass", "tearDownClass"))
    factory = mock._fresh
    original_set_up = cls.setUp

    def set_up(test: unittest.TestCase) -> None:
        mock = factory()
        mock.start()
        test.addCleanup(mock.stop)
        original_set_up(test)

    cls.setUp = set_up  # type: ignore[assignment,method-assign]


def _decorate_plain_class(mock: Activation, cls: type) -> None:
    # A pytest-style class: every test* method runs inside the mock; with
    # setup_method/teardown_method, one activation spans all three, as the
    # unittest form does; setup_class/teardown_class run inside the mock too.
    _decorate_class_hooks(mock, cls, ("setup_class", "teardown_class"))
    for name, attribute in list(vars(cls).items()):
        if name.startswith("test") and inspect.isfunction(attribute):
            setattr(cls, name, decorate_callable(mock._fresh(), attribute))
    set_up = getattr(cls, "setup_method", None)
    tear_down = getattr(cls, "teardown_method", None)
    if set_up is None and tear_down is None:
        return
    factory = mock._fresh

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


__all__ = ["Activation", "decorate_callable", "decorate_class"]
