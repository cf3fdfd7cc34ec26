"""The WriteRecords write path: merge, check, window, upsert, store (reference §6–§9).

A request goes through two phases, as on AWS (§6.4):

1. `prepare_records` merges ``CommonAttributes`` into every record and runs the
   structural checks #3–#13 on all of them. The first failing record refuses the
   whole request with a ValidationException; nothing is stored.
2. `ingest` runs the data checks #14–#20 record by record, in request order, and
   stores each accepted record at once, so a later record of the same request
   sees the earlier ones (§8.4). Refused records become ``RejectedRecords``.

Which check refuses the request and which only rejects a record is the
reference's recommended split (open question §13 #10): structure refuses,
limits and stored data reject.

Batch load runs its records through the same two functions (`prepare_record`
per record, then `ingest`), so both paths apply every rule the same way.
Every reason text lives in this module, next to its rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from sys import intern
from typing import Any

from tsmock.backend.errors import ValidationException
from tsmock.backend.models import NO_MEASURE_VALUES, Record, SeriesKey, Table

__all__ = [
    "FUTURE_INGESTION_NS",
    "IngestResult",
    "IngestionWindow",
    "PreparedRecord",
    "RecordError",
    "UncheckedShape",
    "format_window_time",
    "ingest",
    "ingestion_window",
    "merge_common",
    "parse_measure_value",
    "prepare_record",
    "prepare_records",
    "report_reason",
]

# --- limits (§6.3, §6.6, §12) ----------------------------------------------------------

MAX_DIMENSIONS_PER_TABLE = 128
MAX_MEASURES_PER_TABLE = 8192
MAX_MULTI_ATTRIBUTES_PER_TABLE = 1024
MAX_MEASURES_PER_MULTI_RECORD = 256
MAX_DIMENSION_NAME_BYTES = 60
MAX_MEASURE_NAME_BYTES = 256
MAX_SERIES_DIMENSIONS_BYTES = 2048
MAX_VARCHAR_BYTES = 2048
MAX_MULTI_VALUES_BYTES = 2048
MAX_RECORD_BYTES = 2048
#: Records may be at most this far in the future (§7.2, Quotas "Future ingestion period").
FUTURE_INGESTION_NS = 15 * 60 * 1_000_000_000
#: Largest TIMESTAMP measure value: 2262-04-11 23:47:16.854775807 UTC (§6.5).
MAX_TIMESTAMP_NS = 2**63 - 1
_BIGINT_MIN = -(2**63)
_BIGINT_MAX = 2**63 - 1

_NS_PER_HOUR = 3600 * 1_000_000_000
_NS_PER_DAY = 24 * _NS_PER_HOUR
_NS_PER_MS = 1_000_000
#: Nanoseconds per unit of ``TimeUnit`` (§6.7).
TIME_UNIT_NS: Mapping[str, int] = {
    "MILLISECONDS": 1_000_000,
    "SECONDS": 1_000_000_000,
    "MICROSECONDS": 1_000,
    "NANOSECONDS": 1,
}

_MULTI = "MULTI"
_DOUBLE = "DOUBLE"
# Each type name maps to one shared string: records keep it, not the request's
# copy (a fresh string per record costs ~55 bytes, §12 memory target).
_SCALAR_TYPES: Mapping[str, str] = {t: t for t in (_DOUBLE, "BIGINT", "VARCHAR", "BOOLEAN")}
_ATTRIBUTE_TYPES: Mapping[str, str] = {**_SCALAR_TYPES, "TIMESTAMP": "TIMESTAMP"}
_MEMORY = "memory"
_MAGNETIC = "magnetic"

# Column names the service reserves (§6.3, Developer Guide "Naming constraints").
_RESERVED_NAMES = frozenset({"measure_name", "measure_value", "time", "ts_non_existent_col"})
_RESERVED_PREFIXES = ("ts_", "measure_value", "measure_name")

# --- reason texts ----------------------------------------------------------------------
# Texts marked [REAL] in the reference are the service's own; the others are the
# reference's [ASSUMED] recommendations (§13 #10, #11) or, where it gives none, ours.

# ValidationException texts (§6.4 #3-#13).
NO_DIMENSION = "At least one dimension is required for a record."  # [REAL]
NO_MEASURE_NAME = "Measure name is required for a record."
MEASURE_VALUES_NOT_MULTI = "MeasureValues can only be specified for measure value type MULTI."
MULTI_SHAPE = (
    "A record of measure value type MULTI must specify MeasureValues "
    "and must not specify MeasureValue."
)
NO_MEASURE_VALUE = "Measure value is required for a record."
TOO_MANY_MULTI_MEASURES = (
    f"A multi-measure record can contain at most {MAX_MEASURES_PER_MULTI_RECORD} measures."
)
INVALID_TIME = "Invalid time for record."  # [REAL]
INVALID_VERSION = "Record version must be greater than or equal to 1."

# RejectedRecords reasons (§6.4 #14-#20).
RECORD_TOO_LARGE = f"The record exceeds the maximum record size of {MAX_RECORD_BYTES // 1024} KB."
SERIES_TOO_LARGE = (
    "The dimension names and values of the record exceed the maximum size of "
    f"{MAX_SERIES_DIMENSIONS_BYTES // 1024} KB per series."
)
VARCHAR_TOO_LARGE = (
    f"The VARCHAR measure value exceeds the maximum size of {MAX_VARCHAR_BYTES // 1024} KB."
)
MULTI_VALUES_TOO_LARGE = (
    "The measure values of the multi-measure record exceed the maximum size of "
    f"{MAX_MULTI_VALUES_BYTES} bytes."
)
SAME_VERSION = (  # Reason A, [REAL] §8.3
    "A record already exists with the same time, dimensions, measure name, and record "
    "version. A higher record version must be specified in order to update the measure "
    "value. Specifying record version is supported by the latest SDKs."
)
#: The window reason of batch load reports, which carries no time range (§7.2, §10.8).
WINDOW_REPORT_REASON = (
    "The record timestamp is outside the time range of the data ingestion window."
)


def duplicate_dimension_reason(name: str) -> str:
    """§6.4 #3: a dimension name repeats, or is both in CommonAttributes and the record."""
    return f"Dimension names must be unique within a record. Duplicate dimension name: {name}."


def empty_dimension_value_reason(name: str) -> str:
    """§6.3 / §13 #15: an empty dimension value refuses the request."""
    return f"Dimension value cannot be empty for dimension {name}."


