"""The resources of the service as dataclasses: what is stored, nothing more."""

from __future__ import annotations

from collections.abc import Iterator, KeysView, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

NANOS_PER_SECOND = 1_000_000_000
#: The Unix epoch, in UTC.
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Shared by every single-measure record, which has no ``measure_values``.
NO_MEASURE_VALUES: Mapping[str, tuple[str, str]] = MappingProxyType({})


def epoch_seconds(moment: datetime) -> float:
    """A timestamp as the service sends it: epoch seconds, millisecond precision."""
    return round(moment.timestamp(), 3)


def ns_from_datetime(moment: datetime) -> int:
    """An aware datetime as nanoseconds since the epoch (exact: no float in between)."""
    return (moment - EPOCH) // timedelta(microseconds=1) * 1000


def utc_now_ns() -> int:
    """Now, in nanoseconds since the epoch, read from ``datetime.now`` so that
    freezegun's frozen instant is seen exactly (its ``time_ns`` goes through a float)."""
    return ns_from_datetime(datetime.now(timezone.utc))


def datetime_from_ns(time_ns: int) -> datetime:
    """Nanoseconds since the epoch as an aware UTC datetime (microsecond precision)."""
    return EPOCH + timedelta(microseconds=time_ns // 1000)


@dataclass(slots=True, eq=True)
class Record:
    """One stored record, as the service would hold it after a write.

    ``dimensions`` is shared by every record of one series: treat it as read-only.
    """

    dimensions: Mapping[str, str]
    measure_name: str
    measure_value_type: str
    #: The value as written (a string), or None for MULTI records.
    measure_value: str | None
    #: For MULTI records: attribute name -> (value, type); else empty.
    measure_values: Mapping[str, tuple[str, str]]
    #: Nanoseconds since the Unix epoch.
    time_ns: int
    version: int
    #: ``"memory"`` or ``"magnetic"``.
    store: str

    @property
    def time(self) -> datetime:
        """The record time as a timezone-aware UTC datetime."""
        return datetime_from_ns(self.time_ns)


#: A series key: the sorted (name, value) pairs of its dimensions.
SeriesKey = tuple[tuple[str, str], ...]


class RecordIndex:
    """The records of one table, by identity and in write order.

    Identity is (dimension set, measure name, time); records of one series share
    one dimensions mapping, and lookups are O(1) whatever the table size.
    """

    __slots__ = ("_by_identity", "_insertions", "_series_dimensions")

    def __init__(self) -> None:
        # series -> measure name -> time_ns -> record. A dict keeps its keys in
        # insertion order and a replaced value keeps its place, so each of these
        # innermost "buckets" lists its records in write order.
        self._by_identity: dict[SeriesKey, dict[str, dict[int, Record]]] = {}
        # The bucket of every insertion, in write order: the k-th time a bucket
        # appears here is its k-th key. This gives the table-wide write order at
        # 8 bytes per record (no position integers, no per-record tuples).
        self._insertions: list[dict[int, Record]] = []
        self._series_dimensions: dict[SeriesKey, Mapping[str, str]] = {}

    def __len__(self) -> int:
        return len(self._insertions)

    def __iter__(self) -> Iterator[Record]:
        # Safe while another thread writes: the insertion list is copied first
        # (one atomic slice), and a record enters its bucket before its bucket is
        # appended there, so every bucket copied later holds at least as many
        # records as the copy names; records written meanwhile are left out.
        cursors: dict[int, Iterator[Record]] = {}
        in_order: list[Record] = []
        for bucket in self._insertions[:]:
            cursor = cursors.get(id(bucket))
            if cursor is None:
                cursor = cursors[id(bucket)] = iter(list(bucket.values()))
            record = next(cursor, None)
            if record is not None:  # only after a concurrent `clear`
                in_order.append(record)
        return iter(in_order)

    def series_dimensions(self, key: SeriesKey) -> Mapping[str, str]:
        """The shared, read-only dimensions mapping of a series."""
        dims = self._series_dimensions.get(key)
        if dims is None:
            dims = MappingProxyType(dict(key))
            self._series_dimensions[key] = dims
        return dims

    def bucket(self, key: SeriesKey, measure_name: str) -> dict[int, Record] | None:
        """The records of one series and measure by ``time_ns``, if any.

        For the write path, which reads it and changes it only through `insert`
        and `replace`; None until the first record of that series and measure.
        """
        by_measure = self._by_identity.get(key)
        return None if by_measure is None else by_measure.get(measure_name)

    def new_bucket(self, key: SeriesKey, measure_name: str) -> dict[int, Record]:
        """The bucket of a series and measure, created empty if needed."""
        by_measure = self._by_identity.get(key)
        if by_measure is None:
            by_measure = self._by_identity[key] = {}
        by_time = by_measure.get(measure_name)
        if by_time is None:
            by_time = by_measure[measure_name] = {}
        return by_time

    def insert(self, bucket: dict[int, Record], record: Record) -> None:
        """Add a record whose identity is not stored yet to its bucket."""
        bucket[record.time_ns] = record
        self._insertions.append(bucket)

    @staticmethod
    def replace(bucket: dict[int, Record], record: Record) -> None:
        """Replace the stored record of the same identity; it keeps its place."""
        bucket[record.time_ns] = record

    def find(self, key: SeriesKey, measure_name: str, time_ns: int) -> Record | None:
        """The stored record with this identity, if any."""
        bucket = self.bucket(key, measure_name)
        return None if bucket is None else bucket.get(time_ns)

    def put(self, key: SeriesKey, record: Record) -> None:
        """Insert a record, or replace the one with the same identity in place."""
        bucket = self.new_bucket(key, record.measure_name)
        if record.time_ns in bucket:
            bucket[record.time_ns] = record
        else:
            self.insert(bucket, record)

    def clear(self) -> None:
        """Forget every record and series."""
        self._by_identity.clear()
        self._series_dimensions.clear()
        self._insertions.clear()


@dataclass(slots=True)
class Table:
    """A table; ``records`` lists what is stored, in write order."""

    database_name: str
    name: str
    arn: str
    memory_retention_hours: int
    magnetic_retention_days: int
    #: ``MagneticStoreWriteProperties`` as sent (echoed exactly, docs/operations/index.md).
    magnetic_store_write_properties: dict[str, Any]
    #: ``Schema`` as sent, or the default MEASURE partition key.
    schema: dict[str, Any]
    creation_time: datetime
    last_updated_time: datetime
    status: str = "ACTIVE"
    tags: dict[str, str] = field(default_factory=dict)
    #: After a memory retention increase: the oldest time (ns) the memory store
    #: can hold until it has filled up (docs/operations/write-records.md).
    memory_window_floor_ns: int | None = None
    #: Table-level name bookkeeping for the write path: measure name (the
    #: ``measure_name`` column's values) -> type, distinct dimension names, and
    #: MULTI attribute name -> type. Measure names and attribute names are
    #: separate namespaces: a MULTI record may be named like one of its
    #: attributes (docs/operations/write-records.md; awswrangler writes exactly that).
    measure_types: dict[str, str] = field(default_factory=dict)
    dimension_names: set[str] = field(default_factory=set)
    attribute_types: dict[str, str] = field(default_factory=dict)
    index: RecordIndex = field(default_factory=RecordIndex, repr=False, compare=False)
    #: Bumped whenever the stored records change (a write, an upsert): the query
    #: side's cache key for its columnar view of the table.
    generation: int = 0

    @property
    def multi_attribute_names(self) -> KeysView[str]:
        """The distinct MULTI attribute names written so far (``attribute_types``' keys)."""
        return self.attribute_types.keys()

    @property
    def records(self) -> list[Record]:
        """The stored records in write order (an upsert keeps the first position)."""
        return list(self.index)

    @property
    def magnetic_writes_enabled(self) -> bool:
        return bool(self.magnetic_store_write_properties.get("EnableMagneticStoreWrites"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "Arn": self.arn,
            "TableName": self.name,
            "DatabaseName": self.database_name,
            "TableStatus": self.status,
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": self.memory_retention_hours,
                "MagneticStoreRetentionPeriodInDays": self.magnetic_retention_days,
            },
            "CreationTime": epoch_seconds(self.creation_time),
            "LastUpdatedTime": epoch_seconds(self.last_updated_time),
            "MagneticStoreWriteProperties": self.magnetic_store_write_properties,
            "Schema": self.schema,
        }


@dataclass(slots=True)
class Database:
    """A database; ``tables`` maps table name to `Table`."""

    name: str
    arn: str
    kms_key_id: str
    creation_time: datetime
    last_updated_time: datetime
    tables: dict[str, Table] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "Arn": self.arn,
            "DatabaseName": self.name,
            "TableCount": len(self.tables),
            "KmsKeyId": self.kms_key_id,
            "CreationTime": epoch_seconds(self.creation_time),
            "LastUpdatedTime": epoch_seconds(self.last_updated_time),
        }


