"""The error report of a failed batch load task (docs/batch-load.md).

Written as JSON to ``{ObjectKeyPrefix}/{TaskId}/error-report.json`` in the
report bucket, one ``[n, n]`` line range per failed row and reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tsmock.backend.errors import ValidationException
from tsmock.backend.validation import check_kms_key


def report_key(prefix: str | None, task_id: str) -> str:
    """The key of a task's report: ``{prefix}/{TaskId}/error-report.json`` (an open
    question; the recommended layout)."""
    prefix = (prefix or "").rstrip("/")
    return f"{prefix}/{task_id}/error-report.json" if prefix else f"{task_id}/error-report.json"


def report_document(
    task_id: str,
    task_errors: list[str],
    file_errors: Mapping[str, Mapping[str, list[int]]],
) -> dict[str, Any]:
    """The report: task errors, then each file's reasons with their failed lines."""
    return {
        "taskId": task_id,
        "taskErrors": [{"reason": reason} for reason in task_errors],
        "fileErrors": [
            {
                "fileName": file_name,
                "errors": [
                    {"reason": reason, "lineRanges": [[line, line] for line in lines]}
                    for reason, lines in errors.items()
                ],
            }
            for file_name, errors in file_errors.items()
        ],
    }


def check_report_configuration(configuration: Mapping[str, Any]) -> None:
    """A report location is required; SSE_KMS needs a key [DOC]."""
    s3 = configuration.get("ReportS3Configuration")
    if s3 is None:
        raise ValidationException("ReportConfiguration must specify a ReportS3Configuration.")
    check_kms_key(s3, "ReportS3Configuration")
