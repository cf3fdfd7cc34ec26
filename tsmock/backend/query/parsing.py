"""Parsing the rewritten text as Trino SQL, with the service's positioned errors.

Syntax errors answer ``line L:C: mismatched input '...'. ...`` at the offending
token of the text the caller sent (Trino's form; docs/operations/query.md).

Imported only by `tsmock.backend.query.engine_modules.load_engine` (sqlglot).
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from tsmock.backend.query import prepass
from tsmock.backend.query.errors import ValidationException, position_prefix

#: Trino statements that are not queries: the service runs only SELECT, SHOW, DESCRIBE.
_QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery)


def _parse_error(rewritten: prepass.Rewritten, error: ParseError) -> ValidationException:
    details = error.errors[0] if error.errors else {}
    line = int(details.get("line") or 1)
    column = int(details.get("col") or 1)
    highlight = str(details.get("highlight") or "")
    # sqlglot reports the column of the token's last character.
    lines = rewritten.text.split("\n")
    line = min(max(line, 1), len(lines))
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + max(column - len(highlight), 0)
    if highlight:
        message = f"mismatched input '{highlight}'. {_describe(details)}"
    else:
        message = f"mismatched input '<EOF>'. {_describe(details)}"
    return rewritten.error(offset, message.strip())


def _describe(details: dict[str, Any]) -> str:
    description = str(details.get("description") or "")
    description = re.sub(r"\s*<Token[^>]*>", "", description)
    description = re.sub(r"\s*for <class '[^']*'>", "", description)
    return description.strip().rstrip(".") + "."


def parse(rewritten: prepass.Rewritten) -> exp.Expression:
    """The single SELECT statement of the rewritten text, or a positioned error."""
    try:
        statements = sqlglot.parse(rewritten.text, read="trino")
    except ParseError as error:
        raise _parse_error(rewritten, error) from None
    except TokenError as error:
        raise rewritten.error(0, f"mismatched input. {error}") from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1:
        raise prepass.error_at(rewritten.original, 0, "Only one statement is supported")
    tree = statements[0]
    if not isinstance(tree, _QUERY_ROOTS) or isinstance(tree, exp.Command):
        first = next(prepass.tokenize(rewritten.original), None)
        word = first.text if first else ""
        raise prepass.error_at(
            rewritten.original,
            first.start if first else 0,
            f"mismatched input '{word}'. Expecting: 'SELECT', 'WITH', 'SHOW', 'DESCRIBE'",
        )
    return tree


def error_prefix_for(text: str, name: str) -> str:
    """``line L:C: `` of the first unquoted or quoted occurrence of ``name`` in ``text``."""
    for token in prepass.tokenize(text):
        candidate = token.text.strip('"') if token.kind == "quoted" else token.text
        if token.kind in ("word", "quoted") and candidate.lower() == name.lower():
            return position_prefix(*prepass.line_and_column(text, token.start))
    # Names the token pass splits (``measure_value::timestamp``): the text itself.
    found = text.lower().find(name.lower()) if name else -1
    return position_prefix(*prepass.line_and_column(text, max(found, 0)))
