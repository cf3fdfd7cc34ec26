"""What an outermost activation changes in the process, and undoes at the last stop.

Fake credentials and a default region where none are configured (so no client
looks for real ones), and the interception of `tsmock.intercept`.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tsmock.environment_layers import (
    Layer,
    StartedLayer,
    all_layers,
    started_layers,
    started_patch_dicts,
)
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

    def __init__(self, environ: Mapping[str, str]) -> None:
        name = environ.get("AWS_PROFILE") or environ.get("AWS_DEFAULT_PROFILE") or "default"
        self.credentials = False
        self.region = False
        try:
            credentials = _read_ini(
                environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
            )
            config = _read_ini(environ.get("AWS_CONFIG_FILE", "~/.aws/config"))
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


@dataclass
class _Owned:
    """A variable tsmock set, and owns for as long as it holds `value`."""

    value: str
    #: What the variable is without tsmock (None: unset).
    beneath: str | None
    #: Set in os.environ itself at the start (not only beneath another layer).
    in_environ: bool
    #: In os.environ right after the start: tsmock's value, or another layer's
    #: above it. Any third value at the stop means someone changed it meanwhile.
    seen: str | None = None


def _missing(environ: Mapping[str, str], region_name: str) -> dict[str, str]:
    """What tsmock sets where `environ` configures no credentials or no region."""
    wanted: dict[str, str] = {}
    files: _AwsFiles | None = None
    if not any(environ.get(name) for name in _CREDENTIAL_VARIABLES):
        files = _AwsFiles(environ)
        if not files.credentials:
            wanted.update(_FAKE_CREDENTIALS)
    if not environ.get("AWS_DEFAULT_REGION"):
        files = files or _AwsFiles(environ)
        if not files.region:
            # botocore reads only AWS_DEFAULT_REGION; an AWS_REGION (read by
            # other SDKs and tools) still says which region the user means.
            wanted["AWS_DEFAULT_REGION"] = environ.get("AWS_REGION") or region_name
    return wanted


def _put(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


class _Environment:
    """Fake credentials and a default region where none are configured; undone exactly.

    tsmock owns a variable while it holds the value tsmock set, and at the stop
    puts back what was beneath. Other layers that save variables at their start
    and put them back at their stop (environment_layers.py: moto's `mock_aws`,
    `patch.dict`, `monkeypatch`) are corrected for the orders that cross:

    - tsmock, then moto, started; tsmock stopped: moto's credentials stay (tsmock
      no longer holds them), and moto saved tsmock's values to put back at its
      stop, so there they are replaced by what was beneath tsmock;
    - moto, then tsmock, started; moto stopped: moto would delete its
      credentials, leaving tsmock without any, so at tsmock's start its values
      are put beneath moto's (into what moto saved), and taken out at its stop.
    """

    def __init__(self) -> None:
        self._owned: dict[str, _Owned] = {}
        #: Layers given tsmock's values beneath their own at the start.
        self._beneath: list[tuple[StartedLayer, str]] = []

    def apply(self, region_name: str) -> None:
        """Set what is missing (credentials, then a default region), also beneath other layers."""
        for name, value in _missing(os.environ, region_name).items():
            self._owned[name] = _Owned(value, os.environ.get(name), in_environ=True)
            os.environ[name] = value
        for layer in started_layers():
            for name, value in _missing(layer.view(os.environ), region_name).items():
                owned = self._owned.get(name) or _Owned(value, None, in_environ=False)
                if layer.replace(name, None, owned.value):
                    self._owned.setdefault(name, owned)
                    self._beneath.append((layer, name))
        for name, owned in self._owned.items():
            owned.seen = os.environ.get(name)

    def restore(self) -> None:
        """Put back what was beneath each variable tsmock set, here and in other layers.

        A variable someone changed meanwhile is theirs if a layer saved tsmock's
        value to put back at its own stop (moto, `patch.dict`, `monkeypatch`):
        that layer then puts back what was beneath tsmock instead. A variable
        changed directly in os.environ, which nobody will undo, is put back here.
        """
        overwritten = set()
        patch_dicts = started_patch_dicts()
        for name, owned in self._owned.items():
            current = os.environ.get(name)
            # An active patch.dict that sets tsmock's very value (the fake
            # credentials tests commonly patch in) holds it, not tsmock: treated
            # as a change, so that whoever saved tsmock's value is corrected.
            claimed = any(patch.sets(name, owned.value) for patch in patch_dicts)
            if current == owned.value and not claimed:
                _put(name, owned.beneath)
            elif current != owned.seen or claimed:
                overwritten.add(name)
        for layer, name in self._beneath:
            layer.replace(name, self._owned[name].value, None)
        # Who saved tsmock's values after its start: a layer that changed one of
        # them (moto always sets its credentials), found by a walk over every
        # object, done only then; or a started patch.dict that changed none. A
        # patch.dict given tsmock's values at the start puts back all of its copy
        # at its stop, which hides any change made while it was active: walk then too.
        walk = overwritten or any(layer.restores_all for layer, _ in self._beneath)
        savers: Sequence[Layer] = all_layers() if walk else patch_dicts
        for saver in savers:
            for name, owned in self._owned.items():
                if saver.replace(name, owned.value, owned.beneath):
                    overwritten.discard(name)
        for name in overwritten:
            if self._owned[name].in_environ:
                _put(name, self._owned[name].beneath)
        self._owned.clear()
        self._beneath.clear()


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
