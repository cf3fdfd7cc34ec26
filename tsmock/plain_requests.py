"""Plain ``requests`` calls to a Timestream host, answered by a transport adapter.

While a mock is active, ``requests.Session.get_adapter`` hands out, for a URL
on a host of a service the active mock answers, an adapter that answers the
request in-process from the same backend as botocore clients. Every other URL
gets the session's own adapter, so whatever answers it otherwise (the network,
moto, a ``responses`` mock the user started) still does.

Why ``Session.get_adapter`` and not ``HTTPAdapter.send``: ``HTTPAdapter.send``
is the attribute ``responses`` (and so moto) replaces, and each of them puts
back, on stop, the function it found at its start. A mock started before
tsmock and stopped while tsmock is still active would then remove tsmock's
patch, and a mock started after tsmock would answer Timestream hosts itself.
``get_adapter`` runs before any adapter's ``send``, so tsmock answers its
hosts whatever else starts or stops around it, and never touches
``HTTPAdapter.send``.
"""

from __future__ import annotations

import http
import io
import re
from collections.abc import Callable
from typing import Any

from tsmock import registry
from tsmock.services import SERVICES, Service

#: Marks tsmock's ``get_adapter`` (the attribute holds the function it wraps).
_WRAPPED = "__tsmock_wrapped__"


def host_url(service: Service) -> re.Pattern[str]:
    """A URL on one of the service's hosts (port, path and query allowed, nothing after)."""
    return re.compile(rf"https?://{service.host_name}(?::\d+)?(?:[/?#].*)?\Z", re.DOTALL)


_HOST_URLS = {name: host_url(service) for name, service in SERVICES.items()}


def service_of(url: str) -> tuple[str, str | None] | None:
    """The answered service of a URL and the region in its host, if tsmock answers it."""
    state = registry.active()
    if state is None:
        return None
    for name in state.services:
        pattern = _HOST_URLS.get(name)
        match = pattern.match(url) if pattern is not None else None
        if match is not None:
            return name, match["region"]
    return None


#: Bytes no JSON parser accepts: a body that cannot be read at all is answered
#: like one that is not JSON, never with a Python exception.
_UNREADABLE_BODY = b"\xff"


def body_bytes(body: Any) -> bytes | str | None:
    # A caller hands over bytes or str, a bytes-like object, a file, or an
    # iterable of chunks (what requests and urllib3 accept); the service sees
    # the bytes either way.
    if body is None or isinstance(body, (bytes, str)):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        data = body.read()
        return None if data is None else body_bytes(data)
    try:
        chunks = list(body)
    except TypeError:
        return _UNREADABLE_BODY
    if not all(isinstance(c, (bytes, bytearray, memoryview, str)) for c in chunks):
        return _UNREADABLE_BODY
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in chunks)


def _answering_adapter(service_name: str, host_region: str | None) -> Any:
    from requests.adapters import BaseAdapter, HTTPAdapter
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from urllib3 import HTTPResponse

    from tsmock import dispatch

    class _AnsweringAdapter(BaseAdapter):
        """Answers one request to a Timestream host from the active mock."""

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            state = registry.active()
            if state is None or service_name not in state.services:
                # A request racing the last stop: like a host that went away.
                raise RequestsConnectionError("tsmock is no longer active", request=request)
            region = host_region or state.region_name
            answer = dispatch.handle(
                state, region, request.headers, body_bytes(request.body), service_name
            )
            try:
                reason = http.HTTPStatus(answer.status).phrase
            except ValueError:
                reason = ""
            raw = HTTPResponse(
                body=io.BytesIO(answer.body),
                headers=dict(answer.headers),
                status=answer.status,
                reason=reason,
                preload_content=False,
                decode_content=False,
            )
            # The same Response requests builds for a real answer (headers,
            # encoding, cookies, url), with this adapter as its connection.
            return HTTPAdapter.build_response(self, request, raw)  # type: ignore[arg-type]

        def close(self) -> None:
            """Nothing to release: no connection was opened."""

    return _AnsweringAdapter()


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_adapter(session: Any, url: str) -> Any:
        answered = service_of(url)
        if answered is None:
            return original(session, url)
        return _answering_adapter(*answered)

    setattr(get_adapter, _WRAPPED, original)
    get_adapter.__doc__ = original.__doc__
    return get_adapter


class PlainRequests:
    """tsmock's ``Session.get_adapter`` while an activation is on."""

    def __init__(self) -> None:
        self._installed: Callable[..., Any] | None = None

    def start(self) -> None:
        """Answer Timestream hosts from now on (``requests`` must be imported)."""
        from requests import Session

        current = Session.get_adapter
        if getattr(current, _WRAPPED, None) is not None:
            # Left in place by an earlier activation under someone else's patch,
            # which has since put it back: it answers from the active state.
            self._installed = current
            return
        wrapper = _wrap(current)
        Session.get_adapter = wrapper  # type: ignore[method-assign]
        self._installed = wrapper

    def stop(self) -> None:
        """Put back ``get_adapter``, unless another patch now lies over tsmock's.

        Putting the original back under a patch made after tsmock's would let
        that patch's own restore bring tsmock's back later: tsmock's layer stays
        instead, answering nothing while no mock is active, and the next
        activation reuses it rather than adding another.
        """
        from requests import Session

        installed, self._installed = self._installed, None
        if installed is not None and Session.get_adapter is installed:
            Session.get_adapter = getattr(installed, _WRAPPED)  # type: ignore[method-assign]
