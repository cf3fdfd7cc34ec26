"""``SHOW DATABASES``, ``SHOW TABLES``, ``SHOW MEASURES`` and ``DESCRIBE``.

Column infos and row shapes follow docs/operations/query.md ([REAL] captures):
``Database``; ``Table``; ``measure_name``, ``data_type``, ``dimensions`` (an
array of rows ``dimension_name``, ``data_type``), one row per measure sorted by
name; ``Column``, ``Type``, ``Timestream attribute type`` in ``SELECT *`` order.
Databases and tables are listed alphabetically (open question, as recommended).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tsmock.backend.models import Table
from tsmock.backend.query import prepass
from tsmock.backend.query.errors import ValidationException
from tsmock.backend.query.result import VARCHAR, Column, ColumnType, QueryResult
from tsmock.backend.query.views import TableView

_DIMENSIONS = ColumnType.array_of(
    ColumnType.row_of([Column("dimension_name", VARCHAR), Column("data_type", VARCHAR)])
)
SHOW_MEASURES_COLUMNS = [
    Column("measure_name", VARCHAR),
    Column("data_type", VARCHAR),
    Column("dimensions", _DIMENSIONS),
]
DESCRIBE_COLUMNS = [
    Column("Column", VARCHAR),
    Column("Type", VARCHAR),
    Column("Timestream attribute type", VARCHAR),
]

ViewOf = Callable[[Table], TableView]


def is_metadata_statement(text: str) -> bool:
    """Whether ``text`` starts with SHOW or DESCRIBE."""
    first = next(prepass.tokenize(text), None)
    return first is not None and first.kind == "word" and first.text.upper() in ("SHOW", "DESCRIBE")


def _like(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [t for t in prepass.tokenize(text) if t.text != ";"]
        self.position = 0

    def fail(self, expecting: str) -> ValidationException:
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            return prepass.error_at(
                self.text, token.start, f"mismatched input '{token.text}'. Expecting: {expecting}"
            )
        return prepass.error_at(
            self.text, len(self.text), f"mismatched input '<EOF>'. Expecting: {expecting}"
        )

    def word(self, *choices: str) -> str | None:
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            if token.kind == "word" and token.text.upper() in choices:
                self.position += 1
                return token.text.upper()
        return None

    def name(self) -> tuple[str, int]:
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            if token.kind == "word":
                self.position += 1
                return token.text, token.start
            if token.kind == "quoted" and len(token.text) >= 2 and token.text.endswith('"'):
                self.position += 1
                return token.text[1:-1].replace('""', '"'), token.start
        raise self.fail("<identifier>")

    def qualified(self) -> tuple[str, str, int]:
        database, start = self.name()
        if self.position < len(self.tokens) and self.tokens[self.position].text == ".":
            self.position += 1
            table, _ = self.name()
            return database, table, start
        raise self.fail("'.'")

    def like(self) -> re.Pattern[str] | None:
        if self.word("LIKE") is None:
            return None
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            if token.kind == "string" and len(token.text) >= 2 and token.text.endswith("'"):
                self.position += 1
                return _like(token.text[1:-1].replace("''", "'"))
        raise self.fail("<string>")

    def end(self) -> None:
        if self.position < len(self.tokens):
            raise self.fail("<EOF>")


def stored_table(catalog: Any, text: str, database: str, table: str, start: int) -> Table:
    """The stored table ``database.table`` named at ``start`` of ``text``, else the
    service's error: an unknown database first, then an unknown table."""
    stored_database = catalog.databases.get(database)
    if stored_database is None:
        line, column = prepass.line_and_column(text, start)
        # [REAL] form: the position comes last, without the ``line L:C:`` prefix.
        raise ValidationException(
            f"Requested database '{database}' not found for identifier "
            f"'{database}.{table}' at line {line}:{column}"
        )
    stored = stored_database.tables.get(table)
    if stored is None:
        raise prepass.error_at(text, start, f"Table '{database}.{table}' does not exist")
    return stored  # type: ignore[no-any-return]


def run_metadata(text: str, catalog: Any, view_of: ViewOf) -> QueryResult:
    """Answer a SHOW or DESCRIBE statement over ``catalog`` (the write backend)."""
    reader = _Reader(text)
    if reader.word("DESCRIBE"):
        database, table, start = reader.qualified()
        reader.end()
        view = view_of(stored_table(catalog, text, database, table, start))
        rows: list[tuple[object, ...]] = [
            (c.name, c.scalar.lower(), c.attribute) for c in view.columns
        ]
        return QueryResult(list(DESCRIBE_COLUMNS), rows)
    reader.word("SHOW")
    what = reader.word("DATABASES", "TABLES", "MEASURES")
    if what is None:
        raise reader.fail("'DATABASES', 'TABLES', 'MEASURES'")
    if what == "DATABASES":
        pattern = reader.like()
        reader.end()
        names = sorted(catalog.databases)
        return QueryResult(
            [Column("Database", VARCHAR)],
            [(n,) for n in names if pattern is None or pattern.fullmatch(n)],
        )
    if reader.word("FROM", "IN") is None:
        raise reader.fail("'FROM', 'IN'")
    if what == "TABLES":
        database, start = reader.name()
        pattern = reader.like()
        reader.end()
        stored = catalog.databases.get(database)
        if stored is None:
            raise prepass.error_at(text, start, f"Schema '{database}' does not exist")
        names = sorted(stored.tables)
        return QueryResult(
            [Column("Table", VARCHAR)],
            [(n,) for n in names if pattern is None or pattern.fullmatch(n)],
        )
    database, table, start = reader.qualified()
    pattern = reader.like()
    reader.end()
    view = view_of(stored_table(catalog, text, database, table, start))
    rows = []
    for measure in sorted(view.measures):
        if pattern is not None and not pattern.fullmatch(measure):
            continue
        data_type, dimensions = view.measures[measure]
        rows.append((measure, data_type, [(name, "varchar") for name in dimensions]))
    return QueryResult(list(SHOW_MEASURES_COLUMNS), rows)
