"""Opaque NextTokens that encode the last position, not an offset.

See docs/operations/list-databases.md.

A token names the operation and the sort key of the last item returned, so the
next page starts right after it even when items were created or deleted in
between; anything else is "Invalid pagination token." (an open question).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tsmock.backend.errors import ValidationException

T = TypeVar("T")
SortKey = tuple[Any, ...]


def paginate(
    operation: str,
    items: Sequence[T],
    key: Callable[[T], SortKey],
    max_results: int | None,
    next_token: str | None,
    default_page_size: int,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted by ``key``) and the token of the next page."""
    ordered = sorted(items, key=key)
    if next_token is not None:
        after = _decode(operation, next_token)
        if ordered and len(after) != len(key(ordered[0])):
            # A position of another shape was never handed out by this operation.
            raise ValidationException("Invalid pagination token.")
        try:
            ordered = [item for item in ordered if list(key(item)) > after]
        except TypeError:  # a token whose key parts have the wrong types
            raise ValidationException("Invalid pagination token.") from None
    size = max_results or default_page_size
    page = ordered[:size]
    token = _encode(operation, key(page[-1])) if len(ordered) > size else None
    return page, token


def _encode(operation: str, sort_key: SortKey) -> str:
    raw = json.dumps([operation, list(sort_key)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(operation: str, token: str) -> list[Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        name, sort_key = decoded
    except (ValueError, TypeError, UnicodeError, RecursionError):
        # RecursionError: a token of deeply nested JSON is just another bad token.
        raise ValidationException("Invalid pagination token.") from None
    if (
        name != operation
        or not isinstance(sort_key, list)
        or not all(isinstance(part, (str, int)) and not isinstance(part, bool) for part in sort_key)
    ):
        raise ValidationException("Invalid pagination token.")
    return sort_key
