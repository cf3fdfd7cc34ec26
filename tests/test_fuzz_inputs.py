"""Bad input never breaks the mock (reference §1.3, §1.4, §2.5, §3.6).

Every operation is sent members generated from the botocore model that mostly
follow their shapes but are mutated: wrong types, missing required members,
empty and oversized strings, unknown enum values, huge and negative numbers,
0 and 101 records, garbage tokens, malformed ARNs. The answer must be a
success or a well-formed AWS error that the operation documents (a framework
ValidationException may answer any operation), with a message, and never an
InternalServerException; a refused request changes no state.

The same holds for raw HTTP: bodies that are not JSON, JSON of the wrong type,
unknown or missing targets, sent through ``requests`` (answered by the
``responses`` mock) and through the botocore hook directly.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import io
import json
import re
import time
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
import pytest
import requests
from botocore.awsrequest import AWSPreparedRequest, HTTPHeaders
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape, StructureShape
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tsmock import TimestreamWriteMock, intercept, mock_timestream_write
from tsmock.backend.models import Record, Table

REGION = "us-east-1"
ACCOUNT = "123456789012"
INGEST = f"https://ingest-cell1.timestream.{REGION}.amazonaws.com/"
TARGET_PREFIX = "Timestream_20181101."
MODEL = botocore.session.get_session().get_service_model("timestream-write")
OPERATIONS = sorted(MODEL.operation_names)

#: What each error code is answered with (reference §1.3).
STATUS = {
    "ValidationException": 400,
    "ResourceNotFoundException": 404,
    "ConflictException": 409,
    "ServiceQuotaExceededException": 402,
    "RejectedRecordsException": 419,
    "UnknownOperationException": 404,
}
CORAL = re.compile(
    r"\d+ validation errors? detected: "
    r"(?:Value .+ at '[A-Za-z0-9.]*' failed to satisfy constraint: .+"
    r"|the request (?:body is not valid JSON|body must be a JSON object|is nested too deeply))",
    re.DOTALL,
)
FUZZ = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- the world every example starts from -------------------------------------------------

CSV = (
    "time,host,region,cpu,mem,flag\n"
    "{t},h1,eu,1.5,10,true\n"
    "{t},h2,us,2.5,20,false\n"
    "{t},h3,,x,30,maybe\n"
)
SOURCE_BUCKET = "source-bucket"
REPORT_BUCKET = "report-bucket"
MODEL_KEY = "models/model.json"
VALID_DATA_MODEL: dict[str, Any] = {
    "TimeColumn": "time",
    "TimeUnit": "MILLISECONDS",
    "DimensionMappings": [{"SourceColumn": "host"}, {"SourceColumn": "region"}],
    "MultiMeasureMappings": {
        "TargetMultiMeasureName": "usage",
        "MultiMeasureAttributeMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "mem", "MeasureValueType": "BIGINT"},
        ],
    },
}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclasses.dataclass
class World:
    """Names of the resources `populate` made, for strategies to aim at."""

    task_ids: list[str]


def populate(ts: TimestreamWriteMock) -> World:
    """Databases, tables (one with magnetic writes, one with a required partition
    key), tags, records, a finished and a resumable batch load task."""
    ts.reset()
    backend = ts.backend(REGION)
    backend.create_database("db1", tags=[{"Key": "team", "Value": "a"}])
    backend.create_database("db2")
    backend.create_database("empty-db")
    backend.create_table("db1", "tbl1", tags=[{"Key": "k", "Value": "v"}])
    backend.create_table(
        "db1",
        "tbl2",
        retention_properties={
            "MemoryStoreRetentionPeriodInHours": 1,
            "MagneticStoreRetentionPeriodInDays": 2,
        },
        magnetic_store_write_properties={"EnableMagneticStoreWrites": True},
    )
    backend.create_table(
        "db2",
        "tbl3",
        schema={
            "CompositePartitionKey": [
                {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "REQUIRED"}
            ]
        },
    )
    t = now_ms()
    backend.write_records(
        "db1",
        "tbl1",
        [
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "cpu",
                "MeasureValue": "1.5",
                "Time": str(t - 1000),
            },
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "usage",
                "MeasureValueType": "MULTI",
                "MeasureValues": [
                    {"Name": "mem", "Value": "10", "Type": "BIGINT"},
                    {"Name": "up", "Value": "true", "Type": "BOOLEAN"},
                ],
                "Time": str(t - 2000),
                "Version": 3,
            },
        ],
    )
    ts.put_object(SOURCE_BUCKET, "src/data.csv", CSV.format(t=t - 5000))
    ts.put_object(SOURCE_BUCKET, MODEL_KEY, json.dumps(VALID_DATA_MODEL))
    ts.put_object(SOURCE_BUCKET, "models/broken.json", "{not json")
    arguments: dict[str, Any] = {
        "client_token": None,
        "data_model_configuration": {"DataModel": VALID_DATA_MODEL},
        "data_source_configuration": {
            "DataSourceS3Configuration": {"BucketName": SOURCE_BUCKET, "ObjectKeyPrefix": "src/"},
            "DataFormat": "CSV",
        },
        "report_configuration": {"ReportS3Configuration": {"BucketName": REPORT_BUCKET}},
        "target_database_name": "db1",
        "target_table_name": "tbl1",
        "record_version": 2,
    }
    finished = backend.create_batch_load_task(**arguments)
    ts.batch_load_mode = "manual"
    stopped = backend.create_batch_load_task(**{**arguments, "client_token": "token-1"})
    backend.advance_batch_load_task(stopped)
    backend.stop_batch_load_task(stopped)
    ts.batch_load_mode = "immediate"
    return World(task_ids=[finished, stopped])


# --- snapshots ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A deep, comparable copy of a model tree (tables with their records)."""
    if isinstance(value, Record):
        return {
            "dimensions": sorted(value.dimensions.items()),
            "measure_values": sorted(value.measure_values.items()),
            **{
                f.name: _plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in ("dimensions", "measure_values")
            },
        }
    if isinstance(value, Table):
        fields = {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "index"
        }
        fields["records"] = [_plain(record) for record in value.records]
        return fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return copy.deepcopy(value)


