"""The object store that batch load reads sources from and writes reports to.

In memory by default. While moto's S3 mock is active in the same process, the
same calls go to moto's S3 through a botocore S3 client instead, so objects put
with ``boto3.client("s3")`` under ``moto.mock_aws()`` are what a task reads and
its reports can be read back the same way.

The real S3 is never reached: moto counts as active only while its in-process
request stubber is switched on (moto's server and proxy modes do not switch it
on, so they are not used), and the S3 client has no HTTP session: it cannot
send any request moto did not answer.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from tsmock.backend.objects import MemoryObjectStore, ObjectStoreError

__all__ = [
    "MotoClients",
    "NotAnsweredByMoto",
    "ObjectStore",
    "ObjectStoreError",
    "moto_active",
]

#: Any access key works with moto; fixed ones keep botocore from looking for credentials.
_MOTO_ACCESS_KEY = "testing"
_MOTO_REGION = "us-east-1"
_MISSING_BUCKET_CODES = frozenset({"NoSuchBucket"})
_MISSING_KEY_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def moto_active() -> bool:
    """Whether moto's in-process mock is active (cheap: no import, two attribute reads).

    moto switches its botocore stubber on exactly while a ``mock_aws`` activation
    is running in this process; if moto was never imported it cannot be active.
    """
    models = sys.modules.get("moto.core.models")
    if models is None:
        return False
    stubber = getattr(models, "botocore_stubber", None)
    return getattr(stubber, "enabled", False) is True


class NotAnsweredByMoto(Exception):
    """What a moto-only client raises instead of letting a request leave the process."""


class _NoNetwork:
    """Stands in for a moto-only client's HTTP session: botocore sends through it only
    when no ``before-send`` handler (moto's stubber) produced a response."""

    def send(self, request: Any) -> Any:
        raise NotAnsweredByMoto(f"moto did not answer {getattr(request, 'url', '')}")

    def close(self) -> None:
        """Nothing to release."""


class MotoClients:
    """botocore clients that only moto can answer, one per service and region.

    Each made on first use; an activation's object store and its scheduled-query
    notifications each keep their own.
    """

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, service_name: str, region_name: str) -> Any:
        """The client of ``service_name`` in ``region_name``; `ObjectStoreError` if unsafe."""
        with self._lock:
            key = (service_name, region_name)
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = _moto_client(service_name, region_name)
            return client


def _moto_client(service_name: str, region_name: str) -> Any:
    """A botocore client of ``service_name`` that only moto can answer.

    A session made now (moto is imported, as it is active) has moto's stubber among
    its built-in handlers; the client's HTTP session is cut, so a request moto does
    not answer raises instead of leaving the process. botocore is imported only
    here, so the in-memory paths stay free of it.
    """
    import botocore.session

    session = botocore.session.Session()
    client = session.create_client(
        service_name,
        region_name=region_name,
        aws_access_key_id=_MOTO_ACCESS_KEY,
        aws_secret_access_key=_MOTO_ACCESS_KEY,
    )
    endpoint = getattr(client, "_endpoint", None)
    if endpoint is None or not hasattr(endpoint, "http_session"):
        # Without a way to cut the HTTP path, refuse rather than risk reaching AWS.
        raise ObjectStoreError(
            f"moto's {service_name} cannot be used safely with this botocore version."
        )
    endpoint.http_session = _NoNetwork()
    return client


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


class ObjectStore(MemoryObjectStore):
    """The activation's object store: in memory, or moto's S3 while moto is active.

    Implements the backend's `tsmock.backend.objects.ObjectStore` protocol.
    `clear` forgets only the in-memory objects: moto's S3 belongs to moto.
    """

    def __init__(self) -> None:
        super().__init__()
        # The S3 client of this activation (made on first use while moto is active).
        self._moto = MotoClients()

    def _s3(self) -> Any:
        return self._moto.get("s3", _MOTO_REGION)

    @property
    def backed_by_moto(self) -> bool:
        """True while reads and writes go to moto's S3."""
        return moto_active()

    def put_object(
        self, bucket: str, key: str, body: bytes | str, *, create_bucket: bool = True
    ) -> None:
        """Store an object.

        In moto's S3 a missing bucket is created first when ``create_bucket``
        (the convenience of ``ts.put_object``); batch load reports pass False,
        because the service does not create report buckets either. The in-memory
        store always creates the bucket.
        """
        if moto_active():
            data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
            self._moto_put(bucket, key, data, create_bucket)
            return
        super().put_object(bucket, key, body, create_bucket=create_bucket)

    def get_object(self, bucket: str, key: str) -> bytes:
        """The bytes of one object; `ObjectStoreError` when the bucket or key is missing."""
        if moto_active():
            return self._moto_get(bucket, key)
        return super().get_object(bucket, key)

    def list_object_sizes(self, bucket: str, prefix: str = "") -> list[tuple[str, int]]:
        """(key, size in bytes) of the objects under ``prefix``, in key order."""
        if moto_active():
            return self._moto_list(bucket, prefix)
        return super().list_object_sizes(bucket, prefix)

    def bucket_exists(self, bucket: str) -> bool:
        """Whether the bucket exists (in moto's S3 while moto is active)."""
        if moto_active():
            try:
                self._s3().head_bucket(Bucket=bucket)
            except NotAnsweredByMoto:
                raise ObjectStoreError(
                    f"The bucket {bucket} could not be reached: moto did not answer."
                ) from None
            except Exception as error:
                # An S3 error answer (404 for a missing bucket) is "no"; anything
                # else is a bug, as in _moto_call.
                if not _error_code(error):
                    raise
                return False
            return True
        return super().bucket_exists(bucket)

    # --- moto's S3 ----------------------------------------------------------------

    def _moto_call(self, bucket: str, key: str | None, operation: str, **params: Any) -> Any:
        client = self._s3()
        try:
            return getattr(client, operation)(**params)
        except NotAnsweredByMoto:
            raise ObjectStoreError(
                f"The bucket {bucket} could not be reached: moto did not answer the request."
            ) from None
        except Exception as error:
            code = _error_code(error)
            if code in _MISSING_BUCKET_CODES:
                raise ObjectStoreError(f"The bucket {bucket} does not exist.") from None
            if key is not None and code in _MISSING_KEY_CODES:
                raise ObjectStoreError(f"The object s3://{bucket}/{key} does not exist.") from None
            if code:
                raise ObjectStoreError(
                    f"S3 refused the request for s3://{bucket}/{key or ''}: {code}."
                ) from None
            raise

    def _moto_put(self, bucket: str, key: str, data: bytes, create_bucket: bool) -> None:
        try:
            self._moto_call(bucket, None, "put_object", Bucket=bucket, Key=key, Body=data)
        except ObjectStoreError:
            if not create_bucket or self.bucket_exists(bucket):
                raise
            self._moto_call(bucket, None, "create_bucket", Bucket=bucket)
            self._moto_call(bucket, None, "put_object", Bucket=bucket, Key=key, Body=data)

    def _moto_get(self, bucket: str, key: str) -> bytes:
        response = self._moto_call(bucket, key, "get_object", Bucket=bucket, Key=key)
        data: bytes = response["Body"].read()
        return data

    def _moto_list(self, bucket: str, prefix: str) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        while True:
            page = self._moto_call(bucket, None, "list_objects_v2", **params)
            found.extend(
                (item["Key"], int(item.get("Size", 0))) for item in page.get("Contents", [])
            )
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                break
            params["ContinuationToken"] = token
        return sorted(found)
