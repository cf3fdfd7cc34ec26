"""The object store that batch load reads sources from and writes reports to.

In memory by default; while moto's S3 mock is active in the same process, the
same calls go to moto's S3 through a boto3 client instead (never the real S3:
moto answers every S3 request while it is active).
"""

from __future__ import annotations

import threading


class ObjectStoreError(Exception):
    """A bucket or object is missing; ``reason`` says which, as a task report would."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ObjectStore:
    """Buckets of objects held in memory: bucket -> key -> bytes."""

    def __init__(self) -> None:
        self._buckets: dict[str, dict[str, bytes]] = {}
        self._lock = threading.Lock()

    def put_object(self, bucket: str, key: str, body: bytes | str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        with self._lock:
            self._buckets.setdefault(bucket, {})[key] = data

    def get_object(self, bucket: str, key: str) -> bytes:
        with self._lock:
            objects = self._buckets.get(bucket)
            if objects is None:
                raise ObjectStoreError(f"The bucket {bucket} does not exist.")
            if key not in objects:
                raise ObjectStoreError(f"The object s3://{bucket}/{key} does not exist.")
            return objects[key]

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        with self._lock:
            objects = self._buckets.get(bucket)
            if objects is None:
                raise ObjectStoreError(f"The bucket {bucket} does not exist.")
            return sorted(key for key in objects if key.startswith(prefix))

    def bucket_exists(self, bucket: str) -> bool:
        with self._lock:
            return bucket in self._buckets

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
