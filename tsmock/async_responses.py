"""Answers for aiobotocore (and so aioboto3) clients.

aiobotocore runs botocore's request pipeline in coroutines: its endpoint awaits
``http_response.content`` where botocore reads it, so the answer tsmock gives a
botocore client (content as bytes) cannot be handed to it as is. This module
gives the same answer in the form aiobotocore reads (its ``AioAWSResponse``,
whose content is awaited from an asynchronous raw body).

Clients whose session predates ``import tsmock`` need nothing more here:
aiobotocore's endpoint inherits botocore's ``Endpoint.make_request``, where
`tsmock.intercept` adds tsmock's handlers to such a client's emitter.

aiobotocore is never imported here: it is an optional package of the user's,
and whatever is asked of this module concerns a client it has made already.
"""

from __future__ import annotations

import inspect
import sys
from types import FrameType
from typing import Any

from botocore.awsrequest import AWSResponse

_AIO_PACKAGE = "aiobotocore"
_AIO_RESPONSE_MODULE = "aiobotocore.awsrequest"


class _AsyncBody:
    """The raw body aiobotocore awaits a response's content from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data

    # httpx-backed responses of aiobotocore >= 3 read with ``aread``.
    aread = read


class _AwaitableContentResponse(AWSResponse):
    """An answer whose ``content`` and ``text`` are awaited, as aiobotocore expects.

    Used only if aiobotocore's own response class cannot be found (an emitter
    that is asynchronous but not aiobotocore's).
    """

    async def _read_content(self) -> bytes:
        # The raw body is tsmock's own `_AsyncBody`: read as often as asked.
        data: bytes = await self.raw.read() or b""
        return data

    @property
    def content(self) -> Any:  # an awaitable of bytes
        return self._read_content()

    async def _read_text(self) -> str:
        data = await self._read_content()
        return data.decode("utf-8")

    @property
    def text(self) -> Any:  # an awaitable of str
        return self._read_text()


def is_async_caller(frame: FrameType | None) -> bool:
    """Whether ``frame`` (the caller of a botocore event handler) is asynchronous.

    aiobotocore's event emitter calls each handler from a coroutine of its own
    module; botocore's from a plain function. A handler's arguments are the
    same for both, so the caller is what tells them apart.
    """
    if frame is None:
        return False
    module = str(frame.f_globals.get("__name__", ""))
    return module.split(".")[0] == _AIO_PACKAGE or bool(
        frame.f_code.co_flags & inspect.CO_COROUTINE
    )


def awaitable(response: AWSResponse) -> AWSResponse:
    """The same answer (URL, status, headers, body) with awaitable content."""
    body = response.content
    module = sys.modules.get(_AIO_RESPONSE_MODULE)
    response_class: Any = getattr(module, "AioAWSResponse", None) or _AwaitableContentResponse
    answer: AWSResponse = response_class(
        response.url, response.status_code, response.headers, _AsyncBody(body)
    )
    return answer


def for_caller(response: AWSResponse | None, caller: FrameType | None) -> AWSResponse | None:
    """``response`` in the form the emitter that called the handler reads."""
    if response is None or not is_async_caller(caller):
        return response
    return awaitable(response)
