"""The state of one activation: everything the mock simulates.

Backends by account and region (created lazily), the object store, injected
faults and the call log. A new activation starts with a new, empty state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tsmock.backend.service import TimestreamWriteBackend
from tsmock.faults import FaultInjector
from tsmock.objects import ObjectStore
from tsmock.registry import DEFAULT_ACCOUNT_ID, DEFAULT_REGION


@dataclass
class MockState:
    """Everything one activation (and the activations nested in it) simulates."""

    account_id: str = DEFAULT_ACCOUNT_ID
    region_name: str = DEFAULT_REGION
    batch_load_mode: str = "immediate"
    objects: ObjectStore = field(default_factory=ObjectStore)
    _backends: dict[tuple[str, str], TimestreamWriteBackend] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    faults: FaultInjector = field(default_factory=FaultInjector)

    def backend(
        self, region_name: str | None = None, account_id: str | None = None
    ) -> TimestreamWriteBackend:
        """The backend of one account and region, created on first use."""
        key = (account_id or self.account_id, region_name or self.region_name)
        backend = self._backends.get(key)
        if backend is None:
            with self._lock:
                backend = self._backends.get(key)
                if backend is None:
                    backend = TimestreamWriteBackend(key[0], key[1], self)
                    self._backends[key] = backend
        return backend

    def backends(self) -> list[TimestreamWriteBackend]:
        """Every backend created so far."""
        return list(self._backends.values())

    def reset(self) -> None:
        """Forget every resource, object, fault and logged call."""
        with self._lock:
            self._backends.clear()
        self.objects.clear()
        self.faults.clear()
