"""From a decoded request to an encoded response: the one entry of every call.

Generic over services (`tsmock.services`): finds the backend of the caller's
service, account and region, applies injected faults, logs the call, runs the
operation through the service's handler table and encodes its result or error.
"""

from __future__ import annotations

from typing import Any

from tsmock import protocol
from tsmock.backend.errors import TimestreamError
from tsmock.services import WRITE, service
from tsmock.state import MockState


def handle(
    state: MockState,
    region_name: str,
    headers: Any,
    body: bytes | str | None,
    service_name: str = WRITE,
) -> protocol.Response:
    """Answer one HTTP request to a service.

    Every AWS error (the framework's, an injected fault, the backend's) is
    answered as the service answers it; anything else is a bug in the mock and
    propagates.
    """
    operation: str | None = None
    calls = state.calls
    try:
        operation = protocol.operation_of(headers, service_name)
        params = protocol.parse_request(headers, body, service_name).params
        # The call log names the operation even when the framework refuses the
        # members, so a test can see which call failed validation.
        protocol.validate(operation, params, service_name)
        backend = state.backend_of(service_name, region_name)
        state.faults.before_call(operation, params, service_name)
        result = service(service_name).handlers[operation](backend, params)
    except TimestreamError as error:
        calls.record(operation, body, error.code, service_name)
        return protocol.encode_error(error)
    calls.record(operation, body, None, service_name)
    return protocol.encode_result(result)