def invalid_type_reason(value_type: object) -> str:
    """§6.4 #6: the service's text for TIMESTAMP on a single-measure record [REAL]."""
    return f"{value_type} is an invalid measure value type."


def invalid_attribute_type_reason(value_type: object) -> str:
    """§6.4 #10: a ``MeasureValues`` item of type MULTI."""
    return f"{value_type} is an invalid measure value type for a measure in MeasureValues."


def duplicate_measure_reason(name: str) -> str:
    """§6.4 #10: two ``MeasureValues`` items with one name."""
    return (
        "Measure names must be unique within a multi-measure record. "
        f"Duplicate measure name: {name}."
    )


def invalid_value_reason(value: object, value_type: object) -> str:
    """§6.4 #13: a value that does not parse as its type (§6.5)."""
    return f"Invalid measure value {value} for measure value type {value_type}."


def _malformed(what: str) -> str:
    # Only reachable without the protocol's shape check (batch load, direct use).
    return f"Invalid {what} for record."


def dimension_name_too_long_reason(name: str) -> str:
    """§6.4 #14: dimension names are limited in UTF-8 bytes (Quotas)."""
    return (
        f"The dimension name {name} exceeds the maximum size of {MAX_DIMENSION_NAME_BYTES} bytes."
    )


def measure_name_too_long_reason(name: str) -> str:
    """§6.4 #14: measure names are limited in UTF-8 bytes (Quotas)."""
    return f"The measure name {name} exceeds the maximum size of {MAX_MEASURE_NAME_BYTES} bytes."


def too_many_dimensions_reason(name: str) -> str:
    """§6.4 #15: the 129th distinct dimension name of a table."""
    return (
        f"Adding the dimension {name} would exceed the maximum of "
        f"{MAX_DIMENSIONS_PER_TABLE} dimensions per table."
    )


def too_many_measures_reason(name: str) -> str:
    """§6.4 #15: the 8193rd distinct measure name of a table."""
    return (
        f"Adding the measure {name} would exceed the maximum of "
        f"{MAX_MEASURES_PER_TABLE} measure names per table."
    )


def too_many_multi_attributes_reason(name: str) -> str:
    """§6.4 #15: the 1025th distinct multi-measure attribute of a table."""
    return (
        f"Adding the measure {name} would exceed the maximum of "
        f"{MAX_MULTI_ATTRIBUTES_PER_TABLE} distinct measures in multi-measure records "
        "per table."
    )


def type_conflict_reason(name: str, old: str, new: str) -> str:
    """§6.4 #16: a measure keeps the type it was first written with."""
    return f"The measure {name} has type {old} in the table; it cannot be written as {new}."


def dimension_is_measure_reason(name: str) -> str:
    """§6.4 #17: a dimension may not take a measure's name (one column namespace)."""
    return f"The dimension name {name} is already used as a measure name."


def measure_is_dimension_reason(name: str) -> str:
    """§6.4 #17: a measure may not take a dimension's name (one column namespace)."""
    return f"The measure name {name} is already used as a dimension name."


def reserved_name_reason(name: str, kind: str) -> str:
    """§6.4 #17: reserved column names (§6.3)."""
    return f"{name} is a reserved name and cannot be used as a {kind} name."


def missing_partition_key_reason(name: str) -> str:
    """§6.4 #18 / §9: a REQUIRED dimension partition key is missing."""
    return f"The record is missing the required partition key dimension {name}."


def lower_version_reason(version: int, existing_version: int) -> str:
    """§8.3 Reason B [REAL], sent with ``ExistingVersion``."""
    return (
        f"The record version {version} is lower than the existing version "
        f"{existing_version}. A higher version is required to update the measure value."
    )


# --- public data -----------------------------------------------------------------------


class RecordError(Exception):
    """A problem with one record; ``reason`` is the service's text for it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UncheckedShape(Exception):
    """`prepare_records` was asked to check the records' shapes, and one fails.

    The request breaks the model's shapes: its shape check must answer, with
    the framework's ValidationException.
    """


# The model's limits on the members of a record (``Record`` and ``MeasureValue``
# shapes, and the API Reference's limit on measure names), in characters.
MAX_MEASURE_NAME_CHARS = 256
MAX_MEASURE_VALUE_CHARS = 2048
MAX_TIME_CHARS = 256


class _MultiValues(dict[str, tuple[str, str]]):
    """``Record.measure_values`` of a MULTI record: name -> (value, type) as written.

    A plain dict to its readers. It also remembers the ``TimeUnit`` its TIMESTAMP
    values count in (§6.5), which upsert comparisons need and the strings
    alone cannot tell.
    """

    __slots__ = ("unit_ns",)

    unit_ns: int


def _comparable(values: Mapping[str, tuple[str, str]]) -> frozenset[tuple[str, str, object]]:
    """A MULTI record's value for upserts: its (name, type, parsed value) set (§6.6)."""
    unit_ns = getattr(values, "unit_ns", TIME_UNIT_NS["MILLISECONDS"])
    return frozenset(
        (name, value_type, _parse(value, value_type, unit_ns))
        for name, (value, value_type) in values.items()
    )


#: (size limit reason §6.4 #14, reserved name reason §6.4 #17) of a record.
Issues = tuple[str | None, str | None]


@dataclass(slots=True)
class PreparedRecord:
    """One record after merge and checks #3–#13, ready for `ingest`."""

    #: Position in the request's ``Records`` (0-based, as ``RecordIndex`` reports it).
    index: int
    #: Sorted (name, value) pairs of its dimensions; records of one request and
    #: series share one key object.
    series_key: SeriesKey
    measure_name: str
    #: DOUBLE, BIGINT, VARCHAR, BOOLEAN or MULTI.
    measure_value_type: str
    #: The value as written; None for MULTI.
    measure_value: str | None
    #: MULTI: name -> (value, type) as written; None otherwise.
    measure_values: dict[str, tuple[str, str]] | None
    time_ns: int
    version: int
    #: What `ingest` must refuse the record for before looking at the table;
    #: None for almost every record.
    issues: Issues | None = None
    #: MULTI: every attribute of the record's request with its type, shared by
    #: its records, when they agree on the types (None otherwise). `ingest`
    #: checks it against the table once instead of each record's own.
    attribute_types: Mapping[str, str] | None = field(default=None, compare=False, repr=False)

    @property
    def reserved_reason(self) -> str | None:
        """A reserved dimension or attribute name (§6.4 #17), if any."""
        return None if self.issues is None else self.issues[1]

    @property
    def dimensions(self) -> dict[str, str]:
        """The record's dimensions as a dict."""
        return dict(self.series_key)


