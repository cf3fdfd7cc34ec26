"""The write path's limits, fixed values and the reason text of every rule.

Texts marked [REAL] are the service's own; the others follow the recommendations
of the behavior notes or, where they give none, are ours. Which check refuses
the whole request (a ValidationException) and which only rejects a record is
described in docs/operations/write-records.md ("Whole-request checks",
"Per-record checks").
"""

from __future__ import annotations

from collections.abc import Mapping

# --- limits (docs/operations/write-records.md, docs/operations/index.md)
# ----------------------------------------------------------

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
#: Records may be at most this far in the future (docs/operations/write-records.md, Quotas "Future
#: ingestion period").
FUTURE_INGESTION_NS = 15 * 60 * 1_000_000_000
#: Largest TIMESTAMP measure value: 2262-04-11 23:47:16.854775807 UTC
#: (docs/operations/write-records.md).
MAX_TIMESTAMP_NS = 2**63 - 1
BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1

NS_PER_HOUR = 3600 * 1_000_000_000
NS_PER_DAY = 24 * NS_PER_HOUR
NS_PER_MS = 1_000_000
#: Nanoseconds per unit of ``TimeUnit`` (docs/operations/write-records.md).
TIME_UNIT_NS: Mapping[str, int] = {
    "MILLISECONDS": 1_000_000,
    "SECONDS": 1_000_000_000,
    "MICROSECONDS": 1_000,
    "NANOSECONDS": 1,
}

MULTI = "MULTI"
DOUBLE = "DOUBLE"
# Each type name maps to one shared string: records keep it, not the request's
# copy (a fresh string per record costs ~55 bytes, docs/operations/index.md memory target).
SCALAR_TYPES: Mapping[str, str] = {t: t for t in (DOUBLE, "BIGINT", "VARCHAR", "BOOLEAN")}
ATTRIBUTE_TYPES: Mapping[str, str] = {**SCALAR_TYPES, "TIMESTAMP": "TIMESTAMP"}
MEMORY = "memory"
MAGNETIC = "magnetic"

# Column names the service reserves (docs/operations/write-records.md, Developer Guide "Naming
# constraints").
_RESERVED_NAMES = frozenset({"measure_name", "measure_value", "time", "ts_non_existent_col"})
_RESERVED_PREFIXES = ("ts_", "measure_value", "measure_name")

# --- reason texts ----------------------------------------------------------------------
# Texts marked [REAL] are the service's own; the others are the recommended texts
# of open questions or, where none is recommended, ours.

# ValidationException texts (docs/operations/write-records.md).
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

# RejectedRecords reasons (docs/operations/write-records.md).
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
SAME_VERSION = (  # Reason A, [REAL] docs/operations/write-records.md
    "A record already exists with the same time, dimensions, measure name, and record "
    "version. A higher record version must be specified in order to update the measure "
    "value. Specifying record version is supported by the latest SDKs."
)
#: The window reason of batch load reports, which carries no time range
#: (docs/operations/write-records.md, docs/operations/create-batch-load-task.md).
WINDOW_REPORT_REASON = (
    "The record timestamp is outside the time range of the data ingestion window."
)


def duplicate_dimension_reason(name: str) -> str:
    """A dimension name repeats, or is both in CommonAttributes and the record."""
    return f"Dimension names must be unique within a record. Duplicate dimension name: {name}."


def empty_dimension_value_reason(name: str) -> str:
    """An empty dimension value refuses the request (an open question)."""
    return f"Dimension value cannot be empty for dimension {name}."


def invalid_type_reason(value_type: object) -> str:
    """The service's text for TIMESTAMP on a single-measure record [REAL]."""
    return f"{value_type} is an invalid measure value type."


def invalid_attribute_type_reason(value_type: object) -> str:
    """docs/operations/write-records.md: a ``MeasureValues`` item of type MULTI."""
    return f"{value_type} is an invalid measure value type for a measure in MeasureValues."


