"""Answers at botocore's ``before-call``: the parsed response, without HTTP.

botocore emits ``before-call.<service>.<operation>`` once it has validated and
serialized a call, and takes the first handler's answer as ``(http response,
parsed response)``. tsmock answers there, with what botocore's parser would have
made of the full HTTP answer, when nothing could tell the difference:

* the client has discovered its endpoint already (or needs none), so the full
  path would not call DescribeEndpoints first;
* no armed fault matches the call (faults take the full path, where botocore's
  retries and endpoint re-discovery see them);
* the client carries no handler that must see the HTTP request (a user's
  ``before-call``, ``before-send``, ``request-created`` or ``before-sign``
  handler for the service), and it is not an aiobotocore client.

Otherwise it returns None and the call takes the full HTTP path. Both paths end
in `dispatch.run`: the same checks, faults, backend and call log. The members
are the call's parameters when `request_without_serializer` made the request
(they passed the model's check with exact JSON types); otherwise they are read
from botocore's serialized body, exactly as the full path reads them.

A call that will be answered here does not need botocore's serializer, which
walks every member of the request in Python (a third of a 100-record
WriteRecords call): `request_without_serializer` makes the request dict
instead, after botocore's own parameter validation, with the body
``json.dumps`` gives for members that pass the model's check, byte for byte
what the serializer gives for operations without timestamp, blob or renamed
members (the only ones it is used for). Should ``before-call`` decline after
all, `serialize_after_all` puts botocore's own request dict in its place.
"""

from __future__ import annotations

import datetime
import json
import time
import weakref
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, cast

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.discovery import EndpointDiscoveryHandler
from botocore.httpchecksum import resolve_checksum_context
from botocore.parsers import PROTOCOL_PARSERS, ResponseParser
from botocore.signers import RequestSigner
from botocore.utils import get_tzinfo_options, parse_timestamp
from botocore.validate import ParamValidationDecorator, validate_parameters

from tsmock import dispatch, protocol, registry, shapes
from tsmock.backend.errors import TimestreamError

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from tsmock.state import MockState

#: Attribute of tsmock's ``before-call`` handler (`tsmock.intercept`): it answers here.
ANSWERS_BEFORE_CALL = "tsmock_answers_before_call"
#: Request-context key of a call made without botocore's serializer: what makes
#: botocore's own request dict for it, on demand.
SERIALIZE = "tsmock_serialize"
#: Request-context key: the members `request_without_serializer` checked, every
#: other check of the fast path passed with them.
_CHECKED = "tsmock_checked"

#: Events whose handlers see the HTTP request on the full path.
_HTTP_EVENTS = ("before-call", "before-send", "request-created", "before-sign")


def _client_functions() -> frozenset[Any]:
    """botocore's own per-client handlers of those events (besides the built-in ones)."""
    functions: set[Any] = {RequestSigner.handler, EndpointDiscoveryHandler.discover_endpoint}
    try:
        from botocore.useragent import UserAgentString
    except ImportError:  # older botocore: no such handler
        return frozenset(functions)
    handler = getattr(UserAgentString, "rebuild_and_replace_user_agent_handler", None)
    if handler is not None:
        functions.add(handler)
    return frozenset(functions)


_CLIENT_FUNCTIONS = _client_functions()


class _Builtin:
    """The handlers every session starts with (botocore's, moto's, tsmock's)."""

    count = -1
    handlers: frozenset[Any] = frozenset()

    @classmethod
    def current(cls) -> frozenset[Any]:
        builtin = botocore_handlers.BUILTIN_HANDLERS
        if len(builtin) != cls.count:
            cls.handlers = frozenset(entry[1] for entry in builtin)
            cls.count = len(builtin)
        return cls.handlers


class _ClientView:
    """What tsmock has learned about one client's event handlers."""

    __slots__ = ("builtin", "lookup_cache", "verdicts")

    def __init__(self) -> None:
        self.lookup_cache: object = None
        self.builtin: frozenset[Any] = frozenset()
        #: Operation -> `_verdict`.
        self.verdicts: dict[str, tuple[Any, ...] | None] = {}


