"""Fake credentials and a default region only where none are configured, and
the environment restored exactly on stop."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tsmock import mock_timestream_write

VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """No AWS variables; credentials and config files in tmp_path (not created yet)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    credentials, config = tmp_path / "credentials", tmp_path / "config"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    yield credentials, config


def aws_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.startswith("AWS_")}


def test_nothing_configured_gets_fake_credentials_and_a_region(files: tuple[Path, Path]) -> None:
    before = aws_environment()
    with mock_timestream_write(region_name="eu-central-1"):
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == "testing"
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
        # A client with no region of its own uses it; no credential lookup goes out.
        client = boto3.Session().client("timestream-write")
        assert client.meta.region_name == "eu-central-1"
        arn = client.create_database(DatabaseName="db1")["Database"]["Arn"]
        assert arn.startswith("arn:aws:timestream:eu-central-1:")
    assert aws_environment() == before


def test_default_region_of_the_mock(files: tuple[Path, Path]) -> None:
    with mock_timestream_write():
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"


def test_environment_restored_when_the_body_raises(files: tuple[Path, Path]) -> None:
    before = aws_environment()
    with pytest.raises(ValueError), mock_timestream_write():
        assert "AWS_ACCESS_KEY_ID" in os.environ
        raise ValueError
    assert aws_environment() == before


def test_configured_variables_are_left_alone(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDREAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    before = aws_environment()
    with mock_timestream_write(region_name="eu-west-1"):
        assert aws_environment() == before
        client = boto3.Session().client("timestream-write")
        assert client.meta.region_name == "ap-southeast-2"
        assert client._request_signer._credentials.access_key == "AKIDREAL"
        client.list_databases()
    assert aws_environment() == before


def test_aws_region_alone_names_the_default_region(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore does not read AWS_REGION; the mock's default region follows it.
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    with mock_timestream_write(region_name="eu-west-1"):
        assert boto3.Session().client("timestream-write").meta.region_name == "ap-southeast-2"
    assert "AWS_DEFAULT_REGION" not in os.environ
    assert os.environ["AWS_REGION"] == "ap-southeast-2"


def test_credentials_file_counts_as_configured(files: tuple[Path, Path]) -> None:
    credentials, _ = files
    credentials.write_text("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n")
    with mock_timestream_write():
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        assert "AWS_SECRET_ACCESS_KEY" not in os.environ
        # No region anywhere: that one is still supplied.
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        client = boto3.Session().client("timestream-write")
        assert client._request_signer._credentials.access_key == "AKIDFILE"
        client.list_databases()
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_config_file_region_counts_as_configured(files: tuple[Path, Path]) -> None:
    _, config = files
    config.write_text("[default]\nregion = sa-east-1\n")
    with mock_timestream_write():
        assert "AWS_DEFAULT_REGION" not in os.environ
        # A region alone configures no credentials.
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert boto3.Session().client("timestream-write").meta.region_name == "sa-east-1"


def test_profile_of_the_config_file(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, config = files
    config.write_text(
        "[profile dev]\nregion = eu-north-1\ncredential_process = /bin/false\n"
        "[default]\nregion = us-west-1\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "dev")
    before = aws_environment()
    with mock_timestream_write():
        assert aws_environment() == before


def test_a_profile_without_credentials_in_the_config_file(
    files: tuple[Path, Path],
) -> None:
    _, config = files
    config.write_text("[profile other]\naws_access_key_id = AKIDOTHER\nregion = eu-west-3\n")
    with mock_timestream_write():
        # The default profile has nothing: both are supplied.
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"


def test_an_unreadable_file_changes_nothing(files: tuple[Path, Path]) -> None:
    credentials, _ = files
    credentials.write_text("this is not an ini file\n[")
    with mock_timestream_write():
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        assert "AWS_DEFAULT_REGION" not in os.environ


def test_a_variable_set_inside_the_mock_is_restored_to_its_old_state(
    files: tuple[Path, Path],
) -> None:
    with mock_timestream_write():
        os.environ["AWS_DEFAULT_REGION"] = "changed-inside"
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_nested_activations_restore_only_at_the_last_stop(files: tuple[Path, Path]) -> None:
    outer = mock_timestream_write().start()
    inner = mock_timestream_write().start()
    inner.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    outer.stop()
    assert "AWS_ACCESS_KEY_ID" not in os.environ
