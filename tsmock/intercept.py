"""Where requests are caught: the only module that knows botocore events.

Generic over the services of `tsmock.services`: for each one,

* A ``before-send.<service>`` handler among botocore's built-in handlers, so
  every session created after ``import tsmock`` (and every client of it, made
  before or after a mock starts) asks tsmock first. It is more specific than
  moto's catch-all ``before-send`` handler, so botocore calls it first and its
  answer wins; for other services it is never called.
* A ``choose-signer.<service>`` handler that skips request signing while a
  mock is active: no credentials are needed and none are read.
* A hook on ``Endpoint.make_request`` while active, for clients whose session
  predates the import (a module-level client of application code): before the
  first request of such a client is signed, tsmock's handlers join its event
  emitter, so it is answered as any other client, without credentials, ahead
  of moto's catch-all ``before-send`` handler.
* An adapter for plain ``requests`` calls to the service's hosts
  (`tsmock.plain_requests`).

Every handler answers only while a mock answering its service is active and
returns None (hands the request back untouched) otherwise.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import botocore
from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.client import BaseClient
from botocore.endpoint import Endpoint

from tsmock import async_responses, plain_requests, registry
from tsmock.services import SERVICES, WRITE

if TYPE_CHECKING:
    from tsmock.state import MockState


#: Request-context key of a call made without botocore's serializer (`fast_path.SERIALIZE`).
_SERIALIZE = "tsmock_serialize"
_BY_ENDPOINT_PREFIX = {service.endpoint_prefix: service.name for service in SERVICES.values()}
#: botocore >= 1.42 hands the request context (with the client's region) on to
#: the prepared request; only older releases need the region kept at ``before-sign``.
_PREPARED_REQUESTS_CARRY_CONTEXT = (
    "context" in inspect.signature(AWSPreparedRequest.__init__).parameters
)


class _Body:
    """The raw body botocore reads a response from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data


def _region(request: AWSPreparedRequest, state: MockState, service_name: str) -> str:
    """The region of the client that made the request.

    In order: the request context (botocore >= 1.42 passes it to the prepared
    request), the region this thread's client signed for last (older releases:
    botocore sends a request in the thread that signed it, right after), the
    region in a Timestream host name, the mock's region.
    """
    context = getattr(request, "context", None)
    if context:
        region = context.get("client_region")
        if region:
            return str(region)
    signed_for = getattr(registry.signing_regions, service_name, None)
    # Read once: a later request of the thread must not inherit it.
    setattr(registry.signing_regions, service_name, None)
    if signed_for:
        return str(signed_for)
    answered = plain_requests.service_of(request.url or "")
    host_region = answered[1] if answered is not None and answered[0] == service_name else None
    return host_region or state.region_name


def _answer(request: AWSPreparedRequest, state: MockState, service_name: str) -> AWSResponse:
    from tsmock import dispatch

    # botocore's JSON serializer sends bytes; other bodies are read the same way
    # as those of plain requests.
    body = plain_requests.body_bytes(request.body)
    response = dispatch.handle(
        state, _region(request, state, service_name), request.headers, body, service_name
    )
    headers = HTTPHeaders()
    for name, value in response.headers.items():
        headers[name] = value
    return AWSResponse(request.url, response.status, headers, _Body(response.body))


def _answering(service_name: str) -> MockState | None:
    """The active state if it answers the service, else None."""
    state = registry.active()
    if state is None or service_name not in state.services:
        return None
    return state


