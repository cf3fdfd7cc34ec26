"""Result values as the service sends them: ``Datum`` structures and scalar texts.

Formats follow docs/operations/query.md: TIMESTAMP ``YYYY-MM-DD HH:MM:SS.nnnnnnnnn``
(UTC, always nine fraction digits), TIME ``HH:MM:SS.nnnnnnnnn``, DATE
``YYYY-MM-DD``, INTERVAL_DAY_TO_SECOND ``D HH:MM:SS.nnnnnnnnn``,
INTERVAL_YEAR_TO_MONTH ``Y-M``, booleans ``true``/``false``, doubles in Java's
``Double.toString`` style (``40.0``, ``1.0E7``), NULL as ``{"NullValue": true}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from tsmock.backend.query.result import ARRAY, ROW, SCALAR, TIMESERIES, ColumnType

_NS_PER_SECOND = 1_000_000_000
_NS_PER_DAY = 86_400 * _NS_PER_SECOND
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NULL: dict[str, Any] = {"NullValue": True}


def format_timestamp(time_ns: int) -> str:
    """``YYYY-MM-DD HH:MM:SS.nnnnnnnnn`` of nanoseconds since the epoch, in UTC."""
    seconds, fraction = divmod(time_ns, _NS_PER_SECOND)
    moment = _EPOCH + timedelta(seconds=seconds)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{fraction:09d}"


def format_time(ns_of_day: int) -> str:
    """``HH:MM:SS.nnnnnnnnn`` of nanoseconds since midnight."""
    seconds, fraction = divmod(ns_of_day, _NS_PER_SECOND)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{fraction:09d}"


def format_day_to_second(total_ns: int) -> str:
    """``D HH:MM:SS.nnnnnnnnn``: ``1 21:00:00.000000000`` [REAL], ``-`` in front if negative."""
    sign = "-" if total_ns < 0 else ""
    days, rest = divmod(abs(total_ns), _NS_PER_DAY)
    return f"{sign}{days} {format_time(rest)}"


def format_year_to_month(months: int) -> str:
    """``Y-M``: ``2-7`` [REAL], ``-`` in front if negative."""
    sign = "-" if months < 0 else ""
    years, rest = divmod(abs(months), 12)
    return f"{sign}{years}-{rest}"


def format_double(number: float) -> str:
    """Java's ``Double.toString``: decimal form in [1e-3, 1e7), else ``d.dddE±n``.

    Open question (docs/operations/query.md): the service's text for integral,
    huge and tiny doubles is unobserved; the recommended Java form is used.
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0.0:
        return "-0.0" if math.copysign(1.0, number) < 0 else "0.0"
    magnitude = abs(number)
    if 1e-3 <= magnitude < 1e7:
        text = repr(number)
        return text if "." in text else f"{text}.0"
    sign, digits, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(str(d) for d in digits).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    mantissa = f"{shown[0]}.{shown[1:] or '0'}"
    return f"{'-' if sign else ''}{mantissa}E{power}"


def _format_boolean(value: object) -> str:
    return "true" if value else "false"


def _format_date(value: object) -> str:
    assert isinstance(value, date)
    return value.isoformat()


def _format_double_value(value: object) -> str:
    assert isinstance(value, (int, float))
    return format_double(float(value))


def _of_int(format_int: Callable[[int], str]) -> Callable[[object], str]:
    """A value format of ``format_int`` for types whose Python values are ``int``."""

    def run(value: object) -> str:
        assert isinstance(value, int)
        return format_int(value)

    return run


_SCALAR_FORMATS: dict[str, Callable[[object], str]] = {
    "VARCHAR": str,
    "UNKNOWN": str,
    "BOOLEAN": _format_boolean,
    "BIGINT": _of_int(str),
    "INTEGER": _of_int(str),
    "DOUBLE": _format_double_value,
    "TIMESTAMP": _of_int(format_timestamp),
    "TIME": _of_int(format_time),
    "DATE": _format_date,
    "INTERVAL_DAY_TO_SECOND": _of_int(format_day_to_second),
    "INTERVAL_YEAR_TO_MONTH": _of_int(format_year_to_month),
}


def format_scalar(value: object, scalar: str) -> str:
    """The ``ScalarValue`` text of a non-NULL value of ScalarType ``scalar``."""
    return _SCALAR_FORMATS[scalar](value)


def datum(value: object, column_type: ColumnType) -> dict[str, Any]:
    """The ``Datum`` of one value of ``column_type``."""
    if value is None:
        return _NULL
    kind = column_type.kind
    if kind == SCALAR:
        assert column_type.scalar is not None
        return {"ScalarValue": format_scalar(value, column_type.scalar)}
    if kind == ARRAY:
        element = column_type.element
        assert element is not None and isinstance(value, list)
        return {"ArrayValue": [datum(item, element) for item in value]}
    if kind == TIMESERIES:
        element = column_type.element
        assert element is not None and isinstance(value, list)
        return {
            "TimeSeriesValue": [
                {"Time": format_timestamp(point_time), "Value": datum(point_value, element)}
                for point_time, point_value in value
            ]
        }
    assert kind == ROW and isinstance(value, tuple)
    return {
        "RowValue": {
            "Data": [
                datum(item, field.type)
                for item, field in zip(value, column_type.fields, strict=False)
            ]
        }
    }


def encode_rows(rows: list[tuple[object, ...]], types: list[ColumnType]) -> list[dict[str, Any]]:
    """The wire ``Rows`` of result rows."""
    scalar_formats: list[Callable[[object], str] | None] = [
        _SCALAR_FORMATS[t.scalar] if t.kind == SCALAR and t.scalar else None for t in types
    ]
    encoded: list[dict[str, Any]] = []
    for row in rows:
        data: list[dict[str, Any]] = []
        for value, fmt, column_type in zip(row, scalar_formats, types, strict=False):
            if value is None:
                data.append(_NULL)
            elif fmt is not None:
                data.append({"ScalarValue": fmt(value)})
            else:
                data.append(datum(value, column_type))
        encoded.append({"Data": data})
    return encoded
