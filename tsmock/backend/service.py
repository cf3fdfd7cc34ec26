"""`TimestreamWriteBackend`: the service of one account and region.

One method per operation, keyword arguments in snake_case, models returned,
typed errors raised. The request shape has already been checked against the
model by the protocol layer; every rule here is a rule of the service itself.
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tsmock.backend import arns, tagging, validation
from tsmock.backend import write as write_path
from tsmock.backend.batch_load import BatchLoadOperations
from tsmock.backend.errors import (
    ConflictException,
    RejectedRecordsException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from tsmock.backend.models import (
    NANOS_PER_SECOND,
    Database,
    Table,
    ns_from_datetime,
    utc_now_ns,
)
from tsmock.backend.pagination import paginate

if TYPE_CHECKING:
    from collections.abc import Callable

    from tsmock.backend.objects import ObjectStore

MAX_DATABASES = 500
MAX_TABLES = 50_000
DEFAULT_MEMORY_RETENTION_HOURS = 6
DEFAULT_MAGNETIC_RETENTION_DAYS = 73_000
ENDPOINT_CACHE_MINUTES = 1440
_HOUR_NS = 3600 * NANOS_PER_SECOND


def _now() -> datetime:
    return datetime.now(timezone.utc)


class TimestreamWriteBackend(BatchLoadOperations):
    """The simulated Timestream Write service of one account and region."""

    def __init__(
        self,
        account_id: str,
        region_name: str,
        objects: ObjectStore | None = None,
        immediate_batch_load: Callable[[], bool] | None = None,
        data_model_violations: Callable[[Any], list[str]] | None = None,
    ) -> None:
        """``objects``: where batch load reads and reports (default: in memory);
        ``immediate_batch_load``: whether a new batch load task runs at once
        (default: always); ``data_model_violations``: the request-shape check of
        a data model read from ``objects`` (default: only that it is an object)."""
        self.account_id = account_id
        self.region_name = region_name
        #: Database name -> `Database`.
        self.databases: dict[str, Database] = {}
        self.lock = threading.RLock()
        super().__init__(objects, immediate_batch_load, data_model_violations)

    # --- lookups --------------------------------------------------------------------

    def get_database(self, database_name: str) -> Database:
        """The database by name, or ResourceNotFoundException (docs/operations/index.md)."""
        database = self.databases.get(database_name)
        if database is None:
            raise ResourceNotFoundException(f"The database {database_name} does not exist.")
        return database

    def get_table(self, database_name: str, table_name: str) -> Table:
        """The table by name; the database is checked first (docs/operations/index.md)."""
        table = self.get_database(database_name).tables.get(table_name)
        if table is None:
            raise ResourceNotFoundException(f"The table {table_name} does not exist.")
        return table

    # --- endpoints ------------------------------------------------------------------

    def describe_endpoints(self) -> list[dict[str, Any]]:
        """DescribeEndpoints: the cell address and its cache period.

        See docs/operations/describe-endpoints.md.
        """
        # docs/operations/describe-endpoints.md: one cell address and the real 24 h cache period (an
        # open question).
        address = f"ingest-cell1.timestream.{self.region_name}.{arns.dns_suffix(self.region_name)}"
        return [{"Address": address, "CachePeriodInMinutes": ENDPOINT_CACHE_MINUTES}]

    # --- databases ------------------------------------------------------------------

    def create_database(
        self,
        database_name: str,
        kms_key_id: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Database:
        """CreateDatabase (docs/operations/create-database.md)."""
        # docs/operations/index.md: there is no resource to look up first, so the request's own
        # rules (tag rules and the 50-tag limit) come before the conflict check. KmsKeyId is
        # not checked by form: the service checks the key itself, so any 1–2048 character
        # string (the model's length, checked by the protocol layer) is kept as given.
        checked_tags = tagging.check_tags(tags or [])
        arn = arns.database_arn(self.region_name, self.account_id, database_name)
        tagging.merge_tags({}, checked_tags, arn)
        with self.lock:
            if database_name in self.databases:
                raise ConflictException(f"The database {database_name} already exists.")
            if len(self.databases) >= MAX_DATABASES:
                raise ServiceQuotaExceededException(
                    "You have reached the maximum number of databases."
                )
            now = _now()
            database = Database(
                name=database_name,
                arn=arn,
                kms_key_id=kms_key_id
                or arns.default_kms_key_arn(self.region_name, self.account_id),
                creation_time=now,
                last_updated_time=now,
                tags=checked_tags,
            )
            self.databases[database_name] = database
            return database

    def describe_database(self, database_name: str) -> Database:
        """DescribeDatabase (docs/operations/describe-database.md)."""
        return self.get_database(database_name)

    def update_database(self, database_name: str, kms_key_id: str) -> Database:
        """UpdateDatabase: a new key moves ``LastUpdatedTime``, the same key does not.

        See docs/operations/update-database.md.
        """
        with self.lock:
            # docs/operations/index.md: existence before the service's own rules.
            database = self.get_database(database_name)
            # Any 1–2048 character key is echoed as given (see create_database).
            if database.kms_key_id != kms_key_id:
                database.kms_key_id = kms_key_id
                database.last_updated_time = _now()
            return database

    def delete_database(self, database_name: str) -> None:
        """DeleteDatabase (docs/operations/delete-database.md): only an empty database can go."""
        with self.lock:
            database = self.get_database(database_name)
            if database.tables:
                raise ValidationException(
                    f"Cannot delete database {database_name} because it contains tables. "
                    "Delete all tables first."
                )
            del self.databases[database_name]

    def list_databases(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[Database], str | None]:
        """ListDatabases: one page in name order and the next token.

        See docs/operations/list-databases.md.
        """
        with self.lock:
            items = list(self.databases.values())
        return paginate("ListDatabases", items, lambda db: (db.name,), max_results, next_token, 20)

    # --- tables ---------------------------------------------------------------------

    def create_table(
        self,
        database_name: str,
        table_name: str,
        retention_properties: dict[str, int] | None = None,
        tags: list[dict[str, str]] | None = None,
        magnetic_store_write_properties: dict[str, Any] | None = None,
        schema: dict[str, Any] | None = None,
    ) -> Table:
        """CreateTable (docs/operations/create-table.md)."""
        with self.lock:
            # docs/operations/index.md: the database must exist before any rule of the request is
            # looked at; then the request's own rules, then conflicts and quotas.
            database = self.get_database(database_name)
            if magnetic_store_write_properties is not None:
                validation.check_magnetic_store_write_properties(magnetic_store_write_properties)
            if schema is not None:
                validation.check_schema(schema)
            checked_tags = tagging.check_tags(tags or [])
            arn = arns.table_arn(self.region_name, self.account_id, database_name, table_name)
            tagging.merge_tags({}, checked_tags, arn)
            if table_name in database.tables:
                raise ConflictException(f"The table {table_name} already exists.")
            if sum(len(db.tables) for db in self.databases.values()) >= MAX_TABLES:
                raise ServiceQuotaExceededException(
                    "You have reached the maximum number of tables."
                )
            retention = retention_properties or {}
            now = _now()
            table = Table(
                database_name=database_name,
                name=table_name,
                arn=arn,
                memory_retention_hours=retention.get(
                    "MemoryStoreRetentionPeriodInHours", DEFAULT_MEMORY_RETENTION_HOURS
                ),
                magnetic_retention_days=retention.get(
                    "MagneticStoreRetentionPeriodInDays", DEFAULT_MAGNETIC_RETENTION_DAYS
                ),
                # docs/operations/index.md: echoed exactly as sent, from a copy the table owns.
                magnetic_store_write_properties=copy.deepcopy(magnetic_store_write_properties)
                if magnetic_store_write_properties is not None
                else {"EnableMagneticStoreWrites": False},
                schema=validation.stored_schema(schema),
                creation_time=now,
                last_updated_time=now,
                tags=checked_tags,
            )
            database.tables[table_name] = table
            return table

    def describe_table(self, database_name: str, table_name: str) -> Table:
        """DescribeTable (docs/operations/describe-table.md)."""
        return self.get_table(database_name, table_name)

    def update_table(
        self,
        database_name: str,
        table_name: str,
        retention_properties: dict[str, int] | None = None,
        magnetic_store_write_properties: dict[str, Any] | None = None,
        schema: dict[str, Any] | None = None,
    ) -> Table:
        """UpdateTable: each given structure replaces the old one.

        See docs/operations/update-table.md.
        """
        with self.lock:
            table = self.get_table(database_name, table_name)
            if (
                retention_properties is None
                and magnetic_store_write_properties is None
                and schema is None
            ):
                # an open question: nothing to update is refused.
                raise ValidationException(
                    "At least one of RetentionProperties, MagneticStoreWriteProperties "
                    "or Schema must be specified."
                )
            if magnetic_store_write_properties is not None:
                validation.check_magnetic_store_write_properties(magnetic_store_write_properties)
            if schema is not None:
                validation.check_schema_change(table.schema, schema)
            now = _now()
            if retention_properties is not None:
                self._change_retention(table, retention_properties, now)
            if magnetic_store_write_properties is not None:
                # docs/operations/update-table.md: a given structure replaces the old one
                # as a whole.
                table.magnetic_store_write_properties = copy.deepcopy(
                    magnetic_store_write_properties
                )
            if schema is not None:
                table.schema = validation.stored_schema(schema)
            table.last_updated_time = now
            return table

    @staticmethod
    def _change_retention(table: Table, retention: dict[str, int], now: datetime) -> None:
        # docs/operations/write-records.md (project decision): after an increase the
        # memory store holds only what it held at the change until time fills it, so
        # the floor is the memory window's lower bound at the moment of the change; a
        # decrease applies at once: the lower bound is now − new retention, floor or not.
        new_hours = retention["MemoryStoreRetentionPeriodInHours"]
        if new_hours > table.memory_retention_hours:
            now_ns = ns_from_datetime(now)
            lower = now_ns - table.memory_retention_hours * _HOUR_NS
            if table.memory_window_floor_ns is not None:
                lower = max(lower, table.memory_window_floor_ns)
            table.memory_window_floor_ns = lower
        elif new_hours < table.memory_retention_hours:
            table.memory_window_floor_ns = None
        table.memory_retention_hours = new_hours
        table.magnetic_retention_days = retention["MagneticStoreRetentionPeriodInDays"]

    def delete_table(self, database_name: str, table_name: str) -> None:
        """DeleteTable: the table, its records and tags are gone.

        See docs/operations/delete-table.md.
        """
        with self.lock:
            database = self.get_database(database_name)
            table = database.tables.pop(table_name, None)
            if table is None:
                raise ResourceNotFoundException(f"The table {table_name} does not exist.")
            table.index.clear()
            table.generation += 1
            self.table_deleted(database_name, table_name)

    def list_tables(
        self,
        database_name: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[Table], str | None]:
        """ListTables: of one database, or of all, in (database, table) order.

        See docs/operations/list-tables.md.
        """
        with self.lock:
            if database_name is not None:
                items = list(self.get_database(database_name).tables.values())
            else:
                items = [t for db in self.databases.values() for t in db.tables.values()]
        return paginate(
            "ListTables",
            items,
            lambda table: (table.database_name, table.name),
            max_results,
            next_token,
            20,
        )

    # --- tags -----------------------------------------------------------------------

    def _tagged_resource(self, resource_arn: str) -> Database | Table:
        arn = arns.parse_resource_arn(resource_arn)
        if (
            arn.region != self.region_name
            or arn.account != self.account_id
            or arn.partition != arns.partition(self.region_name)
        ):
            # A well-formed ARN of another account or region names nothing here
            # (docs/operations/tag-resource.md); its database is the first thing not found
            # (docs/operations/index.md precedence).
            raise ResourceNotFoundException(f"The database {arn.database} does not exist.")
        if arn.table is None:
            return self.get_database(arn.database)
        return self.get_table(arn.database, arn.table)

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> None:
        """TagResource (docs/operations/tag-resource.md)."""
        with self.lock:
            # docs/operations/index.md: the resource must exist before its tags are looked at.
            resource = self._tagged_resource(resource_arn)
            checked = tagging.check_tags(tags)
            tagging.merge_tags(resource.tags, checked, resource_arn)

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        """UntagResource (docs/operations/untag-resource.md): keys not present are ignored."""
        with self.lock:
            resource = self._tagged_resource(resource_arn)
            tagging.check_tag_keys(tag_keys)
            for key in tag_keys:
                resource.tags.pop(key, None)

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        """ListTagsForResource: key -> value in insertion order.

        See docs/operations/list-tags-for-resource.md.
        """
        with self.lock:
            return dict(self._tagged_resource(resource_arn).tags)

    # --- records --------------------------------------------------------------------

    def write_records(
        self,
        database_name: str,
        table_name: str,
        records: list[dict[str, Any]],
        common_attributes: dict[str, Any] | None = None,
    ) -> dict[str, int]:
        """Store records; returns ``RecordsIngested`` or raises RejectedRecordsException."""
        with self.lock:
            self.get_table(database_name, table_name)
        prepared = write_path.prepare_records(records, common_attributes)
        return self.write_prepared_records(database_name, table_name, prepared)

    def write_prepared_records(
        self, database_name: str, table_name: str, prepared: list[write_path.PreparedRecord]
    ) -> dict[str, int]:
        """`write_records` for records already through `write.prepare_records`."""
        now_ns = utc_now_ns()
        with self.lock:
            # The table may have been deleted while the request was checked.
            table = self.get_table(database_name, table_name)
            result = write_path.ingest(table, prepared, now_ns)
        if result.rejected:
            raise RejectedRecordsException(result.rejected)
        return {
            "Total": result.total,
            "MemoryStore": result.memory_store,
            "MagneticStore": result.magnetic_store,
        }