@dataclass(slots=True)
class ProgressReport:
    records_processed: int = 0
    records_ingested: int = 0
    parse_failures: int = 0
    record_ingestion_failures: int = 0
    file_failures: int = 0
    bytes_metered: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "RecordsProcessed": self.records_processed,
            "RecordsIngested": self.records_ingested,
            "ParseFailures": self.parse_failures,
            "RecordIngestionFailures": self.record_ingestion_failures,
            "FileFailures": self.file_failures,
            "BytesMetered": self.bytes_metered,
        }


@dataclass(slots=True)
class BatchLoadTask:
    """A batch load task with its configuration echoed as DescribeBatchLoadTask shows it."""

    task_id: str
    client_token: str | None
    data_model_configuration: dict[str, Any]
    data_source_configuration: dict[str, Any]
    report_configuration: dict[str, Any]
    target_database_name: str
    target_table_name: str
    record_version: int
    creation_time: datetime
    last_updated_time: datetime
    status: str = "CREATED"
    progress: ProgressReport = field(default_factory=ProgressReport)
    error_message: str | None = None
    resumable_until: datetime | None = None
    #: Execution state: keys of source objects already processed.
    files_done: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The item ListBatchLoadTasks shows for this task."""
        item: dict[str, Any] = {
            "TaskId": self.task_id,
            "TaskStatus": self.status,
            "DatabaseName": self.target_database_name,
            "TableName": self.target_table_name,
            "CreationTime": epoch_seconds(self.creation_time),
            "LastUpdatedTime": epoch_seconds(self.last_updated_time),
        }
        if self.resumable_until is not None:
            item["ResumableUntil"] = epoch_seconds(self.resumable_until)
        return item

    def to_dict(self) -> dict[str, Any]:
        """The ``BatchLoadTaskDescription`` of DescribeBatchLoadTask."""
        description: dict[str, Any] = {
            "TaskId": self.task_id,
            "DataSourceConfiguration": self.data_source_configuration,
            "ProgressReport": self.progress.to_dict(),
            "ReportConfiguration": self.report_configuration,
            "DataModelConfiguration": self.data_model_configuration,
            "TargetDatabaseName": self.target_database_name,
            "TargetTableName": self.target_table_name,
            "TaskStatus": self.status,
            "RecordVersion": self.record_version,
            "CreationTime": epoch_seconds(self.creation_time),
            "LastUpdatedTime": epoch_seconds(self.last_updated_time),
        }
        if self.error_message is not None:
            description["ErrorMessage"] = self.error_message
        if self.resumable_until is not None:
            description["ResumableUntil"] = epoch_seconds(self.resumable_until)
        return description
