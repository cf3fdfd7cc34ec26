"""Injected faults of an activation.

A fault makes matching calls fail with an AWS error: for the next N calls, or
at random with a seed (repeatable). Injected errors are raised inside the
dispatcher like the service's own, so they take the same wire encoding (HTTP
status, ``__type``, message) and botocore's retry and endpoint re-discovery
logic see them exactly as they would see the real thing.

Faults are checked against the botocore model of the operation's service.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tsmock.backend.errors import ERRORS_BY_CODE, RejectedRecordsException, TimestreamError
from tsmock.services import SERVICES, WRITE

_TITLES = {WRITE: "Timestream Write", "timestream-query": "Timestream Query"}

# The service's own texts are known only for RejectedRecordsException
# (docs/operations/write-records.md);
# the others are plausible service-style sentences.
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
_DEFAULT_REJECTION_REASON = "The record was rejected by an injected fault."

# Request members that name the database / table a call is about. Tagging
# operations name them through the resource ARN instead.
_DATABASE_MEMBERS = ("DatabaseName", "TargetDatabaseName")
_TABLE_MEMBERS = ("TableName", "TargetTableName")
_ARN_MEMBER = "ResourceARN"


def _model_operations(service: str) -> list[str]:
    from tsmock.shapes import service_model

    return list(service_model(service).operation_names)


def documented_errors(operation: str, service: str = WRITE) -> frozenset[str]:
    """The error codes the service model lists for an operation."""
    from tsmock.shapes import service_model

    model = service_model(service).operation_model(operation)
    return frozenset(shape.name for shape in model.error_shapes)


@cache
def _scopes(service: str, operation: str) -> frozenset[str]:
    """Which of ``database`` / ``table`` a request of this operation can name."""
    from tsmock.shapes import service_model

    input_shape = service_model(service).operation_model(operation).input_shape
    members = set(input_shape.members) if input_shape is not None else set()
    scopes = set()
    if members & {*_DATABASE_MEMBERS, _ARN_MEMBER}:
        scopes.add("database")
    if members & {*_TABLE_MEMBERS, _ARN_MEMBER}:
        scopes.add("table")
    return frozenset(scopes)


def _target(params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The database and table a request is about (None where it names none)."""
    database = next((params[m] for m in _DATABASE_MEMBERS if m in params), None)
    table = next((params[m] for m in _TABLE_MEMBERS if m in params), None)
    arn = params.get(_ARN_MEMBER)
    if database is None and isinstance(arn, str):
        from tsmock.backend.arns import parse_resource_arn

        try:
            resource = parse_resource_arn(arn)
        except TimestreamError:
            return None, None
        return resource.database, resource.table
    return database, table


@dataclass(eq=False)
class Fault:
    """One injected fault: what it matches, what it answers, and ``fired``.

    Returned by ``add_fault`` and listed by ``ts.faults``. ``fired`` counts how
    often the fault struck; it is updated under the injector's lock, so it is
    exact even when many threads call the service at once.
    """

    #: The AWS operation name it applies to, e.g. ``"WriteRecords"``.
    operation: str
    #: The AWS error code it answers with, e.g. ``"ThrottlingException"``.
    error_code: str
    #: The most it fires; None for no limit.
    times: int | None = 1
    #: The chance of striking each matching call; None to strike every one.
    probability: float | None = None
    #: The seed of its random draws; the same seed gives the same strikes.
    seed: int | None = None
    #: Only calls for this database (None: any).
    database: str | None = None
    #: Only calls for this table (None: any).
    table: str | None = None
    #: The error message (for RejectedRecordsException: every entry's Reason).
    message: str | None = None
    #: How often it struck so far.
    fired: int = 0
    #: The botocore name of the operation's service.
    service: str = WRITE
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @property
    def exhausted(self) -> bool:
        """True once it fired ``times`` times; it never strikes again."""
        return self.times is not None and self.fired >= self.times

    def _matches(self, service: str, operation: str, params: Mapping[str, Any]) -> bool:
        if operation != self.operation or service != self.service or self.exhausted:
            return False
        if self.database is None and self.table is None:
            return True
        database, table = _target(params)
        if self.database is not None and database != self.database:
            return False
        return self.table is None or table == self.table

    def _strikes(self) -> bool:
        # One draw per matching call, so a seed gives the same strikes for the
        # same sequence of calls, whatever other faults do.
        return self.probability is None or self._random.random() < self.probability

    def _error(self, params: Mapping[str, Any]) -> TimestreamError:
        if self.error_code == "RejectedRecordsException":
            # Every record of the request is refused, so (as the service's
            # contract says for records not listed) nothing is stored.
            records = params.get("Records")
            count = len(records) if isinstance(records, list) else 0
            reason = self.message or _DEFAULT_REJECTION_REASON
            return RejectedRecordsException(
                [{"RecordIndex": index, "Reason": reason} for index in range(count)]
            )
        message = self.message or _DEFAULT_MESSAGES.get(self.error_code, "Injected fault.")
        return ERRORS_BY_CODE[self.error_code](message)


