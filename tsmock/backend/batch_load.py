"""Batch load: CSV objects to records through the WriteRecords path (reference §10).

A task reads every CSV object under its source prefix from the object store
(moto's S3 while moto is active), maps each row to records with its data model
(§10.5), and hands them to the write path (`records.prepare_record` and
`records.ingest`), so every record rule is the one WriteRecords applies. What
the write path refuses becomes a record ingestion failure; what cannot be
turned into records at all is a parse failure (§10.6). Errors are written as a
JSON report to the report bucket (§10.8).

Run modes (the handle's ``batch_load_mode``): ``"immediate"`` runs a task to
its end inside CreateBatchLoadTask / ResumeBatchLoadTask; ``"manual"`` leaves
it waiting and `advance_batch_load_task` moves it one step. A task stops
(PROGRESS_STOPPED) only on request, through `stop_batch_load_task`.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from tsmock.backend import write as write_path
from tsmock.backend.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from tsmock.backend.models import BatchLoadTask, Table, utc_now_ns
from tsmock.backend.objects import MemoryObjectStore, ObjectStore, ObjectStoreError
from tsmock.backend.pagination import paginate

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from tsmock.backend.models import Database

# --- limits and fixed values (§10.1, §10.7, §12) --------------------------------------------

#: Statuses that count against the active-task quota (§10.1 recommendation).
ACTIVE_STATUSES = frozenset({"CREATED", "IN_PROGRESS", "PENDING_RESUME"})
FINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED"})
MAX_ACTIVE_TASKS_PER_TABLE = 5
MAX_ACTIVE_TASKS_PER_ACCOUNT = 10
MAX_SOURCE_FILES = 100
MAX_FILE_BYTES = 5 * 1024**3
MAX_TASK_BYTES = 100 * 1024**3
MAX_ROW_BYTES = 16 * 1024**2
#: Open question §13 #22: how long a stopped task can be resumed.
RESUME_PERIOD = timedelta(days=7)
#: Rows handed to the write path at a time (one ``ingest`` call, one clock reading).
_CHUNK_ROWS = 1000
_DEFAULT_PAGE_SIZE = 100

# CsvConfiguration values the model's documentation lists (§10.4).
_SEPARATORS = (",", "|", ";", "\t", " ")
_QUOTES = ("'", '"')
_TIME_UNITS = ("MILLISECONDS", "SECONDS", "MICROSECONDS", "NANOSECONDS")
_ATTRIBUTE_TYPES = ("DOUBLE", "BIGINT", "BOOLEAN", "VARCHAR", "TIMESTAMP")
_MEASURE_TYPES = ("DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP", "MULTI")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# --- messages -------------------------------------------------------------------------------
# The reference gives the checks (§10.2) but not the service's texts; these are ours.

TOO_MANY_ACTIVE_TASKS = "You have reached the maximum number of active batch load tasks."
CLIENT_TOKEN_CONFLICT = (
    "The ClientToken was already used for a batch load task with different parameters."
)


def task_not_found(task_id: str) -> str:
    """§3.5 / §13 #3."""
    return f"The batch load task {task_id} does not exist."