@dataclass(slots=True)
class IngestResult:
    """What `ingest` did: ``RecordsIngested`` counts and ``RejectedRecords``."""

    memory_store: int = 0
    magnetic_store: int = 0
    #: ``{"RecordIndex", "Reason", "ExistingVersion"?}`` entries, in request order.
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """``RecordsIngested.Total``: every accepted record (§6.9)."""
        return self.memory_store + self.magnetic_store


# --- values (§6.5) ---------------------------------------------------------------------


def _nbytes(text: str) -> int:
    if text.isascii():
        return len(text)
    # JSON may carry lone surrogates; count them in their 3-byte form.
    return len(text.encode("utf-8", "surrogatepass"))


#: Plain decimals (``-12.5``, ``3``, ``.5``, ``7.``), alone or separated by
#: commas. Every one of them satisfies `_is_double`, and the expression tells
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


def _plain_decimals(joined: str, count: int, shapes: dict[str, bool]) -> bool:
    """Whether ``count`` texts joined by commas are all plain decimals, and so
    valid DOUBLE values (§6.5).

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


def _is_double(text: str) -> bool:
    if len(text) < _PLAIN_DECIMALS_MAX_CHARS and _PLAIN_DECIMAL.fullmatch(text) is not None:
        return True  # the common case, without float()
    try:
        number = float(text)
    except ValueError:
        return False
    # float() is laxer than decimal or scientific notation: it takes nan and inf,
    # "_" between digits, surrounding white space and non-ASCII digits. NaN,
    # Infinity and overflow (which parses as inf) cannot be written (§6.5).
    return (
        number - number == 0.0
        and text.isascii()
        and "_" not in text
        and text[0] > " "
        and text[-1] > " "
    )


def _first_invalid_double(texts: list[str]) -> str | None:
    """The #13 reason of the first text in ``texts`` that is not a valid DOUBLE."""
    for text in texts:
        if not _is_double(text):
            return invalid_value_reason(text, _DOUBLE)
    return None


def _parse_double(text: str) -> float | None:
    return float(text) if _is_double(text) else None


def _parse_bigint(text: str) -> int | None:
    digits = text[1:] if text[:1] in ("-", "+") else text
    # Bounding the digit count first keeps int() clear of its 4300-digit guard.
    if not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > 19:
        return None
    number = int(text)
    return number if _BIGINT_MIN <= number <= _BIGINT_MAX else None


def _parse_boolean(text: str) -> bool | None:
    # Open question: case-insensitive true/false, as the reference recommends (§6.5).
    if text.isascii():
        lowered = text.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


def _parse_varchar(text: str) -> str | None:
    # The 2 KB limit is a size limit (§6.4 #14, a rejected record), not parsing.
    return text or None


def _parse_timestamp(text: str, unit_ns: int) -> int | None:
    # Counted in the record's TimeUnit (§6.5, boto3 #3138).
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


def _parse(text: str, value_type: str, unit_ns: int) -> object:
    """The parsed value, or None when ``text`` is not a valid ``value_type`` (§6.5)."""
    if value_type == "TIMESTAMP":
        return _parse_timestamp(text, unit_ns)
    parse = _SCALAR_PARSERS.get(value_type)
    return None if parse is None else parse(text)


def parse_measure_value(value: object, value_type: str, time_unit: str = "MILLISECONDS") -> object:
    """A measure value parsed as its type (§6.5); raises `RecordError` if invalid.

    DOUBLE gives a float, BIGINT an int, BOOLEAN a bool, VARCHAR the string and
    TIMESTAMP int nanoseconds (``value`` counted in ``time_unit``).
    """
    unit_ns = TIME_UNIT_NS.get(time_unit, 0) if type(time_unit) is str else 0
    parsed = None
    if type(value) is str and type(value_type) is str and unit_ns:
        parsed = _parse(value, value_type, unit_ns)
    if parsed is None:
        raise RecordError(invalid_value_reason(value, value_type))
    return parsed


# --- merge (§6.2) ----------------------------------------------------------------------

_SCALAR_FIELDS = ("MeasureName", "MeasureValue", "MeasureValueType", "Time", "TimeUnit", "Version")
_MERGED_FIELDS = frozenset((*_SCALAR_FIELDS, "MeasureValues"))
_name_and_value = itemgetter("Name", "Value")


def _first_duplicate(names: list[Any]) -> Any:
    seen: set[Any] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def merge_common(record: dict[str, Any], common: dict[str, Any] | None) -> dict[str, Any]:
    """``record`` with ``CommonAttributes`` merged in (§6.2).

    Scalars and ``MeasureValues``: the record's if present, else the common one
    (null counts as absent); open question §13 #14: the record wins and
    ``MeasureValues`` lists are not concatenated. ``Dimensions``: common +
    record; a name in both, or twice in one list, raises `RecordError` (§6.4 #3).
    """
    if not isinstance(record, dict) or not (common is None or isinstance(common, dict)):
        raise RecordError(_malformed("record"))
    merged = {key: value for key, value in record.items() if value is not None}
    if common is None:
        dims = merged.get("Dimensions")
        dims = dims if isinstance(dims, list) else []
    else:
        for key in _MERGED_FIELDS:
            value = common.get(key)
            if value is not None and key not in merged:
                merged[key] = value
        dims = []
        for source in (common, record):
            own = source.get("Dimensions")
            if own is not None:
                if not isinstance(own, list):
                    raise RecordError(_malformed("dimensions"))
                dims.extend(own)
        if common.get("Dimensions") is not None:
            merged["Dimensions"] = dims
    # Malformed items are left to `prepare_record`, which refuses them.
    names = [d.get("Name") for d in dims if isinstance(d, dict)]
    duplicate = _first_duplicate([name for name in names if isinstance(name, str)])
    if duplicate is not None:
        raise RecordError(duplicate_dimension_reason(duplicate))
    return merged


# --- per-record checks (§6.4 #3-#13) ---------------------------------------------------


def _is_reserved(name: str) -> bool:
    return name in _RESERVED_NAMES or name.startswith(_RESERVED_PREFIXES)