_VIEWS: weakref.WeakKeyDictionary[Any, _ClientView] = weakref.WeakKeyDictionary()


def _handlers(emitter: Any, event_name: str) -> Iterator[Any]:
    return iter(emitter._handlers.prefix_search(event_name))


def _verdict(emitter: Any, service_name: str, operation: str) -> tuple[Any, ...] | None:
    """The client's endpoint discovery handlers of the operation, or None if the
    fast path may not answer it: a handler must see the HTTP request, or tsmock's
    ``before-call`` handler is not there to answer."""
    builtin = _Builtin.current()
    view = _VIEWS.get(emitter)
    if view is None:
        view = _VIEWS[emitter] = _ClientView()
    # botocore replaces its lookup cache whenever a handler is (un)registered.
    lookup_cache = getattr(emitter, "_lookup_cache", None)
    if view.lookup_cache is not lookup_cache or view.builtin is not builtin:
        view.lookup_cache, view.builtin = lookup_cache, builtin
        view.verdicts.clear()
    if operation in view.verdicts:
        return view.verdicts[operation]
    verdict = view.verdicts[operation] = _judge(emitter, service_name, operation, builtin)
    return verdict


def _judge(
    emitter: Any, service_name: str, operation: str, builtin: frozenset[Any]
) -> tuple[Any, ...] | None:
    answers = False
    discovery: list[Any] = []
    for event in _HTTP_EVENTS:
        for handler in _handlers(emitter, f"{event}.{service_name}.{operation}"):
            function = getattr(handler, "__func__", handler)
            answers = answers or getattr(function, ANSWERS_BEFORE_CALL, False)
            if function is EndpointDiscoveryHandler.discover_endpoint:
                discovery.append(handler.__self__)
            elif handler not in builtin and function not in _CLIENT_FUNCTIONS:
                return None
    return tuple(discovery) if answers else None


def _answerable(events: Any, service_name: str, operation: str, context: dict[str, Any]) -> bool:
    """Whether the fast path may answer this call of the client whose hooks are ``events``.

    Not for an aiobotocore client (its emitter awaits the answer's content), nor
    when `_verdict` says no, nor when the full path would call DescribeEndpoints.
    """
    emitter = getattr(events, "_emitter", None)
    if emitter is None or type(emitter).__module__.startswith("aiobotocore"):
        return False
    discovery = _verdict(emitter, service_name, operation)
    if discovery is None:
        return False
    return not discovery or _endpoint_known(discovery, operation, context)


def _endpoint_known(discovery: tuple[Any, ...], operation: str, context: dict[str, Any]) -> bool:
    """Whether the full path would use a cached endpoint (no DescribeEndpoints call)."""
    ids = context.get("discovery", {}).get("identifiers")
    if ids is None:
        return True
    for handler in discovery:
        manager = handler._manager
        if not manager._always_discover and not manager._model.discovery_required_for(operation):
            continue
        key = manager._create_cache_key(Operation=operation, Identifiers=ids)
        endpoints = manager._cache.get(key)
        if not endpoints:
            return False
        # botocore keeps an endpoint until its Expiration (read with its own clock).
        now = manager._time()
        if not any(now < endpoint["Expiration"] for endpoint in endpoints):
            return False
    return True


class _LocalZone:
    """botocore's local time zone for parsed timestamps, made once per zone setting.

    botocore's timestamp parser builds a new ``tzlocal()`` for every value; one
    made while the process's zone setting holds gives equal datetimes.
    """

    key: tuple[int, int, int] | None = None
    zone: Any = None

    @classmethod
    def current(cls) -> Any:
        key = (time.timezone, time.altzone, time.daylight)
        if key != cls.key:
            cls.zone, cls.key = get_tzinfo_options()[0](), key
        return cls.zone


