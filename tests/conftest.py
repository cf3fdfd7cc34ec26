"""Suite-wide guard: no test may open a network connection or resolve a name.

tsmock answers every Timestream Write call in-process, and moto answers the
other services through ``responses``; anything that reaches a socket is a bug
this guard turns into a failure.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

# Under CI the property tests replay a fixed set of examples, so the gate that
# decides whether a change lands is deterministic; local runs keep exploring.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


class NetworkAccessError(AssertionError):
    """A test tried to reach the network."""


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkAccessError(f"network access attempted: {args!r}")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    monkeypatch.setattr(socket, "gethostbyname", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    yield


@pytest.fixture
def ts(timestream_write_mock: Any) -> Any:
    """Short name for the plugin's fixture."""
    return timestream_write_mock


# Interop tests (marked `interop`, or in a file named test_interop_*.py) exercise
# third-party clients such as awswrangler; they skip when the client is missing.
# Under CI a skip would hide that they never ran, so it fails the run instead.


def _interop_skips_fail() -> bool:
    return bool(os.environ.get("CI"))


def _is_interop_module(path: Any) -> bool:
    return str(getattr(path, "name", "")).startswith("test_interop_")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    # A module-level `pytest.importorskip` skips the whole module at collection.
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and _interop_skips_fail()
        and isinstance(collector, pytest.Module)
        and _is_interop_module(collector.path)
    ):
        report.outcome = "failed"
        report.longrepr = f"interop module skipped under CI: {report.longrepr}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_interop_module(item.path):
            item.add_marker(pytest.mark.interop)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and _interop_skips_fail()
        and item.get_closest_marker("interop") is not None
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"interop test skipped under CI: {report.longrepr}"
