"""Reading the CSV objects of a batch load task (docs/batch-load.md).

Rows are read with the task's ``CsvConfiguration``; every physical line counts
toward its row's size and line number, as the service reports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tsmock.backend.batch_load.limits import MAX_ROW_BYTES, QUOTES, SEPARATORS
from tsmock.backend.errors import ValidationException
from tsmock.backend.write.limits import nbytes as utf8_size

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How a source file is split into fields (``CsvConfiguration``).

    Open question (defaults): ``,`` ``"``, no escape character, an empty
    field is null, no trimming. Quoting protects a value: a quoted field is never
    null and keeps its inner white space; ``TrimWhiteSpace`` trims unquoted values
    and the space around quotes.
    """

    separator: str = ","
    quote: str = '"'
    escape: str | None = None
    null_value: str | None = None
    trim: bool = False

    @classmethod
    def from_configuration(cls, csv: Mapping[str, Any] | None) -> CsvOptions:
        """Check a ``CsvConfiguration`` and build the options; ValidationException if unusable."""
        csv = csv or {}
        separator = csv.get("ColumnSeparator", ",")
        quote = csv.get("QuoteChar", '"')
        escape = csv.get("EscapeChar")
        if separator not in SEPARATORS:
            raise ValidationException(
                f"Invalid ColumnSeparator {separator!r}. The column separator must be one of "
                "comma (','), pipe ('|'), semicolon (';'), tab ('\\t') or blank space (' ')."
            )
        if quote not in QUOTES:
            raise ValidationException(
                f"Invalid QuoteChar {quote!r}. The quote character must be a single quote (') "
                'or a double quote (").'
            )
        if escape is not None and (escape == separator or escape in "\r\n"):
            raise ValidationException(
                f"Invalid EscapeChar {escape!r}. The escape character must differ from the "
                "column separator and cannot be a line break."
            )
        return cls(separator, quote, escape, csv.get("NullValue"), bool(csv.get("TrimWhiteSpace")))


@dataclass(slots=True)
class CsvRow:
    """One logical row of a CSV file."""

    #: Physical line (1-based) the row starts on; the header is line 1.
    line: int
    #: The values (None for null), or None when the row could not be split.
    fields: list[str | None] | None
    #: Why the row could not be split.
    error: str | None
    #: UTF-8 size of the row's physical lines, line breaks included.
    nbytes: int


def _physical_lines(text: str) -> Iterator[tuple[str, str]]:
    """(content, line break) of every physical line; only CR, LF and CRLF break lines."""
    position, end = 0, len(text)
    while position < end:
        match = _LINE_BREAK.search(text, position)
        if match is None:
            yield text[position:], ""
            return
        yield text[position : match.start()], match.group()
        position = match.end()


def parse_csv(text: str, options: CsvOptions) -> Iterator[CsvRow]:
    """The rows of a CSV text, the header first; blank lines are skipped.

    See docs/operations/create-batch-load-task.md.
    """
    lines = _physical_lines(text)
    line_number = 0
    separator, quote, escape = options.separator, options.quote, options.escape
    for content, ending in lines:
        line_number += 1
        if not content:
            continue
        if quote not in content and (escape is None or escape not in content):
            values = content.split(separator)
            fields = [_finish_field(value, False, options) for value in values]
            nbytes = utf8_size(content) + len(ending)
            yield _sized_row(line_number, fields, None, nbytes)
            continue
        start = line_number
        split, error, nbytes, used = _split_quoted(content, ending, lines, options)
        line_number += used
        yield _sized_row(start, split, error, nbytes)


def _sized_row(
    line: int, fields: list[str | None] | None, error: str | None, nbytes: int
) -> CsvRow:
    if nbytes > MAX_ROW_BYTES:
        # docs/operations/create-batch-load-task.md: a CSV row is at most 16 MB.
        return CsvRow(line, None, "The row exceeds the maximum row size of 16 MB.", nbytes)
    return CsvRow(line, fields, error, nbytes)


def _finish_field(value: str, quoted: bool, options: CsvOptions) -> str | None:
    if quoted:
        return value
    if options.trim:
        value = value.strip()
    if options.null_value is None:
        return None if value == "" else value
    return None if value == options.null_value else value


def _split_quoted(
    content: str, ending: str, lines: Iterator[tuple[str, str]], options: CsvOptions
) -> tuple[list[str | None] | None, str | None, int, int]:
    """Split a row that has quotes or escapes; it may run over several physical lines.

    Inside quotes, separators and line breaks are part of the value and a doubled
    quote is a literal quote; the escape character (if any) makes the next
    character literal, inside or outside quotes, a line break included. Returns
    (fields or None, error, bytes, physical lines consumed after the first).
    """
    separator, quote, escape = options.separator, options.quote, options.escape
    trim = options.trim
    fields: list[str | None] = []
    chars: list[str] = []
    quoted = in_quotes = after_quote = False
    # Whether the current field's characters so far are all white space: kept as
    # they are read, so a row full of quote characters is split in linear time.
    blank = True
    error: str | None = None
    nbytes = utf8_size(content) + len(ending)
    used = 0
    while True:
        i, length = 0, len(content)
        escaped = False
        while i < length:
            ch = content[i]
            i += 1
            if escaped:
                chars.append(ch)
                blank = blank and ch.isspace()
                escaped = False
            elif in_quotes:
                if ch == quote:
                    if i < length and content[i] == quote:
                        chars.append(quote)
                        i += 1
                    else:
                        in_quotes, after_quote = False, True
                elif ch == escape:
                    escaped = True
                else:
                    chars.append(ch)
            elif ch == separator:
                fields.append(_finish_field("".join(chars), quoted, options))
                chars.clear()
                quoted = after_quote = False
                blank = True
            elif after_quote:
                if not (trim and ch.isspace()):
                    error = "The row has characters after the closing quote of a field."
                    break
            elif ch == quote and (not chars or (trim and blank)):
                chars.clear()
                quoted = in_quotes = True
            elif ch == escape:
                escaped = True
            else:
                chars.append(ch)
                blank = blank and ch.isspace()
        if error is not None or not (in_quotes or escaped):
            break
        # The line break is part of a quoted value, or escaped: the row goes on.
        following = next(lines, None) if ending else None
        if following is None:
            if in_quotes:
                error = "The row has a quoted field that is not closed."
            break
        chars.append(ending)
        used += 1
        content, ending = following
        nbytes += utf8_size(content) + len(ending)
    if error is not None:
        return None, error, nbytes, used
    fields.append(_finish_field("".join(chars), quoted, options))
    return fields, None, nbytes, used
