"""Injected faults and the call log of an activation.

A fault makes matching calls fail with an AWS error: for the next N calls, or
at random with a seed (repeatable). Injected errors are raised inside the
dispatcher like the service's own, so they take the same wire encoding and
botocore's retry and endpoint re-discovery logic see them as they would see
the real thing.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from tsmock.backend.errors import ERRORS_BY_CODE, RejectedRecordsException, TimestreamError

_DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "InternalServerException": "An internal error occurred. Please retry your request.",
    "ServiceQuotaExceededException": "You have exceeded the service quota.",
    "AccessDeniedException": "You are not authorized to perform this action.",
    "InvalidEndpointException": "The requested endpoint was not valid.",
    "ValidationException": "Invalid request.",
    "ResourceNotFoundException": "The requested resource was not found.",
    "ConflictException": "The request conflicts with the current state of the resource.",
}
_REJECTION_REASON = "The record was rejected by an injected fault."


def documented_errors(operation: str) -> frozenset[str]:
    """The error codes the service model lists for an operation."""
    from tsmock.protocol import service_model

    model = service_model().operation_model(operation)
    return frozenset(shape.name for shape in model.error_shapes)


@dataclass
class Fault:
    """One injected fault; ``fired`` counts how often it struck."""

    operation: str
    error_code: str
    times: int | None = 1
    probability: float | None = None
    seed: int | None = None
    database: str | None = None
    table: str | None = None
    message: str | None = None
    fired: int = 0
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def _matches(self, operation: str, params: dict[str, Any]) -> bool:
        if operation != self.operation or self.exhausted:
            return False
        database = params.get("DatabaseName", params.get("TargetDatabaseName"))
        table = params.get("TableName", params.get("TargetTableName"))
        if self.database is not None and database != self.database:
            return False
        return self.table is None or table == self.table

    def _strikes(self) -> bool:
        return self.probability is None or self._random.random() < self.probability

    def error(self, params: dict[str, Any]) -> TimestreamError:
        if self.error_code == "RejectedRecordsException":
            records = params.get("Records")
            count = len(records) if isinstance(records, list) else 0
            reason = self.message or _REJECTION_REASON
            return RejectedRecordsException(
                [{"RecordIndex": index, "Reason": reason} for index in range(count)]
            )
        message = self.message or _DEFAULT_MESSAGES.get(self.error_code, "Injected fault.")
        return ERRORS_BY_CODE[self.error_code](message)


@dataclass(frozen=True, slots=True)
class Call:
    """One call answered while the mock was active."""

    #: The AWS operation name, or None when the request could not be decoded.
    operation: str | None
    #: The request members as sent.
    params: dict[str, Any]
    #: The AWS error code answered, or None on success.
    error_code: str | None


class FaultInjector:
    """The faults and the call log of one activation (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, operation: str, error_code: str, **options: Any) -> Fault:
        from tsmock.protocol import service_model

        if operation not in service_model().operation_names:
            raise ValueError(f"Unknown Timestream Write operation {operation!r}.")
        allowed = documented_errors(operation)
        if error_code not in allowed or error_code not in ERRORS_BY_CODE:
            raise ValueError(
                f"{operation} does not document {error_code!r}; choose one of {sorted(allowed)}."
            )
        fault = Fault(operation, error_code, **options)
        if fault.times is not None and fault.times < 0:
            raise ValueError("times must be None or >= 0")
        if fault.probability is not None and not 0.0 <= fault.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if error_code == "InvalidEndpointException" and fault.times is None:
            # botocore re-discovers and retries an invalid endpoint without limit (§2.4).
            raise ValueError("InvalidEndpointException faults need a finite `times`.")
        with self._lock:
            self._faults.append(fault)
        return fault

    def before_call(self, operation: str, params: dict[str, Any]) -> None:
        """Raise the error of the first matching fault that strikes."""
        if not self._faults:
            return
        with self._lock:
            for fault in self._faults:
                if fault._matches(operation, params) and fault._strikes():
                    fault.fired += 1
                    error = fault.error(params)
                    break
            else:
                return
        raise error

    def record(self, operation: str | None, params: dict[str, Any], error_code: str | None) -> None:
        with self._lock:
            self._calls.append(Call(operation, params, error_code))

    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def calls_so_far(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._calls.clear()
