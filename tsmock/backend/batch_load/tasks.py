"""The batch load operations: create, describe, list and resume tasks, and the
handle's step-by-step control (docs/operations/create-batch-load-task.md,
describe-batch-load-task.md, list-batch-load-tasks.md, resume-batch-load-task.md).

Run modes (the handle's ``batch_load_mode``): ``"immediate"`` runs a task to
its end inside CreateBatchLoadTask / ResumeBatchLoadTask; ``"manual"`` leaves
it waiting and `advance_batch_load_task` moves it one step. A task stops
(PROGRESS_STOPPED) only on request, through `stop_batch_load_task`.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import TYPE_CHECKING, Any

from tsmock.backend import write as write_path
from tsmock.backend.batch_load.csv import CsvOptions
from tsmock.backend.batch_load.data_model import (
    DataModelViolations,
    check_data_model,
    load_data_model,
)
from tsmock.backend.batch_load.limits import (
    ACTIVE_STATUSES,
    CLIENT_TOKEN_CONFLICT,
    DEFAULT_PAGE_SIZE,
    FINAL_STATUSES,
    MAX_ACTIVE_TASKS_PER_ACCOUNT,
    MAX_ACTIVE_TASKS_PER_TABLE,
    TOO_MANY_ACTIVE_TASKS,
    cannot_resume,
    task_not_found,
    utc_now,
)
from tsmock.backend.batch_load.report import check_report_configuration
from tsmock.backend.batch_load.run import Execution, TaskRunner
from tsmock.backend.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from tsmock.backend.models import BatchLoadTask, Table
from tsmock.backend.objects import MemoryObjectStore, ObjectStore
from tsmock.backend.pagination import paginate

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from tsmock.backend.models import Database


class BatchLoadOperations(TaskRunner):
    """The batch load operations of `TimestreamWriteBackend` (a mixin: uses its lock)."""

    if TYPE_CHECKING:
        lock: threading.RLock
        databases: dict[str, Database]

        def get_table(self, database_name: str, table_name: str) -> Table: ...

    def __init__(
        self,
        objects: ObjectStore | None = None,
        immediate: Callable[[], bool] | None = None,
        data_model_violations: DataModelViolations | None = None,
    ) -> None:
        #: Where sources are read and reports written (handed in by the activation;
        #: a backend of its own keeps its objects in memory).
        self.objects: ObjectStore = MemoryObjectStore() if objects is None else objects
        #: Whether a new task runs at once (True) or waits to be advanced step by
        #: step (the activation's ``batch_load_mode``, read at each creation).
        self._immediate_mode = immediate
        #: How a data model read from the object store is checked against the
        #: service model's ``DataModel`` shape (handed in by the activation).
        self._data_model_violations = data_model_violations
        #: Task id -> `BatchLoadTask`, in creation order.
        self.batch_load_tasks: dict[str, BatchLoadTask] = {}
        self._executions: dict[str, Execution] = {}
        #: ClientToken -> (task id, request fingerprint), for idempotency
        #: (docs/operations/create-batch-load-task.md).
        self._client_tokens: dict[str, tuple[str, str]] = {}
        self._task_sequence = 0

    # --- context ----------------------------------------------------------------------------

    def _immediate(self) -> bool:
        return self._immediate_mode is None or self._immediate_mode()

    def _task(self, task_id: str) -> BatchLoadTask:
        task = self.batch_load_tasks.get(task_id)
        if task is None:
            raise ResourceNotFoundException(task_not_found(task_id))
        return task

    # --- operations -------------------------------------------------------------------------

    def create_batch_load_task(
        self,
        *,
        client_token: str | None,
        data_model_configuration: dict[str, Any] | None,
        data_source_configuration: dict[str, Any],
        report_configuration: dict[str, Any],
        target_database_name: str,
        target_table_name: str,
        record_version: int | None,
    ) -> str:
        """CreateBatchLoadTask: check, create, and in immediate mode run.

        See docs/operations/create-batch-load-task.md.
        """
        version = 1 if record_version is None else record_version
        fingerprint = json.dumps(
            {
                "DataModelConfiguration": data_model_configuration,
                "DataSourceConfiguration": data_source_configuration,
                "ReportConfiguration": report_configuration,
                "TargetDatabaseName": target_database_name,
                "TargetTableName": target_table_name,
                "RecordVersion": version,
            },
            sort_keys=True,
            default=str,
        )
        with self.lock:
            if client_token is not None:
                known = self._client_tokens.get(client_token)
                if known is not None:
                    # Open question: the same token and input give the same
                    # task, for the life of the mock; other input is a conflict.
                    if known[1] != fingerprint:
                        raise ConflictException(CLIENT_TOKEN_CONFLICT)
                    return known[0]
            # docs/operations/index.md: resources first, then the service's own rules.
            table = self.get_table(target_database_name, target_table_name)
            check_report_configuration(report_configuration)
            if version < 1:
                raise ValidationException(write_path.INVALID_VERSION)
            csv = CsvOptions.from_configuration(data_source_configuration.get("CsvConfiguration"))
            model, echoed_model_configuration = load_data_model(
                data_model_configuration, self.objects, self._data_model_violations
            )
            check_data_model(model)
            required = write_path.required_partition_key(table.schema)
            if required is not None and required not in {
                m.get("DestinationColumn") or m["SourceColumn"] for m in model["DimensionMappings"]
            }:
                # [DOC] "Customer-defined partition keys": refused at creation.
                raise ValidationException(
                    f"The data model does not map the required partition key dimension {required}."
                )
            self._check_quota(target_database_name, target_table_name)
            now = utc_now()
            echoed_source = copy.deepcopy(data_source_configuration)
            echoed_source.setdefault(
                "CsvConfiguration", {}
            )  # docs/operations/describe-batch-load-task.md [REAL]
            task = BatchLoadTask(
                task_id=uuid.uuid4().hex.upper(),  # 32 hex digits, like real ids [REAL]
                client_token=client_token,
                data_model_configuration=echoed_model_configuration,
                data_source_configuration=echoed_source,
                report_configuration=copy.deepcopy(report_configuration),
                target_database_name=target_database_name,
                target_table_name=target_table_name,
                record_version=version,
                creation_time=now,
                last_updated_time=now,
            )
            self._task_sequence += 1
            self.batch_load_tasks[task.task_id] = task
            self._executions[task.task_id] = Execution(self._task_sequence, model, csv)
            if client_token is not None:
                self._client_tokens[client_token] = (task.task_id, fingerprint)
            if self._immediate():
                self._set_status(task, "IN_PROGRESS")
                self._run(task)
            return task.task_id

    def describe_batch_load_task(self, task_id: str) -> BatchLoadTask:
        """DescribeBatchLoadTask (docs/operations/describe-batch-load-task.md)."""
        with self.lock:
            return self._task(task_id)

    def list_batch_load_tasks(
        self,
        task_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[BatchLoadTask], str | None]:
        """ListBatchLoadTasks: oldest first, optionally one status only.

        See docs/operations/list-batch-load-tasks.md.
        """
        with self.lock:
            items = [
                task
                for task in self.batch_load_tasks.values()
                if task_status is None or task.status == task_status
            ]
            sequence = {task_id: run.sequence for task_id, run in self._executions.items()}
        return paginate(
            "ListBatchLoadTasks",
            items,
            lambda task: (sequence[task.task_id], task.task_id),
            max_results,
            next_token,
            DEFAULT_PAGE_SIZE,
        )

    def resume_batch_load_task(self, task_id: str) -> None:
        """ResumeBatchLoadTask: PROGRESS_STOPPED -> PENDING_RESUME -> ...

        See docs/operations/resume-batch-load-task.md, docs/operations/create-batch-load-task.md.
        """
        with self.lock:
            task = self._task(task_id)
            if (
                task.status != "PROGRESS_STOPPED"
                or task.resumable_until is None
                or utc_now() >= task.resumable_until
            ):
                raise ValidationException(cannot_resume(task_id))
            self._set_status(task, "PENDING_RESUME")
            if self._immediate():
                self._set_status(task, "IN_PROGRESS")
                self._run(task)

    # --- handle support ---------------------------------------------------------------------

    def advance_batch_load_task(self, task_id: str) -> str:
        """One step of a task's lifecycle (manual mode); returns the new status.

        CREATED -> IN_PROGRESS; IN_PROGRESS -> SUCCEEDED, FAILED or (if a stop was
        requested) PROGRESS_STOPPED, loading the data; PENDING_RESUME -> IN_PROGRESS.
        A stopped task needs ResumeBatchLoadTask; a finished one has no next step.
        """
        with self.lock:
            task = self.batch_load_tasks.get(task_id)
            if task is None:
                raise ValueError(task_not_found(task_id))
            if task.status in ("CREATED", "PENDING_RESUME"):
                self._set_status(task, "IN_PROGRESS")
            elif task.status == "IN_PROGRESS":
                self._run(task)
            elif task.status == "PROGRESS_STOPPED":
                raise ValueError(
                    f"The batch load task {task_id} is PROGRESS_STOPPED: resume it with "
                    "ResumeBatchLoadTask first."
                )
            else:
                raise ValueError(f"The batch load task {task_id} has finished ({task.status}).")
            return task.status

    def stop_batch_load_task(self, task_id: str, after_rows: int | None = None) -> str:
        """Make a task stop (PROGRESS_STOPPED), as AWS does under sustained throttling.

        Without ``after_rows`` an IN_PROGRESS task stops now. With ``after_rows``
        (CREATED, IN_PROGRESS or PENDING_RESUME tasks) its next run stops after
        handling that many more CSV data rows; it finishes normally if fewer are
        left. Returns the task's status.
        """
        with self.lock:
            task = self.batch_load_tasks.get(task_id)
            if task is None:
                raise ValueError(task_not_found(task_id))
            if after_rows is not None:
                if after_rows < 0:
                    raise ValueError("after_rows must be >= 0")
                if task.status not in ACTIVE_STATUSES:
                    raise ValueError(
                        f"The batch load task {task_id} is {task.status}; only CREATED, "
                        "IN_PROGRESS or PENDING_RESUME tasks can be stopped."
                    )
                self._executions[task_id].stop_after_rows = after_rows
            elif task.status == "IN_PROGRESS":
                self._stop(task)
            else:
                raise ValueError(
                    f"The batch load task {task_id} is {task.status}; only an IN_PROGRESS task "
                    "can be stopped now (pass after_rows to stop a later run)."
                )
            return task.status

    def table_deleted(self, database_name: str, table_name: str) -> None:
        """Hook called by DeleteTable (under the lock): unfinished tasks of the table fail.

        docs/operations/delete-table.md [ASSUMED]: tasks of a deleted table finish as
        FAILED with an error.
        """
        for task in self.batch_load_tasks.values():
            if (
                task.target_database_name == database_name
                and task.target_table_name == table_name
                and task.status not in FINAL_STATUSES
            ):
                self._fail(
                    task, f"The target table {table_name} was deleted before the task finished."
                )

    # --- checks -----------------------------------------------------------------------------

    def _check_quota(self, database_name: str, table_name: str) -> None:
        # docs/operations/create-batch-load-task.md / an open question: 5 active tasks
        # per table, 10 per account (this backend is one account and region; the
        # quotas page counts per account and region).
        active = [t for t in self.batch_load_tasks.values() if t.status in ACTIVE_STATUSES]
        on_table = sum(
            1
            for t in active
            if t.target_database_name == database_name and t.target_table_name == table_name
        )
        if on_table >= MAX_ACTIVE_TASKS_PER_TABLE or len(active) >= MAX_ACTIVE_TASKS_PER_ACCOUNT:
            raise ServiceQuotaExceededException(TOO_MANY_ACTIVE_TASKS)
