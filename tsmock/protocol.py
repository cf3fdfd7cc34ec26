"""The AWS JSON 1.0 wire format of the Timestream services.

Decodes a request (operation from ``X-Amz-Target``, members from the JSON body),
checks it against the service's botocore model with the one request checker
(`tsmock.shapes`), the way the service's request framework does, and encodes
results and errors. It knows shapes and HTTP, nothing about databases.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from tsmock import shapes
from tsmock.backend.errors import (
    FrameworkValidationException,
    TimestreamError,
    UnknownOperationException,
)

CONTENT_TYPE = "application/x-amz-json-1.0"


@cache
def _target_prefix(service: str) -> str:
    return f"{shapes.service_model(service).metadata['targetPrefix']}."


@dataclass(frozen=True, slots=True)
class Response:
    """An encoded response, ready to hand to botocore or to a ``requests`` caller."""

    status: int
    headers: dict[str, str]
    body: bytes


def operation_of(headers: Mapping[str, Any], service: str) -> str:
    """The operation named by ``X-Amz-Target``; `UnknownOperationException` if none."""
    target = _header(headers, "X-Amz-Target")
    prefix = _target_prefix(service)
    operation = target[len(prefix) :] if target.startswith(prefix) else ""
    if operation not in _operation_names(service):
        # What the service's front end answers for a target it does not serve
        # (docs/operations/describe-endpoints.md).
        raise UnknownOperationException("")
    return operation


def parse_members(body: bytes | str | None) -> dict[str, Any]:
    """The members of a request body, not checked against the model (`validate` does).

    Raises a framework ValidationException for a body that is not a JSON object.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        params = json.loads(body) if body else {}
    except (ValueError, TypeError, RecursionError):
        raise FrameworkValidationException(
            "1 validation error detected: the request body is not valid JSON"
        ) from None
    if not isinstance(params, dict):
        raise FrameworkValidationException(
            "1 validation error detected: the request body must be a JSON object"
        )
    return params


def validate(operation: str, params: dict[str, Any], service: str) -> None:
    """Raise a Coral-format ValidationException listing every constraint violated."""
    checker = shapes.input_checker(service, operation)
    try:
        if checker.is_valid(params):
            # Unknown members are ignored by the service: dropped, never stored or echoed.
            shapes.input_pruner(service, operation)(params)
            return
        errors: list[str] = []
        checker.collect(params, "", errors)
        if not errors:
            # Both walks read the same model; should they ever disagree, the one that
            # names a violation decides, so a valid request is never refused.
            shapes.input_pruner(service, operation)(params)
            return
    except (RecursionError, shapes.NestedTooDeeply):
        # Only a request nested far deeper than any shape of the model gets here.
        raise FrameworkValidationException(
            "1 validation error detected: the request is nested too deeply"
        ) from None
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    raise FrameworkValidationException(f"{count} validation {noun} detected: " + "; ".join(errors))


#: What ``json.dumps(..., separators=(",", ":"))`` builds on every call, made once.
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def encode_result(result: Mapping[str, Any]) -> Response:
    """A 200 response with a JSON body."""
    return Response(200, _headers(), _ENCODER.encode(result).encode())


def encode_error(error: TimestreamError) -> Response:
    """The error response for an AWS error: ``__type``, message, extra members."""
    body = _ENCODER.encode(error.body()).encode()
    return Response(error.status, _headers(), body)


#: Each byte value to a base32 letter (A-Z, 2-7): 256 is a multiple of 32, so
#: random bytes give evenly spread letters.
_BASE32_LETTERS = bytes(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32] for b in range(256))


def request_id() -> str:
    """A request id shaped like the service's: 26 uppercase alphanumerics.

    Random characters of base32's alphabet (A-Z, 2-7), evenly spread; mapped
    from random bytes in one call, cheaper than base32 encoding them.
    """
    return os.urandom(26).translate(_BASE32_LETTERS).decode("ascii")


def _headers() -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id()}


def _header(headers: Mapping[str, Any], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                value = candidate
                break
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else ""


@cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(shapes.service_model(service).operation_names)