def snapshot(ts: TimestreamWriteMock) -> dict[str, Any]:
    """Everything the mock stores: databases, tables with all their fields and
    records, tags, batch load tasks (with idempotency tokens), stored objects."""
    state = ts._require_state()
    backends: dict[str, Any] = {}
    for backend in state.backends():
        content = {
            "databases": _plain(backend.databases),
            "batch_load_tasks": _plain(backend.batch_load_tasks),
            "client_tokens": copy.deepcopy(backend._client_tokens),
        }
        if content["databases"] or content["batch_load_tasks"]:
            backends[f"{backend.account_id}/{backend.region_name}"] = content
    return {"backends": backends, "objects": copy.deepcopy(state.objects._buckets)}


def changed_records(before: dict[str, Any], after: dict[str, Any], db: str, table: str) -> int:
    """How many records of one table are new or different."""

    def records(snap: dict[str, Any]) -> list[Any]:
        tables = snap["backends"][f"{ACCOUNT}/{REGION}"]["databases"][db]["tables"]
        return [json.dumps(r, sort_keys=True, default=str) for r in tables[table]["records"]]

    old = set(records(before))
    return sum(1 for record in records(after) if record not in old)


def without_table(snap: dict[str, Any], db: str, table: str) -> dict[str, Any]:
    """The snapshot with one table's records and name bookkeeping left out."""
    snap = copy.deepcopy(snap)
    tables = snap["backends"][f"{ACCOUNT}/{REGION}"]["databases"][db]["tables"]
    for key in (
        "records",
        "measure_types",
        "dimension_names",
        "multi_attribute_names",
        "attribute_types",
        "generation",
    ):
        tables[table].pop(key, None)
    return snap


# --- strategies from the service model ---------------------------------------------------
#
# Every leaf has a good form (what a careful caller sends, aimed at the resources
# `populate` made) and a bad form. Each example first draws a mutation rate
# (shared by all its draws): a third of the requests are well formed, the others
# carry a few mutations, so examples reach the service's own rules as well as
# the framework's.

RATE = st.shared(st.sampled_from([0, 0, 3, 10, 30]), key="mutation-rate")

