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
come from the call's parameters (kept at ``before-parameter-build``) when they
pass the model's check with exact JSON types; otherwise from botocore's
serialized body, exactly as the full path reads them.
"""

from __future__ import annotations

import datetime
import time
import weakref
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, cast

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.discovery import EndpointDiscoveryHandler
from botocore.parsers import PROTOCOL_PARSERS, ResponseParser
from botocore.signers import RequestSigner
from botocore.utils import get_tzinfo_options, parse_timestamp

from tsmock import dispatch, protocol, shapes
from tsmock.backend.errors import TimestreamError

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from tsmock.state import MockState

#: Request-context key of the members given to the client call.
SENT_PARAMS = "tsmock_sent_params"

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
        #: Operation -> (answerable, its discovery handlers).
        self.verdicts: dict[str, tuple[bool, tuple[Any, ...]]] = {}


_VIEWS: weakref.WeakKeyDictionary[Any, _ClientView] = weakref.WeakKeyDictionary()


def _handlers(emitter: Any, event_name: str) -> Iterator[Any]:
    return iter(emitter._handlers.prefix_search(event_name))


def _verdict(emitter: Any, service_name: str, operation: str) -> tuple[bool, tuple[Any, ...]]:
    """(no handler must see the HTTP request, the endpoint discovery handlers)."""
    builtin = _Builtin.current()
    view = _VIEWS.get(emitter)
    if view is None:
        view = _VIEWS[emitter] = _ClientView()
    # botocore replaces its lookup cache whenever a handler is (un)registered.
    lookup_cache = getattr(emitter, "_lookup_cache", None)
    if view.lookup_cache is not lookup_cache or view.builtin is not builtin:
        view.lookup_cache, view.builtin = lookup_cache, builtin
        view.verdicts.clear()
    verdict = view.verdicts.get(operation)
    if verdict is None:
        answerable = True
        discovery: list[Any] = []
        for event in _HTTP_EVENTS:
            for handler in _handlers(emitter, f"{event}.{service_name}.{operation}"):
                function = getattr(handler, "__func__", handler)
                if function is EndpointDiscoveryHandler.discover_endpoint:
                    discovery.append(handler.__self__)
                elif handler not in builtin and function not in _CLIENT_FUNCTIONS:
                    answerable = False
        verdict = view.verdicts[operation] = (answerable, tuple(discovery))
    return verdict


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
    """The raw body of a fast answer: JSON-encoded only if someone reads it."""

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
    emitter = getattr(getattr(request_signer, "_event_emitter", None), "_emitter", None)
    if emitter is None or type(emitter).__module__.startswith("aiobotocore"):
        return None
    operation = model.name
    answerable, discovery = _verdict(emitter, service_name, operation)
    if not answerable or (discovery and not _endpoint_known(discovery, operation, context)):
        return None
    body = request_dict.get("body")
    params = context.get(SENT_PARAMS)
    config = context.get("client_config")
    checked = (
        params is not None
        and getattr(config, "parameter_validation", True) is not False
        and shapes.is_valid(service_name, operation, params)
    )
    if not checked:
        try:
            params = protocol.parse_request(request_dict["headers"], body, service_name).params
        except TimestreamError:
            return None
    assert params is not None
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
    http = AWSResponse(url, encoded.status, cast(Any, headers), _LazyError(encoded.body))
    return http, parsed


class _LazyError:
    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data
