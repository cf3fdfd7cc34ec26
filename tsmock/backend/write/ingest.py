"""Ingestion: the per-record checks against the table, upserts, and storage.

Records are checked one by one, in request order, against what the table holds
(docs/operations/write-records.md, "Per-record checks", "Versions and upserts",
"Customer-defined partition keys"); each accepted record is stored at once, so a
later record of the same request sees the earlier ones. Refused records become
``RejectedRecords``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tsmock.backend.models import NO_MEASURE_VALUES, Record, SeriesKey, Table
from tsmock.backend.write.limits import (
    MAGNETIC,
    MAX_DIMENSIONS_PER_TABLE,
    MAX_MEASURES_PER_TABLE,
    MAX_MULTI_ATTRIBUTES_PER_TABLE,
    MEMORY,
    SAME_VERSION,
    dimension_is_measure_reason,
    lower_version_reason,
    measure_is_dimension_reason,
    missing_partition_key_reason,
    too_many_dimensions_reason,
    too_many_measures_reason,
    too_many_multi_attributes_reason,
    type_conflict_reason,
)
from tsmock.backend.write.prepared import PreparedRecord
from tsmock.backend.write.values import comparable, parse_value
from tsmock.backend.write.window import ingestion_window


@dataclass(slots=True)
class IngestResult:
    """What `ingest` did: ``RecordsIngested`` counts and ``RejectedRecords``."""

    memory_store: int = 0
    magnetic_store: int = 0
    #: ``{"RecordIndex", "Reason", "ExistingVersion"?}`` entries, in request order.
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """``RecordsIngested.Total``: every accepted record (docs/operations/write-records.md)."""
        return self.memory_store + self.magnetic_store


def required_partition_key(schema: object) -> str | None:
    """The dimension a record must carry (a DIMENSION key, EnforcementInRecord REQUIRED).

    Open question: an omitted ``EnforcementInRecord`` means OPTIONAL.
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
    attributes: list[tuple[str, str]]

    def record_in(self, table: Table) -> None:
        table.dimension_names.update(self.dimensions)
        table.measure_types.update(self.measures)
        table.attribute_types.update(self.attributes)


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
    attribute_types = table.attribute_types
    name = record.measure_name
    value_type = record.measure_value_type
    # The record's attributes with their types (MULTI only). Measure names and
    # attribute names are separate namespaces, each type-locked on its own
    # (docs/operations/write-records.md): a MULTI record named "measure1" may
    # carry an attribute "measure1".
    typed_attributes = [
        (attribute, vt) for attribute, (_, vt) in (record.measure_values or {}).items()
    ]
    new_dimensions = sorted(dimension_names - table_dimensions)
    new_measures = [] if name in measure_types else [name]
    new_attributes = [pair for pair in typed_attributes if pair[0] not in attribute_types]
    # docs/operations/write-records.md: table-level limits; the reason names the first name over the
    # limit.
    room = MAX_DIMENSIONS_PER_TABLE - len(table_dimensions)
    if len(new_dimensions) > room:
        return too_many_dimensions_reason(new_dimensions[room]), None
    room = MAX_MEASURES_PER_TABLE - len(measure_types)
    if len(new_measures) > room:
        return too_many_measures_reason(new_measures[room]), None
    room = MAX_MULTI_ATTRIBUTES_PER_TABLE - len(attribute_types)
    if len(new_attributes) > room:
        return too_many_multi_attributes_reason(new_attributes[room][0]), None
    # docs/operations/write-records.md: type locking, each namespace against its own.
    old = measure_types.get(name)
    if old is not None and old != value_type:
        return type_conflict_reason(name, old, value_type), None
    for attribute, attribute_type in typed_attributes:
        old = attribute_types.get(attribute)
        if old is not None and old != attribute_type:
            return type_conflict_reason(attribute, old, attribute_type), None
    # docs/operations/write-records.md: reserved names, then dimension names may
    # not be measure or attribute names.
    if record.reserved_reason is not None:
        return record.reserved_reason, None
    attribute_names = {attribute for attribute, _ in typed_attributes}
    for dimension in new_dimensions:
        if (
            dimension in measure_types
            or dimension in attribute_types
            or dimension == name
            or dimension in attribute_names
        ):
            return dimension_is_measure_reason(dimension), None
    for measure in [*new_measures, *(attribute for attribute, _ in new_attributes)]:
        if measure in table_dimensions or measure in dimension_names:
            return measure_is_dimension_reason(measure), None
    return None, _NewNames(
        new_dimensions, [(measure, value_type) for measure in new_measures], new_attributes
    )


def _knows_attribute_types(table: Table, attribute_types: Iterable[tuple[str, str]]) -> bool:
    """Whether the table has every one of these (multi-measure attribute, type) pairs."""
    known = table.attribute_types
    return all(known.get(name) == value_type for name, value_type in attribute_types)


def _same_value(existing: Record, record: PreparedRecord) -> bool:
    """Whether a stored record holds the incoming value, compared parsed.

    See docs/operations/write-records.md.
    """
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
            and parse_value(stored, value_type, 1) == parse_value(value, value_type, 1)
        )
    return comparable(existing.measure_values) == comparable(record.measure_values)


def ingest(table: Table, prepared: list[PreparedRecord], now_ns: int) -> IngestResult:
    """The per-record checks, record by record; stores the accepted ones at once.

    Records are applied in order, so a later record sees the earlier ones of the
    same request (docs/operations/write-records.md, open question). Every refused
    record is listed in ``rejected``, in request order (an open question), and
    changes nothing. Version conflicts with magnetic-store records are reported
    here too, where AWS reports them later to S3: a deliberate deviation
    (docs/operations/write-records.md, an open question). The caller holds the
    backend lock.
    """
    result = IngestResult()
    rejected = result.rejected
    window = ingestion_window(table, now_ns)
    window_reason: str | None = None
    required_key = required_partition_key(table.schema)
    index = table.index
    measure_types = table.measure_types
    table_dimensions = table.dimension_names
    # Records of one request and series share their key object (`Preparer`).
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
        reason = None if issues is None else issues[0]  # docs/operations/write-records.md
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
            reason = missing_partition_key_reason(required_key)  # docs/operations/write-records.md
        time_ns = record.time_ns
        store = MEMORY
        if reason is None:  # docs/operations/write-records.md
            placed = window.store_for(time_ns)
            if placed is not None:
                store = placed
            else:
                if window_reason is None:
                    window_reason = window.reason
                reason = window_reason
        existing_version: int | None = None
        bucket = existing = None
        if reason is None:  # docs/operations/write-records.md
            name = record.measure_name
            bucket = series.buckets.get(name, _UNKNOWN)
            if bucket is _UNKNOWN:
                bucket = series.buckets[name] = index.bucket(key, name)
            existing = None if bucket is None else bucket.get(time_ns)
            if existing is not None and record.version <= existing.version:
                if _same_value(existing, record):
                    # Open question: the same value with the same or a lower
                    # version is an accepted no-op, counted in the store where the
                    # stored record lives (docs/operations/write-records.md).
                    if existing.store == MAGNETIC:
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
        if store is MEMORY:
            memory += 1
        else:
            magnetic += 1
    if stored_any:
        table.generation += 1
    result.memory_store = memory
    result.magnetic_store = magnetic
    return result
