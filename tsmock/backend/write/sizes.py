"""Sizes and names of a record: the per-record limits it breaks, measured once.

The byte limits and reserved names are rejected record by record
(docs/operations/write-records.md, "Per-record checks"); a request's dimension
sets and attribute names are measured once each, however many records share them.
"""

from __future__ import annotations

from sys import intern

from tsmock.backend.models import SeriesKey
from tsmock.backend.write.limits import (
    MAX_DIMENSION_NAME_BYTES,
    MAX_MEASURE_NAME_BYTES,
    MAX_MULTI_VALUES_BYTES,
    MAX_RECORD_BYTES,
    MAX_SERIES_DIMENSIONS_BYTES,
    MAX_VARCHAR_BYTES,
    MULTI,
    MULTI_VALUES_TOO_LARGE,
    RECORD_TOO_LARGE,
    SERIES_TOO_LARGE,
    VARCHAR_TOO_LARGE,
    RecordError,
    dimension_name_too_long_reason,
    is_reserved,
    malformed,
    measure_name_too_long_reason,
    nbytes,
    reserved_name_reason,
)
from tsmock.backend.write.prepared import Issues, PreparedRecord
from tsmock.backend.write.values import MultiValues


class Series:
    """What the checks need to know about one dimension set, computed once per request."""

    __slots__ = ("dimension_name_reason", "issues", "key", "nbytes", "reserved_reason")

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.key: SeriesKey = tuple(sorted(pairs))
        self.nbytes = 0
        self.dimension_name_reason: str | None = None
        self.reserved_reason: str | None = None
        for name, value in pairs:
            name_bytes = nbytes(name)
            self.nbytes += name_bytes + nbytes(value)
            if name_bytes > MAX_DIMENSION_NAME_BYTES and self.dimension_name_reason is None:
                self.dimension_name_reason = dimension_name_too_long_reason(name)
            # The colon rule comes from the AWS IoT rule action docs
            # (docs/operations/write-records.md).
            if self.reserved_reason is None and (is_reserved(name) or ":" in name):
                self.reserved_reason = reserved_name_reason(name, "dimension")
        self.issues: Issues | None = None
        if self.dimension_name_reason is not None or self.reserved_reason is not None:
            self.issues = (self.dimension_name_reason, self.reserved_reason)


class Attribute:
    """What the checks need to know about one multi-measure attribute name."""

    __slots__ = ("issue", "name", "nbytes", "several_types", "value_type")

    def __init__(self, name: object) -> None:
        if type(name) is not str or not name:
            raise RecordError(malformed("measure values"))
        self.name = intern(name)  # one string per attribute name, however many records
        self.nbytes = nbytes(name)
        #: A limit (docs/operations/write-records.md) or a reserved name
        #: (docs/operations/write-records.md) it breaks, if any.
        self.issue: Issues | None = None
        if self.nbytes > MAX_MEASURE_NAME_BYTES:
            self.issue = (measure_name_too_long_reason(name), None)
        elif is_reserved(name):
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


#: ``MeasureValues`` of one MULTI record, checked by `Preparer._parse_multi`: the
#: values, the first value that does not parse (docs/operations/write-records.md) if any, the first
#: attribute with a long or reserved name if any, and upper bounds of the UTF-8
#: bytes of the names and of the characters of the values. A plain tuple: one
#: per record, and cheap to make.
MultiParse = tuple[MultiValues, "str | None", "Attribute | None", int, int]


def multi_record(
    index: int, series: Series, name: str, multi: MultiParse, time_ns: int, version: int
) -> PreparedRecord:
    """The `PreparedRecord` of a checked MULTI record, with its size and name issues."""
    measure_values, _, issue, names_bytes, value_chars = multi
    name_bytes = nbytes(name)
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
        names_bytes = sum(map(nbytes, measure_values))
        values_bytes = 0
        varchar_too_large = False
        for value, value_type in measure_values.values():
            value_bytes = nbytes(value)
            values_bytes += value_bytes
            if value_type == "VARCHAR" and value_bytes > MAX_VARCHAR_BYTES:
                varchar_too_large = True
        size_reason = _first_size_reason(
            series,
            name,
            name_bytes,
            long_attribute,
            varchar_too_large,
            values_bytes > MAX_MULTI_VALUES_BYTES,
            series.nbytes + name_bytes + names_bytes + values_bytes,
        )
    issues = None
    if size_reason is not None or reserved_reason is not None:
        issues = (size_reason, reserved_reason)
    return PreparedRecord(
        index, series.key, name, MULTI, None, measure_values, time_ns, version, issues
    )


def single_size_reason(series: Series, name: str, value_type: str, value: str) -> str | None:
    """The first size limit (in the documented order) a single measure exceeds."""
    name_bytes = nbytes(name)
    value_bytes = nbytes(value)
    return _first_size_reason(
        series,
        name,
        name_bytes,
        None,
        value_type == "VARCHAR" and value_bytes > MAX_VARCHAR_BYTES,
        False,
        series.nbytes + name_bytes + value_bytes,
    )


def _first_size_reason(
    series: Series,
    name: str,
    name_bytes: int,
    long_attribute: str | None,
    varchar_too_large: bool,
    multi_values_too_large: bool,
    record_bytes: int,
) -> str | None:
    """The first per-record size limit a record breaks, in the documented order
    (docs/operations/write-records.md, check 14); the same for both kinds of record."""
    if series.dimension_name_reason is not None:
        return series.dimension_name_reason
    if name_bytes > MAX_MEASURE_NAME_BYTES:
        return measure_name_too_long_reason(name)
    if long_attribute is not None:
        return long_attribute
    if series.nbytes > MAX_SERIES_DIMENSIONS_BYTES:
        return SERIES_TOO_LARGE
    if varchar_too_large:
        return VARCHAR_TOO_LARGE
    if multi_values_too_large:
        return MULTI_VALUES_TOO_LARGE
    if record_bytes > MAX_RECORD_BYTES:
        return RECORD_TOO_LARGE
    return None
