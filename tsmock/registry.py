"""All process-global state of tsmock, in one place.

* which `MockState` is active (the outermost activation installs it, nested
  activations share it, the last stop clears it), and how deeply activations nest;
* the lifecycle lock: start and stop take it, so a thread never joins an
  activation whose interception is still being switched on (or off);
* what the outermost activation installed in the process (interception and
  environment), undone by whichever activation stops last: activations may end
  in any order (a fixture's handle and a decorator's);
* per thread, the region of the client whose request is being signed
  (`signing_regions`), for botocore releases whose prepared requests carry no
  request context.

Nothing else in tsmock is global. This module stays import-light: the
interception hooks consult it on every botocore request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from tsmock.defaults import DEFAULT_ACCOUNT_ID, DEFAULT_REGION

if TYPE_CHECKING:
    from tsmock.state import MockState

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "Installed",
    "activate",
    "active",
    "deactivate",
    "lifecycle_lock",
    "signing_regions",
    "unwatch",
    "watch",
]


class Installed(Protocol):
    """What an outermost activation switched on in the process."""

    def undo(self) -> None:
        """Put back everything that was switched on."""


_active: MockState | None = None
_depth = 0
_installed: Installed | None = None
#: Start and stop hold it from their first check to their last change.
lifecycle_lock = threading.RLock()
#: Open watches (`watch`): each collects the states activated while it is open.
_watchers: list[list[MockState]] = []
#: ``signing_regions.<service>``: the client region of the request this thread
#: signs last (`tsmock.intercept`); botocore sends a request in the thread that
#: signed it, right after signing it.
signing_regions = threading.local()


def active() -> MockState | None:
    """The state of the active mock, or None when no mock is active."""
    return _active


def activate(state: MockState, install: Callable[[], Installed]) -> tuple[MockState, bool]:
    """Enter an activation; returns the state in force and whether it is the outermost.

    The outermost activation makes ``state`` the active one and calls ``install``;
    should that fail, nothing stays changed.
    """
    global _active, _depth, _installed
    with lifecycle_lock:
        if _active is not None:
            _depth += 1
            return _active, False
        _active, _depth = state, 1
        try:
            _installed = install()
        except BaseException:
            _active, _depth = None, 0
            raise
        for seen in _watchers:
            seen.append(state)
        return state, True


def watch() -> list[MockState]:
    """Collect the states in force from now on (the active one, then each new one).

    The pytest plugin watches each test, to explain a failure with the calls
    answered during it; `unwatch` ends the watch. Only open watches keep states.
    """
    with lifecycle_lock:
        seen: list[MockState] = [] if _active is None else [_active]
        _watchers.append(seen)
        return seen


def unwatch(seen: list[MockState]) -> None:
    """End a watch begun by `watch`."""
    with lifecycle_lock:
        for index, watcher in enumerate(_watchers):
            if watcher is seen:
                del _watchers[index]
                return


def deactivate() -> bool:
    """Leave an activation; returns True when it was the outermost one (then undone)."""
    global _active, _depth, _installed
    with lifecycle_lock:
        if _depth == 0:
            return False
        _depth -= 1
        if _depth:
            return False
        _active = None
        installed, _installed = _installed, None
        if installed is not None:
            installed.undo()
        return True
