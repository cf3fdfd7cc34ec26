"""Other layers that save environment variables at their start and put them back at their stop.

tsmock's fake credentials (environment.py) have to outlive such a layer that
stops before tsmock, and must not come back when such a layer stops after
tsmock. Three kinds are known:

- `unittest.mock.patch.dict(os.environ, ...)`: saves the whole environment and
  puts all of it back;
- moto's `mock_aws`: saves its two credential variables one by one and puts
  each back (or deletes it when it was unset);
- pytest's `monkeypatch`: saves each variable it sets or deletes.

Apart from `patch.dict`s started with `start()` (unittest.mock lists those),
none is registered anywhere tsmock could look, so they are found by their type
among the objects the garbage collector tracks
(`gc.get_referrers` of the class: a walk over every object, done only when
needed, never per request). What they saved lives in private attributes of
other projects, so anything that does not look as expected is skipped: finding
or changing a layer never fails a start or a stop.
"""

from __future__ import annotations

import gc
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any


class Layer(ABC):
    """What one other layer puts back into `os.environ` when it stops."""

    @abstractmethod
    def replace(self, name: str, old: str | None, new: str | None) -> bool:
        """Make the layer put back `new` (None: unset) where it would put back `old`.

        False, changing nothing, when it holds something else for `name` or does
        not save `name` at all.
        """


