"""The ingestion window of a table and the store each accepted time goes to.

See docs/operations/write-records.md, "Time, window and stores".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tsmock.backend.models import EPOCH, Table
from tsmock.backend.write.limits import (
    FUTURE_INGESTION_NS,
    MAGNETIC,
    MEMORY,
    NS_PER_DAY,
    NS_PER_HOUR,
    NS_PER_MS,
    WINDOW_REPORT_REASON,
)

#: The range a printed bound can show: a clock frozen near the end of year 9999
#: puts ``now + 15 min`` past what a datetime holds, so bounds are clamped to it.
_FIRST_MS = (datetime(1, 1, 1, tzinfo=timezone.utc) - EPOCH) // timedelta(milliseconds=1)
_LAST_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc) - EPOCH) // timedelta(
    milliseconds=1
)


def format_window_time(time_ns: int) -> str:
    """A window bound as the service prints it: ISO-8601 UTC, milliseconds, ``Z``."""
    milliseconds = min(max(time_ns // NS_PER_MS, _FIRST_MS), _LAST_MS)
    moment = EPOCH + timedelta(milliseconds=milliseconds)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass(frozen=True, slots=True)
class IngestionWindow:
    """The times a table accepts now, and which store each goes to.

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
            return MEMORY
        if self.lower_ns <= time_ns < self.upper_ns:
            return MAGNETIC
        return None

    @property
    def reason(self) -> str:
        """The RejectedRecords reason for a time outside the window [REAL text]."""
        where = "data ingestion window" if self.magnetic_writes else "memory store"
        return (
            "The record timestamp is outside the time range "
            f"[{format_window_time(self.lower_ns)}, {format_window_time(self.upper_ns)}) "
            f"of the {where}."
        )


def ingestion_window(table: Table, now_ns: int) -> IngestionWindow:
    """The window of ``table`` at ``now_ns`` (docs/operations/write-records.md).

    Open question: the real window is 40 minutes wider than the retention,
    split unknown; as recommended we accept ``[now − R, now + 15 min)`` and print
    exactly these bounds. Open question: after a memory
    retention increase the memory part starts no earlier than
    ``table.memory_window_floor_ns`` (the store is not back-filled; UpdateTable
    sets the floor); a decrease applies at once.
    """
    # The service prints milliseconds; bounds on whole milliseconds keep the
    # check and the printed range in agreement. "now" is rounded up, so a
    # millisecond timestamp is accepted exactly when now − R ≤ t < now + 15 min.
    now_ns = -(-now_ns // NS_PER_MS) * NS_PER_MS
    memory_lower = now_ns - table.memory_retention_hours * NS_PER_HOUR
    floor = table.memory_window_floor_ns
    if floor is not None:
        memory_lower = max(memory_lower, -(-floor // NS_PER_MS) * NS_PER_MS)
    lower = memory_lower
    magnetic = table.magnetic_writes_enabled
    if magnetic:
        lower = (
            now_ns
            - table.memory_retention_hours * NS_PER_HOUR
            - table.magnetic_retention_days * NS_PER_DAY
        )
    return IngestionWindow(lower, memory_lower, now_ns + FUTURE_INGESTION_NS, magnetic)


def report_reason(reason: str) -> str:
    """A RejectedRecords reason as a batch load error report states it.

    Reports give the window text without the time range [DOC]; other reasons
    are the same.
    """
    if reason.startswith("The record timestamp is outside the time range ["):
        return WINDOW_REPORT_REASON
    return reason