class _Series:
    """What the checks need to know about one dimension set, computed once per request."""

    __slots__ = ("dimension_name_reason", "issues", "key", "nbytes", "reserved_reason")

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.key: SeriesKey = tuple(sorted(pairs))
        self.nbytes = 0
        self.dimension_name_reason: str | None = None
        self.reserved_reason: str | None = None
        for name, value in pairs:
            name_bytes = _nbytes(name)
            self.nbytes += name_bytes + _nbytes(value)
            if name_bytes > MAX_DIMENSION_NAME_BYTES and self.dimension_name_reason is None:
                self.dimension_name_reason = dimension_name_too_long_reason(name)
            # The colon rule comes from the AWS IoT rule action docs (§6.3).
            if self.reserved_reason is None and (_is_reserved(name) or ":" in name):
                self.reserved_reason = reserved_name_reason(name, "dimension")
        self.issues: Issues | None = None
        if self.dimension_name_reason is not None or self.reserved_reason is not None:
            self.issues = (self.dimension_name_reason, self.reserved_reason)


def _check_dimensions(pairs: tuple[tuple[str, str], ...]) -> None:
    """§6.4 #3 and #4, and §6.3's empty values, for a dimension set not seen before."""
    if not pairs:
        raise RecordError(NO_DIMENSION)
    for name, value in pairs:
        if type(name) is not str or not name or type(value) is not str:
            raise RecordError(_malformed("dimensions"))
    duplicate = _first_duplicate([name for name, _ in pairs])
    if duplicate is not None:
        raise RecordError(duplicate_dimension_reason(duplicate))
    for name, value in pairs:
        if not value:
            # Open question §13 #15: an empty value refuses the request.
            raise RecordError(empty_dimension_value_reason(name))


