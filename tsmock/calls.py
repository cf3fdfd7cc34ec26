"""The call log of an activation: every call answered, in order.

The log keeps each request's body as received and decodes it on demand: nothing
the backend does later can change what the log shows, and logging costs the
write path nothing.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

#: Every answered call is logged here: DEBUG on success, INFO for an error answer.
logger = logging.getLogger("tsmock")


class Call:
    """One call answered while the mock was active: what was asked, how it ended.

    Listed by ``ts.calls``. It keeps the request body as received; ``params``
    decodes it on each access.
    """

    __slots__ = ("_body", "_error_code", "_error_message", "_operation", "_rejected", "_service")

    def __init__(
        self,
        operation: str | None,
        body: bytes,
        error_code: str | None,
        service: str = "timestream-write",
        error_message: str | None = None,
        rejected_records: list[dict[str, Any]] | None = None,
    ) -> None:
        self._operation = operation
        self._body = body
        self._error_code = error_code
        self._service = service
        self._error_message = error_message
        self._rejected = rejected_records

    @property
    def service(self) -> str:
        """The botocore name of the service called, e.g. ``"timestream-write"``."""
        return self._service

    @property
    def operation(self) -> str | None:
        """The AWS operation name; None if the request could not be decoded.

        That is an unknown ``X-Amz-Target`` or a body that is not a JSON object.
        """
        return self._operation

    @property
    def params(self) -> dict[str, Any]:
        """The request members as sent (``{}`` if the body was not a JSON object).

        Decoded afresh from the request body on each access: a copy the caller
        may change freely, and that neither the mock nor the caller can alter.
        """
        try:
            decoded = json.loads(self._body) if self._body else {}
        except (ValueError, RecursionError):
            return {}
        return decoded if isinstance(decoded, dict) else {}

    @property
    def error_code(self) -> str | None:
        """The AWS error code answered, or None on success."""
        return self._error_code

    @property
    def error_message(self) -> str | None:
        """The message of the AWS error answered, or None on success."""
        return self._error_message

    @property
    def rejected_records(self) -> list[dict[str, Any]]:
        """For RejectedRecordsException, the ``RejectedRecords`` answered (index, reason)."""
        return [dict(entry) for entry in self._rejected or ()]

    def describe(self) -> str:
        """One line: service, operation and how it ended (code and message on error)."""
        head = f"{self._service} {self._operation or '<undecodable request>'}"
        if self._error_code is None:
            return f"{head}: OK"
        return f"{head}: {self._error_code}: {self._error_message or ''}".rstrip()

    def __repr__(self) -> str:
        return (
            f"Call(operation={self._operation!r}, error_code={self._error_code!r}, "
            f"params={self.params!r})"
        )


def _as_bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


class CallLog:
    """The calls answered during one activation (thread-safe)."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def record(
        self,
        operation: str | None,
        body: bytes | str | None,
        error_code: str | None,
        service: str = "timestream-write",
        error_message: str | None = None,
        rejected_records: list[dict[str, Any]] | None = None,
    ) -> None:
        """Log one answered call: its operation (None if undecodable), body and error.

        The one place every answered call passes: it also goes to the ``tsmock``
        logger (DEBUG on success, INFO for an error answer).
        """
        call = Call(
            operation, _as_bytes(body), error_code, service, error_message, rejected_records
        )
        with self._lock:
            self._calls.append(call)
        level = logging.DEBUG if error_code is None else logging.INFO
        # Checked first: on the write path, a disabled logger must cost nothing more.
        if logger.isEnabledFor(level):
            logger.log(level, "%s", call.describe())

    def calls(self) -> list[Call]:
        """The calls answered so far, in order."""
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()
