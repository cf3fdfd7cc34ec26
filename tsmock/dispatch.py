"""From a decoded request to an encoded response: the one entry of every call.

Generic over services (`tsmock.services`): finds the backend of the caller's
service, account and region, applies injected faults, logs the call, runs the
operation through the service's handler table and encodes its result or error.
"""

from __future__ import annotations

from typing import Any

from tsmock import protocol
from tsmock.backend import records
from tsmock.backend.errors import InternalServerException, TimestreamError
from tsmock.services import WRITE, service
from tsmock.state import MockState

#: What the write path checks against the model itself on its way through every
#: record (`records.prepare_records` with ``check_shapes``): the shape check
#: leaves it out rather than walk each record twice.
_CHECKED_BY_PREPARE = frozenset(
    ("Records", member)
    for member in (
        "MeasureName",
        "MeasureValue",
        "MeasureValueType",
        "MeasureValues",
        "Time",
        "TimeUnit",
        "Version",
    )
)


def _prepare_sent_records(params: dict[str, Any]) -> list[records.PreparedRecord] | None:
    """The records of a WriteRecords request prepared, if it surely passes its shape check.

    None whenever the shape check must decide, or some record fails: then the
    request takes the usual path (shape check, faults, backend), and the error
    it meets first is the one answered.
    """
    if not protocol.is_valid("WriteRecords", params, _CHECKED_BY_PREPARE):
        return None
    try:
        return records.prepare_records(
            params["Records"], params.get("CommonAttributes"), check_shapes=True
        )
    except Exception:  # refused, or a shape left to check: the usual path answers
        return None


def handle(
    state: MockState,
    region_name: str,
    headers: Any,
    body: bytes | str | None,
    sent_params: dict[str, Any] | None = None,
    service_name: str = WRITE,
) -> protocol.Response:
    """Answer one HTTP request to a service; never raises."""
    operation: str | None = None
    params: dict[str, Any] = {}
    calls = state.calls
    try:
        operation = protocol.operation_of(headers, service_name)
        prepared: list[records.PreparedRecord] | None = None
        if sent_params is not None and operation == "WriteRecords" and service_name == WRITE:
            # WriteRecords keeps nothing of its members but strings and numbers, so
            # it may read the members botocore serialized instead of decoding 100
            # records of JSON: they come out prepared, every shape checked on the
            # way, or None, and then the body takes the usual path so that the
            # error met first is the one answered.
            prepared = _prepare_sent_records(sent_params)
        if prepared is not None:
            assert sent_params is not None
            params = sent_params
        else:
            params = protocol.parse_request(headers, body, service_name).params
            # The call log names the operation even when the framework refuses the
            # members, so a test can see which call failed validation.
            protocol.validate(operation, params, service_name)
        backend = state.backend_of(service_name, region_name)
        state.faults.before_call(operation, params, service_name)
        if prepared is not None:
            ingested = backend.write_prepared_records(
                params["DatabaseName"], params["TableName"], prepared
            )
            result: dict[str, Any] = {"RecordsIngested": ingested}
        else:
            result = service(service_name).handlers[operation](backend, params)
    except TimestreamError as error:
        calls.record(operation, body, error.code, service_name)
        return protocol.encode_error(error)
    except Exception as error:  # a bug in the mock: answer as the service would
        calls.record(operation, body, "InternalServerException", service_name)
        return protocol.encode_error(
            InternalServerException(f"tsmock internal error: {type(error).__name__}: {error}")
        )
    calls.record(operation, body, None, service_name)
    return protocol.encode_result(result)