def _without_nulls(record: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    # A null member is an absent one: the common value applies (§6.2).
    merged = {key: value for key, value in record.items() if value is not None}
    for key, value in common.items():
        merged.setdefault(key, value)
    return merged


def _unit_ns(unit: object) -> int:
    unit_ns = TIME_UNIT_NS.get(unit, 0) if type(unit) is str else 0
    if not unit_ns:  # only without the protocol's enum check
        raise RecordError(f"{unit} is an invalid time unit.")
    return unit_ns


class _Preparer:
    """Checks #3–#13 with caches that live for one request.

    Records of one request mostly share their dimension sets (often through
    ``CommonAttributes``), so each distinct set is checked, sorted and measured
    once, and the records of a series share its key object.
    """

    __slots__ = (
        "_attribute_issues",
        "_attributes",
        "_check_shapes",
        "_common",
        "_common_pairs",
        "_common_series",
        "_decimal_shapes",
        "_series",
        "_widest_attribute",
    )

    def __init__(self, common: dict[str, Any] | None = None, check_shapes: bool = False) -> None:
        #: Whether to hold the records' members to the model's shapes too
        #: (`prepare_records`).
        self._check_shapes = check_shapes
        self._series: dict[tuple[tuple[str, str], ...], _Series] = {}
        self._attributes: dict[str, _Attribute] = {}
        #: The most UTF-8 bytes of an attribute name, and whether one has an issue.
        self._widest_attribute = 0
        self._attribute_issues = False
        self._decimal_shapes: dict[str, bool] = {}
        self._common: dict[str, Any] = {}
        self._common_pairs: tuple[tuple[str, str], ...] = ()
        self._common_series: _Series | None = None
        if common is None:
            return
        if not isinstance(common, dict):
            raise RecordError(_malformed("common attributes"))
        self._common = {
            key: value
            for key, value in common.items()
            if value is not None and key in _MERGED_FIELDS
        }
        dims = common.get("Dimensions")
        if dims is not None:
            try:
                self._common_pairs = tuple(map(_name_and_value, dims))
            except (KeyError, TypeError):
                raise RecordError(_malformed("dimensions")) from None

    def _new_series(self, pairs: tuple[tuple[str, str], ...]) -> _Series:
        _check_dimensions(pairs)
        series = self._series[pairs] = _Series(pairs)
        return series

    def prepare(self, records: list[dict[str, Any]], first_index: int = 0) -> list[PreparedRecord]:
        """Merge each record with the request's ``CommonAttributes``, then checks #3–#13.

        Raises `RecordError` for the first failing record. Gives for each record
        what ``prepare_record(merge_common(record, common), index)`` gives, without
        building merged dimension lists, in one loop: a 100-record request must
        cost little next to botocore's own work.
        """
        prepared: list[PreparedRecord] = []
        append = prepared.append
        check_shapes = self._check_shapes
        common = self._common
        common_pairs = self._common_pairs
        series_cache = self._series
        # Consecutive records often repeat their dimensions: comparing a record's
        # list with the previous one is cheaper than building and hashing its key.
        # After two misses in a row (records of alternating series) we stop trying.
        last_dims: object = None
        last_series: _Series | None = None
        misses = 0
        index = first_index - 1
        for record in records:
            index += 1
            if type(record) is not dict:
                raise RecordError(_malformed("record"))
            dims = record.get("Dimensions")
            if dims is None:
                series = self._common_series
                if series is None:
                    series = self._common_series = self._new_series(common_pairs)
            elif (
                misses < 2 and last_series is not None and (dims is last_dims or dims == last_dims)
            ):
                series = last_series
                misses = 0
            else:
                if misses < 2:
                    misses += 1
                try:
                    pairs = common_pairs + tuple(map(_name_and_value, dims))
                    series = series_cache.get(pairs)
                except (KeyError, TypeError):
                    raise RecordError(_malformed("dimensions")) from None
                if series is None:
                    series = self._new_series(pairs)
                last_dims, last_series = dims, series
            merged = record
            if common:
                merged = common | record
                if None in record.values():
                    merged = _without_nulls(record, common)

            name = merged.get("MeasureName")
            if type(name) is not str or not name:  # §6.4 #5
                raise RecordError(_malformed("measure name") if name else NO_MEASURE_NAME)
            given_type = merged.get("MeasureValueType")
            value_type = given_type or _DOUBLE
            value = merged.get("MeasureValue")
            values = merged.get("MeasureValues")
            unit = merged.get("TimeUnit")
            multi: _MultiParse | None = None
            if value_type == _DOUBLE:  # the default and most common type: no hashing
                scalar_type: str | None = _DOUBLE
            else:
                scalar_type = _SCALAR_TYPES.get(value_type) if type(value_type) is str else None
            if scalar_type is None:
                if value_type != _MULTI:  # §6.4 #6: TIMESTAMP, or any unknown type
                    raise RecordError(invalid_type_reason(value_type))
                if value is not None or not values:  # §6.4 #8
                    raise RecordError(MULTI_SHAPE)
                multi = self._parse_multi(values, unit)  # §6.4 #10
                scalar_type = _MULTI
            elif values is not None:  # §6.4 #7
                raise RecordError(MEASURE_VALUES_NOT_MULTI)
            elif value is None:  # §6.4 #9
                raise RecordError(NO_MEASURE_VALUE)

            unit_ns = 1_000_000 if unit is None else _unit_ns(unit)
            time = merged.get("Time")
            # §6.4 #11; open question §13 #28: a missing, non-integer or negative
            # Time is invalid. ASCII digits only: int() would take signs, "_", spaces.
            if type(time) is not str or not time.isdigit() or not time.isascii():
                raise RecordError(INVALID_TIME)
            try:
                time_ns = int(time) * unit_ns
            except ValueError:  # over int()'s digit limit; unreachable within 256 chars
                raise RecordError(INVALID_TIME) from None
            version = merged.get("Version")
            if version is None:
                version = 1
            elif type(version) is not int:
                raise RecordError(_malformed("version"))
            elif version < 1:  # §6.4 #12
                raise RecordError(INVALID_VERSION)
            if check_shapes and (
                # What the model allows of the members checked above and below
                # and the checks do not imply (a valid value is a non-empty
                # string, MeasureValueType a known name unless empty).
                len(name) > MAX_MEASURE_NAME_CHARS
                or len(time) > MAX_TIME_CHARS
                or version > _BIGINT_MAX
                or (given_type is not None and not given_type)
                or (
                    value is not None
                    and type(value) is str
                    and len(value) > MAX_MEASURE_VALUE_CHARS
                )
            ):
                raise UncheckedShape
            name = intern(name)  # one string per measure name, however many records

            if multi is not None:
                if multi[1] is not None:  # §6.4 #13: the first invalid value
                    raise RecordError(multi[1])
                append(_multi_record(index, series, name, multi, time_ns, version))
                continue
            if type(value) is not str or not (
                _is_double(value)
                if scalar_type is _DOUBLE
                else _parse(value, value_type, unit_ns) is not None
            ):  # §6.4 #13
                raise RecordError(invalid_value_reason(value, value_type))
            issues = series.issues
            # §6.4 #14. UTF-8 takes at most 4 bytes a character: that bound clears
            # most records without counting bytes.
            if (
                len(name) > MAX_MEASURE_NAME_BYTES // 4
                or series.nbytes + 4 * (len(name) + len(value)) > MAX_RECORD_BYTES
            ):
                size_reason = _size_reason(series, name, scalar_type, value)
                if size_reason is not None:
                    issues = (size_reason, series.reserved_reason)
            append(
                PreparedRecord(
                    index, series.key, name, scalar_type, value, None, time_ns, version, issues
                )
            )
        attribute_types = self._attribute_types() if len(prepared) > 1 else None
        if attribute_types:
            for done in prepared:
                if done.measure_values is not None:
                    done.attribute_types = attribute_types
        return prepared

    def _new_attribute(self, name: object) -> _Attribute:
        attribute = _Attribute(name)
        self._widest_attribute = max(self._widest_attribute, attribute.nbytes)
        if attribute.issue is not None:
            self._attribute_issues = True
        return attribute

    def _attribute_types(self) -> dict[str, str] | None:
        """Each MULTI attribute of the request with its type; None if one has several."""
        types: dict[str, str] = {}
        for attribute in self._attributes.values():
            if attribute.several_types:
                return None
            if attribute.value_type is not None:
                types[attribute.name] = attribute.value_type
        return types

    def _parse_multi(self, values: object, unit: object) -> _MultiParse:
        """§6.4 #10 on ``MeasureValues``, and what #13 and #14 need from them.

        The first invalid value (#13) is kept, not raised: the time and version
        checks (#11, #12) come first.
        """
        check_shapes = self._check_shapes
        if type(values) is not list:
            if check_shapes:
                raise UncheckedShape
            if not isinstance(values, list):
                raise RecordError(_malformed("measure values"))
        if len(values) > MAX_MEASURES_PER_MULTI_RECORD:
            raise RecordError(TOO_MANY_MULTI_MEASURES)
        # An invalid unit is refused at #11; until then any unit will do.
        unit_ns = TIME_UNIT_NS.get(unit, 1) if type(unit) is str else 1_000_000
        measure_values = _MultiValues()
        measure_values.unit_ns = unit_ns
        attributes = self._attributes
        invalid_reason: str | None = None
        # DOUBLE texts, checked all at once after the loop: cheaper than one by one.
        doubles: list[str] = []
        value_chars = 0  # of the values of other types
        for item in values:
            if check_shapes and type(item) is not dict:
                raise UncheckedShape
            try:
                name, value_type, value = item["Name"], item["Type"], item["Value"]
                attribute = attributes.get(name)
                canonical = _DOUBLE if value_type == _DOUBLE else _ATTRIBUTE_TYPES.get(value_type)
            except (KeyError, TypeError):  # not a dict, a member missing, unhashable
                raise RecordError(_malformed("measure values")) from None
            if attribute is None:
                attribute = attributes[name] = self._new_attribute(name)
            if canonical is None:
                raise RecordError(invalid_attribute_type_reason(value_type))
            if attribute.value_type is not canonical:
                attribute.add_type(canonical)
            name = attribute.name
            if name in measure_values:
                raise RecordError(duplicate_measure_reason(name))
            measure_values[name] = (value, canonical)
            if type(value) is str:
                if invalid_reason is not None:
                    continue
                if canonical is _DOUBLE:
                    doubles.append(value)
                    continue
                value_chars += len(value)
                if _parse(value, canonical, unit_ns) is not None:
                    continue
            if invalid_reason is None:
                # An invalid DOUBLE text not checked yet may come first.
                invalid_reason = _first_invalid_double(doubles) or invalid_value_reason(
                    value, value_type
                )
        if doubles and invalid_reason is None:
            joined = ",".join(doubles)
            # Every DOUBLE counts toward the size bound, whichever way it is checked
            # (the commas too: a bound is enough).
            value_chars += len(joined)
            if not _plain_decimals(joined, len(doubles), self._decimal_shapes):
                invalid_reason = _first_invalid_double(doubles)
        issue: _Attribute | None = None
        if self._attribute_issues:  # rare: look for the first one of this record
            for name in measure_values:
                if attributes[name].issue is not None:
                    issue = attributes[name]
                    break
        # The names' bytes are needed exactly only when the bounds fail.
        names_bytes = len(measure_values) * self._widest_attribute
        if check_shapes and invalid_reason is None and value_chars > MAX_MEASURE_VALUE_CHARS:
            # Names are checked above (`_Attribute`), types by their canonical
            # form, and valid values are non-empty strings: their length
            # remains, to check only when the values are long together.
            for value, _ in measure_values.values():
                if len(value) > MAX_MEASURE_VALUE_CHARS:
                    raise UncheckedShape
        return measure_values, invalid_reason, issue, names_bytes, value_chars


class _Attribute:
    """What the checks need to know about one multi-measure attribute name."""

    __slots__ = ("issue", "name", "nbytes", "several_types", "value_type")

    def __init__(self, name: object) -> None:
        if type(name) is not str or not name:
            raise RecordError(_malformed("measure values"))
        self.name = intern(name)  # one string per attribute name, however many records
        self.nbytes = _nbytes(name)
        #: A limit (§6.4 #14) or a reserved name (§6.4 #17) it breaks, if any.
        self.issue: Issues | None = None
        if self.nbytes > MAX_MEASURE_NAME_BYTES:
            self.issue = (measure_name_too_long_reason(name), None)
        elif _is_reserved(name):
            self.issue = (None, reserved_name_reason(name, "measure"))
        #: The type the request's records give it, and whether they give several.
        self.value_type: str | None = None
        self.several_types = False

    def add_type(self, value_type: str) -> None:
        """Note a type a record gives the attribute."""
        if self.value_type is None:
            self.value_type = value_type
        elif self.value_type != value_type:
            self.several_types = True


#: ``MeasureValues`` of one MULTI record, checked by `_Preparer._parse_multi`: the
#: values, the first value that does not parse (§6.4 #13) if any, the first
#: attribute with a long or reserved name if any, and upper bounds of the UTF-8
#: bytes of the names and of the characters of the values. A plain tuple: one
#: per record, and cheap to make.
_MultiParse = tuple[_MultiValues, "str | None", "_Attribute | None", int, int]


def _multi_record(
    index: int, series: _Series, name: str, multi: _MultiParse, time_ns: int, version: int
) -> PreparedRecord:
    """The `PreparedRecord` of a checked MULTI record, with its §6.4 #14 and #17 issues."""
    measure_values, _, issue, names_bytes, value_chars = multi
    name_bytes = _nbytes(name)
    long_attribute = reserved_attribute = None
    if issue is not None:
        long_attribute, reserved_attribute = issue.issue or (None, None)
    reserved_reason = series.reserved_reason or reserved_attribute
    size_reason: str | None = None
    # UTF-8 takes at most 4 bytes a character: that bound clears most records
    # without counting the bytes of each value.
    if (
        series.dimension_name_reason is not None
        or long_attribute is not None
        or name_bytes > MAX_MEASURE_NAME_BYTES
        or series.nbytes + name_bytes + names_bytes + 4 * value_chars > MAX_RECORD_BYTES
    ):
        names_bytes = sum(map(_nbytes, measure_values))
        values_bytes = 0
        varchar_too_large = False
        for value, value_type in measure_values.values():
            value_bytes = _nbytes(value)
            values_bytes += value_bytes
            if value_type == "VARCHAR" and value_bytes > MAX_VARCHAR_BYTES:
                varchar_too_large = True
        # §6.4 #14, in the reference's order.
        size_reason = series.dimension_name_reason
        if size_reason is None and name_bytes > MAX_MEASURE_NAME_BYTES:
            size_reason = measure_name_too_long_reason(name)
        if size_reason is None:
            size_reason = long_attribute
        if size_reason is None and series.nbytes > MAX_SERIES_DIMENSIONS_BYTES:
            size_reason = SERIES_TOO_LARGE
        if size_reason is None and varchar_too_large:
            size_reason = VARCHAR_TOO_LARGE
        if size_reason is None and values_bytes > MAX_MULTI_VALUES_BYTES:
            size_reason = MULTI_VALUES_TOO_LARGE
        if (
            size_reason is None
            and series.nbytes + name_bytes + names_bytes + values_bytes > MAX_RECORD_BYTES
        ):
            size_reason = RECORD_TOO_LARGE
    issues = None
    if size_reason is not None or reserved_reason is not None:
        issues = (size_reason, reserved_reason)
    return PreparedRecord(
        index, series.key, name, _MULTI, None, measure_values, time_ns, version, issues
    )


def _size_reason(series: _Series, name: str, value_type: str, value: str) -> str | None:
    """The first size limit (§6.4 #14, in the reference's order) a single measure exceeds."""
    name_bytes = _nbytes(name)
    value_bytes = _nbytes(value)
    if series.dimension_name_reason is not None:
        return series.dimension_name_reason
    if name_bytes > MAX_MEASURE_NAME_BYTES:
        return measure_name_too_long_reason(name)
    if series.nbytes > MAX_SERIES_DIMENSIONS_BYTES:
        return SERIES_TOO_LARGE
    if value_type == "VARCHAR" and value_bytes > MAX_VARCHAR_BYTES:
        return VARCHAR_TOO_LARGE
    if series.nbytes + name_bytes + value_bytes > MAX_RECORD_BYTES:
        return RECORD_TOO_LARGE
    return None


def prepare_record(merged: dict[str, Any], index: int) -> PreparedRecord:
    """Checks §6.4 #3–#13 on one merged record; raises `RecordError` with the reason.

    ``merged`` is a record as on the wire (``Dimensions``, ``MeasureName``,
    ``MeasureValue``, ``MeasureValueType``, ``MeasureValues``, ``Time``,
    ``TimeUnit``, ``Version``), e.g. from `merge_common`. Anything malformed
    raises `RecordError`, never another exception.
    """
    return _Preparer().prepare([merged], index)[0]


def prepare_records(
    records: list[dict[str, Any]],
    common: dict[str, Any] | None,
    *,
    check_shapes: bool = False,
) -> list[PreparedRecord]:
    """Merge and check every record of a WriteRecords request (§6.2, §6.4 #3–#13).

    The first failing record refuses the whole request: `ValidationException`
    with that record's reason, and nothing is stored.

    With ``check_shapes``, the members of each record but its ``Dimensions``
    are also held to the model's shapes (exact types, lengths, enums), for a
    caller whose shape check left them out: `UncheckedShape` if they break them.
    Then any error (the first failing record's included) may stem from a shape
    the caller has not checked, and its shape check must come first.
    """
    try:
        return _Preparer(common, check_shapes).prepare(records)
    except RecordError as error:
        raise ValidationException(error.reason) from None


# --- window (§7.2, §7.3) ---------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def format_window_time(time_ns: int) -> str:
    """A window bound as the service prints it: ISO-8601 UTC, milliseconds, ``Z``."""
    moment = _EPOCH + timedelta(milliseconds=time_ns // _NS_PER_MS)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass(frozen=True, slots=True)
class IngestionWindow:
    """The times a table accepts now (§7.2), and which store each goes to (§7.3).

    Bounds are nanoseconds, ``[lower, upper)``. ``memory_lower_ns`` starts the
    memory store part; with magnetic store writes, ``lower_ns`` reaches back over
    the magnetic retention too, otherwise it equals ``memory_lower_ns``.
    """

    lower_ns: int
    memory_lower_ns: int
    upper_ns: int
    magnetic_writes: bool

    def store_for(self, time_ns: int) -> str | None:
        """``"memory"``, ``"magnetic"``, or None when ``time_ns`` is outside the window."""
        if self.memory_lower_ns <= time_ns < self.upper_ns:
            return _MEMORY
        if self.lower_ns <= time_ns < self.upper_ns:
            return _MAGNETIC
        return None

    @property
    def reason(self) -> str:
        """The RejectedRecords reason for a time outside the window [REAL text, §7.2]."""
        where = "data ingestion window" if self.magnetic_writes else "memory store"
        return (
            "The record timestamp is outside the time range "
            f"[{format_window_time(self.lower_ns)}, {format_window_time(self.upper_ns)}) "
            f"of the {where}."
        )


def ingestion_window(table: Table, now_ns: int) -> IngestionWindow:
    """The window of ``table`` at ``now_ns`` (§7.2, §7.3).

    Open question §13 #8: the real window is 40 minutes wider than the retention,
    split unknown; as recommended we accept ``[now − R, now + 15 min)`` and print
    exactly these bounds. Open question §13 #9 (project decision): after a memory
    retention increase the memory part starts no earlier than
    ``table.memory_window_floor_ns`` (the store is not back-filled; UpdateTable
    sets the floor); a decrease applies at once.
    """
    # The service prints milliseconds; bounds on whole milliseconds keep the
    # check and the printed range in agreement. "now" is rounded up, so a
    # millisecond timestamp is accepted exactly when now − R ≤ t < now + 15 min.
    now_ns = -(-now_ns // _NS_PER_MS) * _NS_PER_MS
    memory_lower = now_ns - table.memory_retention_hours * _NS_PER_HOUR
    floor = table.memory_window_floor_ns
    if floor is not None:
        memory_lower = max(memory_lower, -(-floor // _NS_PER_MS) * _NS_PER_MS)
    lower = memory_lower
    magnetic = table.magnetic_writes_enabled
    if magnetic:
        lower = (
            now_ns
            - table.memory_retention_hours * _NS_PER_HOUR
            - table.magnetic_retention_days * _NS_PER_DAY
        )
    return IngestionWindow(lower, memory_lower, now_ns + FUTURE_INGESTION_NS, magnetic)


def report_reason(reason: str) -> str:
    """A RejectedRecords reason as a batch load error report states it (§10.8).

    Reports give the window text without the time range [DOC]; other reasons
    are the same.
    """
    if reason.startswith("The record timestamp is outside the time range ["):
        return WINDOW_REPORT_REASON
    return reason


# --- ingest (§6.4 #14-#20, §8) ---------------------------------------------------------


def required_partition_key(schema: object) -> str | None:
    """The dimension a record must carry (§9: DIMENSION key, EnforcementInRecord REQUIRED).

    Open question §13 #18: an omitted ``EnforcementInRecord`` means OPTIONAL.
    """
    keys = schema.get("CompositePartitionKey") if isinstance(schema, dict) else None
    for key in keys if isinstance(keys, list) else ():
        if (
            isinstance(key, dict)
            and key.get("Type") == "DIMENSION"
            and key.get("EnforcementInRecord") == "REQUIRED"
            and isinstance(key.get("Name"), str)
        ):
            return str(key["Name"])
    return None


#: Marks a bucket not looked up yet (None means "looked up, does not exist").
_UNKNOWN: Any = object()
#: What no record's ``attribute_types`` is.
_NONE_YET = object()


class _SeriesState:
    """A series during one `ingest` call."""

    __slots__ = ("buckets", "dimensions", "known", "names")

    def __init__(self, key: SeriesKey) -> None:
        self.names = frozenset(name for name, _ in key)
        #: Whether the table has accepted all these dimension names (stays true).
        self.known = False
        #: The index's shared mapping, once a record of the series is stored.
        self.dimensions: Mapping[str, str] | None = None
        #: The index's bucket of each measure name looked up so far.
        self.buckets: dict[str, dict[int, Record] | None] = {}


@dataclass(slots=True)
class _NewNames:
    """Names a record brings to its table, recorded once the record is accepted."""

    dimensions: list[str]
    measures: list[tuple[str, str]]
    attributes: list[str]

    def record_in(self, table: Table) -> None:
        table.dimension_names.update(self.dimensions)
        table.measure_types.update(self.measures)
        table.multi_attribute_names.update(self.attributes)


def _check_new_names(
    table: Table, record: PreparedRecord, dimension_names: frozenset[str]
) -> tuple[str | None, _NewNames | None]:
    """Checks #15–#17 for a record with names or types its table has not accepted.

    Names the table has accepted passed these checks when first written, so a
    record with none new needs no check. Gives (reason, None) for a refused
    record, else (None, the names to record once it is accepted).
    """
    measure_types = table.measure_types
    table_dimensions = table.dimension_names
    attributes = table.multi_attribute_names
    # Every measure name of the record with its type: its own and, for MULTI,
    # each attribute's (§6.6: attributes are type-locked like measures).
    typed = [(record.measure_name, record.measure_value_type)]
    if record.measure_values is not None:
        typed.extend((name, vt) for name, (_, vt) in record.measure_values.items())
    new_dimensions = sorted(dimension_names - table_dimensions)
    new_measures = list(dict.fromkeys(name for name, _ in typed if name not in measure_types))
    new_attributes = [name for name in record.measure_values or () if name not in attributes]
    # §6.4 #15: table-level limits; the reason names the first name over the limit.
    room = MAX_DIMENSIONS_PER_TABLE - len(table_dimensions)
    if len(new_dimensions) > room:
        return too_many_dimensions_reason(new_dimensions[room]), None
    room = MAX_MEASURES_PER_TABLE - len(measure_types)
    if len(new_measures) > room:
        return too_many_measures_reason(new_measures[room]), None
    room = MAX_MULTI_ATTRIBUTES_PER_TABLE - len(attributes)
    if len(new_attributes) > room:
        return too_many_multi_attributes_reason(new_attributes[room]), None
    # §6.4 #16: type locking, against the table and within the record.
    types: dict[str, str] = {}
    for name, value_type in typed:
        old = measure_types.get(name) or types.get(name)
        if old is not None and old != value_type:
            return type_conflict_reason(name, old, value_type), None
        types[name] = value_type
    # §6.4 #17: reserved names, then one namespace for dimension and measure names.
    if record.reserved_reason is not None:
        return record.reserved_reason, None
    for name in new_dimensions:
        if name in measure_types or name in types:
            return dimension_is_measure_reason(name), None
    for name in new_measures:
        if name in table_dimensions or name in dimension_names:
            return measure_is_dimension_reason(name), None
    new_names = [(name, types[name]) for name in new_measures]
    return None, _NewNames(new_dimensions, new_names, new_attributes)


def _knows_attribute_types(table: Table, attribute_types: Iterable[tuple[str, str]]) -> bool:
    """Whether the table has every one of these (multi-measure attribute, type) pairs."""
    measure_types = table.measure_types
    attributes = table.multi_attribute_names
    for name, value_type in attribute_types:
        if name not in attributes or measure_types.get(name) != value_type:
            return False
    return True


def _same_value(existing: Record, record: PreparedRecord) -> bool:
    """Whether a stored record holds the incoming value (§8.2), compared parsed."""
    value_type = record.measure_value_type
    if existing.measure_value_type != value_type:
        return False
    if record.measure_values is None:
        stored, value = existing.measure_value, record.measure_value
        if stored == value:
            return True
        return (
            stored is not None
            and value is not None
            and _parse(stored, value_type, 1) == _parse(value, value_type, 1)
        )
    return _comparable(existing.measure_values) == _comparable(record.measure_values)


def ingest(table: Table, prepared: list[PreparedRecord], now_ns: int) -> IngestResult:
    """Checks §6.4 #14–#20 record by record and stores the accepted ones at once.

    Records are applied in order, so a later record sees the earlier ones of the
    same request (§8.4, open question §13 #13). Every refused record is listed in
    ``rejected``, in request order (§13 #30), and changes nothing. Version
    conflicts with magnetic-store records are reported here too, where AWS
    reports them later to S3: a deliberate deviation (§7.4, §13 #25). The caller
    holds the backend lock.
    """
    result = IngestResult()
    rejected = result.rejected
    window = ingestion_window(table, now_ns)
    window_reason: str | None = None
    required_key = required_partition_key(table.schema)
    index = table.index
    measure_types = table.measure_types
    table_dimensions = table.dimension_names
    # Records of one request and series share their key object (`_Preparer`).
    series_states: dict[int, _SeriesState] = {}
    # Attribute types of a request (`PreparedRecord.attribute_types`) the table
    # knows: then so does each record of it (a table never forgets a name or
    # changes its type), without a look of its own. Never None, which records
    # without such types carry.
    known_types: object = _NONE_YET
    memory = magnetic = 0
    stored_any = False
    key: SeriesKey | None = None
    series: _SeriesState | None = None
    for record in prepared:
        if record.series_key is not key or series is None:
            key = record.series_key
            series = series_states.get(id(key))
            if series is None:
                series = series_states[id(key)] = _SeriesState(key)
        if not series.known:
            series.known = table_dimensions.issuperset(series.names)
        issues = record.issues
        reason = None if issues is None else issues[0]  # §6.4 #14
        new_names: _NewNames | None = None
        if reason is None and (
            not series.known
            or measure_types.get(record.measure_name) != record.measure_value_type
            or (
                record.measure_values is not None
                and record.attribute_types is not known_types
                and not _knows_attribute_types(
                    table, ((name, vt) for name, (_, vt) in record.measure_values.items())
                )
            )
        ):
            reason, new_names = _check_new_names(table, record, series.names)  # #15-#17
        if reason is None and required_key is not None and required_key not in series.names:
            reason = missing_partition_key_reason(required_key)  # §6.4 #18, §9
        time_ns = record.time_ns
        store = _MEMORY
        if reason is None:  # §6.4 #19
            placed = window.store_for(time_ns)
            if placed is not None:
                store = placed
            else:
                if window_reason is None:
                    window_reason = window.reason
                reason = window_reason
        existing_version: int | None = None
        bucket = existing = None
        if reason is None:  # §6.4 #20, §8.2
            name = record.measure_name
            bucket = series.buckets.get(name, _UNKNOWN)
            if bucket is _UNKNOWN:
                bucket = series.buckets[name] = index.bucket(key, name)
            existing = None if bucket is None else bucket.get(time_ns)
            if existing is not None and record.version <= existing.version:
                if _same_value(existing, record):
                    # Open question §13 #12: the same value with the same or a lower
                    # version is an accepted no-op, counted in the store where the
                    # stored record lives (§6.9).
                    if existing.store == _MAGNETIC:
                        magnetic += 1
                    else:
                        memory += 1
                    continue
                if record.version == existing.version:
                    reason = SAME_VERSION
                else:
                    existing_version = existing.version
                    reason = lower_version_reason(record.version, existing_version)
        if reason is not None:
            entry: dict[str, Any] = {"RecordIndex": record.index, "Reason": reason}
            if existing_version is not None:
                entry["ExistingVersion"] = existing_version
            rejected.append(entry)
            continue

        if new_names is not None:
            new_names.record_in(table)
            series.known = True
        if (
            record.attribute_types is not known_types
            and record.attribute_types is not None
            and _knows_attribute_types(table, record.attribute_types.items())
        ):
            # Checked after each stored record until the table knows them all.
            known_types = record.attribute_types
        dimensions = series.dimensions
        if dimensions is None:
            dimensions = series.dimensions = index.series_dimensions(key)
        stored = Record(
            dimensions,
            record.measure_name,
            record.measure_value_type,
            record.measure_value,
            NO_MEASURE_VALUES if record.measure_values is None else record.measure_values,
            time_ns,
            record.version,
            store,
        )
        if bucket is None:
            name = record.measure_name
            bucket = series.buckets[name] = index.new_bucket(key, name)
            index.insert(bucket, stored)
        elif existing is None:
            index.insert(bucket, stored)
        else:
            index.replace(bucket, stored)
        stored_any = True
        if store is _MEMORY:
            memory += 1
        else:
            magnetic += 1
    if stored_any:
        table.generation += 1
    result.memory_store = memory
    result.magnetic_store = magnetic
    return result