def _check_number(name: str, value: object, kind: type | tuple[type, ...], what: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
        raise TypeError(f"{name} must be {what} or None, not {type(value).__name__}.")


class FaultInjector:
    """The faults of one activation (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        operation: str,
        error_code: str,
        *,
        times: int | None = 1,
        probability: float | None = None,
        seed: int | None = None,
        database: str | None = None,
        table: str | None = None,
        message: str | None = None,
        service: str | None = None,
        services: Collection[str] = (WRITE,),
    ) -> Fault:
        """Check a fault's arguments against the service model and add it.

        ``service`` names the operation's service; None looks the operation up in
        the models of ``services`` (the services the activation answers).
        Raises ValueError for anything that could not work as asked: an unknown
        operation, an error code the operation does not document, a scope the
        operation's requests cannot name, unbounded InvalidEndpointException.
        """
        service = _service_of(operation, service, services)
        operations = _model_operations(service)
        if operation not in operations:
            raise ValueError(_unknown_operation(operation, operations, service))
        allowed = documented_errors(operation, service)
        if error_code not in allowed or error_code not in ERRORS_BY_CODE:
            raise ValueError(
                f"{operation} does not document the error {error_code!r}; "
                f"use one of: {', '.join(sorted(allowed))}."
            )
        _check_number("times", times, int, "an int")
        _check_number("probability", probability, (int, float), "a number")
        if times is not None and times < 0:
            raise ValueError(f"times must be None or at least 0, not {times}.")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, not {probability}.")
        if seed is not None and probability is None:
            raise ValueError("seed only applies with a probability; pass probability= too.")
        for scope, value in (("database", database), ("table", table)):
            if value is not None and scope not in _scopes(service, operation):
                raise ValueError(
                    f"{operation} requests name no {scope}, so a fault scoped to "
                    f"{scope}={value!r} would never strike; leave {scope} out."
                )
        if error_code == "InvalidEndpointException" and times is None:
            # botocore drops its endpoint cache, re-discovers and resends on every
            # InvalidEndpointException without any attempt limit
            # (docs/operations/describe-endpoints.md).
            raise ValueError(
                "InvalidEndpointException needs a finite `times`: botocore re-discovers "
                "and retries it without limit, so times=None would never end."
            )
        fault = Fault(
            operation,
            error_code,
            times=times,
            probability=probability,
            seed=seed,
            database=database,
            table=table,
            message=message,
            service=service,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def may_strike(self, service: str, operation: str, params: Mapping[str, Any]) -> bool:
        """Whether some fault could strike this call (no random draw, nothing counted)."""
        if not self._faults:  # the common case: no lock on the hot path
            return False
        with self._lock:
            return any(fault._matches(service, operation, params) for fault in self._faults)

    def before_call(self, operation: str, params: Mapping[str, Any], service: str = WRITE) -> None:
        """Raise the error of the first fault (in the order added) that strikes."""
        if not self._faults:  # the common case: no lock on the hot path
            return
        error: TimestreamError | None = None
        with self._lock:
            for fault in self._faults:
                if fault._matches(service, operation, params) and fault._strikes():
                    fault.fired += 1
                    error = fault._error(params)
                    break
        if error is not None:
            raise error

    def faults(self) -> list[Fault]:
        """The faults added so far, in order."""
        with self._lock:
            return list(self._faults)

    def clear_faults(self) -> None:
        """Remove every fault (the call log stays readable)."""
        with self._lock:
            self._faults.clear()


def _service_of(operation: str, service: str | None, services: Collection[str]) -> str:
    """The service a fault's operation belongs to."""
    if service is not None:
        if service not in SERVICES:
            raise ValueError(
                f"Unknown service {service!r}; use one of: {', '.join(sorted(SERVICES))}."
            )
        return service
    answered = [name for name in SERVICES if name in services]
    candidates = [name for name in answered if operation in _model_operations(name)]
    if len(candidates) > 1:
        raise ValueError(
            f"{operation} is an operation of {' and '.join(candidates)}; "
            "name the one meant with service=."
        )
    # Unknown everywhere: the first service's error message names its operations.
    return candidates[0] if candidates else next(iter(answered), WRITE)


def _unknown_operation(operation: str, operations: list[str], service: str = WRITE) -> str:
    from botocore import xform_name

    by_python_name = {xform_name(name): name for name in operations}
    suggestion = by_python_name.get(operation)
    if suggestion is not None:
        return f"Unknown operation {operation!r}: use the AWS name {suggestion!r}."
    return (
        f"Unknown {_TITLES.get(service, service)} operation {operation!r}; "
        f"use one of: {', '.join(sorted(operations))}."
    )
