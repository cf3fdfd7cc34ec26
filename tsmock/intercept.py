"""Where requests are caught: the only module that knows botocore events.

Generic over the services of `tsmock.services`: for each one,

* A ``before-send.<service>`` handler among botocore's built-in handlers, so
  every session created after ``import tsmock`` (and every client of it, made
  before or after a mock starts) asks tsmock first. It is more specific than
  moto's catch-all ``before-send`` handler, so botocore calls it first and its
  answer wins; for other services it is never called.
* A ``choose-signer.<service>`` handler that skips request signing while a
  mock is active: no credentials are needed and none are read.
* A guard on ``Endpoint._send`` while active, for clients whose session predates
  the import: their Timestream requests are answered too, never sent.
* A ``responses`` mock for plain ``requests`` calls to the service's hosts.

Every handler answers only while a mock answering its service is active and
returns None (hands the request back untouched) otherwise.
"""

from __future__ import annotations

import importlib.abc
import re
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import botocore
from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.endpoint import Endpoint

from tsmock import registry
from tsmock.services import SERVICES, WRITE, Service

if TYPE_CHECKING:
    from tsmock.state import MockState


def _host_url(service: Service) -> re.Pattern[str]:
    return re.compile(rf"https?://{service.host_name}(?::\d+)?(?:/.*)?")


#: Request-context key of the members given to the client call (`fast_path.SENT_PARAMS`).
_SENT_PARAMS = "tsmock_sent_params"
_BY_ENDPOINT_PREFIX = {service.endpoint_prefix: service.name for service in SERVICES.values()}


