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
