"""Many threads at once: every write stored once, one winner per create, the
highest version wins, paging walks never fail or repeat (design: one lock per
backend; reference §4, §8.2).

Each test is bounded in count and time; threads start together at a barrier
so that their requests overlap.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tsmock.mock import TimestreamWriteMock

REGION = "us-east-1"
T = TypeVar("T")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture
def clients(ts: TimestreamWriteMock) -> Callable[[int], list[Any]]:
    """``clients(n)``: n clients, made in this thread (making clients is not thread-safe)."""
    session = boto3.Session()

    def make(count: int) -> list[Any]:
        return [
            session.client(
                "timestream-write",
                region_name=REGION,
                config=Config(retries={"total_max_attempts": 1}, max_pool_connections=1),
            )
            for _ in range(count)
        ]

    return make


def run_together(count: int, work: Callable[[int], T], timeout: float = 60) -> list[T]:
    """Run ``work(i)`` in ``count`` threads released at once; re-raise the first error."""
    barrier = threading.Barrier(count)

    def start(index: int) -> T:
        barrier.wait(timeout=timeout)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(start, i) for i in range(count)]
        return [future.result(timeout=timeout) for future in futures]


def error_code(call: Callable[[], Any]) -> str | None:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def no_internal_errors(ts: TimestreamWriteMock) -> None:
    assert not [c for c in ts.calls if c.error_code == "InternalServerException"]


# --- writes -----------------------------------------------------------------------------

THREADS, REQUESTS, PER_REQUEST = 8, 50, 100


def test_parallel_writers_store_every_record_exactly_once(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    backend = ts.backend(REGION)
    backend.create_database("db1")
    backend.create_table("db1", "tbl1")
    workers = clients(THREADS)
    base = now_ms()

    def write(thread: int) -> int:
        ingested = 0
        for request in range(REQUESTS):
            records = [
                {
                    "MeasureName": "cpu",
                    "MeasureValue": str(request * PER_REQUEST + i),
                    "Time": str(base - request * PER_REQUEST - i),
                }
                for i in range(PER_REQUEST)
            ]
            result = workers[thread].write_records(
                DatabaseName="db1",
                TableName="tbl1",
                CommonAttributes={
                    "Dimensions": [{"Name": "writer", "Value": f"w{thread}"}],
                    "MeasureValueType": "BIGINT",
                },
                Records=records,
            )
            ingested += result["RecordsIngested"]["Total"]
        return ingested

    assert run_together(THREADS, write) == [REQUESTS * PER_REQUEST] * THREADS
    stored = ts.records("db1", "tbl1")
    assert len(stored) == THREADS * REQUESTS * PER_REQUEST
    identities = Counter((r.dimensions["writer"], r.measure_name, r.time_ns) for r in stored)
    assert len(identities) == len(stored)
    for record in stored:
        # The value written with that time, and nothing else.
        assert int(record.measure_value or "") == base - record.time_ns // 1_000_000
        assert record.version == 1
    per_writer = Counter(r.dimensions["writer"] for r in stored)
    assert per_writer == {f"w{t}": REQUESTS * PER_REQUEST for t in range(THREADS)}
    no_internal_errors(ts)


def test_racing_upserts_of_one_record_end_with_the_highest_version(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    backend = ts.backend(REGION)
    backend.create_database("db1")
    backend.create_table("db1", "tbl1")
    versions = 16
    workers = clients(versions)
    at = str(now_ms())

    def upsert(index: int) -> str | None:
        version = index + 1
        record = {
            "Dimensions": [{"Name": "host", "Value": "h1"}],
            "MeasureName": "cpu",
            "MeasureValue": f"{version}.5",
            "Time": at,
            "Version": version,
        }
        try:
            workers[index].write_records(DatabaseName="db1", TableName="tbl1", Records=[record])
        except ClientError as error:
            response: dict[str, Any] = dict(error.response)
            (rejected,) = response["RejectedRecords"]
            # Refused only by a higher version already stored (reason B, §8.3).
            assert rejected["ExistingVersion"] > version, rejected
            return "rejected"
        return None

    for _ in range(5):
        outcomes = run_together(versions, upsert)
        # The highest version is never refused.
        assert outcomes[-1] is None
        (stored,) = ts.records("db1", "tbl1")
        assert (stored.version, stored.measure_value) == (versions, f"{versions}.5")
        backend.delete_table("db1", "tbl1")
        backend.create_table("db1", "tbl1")
    no_internal_errors(ts)


def test_racing_writes_of_one_version_with_different_values_keep_one(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    backend = ts.backend(REGION)
    backend.create_database("db1")
    backend.create_table("db1", "tbl1")
    count = 12
    workers = clients(count)
    at = str(now_ms())

    def write(index: int) -> str | None:
        record = {
            "Dimensions": [{"Name": "host", "Value": "h1"}],
            "MeasureName": "cpu",
            "MeasureValue": str(index),
            "Time": at,
        }
        return error_code(
            lambda: workers[index].write_records(
                DatabaseName="db1", TableName="tbl1", Records=[record]
            )
        )

    outcomes = run_together(count, write)
    assert outcomes.count(None) == 1
    assert outcomes.count("RejectedRecordsException") == count - 1
    (stored,) = ts.records("db1", "tbl1")
    assert stored.measure_value == str(outcomes.index(None))


def test_writes_racing_a_table_deletion_fail_cleanly(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    backend = ts.backend(REGION)
    backend.create_database("db1")
    workers = clients(5)

    def write_or_delete(index: int) -> list[str | None]:
        codes = []
        for round_ in range(30):
            if index == 0:
                codes.append(
                    error_code(
                        lambda: workers[0].delete_table(DatabaseName="db1", TableName="tbl1")
                    )
                )
                codes.append(
                    error_code(
                        lambda: workers[0].create_table(DatabaseName="db1", TableName="tbl1")
                    )
                )
                continue
            record = {
                "Dimensions": [{"Name": "w", "Value": str(index)}],
                "MeasureName": "m",
                "MeasureValue": "1",
                "Time": str(now_ms() - round_),
            }
            codes.append(
                error_code(
                    lambda record=record: workers[index].write_records(  # type: ignore[misc]
                        DatabaseName="db1", TableName="tbl1", Records=[record] * 3
                    )
                )
            )
        return codes

    backend.create_table("db1", "tbl1")
    outcomes = [code for codes in run_together(5, write_or_delete) for code in codes]
    assert set(outcomes) <= {None, "ResourceNotFoundException", "ConflictException"}
    no_internal_errors(ts)


# --- creates ----------------------------------------------------------------------------

RACERS = 16


def test_racing_creates_of_one_database_name_have_one_winner(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    workers = clients(RACERS)
    for round_ in range(5):
        name = f"race-{round_}"

        def create(index: int, name: str = name) -> str | None:
            return error_code(lambda: workers[index].create_database(DatabaseName=name))

        outcomes = run_together(RACERS, create)
        assert outcomes.count(None) == 1, outcomes
        assert outcomes.count("ConflictException") == RACERS - 1, outcomes
    assert sorted(ts.backend(REGION).databases) == [f"race-{i}" for i in range(5)]


def test_racing_creates_of_one_table_name_have_one_winner(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    ts.backend(REGION).create_database("db1")
    workers = clients(RACERS)
    for round_ in range(5):
        name = f"race-{round_}"

        def create(index: int, name: str = name) -> str | None:
            return error_code(
                lambda: workers[index].create_table(
                    DatabaseName="db1",
                    TableName=name,
                    RetentionProperties={
                        "MemoryStoreRetentionPeriodInHours": index + 1,
                        "MagneticStoreRetentionPeriodInDays": 1,
                    },
                )
            )

        outcomes = run_together(RACERS, create)
        assert outcomes.count(None) == 1, outcomes
        assert outcomes.count("ConflictException") == RACERS - 1, outcomes
        # The table is the winner's, whole: its retention is that request's.
        winner = outcomes.index(None)
        table = ts.backend(REGION).databases["db1"].tables[name]
        assert table.memory_retention_hours == winner + 1
    assert ts.backend(REGION).databases["db1"].to_dict()["TableCount"] == 5


def test_racing_deletes_have_one_winner(
    ts: TimestreamWriteMock, clients: Callable[[int], list[Any]]
) -> None:
    backend = ts.backend(REGION)
    workers = clients(RACERS)
    for round_ in range(3):
        backend.create_database("db1")

        def delete(index: int) -> str | None:
            return error_code(lambda: workers[index].delete_database(DatabaseName="db1"))

        outcomes = run_together(RACERS, delete)
        assert outcomes.count(None) == 1, (round_, outcomes)
        assert outcomes.count("ResourceNotFoundException") == RACERS - 1


# --- paging walks while the listed items change -----------------------------------------


def walk(
    call: Callable[..., dict[str, Any]], key: str, name: str | None, **kwargs: Any
) -> list[Any]:
    """Every item of a paged list, following NextToken three items at a time."""
    items: list[Any] = []
    token = None
    while True:
        page = call(MaxResults=3, **kwargs, **({"NextToken": token} if token else {}))
        items.extend(item if name is None else item[name] for item in page[key])
        token = page.get("NextToken")
        if token is None:
            return items


def changes_during(walked: str, changes: set[str], ts: TimestreamWriteMock) -> int:
    """How many successful changes the call log shows between the first and the
    last page of the walks: proof that walks and changes overlapped."""
    operations = [(c.operation, c.error_code) for c in ts.calls]
    pages = [i for i, (operation, _) in enumerate(operations) if operation == walked]
    between = operations[pages[0] : pages[-1]]
    return sum(1 for operation, error in between if operation in changes and error is None)


@pytest.fixture
def churn() -> Iterator[Callable[[Callable[[int], None], int], threading.Event]]:
    """``churn(step, threads)``: run ``step(n)`` for n = 0, 1, ... in background threads
    until the test ends (at most a few thousand steps)."""
    stop = threading.Event()
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []

    def start(step: Callable[[int], None], count: int) -> threading.Event:
        def loop(worker: int) -> None:
            try:
                for n in range(2000):
                    if stop.is_set():
                        return
                    step(worker * 10_000 + n)
            except BaseException as error:  # reported by the fixture
                errors.append(error)

        for worker in range(count):
            thread = threading.Thread(target=loop, args=(worker,), daemon=True)
            threads.append(thread)
            thread.start()
        return stop

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def test_list_tables_walks_while_tables_come_and_go(
    ts: TimestreamWriteMock,
    clients: Callable[[int], list[Any]],
    churn: Callable[[Callable[[int], None], int], threading.Event],
) -> None:
    backend = ts.backend(REGION)
    backend.create_database("db1")
    backend.create_database("other")
    stable = [f"t{i:02d}-stable" for i in range(0, 40, 3)]
    for name in stable:
        backend.create_table("db1", name)
    walkers, mutators = clients(4), clients(3)

    def mutate(n: int) -> None:
        client = mutators[(n // 10_000) % 3]
        name = f"t{n % 40:02d}-churn"
        database = "db1" if n % 2 else "other"
        if error_code(lambda: client.create_table(DatabaseName=database, TableName=name)):
            assert error_code(
                lambda: client.delete_table(DatabaseName=database, TableName=name)
            ) in (None, "ResourceNotFoundException")

    churn(mutate, 3)

    def walks(index: int) -> int:
        client = walkers[index]
        for _ in range(15):
            if index % 2:
                seen = walk(client.list_tables, "Tables", "TableName", DatabaseName="db1")
            else:
                seen = [
                    (t["DatabaseName"], t["TableName"])
                    for t in walk(client.list_tables, "Tables", None)
                ]
                seen_db = [name for database, name in seen if database == "db1"]
                assert set(stable) <= set(seen_db)
            assert len(seen) == len(set(seen)), seen
            assert seen == sorted(seen)
            if index % 2:
                assert set(stable) <= set(seen)
        return 15

    assert run_together(4, walks) == [15] * 4
    assert changes_during("ListTables", {"CreateTable", "DeleteTable"}, ts)
    no_internal_errors(ts)


def test_list_databases_walks_while_databases_come_and_go(
    ts: TimestreamWriteMock,
    clients: Callable[[int], list[Any]],
    churn: Callable[[Callable[[int], None], int], threading.Event],
) -> None:
    backend = ts.backend(REGION)
    stable = [f"d{i:02d}-stable" for i in range(0, 40, 4)]
    for name in stable:
        backend.create_database(name)
    walkers, mutators = clients(4), clients(3)

    def mutate(n: int) -> None:
        client = mutators[(n // 10_000) % 3]
        name = f"d{n % 40:02d}-churn"
        if error_code(lambda: client.create_database(DatabaseName=name)):
            assert error_code(lambda: client.delete_database(DatabaseName=name)) in (
                None,
                "ResourceNotFoundException",
            )

    churn(mutate, 3)

    def walks(index: int) -> int:
        for _ in range(15):
            seen = walk(walkers[index].list_databases, "Databases", "DatabaseName")
            assert len(seen) == len(set(seen)), seen
            assert seen == sorted(seen)
            assert set(stable) <= set(seen)
        return 15

    assert run_together(4, walks) == [15] * 4
    assert changes_during("ListDatabases", {"CreateDatabase", "DeleteDatabase"}, ts)
    no_internal_errors(ts)


def test_list_batch_load_tasks_walks_while_tasks_are_created(
    ts: TimestreamWriteMock,
    clients: Callable[[int], list[Any]],
    churn: Callable[[Callable[[int], None], int], threading.Event],
) -> None:
    backend = ts.backend(REGION)
    backend.create_database("db1")
    for i in range(3):
        backend.create_table("db1", f"tbl{i}")
    ts.put_object("src", "data.csv", f"time,host,cpu\n{now_ms()},h1,1.5\n")
    walkers, creators = clients(3), clients(2)
    request = {
        "DataModelConfiguration": {
            "DataModel": {
                "TimeColumn": "time",
                "DimensionMappings": [{"SourceColumn": "host"}],
                "MultiMeasureMappings": {
                    "TargetMultiMeasureName": "m",
                    "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu"}],
                },
            }
        },
        "DataSourceConfiguration": {
            "DataSourceS3Configuration": {"BucketName": "src"},
            "DataFormat": "CSV",
        },
        "ReportConfiguration": {"ReportS3Configuration": {"BucketName": "reports"}},
        "TargetDatabaseName": "db1",
    }

    def create(n: int) -> None:
        if n % 10_000 >= 60:
            return
        creators[n // 10_000].create_batch_load_task(
            TargetTableName=f"tbl{n % 3}", RecordVersion=n % 10_000 + 1, **request
        )

    churn(create, 2)

    def walks(index: int) -> int:
        for _ in range(10):
            seen = walk(walkers[index].list_batch_load_tasks, "BatchLoadTasks", "TaskId")
            assert len(seen) == len(set(seen)), seen
        return 10

    assert run_together(3, walks) == [10] * 3
    no_internal_errors(ts)
