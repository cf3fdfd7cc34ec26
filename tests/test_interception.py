"""Which calls tsmock answers, and how: every timestream-write client while
active, endpoint discovery as on AWS (reference §2), other services untouched
(moto answers them), plain ``requests`` calls to ingest endpoints through
``responses``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.session
import pytest
import requests
import responses
from botocore.config import Config
from botocore.discovery import EndpointDiscoveryRequired
from botocore.endpoint import Endpoint
from freezegun import freeze_time
from moto import mock_aws
from requests.adapters import HTTPAdapter

from tsmock import intercept, mock_timestream_write

INGEST = "https://ingest-cell1.timestream.us-east-1.amazonaws.com/"
JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


def operations(ts: Any) -> list[str | None]:
    return [call.operation for call in ts.calls]


def sent_urls(client: Any) -> list[str]:
    """Record the URL of every request the client sends (tsmock still answers)."""
    urls: list[str] = []

    def capture(request: Any, **kwargs: Any) -> None:
        urls.append(request.url)

    client.meta.events.register_first("before-send.timestream-write", capture)
    return urls


# --- clients of every kind ---------------------------------------------------------


def test_client_created_before_start_is_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without any credentials botocore would ask the instance metadata service
    # while creating the client, before any mock: give it some, as CI would.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    client = boto3.Session().client("timestream-write", region_name="us-east-1")
    with mock_timestream_write() as ts:
        client.create_database(DatabaseName="db1")
        assert operations(ts) == ["DescribeEndpoints", "CreateDatabase"]
        assert list(ts.backend().databases) == ["db1"]


def test_clients_of_new_sessions_and_of_the_default_session(ts: Any) -> None:
    boto3.client("timestream-write", region_name="us-east-1").create_database(DatabaseName="db1")
    session = boto3.Session(region_name="us-east-1")
    assert [
        d["DatabaseName"] for d in session.client("timestream-write").list_databases()["Databases"]
    ] == ["db1"]
    core = botocore.session.get_session().create_client("timestream-write", region_name="us-east-1")
    assert core.describe_database(DatabaseName="db1")["Database"]["TableCount"] == 0


def test_a_client_whose_session_lacks_the_handler_is_answered_by_the_send_guard(
    ts: Any,
) -> None:
    # A session made before tsmock was imported has no tsmock handler: the guard
    # on Endpoint._send answers its requests instead of the network.
    session = botocore.session.Session()
    session.unregister("before-send.timestream-write", intercept.before_send)
    client = session.create_client("timestream-write", region_name="us-east-1")
    client.create_database(DatabaseName="db1")
    assert operations(ts) == ["DescribeEndpoints", "CreateDatabase"]


@pytest.mark.parametrize(
    "endpoint_url",
    [
        "https://ingest.timestream.us-west-2.amazonaws.com",
        "https://ingest-cell7.timestream.us-west-2.amazonaws.com",
        "http://localhost:4566",
    ],
)
def test_explicit_endpoint_url(ts: Any, endpoint_url: str) -> None:
    client = boto3.client("timestream-write", region_name="us-west-2", endpoint_url=endpoint_url)
    urls = sent_urls(client)
    client.create_database(DatabaseName="db1")
    client.list_databases()
    # With an endpoint_url botocore discovers nothing (§2.3): straight to that URL.
    assert operations(ts) == ["CreateDatabase", "ListDatabases"]
    assert all(url.startswith(endpoint_url) for url in urls)
    assert list(ts.backend("us-west-2").databases) == ["db1"]


@pytest.mark.parametrize("discovery", [None, True, "auto"])
def test_endpoint_discovery_as_on_aws(ts: Any, discovery: bool | str | None) -> None:
    config = Config() if discovery is None else Config(endpoint_discovery_enabled=discovery)
    client = boto3.client("timestream-write", region_name="eu-west-1", config=config)
    urls = sent_urls(client)
    client.create_database(DatabaseName="db1")
    client.describe_database(DatabaseName="db1")
    client.list_databases()
    # One discovery, cached; every operation goes to the discovered cell (§2.3).
    assert operations(ts) == [
        "DescribeEndpoints",
        "CreateDatabase",
        "DescribeDatabase",
        "ListDatabases",
    ]
    assert urls[0] == "https://ingest.timestream.eu-west-1.amazonaws.com/"
    assert urls[1:] == ["https://ingest-cell1.timestream.eu-west-1.amazonaws.com"] * 3


def test_discovery_disabled_raises_before_sending(ts: Any) -> None:
    client = boto3.client(
        "timestream-write",
        region_name="us-east-1",
        config=Config(endpoint_discovery_enabled=False),
    )
    with pytest.raises(EndpointDiscoveryRequired):
        client.list_databases()
    assert ts.calls == []


def test_the_discovered_endpoint_expires_after_its_cache_period(ts: Any) -> None:
    with freeze_time(datetime(2024, 5, 1, tzinfo=timezone.utc)) as frozen:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.list_databases()
        frozen.tick(timedelta(minutes=1439))
        client.list_databases()
        frozen.tick(timedelta(minutes=2))
        client.list_databases()
    assert operations(ts) == [
        "DescribeEndpoints",
        "ListDatabases",
        "ListDatabases",
        "DescribeEndpoints",
        "ListDatabases",
    ]


def test_nothing_is_answered_after_stop() -> None:
    with mock_timestream_write() as ts:
        client = boto3.client(
            "timestream-write",
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 0}),
        )
        client.list_databases()
    calls = len(ts.calls)
    # The socket guard of the suite stands in for AWS: the request goes out.
    with pytest.raises(Exception, match="network access attempted"):
        client.list_databases()
    assert len(ts.calls) == calls


# --- other services: moto answers them ---------------------------------------------


@pytest.mark.parametrize("tsmock_outer", [True, False])
def test_moto_and_tsmock_together_in_either_order(tsmock_outer: bool) -> None:
    first, second = (
        (mock_timestream_write(), mock_aws())
        if tsmock_outer
        else (mock_aws(), mock_timestream_write())
    )
    with first, second:
        ts: Any = first if tsmock_outer else second
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="tsmock-moto-bucket")
        s3.put_object(Bucket="tsmock-moto-bucket", Key="data.csv", Body=b"a,b\n")
        client = boto3.client("timestream-write", region_name="us-east-1")
        endpoints = client.describe_endpoints()["Endpoints"]
        # tsmock's cell, not moto's own Timestream answer.
        assert endpoints[0]["Address"] == "ingest-cell1.timestream.us-east-1.amazonaws.com"
        client.create_database(DatabaseName="db1")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["tsmock-moto-bucket"]
        body = s3.get_object(Bucket="tsmock-moto-bucket", Key="data.csv")["Body"].read()
        assert body == b"a,b\n"
        assert operations(ts) == ["DescribeEndpoints", "DescribeEndpoints", "CreateDatabase"]
        assert list(ts.backend().databases) == ["db1"]


def test_other_services_are_not_logged_or_answered_by_tsmock(ts: Any) -> None:
    with mock_aws():
        boto3.client("sts", region_name="us-east-1").get_caller_identity()
        boto3.client("timestream-query", region_name="us-east-1")
    assert ts.calls == []


# --- plain requests through responses -------------------------------------------------


def test_plain_requests_to_an_ingest_endpoint(ts: Any) -> None:
    created = requests.post(
        INGEST,
        data='{"DatabaseName": "db1"}',
        headers={**JSON_HEADERS, "X-Amz-Target": "Timestream_20181101.CreateDatabase"},
        timeout=5,
    )
    assert created.status_code == 200
    assert created.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert len(created.headers["x-amzn-RequestId"]) == 26
    assert created.json()["Database"]["Arn"].endswith(":database/db1")
    missing = requests.post(
        "https://ingest.timestream.eu-west-1.amazonaws.com/",
        data='{"DatabaseName": "db1"}',
        headers={**JSON_HEADERS, "X-Amz-Target": "Timestream_20181101.DescribeDatabase"},
        timeout=5,
    )
    # Another region's endpoint answers for that region.
    assert missing.status_code == 404
    assert missing.json() == {
        "__type": "com.amazonaws.timestream.v20181101#ResourceNotFoundException",
        "Message": "The database db1 does not exist.",
    }
    assert operations(ts) == ["CreateDatabase", "DescribeDatabase"]


def test_an_unknown_target_is_an_unknown_operation(ts: Any) -> None:
    response = requests.post(
        INGEST, data="{}", headers={"X-Amz-Target": "Timestream_20181101.Query"}, timeout=5
    )
    assert response.status_code == 404
    assert response.json() == {
        "__type": "com.amazon.coral.service#UnknownOperationException",
        "message": "",
    }


def test_other_urls_pass_through_to_whatever_answered_them_before() -> None:
    with responses.RequestsMock() as user_mock:
        user_mock.get("https://example.com/health", body="ok")
        send_before = HTTPAdapter.send
        with mock_timestream_write():
            assert requests.get("https://example.com/health", timeout=5).text == "ok"
            listed = requests.post(
                INGEST,
                data="{}",
                headers={"X-Amz-Target": "Timestream_20181101.ListDatabases"},
                timeout=5,
            )
            assert listed.json() == {"Databases": []}
        assert HTTPAdapter.send is send_before
        assert requests.get("https://example.com/health", timeout=5).text == "ok"


def test_other_urls_would_reach_the_network(ts: Any) -> None:
    # The suite's socket guard proves the request was passed on, not answered.
    with pytest.raises(Exception, match="network access attempted"):
        requests.get("http://example.com/", timeout=5)


def test_requests_to_ingest_endpoints_are_not_answered_after_stop() -> None:
    original, adapter_send = requests.Session.get_adapter, HTTPAdapter.send
    with mock_timestream_write():
        assert requests.Session.get_adapter is not original
        # responses (and moto) patch HTTPAdapter.send; tsmock never does.
        assert HTTPAdapter.send is adapter_send
    assert requests.Session.get_adapter is original
    with responses.RequestsMock() as user_mock:
        user_mock.post(INGEST, json={"answered": "by the user's mock"})
        response = requests.post(INGEST, data="{}", timeout=5)
        assert response.json() == {"answered": "by the user's mock"}


LIST = {"X-Amz-Target": "Timestream_20181101.ListDatabases"}


def _listed() -> Any:
    return requests.post(INGEST, data="{}", headers=LIST, timeout=5).json()


def test_moto_started_before_and_stopped_first_leaves_tsmock_answering() -> None:
    aws = mock_aws()
    aws.start()
    ts = mock_timestream_write()
    ts.start()
    try:
        aws.stop()
        assert _listed() == {"Databases": []}
        assert operations(ts) == ["ListDatabases"]
    finally:
        ts.stop()
    with pytest.raises(Exception, match="network access attempted"):
        _listed()


def test_moto_started_after_tsmock_does_not_answer_ingest_hosts() -> None:
    with mock_timestream_write() as ts, mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="moto-still-works")
        assert _listed() == {"Databases": []}
        assert operations(ts) == ["ListDatabases"]


@pytest.mark.parametrize("stop_user_first", [True, False])
def test_a_users_responses_mock_around_tsmock(stop_user_first: bool) -> None:
    user = responses.RequestsMock(assert_all_requests_are_fired=False)
    user.get("https://example.com/health", body="ok")
    user.post(INGEST, json={"answered": "by the user's mock"})
    ts = mock_timestream_write()
    ts.start()
    user.start()
    try:
        # Every ingest call is tsmock's while it is active; other URLs the user's.
        assert _listed() == {"Databases": []}
        assert requests.get("https://example.com/health", timeout=5).text == "ok"
        if stop_user_first:
            user.stop()
            assert _listed() == {"Databases": []}
    finally:
        ts.stop()
        if not stop_user_first:
            assert _listed() == {"answered": "by the user's mock"}
            user.stop()


def test_out_of_order_stops_leave_nothing_patched() -> None:
    get_adapter, adapter_send = requests.Session.get_adapter, HTTPAdapter.send
    for _ in range(3):
        aws = mock_aws()
        aws.start()
        ts = mock_timestream_write()
        ts.start()
        aws.stop()
        ts.stop()
        ts = mock_timestream_write()
        ts.start()
        aws = mock_aws()
        aws.start()
        ts.stop()
        aws.stop()
    assert HTTPAdapter.send is adapter_send
    assert requests.Session.get_adapter is get_adapter


@pytest.mark.parametrize(
    "url",
    [
        "https://ingest.timestream.us-east-1.amazonaws.com.example.org/",
        "https://ingest.timestream.us-east-1.amazonaws.comx/",
        "https://evil.example/ingest.timestream.us-east-1.amazonaws.com/",
    ],
)
def test_hosts_that_only_begin_like_an_ingest_host_are_not_answered(ts: Any, url: str) -> None:
    with pytest.raises(Exception, match="network access attempted"):
        requests.post(url, data="{}", headers=LIST, timeout=5)
    assert ts.calls == []


def test_an_ingest_url_with_port_path_and_query_is_answered(ts: Any) -> None:
    url = "https://ingest.timestream.us-east-1.amazonaws.com:443/some/path?x=1#frag"
    assert requests.post(url, data="{}", headers=LIST, timeout=5).json() == {"Databases": []}


# --- what start changes and stop restores -------------------------------------------------


def test_stop_restores_the_patched_send_even_when_the_body_raises() -> None:
    make_request, get_adapter = Endpoint.make_request, requests.Session.get_adapter
    with pytest.raises(RuntimeError, match="boom"), mock_timestream_write():
        assert Endpoint.make_request is not make_request
        assert requests.Session.get_adapter is not get_adapter
        raise RuntimeError("boom")
    assert Endpoint.make_request is make_request
    assert requests.Session.get_adapter is get_adapter


def test_builtin_handlers_stay_inert_while_inactive() -> None:
    from botocore.handlers import BUILTIN_HANDLERS

    assert ("before-send.timestream-write", intercept.before_send) in BUILTIN_HANDLERS
    assert intercept.before_send(request=None) is None
    assert intercept.choose_signer() is None


def test_streamed_request_bodies(ts: Any) -> None:
    headers = {"X-Amz-Target": "Timestream_20181101.CreateDatabase"}
    chunks = iter([b'{"DatabaseName":', b' "db1"}'])
    response = requests.post(INGEST, data=chunks, headers=headers, timeout=5)
    assert response.status_code == 200
    assert list(ts.backend().databases) == ["db1"]


def test_requests_are_not_signed_while_active(ts: Any) -> None:
    client = boto3.client("timestream-write", region_name="us-east-1")
    headers: list[dict[str, Any]] = []
    client.meta.events.register_first(
        "before-send.timestream-write",
        lambda request, **kwargs: headers.append(dict(request.headers)),
    )
    client.list_databases()
    assert len(headers) == 2
    assert all("Authorization" not in h and "X-Amz-Date" not in h for h in headers)
    target = headers[1]["X-Amz-Target"]
    target = target.decode() if isinstance(target, bytes) else target
    assert target == "Timestream_20181101.ListDatabases"


def _session_without_tsmock() -> botocore.session.Session:
    """A session as made before ``import tsmock``: none of tsmock's handlers."""
    session = botocore.session.Session()
    for handlers in intercept._HANDLERS.values():
        for event, handler in handlers.builtin():
            session.unregister(event, handler)
    return session


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.parametrize("with_moto", [False, True])
def test_an_early_client_without_credentials_is_answered_by_tsmock(
    no_credentials: None, with_moto: bool
) -> None:
    # A module-level client of application code: made before tsmock's handlers
    # exist, in a process without credentials (so it holds none).
    client = _session_without_tsmock().create_client(
        "timestream-write", region_name="eu-west-1"
    )
    assert client._request_signer._credentials is None
    with contextlib.ExitStack() as stack:
        if with_moto:
            stack.enter_context(mock_aws())
        ts = stack.enter_context(mock_timestream_write())
        client.create_database(DatabaseName="db1")
        assert operations(ts) == ["DescribeEndpoints", "CreateDatabase"]
        assert list(ts.backend("eu-west-1").databases) == ["db1"]
        assert ts.backend("us-east-1").databases == {}


def test_an_early_client_with_an_endpoint_url_keeps_its_region(ts: Any) -> None:
    client = _session_without_tsmock().create_client(
        "timestream-write", region_name="eu-west-1", endpoint_url="http://localhost:4566"
    )
    client.create_database(DatabaseName="db1")
    assert list(ts.backend("eu-west-1").databases) == ["db1"]
