"""ClientToken idempotency of create operations.

A create operation that takes a ``ClientToken`` answers a repeated request (same
token, same members) with what the first one created, and refuses the token
with other members. How long a token is remembered, and which error refuses it,
is the operation's own rule: CreateScheduledQuery remembers it for 8 hours and
answers a ValidationException (docs/operations/create-scheduled-query.md);
CreateBatchLoadTask remembers it for the life of the mock and answers a
ConflictException (docs/operations/create-batch-load-task.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tsmock.backend.errors import TimestreamError


def request_fingerprint(members: object) -> str:
    """The request's members as one comparable text (JSON with sorted keys)."""
    return json.dumps(members, sort_keys=True, default=str)


@dataclass
class _TokenUse:
    fingerprint: str
    result: str
    used_at: datetime


@dataclass
class ClientTokens:
    """The ClientTokens of one create operation: token -> first request and its result.

    ``conflict`` with ``conflict_message`` is the error for a token reused with
    another request; ``lifetime`` None remembers tokens for ever. Equal when they
    remember the same uses (a snapshot of a backend compares by value).
    """

    conflict: type[TimestreamError]
    conflict_message: str
    lifetime: timedelta | None
    _uses: dict[str, _TokenUse] = field(default_factory=dict)

    def recall(self, token: str | None, fingerprint: str, now: datetime) -> str | None:
        """The result of the token's first request when this is that request again.

        None when there is no token or it is not (or no longer) remembered; the
        ``conflict`` error when the token was used with another request.
        """
        if token is None:
            return None
        use = self._uses.get(token)
        if use is None or self._expired(use, now):
            return None
        if use.fingerprint != fingerprint:
            raise self.conflict(self.conflict_message)
        return use.result

    def remember(self, token: str | None, fingerprint: str, result: str, now: datetime) -> None:
        """Remember what the token's request created (nothing without a token)."""
        if token is None:
            return
        for old in [key for key, use in self._uses.items() if self._expired(use, now)]:
            del self._uses[old]
        self._uses[token] = _TokenUse(fingerprint, result, now)

    def _expired(self, use: _TokenUse, now: datetime) -> bool:
        return self.lifetime is not None and now - use.used_at >= self.lifetime
