"""The CSV reader of batch load (reference §10.4), on its own.

End-to-end tests of each option through CreateBatchLoadTask are in
test_batch_load_tasks.py; these pin the splitting rules row by row.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsmock.backend.batch_load import MAX_ROW_BYTES, CsvOptions, CsvRow, parse_csv
from tsmock.backend.errors import ValidationException


def rows(text: str, **options: object) -> list[CsvRow]:
    return list(parse_csv(text, CsvOptions(**options)))  # type: ignore[arg-type]


def fields(text: str, **options: object) -> list[list[str | None] | None]:
    return [row.fields for row in rows(text, **options)]


def test_plain_rows_split_on_the_separator_and_empty_fields_are_null() -> None:
    assert fields("a,b,c\n1,,3\n") == [["a", "b", "c"], ["1", None, "3"]]


def test_line_numbers_count_physical_lines_and_blank_lines_are_skipped() -> None:
    parsed = rows("h1,h2\n\n1,2\n\n\n3,4")
    assert [(row.line, row.fields) for row in parsed] == [
        (1, ["h1", "h2"]),
        (3, ["1", "2"]),
        (6, ["3", "4"]),
    ]


def test_crlf_and_cr_line_breaks() -> None:
    assert fields("a,b\r\n1,2\r3,4\r\n") == [["a", "b"], ["1", "2"], ["3", "4"]]


def test_only_cr_and_lf_break_lines() -> None:
    # str.splitlines would also split on these; a CSV reader must not.
    assert fields("a\n1\x0b2\u2028x\n") == [["a"], ["1\x0b2\u2028x"]]


def test_row_bytes_include_the_line_break_and_count_utf8() -> None:
    parsed = rows("h\n\u00e9\r\nz")
    assert [row.nbytes for row in parsed] == [2, 4, 1]


def test_quoted_fields_keep_separators_doubled_quotes_and_line_breaks() -> None:
    parsed = rows('h1,h2,h3\n"a,b","say ""hi""","two\nlines"\n4,5,6\n')
    assert [(row.line, row.fields) for row in parsed] == [
        (1, ["h1", "h2", "h3"]),
        (2, ["a,b", 'say "hi"', "two\nlines"]),
        (4, ["4", "5", "6"]),
    ]
    assert parsed[1].nbytes == len('"a,b","say ""hi""","two\nlines"\n')


def test_a_quoted_empty_string_is_not_null() -> None:
    assert fields('a,b\n"",\n') == [["a", "b"], ["", None]]


def test_quote_only_opens_at_the_start_of_a_field() -> None:
    assert fields('a\nx"y"\n') == [["a"], ['x"y"']]


def test_single_quote_as_quote_character() -> None:
    assert fields("a,b\n'x,y','it''s'\n", quote="'") == [["a", "b"], ["x,y", "it's"]]


def test_escape_character_outside_and_inside_quotes() -> None:
    text = 'a,b\nx\\,y,"q\\"z"\n'
    assert fields(text, escape="\\") == [["a", "b"], ["x,y", 'q"z']]
    # Without an escape character the backslash is an ordinary character.
    assert fields("a,b\nx\\,y\n") == [["a", "b"], ["x\\", "y"]]


def test_escaped_line_break_continues_the_field() -> None:
    parsed = rows("a,b\nx\\\ny,z\n", escape="\\")
    assert [(row.line, row.fields) for row in parsed] == [(1, ["a", "b"]), (2, ["x\ny", "z"])]


def test_null_value_replaces_the_empty_field_rule() -> None:
    text = 'a,b,c\nNULL,,"NULL"\n'
    assert fields(text, null_value="NULL") == [["a", "b", "c"], [None, "", "NULL"]]


def test_trim_white_space_trims_unquoted_values_and_space_around_quotes() -> None:
    text = 'a,b,c\n  x  , " y " ,   \n'
    assert fields(text, trim=True) == [["a", "b", "c"], ["x", " y ", None]]
    assert fields(text) == [["a", "b", "c"], ["  x  ", ' " y " ', "   "]]


def test_trimmed_value_equal_to_null_value_is_null() -> None:
    assert fields("a\n  NA \n", trim=True, null_value="NA") == [["a"], [None]]


@pytest.mark.parametrize("separator", [",", "|", ";", "\t", " "])
def test_every_documented_separator(separator: str) -> None:
    text = f"a{separator}b\n1{separator}2\n"
    assert fields(text, separator=separator) == [["a", "b"], ["1", "2"]]


def test_characters_after_a_closing_quote_make_the_row_fail() -> None:
    parsed = rows('a,b\n"x"y,1\n2,3\n')
    assert parsed[1].fields is None
    assert parsed[1].error == "The row has characters after the closing quote of a field."
    assert (parsed[2].line, parsed[2].fields) == (3, ["2", "3"])


def test_an_unclosed_quote_fails_the_rest_of_the_file_as_one_row() -> None:
    parsed = rows('a\n1\n"open\n2\n3\n')
    assert [(row.line, row.fields) for row in parsed][:2] == [(1, ["a"]), (2, ["1"])]
    assert len(parsed) == 3
    assert parsed[2].line == 3
    assert parsed[2].error == "The row has a quoted field that is not closed."


def test_rows_over_16_mb_fail() -> None:
    big = "x" * (MAX_ROW_BYTES + 1)
    parsed = rows(f"a\n{big}\nok\n")
    assert parsed[1].fields is None
    assert parsed[1].error == "The row exceeds the maximum row size of 16 MB."
    assert parsed[2].fields == ["ok"]


def test_a_byte_order_mark_stays_in_the_first_column_name() -> None:
    # §10.1: a BOM causes errors on AWS; the first header name keeps it.
    assert fields("\ufefftime,b\n1,2\n")[0] == ["\ufefftime", "b"]


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        ({"ColumnSeparator": "x"}, "Invalid ColumnSeparator 'x'."),
        ({"QuoteChar": "`"}, "Invalid QuoteChar '`'."),
        ({"EscapeChar": ","}, "Invalid EscapeChar ','."),
        ({"ColumnSeparator": ";", "EscapeChar": ";"}, "Invalid EscapeChar ';'."),
        ({"EscapeChar": "\n"}, "Invalid EscapeChar '\\n'."),
    ],
)
def test_unusable_csv_configurations(configuration: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationException) as caught:
        CsvOptions.from_configuration(configuration)
    assert caught.value.message.startswith(message)


def test_configuration_defaults() -> None:
    assert CsvOptions.from_configuration({}) == CsvOptions(",", '"', None, None, False)
    assert CsvOptions.from_configuration(
        {
            "ColumnSeparator": "|",
            "QuoteChar": "'",
            "EscapeChar": "\\",
            "NullValue": "N",
            "TrimWhiteSpace": True,
        }
    ) == CsvOptions("|", "'", "\\", "N", True)


_cell = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\\é')), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_cell, min_size=1, max_size=4), min_size=1, max_size=5))
def test_quoting_every_value_round_trips(table: list[list[str]]) -> None:
    # A writer that quotes every value (doubling inner quotes) must read back
    # exactly, line breaks and separators included; line numbers follow the text.
    lines = [",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in table]
    text = "\n".join(lines) + "\n"
    parsed = rows(text)
    assert [row.fields for row in parsed] == table
    expected_line = 1
    for row, line in zip(parsed, lines, strict=True):
        assert row.line == expected_line
        expected_line += line.count("\n") + line.count("\r") - line.count("\r\n") + 1