def duplicate_measure_reason(name: str) -> str:
    """docs/operations/write-records.md: two ``MeasureValues`` items with one name."""
    return (
        "Measure names must be unique within a multi-measure record. "
        f"Duplicate measure name: {name}."
    )


def invalid_value_reason(value: object, value_type: object) -> str:
    """docs/operations/write-records.md: a value that does not parse as its type.

    See docs/operations/write-records.md.
    """
    return f"Invalid measure value {value} for measure value type {value_type}."


def malformed(what: str) -> str:
    # Only reachable without the protocol's shape check (batch load, direct use).
    return f"Invalid {what} for record."


def dimension_name_too_long_reason(name: str) -> str:
    """docs/operations/write-records.md: dimension names are limited in UTF-8 bytes (Quotas)."""
    return (
        f"The dimension name {name} exceeds the maximum size of {MAX_DIMENSION_NAME_BYTES} bytes."
    )


def measure_name_too_long_reason(name: str) -> str:
    """docs/operations/write-records.md: measure names are limited in UTF-8 bytes (Quotas)."""
    return f"The measure name {name} exceeds the maximum size of {MAX_MEASURE_NAME_BYTES} bytes."


def too_many_dimensions_reason(name: str) -> str:
    """docs/operations/write-records.md: the 129th distinct dimension name of a table."""
    return (
        f"Adding the dimension {name} would exceed the maximum of "
        f"{MAX_DIMENSIONS_PER_TABLE} dimensions per table."
    )


def too_many_measures_reason(name: str) -> str:
    """docs/operations/write-records.md: the 8193rd distinct measure name of a table."""
    return (
        f"Adding the measure {name} would exceed the maximum of "
        f"{MAX_MEASURES_PER_TABLE} measure names per table."
    )


def too_many_multi_attributes_reason(name: str) -> str:
    """docs/operations/write-records.md: the 1025th distinct multi-measure attribute of a table."""
    return (
        f"Adding the measure {name} would exceed the maximum of "
        f"{MAX_MULTI_ATTRIBUTES_PER_TABLE} distinct measures in multi-measure records "
        "per table."
    )


def type_conflict_reason(name: str, old: str, new: str) -> str:
    """docs/operations/write-records.md: a measure keeps the type it was first written with."""
    return f"The measure {name} has type {old} in the table; it cannot be written as {new}."


def dimension_is_measure_reason(name: str) -> str:
    """A dimension may not take a measure's name (one column namespace)."""
    return f"The dimension name {name} is already used as a measure name."


def measure_is_dimension_reason(name: str) -> str:
    """A measure may not take a dimension's name (one column namespace)."""
    return f"The measure name {name} is already used as a dimension name."


def reserved_name_reason(name: str, kind: str) -> str:
    """docs/operations/write-records.md: reserved column names.

    See docs/operations/write-records.md.
    """
    return f"{name} is a reserved name and cannot be used as a {kind} name."


def missing_partition_key_reason(name: str) -> str:
    """A REQUIRED dimension partition key is missing."""
    return f"The record is missing the required partition key dimension {name}."


def lower_version_reason(version: int, existing_version: int) -> str:
    """docs/operations/write-records.md Reason B [REAL], sent with ``ExistingVersion``."""
    return (
        f"The record version {version} is lower than the existing version "
        f"{existing_version}. A higher version is required to update the measure value."
    )


class RecordError(Exception):
    """A problem with one record; ``reason`` is the service's text for it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nbytes(text: str) -> int:
    if text.isascii():
        return len(text)
    # JSON may carry lone surrogates; count them in their 3-byte form.
    return len(text.encode("utf-8", "surrogatepass"))


def is_reserved(name: str) -> bool:
    """Whether a dimension or measure name is reserved by the service."""
    return name in _RESERVED_NAMES or name.startswith(_RESERVED_PREFIXES)
