"""aiobotocore (and aioboto3) clients answered in-process, as boto3 clients are.

Every test drives real aiobotocore clients (``async with
get_session().create_client(...)``) inside ``asyncio.run``; where a boto3 client
gives the reference answer, the same calls go through both and the answers are
compared. aiobotocore is an optional package of users (in the ``dev`` extra):
without it these tests skip, which fails a CI run (``interop`` marker).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from tsmock import mock_timestream, mock_timestream_write

pytestmark = pytest.mark.interop

REGION = "us-east-1"
DB = "async_db"
TABLE = "cpu"
T = TypeVar("T")
#: For requests that go to the (refused) network: one attempt, no backoff.
NO_RETRIES = Config(retries={"total_max_attempts": 1})
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@pytest.fixture
def aio_session() -> Any:
    """A fresh aiobotocore session (skips without aiobotocore: a CI failure)."""
    session_module = pytest.importorskip("aiobotocore.session")
    return session_module.get_session()


def now_ms() -> int:
    return int(time.time() * 1000)


def record(measure: str, value: str, time_ms: int, **extra: Any) -> dict[str, Any]:
    return {
        "Dimensions": [{"Name": "host", "Value": "web-1"}],
        "MeasureName": measure,
        "MeasureValue": value,
        "MeasureValueType": "DOUBLE",
        "Time": str(time_ms),
        **extra,
    }


def normalized(value: Any) -> Any:
    """A response without what differs between two runs (request ids, clock readings)."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    if isinstance(value, datetime.datetime):
        return "<time>"
    if isinstance(value, str):
        # The bounds of the memory store window in a rejection reason.
        return _TIMESTAMP.sub("<time>", value)
    return value


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The parsed error response a boto3 call fails with."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as error:
        return error.response  # type: ignore[return-value]
    raise AssertionError("no error")


