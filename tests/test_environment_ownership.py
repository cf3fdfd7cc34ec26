"""Environment variables owned correctly when tsmock and other layers start and stop in any order.

tsmock supplies fake credentials and a region where none are configured; moto's
`mock_aws` sets its own fake credentials; `patch.dict(os.environ)` and pytest's
`monkeypatch` save values and put them back. Whatever the order: each restores
only what it set and still owns, while tsmock or moto is active credentials
exist (and a region while tsmock is), and after all stop the environment is
exactly the original.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock as std_mock

import boto3
import pytest
from moto import mock_aws
from moto.core.models import MockAWS

from tsmock import mock_timestream_write

CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
REGION = "AWS_DEFAULT_REGION"


def environment() -> dict[str, str]:
    """The process environment, without pytest's own bookkeeping variable."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """No AWS variables, and credentials/config files that do not exist; yields the environment."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    saved = dict(os.environ)
    yield environment()
    # Whatever a failing test leaves behind, the next test starts clean.
    os.environ.clear()
    os.environ.update(saved)


@dataclass
class Layer:
    """One mock or patch of the environment, started and stopped by hand."""

    name: str
    start: Callable[[], object]
    stop: Callable[[], object]
    #: While active, credentials must exist (and a region, for tsmock).
    needs_credentials: bool
    needs_region: bool
    active: bool = False


def tsmock_layer() -> Layer:
    ts = mock_timestream_write()
    return Layer("tsmock", ts.start, ts.stop, needs_credentials=True, needs_region=True)


def moto_layer() -> Layer:
    aws = mock_aws()
    return Layer("moto", aws.start, aws.stop, needs_credentials=True, needs_region=False)


def patch_dict_layer(values: dict[str, str]) -> Callable[[], Layer]:
    def make() -> Layer:
        patch = std_mock.patch.dict(os.environ, values)
        credentials = "AWS_ACCESS_KEY_ID" in values
        return Layer("patch.dict", patch.start, patch.stop, credentials, needs_region=False)

    return make


OTHERS = {
    "moto": moto_layer,
    "patch.dict-credentials": patch_dict_layer(
        {"AWS_ACCESS_KEY_ID": "AKIDPATCHED", "AWS_SECRET_ACCESS_KEY": "patched-secret"}
    ),
    "patch.dict-other": patch_dict_layer({"UNRELATED_VARIABLE": "1"}),
    # The very values tsmock sets (the fake credentials tests commonly patch in):
    # still the patch's, not tsmock's, while the patch is active.
    "patch.dict-same-credentials": patch_dict_layer(
        {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    ),
}


def interleavings(*names: str) -> list[tuple[str, ...]]:
    """Every order of the layers' starts and stops where each starts before it stops."""
    events = [name + sign for name in names for sign in "+-"]
    return [
        order
        for order in itertools.permutations(events)
        if all(order.index(name + "+") < order.index(name + "-") for name in names)
    ]


def check_while_active(layers: list[Layer]) -> None:
    active = [layer for layer in layers if layer.active]
    if any(layer.needs_credentials for layer in active):
        for name in CREDENTIALS:
            assert os.environ.get(name), f"{name} missing while {[x.name for x in active]} active"
        credentials = boto3.Session().get_credentials()
        assert credentials is not None and credentials.method == "env"
    if any(layer.needs_region for layer in active):
        assert os.environ.get(REGION)


def run_in_order(order: tuple[str, ...], layers: dict[str, Layer]) -> None:
    """Start and stop the layers as `order` says, checking the environment after each step."""
    try:
        for event in order:
            layer = layers[event[:-1]]
            if event.endswith("+"):
                layer.start()
            else:
                layer.stop()
            layer.active = event.endswith("+")
            check_while_active(list(layers.values()))
    finally:
        for layer in layers.values():
            if layer.active:
                layer.stop()


@pytest.mark.parametrize("configured", [False, True], ids=["nothing-configured", "configured"])
@pytest.mark.parametrize("other", sorted(OTHERS))
@pytest.mark.parametrize("order", interleavings("ts", "other"), ids=" ".join)
def test_every_order_of_starts_and_stops(
    clean: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    order: tuple[str, ...],
    other: str,
    configured: bool,
) -> None:
    if configured:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDUSER")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-secret")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    before = environment()
    run_in_order(order, {"ts": tsmock_layer(), "other": OTHERS[other]()})
    assert environment() == before


def crossing(order: tuple[str, ...], first: str, second: str) -> bool:
    """Whether the two layers' activations cross (neither nested in the other nor apart)."""
    a, b = (order.index(first + "+"), order.index(first + "-"))
    c, d = (order.index(second + "+"), order.index(second + "-"))
    return a < c < b < d or c < a < d < b


