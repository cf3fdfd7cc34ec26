"""Measure values: how each type is written and parsed (docs/operations/write-records.md,
"Measure value types"), and what makes two stored values the same for upserts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from tsmock.backend.write.limits import (
    BIGINT_MAX,
    BIGINT_MIN,
    DOUBLE,
    MAX_TIMESTAMP_NS,
    TIME_UNIT_NS,
    RecordError,
    invalid_value_reason,
)


class MultiValues(dict[str, tuple[str, str]]):
    """``Record.measure_values`` of a MULTI record: name -> (value, type) as written.

    A plain dict to its readers. It also remembers the ``TimeUnit`` its TIMESTAMP
    values count in (docs/operations/write-records.md), which upsert comparisons
    need and the strings alone cannot tell.
    """

    __slots__ = ("unit_ns",)

    unit_ns: int


def comparable(values: Mapping[str, tuple[str, str]]) -> frozenset[tuple[str, str, object]]:
    """A MULTI record's value for upserts: its (name, type, parsed value) set.

    See docs/operations/write-records.md.
    """
    unit_ns = getattr(values, "unit_ns", TIME_UNIT_NS["MILLISECONDS"])
    return frozenset(
        (name, value_type, parse_value(value, value_type, unit_ns))
        for name, (value, value_type) in values.items()
    )


#: Plain decimals (``-12.5``, ``3``, ``.5``, ``7.``), alone or separated by
#: commas. Every one of them satisfies `is_double`, and the expression tells
#: faster than float() does.
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_PLAIN_DECIMALS = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:,[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))*"
)
#: Without an exponent, a decimal shorter than this cannot overflow a float.
_PLAIN_DECIMALS_MAX_CHARS = 300
#: Every ASCII digit to 9: what the expression sees of a text is the same
#: after this, so texts of one such shape are all plain decimals, or none is.
_DIGITS_TO_NINE = str.maketrans("0123456789", "9999999999")


def plain_decimals(joined: str, count: int, shapes: dict[str, bool]) -> bool:
    """Whether ``count`` texts joined by commas are all plain decimals, and so
    valid DOUBLE values (docs/operations/write-records.md).

    False says nothing: a text may have an exponent, or be invalid. ``shapes``
    remembers the answer for each shape of the joined texts: the values of a
    request's records mostly share a few, like ``99.99,999.99``.
    """
    # A comma inside a text would pass for a separator.
    if joined.count(",") != count - 1:
        return False
    shape = joined.translate(_DIGITS_TO_NINE)
    plain = shapes.get(shape)
    if plain is None:
        plain = shapes[shape] = (
            len(shape) < _PLAIN_DECIMALS_MAX_CHARS and _PLAIN_DECIMALS.fullmatch(shape) is not None
        )
    return plain


def is_double(text: str) -> bool:
    if len(text) < _PLAIN_DECIMALS_MAX_CHARS and _PLAIN_DECIMAL.fullmatch(text) is not None:
        return True  # the common case, without float()
    try:
        number = float(text)
    except ValueError:
        return False
    # float() is laxer than decimal or scientific notation: it takes nan and inf,
    # "_" between digits, surrounding white space and non-ASCII digits. NaN,
    # Infinity and overflow (which parses as inf) cannot be written
    # (docs/operations/write-records.md).
    return (
        number - number == 0.0
        and text.isascii()
        and "_" not in text
        and text[0] > " "
        and text[-1] > " "
    )


def first_invalid_double(texts: list[str]) -> str | None:
    """The #13 reason of the first text in ``texts`` that is not a valid DOUBLE."""
    for text in texts:
        if not is_double(text):
            return invalid_value_reason(text, DOUBLE)
    return None


def _parse_double(text: str) -> float | None:
    return float(text) if is_double(text) else None


def _parse_bigint(text: str) -> int | None:
    digits = text[1:] if text[:1] in ("-", "+") else text
    # Bounding the digit count first keeps int() clear of its 4300-digit guard.
    if not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > 19:
        return None
    number = int(text)
    return number if BIGINT_MIN <= number <= BIGINT_MAX else None


def _parse_boolean(text: str) -> bool | None:
    # Open question: case-insensitive true/false, as recommended (docs/operations/write-records.md).
    if text.isascii():
        lowered = text.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


def _parse_varchar(text: str) -> str | None:
    # The 2 KB limit is a size limit (docs/operations/write-records.md, a rejected record), not
    # parsing.
    return text or None


def _parse_timestamp(text: str, unit_ns: int) -> int | None:
    # Counted in the record's TimeUnit (docs/operations/write-records.md, boto3 #3138).
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 20:
        return None
    time_ns = int(text) * unit_ns
    return time_ns if time_ns <= MAX_TIMESTAMP_NS else None


#: The parser of each single-measure type: the parsed value, or None if invalid.
_SCALAR_PARSERS: Mapping[str, Callable[[str], object]] = {
    "DOUBLE": _parse_double,
    "BIGINT": _parse_bigint,
    "VARCHAR": _parse_varchar,
    "BOOLEAN": _parse_boolean,
}


def parse_value(text: str, value_type: str, unit_ns: int) -> object:
    """The parsed value, or None when ``text`` is not a valid ``value_type``.

    See docs/operations/write-records.md.
    """
    if value_type == "TIMESTAMP":
        return _parse_timestamp(text, unit_ns)
    parse = _SCALAR_PARSERS.get(value_type)
    return None if parse is None else parse(text)


def parse_measure_value(value: object, value_type: str, time_unit: str = "MILLISECONDS") -> object:
    """A measure value parsed as its type; raises `RecordError` if invalid.

    DOUBLE gives a float, BIGINT an int, BOOLEAN a bool, VARCHAR the string and
    TIMESTAMP int nanoseconds (``value`` counted in ``time_unit``).
    """
    unit_ns = TIME_UNIT_NS.get(time_unit, 0) if type(time_unit) is str else 0
    parsed = None
    if type(value) is str and type(value_type) is str and unit_ns:
        parsed = parse_value(value, value_type, unit_ns)
    if parsed is None:
        raise RecordError(invalid_value_reason(value, value_type))
    return parsed
