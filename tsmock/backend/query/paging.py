"""Executions of Query and their NextToken chains (docs/operations/query.md, paging).

A result is computed once, at the first page, and kept until its chain ends.
With ``MaxRows`` and more rows than that the first page is empty with a token
(the documented rule, observed on AWS); pages hold at most ``MaxRows`` rows
(1000 without it) and about 1 MB; a single row over 1 MB aborts the query.
The latest token may be sent again and answers the same page (botocore's
paginator resumes that way); a token becomes invalid once a newer
token of its chain is used, after five uses or after one hour.
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

from tsmock.backend.query.encoding import encode_rows
from tsmock.backend.query.errors import QueryExecutionException
from tsmock.backend.query.result import ColumnType, QueryResult

DEFAULT_PAGE_ROWS = 1000
PAGE_BYTES = 1_000_000
TOKEN_USES = 5
TOKEN_LIFETIME_SECONDS = 3600.0
_ALPHABET = string.ascii_uppercase + string.digits
#: The service meters at least 10 MB per query [REAL: CumulativeBytesMetered 10000000].
MIN_BYTES_METERED = 10_000_000
BYTES_PER_RECORD = 100


def new_query_id() -> str:
    """An opaque id of ``[a-zA-Z0-9]+`` as long as the service's."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(56))


def _row_bytes(row: dict[str, Any]) -> int:
    # The JSON size, closely enough: each datum's text plus its framing.
    return len(repr(row))


@dataclass(slots=True)
class Page:
    """One answered page, kept so that a repeated token answers it again."""

    response: dict[str, Any]
    next_token: str | None


@dataclass(slots=True)
class Execution:
    """One run of a query string and its paging state."""

    query_id: str
    query_string: str
    result: QueryResult
    bytes_scanned: int
    created: float = field(default_factory=time.time)
    cancelled: bool = False
    #: token -> offset of the page it asks for, for the token not used yet.
    issued: dict[str, int] = field(default_factory=dict)
    last_token: str | None = None
    last_page: Page | None = None
    uses: int = 0
    #: The result's wire ``ColumnInfo`` and column types, the same on every page.
    column_info: list[dict[str, Any]] = field(init=False)
    types: list[ColumnType] = field(init=False)
    #: Rows of the whole result (the rows themselves are released after the last page).
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.column_info = self.result.column_info()
        self.types = [column.type for column in self.result.columns]
        self.total = len(self.result.rows)

    def status(self, done_rows: int) -> dict[str, Any]:
        """``QueryStatus``: progress by rows handed out, 100 on the last page."""
        progress = 100.0 if self.total == 0 else 100.0 * done_rows / self.total
        return {
            "ProgressPercentage": progress,
            "CumulativeBytesScanned": self.bytes_scanned,
            "CumulativeBytesMetered": max(MIN_BYTES_METERED, self.bytes_scanned)
            if self.bytes_scanned
            else 0,
        }

    def page(self, offset: int, max_rows: int | None, first: bool) -> Page:
        """The page starting at ``offset``, issuing the next token if rows remain."""
        rows: list[dict[str, Any]]
        if first and max_rows is not None and self.total > max_rows:
            # The documented first answer when MaxRows is exceeded: only a token.
            rows, end = [], offset
        else:
            limit = max_rows if max_rows is not None else DEFAULT_PAGE_ROWS
            end = min(offset + limit, self.total)
            rows = encode_rows(self.result.rows[offset:end], self.types)
            size = 0
            for index, row in enumerate(rows):
                size += _row_bytes(row)
                if size > PAGE_BYTES:
                    if index == 0:
                        raise QueryExecutionException(
                            "Query aborted as max page response size has been exceeded "
                            "by the output result row"
                        )
                    rows = rows[:index]
                    end = offset + index
                    break
        response: dict[str, Any] = {
            "QueryId": self.query_id,
            "Rows": rows,
            "ColumnInfo": self.column_info,
            "QueryStatus": self.status(end),
        }
        next_token = None
        if end < self.total:
            next_token = secrets.token_urlsafe(48)
            self.issued = {next_token: end}
            response["NextToken"] = next_token
        else:
            self.issued = {}
            # The chain is complete: only the last page (for a repeated token) is kept.
            self.result = QueryResult(self.result.columns, [])
        return Page(response, next_token)
