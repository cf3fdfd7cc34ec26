"""The pytest plugin (``pytest11``): fixtures, the ``tsmock`` marker, failure reports.

* fixtures ``timestream_write_mock`` and ``timestream_mock``, configured by the
  marker ``@pytest.mark.tsmock(account_id=..., region_name=..., batch_load_mode=...)``;
* when a test that used tsmock (fixture or decorator) fails, its report gets a
  section ``tsmock`` listing the calls answered with an error.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from tsmock import registry
from tsmock.failure_report import render
from tsmock.mock import TimestreamMock, TimestreamWriteMock

if TYPE_CHECKING:
    from tsmock.state import MockState

M = TypeVar("M", bound=TimestreamWriteMock)

_MARKER_OPTIONS = ("account_id", "region_name", "batch_load_mode")
_SEEN: pytest.StashKey[list[MockState]] = pytest.StashKey()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``tsmock`` marker."""
    config.addinivalue_line(
        "markers",
        "tsmock(account_id=..., region_name=..., batch_load_mode=...): "
        "configure the tsmock fixtures of this test",
    )


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("tsmock")
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError("@pytest.mark.tsmock takes keyword arguments only")
    unknown = sorted(set(marker.kwargs) - set(_MARKER_OPTIONS))
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.tsmock got {', '.join(unknown)}; it takes {', '.join(_MARKER_OPTIONS)}"
        )
    return dict(marker.kwargs)


def _activated(kind: type[M], request: pytest.FixtureRequest) -> Iterator[M]:
    options = _marker_options(request)
    mode = options.pop("batch_load_mode", None)
    mock = kind(**options)
    with mock:
        if mode is not None:
            mock.batch_load_mode = mode
        yield mock


@pytest.fixture
def timestream_write_mock(request: pytest.FixtureRequest) -> Iterator[TimestreamWriteMock]:
    """An active Timestream Write mock for one test; stopped (and emptied) afterwards."""
    yield from _activated(TimestreamWriteMock, request)


@pytest.fixture
def timestream_mock(request: pytest.FixtureRequest) -> Iterator[TimestreamMock]:
    """An active mock of Timestream Write and Query (one state) for one test."""
    yield from _activated(TimestreamMock, request)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    """Watch which mock states a test uses, from its set-up to its tear-down."""
    seen = registry.watch()
    item.stash[_SEEN] = seen
    try:
        yield
    finally:
        registry.unwatch(seen)
        del item.stash[_SEEN]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    """Add the ``tsmock`` section to the report of a failed test that used tsmock."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    # The watch holds the state active when the test began and every one
    # activated since, so any state active now is among them.
    seen: list[MockState] = item.stash.get(_SEEN, [])
    if seen:
        report.sections.append(("tsmock", render(seen)))