def cannot_resume(task_id: str) -> str:
    """§5.15 [ASSUMED text]."""
    return (
        f"The batch load task {task_id} cannot be resumed. Only tasks in PROGRESS_STOPPED "
        "status can be resumed before their ResumableUntil time."
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- CSV (§10.4) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How a source file is split into fields (``CsvConfiguration``, §10.4).

    Open question §13 #19 (defaults): ``,`` ``"``, no escape character, an empty
    field is null, no trimming. Quoting protects a value: a quoted field is never
    null and keeps its inner white space; ``TrimWhiteSpace`` trims unquoted values
    and the space around quotes.
    """

    separator: str = ","
    quote: str = '"'
    escape: str | None = None
    null_value: str | None = None
    trim: bool = False

    @classmethod
    def from_configuration(cls, csv: Mapping[str, Any] | None) -> CsvOptions:
        """Check a ``CsvConfiguration`` and build the options; ValidationException if unusable."""
        csv = csv or {}
        separator = csv.get("ColumnSeparator", ",")
        quote = csv.get("QuoteChar", '"')
        escape = csv.get("EscapeChar")
        if separator not in _SEPARATORS:
            raise ValidationException(
                f"Invalid ColumnSeparator {separator!r}. The column separator must be one of "
                "comma (','), pipe ('|'), semicolon (';'), tab ('\\t') or blank space (' ')."
            )
        if quote not in _QUOTES:
            raise ValidationException(
                f"Invalid QuoteChar {quote!r}. The quote character must be a single quote (') "
                'or a double quote (").'
            )
        if escape is not None and (escape == separator or escape in "\r\n"):
            raise ValidationException(
                f"Invalid EscapeChar {escape!r}. The escape character must differ from the "
                "column separator and cannot be a line break."
            )
        return cls(separator, quote, escape, csv.get("NullValue"), bool(csv.get("TrimWhiteSpace")))


@dataclass(slots=True)
class CsvRow:
    """One logical row of a CSV file."""

    #: Physical line (1-based) the row starts on; the header is line 1.
    line: int
    #: The values (None for null), or None when the row could not be split.
    fields: list[str | None] | None
    #: Why the row could not be split.
    error: str | None
    #: UTF-8 size of the row's physical lines, line breaks included.
    nbytes: int


def _physical_lines(text: str) -> Iterator[tuple[str, str]]:
    """(content, line break) of every physical line; only CR, LF and CRLF break lines."""
    position, end = 0, len(text)
    while position < end:
        match = _LINE_BREAK.search(text, position)
        if match is None:
            yield text[position:], ""
            return
        yield text[position : match.start()], match.group()
        position = match.end()


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def parse_csv(text: str, options: CsvOptions) -> Iterator[CsvRow]:
    """The rows of a CSV text, the header first; blank lines are skipped (§10.4)."""
    lines = _physical_lines(text)
    line_number = 0
    separator, quote, escape = options.separator, options.quote, options.escape
    for content, ending in lines:
        line_number += 1
        if not content:
            continue
        if quote not in content and (escape is None or escape not in content):
            values = content.split(separator)
            fields = [_finish_field(value, False, options) for value in values]
            nbytes = _utf8_size(content) + len(ending)
            yield _sized_row(line_number, fields, None, nbytes)
            continue
        start = line_number
        split, error, nbytes, used = _split_quoted(content, ending, lines, options)
        line_number += used
        yield _sized_row(start, split, error, nbytes)


def _sized_row(
    line: int, fields: list[str | None] | None, error: str | None, nbytes: int
) -> CsvRow:
    if nbytes > MAX_ROW_BYTES:
        # §10.1: a CSV row is at most 16 MB.
        return CsvRow(line, None, "The row exceeds the maximum row size of 16 MB.", nbytes)
    return CsvRow(line, fields, error, nbytes)


def _finish_field(value: str, quoted: bool, options: CsvOptions) -> str | None:
    if quoted:
        return value
    if options.trim:
        value = value.strip()
    if options.null_value is None:
        return None if value == "" else value
    return None if value == options.null_value else value


def _split_quoted(
    content: str, ending: str, lines: Iterator[tuple[str, str]], options: CsvOptions
) -> tuple[list[str | None] | None, str | None, int, int]:
    """Split a row that has quotes or escapes; it may run over several physical lines.

    Inside quotes, separators and line breaks are part of the value and a doubled
    quote is a literal quote; the escape character (if any) makes the next
    character literal, inside or outside quotes, a line break included. Returns
    (fields or None, error, bytes, physical lines consumed after the first).
    """
    separator, quote, escape = options.separator, options.quote, options.escape
    trim = options.trim
    fields: list[str | None] = []
    chars: list[str] = []
    quoted = in_quotes = after_quote = False
    error: str | None = None
    nbytes = _utf8_size(content) + len(ending)
    used = 0
    while True:
        i, length = 0, len(content)
        escaped = False
        while i < length:
            ch = content[i]
            i += 1
            if escaped:
                chars.append(ch)
                escaped = False
            elif in_quotes:
                if ch == quote:
                    if i < length and content[i] == quote:
                        chars.append(quote)
                        i += 1
                    else:
                        in_quotes, after_quote = False, True
                elif ch == escape:
                    escaped = True
                else:
                    chars.append(ch)
            elif ch == separator:
                fields.append(_finish_field("".join(chars), quoted, options))
                chars.clear()
                quoted = after_quote = False
            elif after_quote:
                if not (trim and ch.isspace()):
                    error = "The row has characters after the closing quote of a field."
                    break
            elif ch == quote and (not chars or (trim and "".join(chars).isspace())):
                chars.clear()
                quoted = in_quotes = True
            elif ch == escape:
                escaped = True
            else:
                chars.append(ch)
        if error is not None or not (in_quotes or escaped):
            break
        # The line break is part of a quoted value, or escaped: the row goes on.
        following = next(lines, None) if ending else None
        if following is None:
            if in_quotes:
                error = "The row has a quoted field that is not closed."
            break
        chars.append(ending)
        used += 1
        content, ending = following
        nbytes += _utf8_size(content) + len(ending)
    if error is not None:
        return None, error, nbytes, used
    fields.append(_finish_field("".join(chars), quoted, options))
    return fields, None, nbytes, used


# --- data model (§10.2, §10.5) --------------------------------------------------------------


class _ParseFailure(Exception):
    """A row that cannot be turned into records (§10.5); counted in ``ParseFailures``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# The keys and types of a data model read from S3 (the request's own DataModel
# was checked against the service model by the protocol layer already). Each
# spec maps a key to (kind, required); kinds: "str" (non-empty string), an enum
# tuple, a nested spec dict, or a one-element list holding the item spec.
_ATTRIBUTE_SPEC: dict[str, Any] = {
    "SourceColumn": ("str", True),
    "TargetMultiMeasureAttributeName": ("str", False),
    "MeasureValueType": (_ATTRIBUTE_TYPES, False),
}
_DATA_MODEL_SPEC: dict[str, Any] = {
    "TimeColumn": ("str", False),
    "TimeUnit": (_TIME_UNITS, False),
    "DimensionMappings": (
        [{"SourceColumn": ("str", False), "DestinationColumn": ("str", False)}],
        True,
    ),
    "MultiMeasureMappings": (
        {
            "TargetMultiMeasureName": ("str", False),
            "MultiMeasureAttributeMappings": ([_ATTRIBUTE_SPEC], True),
        },
        False,
    ),
    "MixedMeasureMappings": (
        [
            {
                "MeasureName": ("str", False),
                "SourceColumn": ("str", False),
                "TargetMeasureName": ("str", False),
                "MeasureValueType": (_MEASURE_TYPES, True),
                "MultiMeasureAttributeMappings": ([_ATTRIBUTE_SPEC], False),
            }
        ],
        False,
    ),
    "MeasureNameColumn": ("str", False),
}


def _shape_problem(value: Any, spec: dict[str, Any], path: str) -> str | None:
    """The first way ``value`` does not fit ``spec``, or None."""
    if not isinstance(value, dict):
        return f"{path or 'the data model'} must be a JSON object"
    for key, (kind, required) in spec.items():
        where = f"{path}.{key}" if path else key
        member = value.get(key)
        if member is None:
            if required:
                return f"{where} is required"
            continue
        problem = _member_problem(member, kind, where)
        if problem is not None:
            return problem
    return None


def _member_problem(member: Any, kind: Any, where: str) -> str | None:
    if kind == "str":
        return None if isinstance(member, str) and member else f"{where} must be a non-empty string"
    if isinstance(kind, tuple):
        if member in kind:
            return None
        return f"{where} must be one of [{', '.join(kind)}]"
    if isinstance(kind, dict):
        return _shape_problem(member, kind, where)
    if not isinstance(member, list) or not member:
        return f"{where} must be a non-empty list"
    for position, item in enumerate(member):
        problem = _shape_problem(item, kind[0], f"{where}[{position}]")
        if problem is not None:
            return problem
    return None


def _check_data_model(model: Mapping[str, Any]) -> None:
    """The data model rules of §10.2 (all [ASSUMED] except where marked)."""
    if not model.get("TimeColumn"):
        # Open question §13 #20: TimeColumn is required.
        raise ValidationException("The data model must specify a TimeColumn.")
    dimensions = model.get("DimensionMappings") or []
    if not dimensions:
        raise ValidationException("The data model must specify at least one dimension mapping.")
    for mapping in dimensions:
        if not mapping.get("SourceColumn"):
            raise ValidationException("Every dimension mapping must specify a SourceColumn.")
    multi = model.get("MultiMeasureMappings")
    mixed = model.get("MixedMeasureMappings")
    if (multi is None) == (mixed is None):
        # "At least one measure must be mapped" [DOC]; one kind of mapping at a time.
        raise ValidationException(
            "The data model must specify exactly one of MultiMeasureMappings or "
            "MixedMeasureMappings."
        )
    name_column = model.get("MeasureNameColumn")
    if multi is not None:
        if not multi.get("TargetMultiMeasureName") and not name_column:
            # [DOC] data model mappings: the MULTI record needs a name from somewhere.
            raise ValidationException(
                "MultiMeasureMappings must specify a TargetMultiMeasureName when the data "
                "model has no MeasureNameColumn."
            )
        return
    for mapping in mixed or []:
        value_type = mapping["MeasureValueType"]
        attributes = mapping.get("MultiMeasureAttributeMappings")
        if value_type == "MULTI":
            if not attributes:  # [DOC]
                raise ValidationException(
                    "A mixed measure mapping of type MULTI must specify "
                    "MultiMeasureAttributeMappings."
                )
            if not mapping.get("TargetMeasureName") and not mapping.get("MeasureName"):
                raise ValidationException(
                    "A mixed measure mapping of type MULTI must specify a TargetMeasureName "
                    "or a MeasureName."
                )
        else:
            if value_type == "TIMESTAMP":
                # As in WriteRecords (§6.4 #6): TIMESTAMP only inside MULTI records.
                raise ValidationException(write_path.invalid_type_reason(value_type))
            if not mapping.get("SourceColumn"):
                raise ValidationException(
                    f"A mixed measure mapping of type {value_type} must specify a SourceColumn."
                )
            if attributes:
                raise ValidationException(
                    "Only a mixed measure mapping of type MULTI can specify "
                    "MultiMeasureAttributeMappings."
                )
        if name_column and not mapping.get("MeasureName"):
            raise ValidationException(
                "Every mixed measure mapping must specify a MeasureName when the data model "
                "has a MeasureNameColumn."
            )


def _with_defaults(model: Mapping[str, Any]) -> dict[str, Any]:
    """The data model as DescribeBatchLoadTask echoes it (§10.9) [REAL CLI example]."""
    echoed = copy.deepcopy(dict(model))
    for mapping in echoed.get("DimensionMappings") or []:
        mapping.setdefault("DestinationColumn", mapping.get("SourceColumn"))
    attribute_lists = []
    multi = echoed.get("MultiMeasureMappings")
    if multi is not None:
        attribute_lists.append(multi.get("MultiMeasureAttributeMappings") or [])
    for mapping in echoed.get("MixedMeasureMappings") or []:
        attribute_lists.append(mapping.get("MultiMeasureAttributeMappings") or [])
    for attributes in attribute_lists:
        for attribute in attributes:
            attribute.setdefault("TargetMultiMeasureAttributeName", attribute["SourceColumn"])
    return echoed


@dataclass(frozen=True, slots=True)
class _Attribute:
    column: int
    source: str
    name: str
    value_type: str


@dataclass(frozen=True, slots=True)
class _Measure:
    """One mixed measure mapping, bound to column positions."""

    selector: str | None
    value_type: str
    #: The record's measure name.
    name: str
    #: Scalar mappings: the value column; MULTI: -1.
    column: int
    attributes: tuple[_Attribute, ...]


class _RowMapper:
    """The data model of a task bound to one file's header: row values to wire records."""

    def __init__(self, model: Mapping[str, Any], columns: Mapping[str, int], version: int) -> None:
        self.time_column = model["TimeColumn"]
        self.time_index = columns[self.time_column]
        self.time_unit = model.get("TimeUnit") or "MILLISECONDS"
        self.version = version
        self.dimensions = tuple(
            (columns[m["SourceColumn"]], m.get("DestinationColumn") or m["SourceColumn"])
            for m in model["DimensionMappings"]
        )
        self.name_column: str | None = model.get("MeasureNameColumn")
        self.name_index = columns[self.name_column] if self.name_column else -1
        multi = model.get("MultiMeasureMappings")
        self.multi_name: str | None = None
        self.multi_attributes: tuple[_Attribute, ...] = ()
        self.mixed: tuple[_Measure, ...] | None = None
        if multi is not None:
            self.multi_name = multi.get("TargetMultiMeasureName")
            self.multi_attributes = _bind_attributes(
                multi["MultiMeasureAttributeMappings"], columns
            )
        else:
            self.mixed = tuple(
                _Measure(
                    m.get("MeasureName"),
                    m["MeasureValueType"],
                    m.get("TargetMeasureName") or m.get("MeasureName") or m.get("SourceColumn"),
                    columns[m["SourceColumn"]] if m["MeasureValueType"] != "MULTI" else -1,
                    _bind_attributes(m.get("MultiMeasureAttributeMappings") or [], columns),
                )
                for m in model["MixedMeasureMappings"]
            )

    def records(self, fields: list[str | None]) -> list[dict[str, Any]]:
        """The wire-format records of one row; `_ParseFailure` if it has none (§10.5)."""
        time_text = fields[self.time_index]
        if not time_text:
            raise _ParseFailure(f"The time column {self.time_column} has no value.")
        if _INTEGER.fullmatch(time_text) is None:
            raise _ParseFailure(
                f"The value {time_text} of the time column {self.time_column} is not an integer."
            )
        dimensions = [
            {"Name": name, "Value": value}
            for index, name in self.dimensions
            if (value := fields[index]) is not None
        ]
        measure_name: str | None = None
        if self.name_index >= 0:
            measure_name = fields[self.name_index]
            if not measure_name:
                raise _ParseFailure(f"The measure name column {self.name_column} has no value.")
        base = {
            "Dimensions": dimensions,
            "Time": time_text,
            "TimeUnit": self.time_unit,
            "Version": self.version,
        }
        if self.mixed is None:
            values = self._measure_values(self.multi_attributes, fields)
            if not values:
                raise _ParseFailure("The row has no value for any mapped measure.")
            name = measure_name or self.multi_name
            return [
                {**base, "MeasureName": name, "MeasureValueType": "MULTI", "MeasureValues": values}
            ]
        applicable = [m for m in self.mixed if measure_name is None or m.selector == measure_name]
        if not applicable:
            raise _ParseFailure(f"The row matches no measure mapping for measure {measure_name}.")
        out: list[dict[str, Any]] = []
        for measure in applicable:
            if measure.value_type == "MULTI":
                values = self._measure_values(measure.attributes, fields)
                if values:
                    out.append(
                        {
                            **base,
                            "MeasureName": measure.name,
                            "MeasureValueType": "MULTI",
                            "MeasureValues": values,
                        }
                    )
                continue
            value = fields[measure.column]
            if value is None:
                continue
            self._check_value(value, measure.value_type)
            out.append(
                {
                    **base,
                    "MeasureName": measure.name,
                    "MeasureValueType": measure.value_type,
                    "MeasureValue": value,
                }
            )
        if not out:
            raise _ParseFailure("The row has no value for any mapped measure.")
        return out

    def _measure_values(
        self, attributes: tuple[_Attribute, ...], fields: list[str | None]
    ) -> list[dict[str, str]]:
        values = []
        for attribute in attributes:
            value = fields[attribute.column]
            if value is None:  # null values are left out [ASSUMED §10.5]
                continue
            self._check_value(value, attribute.value_type)
            values.append({"Name": attribute.name, "Value": value, "Type": attribute.value_type})
        return values

    def _check_value(self, value: str, value_type: str) -> None:
        # §10.5: a value that does not parse as its type is a parse failure of the
        # row; the parsing rules are the write path's own (§6.5).
        try:
            write_path.parse_measure_value(value, value_type, self.time_unit)
        except write_path.RecordError as error:
            raise _ParseFailure(error.reason) from None


def _bind_attributes(
    mappings: list[Mapping[str, Any]], columns: Mapping[str, int]
) -> tuple[_Attribute, ...]:
    return tuple(
        _Attribute(
            columns[m["SourceColumn"]],
            m["SourceColumn"],
            m.get("TargetMultiMeasureAttributeName") or m["SourceColumn"],
            # Open question §13 #20: an attribute without a type is DOUBLE.
            m.get("MeasureValueType") or "DOUBLE",
        )
        for m in mappings
    )


def _referenced_columns(model: Mapping[str, Any]) -> list[str]:
    """Every source column the data model names, in model order, once each."""
    names: list[str] = [model["TimeColumn"]]
    names.extend(m["SourceColumn"] for m in model["DimensionMappings"])
    if model.get("MeasureNameColumn"):
        names.append(model["MeasureNameColumn"])
    multi = model.get("MultiMeasureMappings")
    mappings = [multi] if multi is not None else []
    for mapping in model.get("MixedMeasureMappings") or []:
        if mapping["MeasureValueType"] != "MULTI":
            names.append(mapping["SourceColumn"])
        mappings.append(mapping)
    for mapping in mappings:
        names.extend(a["SourceColumn"] for a in mapping.get("MultiMeasureAttributeMappings") or [])
    return list(dict.fromkeys(names))


# --- execution ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Execution:
    """What a task needs to run and to continue where it stopped (§10.7)."""

    #: Creation order within the backend (the list order, §4).
    sequence: int
    #: The data model in force (inline or read from S3 at creation).
    data_model: dict[str, Any]
    csv: CsvOptions
    #: The source keys, listed when the task first runs; None before.
    sources: list[str] | None = None
    #: Index in ``sources`` of the file being loaded.
    position: int = 0
    #: Data rows of that file already handled (never handled twice on resume).
    rows_done: int = 0
    #: Rows the next run may handle before it stops (`stop_batch_load_task`).
    stop_after_rows: int | None = None
    task_errors: list[str] = field(default_factory=list)
    #: File name -> reason -> failed line numbers, in the order found.
    file_errors: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def report_line(self, file_name: str, reason: str, line: int | None) -> None:
        lines = self.file_errors.setdefault(file_name, {}).setdefault(reason, [])
        if line is not None:
            lines.append(line)


@dataclass(slots=True)
class _RowOutcome:
    """What happened to the records of one row within a chunk."""

    line: int
    nbytes: int
    parse_error: str | None = None
    records: int = 0
    failures: list[str] = field(default_factory=list)


class _Stopped(Exception):
    """The run reached the row count of a requested stop."""


def _report_key(prefix: str | None, task_id: str) -> str:
    # Open question §13 #21: {prefix}/{TaskId}/error-report.json.
    prefix = (prefix or "").rstrip("/")
    return f"{prefix}/{task_id}/error-report.json" if prefix else f"{task_id}/error-report.json"


class BatchLoadOperations:
    """The batch load operations of `TimestreamWriteBackend` (a mixin: uses its lock)."""

    if TYPE_CHECKING:
        lock: threading.RLock
        databases: dict[str, Database]

        def get_table(self, database_name: str, table_name: str) -> Table: ...

    def __init__(
        self,
        objects: ObjectStore | None = None,
        immediate: Callable[[], bool] | None = None,
    ) -> None:
        #: Where sources are read and reports written (handed in by the activation;
        #: a backend of its own keeps its objects in memory).
        self.objects: ObjectStore = MemoryObjectStore() if objects is None else objects
        #: Whether a new task runs at once (True) or waits to be advanced step by
        #: step (the activation's ``batch_load_mode``, read at each creation).
        self._immediate_mode = immediate
        #: Task id -> `BatchLoadTask`, in creation order.
        self.batch_load_tasks: dict[str, BatchLoadTask] = {}
        self._executions: dict[str, _Execution] = {}
        #: ClientToken -> (task id, request fingerprint), for idempotency (§10.2).
        self._client_tokens: dict[str, tuple[str, str]] = {}
        self._task_sequence = 0

    # --- context ----------------------------------------------------------------------------

    def _objects(self) -> ObjectStore:
        return self.objects

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
        """CreateBatchLoadTask (§5.12, §10.2): check, create, and in immediate mode run."""
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
                    # Open question §13 #24: the same token and input give the same
                    # task, for the life of the mock; other input is a conflict.
                    if known[1] != fingerprint:
                        raise ConflictException(CLIENT_TOKEN_CONFLICT)
                    return known[0]
            # §3.6: resources first, then the service's own rules.
            table = self.get_table(target_database_name, target_table_name)
            _check_report_configuration(report_configuration)
            if version < 1:
                raise ValidationException(write_path.INVALID_VERSION)
            csv = CsvOptions.from_configuration(data_source_configuration.get("CsvConfiguration"))
            model, echoed_model_configuration = self._data_model(data_model_configuration)
            _check_data_model(model)
            required = write_path.required_partition_key(table.schema)
            if required is not None and required not in {
                m.get("DestinationColumn") or m["SourceColumn"] for m in model["DimensionMappings"]
            }:
                # [DOC] "Customer-defined partition keys": refused at creation.
                raise ValidationException(
                    f"The data model does not map the required partition key dimension {required}."
                )
            self._check_quota(target_database_name, target_table_name)
            now = _now()
            echoed_source = copy.deepcopy(data_source_configuration)
            echoed_source.setdefault("CsvConfiguration", {})  # §10.9 [REAL]
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
            self._executions[task.task_id] = _Execution(self._task_sequence, model, csv)
            if client_token is not None:
                self._client_tokens[client_token] = (task.task_id, fingerprint)
            if self._immediate():
                self._set_status(task, "IN_PROGRESS")
                self._run(task)
            return task.task_id

    def describe_batch_load_task(self, task_id: str) -> BatchLoadTask:
        """DescribeBatchLoadTask (§5.13)."""
        with self.lock:
            return self._task(task_id)

    def list_batch_load_tasks(
        self,
        task_status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[BatchLoadTask], str | None]:
        """ListBatchLoadTasks (§5.14): oldest first, optionally one status only."""
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
            _DEFAULT_PAGE_SIZE,
        )

    def resume_batch_load_task(self, task_id: str) -> None:
        """ResumeBatchLoadTask (§5.15, §10.7): PROGRESS_STOPPED -> PENDING_RESUME -> ..."""
        with self.lock:
            task = self._task(task_id)
            if (
                task.status != "PROGRESS_STOPPED"
                or task.resumable_until is None
                or _now() >= task.resumable_until
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

        §5.10 [ASSUMED]: tasks of a deleted table finish as FAILED with an error.
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

    def _data_model(
        self, configuration: dict[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the data model in force, the configuration as Describe echoes it)."""
        configuration = configuration or {}
        inline = configuration.get("DataModel")
        s3 = configuration.get("DataModelS3Configuration")
        if (inline is None) == (s3 is None):
            raise ValidationException(
                "DataModelConfiguration must specify exactly one of DataModel or "
                "DataModelS3Configuration."
            )
        if inline is not None:
            echoed = _with_defaults(inline)
            return echoed, {"DataModel": echoed}
        assert s3 is not None
        bucket, key = s3.get("BucketName"), s3.get("ObjectKey")
        if not bucket or not key:
            raise ValidationException(
                "DataModelS3Configuration must specify a BucketName and an ObjectKey."
            )
        location = f"s3://{bucket}/{key}"
        try:
            body = self._objects().get_object(bucket, key)
        except ObjectStoreError as error:
            # [ASSUMED §10.2] refused at creation (AWS might fail the task later).
            raise ValidationException(
                f"The data model {location} could not be read: {error.reason}"
            ) from None
        try:
            model = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ValidationException(f"The data model {location} is not valid JSON.") from None
        problem = _shape_problem(model, _DATA_MODEL_SPEC, "")
        if problem is not None:
            raise ValidationException(f"The data model {location} is not valid: {problem}.")
        return _with_defaults(model), {"DataModelS3Configuration": copy.deepcopy(s3)}

    def _check_quota(self, database_name: str, table_name: str) -> None:
        # §10.1 / §13 #23: 5 active tasks per table, 10 per account (this backend is
        # one account and region; the quotas page counts per account and region).
        active = [t for t in self.batch_load_tasks.values() if t.status in ACTIVE_STATUSES]
        on_table = sum(
            1
            for t in active
            if t.target_database_name == database_name and t.target_table_name == table_name
        )
        if on_table >= MAX_ACTIVE_TASKS_PER_TABLE or len(active) >= MAX_ACTIVE_TASKS_PER_ACCOUNT:
            raise ServiceQuotaExceededException(TOO_MANY_ACTIVE_TASKS)

    # --- lifecycle --------------------------------------------------------------------------

    @staticmethod
    def _set_status(task: BatchLoadTask, status: str) -> None:
        task.status = status
        task.last_updated_time = _now()
        if status == "IN_PROGRESS" or status in FINAL_STATUSES:
            task.resumable_until = None

    def _stop(self, task: BatchLoadTask) -> None:
        self._set_status(task, "PROGRESS_STOPPED")
        task.resumable_until = task.last_updated_time + RESUME_PERIOD

    def _fail(self, task: BatchLoadTask, reason: str) -> None:
        """The task cannot go on: FAILED with ``ErrorMessage`` and a ``taskErrors`` entry."""
        self._executions[task.task_id].task_errors.append(reason)
        if task.error_message is None:
            task.error_message = reason
        self._finish(task)

    def _finish(self, task: BatchLoadTask) -> None:
        run = self._executions[task.task_id]
        progress = task.progress
        failed = bool(
            run.task_errors
            or progress.parse_failures
            or progress.record_ingestion_failures
            or progress.file_failures
        )
        run.stop_after_rows = None
        self._set_status(task, "FAILED" if failed else "SUCCEEDED")
        if failed:
            self._write_report(task, run)

    def _write_report(self, task: BatchLoadTask, run: _Execution) -> None:
        """The error report of §10.8, one ``[n, n]`` range per failed row and reason."""
        report = {
            "taskId": task.task_id,
            "taskErrors": [{"reason": reason} for reason in run.task_errors],
            "fileErrors": [
                {
                    "fileName": file_name,
                    "errors": [
                        {"reason": reason, "lineRanges": [[line, line] for line in lines]}
                        for reason, lines in errors.items()
                    ],
                }
                for file_name, errors in run.file_errors.items()
            ],
        }
        s3 = task.report_configuration["ReportS3Configuration"]
        key = _report_key(s3.get("ObjectKeyPrefix"), task.task_id)
        try:
            self._objects().put_object(
                s3["BucketName"], key, json.dumps(report), create_bucket=False
            )
        except ObjectStoreError as error:
            if task.error_message is None:
                task.error_message = f"The error report could not be written: {error.reason}"

    def _run(self, task: BatchLoadTask) -> None:
        """Load what is left of an IN_PROGRESS task; ends final or PROGRESS_STOPPED."""
        try:
            self._load(task)
        except _Stopped:
            self._stop(task)
        except _TaskError as error:
            self._fail(task, error.reason)
        except Exception as error:  # a bug must not leave the task running forever
            self._fail(task, f"The task failed with an internal error: {type(error).__name__}.")
            raise
        else:
            self._finish(task)

    def _load(self, task: BatchLoadTask) -> None:
        run = self._executions[task.task_id]
        source = task.data_source_configuration["DataSourceS3Configuration"]
        bucket, prefix = source["BucketName"], source.get("ObjectKeyPrefix") or ""
        objects = self._objects()
        if run.sources is None:
            # §10.3: everything under the prefix, in key order; empty objects and
            # "folder" keys are skipped. Listed once, so a resumed task loads the
            # same files.
            try:
                listing = objects.list_object_sizes(bucket, prefix)
            except ObjectStoreError as error:
                raise _TaskError(error.reason) from None
            listing = [(key, size) for key, size in listing if size > 0 and not key.endswith("/")]
            if not listing:
                raise _TaskError(f"No source objects were found under s3://{bucket}/{prefix}.")
            if len(listing) > MAX_SOURCE_FILES:
                raise _TaskError(
                    f"The data source has {len(listing)} objects; a batch load task can load "
                    f"at most {MAX_SOURCE_FILES}."
                )
            if sum(size for _, size in listing) > MAX_TASK_BYTES:
                raise _TaskError("The data source exceeds the maximum task size of 100 GB.")
            run.sources = [key for key, _ in listing]
        database = self.databases.get(task.target_database_name)
        table = database.tables.get(task.target_table_name) if database is not None else None
        if table is None:
            raise _TaskError(f"The target table {task.target_table_name} does not exist.")
        while run.position < len(run.sources):
            key = run.sources[run.position]
            self._load_file(task, run, table, objects, bucket, key)
            run.position += 1
            run.rows_done = 0
            task.files_done.append(key)

    def _file_failed(
        self, task: BatchLoadTask, run: _Execution, key: str, reason: str, line: int | None = None
    ) -> None:
        task.progress.file_failures += 1
        run.report_line(key, reason, line)

    def _load_file(
        self,
        task: BatchLoadTask,
        run: _Execution,
        table: Table,
        objects: ObjectStore,
        bucket: str,
        key: str,
    ) -> None:
        try:
            data = objects.get_object(bucket, key)
        except ObjectStoreError as error:
            self._file_failed(task, run, key, error.reason)
            return
        if len(data) > MAX_FILE_BYTES:
            self._file_failed(task, run, key, "The file exceeds the maximum file size of 5 GB.")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self._file_failed(task, run, key, "The file is not valid UTF-8.")
            return
        rows = parse_csv(text, run.csv)
        header = next(rows, None)
        if header is None:
            self._file_failed(task, run, key, "The file has no header row.")
            return
        if header.fields is None:
            self._file_failed(
                task, run, key, f"The header row could not be read: {header.error}", header.line
            )
            return
        columns: dict[str, int] = {}
        for index, name in enumerate(header.fields):
            columns.setdefault(name or "", index)
        for column in _referenced_columns(run.data_model):
            if column not in columns:
                # §10.4 [ASSUMED text]: the whole file fails.
                self._file_failed(
                    task, run, key, f"Column {column} not found in file header.", header.line
                )
                return
        mapper = _RowMapper(run.data_model, columns, task.record_version)
        width = len(header.fields)
        skip = run.rows_done
        chunk: list[CsvRow] = []
        try:
            for row in rows:
                if skip:
                    skip -= 1
                    continue
                if run.stop_after_rows is not None:
                    if run.stop_after_rows <= 0:
                        run.stop_after_rows = None
                        raise _Stopped
                    run.stop_after_rows -= 1
                chunk.append(row)
                if len(chunk) >= _CHUNK_ROWS:
                    self._load_rows(task, run, table, key, mapper, width, chunk)
                    chunk = []
        finally:
            if chunk:
                self._load_rows(task, run, table, key, mapper, width, chunk)

    def _load_rows(
        self,
        task: BatchLoadTask,
        run: _Execution,
        table: Table,
        key: str,
        mapper: _RowMapper,
        width: int,
        rows: list[CsvRow],
    ) -> None:
        """Map rows to records and send them through the write path; count and report."""
        outcomes: list[_RowOutcome] = []
        prepared: list[write_path.PreparedRecord] = []
        owners: list[_RowOutcome] = []
        for row in rows:
            outcome = _RowOutcome(row.line, row.nbytes)
            outcomes.append(outcome)
            if row.fields is None:
                outcome.parse_error = row.error
                continue
            if len(row.fields) != width:
                outcome.parse_error = (
                    f"The row has {len(row.fields)} fields but the header has {width}."
                )
                continue
            try:
                wire_records = mapper.records(row.fields)
            except _ParseFailure as failure:
                outcome.parse_error = failure.reason
                continue
            for record in wire_records:
                outcome.records += 1
                try:
                    prepared.append(write_path.prepare_record(record, len(prepared)))
                except write_path.RecordError as error:
                    # The per-record forms of WriteRecords' request checks (§10.5).
                    outcome.failures.append(error.reason)
                else:
                    owners.append(outcome)
        if prepared:
            result = write_path.ingest(table, prepared, utc_now_ns())
            for rejected in result.rejected:
                owners[rejected["RecordIndex"]].failures.append(
                    write_path.report_reason(rejected["Reason"])
                )
        progress = task.progress
        for outcome in outcomes:
            if outcome.parse_error is not None:
                progress.parse_failures += 1
                progress.records_processed += 1
                run.report_line(key, outcome.parse_error, outcome.line)
                continue
            failed = len(outcome.failures)
            ingested = outcome.records - failed
            progress.records_processed += outcome.records
            progress.records_ingested += ingested
            progress.record_ingestion_failures += failed
            if ingested:
                # §10.6 [ASSUMED]: the bytes of the rows that produced ingested records.
                progress.bytes_metered += outcome.nbytes
            for reason in dict.fromkeys(outcome.failures):
                run.report_line(key, reason, outcome.line)
        run.rows_done += len(rows)
        task.last_updated_time = _now()


class _TaskError(Exception):
    """The task cannot run at all (§10.3): it fails with ``ErrorMessage``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_report_configuration(configuration: Mapping[str, Any]) -> None:
    """§10.2: a report location is required; SSE_KMS needs a key [DOC]."""
    s3 = configuration.get("ReportS3Configuration")
    if s3 is None:
        raise ValidationException("ReportConfiguration must specify a ReportS3Configuration.")
    if s3.get("EncryptionOption") == "SSE_KMS" and not s3.get("KmsKeyId"):
        raise ValidationException(
            "KmsKeyId must be specified in ReportS3Configuration when EncryptionOption is SSE_KMS."
        )