class _ServiceHandlers:
    """The botocore event handlers of one service (inert unless it is answered)."""

    def __init__(self, service_name: str) -> None:
        self.service_name = service_name

    def before_send(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        """``before-send.<service>``: the answer of the active mock, else None."""
        state = _answering(self.service_name)
        if state is None:
            return None
        # aiobotocore's emitter calls this too, and awaits the answer's content.
        caller = sys._getframe(1)
        return async_responses.for_caller(_answer(request, state, self.service_name), caller)

    def before_call(
        self, model: Any, params: Any, request_signer: Any, context: Any = None, **kwargs: Any
    ) -> Any:
        """``before-call.<service>``: the fast answer (`tsmock.fast_path`), else None."""
        if context is None:
            return None
        state = _answering(self.service_name)
        if state is None and _SERIALIZE not in context:
            return None
        from tsmock import fast_path

        answered = None
        if state is not None:
            answered = fast_path.answer(
                state, self.service_name, model, params, request_signer, context
            )
        if answered is None:
            # Also when the mock stopped since the call skipped the serializer.
            fast_path.serialize_after_all(params, model)
        return answered

    def remember_region(self, region_name: Any = None, **kwargs: Any) -> None:
        """``before-sign.<service>``: the client's region, for `_region`.

        Registered only for botocore releases whose prepared requests carry no
        request context. Set for every request of the service and cleared when
        read, so a value never outlives the request it was set for.
        """
        setattr(registry.signing_regions, self.service_name, region_name)

    def choose_signer(self, **kwargs: Any) -> Any:
        """``choose-signer.<service>``: no signing (no credentials) while answered."""
        return botocore.UNSIGNED if _answering(self.service_name) is not None else None

    def builtin(self) -> list[tuple[str, Any]]:
        name = self.service_name
        handlers = [
            (f"before-send.{name}", self.before_send),
            (f"choose-signer.{name}", self.choose_signer),
            (f"before-call.{name}", self.before_call),
        ]
        if not _PREPARED_REQUESTS_CARRY_CONTEXT:
            handlers.append((f"before-sign.{name}", self.remember_region))
        return handlers


# Marks the handler `fast_path` looks for: a call is made without botocore's
# serializer only for a client whose emitter holds it (a later session's).
setattr(_ServiceHandlers.before_call, "tsmock_answers_before_call", True)  # noqa: B010

_HANDLERS = {name: _ServiceHandlers(name) for name in SERVICES}
# Timestream Write's handlers by name, as earlier releases exposed them.
before_send = _HANDLERS[WRITE].before_send
choose_signer = _HANDLERS[WRITE].choose_signer

_BUILTIN = [entry for handlers in _HANDLERS.values() for entry in handlers.builtin()]
#: Attribute of an emitter: the services whose handlers it is known to hold (`_join`).
_JOINED = "_tsmock_joined"


def install_builtin_handlers() -> None:
    """Add the handlers to botocore's built-ins once (they are inert while inactive)."""
    for entry in _BUILTIN:
        if entry not in botocore_handlers.BUILTIN_HANDLERS:
            botocore_handlers.BUILTIN_HANDLERS.append(entry)


class _ClassPatch:
    """One attribute of a botocore class replaced while a mock is active."""

    def __init__(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        self.owner, self.name = owner, name
        self.original = getattr(owner, name)
        self.replacement = make(self.original)
        setattr(owner, name, self.replacement)

    def undo(self) -> None:
        """Put the original back, unless another patch now lies over this one.

        Putting the original back under a patch made after this one (a
        ``mock.patch`` the user made inside the mock) would switch that off, and
        its own restore would later bring this one back. Then this one stays
        beneath it, passing every call on while no mock is active.
        """
        if getattr(self.owner, self.name) is self.replacement:
            setattr(self.owner, self.name, self.original)


def _hook_make_request(original: Any) -> Any:
    def make_request(endpoint: Endpoint, operation_model: Any, request_dict: Any) -> Any:
        service_name = _BY_ENDPOINT_PREFIX.get(getattr(endpoint, "_endpoint_prefix", ""))
        if service_name is not None and _answering(service_name) is not None:
            _join(getattr(endpoint, "_event_emitter", None), service_name)
        return original(endpoint, operation_model, request_dict)

    return make_request


def _hook_convert_to_request_dict(original: Any) -> Any:
    from tsmock import fast_path

    def convert_to_request_dict(
        client: Any,
        api_params: Any,
        operation_model: Any,
        endpoint_url: Any,
        context: Any = None,
        headers: Any = None,
        set_user_agent_header: bool = True,
    ) -> Any:
        def serialize() -> Any:
            return original(
                client,
                api_params,
                operation_model,
                endpoint_url,
                context=context,
                headers=headers,
                set_user_agent_header=set_user_agent_header,
            )

        if set_user_agent_header and registry.active() is not None:
            # (A presigned URL, made without the user agent, is always serialized.)
            made = fast_path.request_without_serializer(
                client, api_params, operation_model, endpoint_url, context, serialize
            )
            if made is not None:
                return made
        return serialize()

    return convert_to_request_dict


class Interception:
    """What an outermost activation switches on and restores on stop."""

    def __init__(self) -> None:
        self._patches: list[_ClassPatch] = []
        self._plain_requests: plain_requests.PlainRequests | None = None
        self._waiting: _AfterImport | None = None

    def start(self) -> None:
        """Hook botocore's endpoint and client, and answer plain ``requests`` calls.

        ``Endpoint.make_request``: clients made before ``import tsmock`` get
        tsmock's handlers (`_join`). ``BaseClient._convert_to_request_dict``:
        calls the fast path answers skip botocore's serializer
        (`tsmock.fast_path.request_without_serializer`).
        """
        try:
            self._patches.append(_ClassPatch(Endpoint, "make_request", _hook_make_request))
            self._patches.append(
                _ClassPatch(BaseClient, "_convert_to_request_dict", _hook_convert_to_request_dict)
            )
            if "requests" in sys.modules:
                self._answer_plain_requests()
            else:
                # ``requests`` costs tens of milliseconds to load: plain requests
                # are answered from the moment ``requests`` is imported.
                self._waiting = _AfterImport("requests", self._answer_plain_requests)
                sys.meta_path.insert(0, self._waiting)
        except BaseException:
            self.stop()
            raise

    def _answer_plain_requests(self) -> None:
        answering = plain_requests.PlainRequests()
        answering.start()
        self._plain_requests = answering

    def stop(self) -> None:
        """Put back what `start` replaced (see `_ClassPatch.undo`)."""
        patches, self._patches = self._patches, []
        for patch in reversed(patches):
            patch.undo()
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            waiting.cancel()
        answering, self._plain_requests = self._plain_requests, None
        if answering is not None:
            answering.stop()


def _join(emitter: Any, service_name: str) -> None:
    """Add the service's handlers to a client's emitter that lacks them.

    Only clients whose session was made before ``import tsmock`` lack them;
    every later session has them among botocore's built-in handlers. The
    emitter is marked, so each client is looked at once per service.
    """
    joined: frozenset[str] = getattr(emitter, _JOINED, frozenset())
    if emitter is None or service_name in joined:
        return
    handlers = _HANDLERS[service_name]
    trie = getattr(getattr(emitter, "_emitter", emitter), "_handlers", None)
    found = trie.prefix_search(f"before-send.{service_name}") if trie is not None else ()
    if handlers.before_send not in list(found):
        for event, handler in handlers.builtin():
            # First: ahead of a catch-all ``before-send`` (moto's) on the same event.
            emitter.register_first(event, handler)
    # An emitter that takes no attribute is looked at again next time.
    with contextlib.suppress(AttributeError):
        setattr(emitter, _JOINED, joined | {service_name})


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``callback`` once the module ``name`` has been imported (first import only)."""

    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name = name
        self.callback: Callable[[], None] | None = callback

    def cancel(self) -> None:
        self.callback = None
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name or self.callback is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        real_loader: Any = loader
        original_exec = real_loader.exec_module
        waiting = self

        class _ThenCall(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return real_loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                original_exec(module)
                callback = waiting.callback
                waiting.cancel()
                if callback is not None:
                    callback()

        spec.loader = _ThenCall()
        return spec