async def aio_error_of(call: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        await call()
    except ClientError as error:
        return error.response  # type: ignore[return-value]
    raise AssertionError("no error")


def comparable_error(response: dict[str, Any]) -> dict[str, Any]:
    metadata = response["ResponseMetadata"]
    return {
        **normalized(response),
        "status": metadata["HTTPStatusCode"],
        "retries": metadata["RetryAttempts"],
    }


# --- timestream-write: the same answers as boto3 -------------------------------------------


def _write_script_sync(client: Any) -> list[Any]:
    t = now_ms()
    answers: list[Any] = [
        client.create_database(DatabaseName=DB, Tags=[{"Key": "team", "Value": "a"}]),
        client.describe_database(DatabaseName=DB),
        client.create_table(DatabaseName=DB, TableName=TABLE),
        client.describe_table(DatabaseName=DB, TableName=TABLE),
        client.update_table(
            DatabaseName=DB,
            TableName=TABLE,
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 24,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
        ),
        client.list_databases(),
        client.list_tables(DatabaseName=DB),
        client.list_tags_for_resource(
            ResourceARN=client.describe_database(DatabaseName=DB)["Database"]["Arn"]
        ),
        client.write_records(
            DatabaseName=DB,
            TableName=TABLE,
            Records=[record("cpu", "1.5", t), record("mem", "2", t)],
        ),
        error_of(lambda: client.describe_table(DatabaseName=DB, TableName="nope")),
        error_of(lambda: client.create_database(DatabaseName=DB)),
        error_of(lambda: client.create_database(DatabaseName="x")),
        error_of(
            lambda: client.write_records(
                DatabaseName=DB,
                TableName=TABLE,
                Records=[
                    record("cpu", "9", t),  # same record, other value: rejected
                    record("disk", "3", t),
                    record("cpu", "1", t - 48 * 3600 * 1000),  # outside the memory store
                ],
            )
        ),
    ]
    return answers


async def _write_script_async(client: Any) -> list[Any]:
    t = now_ms()
    arn = None
    answers: list[Any] = [
        await client.create_database(DatabaseName=DB, Tags=[{"Key": "team", "Value": "a"}]),
        await client.describe_database(DatabaseName=DB),
        await client.create_table(DatabaseName=DB, TableName=TABLE),
        await client.describe_table(DatabaseName=DB, TableName=TABLE),
        await client.update_table(
            DatabaseName=DB,
            TableName=TABLE,
            RetentionProperties={
                "MemoryStoreRetentionPeriodInHours": 24,
                "MagneticStoreRetentionPeriodInDays": 7,
            },
        ),
        await client.list_databases(),
        await client.list_tables(DatabaseName=DB),
    ]
    arn = (await client.describe_database(DatabaseName=DB))["Database"]["Arn"]
    answers += [
        await client.list_tags_for_resource(ResourceARN=arn),
        await client.write_records(
            DatabaseName=DB,
            TableName=TABLE,
            Records=[record("cpu", "1.5", t), record("mem", "2", t)],
        ),
        await aio_error_of(lambda: client.describe_table(DatabaseName=DB, TableName="nope")),
        await aio_error_of(lambda: client.create_database(DatabaseName=DB)),
        await aio_error_of(lambda: client.create_database(DatabaseName="x")),
        await aio_error_of(
            lambda: client.write_records(
                DatabaseName=DB,
                TableName=TABLE,
                Records=[
                    record("cpu", "9", t),
                    record("disk", "3", t),
                    record("cpu", "1", t - 48 * 3600 * 1000),
                ],
            )
        ),
    ]
    return answers


def _comparable(answers: list[Any]) -> list[Any]:
    return [
        comparable_error(a) if "Error" in a else normalized(a)
        for a in answers  # errors keep their status and retry count
    ]


def test_write_operations_answer_as_for_boto3(aio_session: Any) -> None:
    with mock_timestream_write() as ts:
        expected = _write_script_sync(boto3.client("timestream-write", region_name=REGION))
        expected_calls = [(c.operation, c.error_code) for c in ts.calls]

    async def main() -> list[Any]:
        async with aio_session.create_client("timestream-write", region_name=REGION) as client:
            return await _write_script_async(client)

    with mock_timestream_write() as ts:
        answers = run(main())
        calls = [(c.operation, c.error_code) for c in ts.calls]
        stored = [(r.measure_name, r.measure_value) for r in ts.records(DB, TABLE)]

    assert _comparable(answers) == _comparable(expected)
    # The answers really are what the service says (not two equal wrong ones).
    assert answers[9]["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "The table nope does not exist.",
    }
    assert answers[9]["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert answers[10]["Error"]["Code"] == "ConflictException"
    assert answers[11]["Error"]["Code"] == "ValidationException"
    rejected = answers[12]
    assert rejected["Error"]["Code"] == "RejectedRecordsException"
    assert [entry["RecordIndex"] for entry in rejected["RejectedRecords"]] == [0, 2]
    assert rejected["RejectedRecords"][1]["Reason"].startswith("The record timestamp is outside")
    assert answers[8]["RecordsIngested"] == {"Total": 2, "MemoryStore": 2, "MagneticStore": 0}
    # Same call log, endpoint discovery first (once: the client caches the address).
    assert calls == expected_calls
    assert calls[0] == ("DescribeEndpoints", None)
    assert [op for op, _ in calls].count("DescribeEndpoints") == 1
    assert stored == [("cpu", "1.5"), ("mem", "2"), ("disk", "3")]


def test_errors_are_the_clients_modelled_exceptions(aio_session: Any) -> None:
    async def main() -> None:
        async with aio_session.create_client("timestream-write", region_name=REGION) as client:
            with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
                await client.describe_database(DatabaseName="nowhere")
            assert missing.value.response["Error"] == {
                "Code": "ResourceNotFoundException",
                "Message": "The database nowhere does not exist.",
            }
            await client.create_database(DatabaseName=DB)
            await client.create_table(DatabaseName=DB, TableName=TABLE)
            old = now_ms() - 48 * 3600 * 1000
            with pytest.raises(client.exceptions.RejectedRecordsException) as rejected:
                await client.write_records(
                    DatabaseName=DB,
                    TableName=TABLE,
                    Records=[record("cpu", "1", now_ms()), record("cpu", "2", old)],
                )
            entries = rejected.value.response["RejectedRecords"]
            assert [entry["RecordIndex"] for entry in entries] == [1]
            assert entries[0]["Reason"].endswith(") of the memory store.")

    with mock_timestream_write():
        run(main())


async def _all_pages(call: Callable[..., Awaitable[Any]], **members: Any) -> list[Any]:
    """Every page of a listing, followed through ``NextToken`` as a caller does."""
    pages: list[Any] = []
    token = None
    while True:
        page = await call(**members, **({"NextToken": token} if token else {}))
        pages.append(page)
        token = page.get("NextToken")
        if not token:
            return pages


def test_listings_page_with_next_token(aio_session: Any) -> None:
    # timestream-write has no botocore paginators; callers follow NextToken.
    names = [f"db_{i}" for i in range(5)]

    async def main() -> tuple[list[Any], list[Any]]:
        async with aio_session.create_client("timestream-write", region_name=REGION) as client:
            for name in names:
                await client.create_database(DatabaseName=name)
            for table in ("tab1", "tab2", "tab3"):
                await client.create_table(DatabaseName="db_0", TableName=table)
            databases = await _all_pages(client.list_databases, MaxResults=2)
            tables = await _all_pages(client.list_tables, DatabaseName="db_0", MaxResults=1)
            return databases, tables

    with mock_timestream_write():
        databases, tables = run(main())
    assert [[d["DatabaseName"] for d in page["Databases"]] for page in databases] == [
        ["db_0", "db_1"],
        ["db_2", "db_3"],
        ["db_4"],
    ]
    assert [[t["TableName"] for t in page["Tables"]] for page in tables] == [
        ["tab1"],
        ["tab2"],
        ["tab3"],
    ]


def test_the_client_region_is_used(aio_session: Any) -> None:
    async def main() -> str:
        async with aio_session.create_client("timestream-write", region_name="eu-west-1") as client:
            answer = await client.create_database(DatabaseName=DB)
            return str(answer["Database"]["Arn"])

    with mock_timestream_write() as ts:
        arn = run(main())
        assert DB in ts.backend(region_name="eu-west-1").databases
        assert DB not in ts.backend(region_name=REGION).databases
    assert arn == f"arn:aws:timestream:eu-west-1:123456789012:database/{DB}"


def test_interleaved_calls_of_clients_in_several_regions(aio_session: Any) -> None:
    # Coroutines of clients in different regions run interleaved on one thread:
    # each call must still land in its own client's region.
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]

    async def client_calls(region: str) -> list[str]:
        async with aio_session.create_client("timestream-write", region_name=region) as client:
            answers = await asyncio.gather(
                *(
                    client.create_database(DatabaseName=f"db_{region.replace('-', '_')}_{i}")
                    for i in range(10)
                )
            )
            return [answer["Database"]["Arn"] for answer in answers]

    async def main() -> list[list[str]]:
        return list(await asyncio.gather(*(client_calls(region) for region in regions)))

    with mock_timestream_write() as ts:
        arns = run(main())
        stored = {region: sorted(ts.backend(region_name=region).databases) for region in regions}
    for region, region_arns in zip(regions, arns, strict=True):
        name = region.replace("-", "_")
        assert all(arn.split(":")[3] == region for arn in region_arns), region_arns
        assert stored[region] == sorted(f"db_{name}_{i}" for i in range(10))


def test_requests_are_not_signed(aio_session: Any) -> None:
    seen: list[Any] = []

    def look(request: Any, **kwargs: Any) -> None:
        seen.append(request.headers.get("Authorization"))

    async def main() -> None:
        async with aio_session.create_client("timestream-write", region_name=REGION) as client:
            client.meta.events.register("before-send.timestream-write.ListDatabases", look)
            await client.list_databases()

    with mock_timestream_write():
        run(main())
    assert seen == [None]


def test_fault_injection_and_retries(aio_session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep
    delays: list[float] = []

    async def no_wait(delay: float, *args: Any, **kwargs: Any) -> Any:
        # aiobotocore's retry backoff: recorded, not slept.
        delays.append(delay)
        return await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", no_wait)

    async def main(ts: Any) -> None:
        async with aio_session.create_client("timestream-write", region_name=REGION) as client:
            throttle = ts.add_fault("CreateDatabase", "ThrottlingException")
            answer = await client.create_database(DatabaseName=DB)
            assert answer["ResponseMetadata"]["RetryAttempts"] == 1
            assert throttle.fired == 1
            ts.add_fault("DescribeDatabase", "AccessDeniedException")
            with pytest.raises(client.exceptions.AccessDeniedException):
                await client.describe_database(DatabaseName=DB)
            assert (await client.describe_database(DatabaseName=DB))["Database"]

    with mock_timestream_write() as ts:
        run(main(ts))
        calls = [(c.operation, c.error_code) for c in ts.calls]
    assert calls == [
        ("DescribeEndpoints", None),
        ("CreateDatabase", "ThrottlingException"),
        ("CreateDatabase", None),
        ("DescribeDatabase", "AccessDeniedException"),
        ("DescribeDatabase", None),
    ]
    # botocore's retry handler (run by aiobotocore) decided the retry.
    assert len(delays) == 1


# --- activation forms -----------------------------------------------------------------------


async def _databases(session: Any) -> list[str]:
    async with session.create_client("timestream-write", region_name=REGION) as client:
        await client.create_database(DatabaseName=DB)
        answer = await client.list_databases()
        return [d["DatabaseName"] for d in answer["Databases"]]


def test_the_fixture(aio_session: Any, timestream_write_mock: Any) -> None:
    assert run(_databases(aio_session)) == [DB]
    assert [c.operation for c in timestream_write_mock.calls][-1] == "ListDatabases"


def test_the_query_fixture(aio_session: Any, timestream_mock: Any) -> None:
    pytest.importorskip("duckdb")

    async def body() -> Any:
        async with aio_session.create_client("timestream-query", region_name=REGION) as query:
            return await query.query(QueryString="SELECT 1 AS one")

    assert run(body())["Rows"] == [{"Data": [{"ScalarValue": "1"}]}]
    assert [c.operation for c in timestream_mock.calls] == ["DescribeEndpoints", "Query"]


def test_the_decorator_on_an_async_function(aio_session: Any) -> None:
    @mock_timestream_write
    async def body() -> list[str]:
        return await _databases(aio_session)

    assert run(body()) == [DB]


def test_async_with(aio_session: Any) -> None:
    async def body() -> tuple[list[str], int]:
        async with mock_timestream_write() as ts:
            names = await _databases(aio_session)
            return names, len(ts.calls)

    assert run(body()) == ([DB], 3)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Host names the test tried to resolve (each attempt is still refused)."""
    attempts: list[Any] = []

    def refuse(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _unanswered_client(aio_session: Any, service: str) -> Any:
    """A client whose requests would go out: credentials, and a single attempt."""
    return aio_session.create_client(
        service,
        region_name=REGION,
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=NO_RETRIES,
    )


def test_inactive_mock_leaves_the_client_alone(aio_session: Any, connections: list[Any]) -> None:
    # Without a mock the request goes to the network: here the suite's guard.
    async def body() -> None:
        async with _unanswered_client(aio_session, "timestream-write") as client:
            await client.list_databases()

    with pytest.raises(BotoCoreError):
        run(body())
    assert connections and "timestream" in str(connections[0])


# --- timestream-query under mock_timestream -------------------------------------------------


def test_query_under_mock_timestream(aio_session: Any) -> None:
    pytest.importorskip("duckdb")
    t = now_ms()

    async def main() -> tuple[Any, Any, dict[str, Any]]:
        async with (
            aio_session.create_client("timestream-write", region_name=REGION) as write,
            aio_session.create_client("timestream-query", region_name=REGION) as query,
        ):
            await write.create_database(DatabaseName=DB)
            await write.create_table(DatabaseName=DB, TableName=TABLE)
            await write.write_records(
                DatabaseName=DB,
                TableName=TABLE,
                Records=[record("cpu", "1.5", t), record("cpu", "2.5", t + 1)],
            )
            sql = f'SELECT measure_value::double AS v FROM "{DB}"."{TABLE}" ORDER BY time'
            answer = await query.query(QueryString=sql)
            pages = [
                page["Rows"]
                async for page in query.get_paginator("query").paginate(
                    QueryString=sql, PaginationConfig={"PageSize": 1}
                )
            ]
            with pytest.raises(query.exceptions.ValidationException) as invalid:
                await query.query(QueryString="SELECT nope FROM nowhere.nothing")
            return answer, pages, invalid.value.response

    with mock_timestream() as ts:
        answer, pages, invalid = run(main())
        operations = [(c.operation, c.error_code) for c in ts.calls]
        sql = f'SELECT measure_value::double AS v FROM "{DB}"."{TABLE}" ORDER BY time'
        query = boto3.client("timestream-query", region_name=REGION)
        expected = query.query(QueryString=sql)
        expected_invalid = error_of(
            lambda: query.query(QueryString="SELECT nope FROM nowhere.nothing")
        )

    assert answer["Rows"] == [
        {"Data": [{"ScalarValue": "1.5"}]},
        {"Data": [{"ScalarValue": "2.5"}]},
    ]
    assert answer["ColumnInfo"] == [{"Name": "v", "Type": {"ScalarType": "DOUBLE"}}]
    assert {k: v for k, v in normalized(answer).items() if k != "QueryId"} == {
        k: v for k, v in normalized(expected).items() if k != "QueryId"
    }
    assert [row for page in pages for row in page] == answer["Rows"]
    assert invalid["Error"]["Code"] == "ValidationException"
    assert invalid["Error"] == expected_invalid["Error"]
    assert ("Query", "ValidationException") in operations
    assert [op for op, _ in operations].count("DescribeEndpoints") == 2  # one per service


def test_query_is_not_answered_by_mock_timestream_write(
    aio_session: Any, connections: list[Any]
) -> None:
    async def main() -> None:
        async with _unanswered_client(aio_session, "timestream-query") as query:
            await query.query(QueryString="SELECT 1")

    with mock_timestream_write() as ts, pytest.raises(BotoCoreError):
        run(main())
    assert connections and "query.timestream" in str(connections[0])
    assert ts.calls == []


# --- aioboto3 ---------------------------------------------------------------------------------


def test_aioboto3_client() -> None:
    aioboto3 = pytest.importorskip("aioboto3")

    async def main() -> list[str]:
        session = aioboto3.Session()
        async with session.client("timestream-write", region_name=REGION) as client:
            await client.create_database(DatabaseName=DB)
            answer = await client.list_databases()
            return [d["DatabaseName"] for d in answer["Databases"]]

    with mock_timestream_write() as ts:
        assert run(main()) == [DB]
        assert [c.operation for c in ts.calls] == [
            "DescribeEndpoints",
            "CreateDatabase",
            "ListDatabases",
        ]


# --- a session made before ``import tsmock`` ---------------------------------------------------


def test_a_session_made_before_the_import_needs_no_credentials(
    aio_session: Any, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        """
        import asyncio
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network access attempted")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from aiobotocore.session import get_session

        session = get_session()

        import tsmock

        async def main():
            async with session.create_client(
                "timestream-write", region_name="eu-west-1"
            ) as client:
                await client.create_database(DatabaseName="early")
                answer = await client.list_databases()
                return [d["Arn"] for d in answer["Databases"]]

        with tsmock.mock_timestream_write() as ts:
            arns = asyncio.run(main())
        assert arns == ["arn:aws:timestream:eu-west-1:123456789012:database/early"], arns
        assert [c.operation for c in ts.calls] == [
            "DescribeEndpoints", "CreateDatabase", "ListDatabases"
        ], ts.calls
        print("ok")
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent), *sys.path]),
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
