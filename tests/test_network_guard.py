"""Nothing reaches the network while a mock is active (API "While a mock is active").

Besides the suite's autouse guard, this module installs a strict one that also
*records* every attempt: botocore catches connection errors (endpoint discovery
marks itself failed and carries on, retries swallow them), so an attempt that
raised inside botocore could otherwise go unnoticed. Every test ends by
checking that the record is empty.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.session
import pytest
import requests
import urllib3
from botocore.config import Config
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError

from tsmock import intercept, mock_timestream_write
from tsmock.mock import TimestreamWriteMock

REGION = "us-east-1"
REAL_HOSTS = [
    "https://ingest.timestream.us-east-1.amazonaws.com",
    "https://ingest-cell2.timestream.us-east-1.amazonaws.com",
    "https://ingest.timestream-fips.us-east-1.amazonaws.com",
]


class NetworkAttempt(AssertionError):
    """Raised (and recorded) by the strict guard."""


class StrictGuard:
    """Refuses and records every way out of the process a client library uses."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._lock = threading.Lock()

    def refuse(self, what: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.attempts.append(f"{what}{args[1:] if args else ()!r}")
            raise NetworkAttempt(f"{what} attempted: {args!r}")

        return refused

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        targets: list[tuple[Any, str]] = [
            (socket.socket, "connect"),
            (socket.socket, "connect_ex"),
            (socket.socket, "sendto"),
            (socket, "create_connection"),
            (socket, "getaddrinfo"),
            (socket, "gethostbyname"),
            (socket, "gethostbyname_ex"),
            (ssl.SSLContext, "wrap_socket"),
            (http.client.HTTPConnection, "connect"),
            (urllib3.connection.HTTPConnection, "connect"),
            (urllib3.connectionpool.HTTPConnectionPool, "urlopen"),
        ]
        for owner, name in targets:
            monkeypatch.setattr(owner, name, self.refuse(f"{owner.__name__}.{name}"))


@pytest.fixture(autouse=True)
def strict(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StrictGuard]:
    guard = StrictGuard()
    if not getattr(request.function, "suite_guard_only", False):
        guard.install(monkeypatch)
    yield guard
    assert guard.attempts == [], f"network access attempted: {guard.attempts}"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # A client made outside a mock needs credentials, or botocore asks the
    # instance metadata service while making it.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


def operations(ts: TimestreamWriteMock) -> list[str | None]:
    return [call.operation for call in ts.calls]


def round_trip(client: Any, name: str = "db1") -> None:
    client.create_database(DatabaseName=name)
    assert client.describe_database(DatabaseName=name)["Database"]["DatabaseName"] == name
    client.create_table(DatabaseName=name, TableName="tbl")
    written = client.write_records(
        DatabaseName=name,
        TableName="tbl",
        Records=[
            {
                "Dimensions": [{"Name": "host", "Value": "h1"}],
                "MeasureName": "cpu",
                "MeasureValue": "1.5",
                "Time": str(time.time_ns() // 1_000_000),
            }
        ],
    )
    assert written["RecordsIngested"]["Total"] == 1
    assert [t["TableName"] for t in client.list_tables(DatabaseName=name)["Tables"]] == ["tbl"]


# --- the guard itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("192.0.2.1", 443)),
        lambda: socket.create_connection(("192.0.2.1", 443), timeout=1),
        lambda: socket.getaddrinfo("ingest.timestream.us-east-1.amazonaws.com", 443),
        lambda: socket.gethostbyname("example.com"),
        lambda: http.client.HTTPSConnection("example.com", timeout=1).request("GET", "/"),
        lambda: urllib3.PoolManager().request("GET", "https://example.com/", retries=False),
        lambda: requests.get("https://example.com/", timeout=1),
    ],
    ids=["connect", "create_connection", "getaddrinfo", "gethostbyname", "http", "urllib3", "req"],
)
def test_the_guard_refuses_and_records_every_way_out(
    strict: StrictGuard, attempt: Callable[[], Any]
) -> None:
    with pytest.raises(Exception) as raised:
        attempt()
    assert isinstance(raised.value, NetworkAttempt) or "attempted" in str(raised.value)
    assert strict.attempts
    strict.attempts.clear()