class _Body:
    """The raw body botocore reads a response from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data


#: The region in a SigV4 ``Authorization`` header's credential scope.
_SCOPE_REGION = re.compile(r"Credential=[^/,]+/\d{8}/([^/,]+)/")


def _region(request: AWSPreparedRequest, state: MockState, service_name: str) -> str:
    """The region of the client that made the request.

    In order: the request context (botocore >= 1.42 passes it to the prepared
    request), the region this thread's client signed for (older releases), the
    credential scope of a signed request (a session without tsmock's handlers),
    the region in a Timestream host name, the mock's region.
    """
    context = getattr(request, "context", None)
    if context:
        region = context.get("client_region")
        if region:
            return str(region)
    attribute = service_name.replace("-", "_")
    signed_for = getattr(registry.signing_regions, attribute, None)
    # Read once: a later request of a client without tsmock's handlers must not see it.
    setattr(registry.signing_regions, attribute, None)
    if signed_for:
        return str(signed_for)
    authorization = request.headers.get("Authorization") if request.headers else None
    if authorization:
        text = authorization.decode() if isinstance(authorization, bytes) else str(authorization)
        scope = _SCOPE_REGION.search(text)
        if scope:
            return scope[1]
    match = _host_url(SERVICES[service_name]).fullmatch(request.url or "")
    return match["region"] if match else state.region_name


def _answer(request: AWSPreparedRequest, state: MockState, service_name: str) -> AWSResponse:
    from tsmock import dispatch

    # botocore's JSON serializer sends bytes; other bodies are read the same way
    # as those of plain requests.
    body = _body_bytes(request.body)
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
        self._attribute = service_name.replace("-", "_")

    def before_send(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        """``before-send.<service>``: the answer of the active mock, else None."""
        state = _answering(self.service_name)
        if state is None:
            return None
        return _answer(request, state, self.service_name)

    def before_call(
        self, model: Any, params: Any, request_signer: Any, context: Any = None, **kwargs: Any
    ) -> Any:
        """``before-call.<service>``: the fast answer (`tsmock.fast_path`), else None."""
        state = _answering(self.service_name)
        if state is None or context is None:
            return None
        from tsmock import fast_path

        return fast_path.answer(state, self.service_name, model, params, request_signer, context)

    def remember_params(self, params: Any, context: Any = None, **kwargs: Any) -> None:
        """``before-parameter-build.<service>``: keep the members of the call.

        The request context travels to ``before-call``, where the fast path may
        use them instead of decoding the body botocore serialized.
        """
        if context is not None and _answering(self.service_name) is not None:
            context[_SENT_PARAMS] = params

    def remember_region(self, region_name: Any = None, **kwargs: Any) -> None:
        """``before-sign.<service>``: the client's region, for `_region`.

        Set for every request of the service and cleared when read, so a value
        never outlives the request it was set for.
        """
        setattr(registry.signing_regions, self._attribute, region_name)

    def choose_signer(self, **kwargs: Any) -> Any:
        """``choose-signer.<service>``: no signing (no credentials) while answered."""
        return botocore.UNSIGNED if _answering(self.service_name) is not None else None

    def builtin(self) -> list[tuple[str, Any]]:
        name = self.service_name
        return [
            (f"before-send.{name}", self.before_send),
            (f"choose-signer.{name}", self.choose_signer),
            (f"before-call.{name}", self.before_call),
            (f"before-parameter-build.{name}", self.remember_params),
            (f"before-sign.{name}", self.remember_region),
        ]


_HANDLERS = {name: _ServiceHandlers(name) for name in SERVICES}
# Timestream Write's handlers by name, as earlier releases exposed them.
before_send = _HANDLERS[WRITE].before_send
choose_signer = _HANDLERS[WRITE].choose_signer

_BUILTIN = [entry for handlers in _HANDLERS.values() for entry in handlers.builtin()]


def install_builtin_handlers() -> None:
    """Add the handlers to botocore's built-ins once (they are inert while inactive)."""
    for entry in _BUILTIN:
        if entry not in botocore_handlers.BUILTIN_HANDLERS:
            botocore_handlers.BUILTIN_HANDLERS.append(entry)


class Interception:
    """What an outermost activation switches on and restores on stop."""

    def __init__(self) -> None:
        self._original_send: Any = None
        self._guarded_send: Any = None
        self._requests_mock: Any = None
        self._patched_adapter_send: Any = None
        self._waiting: _AfterImport | None = None

    def start(self) -> None:
        """Guard ``Endpoint._send`` and start the ``responses`` mock."""
        original_send = Endpoint._send  # type: ignore[attr-defined]
        self._original_send = original_send

        def guarded_send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
            service_name = _BY_ENDPOINT_PREFIX.get(getattr(endpoint, "_endpoint_prefix", ""))
            state = None if service_name is None else _answering(service_name)
            if state is not None:
                assert service_name is not None
                return _answer(request, state, service_name)
            return original_send(endpoint, request)

        Endpoint._send = guarded_send  # type: ignore[attr-defined]
        self._guarded_send = guarded_send
        try:
            if "requests" in sys.modules:
                self._mock_requests()
            else:
                # ``requests`` and ``responses`` cost tens of milliseconds to load:
                # plain requests are mocked from the moment ``requests`` is imported.
                self._waiting = _AfterImport("requests", self._mock_requests)
                sys.meta_path.insert(0, self._waiting)
        except BaseException:
            self.stop()
            raise

    def _mock_requests(self) -> None:
        self._requests_mock = _start_requests_mock()
        from requests.adapters import HTTPAdapter

        self._patched_adapter_send = HTTPAdapter.send

    def stop(self) -> None:
        """Put back what `start` replaced, unless another patch now lies over it.

        A patch laid over tsmock's after start (a ``responses`` mock or moto the
        user started inside the mock, a ``mock.patch``) may still be active:
        putting the original back under it would switch it off, and its own
        restore would later bring tsmock's patch back. Then tsmock's layer
        stays beneath it, passing every request on, and nothing is undone.
        """
        if self._original_send is not None:
            if Endpoint._send is self._guarded_send:  # type: ignore[attr-defined]
                Endpoint._send = self._original_send  # type: ignore[attr-defined]
            # Otherwise the guard stays: with no mock active it calls the original.
            self._original_send = self._guarded_send = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            waiting.cancel()
        if self._requests_mock is not None:
            from requests.adapters import HTTPAdapter

            requests_mock, self._requests_mock = self._requests_mock, None
            on_top = HTTPAdapter.send is self._patched_adapter_send
            self._patched_adapter_send = None
            if on_top:
                requests_mock.stop(allow_assert=False)
                requests_mock.reset()
            else:
                requests_mock.reset()
                requests_mock.add_passthru(re.compile(""))


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


#: Bytes no JSON parser accepts: a body that cannot be read at all is answered
#: like one that is not JSON, never with a Python exception.
_UNREADABLE_BODY = b"\xff"


def _body_bytes(body: Any) -> bytes | str | None:
    # A caller hands over bytes or str, a bytes-like object, a file, or an
    # iterable of chunks (what requests and urllib3 accept); the service sees
    # the bytes either way.
    if body is None or isinstance(body, (bytes, str)):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        data = body.read()
        return None if data is None else _body_bytes(data)
    try:
        chunks = list(body)
    except TypeError:
        return _UNREADABLE_BODY
    if not all(isinstance(c, (bytes, bytearray, memoryview, str)) for c in chunks):
        return _UNREADABLE_BODY
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in chunks)


def _start_requests_mock() -> Any:
    import requests
    import responses
    from requests.adapters import HTTPAdapter

    # Whatever answers plain requests right now (the network, moto, or a mock the
    # user started) keeps answering every URL that is not a host of a service the
    # active state answers.
    mock = responses.RequestsMock(
        assert_all_requests_are_fired=False, real_adapter_send=HTTPAdapter.send
    )
    state = registry.active()
    answered = [s for s in SERVICES.values() if state is not None and s.name in state.services]

    def callback_for(service: Service) -> Any:
        host_url = _host_url(service)

        def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
            from tsmock import dispatch

            state = _answering(service.name)
            if state is None:
                # A request racing the last stop: like a host that went away.
                raise requests.exceptions.ConnectionError("tsmock is no longer active")
            match = host_url.fullmatch(request.url)
            region = match["region"] if match else state.region_name
            response = dispatch.handle(
                state, region, request.headers, _body_bytes(request.body), service.name
            )
            return response.status, response.headers, response.body

        return callback

    for service in answered:
        mock.add_callback(responses.POST, _host_url(service), callback=callback_for(service))
    # The combined pattern only tests hosts: each service's named group goes.
    hosts = (
        "|".join(
            "(?:{})".format(service.host_name.replace("(?P<region>", "(?:"))
            for service in answered
        )
        or "(?!)"
    )
    mock.add_passthru(re.compile(rf"(?!https?://(?:{hosts})(?:[:/]|$))"))
    mock.start()
    return mock
