"""From a request to an answer: the one entry of every call, whichever path it took.

Generic over services (`tsmock.services`): checks the members against the
service's model, applies injected faults, finds the backend of the caller's
service, account and region, runs the operation through the service's handler
table and logs the call. `handle` serves the full HTTP path (it decodes and
encodes); `run` is the common core that the before-call fast path calls too, so
both paths answer alike.
"""

from __future__ import annotations

from typing import Any

from tsmock import protocol
from tsmock.backend.errors import TimestreamError
from tsmock.services import WRITE, service
from tsmock.state import MockState

#: What a call ends with: the result members, or the AWS error to answer.
Outcome = dict[str, Any] | TimestreamError


def _record_error(
    state: MockState,
    operation: str | None,
    body: bytes | str | None,
    error: TimestreamError,
    service_name: str,
) -> None:
    rejected = error.extra.get("RejectedRecords")
    state.calls.record(
        operation,
        body,
        error.code,
        service_name,
        error.message,
        rejected if isinstance(rejected, list) else None,
    )


def run(
    state: MockState,
    service_name: str,
    region_name: str,
    operation: str,
    params: dict[str, Any],
    body: bytes | str | None,
    *,
    checked: bool = False,
) -> Outcome:
    """Answer one decoded call and log it (``body``: the request body as sent).

    ``checked``: the members already passed the model's check (the fast path
    checks them before choosing to answer). Every AWS error (the framework's, an
    injected fault, the backend's) is returned; anything else is a bug in the
    mock and propagates.
    """
    try:
        if not checked:
            protocol.validate(operation, params, service_name)
        backend = state.backend_of(service_name, region_name)
        state.faults.before_call(operation, params, service_name)
        result = service(service_name).handlers[operation](backend, params)
    except TimestreamError as error:
        _record_error(state, operation, body, error, service_name)
        return error
    state.calls.record(operation, body, None, service_name)
    return result


def handle(
    state: MockState,
    region_name: str,
    headers: Any,
    body: bytes | str | None,
    service_name: str = WRITE,
) -> protocol.Response:
    """Answer one HTTP request to a service with an HTTP response."""
    operation: str | None = None
    try:
        operation = protocol.operation_of(headers, service_name)
        params = protocol.parse_members(body)
    except TimestreamError as error:
        # The call log names the operation even when its body cannot be read.
        _record_error(state, operation, body, error, service_name)
        return protocol.encode_error(error)
    outcome = run(state, service_name, region_name, operation, params, body)
    if isinstance(outcome, TimestreamError):
        return protocol.encode_error(outcome)
    return protocol.encode_result(outcome)
