#!/usr/bin/env python
"""Performance figures of tsmock, next to the boto3 floor and moto, from one process.

    python benchmarks/run.py            # the full run (about 2-3 minutes)
    python benchmarks/run.py --quick    # fewer repetitions, smaller tables (about 1 minute)
    python benchmarks/run.py --only 4,5 # some measurements only
    python benchmarks/run.py --profile  # cProfile of describe_database and write_records
    python benchmarks/run.py --cpu-time # samples in thread CPU time (busy machines)

Nothing here asserts: the script prints a table of medians (and p90) per
operation, ratios against the floor, and each target with PASS or FAIL. A
measurement that fails prints an error line; the others still run. See
benchmarks/README.md for what every figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Fake credentials and no configuration files: nothing is ever sent, and no user
# setting (profile, region, endpoint) may change what is measured. With
# credentials in the environment, tsmock's own environment step is a no-op.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)
for _name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
    os.environ.pop(_name, None)

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402

import tsmock  # noqa: E402
from tsmock import mock_timestream_write  # noqa: E402

try:  # moto is optional: without it, its rows are left out.
    import moto
    from moto import mock_aws
except ImportError:  # pragma: no cover - depends on the environment
    moto = None
    mock_aws = None

REGION = "us-east-1"
ACCOUNT = "123456789012"
DATABASE = "bench_db"
TABLE = "bench_table"
SERVICE = "timestream-write"
NS_PER_MS = 1_000_000
TSMOCK_DIR = os.path.dirname(os.path.abspath(tsmock.__file__))

# Made once, after tsmock and moto are imported, so that its clients carry both
# libraries' handlers (inert while their mock is inactive), as in a real test run.
SESSION = boto3.Session(region_name=REGION)


# --- settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Repetition counts; ``rounds`` alternate the contestants to cancel machine drift."""

    quick: bool
    rounds: int
    start_stop_per_round: int
    moto_start_stop_per_round: int
    tests: int
    #: Items 4 and 5: many short rounds, so that contestants alternate every few calls.
    call_rounds: int
    describe_per_round: int
    write_per_round: int
    import_runs: int
    scale_records: int
    scale_writes: int
    memory_records: int
    moto_memory_records: int


FULL = Settings(
    quick=False,
    rounds=10,
    start_stop_per_round=200,
    moto_start_stop_per_round=20,
    tests=150,
    call_rounds=100,
    describe_per_round=15,
    write_per_round=3,
    import_runs=15,
    scale_records=1_000_000,
    scale_writes=300,
    memory_records=200_000,
    moto_memory_records=20_000,
)
QUICK = Settings(
    quick=True,
    rounds=5,
    start_stop_per_round=100,
    moto_start_stop_per_round=10,
    tests=40,
    call_rounds=30,
    describe_per_round=15,
    write_per_round=3,
    import_runs=7,
    scale_records=200_000,
    scale_writes=100,
    memory_records=50_000,
    moto_memory_records=5_000,
)


# --- statistics and formatting ---------------------------------------------------------


def median(samples: list[int]) -> float:
    return float(statistics.median(samples))


def p90(samples: list[int]) -> float:
    if len(samples) < 2:
        return float(samples[0])
    return float(statistics.quantiles(samples, n=10, method="inclusive")[-1])


def fmt_delta(ns: float) -> str:
    return ("+" if ns >= 0 else "") + fmt_ns(ns)


def fmt_ns(ns: float) -> str:
    if ns < 0:
        return "-" + fmt_ns(-ns)
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.1f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.2f} ms"
    return f"{ns / 1_000_000_000:.2f} s"


@dataclass
class Row:
    item: str
    contestant: str
    median: str
    p90: str = ""
    n: str = ""
    compare: str = ""


@dataclass
class Target:
    item: str
    text: str
    passed: bool | None  # None: could not be decided


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load_before: float = 0.0

    def timing(self, item: str, contestant: str, samples: list[int], compare: str = "") -> None:
        self.rows.append(
            Row(
                item,
                contestant,
                fmt_ns(median(samples)),
                fmt_ns(p90(samples)),
                str(len(samples)),
                compare,
            )
        )

    def target(self, item: str, text: str, passed: bool | None) -> None:
        self.targets.append(Target(item, text, passed))


def ratio_text(value: float, reference: float, name: str) -> str:
    return f"{value / reference:.2f}x {name}"


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


# --- timing helpers --------------------------------------------------------------------


@dataclass
class Clock:
    """What a sample measures: elapsed time (default) or this thread's CPU time."""

    name: str
    function: Callable[[], int]
    #: The ``time`` function a child process times its import with.
    child: str


