"""One exception class per AWS error code of Timestream Write (and Query's
QueryExecutionException).

The HTTP statuses follow the Developer Guide page "Timestream specific error
codes" (docs/operations/index.md): botocore maps errors by ``__type``, but 429
and 500 drive its retries and 421 drives endpoint re-discovery.
"""

from __future__ import annotations

from typing import Any, ClassVar

SERVICE_NAMESPACE = "com.amazonaws.timestream.v20181101"
COERCION_NAMESPACE = "com.amazon.coral.validate"


class TimestreamError(Exception):
    """An AWS error answered to the client instead of a result."""

    code: ClassVar[str] = "InternalServerException"
    status: ClassVar[int] = 500
    namespace: ClassVar[str] = SERVICE_NAMESPACE
    #: Body key of the message: service errors use ``Message`` (docs/operations/index.md).
    message_key: ClassVar[str] = "Message"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        #: Extra modeled members of the error shape (e.g. ``RejectedRecords``).
        self.extra: dict[str, Any] = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        body: dict[str, Any] = {"__type": f"{self.namespace}#{self.code}"}
        body[self.message_key] = self.message
        body.update(self.extra)
        return body


class ValidationException(TimestreamError):
    """The request breaks a rule of the service (HTTP 400)."""

    code = "ValidationException"
    status = 400


class FrameworkValidationException(ValidationException):
    """A constraint failure found by the request framework (Coral format).

    See docs/operations/index.md.
    """

    namespace = COERCION_NAMESPACE
    message_key = "message"


class ResourceNotFoundException(TimestreamError):
    """A database, table, task or ARN that does not exist (HTTP 404)."""

    code = "ResourceNotFoundException"
    status = 404


class ConflictException(TimestreamError):
    """The resource already exists (HTTP 409)."""

    code = "ConflictException"
    status = 409


class AccessDeniedException(TimestreamError):
    """Not allowed (HTTP 403); only through fault injection."""

    code = "AccessDeniedException"
    status = 403


class ServiceQuotaExceededException(TimestreamError):
    """A quota of docs/operations/index.md would be exceeded (HTTP 402)."""

    code = "ServiceQuotaExceededException"
    status = 402


class ThrottlingException(TimestreamError):
    """Too many requests (HTTP 429); botocore retries it."""

    code = "ThrottlingException"
    status = 429


class InternalServerException(TimestreamError):
    """A failure of the service (HTTP 500); botocore retries it."""

    code = "InternalServerException"
    status = 500


class InvalidEndpointException(TimestreamError):
    """The discovered endpoint is stale (HTTP 421); botocore re-discovers."""

    code = "InvalidEndpointException"
    status = 421


class RejectedRecordsException(TimestreamError):
    """Some records of a WriteRecords were refused (HTTP 419)."""

    code = "RejectedRecordsException"
    status = 419

    def __init__(self, rejected_records: list[dict[str, Any]]) -> None:
        super().__init__(
            "One or more records have been rejected. See RejectedRecords for details.",
            RejectedRecords=rejected_records,
        )


class UnknownOperationException(TimestreamError):
    """A target the front end does not serve (HTTP 404, docs/operations/describe-endpoints.md)."""

    code = "UnknownOperationException"
    status = 404
    namespace = "com.amazon.coral.service"
    message_key = "message"


class QueryExecutionException(TimestreamError):
    """Timestream Query: a valid query that could not run to its end (HTTP 400)."""

    code = "QueryExecutionException"
    status = 400


#: Every error class by its AWS code, for fault injection and the protocol.
ERRORS_BY_CODE: dict[str, type[TimestreamError]] = {
    cls.code: cls
    for cls in (
        ValidationException,
        ResourceNotFoundException,
        ConflictException,
        AccessDeniedException,
        ServiceQuotaExceededException,
        ThrottlingException,
        InternalServerException,
        InvalidEndpointException,
        RejectedRecordsException,
        QueryExecutionException,
    )
}