@pytest.mark.parametrize("patch", ["patch.dict-credentials", "patch.dict-other"])
@pytest.mark.parametrize(
    "order",
    # Crossing each other, moto and a patch.dict conflict without tsmock.
    [o for o in interleavings("ts", "moto", "patch") if not crossing(o, "moto", "patch")],
    ids=" ".join,
)
def test_every_order_of_tsmock_moto_and_a_patch_dict(
    clean: dict[str, str], order: tuple[str, ...], patch: str
) -> None:
    # For example: patch.dict with credentials, then tsmock started (its values
    # go beneath the patch's), the patch stopped (tsmock's values come back),
    # moto started (saving them), tsmock stopped: moto must not put them back.
    run_in_order(order, {"ts": tsmock_layer(), "moto": moto_layer(), "patch": OTHERS[patch]()})
    assert environment() == clean


def test_moto_started_inside_answers_s3_after_tsmock_stops(clean: dict[str, str]) -> None:
    ts, aws = mock_timestream_write(), mock_aws()
    ts.start()
    aws.start()
    try:
        ts.stop()
        # moto's credentials are still there (tsmock deleted them before).
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="after-tsmock")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["after-tsmock"]
    finally:
        aws.stop()
    # moto saved tsmock's fake credentials at its start; they do not come back.
    assert environment() == clean


def test_client_made_after_moto_stopped_is_answered_by_tsmock(clean: dict[str, str]) -> None:
    aws, ts = mock_aws(), mock_timestream_write(region_name="eu-west-1")
    aws.start()
    ts.start()
    try:
        aws.stop()
        # Credentials come from the environment: no lookup of the instance
        # metadata service (the suite's socket guard would refuse it).
        session = boto3.Session()
        credentials = session.get_credentials()
        assert credentials is not None and credentials.method == "env"
        client = session.client("timestream-write")
        assert client.meta.region_name == "eu-west-1"
        arn = client.create_database(DatabaseName="db1")["Database"]["Arn"]
        assert arn.startswith("arn:aws:timestream:eu-west-1:")
    finally:
        ts.stop()
    assert environment() == clean


def test_nested_in_both_orders(clean: dict[str, str]) -> None:
    with mock_aws(), mock_timestream_write():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
        assert os.environ[REGION] == "us-east-1"
    assert environment() == clean
    with mock_timestream_write(), mock_aws():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
    assert environment() == clean


def test_repeated_crossing_cycles(clean: dict[str, str]) -> None:
    ts, aws = mock_timestream_write(), mock_aws()
    ts.start()
    aws.start()
    for _ in range(3):
        ts.stop()
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
        ts.start()
    aws.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert os.environ[REGION] == "us-east-1"
    ts.stop()
    assert environment() == clean


def test_monkeypatch_setenv_inside_tsmock_keeps_the_users_value(clean: dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        ts = mock_timestream_write()
        ts.start()
        patch.setenv("AWS_ACCESS_KEY_ID", "AKIDUSER")
        ts.stop()
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDUSER"
        # What tsmock set and still held is gone.
        assert "AWS_SECRET_ACCESS_KEY" not in os.environ
        assert REGION not in os.environ
    # monkeypatch saved tsmock's value; its undo no longer puts it back.
    assert environment() == clean


def test_monkeypatch_inside_a_patch_dict_that_stops_before_tsmock(clean: dict[str, str]) -> None:
    # The patch.dict's stop puts back tsmock's value over the user's, which
    # hides that monkeypatch saved tsmock's value: its undo must not bring it back.
    patch = std_mock.patch.dict(os.environ, {"UNRELATED_VARIABLE": "1"})
    patch.start()
    ts = mock_timestream_write()
    with pytest.MonkeyPatch.context() as monkeypatch:
        ts.start()
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
        patch.stop()
        assert os.environ[REGION] == "us-east-1"
        ts.stop()
    assert environment() == clean


def test_monkeypatch_delenv_inside_tsmock(clean: dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        with mock_timestream_write():
            patch.delenv("AWS_SECRET_ACCESS_KEY")
        assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert environment() == clean


def test_a_credential_changed_directly_inside_tsmock_is_put_back(clean: dict[str, str]) -> None:
    # Nobody else saved tsmock's value, so nobody else would undo this change.
    with mock_timestream_write():
        os.environ["AWS_ACCESS_KEY_ID"] = "AKIDUSER"
        del os.environ["AWS_SECRET_ACCESS_KEY"]
    assert environment() == clean


def test_unexpected_saved_state_of_another_layer_never_fails(clean: dict[str, str]) -> None:
    stray = MockAWS()
    stray._orig_creds = "not a dict"  # type: ignore[assignment]
    broken = std_mock.patch.dict(os.environ, {"UNRELATED_VARIABLE": "1"})
    broken.start()
    broken._original = ["not", "a", "dict"]  # type: ignore[assignment]
    aws, ts = mock_aws(), mock_timestream_write()
    aws.start()
    try:
        ts.start()
        aws.stop()
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "overwritten"
        ts.stop()
    finally:
        std_mock._patch._active_patches.remove(broken)  # type: ignore[attr-defined]
    assert stray._orig_creds == "not a dict"
    assert os.environ.pop("AWS_SECRET_ACCESS_KEY") == "overwritten"
    os.environ.pop("UNRELATED_VARIABLE")
    assert environment() == clean