def _parse_timestamp(value: Any) -> Any:
    if type(value) in (int, float):
        # The class is looked up at call time, as botocore does (freezegun may
        # patch it); a resource's timestamps repeat from answer to answer, and a
        # datetime is immutable, so each is made once.
        _LocalZone.current()
        return _local_datetime(value, datetime.datetime, _LocalZone.key)
    return parse_timestamp(value)


@lru_cache(maxsize=4096)
def _local_datetime(value: float, datetime_class: Any, zone_key: Any) -> Any:
    try:
        return datetime_class.fromtimestamp(value, _LocalZone.zone)
    except (OSError, OverflowError, ValueError):
        return parse_timestamp(cast(Any, value))


@cache
def _parser(protocol_name: str) -> ResponseParser:
    parser_class: Any = PROTOCOL_PARSERS[protocol_name]
    parser: ResponseParser = parser_class(timestamp_parser=_parse_timestamp)
    return parser


class _LazyBody:
    """The raw body of a fast answer (result or error members): JSON-encoded only
    if someone reads it."""

    __slots__ = ("_data", "_result")

    def __init__(self, result: dict[str, Any]) -> None:
        self._result = result
        self._data: bytes | None = None

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        if self._data is None:
            self._data = protocol.encode_result(self._result).body
        return self._data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.read()


def answer(
    state: MockState,
    service_name: str,
    model: OperationModel,
    request_dict: dict[str, Any],
    request_signer: Any,
    context: dict[str, Any],
) -> tuple[AWSResponse, dict[str, Any]] | None:
    """The ``before-call`` answer, or None when the call must take the full path."""
    operation = model.name
    body = request_dict.get("body")
    # Made by `request_without_serializer`, which ran every check up to the faults'.
    params: dict[str, Any] | None = context.get(_CHECKED)
    checked = params is not None
    if params is None:
        if not _answerable(
            getattr(request_signer, "_event_emitter", None), service_name, operation, context
        ):
            return None
        try:
            params = protocol.parse_members(body)
        except TimestreamError:
            return None
    # Checked again for a call made without the serializer: a fault armed since
    # (by another thread) strikes on the full path (`serialize_after_all`).
    if state.faults.may_strike(service_name, operation, params):
        return None
    region = context.get("client_region") or state.region_name
    outcome = dispatch.run(state, service_name, region, operation, params, body, checked=checked)
    protocol_name = model.service_model.resolved_protocol
    parser = _parser(protocol_name)
    request_id = protocol.request_id()
    headers = {"Content-Type": protocol.CONTENT_TYPE, "x-amzn-RequestId": request_id}
    url = request_dict.get("url", "")
    if isinstance(outcome, TimestreamError):
        return _error_answer(outcome, model, parser, headers, url)
    shape = model.output_shape
    parsed: dict[str, Any] = {}
    if shape is not None:
        # What the parser does with the decoded JSON body, handed the result itself.
        parsed = parser._parse_shape(shape, outcome)  # type: ignore[attr-defined]
    parsed["ResponseMetadata"] = {
        "RequestId": request_id,
        "HTTPStatusCode": 200,
        "HTTPHeaders": {"content-type": protocol.CONTENT_TYPE, "x-amzn-requestid": request_id},
        "RetryAttempts": 0,
    }
    return AWSResponse(url, 200, cast(Any, headers), _LazyBody(outcome)), parsed


def _error_answer(
    error: TimestreamError,
    model: OperationModel,
    parser: ResponseParser,
    headers: dict[str, str],
    url: str,
) -> tuple[AWSResponse, dict[str, Any]]:
    # Errors are rare: botocore's own parser reads the encoded error, as on the
    # full path, modeled members (RejectedRecords) included.
    encoded = protocol.encode_error(error)
    response = {
        "body": encoded.body,
        "headers": HeadersDict(headers),
        "status_code": encoded.status,
    }
    parsed: dict[str, Any] = parser.parse(response, model.output_shape)  # type: ignore[arg-type]
    error_shape = model.service_model.shape_for_error_code(parsed["Error"]["Code"])
    if error_shape is not None:
        parsed.update(parser.parse(response, error_shape))
    parsed["ResponseMetadata"]["RetryAttempts"] = 0
    http = AWSResponse(url, encoded.status, cast(Any, headers), _LazyBody(error.body()))
    return http, parsed


