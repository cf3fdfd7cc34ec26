"""The object store batch load reads sources from and writes reports to.

The backend defines what it needs (`ObjectStore`) and is handed an
implementation: the activation's store (``tsmock/objects.py``: in memory, or
moto's S3 while moto is active), or for a backend used on its own the plain
in-memory `MemoryObjectStore` below.
"""

from __future__ import annotations

import threading
from typing import Protocol


class ObjectStoreError(Exception):
    """A bucket or object is missing or unreadable; ``reason`` says which, as a report would."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ObjectStore(Protocol):
    """Buckets of objects, as batch load sees them."""

    def put_object(
        self, bucket: str, key: str, body: bytes | str, *, create_bucket: bool = True
    ) -> None:
        """Store an object; ``create_bucket`` False leaves a missing bucket an error."""

    def get_object(self, bucket: str, key: str) -> bytes:
        """The bytes of one object; `ObjectStoreError` when the bucket or key is missing."""
        ...

    def list_object_sizes(self, bucket: str, prefix: str = "") -> list[tuple[str, int]]:
        """(key, size in bytes) of the objects under ``prefix``, in key order."""
        ...


class MemoryObjectStore:
    """Buckets of objects in memory: bucket -> key -> bytes.

    There is no bucket creation of its own: writing an object creates its
    bucket, and a bucket exists once something was written to it.
    """

    def __init__(self) -> None:
        self._buckets: dict[str, dict[str, bytes]] = {}
        self._lock = threading.Lock()

    def put_object(
        self, bucket: str, key: str, body: bytes | str, *, create_bucket: bool = True
    ) -> None:
        """Store an object (its bucket is created whatever ``create_bucket`` says)."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        with self._lock:
            self._buckets.setdefault(bucket, {})[key] = data

    def get_object(self, bucket: str, key: str) -> bytes:
        """The bytes of one object; `ObjectStoreError` when the bucket or key is missing."""
        with self._lock:
            objects = self._buckets.get(bucket)
            if objects is None:
                raise ObjectStoreError(f"The bucket {bucket} does not exist.")
            if key not in objects:
                raise ObjectStoreError(f"The object s3://{bucket}/{key} does not exist.")
            return objects[key]

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        """The keys under ``prefix``, in key order; `ObjectStoreError` if the bucket is missing."""
        return [key for key, _ in self.list_object_sizes(bucket, prefix)]

    def list_object_sizes(self, bucket: str, prefix: str = "") -> list[tuple[str, int]]:
        """(key, size in bytes) of the objects under ``prefix``, in key order."""
        with self._lock:
            objects = self._buckets.get(bucket)
            if objects is None:
                raise ObjectStoreError(f"The bucket {bucket} does not exist.")
            return sorted(
                (key, len(data)) for key, data in objects.items() if key.startswith(prefix)
            )

    def bucket_exists(self, bucket: str) -> bool:
        """Whether something was written to the bucket."""
        with self._lock:
            return bucket in self._buckets

    def clear(self) -> None:
        """Forget every object."""
        with self._lock:
            self._buckets.clear()