def suite_guard_only(test: Callable[..., None]) -> Callable[..., None]:
    """Run a test of this module without the strict guard (the suite's stays)."""
    test.suite_guard_only = True  # type: ignore[attr-defined]
    return test


@suite_guard_only
def test_the_suite_guard_refuses_too() -> None:
    # Without this module's guard, the suite's own (conftest) is in place.
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("192.0.2.1", 443))
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.getaddrinfo("example.com", 443)


def test_a_stopped_mock_lets_the_request_go_and_the_guard_sees_it(
    strict: StrictGuard, credentials: None
) -> None:
    # The negative control of every test below: without a mock, a client does
    # try the network, and the strict guard notices even though botocore
    # wraps the error.
    client = boto3.client(
        "timestream-write",
        region_name=REGION,
        endpoint_url=REAL_HOSTS[0],
        config=Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(Exception):  # noqa: B017 - whatever botocore makes of it
        client.list_databases()
    assert strict.attempts
    strict.attempts.clear()


# --- clients of every origin ---------------------------------------------------------------


def test_first_call_of_a_new_client_discovers_the_endpoint_in_process(
    ts: TimestreamWriteMock,
) -> None:
    client = boto3.client("timestream-write", region_name=REGION)
    round_trip(client)
    assert operations(ts)[0] == "DescribeEndpoints"
    assert operations(ts).count("DescribeEndpoints") == 1


@pytest.mark.parametrize("endpoint_url", REAL_HOSTS)
def test_explicit_endpoint_url_of_a_real_aws_host(
    ts: TimestreamWriteMock, endpoint_url: str
) -> None:
    client = boto3.client("timestream-write", region_name=REGION, endpoint_url=endpoint_url)
    round_trip(client)
    assert "DescribeEndpoints" not in operations(ts)
    assert list(ts.backend(REGION).databases) == ["db1"]


def test_client_made_before_the_mock_started(credentials: None) -> None:
    client = boto3.client("timestream-write", region_name=REGION)
    other = botocore.session.get_session().create_client("timestream-write", region_name=REGION)
    with mock_timestream_write() as ts:
        round_trip(client)
        round_trip(other, "db2")
        assert sorted(ts.backend(REGION).databases) == ["db1", "db2"]


def _session_without_tsmock_handlers() -> botocore.session.Session:
    """A session as it would be had it been created before ``import tsmock``."""
    session = botocore.session.Session()
    handlers: list[tuple[str, Any]] = [
        ("before-send.timestream-write", intercept.before_send),
        ("choose-signer.timestream-write", intercept.choose_signer),
    ]
    for event_name, handler in handlers:
        session.unregister(event_name, handler)
    return session


def test_session_created_before_tsmock_was_imported(ts: TimestreamWriteMock) -> None:
    client = _session_without_tsmock_handlers().create_client(
        "timestream-write", region_name=REGION
    )
    # tsmock's handlers join this client's emitter at its first request.
    round_trip(client)
    assert operations(ts)[:2] == ["DescribeEndpoints", "CreateDatabase"]


def test_session_and_client_both_made_before_the_mock_started(credentials: None) -> None:
    client = _session_without_tsmock_handlers().create_client(
        "timestream-write", region_name=REGION, endpoint_url=REAL_HOSTS[1]
    )
    with mock_timestream_write() as ts:
        round_trip(client)
        assert list(ts.backend(REGION).databases) == ["db1"]


def test_retries_of_a_failing_call_stay_in_process(
    ts: TimestreamWriteMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # botocore's backoff
    # The retry policy is pinned: botocore's default mode differs between releases.
    client: Any = _session_without_tsmock_handlers().create_client(
        "timestream-write",
        region_name=REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )
    ts.add_fault("ListDatabases", "ThrottlingException", times=2)
    ts.add_fault("DescribeDatabase", "InternalServerException", times=None)
    assert client.list_databases()["Databases"] == []
    with pytest.raises(ClientError, match="InternalServerException"):
        client.describe_database(DatabaseName="db1")
    assert operations(ts).count("DescribeDatabase") == 3


def test_clients_in_other_threads(ts: TimestreamWriteMock) -> None:
    shared = boto3.client("timestream-write", region_name=REGION)
    session = boto3.Session()
    own = [session.client("timestream-write", region_name=REGION) for _ in range(4)]
    old_session = [
        _session_without_tsmock_handlers().create_client("timestream-write", region_name=REGION)
        for _ in range(2)
    ]

    def work(index: int) -> None:
        client = [shared, *own, *old_session][index % 7]
        round_trip(client, f"db-{index}")

    with ThreadPoolExecutor(max_workers=7) as pool:
        list(pool.map(work, range(14)))
    assert sorted(ts.backend(REGION).databases) == sorted(f"db-{i}" for i in range(14))


def test_client_made_inside_another_thread(ts: TimestreamWriteMock) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            round_trip(boto3.Session().client("timestream-write", region_name=REGION), "dbt")
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []
    assert list(ts.backend(REGION).databases) == ["dbt"]


def test_plain_requests_and_a_raw_endpoint_send(ts: TimestreamWriteMock) -> None:
    for url in [*REAL_HOSTS, "https://ingest-cell1.timestream.eu-west-1.amazonaws.com"]:
        response = requests.post(
            url + "/",
            data="{}",
            headers={"X-Amz-Target": "Timestream_20181101.ListDatabases"},
            timeout=5,
        )
        assert response.status_code == 200
    # An explicit endpoint URL of the service is answered too.
    client = boto3.client("timestream-write", region_name=REGION, endpoint_url=REAL_HOSTS[0])
    assert isinstance(client._endpoint, Endpoint)
    assert getattr(client._endpoint, "_endpoint_prefix", None) == "ingest.timestream"


def botocore_endpoints(region: str) -> list[str]:
    """Every regional endpoint botocore's rule set gives the service in a region."""
    urls = []
    for fips in (False, True):
        for dualstack in (False, True):
            config = Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack)
            made = boto3.client("timestream-write", region_name=region, config=config)
            urls.append(made.meta.endpoint_url)
    return urls


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
def test_plain_requests_to_every_endpoint_of_the_rule_set(
    ts: TimestreamWriteMock, region: str
) -> None:
    ts.backend(region).create_database(f"db-{region}")
    for url in botocore_endpoints(region):
        response = requests.post(
            url + "/",
            data="{}",
            headers={"X-Amz-Target": "Timestream_20181101.ListDatabases"},
            timeout=5,
        )
        assert response.status_code == 200, url
        # Answered by the backend of the endpoint's region.
        names = [d["DatabaseName"] for d in response.json()["Databases"]]
        assert names == [f"db-{region}"], url


def test_a_fresh_interpreter_whose_session_predates_the_import(tmp_path: Any) -> None:
    # The real thing rather than a simulation: a session and a client made
    # before tsmock is imported, with sockets refused from the first line.
    script = textwrap.dedent(
        """
        import socket

        attempts = []

        def refuse(*args, **kwargs):
            attempts.append(args)
            raise OSError("network access attempted")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        import botocore.session

        session = botocore.session.Session()
        early = session.create_client("timestream-write", region_name="us-east-1")

        import tsmock

        with tsmock.mock_timestream_write() as ts:
            early.create_database(DatabaseName="db1")
            late = session.create_client("timestream-write", region_name="us-east-1")
            names = [d["DatabaseName"] for d in late.list_databases()["Databases"]]
        assert names == ["db1"], names
        assert [c.operation for c in ts.calls] == [
            "DescribeEndpoints", "CreateDatabase", "DescribeEndpoints", "ListDatabases"
        ], ts.calls
        assert attempts == [], attempts
        print("ok")
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    # The subprocess's own sockets are its business: the guard of this process
    # does not reach it, the one in the script does.
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
