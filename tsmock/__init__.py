"""tsmock: an in-process mock of Amazon Timestream for boto3 tests.

Architecture (see `tsmock.services` for how to add a service)::

    intercept.py / fast_path.py   botocore events: before-call (fast answer),
                                  before-send, Endpoint.make_request
    plain_requests.py             plain requests calls (Session.get_adapter)
    protocol.py, shapes.py        AWS JSON 1.0 and the one request checker,
                                  both driven by each service's botocore model
    dispatch.py                   faults.py, calls.py, each service's handler
                                  table (handlers/<service>.py)
    backend/                      the services in plain Python (service.py,
                                  write/, batch_load/), nothing imported from
                                  outside backend/; objects.py hands it a store
    state.py, registry.py         one activation's state (backends per service,
                                  account and region); all process-global state
    mock.py, environment.py       the public handle and what an activation changes
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tsmock.handle_errors import NotFoundError, ObjectNotFoundError, ResourceNotFoundError
from tsmock.intercept import install_builtin_handlers
from tsmock.mock import (
    TimestreamMock,
    TimestreamWriteMock,
    mock_timestream,
    mock_timestream_write,
)

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
    "NotFoundError",
    "ObjectNotFoundError",
    "Record",
    "ResourceNotFoundError",
    "Table",
    "TimestreamMock",
    "TimestreamWriteMock",
    "mock_timestream",
    "mock_timestream_write",
]
__version__ = "0.1.0"