# --- Requests made without botocore's serializer -------------------------------------


def request_without_serializer(
    client: Any,
    api_params: dict[str, Any],
    model: OperationModel,
    endpoint_url: str,
    context: dict[str, Any] | None,
    serialize: Callable[[], dict[str, Any]],
) -> dict[str, Any] | None:
    """The request dict of a call ``before-call`` will answer, or None to serialize.

    ``serialize`` makes botocore's own request dict (`serialize_after_all`).
    botocore's parameter validation runs first, as its serializer would run it,
    so a bad parameter raises the same ``ParamValidationError``.
    """
    state = registry.active()
    service_name = model.service_model.service_name
    if state is None or context is None or service_name not in state.services:
        return None
    operation = model.name
    if (
        # A client made with parameter_validation=False sends what it is given:
        # the service's own checks answer it, from the serialized body.
        not isinstance(getattr(client, "_serializer", None), ParamValidationDecorator)
        or not _plain_input(model)
        or not _answerable(getattr(client.meta, "events", None), service_name, operation, context)
    ):
        return None
    if model.input_shape is not None:
        validate_parameters(api_params, model.input_shape)
    if not shapes.is_valid(service_name, operation, api_params):
        return None
    if state.faults.may_strike(service_name, operation, api_params):
        return None
    context[SERIALIZE] = serialize
    context[_CHECKED] = api_params
    return {
        "url_path": "/",
        "query_string": "",
        "method": "POST",
        "headers": {},
        # The members passed the model's check with exact JSON types: this is
        # the serializer's body (the call log keeps it).
        "body": json.dumps(api_params).encode("utf-8"),
        "url": endpoint_url,
        "context": context,
    }


def serialize_after_all(request_dict: dict[str, Any], model: OperationModel) -> None:
    """Give a call made without the serializer botocore's own request dict.

    For the rare call ``before-call`` declines after all (a fault armed, or the
    mock stopped, in between by another thread): the full path needs the real
    request. Does nothing for a call botocore serialized.
    """
    context = request_dict.get("context")
    if not isinstance(context, dict):
        return
    serialize = context.pop(SERIALIZE, None)
    if serialize is None:
        return
    params = context.pop(_CHECKED, None)
    request_dict.clear()
    request_dict.update(serialize())
    resolve_checksum_context(request_dict, model, params)


#: (service, operation) -> `_plain_input` (one model per service and operation).
_PLAIN_INPUTS: dict[tuple[str, str], bool] = {}


def _plain_input(model: OperationModel) -> bool:
    """Whether ``json.dumps`` of valid members is the serializer's body, byte for byte.

    True when no member is a timestamp or blob (which the serializer converts)
    and none is renamed on the wire.
    """
    key = (model.service_model.service_name, model.name)
    known = _PLAIN_INPUTS.get(key)
    if known is None:
        known = _PLAIN_INPUTS[key] = _walk_plain(model)
    return known


def _walk_plain(model: OperationModel) -> bool:
    seen: set[str] = set()

    def plain(shape: Any) -> bool:
        if shape.name in seen:
            return True
        seen.add(shape.name)
        if shape.type_name in ("timestamp", "blob"):
            return False
        if shape.type_name == "structure":
            return all(
                "name" not in member.serialization and plain(member)
                for member in shape.members.values()
            )
        if shape.type_name == "list":
            return plain(shape.member)
        if shape.type_name == "map":
            return plain(shape.key) and plain(shape.value)
        return True

    return model.input_shape is None or plain(model.input_shape)
