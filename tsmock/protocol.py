"""The AWS JSON 1.0 wire format of Timestream Write.

Decodes a request (operation from ``X-Amz-Target``, members from the JSON body),
checks it against the botocore service model the way the service's request
framework does (behavior reference §1.4), and encodes results and errors.
It knows shapes and HTTP, nothing about databases.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape, StructureShape

from tsmock.backend.errors import (
    FrameworkValidationException,
    TimestreamError,
    UnknownOperationException,
)

SERVICE_NAME = "timestream-write"
TARGET_PREFIX = "Timestream_20181101."
CONTENT_TYPE = "application/x-amz-json-1.0"

# Constraints the API Reference states and the model leaves out (§0.3, §6.4 #2):
# every database/table name is 3-256 characters, dimension names at most 60 and
# measure names at most 256 characters.
_EXTRA_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "DatabaseName": {"min": 3, "max": 256},
    "TableName": {"min": 3, "max": 256},
    "TargetDatabaseName": {"min": 3, "max": 256},
    "TargetTableName": {"min": 3, "max": 256},
}
_EXTRA_MEMBER_CONSTRAINTS: dict[tuple[str, str], dict[str, Any]] = {
    ("Dimension", "Name"): {"max": 60},
    ("Record", "MeasureName"): {"max": 256},
}


@cache
def service_model(service: str = SERVICE_NAME) -> ServiceModel:
    """The botocore model of a service, loaded once, on first use."""
    return ServiceModel(_loader().load_service_model(service, "service-2"), service)


@cache
def _loader() -> Loader:
    return Loader()


@cache
def _target_prefix(service: str) -> str:
    return f"{service_model(service).metadata['targetPrefix']}."


@dataclass(frozen=True, slots=True)
class Request:
    """A decoded request: the AWS operation name and its members."""

    operation: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Response:
    """An encoded response, ready to hand to botocore or ``responses``."""

    status: int
    headers: dict[str, str]
    body: bytes


def operation_of(headers: Mapping[str, Any], service: str = SERVICE_NAME) -> str:
    """The operation named by ``X-Amz-Target``; `UnknownOperationException` if none."""
    target = _header(headers, "X-Amz-Target")
    prefix = _target_prefix(service)
    operation = target[len(prefix) :] if target.startswith(prefix) else ""
    if operation not in _operation_names(service):
        # What the service's front end answers for a target it does not serve (§2.5).
        raise UnknownOperationException("")
    return operation


def parse_request(
    headers: Mapping[str, Any], body: bytes | str | None, service: str = SERVICE_NAME
) -> Request:
    """Decode a request without checking its members against the model.

    Raises `UnknownOperationException` for a target the service does not serve,
    and a framework ValidationException for a body that is not a JSON object;
    the members are checked by `validate`.
    """
    operation = operation_of(headers, service)
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
    return Request(operation, params)


#: Where a member sits in a request: the member names from the top, list items
#: left out (``("Records", "MeasureValues")``: every record's ``MeasureValues``).
MemberPath = tuple[str, ...]


def is_valid(operation: str, params: Any, unchecked: frozenset[MemberPath] = frozenset()) -> bool:
    """Whether ``params`` satisfy every constraint of the operation's input shape.

    Types are checked exactly (``str``, ``int``, ``list``, ``dict``), so members
    that pass are what a JSON round trip of them would give. The members at the
    paths in ``unchecked`` are left out, with all they contain: for a caller
    that checks them itself.
    """
    if not unchecked:
        return _input_checker(SERVICE_NAME, operation).is_valid(params)
    return _partial_check(operation, unchecked)(params)


def validate(operation: str, params: dict[str, Any], service: str = SERVICE_NAME) -> None:
    """Raise a Coral-format ValidationException listing every constraint violated."""
    checker = _input_checker(service, operation)
    try:
        if checker.is_valid(params):
            return
        errors: list[str] = []
        checker.collect(params, "", errors)
    except RecursionError:
        # Only a request nested far deeper than any shape of the model gets here.
        raise FrameworkValidationException(
            "1 validation error detected: the request is nested too deeply"
        ) from None
    if not errors:
        # Both walks read the same model; should they ever disagree, the one that
        # names a violation decides, so a valid request is never refused.
        return
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
    return frozenset(service_model(service).operation_names)


# --- Model-driven constraint checks -------------------------------------------------
#
# Each shape compiles into a `_Checker` with two views of the same rules: a fast
# `is_valid` that allocates nothing (the path of every good request), and
# `collect`, which walks again with paths to word each violation the way the
# request framework does.


class _Checker:
    __slots__ = ("collect", "is_valid")

    def __init__(
        self,
        is_valid: Callable[[Any], bool],
        collect: Callable[[Any, str, list[str]], None],
    ) -> None:
        self.is_valid = is_valid
        self.collect = collect


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)


def _violation(value: Any, path: str, phrase: str) -> str:
    shown = "null" if value is None else f"'{_render(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {phrase}"


def _path_name(member: str) -> str:
    return member[:1].lower() + member[1:]


@cache
def _input_checker(service: str, operation: str) -> _Checker:
    input_shape = service_model(service).operation_model(operation).input_shape
    if input_shape is None:
        return _Checker(lambda value: True, lambda value, path, errors: None)
    checker = _compile(input_shape, {}, top_level=True)
    # The collecting walk stays generic; the yes/no walk that every request takes
    # is generated as straight-line Python, several times faster than closures.
    checker.is_valid = _generate_fast_check(input_shape)
    return checker


@cache
def _partial_check(operation: str, unchecked: frozenset[MemberPath]) -> Callable[[Any], bool]:
    input_shape = service_model().operation_model(operation).input_shape
    if input_shape is None:
        return lambda value: True
    return _generate_fast_check(input_shape, unchecked)


_UNBOUNDED = 1 << 62
#: Shapes whose generated check refuses None by itself (a type or enum test).
_INLINE_KINDS = frozenset({"structure", "list", "string", "integer", "long", "boolean"})


def _generate_fast_check(
    shape: StructureShape, unchecked: frozenset[MemberPath] = frozenset()
) -> Callable[[Any], bool]:
    namespace: dict[str, Any] = {}
    lines = ["def is_valid(v0):"]
    # Locals that remember the last list object each site accepted.
    remembered: list[str] = []
    counter = [0]

    def constant(value: Any) -> str:
        counter[0] += 1
        name = f"_c{counter[0]}"
        namespace[name] = value
        return name

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def emit(
        node: Shape,
        extra: Mapping[str, Any],
        var: str,
        depth: int,
        top: bool,
        looped: bool,
        path: MemberPath,
    ) -> None:
        # Each shape becomes a few straight-line checks that return False at the
        # first violation; `collect` words the violation afterwards. None needs
        # no test of its own where the type or enum test that follows refuses it.
        pad = "    " * depth
        meta = {**node.metadata, **extra}
        kind = node.type_name
        if kind == "structure":
            assert isinstance(node, StructureShape)
            lines.append(f"{pad}if type({var}) is not dict: return False")
            required = set(node.required_members)
            for name, member in node.members.items():
                member_path = (*path, name)
                if member_path in unchecked:
                    continue
                member_extra = dict(_EXTRA_MEMBER_CONSTRAINTS.get((node.name, name), {}))
                if top:
                    member_extra.update(_EXTRA_CONSTRAINTS.get(name, {}))
                child = fresh("v")
                if name in required and member.type_name in _INLINE_KINDS:
                    # Subscription is cheaper than get(); a missing member raises
                    # KeyError, caught by the caller like TypeError.
                    lines.append(f"{pad}{child} = {var}[{name!r}]")
                    emit(member, member_extra, child, depth, False, looped, member_path)
                    continue
                lines.append(f"{pad}{child} = {var}.get({name!r})")
                if name in required:
                    lines.append(f"{pad}if {child} is None: return False")
                    emit(member, member_extra, child, depth, False, looped, member_path)
                else:
                    lines.append(f"{pad}if {child} is not None:")
                    emit(member, member_extra, child, depth + 1, False, looped, member_path)
        elif kind == "list":
            low, high = meta.get("min", 0), meta.get("max", _UNBOUNDED)
            if looped:
                # Records often share one list object (the same dimensions for
                # many records): one accepted in this call passes again unchanged.
                last = fresh("last")
                remembered.append(last)
                lines.append(f"{pad}if {var} is not {last}:")
                depth += 1
                pad += "    "
            lines.append(f"{pad}if type({var}) is not list: return False")
            if low > 0 or high < _UNBOUNDED:
                lines.append(f"{pad}if not {low} <= len({var}) <= {high}: return False")
            item = fresh("i")
            member = node.member  # type: ignore[attr-defined]
            lines.append(f"{pad}for {item} in {var}:")
            if member.type_name not in _INLINE_KINDS:
                lines.append(f"{pad}    if {item} is None: return False")
            emit(member, {}, item, depth + 1, False, True, path)
            if looped:
                lines.append(f"{pad}{last} = {var}")
        elif kind == "string":
            low, high = meta.get("min", 0), meta.get("max", _UNBOUNDED)
            if meta.get("enum"):
                # Membership in a set of strings implies the length; the exact type
                # is checked first, since a str subclass hashes like its text.
                allowed = constant(frozenset(meta["enum"]))
                lines.append(f"{pad}if type({var}) is not str or {var} not in {allowed}:")
                lines.append(f"{pad}    return False")
                return
            lines.append(f"{pad}if type({var}) is not str: return False")
            if low == 1 and high >= _UNBOUNDED:
                lines.append(f"{pad}if not {var}: return False")
            elif low > 0 or high < _UNBOUNDED:
                lines.append(f"{pad}if not {low} <= len({var}) <= {high}: return False")
            if meta.get("pattern"):
                pattern = constant(re.compile(meta["pattern"], re.DOTALL))
                lines.append(f"{pad}if {pattern}.fullmatch({var}) is None: return False")
        elif kind in ("integer", "long"):
            low, high = meta.get("min", -(1 << 63)), meta.get("max", (1 << 63) - 1)
            lines.append(f"{pad}if type({var}) is not int: return False")
            lines.append(f"{pad}if not {low} <= {var} <= {high}: return False")
        elif kind == "boolean":
            lines.append(f"{pad}if type({var}) is not bool: return False")
        else:
            checker = constant(_compile(node, extra).is_valid)
            lines.append(f"{pad}if not {checker}({var}): return False")

    lines.append("  try:")
    body_start = len(lines)
    emit(shape, {}, "v0", 2, True, False, ())
    lines[body_start:body_start] = [f"        {last} = None" for last in remembered]
    lines.append("  except (TypeError, KeyError):")
    lines.append("    return False")
    lines.append("  return True")
    # The source is generated above from the model, never from request data.
    exec("\n".join(lines), namespace)
    fast: Callable[[Any], bool] = namespace["is_valid"]
    return fast


def _compile(shape: Shape, extra: Mapping[str, Any], top_level: bool = False) -> _Checker:
    meta = {**shape.metadata, **extra}
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _compile_structure(shape, top_level)
    if kind == "list":
        return _compile_list(shape, meta)
    if kind == "string":
        return _compile_string(meta)
    if kind in ("integer", "long"):
        return _compile_number(meta)
    if kind == "boolean":
        return _compile_type(lambda v: isinstance(v, bool), "boolean")
    if kind == "timestamp":
        return _compile_type(
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "timestamp"
        )
    return _compile_type(lambda v: True, kind)


def _compile_type(accepts: Callable[[Any], bool], type_name: str) -> _Checker:
    def collect(value: Any, path: str, errors: list[str]) -> None:
        if not accepts(value):
            errors.append(_violation(value, path, f"Member must be of type {type_name}"))

    return _Checker(accepts, collect)


def _compile_structure(shape: StructureShape, top_level: bool) -> _Checker:
    members: dict[str, tuple[str, _Checker]] = {}
    for name, member_shape in shape.members.items():
        extra = dict(_EXTRA_MEMBER_CONSTRAINTS.get((shape.name, name), {}))
        if top_level:
            extra.update(_EXTRA_CONSTRAINTS.get(name, {}))
        members[name] = (_path_name(name), _compile(member_shape, extra))
    required = tuple(shape.required_members)

    def is_valid(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for name in required:
            if value.get(name) is None:
                return False
        for name, member_value in value.items():
            member = members.get(name)
            # Unknown members are ignored, as the service's framework does; JSON
            # null is the same as an absent member.
            if (
                member is not None
                and member_value is not None
                and not member[1].is_valid(member_value)
            ):
                return False
        return True

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not dict:
            errors.append(_violation(value, path, "Member must be of type structure"))
            return
        prefix = f"{path}." if path else ""
        for name, (path_name, checker) in members.items():
            member_value = value.get(name)
            if member_value is None:
                if name in required:
                    errors.append(_violation(None, prefix + path_name, "Member must not be null"))
                continue
            checker.collect(member_value, prefix + path_name, errors)

    return _Checker(is_valid, collect)


def _length_phrases(length: int, meta: Mapping[str, Any], what: str) -> list[str]:
    phrases = []
    low, high = meta.get("min"), meta.get("max")
    if low is not None and length < low:
        phrases.append(f"Member must have {what} greater than or equal to {low}")
    if high is not None and length > high:
        phrases.append(f"Member must have {what} less than or equal to {high}")
    return phrases


def _compile_list(shape: Shape, meta: Mapping[str, Any]) -> _Checker:
    element = _compile(shape.member, {})  # type: ignore[attr-defined]
    low = meta.get("min", 0)
    high = meta.get("max", 1 << 62)
    element_ok = element.is_valid

    def is_valid(value: Any) -> bool:
        if type(value) is not list or not low <= len(value) <= high:
            return False
        return all(item is not None and element_ok(item) for item in value)

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not list:
            errors.append(_violation(value, path, "Member must be of type list"))
            return
        for phrase in _length_phrases(len(value), meta, "length"):
            errors.append(_violation(value, path, phrase))
        for position, item in enumerate(value, start=1):
            item_path = f"{path}.{position}.member"
            if item is None:
                errors.append(_violation(None, item_path, "Member must not be null"))
            else:
                element.collect(item, item_path, errors)

    return _Checker(is_valid, collect)


def _compile_string(meta: Mapping[str, Any]) -> _Checker:
    low = meta.get("min", 0)
    high = meta.get("max", 1 << 62)
    enum = meta.get("enum")
    allowed = frozenset(enum) if enum else None
    pattern_text = meta.get("pattern")
    pattern = re.compile(pattern_text, re.DOTALL) if pattern_text else None

    def is_valid(value: Any) -> bool:
        if type(value) is not str or not low <= len(value) <= high:
            return False
        if allowed is not None and value not in allowed:
            return False
        return pattern is None or pattern.fullmatch(value) is not None

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not str:
            errors.append(_violation(value, path, "Member must be of type string"))
            return
        for phrase in _length_phrases(len(value), meta, "length"):
            errors.append(_violation(value, path, phrase))
        if allowed is not None and value not in allowed:
            listed = ", ".join(enum or ())
            phrase = f"Member must satisfy enum value set: [{listed}]"
            errors.append(_violation(value, path, phrase))
        if pattern is not None and pattern.fullmatch(value) is None:
            errors.append(
                _violation(
                    value, path, f"Member must satisfy regular expression pattern: {pattern_text}"
                )
            )

    return _Checker(is_valid, collect)


def _compile_number(meta: Mapping[str, Any]) -> _Checker:
    low = meta.get("min", -(1 << 63))
    high = meta.get("max", (1 << 63) - 1)

    def is_valid(value: Any) -> bool:
        return type(value) is int and low <= value <= high

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not int:
            errors.append(_violation(value, path, "Member must be of type integer"))
            return
        bounds = {"min": low, "max": high}
        for phrase in _length_phrases(value, bounds, "value"):
            errors.append(_violation(value, path, phrase))

    return _Checker(is_valid, collect)
