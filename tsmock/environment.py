"""What an outermost activation changes in the process, and undoes at the last stop.

Fake credentials and a default region where none are configured (so no client
looks for real ones), and the interception of `tsmock.intercept`.
"""

from __future__ import annotations

import configparser
import os

from tsmock.intercept import Interception

_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
#: Keys of a config-file profile through which botocore finds credentials.
_CONFIG_CREDENTIAL_KEYS = frozenset(
    {
        "aws_access_key_id",
        "credential_process",
        "credential_source",
        "role_arn",
        "sso_session",
        "sso_start_url",
        "web_identity_token_file",
        "login_session",
    }
)


class _AwsFiles:
    """What the shared credentials and config files configure for the active profile."""

    def __init__(self) -> None:
        name = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"
        self.credentials = False
        self.region = False
        try:
            credentials = _read_ini(
                os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
            )
            config = _read_ini(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"))
        except (configparser.Error, OSError, UnicodeDecodeError):
            # botocore will complain about such a file itself; tsmock changes nothing.
            self.credentials = self.region = True
            return
        if credentials is not None and credentials.has_section(name):
            self.credentials = True
        if config is not None:
            sections = [f"profile {name}"] + (["default"] if name == "default" else [])
            for section in sections:
                if config.has_section(section):
                    keys = set(config.options(section))
                    self.credentials = self.credentials or bool(keys & _CONFIG_CREDENTIAL_KEYS)
                    self.region = self.region or "region" in keys


def _read_ini(path: str) -> configparser.RawConfigParser | None:
    expanded = os.path.expanduser(path)
    if not os.path.isfile(expanded):
        return None
    parser = configparser.RawConfigParser()
    parser.read(expanded, encoding="utf-8")
    return parser


class _Environment:
    """Fake credentials and a default region where none are configured; undone exactly."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def apply(self, region_name: str) -> None:
        """Set what is missing: credentials, then a default region."""
        wanted: dict[str, str] = {}
        files: _AwsFiles | None = None
        if not any(os.environ.get(name) for name in _CREDENTIAL_VARIABLES):
            files = _AwsFiles()
            if not files.credentials:
                wanted.update(_FAKE_CREDENTIALS)
        if not os.environ.get("AWS_DEFAULT_REGION"):
            files = files or _AwsFiles()
            if not files.region:
                # botocore reads only AWS_DEFAULT_REGION; an AWS_REGION (read by
                # other SDKs and tools) still says which region the user means.
                wanted["AWS_DEFAULT_REGION"] = os.environ.get("AWS_REGION") or region_name
        for name, value in wanted.items():
            self._saved[name] = os.environ.get(name)
            os.environ[name] = value

    def restore(self) -> None:
        """Put back every variable `apply` set, or remove it if it was unset."""
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


class SwitchedOn:
    """What the outermost activation changed in the process, to undo at the last stop.

    Kept here rather than on a handle: activations may end in any order (a
    fixture's handle and a decorator's), and whichever ends last restores.
    """

    def __init__(self, region_name: str) -> None:
        self.environment = _Environment()
        self.interception = Interception()
        self.environment.apply(region_name)
        try:
            self.interception.start()
        except BaseException:
            self.environment.restore()
            raise

    def undo(self) -> None:
        try:
            self.interception.stop()
        finally:
            self.environment.restore()