class StartedLayer(Layer):
    """A layer found active at tsmock's start (`started_layers`): given tsmock's
    values beneath its own, so it must tell what it would put back."""

    #: Puts back the whole environment it saved, not only the variables it set.
    restores_all = False

    @abstractmethod
    def view(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The environment right after this layer stopped, if it were the only one."""


class PatchDictLayer(StartedLayer):
    """A `patch.dict` of `os.environ`: its copy of the whole environment."""

    restores_all = True

    def __init__(self, original: dict[Any, Any], values: object) -> None:
        self._original = original
        self._values = values if isinstance(values, dict) else {}

    def sets(self, name: str, value: str) -> bool:
        """Whether this patch sets `name` to `value` itself (while it is active,
        such a value in os.environ is the patch's, whoever else set it too)."""
        return self._values.get(name) == value

    def view(self, environ: Mapping[str, str]) -> dict[str, str]:
        return {
            k: v for k, v in self._original.items() if isinstance(k, str) and isinstance(v, str)
        }

    def replace(self, name: str, old: str | None, new: str | None) -> bool:
        if self._original.get(name) != old:
            return False
        if new is None:
            self._original.pop(name, None)
        else:
            self._original[name] = new
        return True


class _MotoLayer(StartedLayer):
    """moto's saved credential variables (an unset or empty one is deleted at its stop)."""

    def __init__(self, saved: dict[Any, Any]) -> None:
        self._saved = saved

    def view(self, environ: Mapping[str, str]) -> dict[str, str]:
        view = dict(environ)
        for name, value in self._saved.items():
            if isinstance(value, str) and value:
                view[name] = value
            else:
                view.pop(name, None)
        return view

    def replace(self, name: str, old: str | None, new: str | None) -> bool:
        if name not in self._saved or (self._saved[name] or None) != old:
            return False
        self._saved[name] = new
        return True


class _MonkeyPatchLayer(Layer):
    """A pytest `MonkeyPatch`: (mapping, name, saved value or `notset`) entries.

    Only ever found by `all_layers` at a stop (a monkeypatch set up before
    tsmock's start saved no value of tsmock's), so it needs no `view`.
    """

    def __init__(self, entries: list[Any], notset: object) -> None:
        self._entries = entries
        self._notset = notset

    def _environ_entries(self) -> list[tuple[int, str, str | None]]:
        found = []
        for index, entry in enumerate(self._entries):
            if isinstance(entry, tuple) and len(entry) == 3 and entry[0] is os.environ:
                value = None if entry[2] is self._notset else entry[2]
                if isinstance(entry[1], str) and (value is None or isinstance(value, str)):
                    found.append((index, entry[1], value))
        return found

    def replace(self, name: str, old: str | None, new: str | None) -> bool:
        replaced = False
        for index, entry_name, value in self._environ_entries():
            if entry_name == name and value == old:
                saved = self._notset if new is None else new
                self._entries[index] = (os.environ, name, saved)
                replaced = True
        return replaced


def _patch_dict_type() -> type | None:
    mock = sys.modules.get("unittest.mock")
    found = getattr(mock, "_patch_dict", None)
    return found if isinstance(found, type) else None


def _moto_types() -> list[type]:
    models = sys.modules.get("moto.core.models")
    base = getattr(models, "MockAWS", None)
    if not isinstance(base, type):
        return []
    types, pending = [], [base]
    while pending:
        cls = pending.pop()
        types.append(cls)
        pending.extend(cls.__subclasses__())
    return types


def _moto_active(cls: type) -> bool:
    # moto counts its active activations per class (start adds one, stop takes one).
    count = getattr(cls, "_nested_count", 0)
    return isinstance(count, int) and count > 0


def _patch_dict_layer(candidate: object) -> PatchDictLayer | None:
    # A patch.dict of os.environ that has saved its copy (it was started once).
    original = getattr(candidate, "_original", None)
    if getattr(candidate, "in_dict", None) is os.environ and isinstance(original, dict):
        return PatchDictLayer(original, getattr(candidate, "values", None))
    return None


def _as_layer(
    candidate: object, patch_dict: type | None, moto: tuple[type, ...]
) -> StartedLayer | None:
    if patch_dict is not None and isinstance(candidate, patch_dict):
        return _patch_dict_layer(candidate)
    if moto and isinstance(candidate, moto):
        saved = getattr(candidate, "_orig_creds", None)
        if isinstance(saved, dict):
            return _MotoLayer(saved)
    return None


def _active_moto_types() -> tuple[type, ...]:
    """moto's activation classes, only while one is active (else its saved values are unused)."""
    moto = _moto_types()
    return tuple(moto) if any(_moto_active(cls) for cls in moto) else ()


def started_patch_dicts() -> list[PatchDictLayer]:
    """`patch.dict`s of os.environ started with `start()`; cheap.

    Those are the ones whose stop can come between tsmock's start and stop (a
    `with` block nests).
    """
    patch_dict = _patch_dict_type()
    active = getattr(
        getattr(sys.modules.get("unittest.mock"), "_patch", None), "_active_patches", []
    )
    patches = active if isinstance(active, list) else []
    layers = [
        _patch_dict_layer(patch)
        for patch in patches
        if patch_dict is not None and isinstance(patch, patch_dict)
    ]
    return [layer for layer in layers if layer is not None]


def started_layers() -> list[StartedLayer]:
    """The layers that may be active, as far as they can be known without much cost.

    The started `patch.dict`s, and, only while moto is active, moto's: those are
    found by walking every object the garbage collector tracks (some
    milliseconds), so without moto this costs next to nothing.
    """
    layers: list[StartedLayer] = list(started_patch_dicts())
    moto = _active_moto_types()
    for candidate in gc.get_referrers(*moto) if moto else []:
        layer = _as_layer(candidate, None, moto)
        if layer is not None:
            layers.append(layer)
    return layers


def all_layers() -> list[Layer]:
    """Every layer of the known kinds that may hold saved values (walks every tracked object).

    A `patch.dict` keeps its copy after its stop, and cannot tell whether it is
    active; its saved values are never put back then (each start saves afresh),
    so changing them does no harm. A `MonkeyPatch` empties its list when it undoes.
    """
    patch_dict = _patch_dict_type()
    moto = _active_moto_types()
    monkeypatch = sys.modules.get("_pytest.monkeypatch")
    monkeypatch_type = getattr(monkeypatch, "MonkeyPatch", None)
    # The marker of "was not set": `notset` before pytest 9.1, `NOTSET` since.
    notset = getattr(monkeypatch, "NOTSET", getattr(monkeypatch, "notset", None))
    types = [*moto, *([patch_dict] if patch_dict else [])]
    if isinstance(monkeypatch_type, type) and notset is not None:
        types.append(monkeypatch_type)
    else:
        monkeypatch_type = None
    layers: list[Layer] = []
    for candidate in gc.get_referrers(*types) if types else []:
        if monkeypatch_type is not None and isinstance(candidate, monkeypatch_type):
            entries = getattr(candidate, "_setitem", None)
            if isinstance(entries, list):
                layers.append(_MonkeyPatchLayer(entries, notset))
            continue
        layer = _as_layer(candidate, patch_dict, moto)
        if layer is not None:
            layers.append(layer)
    return layers
