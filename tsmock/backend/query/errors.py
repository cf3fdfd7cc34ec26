"""The query service's own error classes; the shared ones live in `tsmock.backend.errors`.

The query service answers bad SQL with ``ValidationException`` and runtime
failures of a valid query with ``QueryExecutionException`` (HTTP 400 both, per
the Query API Reference; docs/operations/query.md).
"""

from __future__ import annotations

from tsmock.backend.errors import (
    ConflictException,
    QueryExecutionException,
    ValidationException,
)

__all__ = [
    "ConflictException",
    "QueryExecutionException",
    "ValidationException",
    "position_prefix",
]


def position_prefix(line: int, column: int) -> str:
    """The service's ``line L:C: `` prefix (1-based line and column, Trino style)."""
    return f"line {line}:{column}: "
