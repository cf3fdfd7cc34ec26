"""The state of one activation: everything the mock simulates.

The backends of each service by account and region (created lazily), the
object store, injected faults and the call log. A new activation starts with a
new, empty state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tsmock.calls import CallLog
from tsmock.defaults import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from tsmock.faults import FaultInjector
from tsmock.objects import ObjectStore
from tsmock.services import WRITE, service

if TYPE_CHECKING:
    from tsmock.backend.service import TimestreamWriteBackend


@dataclass
class MockState:
    """Everything one activation (and the activations nested in it) simulates."""

    account_id: str = DEFAULT_ACCOUNT_ID
    region_name: str = DEFAULT_REGION
    batch_load_mode: str = "immediate"
    #: The botocore names of the services this activation answers; requests to
    #: any other service pass through untouched.
    services: frozenset[str] = frozenset({WRITE})
    objects: ObjectStore = field(default_factory=ObjectStore)
    #: (service, account, region) -> that service's backend.
    _backends: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    # Re-entrant: a backend factory may ask for another service's backend of the
    # same account and region (the query backend reads the write backend).
    _lock: threading.RLock = field(default_factory=threading.RLock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    calls: CallLog = field(default_factory=CallLog)

    def backend_of(
        self, service_name: str, region_name: str | None = None, account_id: str | None = None
    ) -> Any:
        """The backend of a service for one account and region, created on first use."""
        key = (service_name, account_id or self.account_id, region_name or self.region_name)
        backend = self._backends.get(key)
        if backend is None:
            with self._lock:
                backend = self._backends.get(key)
                if backend is None:
                    backend = service(service_name).new_backend(self, key[1], key[2])
                    self._backends[key] = backend
        return backend

    def backend(
        self, region_name: str | None = None, account_id: str | None = None
    ) -> TimestreamWriteBackend:
        """The Timestream Write backend of one account and region, created on first use."""
        backend: TimestreamWriteBackend = self.backend_of(WRITE, region_name, account_id)
        return backend

    def backends(self, service_name: str = WRITE) -> list[Any]:
        """Every backend of a service created so far."""
        with self._lock:
            return [b for (name, _, _), b in self._backends.items() if name == service_name]

    def reset(self) -> None:
        """Forget every resource, object, fault and logged call."""
        with self._lock:
            self._backends.clear()
        self.objects.clear()
        self.faults.clear_faults()
        self.calls.clear()
