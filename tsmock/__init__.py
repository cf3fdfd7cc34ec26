"""tsmock: an in-process mock of Amazon Timestream Write for boto3 tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tsmock.intercept import install_builtin_handlers
from tsmock.mock import TimestreamWriteMock, mock_timestream_write

if TYPE_CHECKING:
    from tsmock.backend.models import BatchLoadTask, Database, Record, Table
    from tsmock.calls import Call
    from tsmock.faults import Fault

install_builtin_handlers()

# The models load with the first activation; naming them here should not cost
# every importer of tsmock their class creation.
_LAZY = {
    "BatchLoadTask": "tsmock.backend.models",
    "Database": "tsmock.backend.models",
    "Record": "tsmock.backend.models",
    "Table": "tsmock.backend.models",
    "Call": "tsmock.calls",
    "Fault": "tsmock.faults",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tsmock' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "BatchLoadTask",
    "Call",
    "Database",
    "Fault",
    "Record",
    "Table",
    "TimestreamWriteMock",
    "mock_timestream_write",
]
__version__ = "0.1.0"