WALL = Clock("wall clock (time.perf_counter_ns)", time.perf_counter_ns, "perf_counter_ns")
CPU = Clock("thread CPU time (time.thread_time_ns)", time.thread_time_ns, "process_time_ns")
CLOCK = WALL

Prepare = Callable[[], Any]
Call = Callable[[Any], Any]


def time_calls(
    call: Call, count: int, prepare: Prepare | None = None, warmup: int = 0
) -> list[int]:
    """``count`` timed calls of ``call(prepare())``; ``prepare`` is not timed."""
    clock = CLOCK.function
    for _ in range(warmup):
        call(prepare() if prepare else None)
    samples = []
    for _ in range(count):
        argument = prepare() if prepare else None
        start = clock()
        call(argument)
        samples.append(clock() - start)
    return samples


Round = Callable[[], list[int]]


def interleave(contestants: dict[str, Round], rounds: int) -> dict[str, list[int]]:
    """Run every contestant's round ``rounds`` times, rotating the order each time.

    Other work on the machine then slows all contestants alike, and the ratios
    (all taken from this one process) stay meaningful.
    """
    names = list(contestants)
    results: dict[str, list[int]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            # Young garbage left by the previous contestant is not this one's cost.
            gc.collect(1)
            results[name].extend(contestants[name]())
    return results


@contextlib.contextmanager
def tsmock_active() -> Iterator[Any]:
    mock = mock_timestream_write()
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()


@contextlib.contextmanager
def moto_active() -> Iterator[None]:
    assert mock_aws is not None
    mock = mock_aws()
    mock.start()
    try:
        yield
    finally:
        mock.stop()


# --- the floor: boto3 answered by a canned before-send hook -----------------------------


class _RawBody:
    """What botocore reads a response body from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data


_NOW_S = round(time.time(), 3)
CANNED_BODIES: dict[str, bytes] = {
    "DescribeEndpoints": json.dumps(
        {
            "Endpoints": [
                {
                    "Address": f"ingest-cell1.timestream.{REGION}.amazonaws.com",
                    "CachePeriodInMinutes": 1440,
                }
            ]
        }
    ).encode(),
    "DescribeDatabase": json.dumps(
        {
            "Database": {
                "Arn": f"arn:aws:timestream:{REGION}:{ACCOUNT}:database/{DATABASE}",
                "DatabaseName": DATABASE,
                "TableCount": 1,
                "KmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
                "75c46636-f3dd-567e-bded-624d9518c1ad",
                "CreationTime": _NOW_S,
                "LastUpdatedTime": _NOW_S,
            }
        }
    ).encode(),
    "WriteRecords": json.dumps(
        {"RecordsIngested": {"Total": 100, "MemoryStore": 100, "MagneticStore": 0}}
    ).encode(),
}
_CANNED_HEADERS = {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-requestid": "BENCHMARKFLOOR0000000000000",
}


def _canned_answer(request: Any, **kwargs: Any) -> AWSResponse:
    target = request.headers["X-Amz-Target"]
    if isinstance(target, bytes):
        target = target.decode()
    body = CANNED_BODIES[target.rpartition(".")[2]]
    return AWSResponse(request.url, 200, dict(_CANNED_HEADERS), _RawBody(body))


def _unsigned(**kwargs: Any) -> Any:
    return botocore.UNSIGNED


def floor_client(signed: bool = True) -> Any:
    """A client of the shared session whose requests never leave botocore.

    Signed by default (SigV4 with the fake credentials), as any default client
    is: that is the floor the targets use. ``signed=False`` skips signing, as
    tsmock does while active, for the ``floor (unsigned)`` reference row.
    """
    client = SESSION.client(SERVICE, region_name=REGION)
    events = client.meta.events
    if not signed:
        events.register(f"choose-signer.{SERVICE}", _unsigned)
    events.register(f"before-send.{SERVICE}", _canned_answer)
    return client


def stubber_round(
    operation: str, call: Call, count: int, prepare: Prepare | None = None
) -> list[int]:
    """``count`` calls answered by botocore's Stubber (canned, at before-call): the limit.

    A fresh client per round; its canned answers are queued before the timing.
    """
    from botocore.stub import Stubber

    client = SESSION.client(SERVICE, region_name=REGION)
    stubber = Stubber(client)
    body = json.loads(CANNED_BODIES[operation])
    for _ in range(count + 1):
        stubber.add_response(_PYTHON_NAMES[operation], body)
    with stubber:
        return time_calls(call(client), count, prepare, warmup=1)


_PYTHON_NAMES = {"DescribeDatabase": "describe_database", "WriteRecords": "write_records"}


# --- payloads --------------------------------------------------------------------------


class TimeSource:
    """Distinct millisecond timestamps inside the default memory store window."""

    def __init__(self) -> None:
        self._next = time.time_ns() // NS_PER_MS - 2 * 3600 * 1000

    def take(self, count: int) -> int:
        first = self._next
        self._next += count
        return first


TIMES = TimeSource()
HOSTS = 10
PER_HOST = 10


def _dimensions(host: str) -> list[dict[str, str]]:
    return [
        {"Name": "region", "Value": REGION},
        {"Name": "az", "Value": f"{REGION}a"},
        {"Name": "host", "Value": host},
    ]


def single_measure_batch() -> list[dict[str, Any]]:
    """100 DOUBLE records: 10 hosts x 10 new timestamps, 3 dimensions each."""
    first = TIMES.take(PER_HOST)
    records = []
    for host in range(HOSTS):
        dims = _dimensions(f"host-{host}")
        for step in range(PER_HOST):
            records.append(
                {
                    "Dimensions": dims,
                    "MeasureName": "cpu_utilization",
                    "MeasureValue": f"{(host * PER_HOST + step) * 0.37 + first % 97:.2f}",
                    "MeasureValueType": "DOUBLE",
                    "Time": str(first + step),
                }
            )
    return records


def multi_measure_batch() -> list[dict[str, Any]]:
    """100 MULTI records of 5 DOUBLE measures: 10 hosts x 10 new timestamps."""
    first = TIMES.take(PER_HOST)
    records = []
    for host in range(HOSTS):
        dims = _dimensions(f"host-{host}")
        for step in range(PER_HOST):
            base = (host * PER_HOST + step) * 0.37 + first % 97
            records.append(
                {
                    "Dimensions": dims,
                    "MeasureName": "metrics",
                    "MeasureValueType": "MULTI",
                    "MeasureValues": [
                        {"Name": f"metric_{k}", "Value": f"{base + k:.2f}", "Type": "DOUBLE"}
                        for k in range(5)
                    ],
                    "Time": str(first + step),
                }
            )
    return records


def series_batch(series: int) -> list[dict[str, Any]]:
    """100 DOUBLE records of one series (3 dimensions), 100 new timestamps."""
    first = TIMES.take(100)
    dims = _dimensions(f"series-{series}")
    return [
        {
            "Dimensions": dims,
            "MeasureName": "cpu_utilization",
            "MeasureValue": f"{(series * 100 + step) * 0.01:.2f}",
            "MeasureValueType": "DOUBLE",
            "Time": str(first + step),
        }
        for step in range(100)
    ]


def setup_tsmock_table(mock: Any, tables: tuple[str, ...] = (TABLE,)) -> Any:
    backend = mock.backend(REGION)
    backend.create_database(DATABASE)
    for table in tables:
        backend.create_table(DATABASE, table)
    return backend


def setup_moto_table(client: Any) -> None:
    client.create_database(DatabaseName=DATABASE)
    client.create_table(DatabaseName=DATABASE, TableName=TABLE)


def expect_ingested(response: dict[str, Any]) -> None:
    if response["RecordsIngested"]["Total"] != 100:
        raise AssertionError(f"unexpected response: {response['RecordsIngested']}")


# --- 1. activation ---------------------------------------------------------------------


def bench_start_stop(settings: Settings, report: Report) -> None:
    item = "1 start+stop"

    def tsmock_round() -> list[int]:
        def once(_: Any) -> None:
            mock = mock_timestream_write()
            mock.start()
            mock.stop()

        return time_calls(once, settings.start_stop_per_round, warmup=5)

    contestants: dict[str, Round] = {"tsmock": tsmock_round}
    if mock_aws is not None:

        def moto_round() -> list[int]:
            def once(_: Any) -> None:
                mock = mock_aws()
                mock.start()
                mock.stop()

            return time_calls(once, settings.moto_start_stop_per_round, warmup=2)

        contestants["moto"] = moto_round
    results = interleave(contestants, settings.rounds)
    ts = median(results["tsmock"])
    if "moto" in results:
        mo = median(results["moto"])
        report.timing(item, "tsmock", results["tsmock"], ratio_text(ts, mo, "moto"))
        report.timing(item, "moto mock_aws", results["moto"])
    else:
        report.timing(item, "tsmock", results["tsmock"])
    report.target(item, f"tsmock start+stop {fmt_ns(ts)} <= 0.1 ms", ts <= 0.1 * NS_PER_MS)


# --- 2. one whole test -----------------------------------------------------------------


def bench_test(settings: Settings, report: Report) -> None:
    item = "2 test (start, client, describe)"

    def tsmock_test(_: Any) -> None:
        mock = mock_timestream_write()
        mock.start()
        try:
            mock.backend(REGION).create_database(DATABASE)
            client = SESSION.client(SERVICE, region_name=REGION)
            client.describe_database(DatabaseName=DATABASE)
        finally:
            mock.stop()

    def floor_test(signed: bool) -> Call:
        def run(_: Any) -> None:
            client = floor_client(signed)
            client.describe_database(DatabaseName=DATABASE)

        return run

    def moto_test(_: Any) -> None:
        assert mock_aws is not None
        with mock_aws():
            client = SESSION.client(SERVICE, region_name=REGION)
            client.create_database(DatabaseName=DATABASE)
            client.describe_database(DatabaseName=DATABASE)

    contestants: dict[str, Round] = {
        "floor": lambda: time_calls(floor_test(True), 1),
        "tsmock": lambda: time_calls(tsmock_test, 1),
        "floor (unsigned)": lambda: time_calls(floor_test(False), 1),
    }
    if mock_aws is not None:
        contestants["moto"] = lambda: time_calls(moto_test, 1)
    for run_once in contestants.values():  # warm-up
        for _ in range(3):
            run_once()
    # One test each in turn: drift on the machine hits all contestants alike.
    results = interleave(contestants, settings.tests)
    floor = median(results["floor"])
    ts = median(results["tsmock"])
    unsigned = median(results["floor (unsigned)"])
    report.timing(item, "floor", results["floor"])
    report.timing(
        item,
        "tsmock",
        results["tsmock"],
        f"floor {fmt_delta(ts - floor)}, floor (unsigned) {fmt_delta(ts - unsigned)}",
    )
    report.timing(
        item,
        "floor (unsigned)",
        results["floor (unsigned)"],
        f"floor {fmt_delta(unsigned - floor)}",
    )
    if "moto" in results:
        mo = median(results["moto"])
        report.timing(
            item, "moto (+create_database)", results["moto"], f"floor {fmt_delta(mo - floor)}"
        )
    report.target(
        item,
        f"tsmock test {fmt_ns(ts)} <= floor {fmt_ns(floor)} + 1 ms (added {fmt_ns(ts - floor)})",
        ts - floor <= NS_PER_MS,
    )


# --- 3. import cost --------------------------------------------------------------------

_IMPORT_BASE = "import boto3"
_IMPORT_TIMED = "import boto3, time; t = time.{clock}(); {stmt}; print(time.{clock}() - t)"
#: The first start and stop after ``import boto3, tsmock`` (what loads on first use).
_FIRST_ACTIVATION = (
    "import boto3, time, tsmock; m = tsmock.mock_timestream_write(); "
    "t = time.{clock}(); m.start(); m.stop(); print(time.{clock}() - t)"
)


def _run_python(code: str, *flags: str) -> tuple[int, int, str, str]:
    """(wall ns, child CPU ns, stdout, stderr) of ``python -c code`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter_ns()
    done = subprocess.run(
        [sys.executable, *flags, "-c", code],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=True,
    )
    wall = time.perf_counter_ns() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, int(cpu * 1e9), done.stdout, done.stderr


def _importtime_after_boto3(stmt: str) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of what ``stmt`` imports beyond boto3."""
    _, _, _, stderr = _run_python(f"import boto3; {stmt}", "-X", "importtime")
    lines = [line for line in stderr.splitlines() if line.startswith("import time:")]
    entries: list[tuple[int, int, str]] = []
    after_boto3 = False
    for line in lines[1:]:
        parts = line.split("|")
        if len(parts) != 3:
            continue
        name = parts[2].rstrip()
        if after_boto3:
            entries.append((int(parts[0].split(":")[1]), int(parts[1]), name))
        elif name.strip() == "boto3" and not name.startswith("  "):
            after_boto3 = True
    return entries


def bench_imports(settings: Settings, report: Report) -> None:
    item = "3 import (fresh process)"
    variants = {
        "import boto3": _IMPORT_BASE,
        "+ tsmock": _IMPORT_TIMED.format(
            stmt="from tsmock import mock_timestream_write", clock=CLOCK.child
        ),
    }
    variants["+ first activation"] = _FIRST_ACTIVATION.format(clock=CLOCK.child)
    if moto is not None:
        variants["+ moto"] = _IMPORT_TIMED.format(stmt="import moto", clock=CLOCK.child)
    for code in variants.values():  # warm the file system cache and .pyc files
        _run_python(code)
    walls: dict[str, list[int]] = {name: [] for name in variants}
    cpus: dict[str, list[int]] = {name: [] for name in variants}
    inner: dict[str, list[int]] = {name: [] for name in variants}
    for index in range(settings.import_runs):
        names = list(variants)
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu, stdout, _ = _run_python(variants[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
            if stdout.strip():
                inner[name].append(int(stdout.strip()))
    base_wall, base_cpu = median(walls["import boto3"]), median(cpus["import boto3"])
    report.timing(item, "python -c 'import boto3'", walls["import boto3"], "wall clock")
    for name in variants:
        if name == "import boto3":
            continue
        wall_added = median(walls[name]) - base_wall
        cpu_added = median(cpus[name]) - base_cpu
        report.timing(
            item,
            f"python -c 'import boto3' {name}",
            walls[name],
            f"{fmt_delta(wall_added)} wall, {fmt_delta(cpu_added)} CPU",
        )
        what = "the activation itself" if name == "+ first activation" else "the import itself"
        report.timing(item, f"  {name}: {what}", inner[name], "timed in the child")
    first = median(inner["+ first activation"])
    report.target(
        item,
        f"first activation (start+stop) in a fresh process {fmt_ns(first)} <= 30 ms",
        first <= 30 * NS_PER_MS,
    )
    ts_added = median(inner["+ tsmock"])
    report.target(
        item,
        f"import tsmock after boto3 takes {fmt_ns(ts_added)} <= 30 ms",
        ts_added <= 30 * NS_PER_MS,
    )
    try:
        entries = _importtime_after_boto3("import tsmock")
        top = sorted(entries, reverse=True)[:6]
        report.notes.append(
            "3: -X importtime, modules loaded by `import tsmock` after boto3 (self time): "
            + ", ".join(f"{name.strip()} {own / 1000:.1f} ms" for own, _, name in top)
        )
    except Exception as error:  # the breakdown is a hint only
        report.notes.append(f"3: -X importtime breakdown unavailable: {error!r}")


# --- 4. describe_database on a warm client ---------------------------------------------


def bench_describe(settings: Settings, report: Report) -> None:
    item = "4 describe_database (warm)"
    per_round = settings.describe_per_round
    floor = floor_client()
    floor_unsigned = floor_client(signed=False)
    ts_client = SESSION.client(SERVICE, region_name=REGION)
    moto_client = SESSION.client(SERVICE, region_name=REGION) if mock_aws is not None else None

    def call(client: Any) -> Call:
        return lambda _: client.describe_database(DatabaseName=DATABASE)

    def tsmock_round() -> list[int]:
        with tsmock_active() as mock:
            setup_tsmock_table(mock)
            return time_calls(call(ts_client), per_round, warmup=3)

    def moto_round() -> list[int]:
        with moto_active():
            setup_moto_table(moto_client)
            return time_calls(call(moto_client), per_round // 3, warmup=3)

    contestants: dict[str, Round] = {
        "floor": lambda: time_calls(call(floor), per_round, warmup=3),
        "tsmock": tsmock_round,
        "floor (unsigned)": lambda: time_calls(call(floor_unsigned), per_round, warmup=3),
        "botocore Stubber": lambda: stubber_round("DescribeDatabase", call, per_round),
    }
    if moto_client is not None:
        contestants["moto"] = moto_round
    results = interleave(contestants, settings.call_rounds)
    _report_against_floor(report, item, results)
    ts, fl = median(results["tsmock"]), median(results["floor"])
    report.target(
        item,
        f"tsmock {ts / fl:.2f}x floor <= 0.35x ({fmt_ns(ts)} vs {fmt_ns(fl)})",
        ts <= 0.35 * fl,
    )


def _report_against_floor(report: Report, item: str, results: dict[str, list[int]]) -> None:
    floor = median(results["floor"])
    unsigned = median(results["floor (unsigned)"])
    for name, samples in results.items():
        compare = "" if name == "floor" else ratio_text(median(samples), floor, "floor")
        if name not in ("floor", "floor (unsigned)"):
            # tsmock skips signing: next to the unsigned floor, only its own work remains.
            compare += ", " + ratio_text(median(samples), unsigned, "floor (unsigned)")
        report.timing(item, name, samples, compare)


# --- 5. write_records of 100 records ---------------------------------------------------


def bench_write(settings: Settings, report: Report) -> None:
    kinds: dict[str, tuple[Callable[[], list[dict[str, Any]]], float]] = {
        "100 DOUBLE records": (single_measure_batch, 0.95),
        "100 MULTI records (5 measures)": (multi_measure_batch, 1.0),
    }
    floor = floor_client()
    floor_unsigned = floor_client(signed=False)
    ts_client = SESSION.client(SERVICE, region_name=REGION)
    moto_client = SESSION.client(SERVICE, region_name=REGION) if mock_aws is not None else None
    per_round = settings.write_per_round
    for label, (make_batch, limit) in kinds.items():
        item = f"5 write_records {label}"
        try:
            _bench_write_kind(
                settings,
                report,
                item,
                make_batch,
                limit,
                floor,
                floor_unsigned,
                ts_client,
                moto_client,
                per_round,
            )
        except Exception:
            _record_error(report, item)


def _bench_write_kind(
    settings: Settings,
    report: Report,
    item: str,
    make_batch: Callable[[], list[dict[str, Any]]],
    limit: float,
    floor: Any,
    floor_unsigned: Any,
    ts_client: Any,
    moto_client: Any,
    per_round: int,
) -> None:
    def call(client: Any) -> Call:
        def write(records: list[dict[str, Any]]) -> None:
            expect_ingested(
                client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=records)
            )

        return write

    def tsmock_round() -> list[int]:
        with tsmock_active() as mock:
            setup_tsmock_table(mock)
            return time_calls(call(ts_client), per_round, make_batch, warmup=1)

    def moto_round() -> list[int]:
        with moto_active():
            setup_moto_table(moto_client)
            return time_calls(call(moto_client), max(per_round // 3, 1), make_batch, warmup=1)

    contestants: dict[str, Round] = {
        "floor": lambda: time_calls(call(floor), per_round, make_batch, warmup=1),
        "tsmock": tsmock_round,
        "floor (unsigned)": lambda: time_calls(
            call(floor_unsigned), per_round, make_batch, warmup=1
        ),
        "botocore Stubber": lambda: stubber_round("WriteRecords", call, per_round, make_batch),
    }
    if moto_client is not None:
        contestants["moto"] = moto_round
    results = interleave(contestants, settings.call_rounds)
    _report_against_floor(report, item, results)
    ts, fl = median(results["tsmock"]), median(results["floor"])
    report.target(
        item,
        f"tsmock {ts / fl:.2f}x floor <= {limit}x ({fmt_ns(ts)} vs {fmt_ns(fl)})",
        ts <= limit * fl,
    )
    if "moto" in results:
        mo = median(results["moto"])
        ours, theirs = ts - fl, mo - fl
        report.target(
            item,
            f"tsmock overhead {fmt_ns(ours)} <= 0.5 x moto overhead {fmt_ns(theirs)}"
            f" ({ours / theirs:.3f}x)",
            ours <= 0.5 * theirs,
        )
    else:
        report.target(item, "tsmock overhead <= 0.5 x moto overhead: moto not installed", None)


# --- 6. a table of a million records ---------------------------------------------------


def bench_scale(settings: Settings, report: Report) -> None:
    count = settings.scale_records
    item = f"6 write 100 into a {count:,}-record table"
    client = SESSION.client(SERVICE, region_name=REGION)
    with tsmock_active() as mock:
        backend = setup_tsmock_table(mock, ("big", "empty"))
        progress(f"filling a table with {count:,} records through the backend")
        start = time.perf_counter_ns()
        for series in range(count // 100):
            backend.write_records(DATABASE, "big", series_batch(series))
        fill_ns = time.perf_counter_ns() - start
        stored = len(backend.get_table(DATABASE, "big").index)
        if stored != count:
            raise AssertionError(f"the big table holds {stored:,} records, not {count:,}")
        report.rows.append(
            Row(
                item,
                "fill: 100 records via the backend",
                fmt_ns(fill_ns / (count // 100)),
                "",
                str(count // 100),
                f"{count / (fill_ns / 1e9):,.0f} records/s",
            )
        )

        def call(table: str) -> Call:
            def write(records: list[dict[str, Any]]) -> None:
                expect_ingested(
                    client.write_records(DatabaseName=DATABASE, TableName=table, Records=records)
                )

            return write

        # Both tables live in the same heap; alternating single writes cancels drift.
        for table in ("empty", "big"):
            time_calls(call(table), 5, single_measure_batch)
        contestants: dict[str, Round] = {
            "empty": lambda: time_calls(call("empty"), 1, single_measure_batch),
            "big": lambda: time_calls(call("big"), 1, single_measure_batch),
        }
        results = interleave(contestants, settings.scale_writes)
        empty, big = median(results["empty"]), median(results["big"])
        report.timing(item, "tsmock, table starts empty", results["empty"])
        report.timing(
            item, f"tsmock, table holds {count:,}", results["big"], ratio_text(big, empty, "empty")
        )
        report.target(
            item,
            f"write into {count:,}-record table {big / empty:.2f}x empty <= 1.1x",
            big <= 1.1 * empty,
        )
        backend.delete_table(DATABASE, "big")
    del backend, mock
    gc.collect()


# --- 7. memory per stored record -------------------------------------------------------


def _traced_growth(store: Callable[[], None]) -> int:
    """Bytes still allocated after ``store()``, as traced by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        store()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def bench_memory(settings: Settings, report: Report) -> None:
    count = settings.memory_records
    item = "7 memory per stored record"

    # tsmock through the backend, with requests decoded from JSON as the protocol
    # layer hands them over (every string a fresh object, as on the wire).
    with tsmock_active() as mock:
        backend = setup_tsmock_table(mock)

        def store_backend() -> None:
            for series in range(count // 100):
                wire = json.loads(json.dumps(series_batch(series)))
                backend.write_records(DATABASE, TABLE, wire)

        growth = _traced_growth(store_backend)
        stored = len(backend.get_table(DATABASE, TABLE).index)
        if stored != count:
            raise AssertionError(f"stored {stored:,} records, not {count:,}")
    per_record = growth / count
    backend_row = Row(
        item, f"tsmock backend, {count:,} records", f"{per_record:,.0f} B/record", "", str(count)
    )
    report.rows.append(backend_row)
    report.target(item, f"tsmock {per_record:,.0f} bytes/record <= 300", per_record <= 300)

    # Through boto3, so tsmock's call log (which keeps each request body) counts too.
    through_boto3 = settings.moto_memory_records
    ts_client = SESSION.client(SERVICE, region_name=REGION)
    with tsmock_active() as mock:
        setup_tsmock_table(mock)
        ts_client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=series_batch(0))
        batches = [series_batch(series) for series in range(1, through_boto3 // 100 + 1)]

        def store_tsmock_boto3() -> None:
            for batch in batches:
                ts_client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=batch)

        ts_boto3 = (_traced_growth(store_tsmock_boto3)) / through_boto3
    report.rows.append(
        Row(
            item,
            f"tsmock via boto3, {through_boto3:,} (incl. call log)",
            f"{ts_boto3:,.0f} B/record",
            "",
            str(through_boto3),
            "",
        )
    )

    if mock_aws is None:
        report.notes.append("7: moto not installed, no comparison")
        return
    moto_client = SESSION.client(SERVICE, region_name=REGION)
    with moto_active():
        setup_moto_table(moto_client)
        moto_client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=series_batch(0))
        batches = [series_batch(series) for series in range(1, through_boto3 // 100 + 1)]

        def store_moto() -> None:
            for batch in batches:
                moto_client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=batch)

        moto_per_record = _traced_growth(store_moto) / through_boto3
    report.rows.append(
        Row(
            item,
            f"moto via boto3, {through_boto3:,} records",
            f"{moto_per_record:,.0f} B/record",
            "",
            str(through_boto3),
        )
    )
    backend_row.compare = ratio_text(per_record, moto_per_record, "moto")


# --- profiling -------------------------------------------------------------------------


def _function_label(path: str, line: int, func: str) -> str:
    if path == "<string>":
        # exec'd code: tsmock's generated request checker (or a dataclass __init__).
        return f"<generated> {func}"
    return f"{os.path.relpath(path, os.path.dirname(TSMOCK_DIR))}:{line} {func}"


def profile_hot_paths(settings: Settings) -> None:
    """cProfile of items 4 and 5 under tsmock: where tsmock's own time goes."""
    import cProfile
    import pstats

    client = SESSION.client(SERVICE, region_name=REGION)
    cases: list[tuple[str, int, Callable[[], Any], Callable[[Any], Any]]] = [
        (
            "describe_database (warm)",
            3000 if not settings.quick else 1000,
            lambda: None,
            lambda _: client.describe_database(DatabaseName=DATABASE),
        ),
        (
            "write_records 100 DOUBLE",
            300 if not settings.quick else 100,
            single_measure_batch,
            lambda r: client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=r),
        ),
        (
            "write_records 100 MULTI",
            300 if not settings.quick else 100,
            multi_measure_batch,
            lambda r: client.write_records(DatabaseName=DATABASE, TableName=TABLE, Records=r),
        ),
    ]
    for label, count, prepare, call in cases:
        with tsmock_active() as mock:
            setup_tsmock_table(mock)
            for _ in range(20):
                call(prepare())
            arguments = [prepare() for _ in range(count)]
            profiler = cProfile.Profile()
            profiler.enable()
            for argument in arguments:
                call(argument)
            profiler.disable()
        stats = pstats.Stats(profiler)
        total = stats.total_tt / count * 1e6  # type: ignore[attr-defined]
        print(f"\n== {label}: {count} calls, {total:.0f} µs per call under cProfile (all code)")
        own = [
            (ct, tt, nc, _function_label(path, line, func))
            for (path, line, func), (_, nc, tt, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
            if path == "<string>" or os.path.abspath(path).startswith(TSMOCK_DIR + os.sep)
        ]
        heading = f"   {'cum µs/call':>11} {'own µs/call':>11} {'calls/call':>10}  tsmock function"
        by_cumulative = sorted(own, reverse=True)[:15]
        by_own = sorted(own, key=lambda entry: entry[1], reverse=True)[:8]
        for title, chosen in (("by cumulative time", by_cumulative), ("by own time", by_own)):
            print(f"  {title}")
            print(heading)
            for ct, tt, nc, name in chosen:
                cumulative, own_time = ct / count * 1e6, tt / count * 1e6
                print(f"   {cumulative:11.1f} {own_time:11.1f} {nc / count:10.1f}  {name}")


# --- driver ----------------------------------------------------------------------------

MEASUREMENTS: dict[str, tuple[str, Callable[[Settings, Report], None]]] = {
    "1": ("start+stop", bench_start_stop),
    "2": ("a whole test", bench_test),
    "3": ("import cost", bench_imports),
    "4": ("describe_database", bench_describe),
    "5": ("write_records", bench_write),
    "6": ("scale", bench_scale),
    "7": ("memory", bench_memory),
}


def _record_error(report: Report, item: str) -> None:
    error_type, error, _ = sys.exc_info()
    where = traceback.extract_tb(sys.exc_info()[2])[-1]
    report.errors.append(
        f"ERROR {item}: {error_type.__name__ if error_type else '?'}: {error} "
        f"({os.path.basename(where.filename)}:{where.lineno})"
    )
    traceback.print_exc(file=sys.stderr)


def print_report(settings: Settings, report: Report, seconds: float) -> None:
    versions = [
        f"Python {platform.python_version()}",
        f"boto3 {boto3.__version__}",
        f"botocore {botocore.__version__}",
        f"tsmock {getattr(tsmock, '__version__', '?')}",
        f"moto {moto.__version__}" if moto is not None else "moto not installed",
    ]
    print(f"tsmock benchmarks ({'quick' if settings.quick else 'full'} run, {seconds:.0f} s)")
    print("  " + ", ".join(versions) + f"; {os.cpu_count()} CPUs")
    print("  floor = default boto3 client (SigV4 signing) answered by a canned before-send hook")
    print("  floor (unsigned) = the same client without signing, as clients run under tsmock")
    print(f"  samples: {CLOCK.name}")
    cpus = os.cpu_count() or 1
    load_after = os.getloadavg()[0]
    print(f"  load average (1 min): {report.load_before:.2f} at start, {load_after:.2f} at end")
    if max(report.load_before, load_after) > 0.75 * cpus:
        hint = " (consider --cpu-time)" if CLOCK is WALL else ""
        print(
            "  WARNING: the machine was busy with other work; absolute times are inflated"
            f" and ratios noisier{hint}"
        )
    print()
    headers = ("measurement", "contestant", "median", "p90", "n", "compared")
    widths = [len(h) for h in headers]
    cells = [(r.item, r.contestant, r.median, r.p90, r.n, r.compare) for r in report.rows]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(
        h.ljust(w) if i < 2 else h.rjust(w) if i < 5 else h
        for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    previous = None
    for row in cells:
        shown = list(row)
        if row[0] == previous:
            shown[0] = ""
        previous = row[0]
        print(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w) if i < 5 else c
                for i, (c, w) in enumerate(zip(shown, widths, strict=True))
            ).rstrip()
        )
    print()
    print("Targets")
    for target in report.targets:
        verdict = {True: "PASS", False: "FAIL", None: "N/A "}[target.passed]
        print(f"  {verdict}  {target.item}: {target.text}")
    if report.notes:
        print()
        print("Notes")
        for note in report.notes:
            print(f"  {note}")
    if report.errors:
        print()
        for error in report.errors:
            print(error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller tables")
    parser.add_argument("--only", default="", help="comma-separated measurement numbers, e.g. 4,5")
    parser.add_argument(
        "--profile", action="store_true", help="profile items 4 and 5 instead of timing them"
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time samples with the thread's CPU time: steadier on a busy machine",
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    global CLOCK
    CLOCK = CPU if args.cpu_time else WALL
    if args.profile:
        profile_hot_paths(settings)
        return 0
    chosen = [key.strip() for key in args.only.split(",") if key.strip()] or list(MEASUREMENTS)
    report = Report()
    report.load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for key in chosen:
        if key not in MEASUREMENTS:
            report.errors.append(f"ERROR: no measurement {key!r} (choose from 1-7)")
            continue
        name, function = MEASUREMENTS[key]
        progress(f"{key}. {name}")
        try:
            function(settings, report)
        except Exception:
            _record_error(report, f"{key} {name}")
        gc.collect()
    print_report(settings, report, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
