"""Batch load's limits, fixed values and messages.

See docs/operations/create-batch-load-task.md and docs/batch-load.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: Statuses that count against the active-task quota (docs/operations/create-batch-load-task.md
#: recommendation).
ACTIVE_STATUSES = frozenset({"CREATED", "IN_PROGRESS", "PENDING_RESUME"})
FINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED"})
MAX_ACTIVE_TASKS_PER_TABLE = 5
MAX_ACTIVE_TASKS_PER_ACCOUNT = 10
MAX_SOURCE_FILES = 100
MAX_FILE_BYTES = 5 * 1024**3
MAX_TASK_BYTES = 100 * 1024**3
MAX_ROW_BYTES = 16 * 1024**2
#: Open question: how long a stopped task can be resumed.
RESUME_PERIOD = timedelta(days=7)
#: Rows handed to the write path at a time (one ``ingest`` call, one clock reading).
CHUNK_ROWS = 1000
DEFAULT_PAGE_SIZE = 100

# CsvConfiguration values the model's documentation lists
# (docs/operations/create-batch-load-task.md).
SEPARATORS = (",", "|", ";", "\t", " ")
QUOTES = ("'", '"')

# --- messages -------------------------------------------------------------------------------
# The documentation gives the checks (docs/operations/create-batch-load-task.md) but not the
# service's texts; these are ours.

TOO_MANY_ACTIVE_TASKS = "You have reached the maximum number of active batch load tasks."
CLIENT_TOKEN_CONFLICT = (
    "The ClientToken was already used for a batch load task with different parameters."
)


def task_not_found(task_id: str) -> str:
    """docs/operations/index.md / an open question."""
    return f"The batch load task {task_id} does not exist."


def cannot_resume(task_id: str) -> str:
    """docs/operations/resume-batch-load-task.md [ASSUMED text]."""
    return (
        f"The batch load task {task_id} cannot be resumed. Only tasks in PROGRESS_STOPPED "
        "status can be resumed before their ResumableUntil time."
    )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