DATABASES = st.sampled_from(["db1", "db2", "empty-db"])
TABLE_NAMES = st.sampled_from(["tbl1", "tbl2", "tbl3"])
NAMES = st.one_of(DATABASES, TABLE_NAMES)
TABLES = st.one_of(
    st.sampled_from([("db1", "tbl1"), ("db1", "tbl2"), ("db2", "tbl3")]),
    st.sampled_from([("db1", "tbl1"), ("db1", "tbl2"), ("db2", "tbl3")]),
    st.sampled_from([("db1", "tbl1"), ("db1", "tbl2"), ("db2", "tbl3")]),
    st.sampled_from([("db1", "nope"), ("empty-db", "tbl1"), ("db1", "tbl3")]),
)
PAIRED_MEMBERS = [("DatabaseName", "TableName"), ("TargetDatabaseName", "TargetTableName")]
ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
ANY_JSON = st.recursive(
    ANY_SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated(draw: st.DrawFn, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
    """``good``, or ``bad`` with the example's mutation rate (in percent)."""
    rate = draw(RATE)
    if rate and draw(st.integers(0, 99)) < rate:
        return draw(bad)
    return draw(good)


@st.composite
def chance(draw: st.DrawFn, percent: int = 100) -> bool:
    """True with the example's mutation rate, scaled by ``percent``."""
    rate = draw(RATE) * percent // 100
    return bool(rate) and draw(st.integers(0, 99)) < rate


def _token(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _names(known: st.SearchStrategy[str] = NAMES) -> st.SearchStrategy[str]:
    return mutated(
        st.one_of(known, known, st.from_regex(r"[a-zA-Z0-9_.-]{3,12}", fullmatch=True)),
        st.one_of(
            st.sampled_from(["", "a", "ab", "x" * 257, "bad name!", "db1 ", "DB1", "é" * 3]),
            st.text(max_size=12),
        ),
    )


def _arns() -> st.SearchStrategy[str]:
    base = f"arn:aws:timestream:{REGION}:{ACCOUNT}:database/"
    good = st.one_of(
        st.sampled_from(
            [base + "db1", base + "db2", base + "db1/table/tbl1", base + "db2/table/tbl3"]
        ),
        TABLES.map(lambda pair: f"{base}{pair[0]}/table/{pair[1]}"),
        st.builds(lambda db: base + db, NAMES),
    )
    bad = st.one_of(
        st.sampled_from(
            [
                base + "db1/table/",
                base,
                base + "db1/",
                base + "db1/table/tbl1/extra",
                f"arn:aws:timestream:eu-west-1:{ACCOUNT}:database/db1",
                f"arn:aws:timestream:{REGION}:210987654321:database/db1",
                f"arn:aws-cn:timestream:{REGION}:{ACCOUNT}:database/db1",
                f"arn:aws:s3:::{ACCOUNT}",
                "arn:aws:timestream",
                "arn:",
                "",
                "x" * 1012,
                base + "x" * 1000,
            ]
        ),
        st.builds(lambda tail: base + tail, st.text(max_size=12)),
        st.text(max_size=20),
    )
    return mutated(good, bad)


def _tokens() -> st.SearchStrategy[str]:
    position = st.tuples(
        st.sampled_from(["ListDatabases", "ListTables", "ListBatchLoadTasks"]),
        st.one_of(
            st.tuples(NAMES).map(list),
            st.tuples(NAMES, NAMES).map(list),
            st.tuples(st.integers(0, 3), st.text(max_size=4)).map(list),
        ),
    ).map(lambda pair: _token(list(pair)))
    garbage = st.one_of(
        st.text(max_size=20),
        st.sampled_from(["", "=", "====", "not-base64!", "e30=", "W10=", "bnVsbA=="]),
        st.builds(
            _token,
            st.one_of(
                st.lists(ANY_SCALAR, max_size=3),
                st.tuples(
                    st.sampled_from(["ListDatabases", "ListTables", "ListBatchLoadTasks", "X"]),
                    st.lists(st.one_of(NAMES, st.integers(), st.none(), st.booleans()), max_size=3),
                ).map(list),
                ANY_JSON,
            ),
        ),
    )
    # A token is sent by every other request, garbage or not.
    return st.one_of(position, garbage)


def _task_ids(world: World) -> st.SearchStrategy[str]:
    # Task ids are random: look them up when drawing, in this example's world.
    known = st.integers(0, 1).map(lambda i: world.task_ids[i])
    return mutated(
        st.one_of(known, known, st.from_regex(r"[A-Z0-9]{3,32}", fullmatch=True)),
        st.one_of(
            known.map(str.lower),
            st.from_regex(r"[A-Z0-9]{0,40}", fullmatch=True),
            st.text(max_size=40),
        ),
    )


HOUR_MS = 3_600_000
UNIT_NS = {"MILLISECONDS": 1_000_000, "SECONDS": 10**9, "MICROSECONDS": 1000, "NANOSECONDS": 1}


def _is_int(text: str) -> bool:
    return re.fullmatch(r"-?[0-9]{1,30}", text) is not None


def _times() -> st.SearchStrategy[str]:
    # In the window, near its edges and outside it: all well formed (§7.2).
    offsets = st.sampled_from(
        [0, -1000, 1000, -HOUR_MS, -7 * HOUR_MS, 14 * 60_000, 16 * 60_000, -30 * HOUR_MS]
    )
    good = offsets.map(lambda offset: str(now_ms() + offset))
    bad = st.one_of(
        st.sampled_from(
            [
                "",
                "0",
                "-1",
                "1e12",
                "12.5",
                " 1",
                "+1",
                "١٢٣",
                str(2**63),
                str(2**64),
                "9" * 256,
                "9" * 257,
                "abc",
            ]
        ),
        st.integers(min_value=-(2**66), max_value=2**66).map(str),
    )
    return mutated(good, bad)


GOOD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "DOUBLE": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.integers(-1000, 1000).map(str),
        st.sampled_from(["1.5", "1e-3", "-0", "1e308"]),
    ),
    "BIGINT": st.one_of(
        st.integers(-(2**63), 2**63 - 1).map(str), st.sampled_from(["10", "20", "-5"])
    ),
    "VARCHAR": st.one_of(st.text(min_size=1, max_size=10), st.sampled_from(["x" * 2048])),
    "BOOLEAN": st.sampled_from(["true", "false", "TRUE", "False"]),
    "TIMESTAMP": st.one_of(
        st.builds(lambda: str(now_ms())), st.sampled_from(["0", str(2**63 - 1)])
    ),
}
BAD_VALUES = st.one_of(
    st.sampled_from(
        [
            "1e400",
            "-1e400",
            "nan",
            "NaN",
            "inf",
            "-Infinity",
            "0x10",
            "1_000",
            "t",
            "",
            " ",
            str(2**63),
            str(-(2**63) - 1),
            "9" * 30,
            "x" * 2049,
            "é" * 1025,
            str(now_ms() * 1_000_000),
        ]
    ),
    st.text(max_size=10),
)


def _values() -> st.SearchStrategy[str]:
    return mutated(st.one_of(*GOOD_VALUES.values()), BAD_VALUES)


def _columns() -> st.SearchStrategy[str]:
    return mutated(
        st.sampled_from(["time", "host", "region", "cpu", "mem", "flag"]),
        st.one_of(
            st.sampled_from(["nope", "measure_name", "", "ts_x", "a:b", "x" * 257]),
            st.text(max_size=6),
        ),
    )


def _dimension_names() -> st.SearchStrategy[str]:
    return mutated(
        st.sampled_from(["host", "region", "cpu", "usage", "mem", "up", "rack", "load"]),
        st.one_of(
            st.sampled_from(
                ["", "time", "measure_name", "measure_value::double", "ts_x", "a:b", "x" * 61]
            ),
            st.sampled_from(["x" * 60, "é" * 31, "é" * 30]),
            st.text(max_size=8),
        ),
    )


def _kms_keys() -> st.SearchStrategy[str]:
    return mutated(
        st.sampled_from(
            [
                "alias/k",
                "12345678-1234-1234-1234-123456789012",
                "mrk-" + "a" * 32,
                f"arn:aws:kms:{REGION}:{ACCOUNT}:key/12345678-1234-1234-1234-123456789012",
                f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/k",
            ]
        ),
        st.one_of(st.sampled_from(["", "alias/", "x" * 2049]), st.text(max_size=10)),
    )


def _buckets() -> st.SearchStrategy[str]:
    return mutated(
        st.sampled_from([SOURCE_BUCKET, SOURCE_BUCKET, REPORT_BUCKET, "missing-bucket"]),
        st.one_of(st.sampled_from(["ab", "AB-c", "x" * 64, ""]), st.text(max_size=8)),
    )


def _keys() -> st.SearchStrategy[str]:
    return mutated(
        st.sampled_from(["src/", "src/data.csv", "src", MODEL_KEY, "models/broken.json", "nope/"]),
        st.one_of(
            st.sampled_from(["", "a", "/x", ".x", "x" * 929, "x" * 1025]), st.text(max_size=8)
        ),
    )


def _chars() -> st.SearchStrategy[str]:
    return mutated(
        st.sampled_from([",", ";", "|", "\t", '"', "'", "\\", "a", " "]),
        st.one_of(st.sampled_from(["\n", "\r", "", ",,"]), st.text(min_size=0, max_size=2)),
    )


def _tag_keys() -> st.SearchStrategy[str]:
    return mutated(
        st.one_of(
            st.sampled_from(["team", "k", "env"]), st.from_regex(r"[a-z]{1,8}", fullmatch=True)
        ),
        st.one_of(
            st.sampled_from(["aws:x", "AWS:y", "", "x" * 129, "bad#key"]), st.text(max_size=6)
        ),
    )


def _tag_values() -> st.SearchStrategy[str]:
    return mutated(
        st.one_of(st.sampled_from(["a", "v", ""]), st.from_regex(r"[a-z ]{0,8}", fullmatch=True)),
        st.one_of(st.sampled_from(["aws:z", "x" * 257, "bad#value"]), st.text(max_size=6)),
    )


class ModelStrategies:
    """Hypothesis strategies for request members, generated from botocore shapes.

    With ``botocore_safe`` the mutations keep structures as dicts and lists as
    lists, so botocore's serializer (which trusts them, validation being off)
    can send them; otherwise any JSON value can stand anywhere.
    """

    def __init__(self, world: World, botocore_safe: bool) -> None:
        self.world = world
        self.safe = botocore_safe
        self.by_member: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
            "DatabaseName": lambda: _names(DATABASES),
            "TableName": lambda: _names(TABLE_NAMES),
            "TargetDatabaseName": lambda: _names(DATABASES),
            "TargetTableName": lambda: _names(TABLE_NAMES),
            "ResourceARN": _arns,
            "NextToken": _tokens,
            "TaskId": lambda: _task_ids(world),
            "Time": _times,
            "MeasureValue": _values,
            "KmsKeyId": _kms_keys,
            "BucketName": _buckets,
            "ObjectKeyPrefix": _keys,
            "ObjectKey": _keys,
            "SourceColumn": _columns,
            "TimeColumn": _columns,
            "MeasureNameColumn": _columns,
            "DestinationColumn": _columns,
            "TargetMultiMeasureAttributeName": _columns,
            "TargetMultiMeasureName": _columns,
            "TargetMeasureName": _columns,
            "ColumnSeparator": _chars,
            "EscapeChar": _chars,
            "QuoteChar": _chars,
        }
        # Members whose meaning depends on the structure they are in.
        self.by_shape_member: dict[tuple[str, str], Callable[[], st.SearchStrategy[Any]]] = {
            ("Dimension", "Name"): _dimension_names,
            ("Dimension", "Value"): lambda: mutated(
                st.sampled_from(["h1", "h2", "eu"]),
                st.one_of(st.sampled_from(["", "x" * 2049]), st.text(max_size=6)),
            ),
            ("MeasureValue", "Name"): _dimension_names,
            ("MeasureValue", "Value"): _values,
            ("Record", "MeasureName"): _dimension_names,
            ("PartitionKey", "Name"): _dimension_names,
            ("MixedMeasureMapping", "MeasureName"): _columns,
            ("Tag", "Key"): _tag_keys,
            ("Tag", "Value"): _tag_values,
        }
        self._cache: dict[tuple[str, str, str], st.SearchStrategy[Any]] = {}
        self._inputs: dict[str, st.SearchStrategy[dict[str, Any]]] = {}

    def input(self, operation: str) -> st.SearchStrategy[dict[str, Any]]:
        cached = self._inputs.get(operation)
        if cached is None:
            cached = self._inputs[operation] = self._input(operation)
        return cached

    def _input(self, operation: str) -> st.SearchStrategy[dict[str, Any]]:
        shape = MODEL.operation_model(operation).input_shape
        if shape is None:
            return st.dictionaries(st.text(max_size=5), ANY_JSON, max_size=2)
        generic = self.structure(shape)
        if operation == "CreateBatchLoadTask":
            return st.one_of(generic, self.batch_load_request(shape))
        if operation == "WriteRecords":
            return st.one_of(generic, self.write_request(), self.write_request())
        return generic

    def write_request(self) -> st.SearchStrategy[dict[str, Any]]:
        """Typed records into a table that exists, to reach the write path's rules."""
        return st.builds(
            lambda table, records, common: {
                "DatabaseName": table[0],
                "TableName": table[1],
                "Records": records,
                **({} if common is None else {"CommonAttributes": common}),
            },
            TABLES,
            st.lists(self.typed_record(), min_size=1, max_size=5),
            st.one_of(st.none(), st.none(), self.common_attributes()),
        )

    def batch_load_request(self, shape: StructureShape) -> st.SearchStrategy[dict[str, Any]]:
        """A request with every part present, to reach the data model rules and the run."""

        def part(*path: str) -> st.SearchStrategy[Any]:
            node: Shape = shape
            for name in path:
                node = node.members[name]  # type: ignore[attr-defined]
            return self.value(node, path[-1], "")

        model = st.one_of(
            st.fixed_dictionaries({"DataModel": part("DataModelConfiguration", "DataModel")}),
            st.fixed_dictionaries(
                {
                    "DataModelS3Configuration": st.fixed_dictionaries(
                        {"BucketName": _buckets(), "ObjectKey": _keys()}
                    )
                }
            ),
        )
        source = st.fixed_dictionaries(
            {
                "DataSourceS3Configuration": st.fixed_dictionaries(
                    {"BucketName": _buckets()}, optional={"ObjectKeyPrefix": _keys()}
                ),
                "DataFormat": mutated(st.just("CSV"), st.just("csv")),
            },
            optional={
                "CsvConfiguration": part("DataSourceConfiguration", "CsvConfiguration"),
            },
        )
        report = st.fixed_dictionaries(
            {
                "ReportS3Configuration": st.fixed_dictionaries(
                    {"BucketName": _buckets()},
                    optional={
                        "ObjectKeyPrefix": _keys(),
                        "EncryptionOption": st.sampled_from(["SSE_S3", "SSE_KMS"]),
                        "KmsKeyId": _kms_keys(),
                    },
                )
            }
        )
        return st.tuples(TABLES, model, source, report, st.sampled_from([None, 1, 2, 5, 0])).map(
            lambda parts: {
                "TargetDatabaseName": parts[0][0],
                "TargetTableName": parts[0][1],
                "DataModelConfiguration": parts[1],
                "DataSourceConfiguration": parts[2],
                "ReportConfiguration": parts[3],
                **({} if parts[4] is None else {"RecordVersion": parts[4]}),
            }
        )

    def value(self, shape: Shape, member: str, parent: str) -> st.SearchStrategy[Any]:
        key = (parent, member, shape.name)
        cached = self._cache.get(key)
        if cached is None:
            # Deferred: the strategies of nested shapes are built on first draw.
            cached = st.deferred(lambda: self._value(shape, member, parent))
            self._cache[key] = cached
        return cached

    def _value(self, shape: Shape, member: str, parent: str) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            normal: st.SearchStrategy[Any] = self.structure(shape)
            if member == "CommonAttributes":
                normal = st.one_of(normal, self.common_attributes())
            elif shape.name == "Record":
                typed = self.typed_record()
                normal = st.one_of(normal, typed, typed, typed, typed)
            if shape.name == "DataModel":
                normal = st.one_of(normal, st.just(VALID_DATA_MODEL))
        elif kind == "list":
            normal = self.list_of(shape, member)
        else:
            normal = self.scalar(shape, member, parent)
        if self.safe and kind in ("structure", "list"):
            return normal
        return mutated(normal, ANY_JSON)

    def structure(self, shape: StructureShape) -> st.SearchStrategy[dict[str, Any]]:
        members = [
            (name, self.value(member, name, shape.name), name in shape.required_members)
            for name, member in shape.members.items()
        ]

        @st.composite
        def build(draw: st.DrawFn) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for name, strategy, required in members:
                present = not draw(chance(30)) if required else draw(st.booleans())
                if present:
                    result[name] = draw(strategy)
            for db_member, table_member in PAIRED_MEMBERS:
                if db_member in result and table_member in result and draw(st.integers(0, 3)):
                    # Mostly a table that exists, so the request reaches the rules past it.
                    result[db_member], result[table_member] = draw(TABLES)
            if draw(chance(20)):
                result[draw(st.sampled_from(["Unknown", "databaseName", ""]))] = draw(ANY_JSON)
            return result

        return build()

    def list_of(self, shape: Shape, member: str) -> st.SearchStrategy[list[Any]]:
        element = self.value(shape.member, "member", shape.name)  # type: ignore[attr-defined]
        high = shape.metadata.get("max")

        @st.composite
        def build(draw: st.DrawFn) -> list[Any]:
            if draw(chance(50)):
                if high is not None and draw(st.booleans()):
                    # One element repeated past the maximum: 101 records, 201 tags...
                    return [draw(element)] * (high + 1)
                return []
            items: list[Any] = draw(st.lists(element, min_size=1, max_size=3))
            if member == "Records" and draw(st.integers(0, 3)) == 0:
                # The same record twice in one request (§8.4).
                items.append(copy.deepcopy(items[0]))
            return items

        return build()

    def scalar(self, shape: Shape, member: str, parent: str) -> st.SearchStrategy[Any]:
        special = self.by_shape_member.get((parent, member)) or self.by_member.get(member)
        if special is not None:
            return special()
        meta = shape.metadata
        kind = shape.type_name
        if kind == "string":
            enum = meta.get("enum")
            if enum:
                return mutated(
                    st.sampled_from(enum),
                    st.one_of(
                        st.sampled_from(enum).map(str.lower),
                        st.sampled_from(["", "UNKNOWN", "MULTI", "TIMESTAMP"]),
                    ),
                )
            low, high = meta.get("min", 0), meta.get("max")
            sizes = [0, low, max(low - 1, 0)] + ([high, high + 1] if high else [300])
            return mutated(
                st.text(min_size=max(low, 1), max_size=max(low, 10)),
                st.sampled_from(sizes).map(lambda n: "x" * n),
            )
        if kind in ("integer", "long"):
            low, high = meta.get("min"), meta.get("max")
            edges = [0, -1, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**30]
            if low is not None:
                edges += [low - 1]
            if high is not None:
                edges += [high + 1]
            return mutated(
                st.one_of(
                    st.integers(min_value=low or 1, max_value=min(high or 5, 100)),
                    st.sampled_from([v for v in (low, high) if v is not None] or [1]),
                ),
                st.sampled_from(edges),
            )
        if kind == "boolean":
            return st.booleans()
        return ANY_JSON

    @staticmethod
    def common_attributes() -> st.SearchStrategy[dict[str, Any]]:
        """What callers put in CommonAttributes (§6.2): a few fields all records share."""
        return st.fixed_dictionaries(
            {},
            optional={
                "Dimensions": st.sampled_from(
                    [[{"Name": "rack", "Value": "r1"}], [{"Name": "host", "Value": "h9"}]]
                ),
                "Time": _times(),
                "TimeUnit": st.sampled_from(["MILLISECONDS", "SECONDS"]),
                "MeasureValueType": st.sampled_from(["DOUBLE", "BIGINT", "MULTI"]),
                "Version": st.sampled_from([1, 2, 5]),
            },
        )

    def typed_record(self) -> st.SearchStrategy[dict[str, Any]]:
        """A record whose value matches its type, to reach the write path's deeper
        rules (type locks, partition keys, the window, versions)."""
        dimension = st.fixed_dictionaries(
            {
                "Name": _dimension_names(),
                "Value": mutated(st.sampled_from(["h1", "h2", "eu"]), st.just("")),
            }
        )
        versions = mutated(st.sampled_from([1, 2, 3, 4]), st.sampled_from([0, -1, 2**63 - 1]))
        units = st.sampled_from(["MILLISECONDS", "SECONDS", "MICROSECONDS", "NANOSECONDS"])

        @st.composite
        def build(draw: st.DrawFn) -> dict[str, Any]:
            record: dict[str, Any] = {
                "Dimensions": draw(st.lists(dimension, min_size=1, max_size=3)),
                "MeasureName": draw(_dimension_names()),
                "Time": draw(_times()),
            }
            if draw(st.booleans()):
                kind = draw(st.sampled_from(["DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN"]))
                record["MeasureValueType"] = kind
                record["MeasureValue"] = draw(mutated(GOOD_VALUES[kind], BAD_VALUES))
            else:
                record["MeasureValueType"] = "MULTI"
                items = []
                for name in draw(st.lists(_dimension_names(), min_size=1, max_size=4)):
                    kind = draw(st.sampled_from(list(GOOD_VALUES)))
                    value = draw(mutated(GOOD_VALUES[kind], BAD_VALUES))
                    items.append({"Name": name, "Value": value, "Type": kind})
                record["MeasureValues"] = items
            if draw(st.booleans()):
                record["Version"] = draw(versions)
            if draw(st.integers(0, 3)) == 0:
                unit = draw(units)
                record["TimeUnit"] = unit
                if not draw(chance()):
                    # The same instant in that unit (TIMESTAMP values follow it too).
                    offset_ms = int(record["Time"]) - now_ms() if _is_int(record["Time"]) else 0
                    scale = UNIT_NS[unit]
                    record["Time"] = str((time.time_ns() + offset_ms * 1_000_000) // scale)
            return record

        return build()


# --- checks ------------------------------------------------------------------------------


def documented(operation: str) -> set[str]:
    errors = {shape.name for shape in MODEL.operation_model(operation).error_shapes}
    # The request framework refuses a malformed request of any operation (§5.13).
    return errors | {"ValidationException"}


def check_error(operation: str, code: str, status: int, message: str | None) -> None:
    assert code != "InternalServerException", f"{operation}: {message}"
    assert code in documented(operation), f"{operation} answered {code}: {message}"
    assert status == STATUS[code], (operation, code, status)
    assert message, f"{operation} answered {code} without a message"
    if message[0].isdigit() and "validation error" in message:
        assert CORAL.fullmatch(message), message


def check_state_after_error(
    operation: str,
    params: dict[str, Any],
    response: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    code = response["Error"]["Code"]
    if code != "RejectedRecordsException":
        assert after == before, f"{operation} refused with {code} but changed the state"
        return
    # Partly accepted (§6.1 class 4): only the accepted records of the target table.
    db, table = params["DatabaseName"], params["TableName"]
    rejected = response["RejectedRecords"]
    assert rejected, "RejectedRecordsException without RejectedRecords"
    indexes = [entry["RecordIndex"] for entry in rejected]
    assert indexes == sorted(set(indexes)), indexes
    assert all(0 <= i < len(params["Records"]) for i in indexes), indexes
    assert all(entry["Reason"] for entry in rejected)
    assert without_table(after, db, table) == without_table(before, db, table)
    assert changed_records(before, after, db, table) <= len(params["Records"]) - len(rejected)


def scramble(value: Any) -> None:
    """Change every string and number inside the caller's containers, in place."""
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    for key, item in items:
        if isinstance(item, (dict, list)):
            scramble(item)
        elif isinstance(item, str):
            value[key] = item + "~"
        elif isinstance(item, int) and not isinstance(item, bool):
            value[key] = item + 1


def no_internal_errors(ts: TimestreamWriteMock) -> None:
    bad = [call for call in ts.calls if call.error_code == "InternalServerException"]
    assert not bad, [(call.operation, call.params) for call in bad]


# --- through a boto3 client without client-side validation --------------------------------


class Sent:
    """The requests a client sent (what reached the mock), by X-Amz-Target."""

    def __init__(self, client: Any) -> None:
        self.targets: list[str] = []
        client.meta.events.register_first("before-send.timestream-write", self._capture)

    def _capture(self, request: AWSPreparedRequest, **kwargs: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        self.targets.append(target.decode() if isinstance(target, bytes) else str(target))


_CLIENTS: dict[str, Any] = {}


def unvalidated_client() -> tuple[Any, Sent]:
    """One client for all examples (building clients is slow); the mock answers it
    whichever activation is running."""
    if "client" not in _CLIENTS:
        with mock_timestream_write():
            client = boto3.Session().client(
                "timestream-write",
                region_name=REGION,
                config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
            )
        _CLIENTS["client"] = client
        _CLIENTS["sent"] = Sent(client)
    return _CLIENTS["client"], _CLIENTS["sent"]


def method_name(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _fuzz_operation_through_boto3(operation: str, ts: TimestreamWriteMock) -> None:
    client, sent = unvalidated_client()
    strategies = ModelStrategies(World(task_ids=[]), botocore_safe=True)

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        world = populate(ts)
        strategies.world.task_ids[:] = world.task_ids
        params = data.draw(strategies.input(operation), label="params")
        before = snapshot(ts)
        as_sent = repr(params)
        sent.targets.clear()
        try:
            getattr(client, method_name(operation))(**params)
        except ClientError as error:
            response = error.response
            event(f"{response['Error']['Code']}: {response['Error'].get('Message', '')[:60]}")
            check_error(
                operation,
                response["Error"]["Code"],
                response["ResponseMetadata"]["HTTPStatusCode"],
                response["Error"].get("Message"),
            )
            check_state_after_error(operation, params, dict(response), before, snapshot(ts))
        except Exception:
            # botocore itself refused to serialize the members: nothing was sent.
            assert TARGET_PREFIX + operation not in sent.targets
            assume(False)
        else:
            event("success")
        no_internal_errors(ts)
        # The mock never changes the caller's objects...
        assert repr(params) == as_sent, f"{operation} changed the members it was sent"
        # ...and keeps none of them: changing them afterwards changes nothing stored.
        after = snapshot(ts)
        scramble(params)
        assert snapshot(ts) == after, f"{operation} keeps the caller's objects"

    run()


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_survives_mutated_members(operation: str, ts: TimestreamWriteMock) -> None:
    _fuzz_operation_through_boto3(operation, ts)


# --- the same members as raw JSON, any type anywhere ---------------------------------------


def send_raw(headers: dict[str, Any], body: Any) -> tuple[int, dict[str, Any]]:
    """Hand a hand-built request to tsmock's botocore hook; (status, decoded body)."""
    http_headers = HTTPHeaders()
    for name, value in headers.items():
        http_headers[name] = value
    request = AWSPreparedRequest("POST", INGEST, http_headers, body, stream_output=False)
    response = intercept.before_send(request)
    assert response is not None, "the hook did not answer while a mock is active"
    payload = response.content
    decoded = json.loads(payload) if payload else {}
    assert isinstance(decoded, dict)
    return response.status_code, decoded


def error_parts(body: dict[str, Any]) -> tuple[str, str | None]:
    kind = body.get("__type")
    assert isinstance(kind, str) and "#" in kind, body
    return kind.rsplit("#", 1)[1], body.get("message", body.get("Message"))


def headers_for(operation: str) -> dict[str, str]:
    return {
        "X-Amz-Target": TARGET_PREFIX + operation,
        "Content-Type": "application/x-amz-json-1.0",
    }


def test_any_json_in_any_member_is_refused_cleanly(ts: TimestreamWriteMock) -> None:
    # Through the hook, not boto3: botocore cannot serialize a list where its
    # model has a structure, but a raw caller can send one.
    strategies = ModelStrategies(World(task_ids=[]), botocore_safe=False)

    @settings(FUZZ, max_examples=200)
    @given(operation=st.sampled_from(OPERATIONS), data=st.data())
    def run(operation: str, data: st.DataObject) -> None:
        world = populate(ts)
        strategies.world.task_ids[:] = world.task_ids
        params = data.draw(strategies.input(operation), label="params")
        before = snapshot(ts)
        status, decoded = send_raw(headers_for(operation), json.dumps(params))
        if status != 200:
            code, message = error_parts(decoded)
            check_error(operation, code, status, message)
            response = {"Error": {"Code": code}, **decoded}
            check_state_after_error(operation, params, response, before, snapshot(ts))
        no_internal_errors(ts)

    run()


# --- malformed HTTP -----------------------------------------------------------------------

TARGETS = st.one_of(
    st.sampled_from([TARGET_PREFIX + name for name in OPERATIONS]),
    st.sampled_from(
        [
            "",
            TARGET_PREFIX,
            TARGET_PREFIX + "Nope",
            TARGET_PREFIX + "describeEndpoints",
            "Timestream_20181102.ListDatabases",
            "ListDatabases",
            "Timestream_20181101.ListDatabases ",
            "timestream_20181101.ListDatabases",
        ]
    ),
    st.text(max_size=30),
)
BODIES = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=40),
    st.sampled_from(
        [
            b"",
            b"{",
            b"null",
            b"[]",
            b"[{}]",
            b'"text"',
            b"42",
            b"true",
            b"{}",
            b'{"DatabaseName": }',
            b"\xff\xfe\x00",
            b"[" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b'{"DatabaseName": "db1"}{"x": 1}',
            b'{"DatabaseName": NaN}',
        ]
    ),
    ANY_JSON.map(lambda value: json.dumps(value)),
)


def expect_clean_error(target: str | None, status: int, body: dict[str, Any]) -> None:
    operation = target[len(TARGET_PREFIX) :] if target else ""
    if operation not in OPERATIONS or not (target or "").startswith(TARGET_PREFIX):
        assert status == 404, (target, status, body)
        assert body.get("__type") == "com.amazon.coral.service#UnknownOperationException"
        return
    if status == 200:
        return
    code, message = error_parts(body)
    check_error(operation, code, status, message)


@FUZZ
@given(target=st.one_of(st.none(), TARGETS), body=BODIES)
def test_malformed_requests_through_the_botocore_hook(
    ts: TimestreamWriteMock, target: str | None, body: bytes | str
) -> None:
    populate(ts)
    before = snapshot(ts)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    status, decoded = send_raw(headers, body)
    expect_clean_error(target, status, decoded)
    if status != 200:
        assert snapshot(ts) == before
    no_internal_errors(ts)


#: Header values ``requests`` itself agrees to send.
HEADER_TARGETS = TARGETS.filter(lambda t: re.fullmatch(r"(?:[!-~][ -~]*)?", t) is not None)


@settings(FUZZ, max_examples=60)
@given(target=st.one_of(st.none(), HEADER_TARGETS), body=BODIES)
def test_malformed_requests_through_requests(
    ts: TimestreamWriteMock, target: str | None, body: bytes | str
) -> None:
    populate(ts)
    before = snapshot(ts)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    response = requests.post(INGEST, data=body, headers=headers, timeout=5)
    decoded = response.json() if response.content else {}
    assert isinstance(decoded, dict)
    expect_clean_error(target, response.status_code, decoded)
    if response.status_code != 200:
        assert snapshot(ts) == before
    no_internal_errors(ts)


# --- the same ground, example by example -------------------------------------------------

#: A value of the wrong JSON type for each kind of shape.
WRONG_TYPE = {
    "string": 7,
    "integer": "7",
    "long": 7.5,
    "boolean": "true",
    "list": {"not": "a list"},
    "structure": ["not", "an object"],
}
TOP_LEVEL_MEMBERS = [
    (operation, name, shape.type_name)
    for operation in OPERATIONS
    if (input_shape := MODEL.operation_model(operation).input_shape) is not None
    for name, shape in input_shape.members.items()
]


@pytest.mark.parametrize(("operation", "member", "kind"), TOP_LEVEL_MEMBERS)
def test_a_member_of_the_wrong_type_is_named(
    ts: TimestreamWriteMock, operation: str, member: str, kind: str
) -> None:
    populate(ts)
    before = snapshot(ts)
    status, body = send_raw(headers_for(operation), json.dumps({member: WRONG_TYPE[kind]}))
    assert status == 400, body
    assert body["__type"] == "com.amazon.coral.validate#ValidationException"
    path = member[0].lower() + member[1:]
    assert f"at '{path}' failed to satisfy constraint: Member must be of type " in body["message"]
    assert snapshot(ts) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_missing_required_member_is_named(ts: TimestreamWriteMock, operation: str) -> None:
    required = MODEL.operation_model(operation).input_shape
    names = list(required.required_members) if required is not None else []
    status, body = send_raw(headers_for(operation), "{}")
    if not names:
        assert status == 200, body
        return
    assert status == 400
    count = len(names)
    assert body["message"].startswith(
        f"{count} validation error{'s' if count > 1 else ''} detected: "
    )
    for name in names:
        path = name[0].lower() + name[1:]
        assert (
            f"Value null at '{path}' failed to satisfy constraint: Member must not be null"
            in (body["message"])
        )


#: The ways a hand-built request may carry one body (what urllib3 would send).
WRAPPERS: dict[str, Callable[[bytes], Any]] = {
    "bytes": lambda data: data,
    "str": lambda data: data.decode("utf-8", "replace"),
    "bytearray": bytearray,
    "memoryview": memoryview,
    "file": io.BytesIO,
    "chunks": lambda data: iter([data[:3], data[3:]]),
    "chunk list": lambda data: [data[:1], data[1:]],
}


def answer_of(status: int, body: dict[str, Any]) -> tuple[int, Any]:
    return (status, error_parts(body) if status != 200 else sorted(body))


@settings(FUZZ, max_examples=60)
@given(
    target=st.sampled_from([TARGET_PREFIX + name for name in OPERATIONS]),
    data=BODIES.map(lambda b: b if isinstance(b, bytes) else b.encode("utf-8")),
    wrapper=st.sampled_from(sorted(WRAPPERS)),
)
def test_the_answer_does_not_depend_on_how_the_body_is_carried(
    ts: TimestreamWriteMock, target: str, data: bytes, wrapper: str
) -> None:
    headers = {"X-Amz-Target": target}
    if wrapper == "str":
        data = data.decode("utf-8", "replace").encode("utf-8")
    populate(ts)
    plain = answer_of(*send_raw(headers, data))
    populate(ts)
    assert answer_of(*send_raw(headers, WRAPPERS[wrapper](data))) == plain
    no_internal_errors(ts)


@pytest.mark.parametrize(
    "body", [42, object(), [1, 2], [10**12], {"DatabaseName": "db1"}, iter([None])]
)
def test_a_body_that_cannot_be_read_is_not_json(ts: TimestreamWriteMock, body: Any) -> None:
    status, decoded = send_raw(headers_for("CreateDatabase"), body)
    assert (status, decoded) == (
        400,
        {
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "1 validation error detected: the request body is not valid JSON",
        },
    )
    assert ts.backend(REGION).databases == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "1 validation error detected: the request body is not valid JSON"),
        (b"\xff", "1 validation error detected: the request body is not valid JSON"),
        (b"[]", "1 validation error detected: the request body must be a JSON object"),
        (b'"db1"', "1 validation error detected: the request body must be a JSON object"),
        (b"null", "1 validation error detected: the request body must be a JSON object"),
    ],
)
@pytest.mark.parametrize("operation", ["CreateDatabase", "WriteRecords", "DescribeEndpoints"])
def test_bodies_that_are_not_objects_are_validation_errors(
    ts: TimestreamWriteMock, operation: str, body: bytes, message: str
) -> None:
    status, decoded = send_raw(headers_for(operation), body)
    assert status == 400
    assert decoded == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": message,
    }
    response = requests.post(INGEST, data=body, headers=headers_for(operation), timeout=5)
    assert response.status_code == 400
    assert response.json() == decoded


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Amz-Target": ""},
        {"X-Amz-Target": "Timestream_20181101.DropEverything"},
        {"X-Amz-Target": "Kinesis_20131202.ListStreams"},
        {"X-Amz-Target": b"Timestream_20181101.\xff"},
    ],
)
def test_unknown_or_missing_targets_are_unknown_operations(
    ts: TimestreamWriteMock, headers: dict[str, Any]
) -> None:
    status, decoded = send_raw(headers, b"{}")
    assert status == 404
    assert decoded["__type"] == "com.amazon.coral.service#UnknownOperationException"
    assert ts.calls[-1].error_code == "UnknownOperationException"


