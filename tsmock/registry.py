"""The one piece of global state: which mock state is active.

The outermost activation installs its `MockState`; nested activations share it;
the last stop clears it. This module stays import-light: the intercept hooks
consult it on every botocore request.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsmock.state import MockState

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

_active: MockState | None = None
_depth = 0
_activation_lock = threading.RLock()


def active() -> MockState | None:
    """The state of the active mock, or None when no mock is active."""
    return _active


def activate(state: MockState) -> tuple[MockState, bool]:
    """Enter an activation; returns the state in force and whether it is the outermost."""
    global _active, _depth
    with _activation_lock:
        _depth += 1
        if _active is None:
            _active = state
            return state, True
        return _active, False


def deactivate() -> bool:
    """Leave an activation; returns True when it was the outermost one."""
    global _active, _depth
    with _activation_lock:
        if _depth == 0:
            return False
        _depth -= 1
        if _depth == 0:
            _active = None
            return True
        return False
