"""Batch load: CSV objects to records through the WriteRecords path (§10)."""

from __future__ import annotations

from typing import Any

from tsmock.backend.models import BatchLoadTask


class BatchLoadOperations:
    """The batch load operations of `TimestreamWriteBackend`."""

    def __init__(self) -> None:
        #: Task id -> `BatchLoadTask`, in creation order.
        self.batch_load_tasks: dict[str, BatchLoadTask] = {}

    def table_deleted(self, database_name: str, table_name: str) -> None:
        """Hook called by DeleteTable."""

    def create_batch_load_task(self, **kwargs: Any) -> str:
        raise NotImplementedError

    def describe_batch_load_task(self, task_id: str) -> BatchLoadTask:
        raise NotImplementedError

    def list_batch_load_tasks(
        self,
        task_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[BatchLoadTask], str | None]:
        raise NotImplementedError

    def resume_batch_load_task(self, task_id: str) -> None:
        raise NotImplementedError