# --- batch load sources that are not what the data model expects ---------------------------

CSV_COLUMNS = ["time", "host", "region", "cpu", "mem", "flag"]
MIXED_DATA_MODEL: dict[str, Any] = {
    "TimeColumn": "time",
    "TimeUnit": "MILLISECONDS",
    "DimensionMappings": [{"SourceColumn": "host", "DestinationColumn": "server"}],
    "MeasureNameColumn": "flag",
    "MixedMeasureMappings": [
        {"MeasureName": "a", "SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
        {
            "MeasureName": "b",
            "MeasureValueType": "MULTI",
            "TargetMeasureName": "m",
            "MultiMeasureAttributeMappings": [
                {"SourceColumn": "mem", "MeasureValueType": "BIGINT"},
                {"SourceColumn": "region", "MeasureValueType": "VARCHAR"},
            ],
        },
    ],
}


@st.composite
def csv_sources(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A CSV text and the CsvConfiguration it is read with: mostly sensible, often not."""
    config: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "ColumnSeparator": st.sampled_from([",", ";", "|", "\t", " "]),
                "QuoteChar": st.sampled_from(['"', "'"]),
                "EscapeChar": st.sampled_from(["\\", "#"]),
                "NullValue": st.sampled_from(["NULL", " ", "-"]),
                "TrimWhiteSpace": st.booleans(),
            },
        )
    )
    separator = config.get("ColumnSeparator", ",")
    quote = config.get("QuoteChar", '"')
    header = draw(
        st.one_of(
            st.just(CSV_COLUMNS),
            st.permutations(CSV_COLUMNS),
            st.lists(st.sampled_from([*CSV_COLUMNS, "", "x y", quote]), max_size=8),
        )
    )
    field = st.one_of(
        st.builds(lambda: str(now_ms())),
        st.sampled_from(["h1", "1.5", "10", "true", "a", "b", "", "NULL", " 7 ", "1e999"]),
        st.sampled_from([separator, quote, quote * 2, "\n", "\r\n", "\\", "#", "\ufeff"]),
        st.text(max_size=6),
    )

    def quoted(text: str) -> str:
        return f"{quote}{text.replace(quote, quote * 2)}{quote}"

    rows = [separator.join(header)]
    for _ in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        fields = [draw(field) for _ in range(max(width, 0))]
        fields = [quoted(f) if draw(st.integers(0, 4)) == 0 else f for f in fields]
        rows.append(separator.join(fields))
    ending = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    text = (
        draw(st.sampled_from(["", "\ufeff"]))
        + ending.join(rows)
        + draw(st.sampled_from(["", ending]))
    )
    return text, config


@settings(FUZZ, max_examples=75)
@given(
    source=csv_sources(),
    model=st.sampled_from([VALID_DATA_MODEL, MIXED_DATA_MODEL]),
    version=st.integers(1, 3),
)
def test_batch_load_of_malformed_csv_ends_in_a_final_status(
    ts: TimestreamWriteMock, source: tuple[str, dict[str, Any]], model: dict[str, Any], version: int
) -> None:
    populate(ts)
    text, csv_configuration = source
    ts.put_object(SOURCE_BUCKET, "fuzz/data.csv", text)
    before = len(ts.records("db1", "tbl1"))
    client, _ = unvalidated_client()
    data_source: dict[str, Any] = {
        "DataSourceS3Configuration": {"BucketName": SOURCE_BUCKET, "ObjectKeyPrefix": "fuzz/"},
        "DataFormat": "CSV",
    }
    if csv_configuration:
        data_source["CsvConfiguration"] = csv_configuration
    try:
        task_id = client.create_batch_load_task(
            DataModelConfiguration={"DataModel": model},
            DataSourceConfiguration=data_source,
            ReportConfiguration={"ReportS3Configuration": {"BucketName": REPORT_BUCKET}},
            TargetDatabaseName="db1",
            TargetTableName="tbl1",
            RecordVersion=version,
        )["TaskId"]
    except ClientError as error:
        # Only the CSV options can be refused here (e.g. an escape equal to the quote).
        response = error.response
        check_error(
            "CreateBatchLoadTask",
            response["Error"]["Code"],
            response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message"),
        )
        assert response["Error"]["Code"] == "ValidationException"
        no_internal_errors(ts)
        return
    task = client.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
    assert task["TaskStatus"] in ("SUCCEEDED", "FAILED"), task
    progress = task["ProgressReport"]
    assert progress["RecordsProcessed"] == (
        progress["RecordsIngested"]
        + progress["RecordIngestionFailures"]
        + progress["ParseFailures"]
    ), progress
    assert len(ts.records("db1", "tbl1")) - before <= progress["RecordsIngested"]
    failed = progress["ParseFailures"] or progress["RecordIngestionFailures"]
    failed = failed or progress["FileFailures"] or task.get("ErrorMessage")
    assert (task["TaskStatus"] == "FAILED") == bool(failed), task
    if task["TaskStatus"] == "FAILED":
        # The error report is valid JSON (reference §10.8).
        reports = ts.list_objects(REPORT_BUCKET)
        assert reports
        for key in reports:
            json.loads(ts.get_object(REPORT_BUCKET, key))
    no_internal_errors(ts)


def test_the_fuzzer_sees_a_refusal_that_changes_state() -> None:
    # The state check must be able to fail: a snapshot sees a tag added behind
    # the back of a refused call.
    with mock_timestream_write() as ts:
        populate(ts)
        before = snapshot(ts)
        ts.backend(REGION).databases["db1"].tags["sneaky"] = "1"
        response = {"Error": {"Code": "ValidationException"}}
        with pytest.raises(AssertionError, match="changed the state"):
            check_state_after_error("TagResource", {}, response, before, snapshot(ts))
        with pytest.raises(AssertionError):
            check_error("ListDatabases", "InternalServerException", 500, "boom")
        with pytest.raises(AssertionError):
            check_error("DescribeBatchLoadTask", "ConflictException", 409, "x")
