"""The token pass that runs before the SQL parser: Timestream's own lexical forms.

Timestream SQL has tokens a Trino parser does not know (docs/operations/query.md):
duration literals (``15s``, ``2h``, ``10000ms``, ``50ns``, ``12second``), the
column names ``measure_value::double`` written without quotes, and ``@name``
parameters. This pass rewrites them into forms the parser reads, over tokens (so
that nothing inside strings, quoted names or comments is touched), and keeps a
map from positions in the rewritten text back to the original one, so that
error messages point into the text the caller sent.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from tsmock.backend.query.errors import ValidationException, position_prefix

#: Nanoseconds per duration unit, abbreviations and words alike [DOC "Supported data types"].
DURATION_UNITS_NS: dict[str, int] = {
    "ns": 1,
    "nanosecond": 1,
    "us": 1_000,
    "microsecond": 1_000,
    "ms": 1_000_000,
    "millisecond": 1_000_000,
    "s": 1_000_000_000,
    "second": 1_000_000_000,
    "m": 60_000_000_000,
    "minute": 60_000_000_000,
    "h": 3_600_000_000_000,
    "hour": 3_600_000_000_000,
    "d": 86_400_000_000_000,
    "day": 86_400_000_000_000,
}
#: The function call a duration literal becomes: (duration in ns, offset in the original).
DURATION_FUNCTION = "__ts_duration"
#: The function call ``@scheduled_runtime`` becomes where it is allowed.
SCHEDULED_RUNTIME_FUNCTION = "__ts_scheduled_runtime"
SCHEDULED_RUNTIME = "scheduled_runtime"
_MEASURE_VALUE_TYPES = ("double", "bigint", "varchar", "boolean", "timestamp")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*(?:'|\Z))
  | (?P<quoted>"(?:[^"]|"")*(?:"|\Z))
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<param>@[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_SUFFIX = re.compile(r"[A-Za-z_@:][A-Za-z0-9_@:]*")


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token of the original text: its kind, text and offset."""

    kind: str
    text: str
    start: int


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of ``text`` without white space and comments, read as they are asked
    for (a caller that needs the first token reads no further)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), match.start())


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def error_at(text: str, offset: int, message: str) -> ValidationException:
    """A ValidationException ``line L:C: message`` at ``offset`` of ``text``."""
    line, column = line_and_column(text, offset)
    return ValidationException(position_prefix(line, column) + message)


@dataclass(slots=True)
class Rewritten:
    """The rewritten text, with a map back to offsets of the original."""

    original: str
    text: str = ""
    #: Start offsets in ``text`` of each piece, and the original offset of each.
    new_starts: list[int] = field(default_factory=list)
    old_starts: list[int] = field(default_factory=list)
    verbatim: list[bool] = field(default_factory=list)
    #: ``@name`` parameters met, with their original offsets.
    parameters: list[tuple[str, int]] = field(default_factory=list)

    def original_offset(self, offset: int) -> int:
        """The offset in the original text of ``offset`` in the rewritten text."""
        index = bisect_right(self.new_starts, offset) - 1
        if index < 0:
            return 0
        if self.verbatim[index]:
            return self.old_starts[index] + offset - self.new_starts[index]
        return self.old_starts[index]

    def error(self, offset: int, message: str) -> ValidationException:
        """A positioned ValidationException at ``offset`` of the rewritten text."""
        return error_at(self.original, self.original_offset(offset), message)


def _duration_ns(number: str, unit: str) -> int | None:
    unit_ns = DURATION_UNITS_NS.get(unit.lower())
    if unit_ns is None:
        return None
    if "e" in number.lower():
        return None
    whole, _, fraction = number.partition(".")
    scaled = int(whole or "0") * unit_ns
    if fraction.strip("0"):
        numerator = int(fraction) * unit_ns
        denominator = 10 ** len(fraction)
        if numerator % denominator:
            return None
        scaled += numerator // denominator
    return scaled


def rewrite(text: str, *, parameters: frozenset[str] = frozenset()) -> Rewritten:
    """Rewrite Timestream's own tokens of ``text`` for the Trino parser.

    ``parameters`` are the ``@name`` parameters allowed here (scheduled queries
    allow ``@scheduled_runtime``); any other ``@name`` is a ValidationException.
    """
    out = Rewritten(original=text)
    pieces: list[str] = []
    length = 0
    cursor = 0

    def emit(new_text: str, old_start: int, verbatim: bool) -> None:
        nonlocal length
        out.new_starts.append(length)
        out.old_starts.append(old_start)
        out.verbatim.append(verbatim)
        pieces.append(new_text)
        length += len(new_text)

    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None
        kind, token, start = match.lastgroup, match.group(), match.start()
        position = match.end()
        replacement: str | None = None
        end = position
        if kind == "number":
            suffix = _SUFFIX.match(text, position)
            if suffix is not None:
                duration = _duration_ns(token, suffix.group())
                if duration is None:
                    # Trino's lexer: a digit followed by letters is one token.
                    raise error_at(
                        text,
                        start,
                        "identifiers must not start with a digit; "
                        "surround the identifier with double quotes",
                    )
                end = position = suffix.end()
                replacement = f"{DURATION_FUNCTION}({duration}, {start})"
        elif (
            kind == "word" and token.lower() == "measure_value" and text.startswith("::", position)
        ):
            word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, position + 2)
            if word is not None and word.group().lower() in _MEASURE_VALUE_TYPES:
                end = position = word.end()
                replacement = f'"measure_value::{word.group().lower()}"'
        elif kind == "param":
            name = token[1:]
            out.parameters.append((name, start))
            if name.lower() not in parameters:
                if name.lower() == SCHEDULED_RUNTIME:
                    raise error_at(
                        text,
                        start,
                        "The parameter @scheduled_runtime is only supported in scheduled queries",
                    )
                raise error_at(text, start, f"Query parameters are not supported: {token}")
            replacement = f"{SCHEDULED_RUNTIME_FUNCTION}()"
        if replacement is not None:
            if cursor < start:
                emit(text[cursor:start], cursor, True)
            emit(replacement, start, False)
            cursor = end
    if cursor < len(text):
        emit(text[cursor:], cursor, True)
    out.text = "".join(pieces)
    return out
