"""Unit tests of `tsmock.async_responses`: telling an async emitter apart, awaitable answers."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from tsmock import async_responses


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **kwargs: Any) -> Any:
        yield self.data


def _answer(data: bytes = b'{"a": 1}') -> AWSResponse:
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.0"
    return AWSResponse("https://example.invalid/", 400, headers, _Body(data))


def _caller_of(function: Any) -> Any:
    return function()


def test_a_plain_function_is_no_async_caller() -> None:
    def handler() -> bool:
        return async_responses.is_async_caller(sys._getframe(1))

    assert _caller_of(handler) is False
    assert async_responses.is_async_caller(None) is False


def test_a_coroutine_is_an_async_caller() -> None:
    def handler() -> bool:
        return async_responses.is_async_caller(sys._getframe(1))

    async def emitter() -> bool:
        return handler()

    assert asyncio.run(emitter()) is True


def test_a_sync_caller_gets_the_answer_unchanged() -> None:
    answer = _answer()

    def handler() -> Any:
        return async_responses.for_caller(answer, sys._getframe(1))

    assert _caller_of(handler) is answer
    assert async_responses.for_caller(None, sys._getframe(0)) is None


@pytest.mark.parametrize("with_aiobotocore", [True, False])
def test_the_awaitable_answer_keeps_status_headers_and_body(
    with_aiobotocore: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if with_aiobotocore:
        pytest.importorskip("aiobotocore.awsrequest")
    else:
        # An asynchronous emitter that is not aiobotocore's: tsmock's own class.
        monkeypatch.delitem(sys.modules, "aiobotocore.awsrequest", raising=False)
    answer = async_responses.awaitable(_answer(b'{"x": "\xc3\xa9"}'))

    async def read() -> tuple[bytes, str, bytes]:
        return await answer.content, await answer.text, await answer.content

    content, text, again = asyncio.run(read())
    assert content == again == b'{"x": "\xc3\xa9"}'
    assert text == '{"x": "\u00e9"}'
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert answer.url == "https://example.invalid/"
    expected = "AioAWSResponse" if with_aiobotocore else "_AwaitableContentResponse"
    assert type(answer).__name__ == expected
