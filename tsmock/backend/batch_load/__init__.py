"""Batch load: CSV objects to records through the write path.

* `tasks`: the operations and the task lifecycle the handle controls;
* `run`: running a task, file by file and row by row, through `tsmock.backend.write`;
* `csv`: reading the CSV objects;
* `data_model`: checking a data model and mapping rows to records;
* `report`: the error report;
* `limits`: limits, fixed values and messages.
"""

from __future__ import annotations

from tsmock.backend.batch_load.csv import CsvOptions, CsvRow, parse_csv
from tsmock.backend.batch_load.limits import MAX_ROW_BYTES
from tsmock.backend.batch_load.tasks import BatchLoadOperations

__all__ = ["MAX_ROW_BYTES", "BatchLoadOperations", "CsvOptions", "CsvRow", "parse_csv"]
