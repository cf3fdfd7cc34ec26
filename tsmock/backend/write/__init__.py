"""The write path, one place for WriteRecords and batch load alike.

* `limits`: limits, fixed values and every reason text;
* `values`: how each measure value type is written and parsed;
* `prepare` (with `sizes` and `prepared`): ``CommonAttributes`` merge and the
  whole-request checks, giving `PreparedRecord` objects;
* `window`: the ingestion window and the store of each time;
* `ingest`: per-record checks against the table, upserts and storage.

See docs/operations/write-records.md for the behavior.
"""

from __future__ import annotations

from tsmock.backend.write.ingest import IngestResult, ingest, required_partition_key
from tsmock.backend.write.limits import INVALID_VERSION, RecordError, invalid_type_reason
from tsmock.backend.write.prepare import Preparer, prepare_record, prepare_records
from tsmock.backend.write.prepared import PreparedRecord
from tsmock.backend.write.values import parse_measure_value
from tsmock.backend.write.window import format_window_time, ingestion_window, report_reason

__all__ = [
    "INVALID_VERSION",
    "IngestResult",
    "PreparedRecord",
    "Preparer",
    "RecordError",
    "format_window_time",
    "ingest",
    "ingestion_window",
    "invalid_type_reason",
    "parse_measure_value",
    "prepare_record",
    "prepare_records",
    "report_reason",
    "required_partition_key",
]
