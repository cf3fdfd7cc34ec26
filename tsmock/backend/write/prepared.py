"""A record after merge and the whole-request checks, on its way to `ingest`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tsmock.backend.models import SeriesKey

#: (size limit reason docs/operations/write-records.md, reserved name reason
#: docs/operations/write-records.md) of a record.
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
        """A reserved dimension or attribute name (docs/operations/write-records.md), if any."""
        return None if self.issues is None else self.issues[1]

    @property
    def dimensions(self) -> dict[str, str]:
        """The record's dimensions as a dict."""
        return dict(self.series_key)
