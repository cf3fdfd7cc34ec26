"""Request shapes, from each service's botocore model: the one request checker.

Each operation's input shape compiles into a `Checker` with two views of the
same rules: a generated ``is_valid`` that allocates nothing (the path of every
good request, on both the full HTTP path and the before-call fast path), and
``collect``, which walks again with paths to word each violation the way the
service's request framework does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape, StructureShape


@cache
def service_model(service: str) -> ServiceModel:
    """The botocore model of a service, loaded once, on first use."""
    return ServiceModel(_loader().load_service_model(service, "service-2"), service)


@cache
def _loader() -> Loader:
    return Loader()


# Constraints the API Reference states and the model leaves out (docs/operations/create-database.md,
# create-table.md, write-records.md):
# every database/table name is 3-256 characters, dimension names at most 60 and
# measure names at most 256 characters.
_EXTRA_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "DatabaseName": {"min": 3, "max": 256},
    "TableName": {"min": 3, "max": 256},
    "TargetDatabaseName": {"min": 3, "max": 256},
    "TargetTableName": {"min": 3, "max": 256},
}
_EXTRA_MEMBER_CONSTRAINTS: dict[tuple[str, str], dict[str, Any]] = {
    ("Dimension", "Name"): {"max": 60},
    ("Record", "MeasureName"): {"max": 256},
}


def is_valid(service: str, operation: str, params: Any) -> bool:
    """Whether ``params`` satisfy every constraint of the operation's input shape.

    Types are checked exactly (``str``, ``int``, ``list``, ``dict``), so members
    that pass are what a JSON round trip of them would give.
    """
    return input_checker(service, operation).is_valid(params)


# --- Model-driven constraint checks -------------------------------------------------
#
# Each shape compiles into a `Checker` with two views of the same rules: a fast
# `is_valid` that allocates nothing (the path of every good request), and
# `collect`, which walks again with paths to word each violation the way the
# request framework does.


Collect = Callable[[Any, str, list[str]], None]


class Checker:
    """The checks of one operation's input shape: a fast yes/no, and the worded violations."""

    __slots__ = ("collect", "is_valid")

    def __init__(self, is_valid: Callable[[Any], bool], collect: Collect) -> None:
        #: Whether a request satisfies every constraint (generated from the model).
        self.is_valid = is_valid
        #: Appends the framework's text of each violation, at its member path.
        self.collect = collect


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)


def _violation(value: Any, path: str, phrase: str) -> str:
    shown = "null" if value is None else f"'{_render(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {phrase}"


def _path_name(member: str) -> str:
    return member[:1].lower() + member[1:]


@cache
def input_checker(service: str, operation: str) -> Checker:
    """The checker of an operation's input shape (built once per operation)."""
    input_shape = service_model(service).operation_model(operation).input_shape
    if input_shape is None:
        return Checker(lambda value: True, lambda value, path, errors: None)
    # The collecting walk stays generic; the yes/no walk that every request takes
    # is generated as straight-line Python, several times faster than closures.
    return Checker(_generate_fast_check(input_shape), _compile(input_shape, {}, top_level=True))


@cache
def _shape_collector(service: str, shape_name: str) -> Collect:
    return _compile(service_model(service).shape_for(shape_name), {})


def shape_violations(service: str, shape_name: str, value: Any) -> list[str]:
    """Every constraint of the named shape of the service's model ``value`` violates.

    Worded as the request framework words them, at member paths below the shape
    (e.g. a data model read from an object, checked against ``DataModel``).
    """
    errors: list[str] = []
    try:
        _shape_collector(service, shape_name)(value, "", errors)
    except RecursionError:
        errors.append("the value is nested too deeply")
    return errors


_UNBOUNDED = 1 << 62
#: Shapes whose generated check refuses None by itself (a type or enum test).
_INLINE_KINDS = frozenset({"structure", "list", "string", "integer", "long", "boolean"})


def _generate_fast_check(shape: StructureShape) -> Callable[[Any], bool]:
    namespace: dict[str, Any] = {}
    lines = ["def is_valid(v0):"]
    # Locals that remember the last list object each site accepted.
    remembered: list[str] = []
    counter = [0]

    def constant(value: Any) -> str:
        counter[0] += 1
        name = f"_c{counter[0]}"
        namespace[name] = value
        return name

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def emit(
        node: Shape,
        extra: Mapping[str, Any],
        var: str,
        depth: int,
        top: bool,
        looped: bool,
    ) -> None:
        # Each shape becomes a few straight-line checks that return False at the
        # first violation; `collect` words the violation afterwards. None needs
        # no test of its own where the type or enum test that follows refuses it.
        pad = "    " * depth
        meta = {**node.metadata, **extra}
        kind = node.type_name
        if kind == "structure":
            assert isinstance(node, StructureShape)
            lines.append(f"{pad}if type({var}) is not dict: return False")
            required = set(node.required_members)
            for name, member in node.members.items():
                member_extra = dict(_EXTRA_MEMBER_CONSTRAINTS.get((node.name, name), {}))
                if top:
                    member_extra.update(_EXTRA_CONSTRAINTS.get(name, {}))
                child = fresh("v")
                if name in required and member.type_name in _INLINE_KINDS:
                    # Subscription is cheaper than get(); a missing member raises
                    # KeyError, caught by the caller like TypeError.
                    lines.append(f"{pad}{child} = {var}[{name!r}]")
                    emit(member, member_extra, child, depth, False, looped)
                    continue
                lines.append(f"{pad}{child} = {var}.get({name!r})")
                if name in required:
                    lines.append(f"{pad}if {child} is None: return False")
                    emit(member, member_extra, child, depth, False, looped)
                else:
                    lines.append(f"{pad}if {child} is not None:")
                    emit(member, member_extra, child, depth + 1, False, looped)
        elif kind == "list":
            low, high = meta.get("min", 0), meta.get("max", _UNBOUNDED)
            if looped:
                # Records often share one list object (the same dimensions for
                # many records): one accepted in this call passes again unchanged.
                last = fresh("last")
                remembered.append(last)
                lines.append(f"{pad}if {var} is not {last}:")
                depth += 1
                pad += "    "
            lines.append(f"{pad}if type({var}) is not list: return False")
            if low > 0 or high < _UNBOUNDED:
                lines.append(f"{pad}if not {low} <= len({var}) <= {high}: return False")
            item = fresh("i")
            member = node.member  # type: ignore[attr-defined]
            lines.append(f"{pad}for {item} in {var}:")
            if member.type_name not in _INLINE_KINDS:
                lines.append(f"{pad}    if {item} is None: return False")
            emit(member, {}, item, depth + 1, False, True)
            if looped:
                lines.append(f"{pad}{last} = {var}")
        elif kind == "string":
            low, high = meta.get("min", 0), meta.get("max", _UNBOUNDED)
            if meta.get("enum"):
                # Membership in a set of strings implies the length; the exact type
                # is checked first, since a str subclass hashes like its text.
                allowed = constant(frozenset(meta["enum"]))
                lines.append(f"{pad}if type({var}) is not str or {var} not in {allowed}:")
                lines.append(f"{pad}    return False")
                return
            lines.append(f"{pad}if type({var}) is not str: return False")
            if low == 1 and high >= _UNBOUNDED:
                lines.append(f"{pad}if not {var}: return False")
            elif low > 0 or high < _UNBOUNDED:
                lines.append(f"{pad}if not {low} <= len({var}) <= {high}: return False")
            if meta.get("pattern"):
                pattern = constant(re.compile(meta["pattern"], re.DOTALL))
                lines.append(f"{pad}if {pattern}.fullmatch({var}) is None: return False")
        elif kind in ("integer", "long"):
            low, high = meta.get("min", -(1 << 63)), meta.get("max", (1 << 63) - 1)
            lines.append(f"{pad}if type({var}) is not int: return False")
            lines.append(f"{pad}if not {low} <= {var} <= {high}: return False")
        elif kind == "boolean":
            lines.append(f"{pad}if type({var}) is not bool: return False")
        elif kind == "timestamp":
            # botocore sends a timestamp of the JSON protocol as epoch seconds.
            lines.append(f"{pad}if type({var}) not in (int, float): return False")
        # Other kinds (none in the Timestream models' inputs) accept any value.

    lines.append("  try:")
    body_start = len(lines)
    emit(shape, {}, "v0", 2, True, False)
    lines[body_start:body_start] = [f"        {last} = None" for last in remembered]
    lines.append("  except (TypeError, KeyError):")
    lines.append("    return False")
    lines.append("  return True")
    # The source is generated above from the model, never from request data.
    exec("\n".join(lines), namespace)
    fast: Callable[[Any], bool] = namespace["is_valid"]
    return fast


def _compile(shape: Shape, extra: Mapping[str, Any], top_level: bool = False) -> Collect:
    meta = {**shape.metadata, **extra}
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _compile_structure(shape, top_level)
    if kind == "list":
        return _compile_list(shape, meta)
    if kind == "string":
        return _compile_string(meta)
    if kind in ("integer", "long"):
        return _compile_number(meta)
    if kind == "boolean":
        return _compile_type(lambda v: isinstance(v, bool), "boolean")
    if kind == "timestamp":
        return _compile_type(
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "timestamp"
        )
    return _compile_type(lambda v: True, kind)


def _compile_type(accepts: Callable[[Any], bool], type_name: str) -> Collect:
    def collect(value: Any, path: str, errors: list[str]) -> None:
        if not accepts(value):
            errors.append(_violation(value, path, f"Member must be of type {type_name}"))

    return collect


def _compile_structure(shape: StructureShape, top_level: bool) -> Collect:
    members: dict[str, tuple[str, Collect]] = {}
    for name, member_shape in shape.members.items():
        extra = dict(_EXTRA_MEMBER_CONSTRAINTS.get((shape.name, name), {}))
        if top_level:
            extra.update(_EXTRA_CONSTRAINTS.get(name, {}))
        members[name] = (_path_name(name), _compile(member_shape, extra))
    required = tuple(shape.required_members)

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not dict:
            errors.append(_violation(value, path, "Member must be of type structure"))
            return
        prefix = f"{path}." if path else ""
        # Unknown members are ignored, as the service's framework does; JSON null
        # is the same as an absent member.
        for name, (path_name, member_collect) in members.items():
            member_value = value.get(name)
            if member_value is None:
                if name in required:
                    errors.append(_violation(None, prefix + path_name, "Member must not be null"))
                continue
            member_collect(member_value, prefix + path_name, errors)

    return collect


def _length_phrases(length: int, meta: Mapping[str, Any], what: str) -> list[str]:
    phrases = []
    low, high = meta.get("min"), meta.get("max")
    if low is not None and length < low:
        phrases.append(f"Member must have {what} greater than or equal to {low}")
    if high is not None and length > high:
        phrases.append(f"Member must have {what} less than or equal to {high}")
    return phrases


def _compile_list(shape: Shape, meta: Mapping[str, Any]) -> Collect:
    element = _compile(shape.member, {})  # type: ignore[attr-defined]

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not list:
            errors.append(_violation(value, path, "Member must be of type list"))
            return
        for phrase in _length_phrases(len(value), meta, "length"):
            errors.append(_violation(value, path, phrase))
        for position, item in enumerate(value, start=1):
            item_path = f"{path}.{position}.member"
            if item is None:
                errors.append(_violation(None, item_path, "Member must not be null"))
            else:
                element(item, item_path, errors)

    return collect


def _compile_string(meta: Mapping[str, Any]) -> Collect:
    enum = meta.get("enum")
    allowed = frozenset(enum) if enum else None
    pattern_text = meta.get("pattern")
    pattern = re.compile(pattern_text, re.DOTALL) if pattern_text else None

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not str:
            errors.append(_violation(value, path, "Member must be of type string"))
            return
        for phrase in _length_phrases(len(value), meta, "length"):
            errors.append(_violation(value, path, phrase))
        if allowed is not None and value not in allowed:
            listed = ", ".join(enum or ())
            phrase = f"Member must satisfy enum value set: [{listed}]"
            errors.append(_violation(value, path, phrase))
        if pattern is not None and pattern.fullmatch(value) is None:
            errors.append(
                _violation(
                    value, path, f"Member must satisfy regular expression pattern: {pattern_text}"
                )
            )

    return collect


def _compile_number(meta: Mapping[str, Any]) -> Collect:
    bounds = {"min": meta.get("min", -(1 << 63)), "max": meta.get("max", (1 << 63) - 1)}

    def collect(value: Any, path: str, errors: list[str]) -> None:
        if type(value) is not int:
            errors.append(_violation(value, path, "Member must be of type integer"))
            return
        for phrase in _length_phrases(value, bounds, "value"):
            errors.append(_violation(value, path, phrase))

    return collect


#: Drops what the model does not name from a checked request, in place.
Prune = Callable[[Any], None]
#: How deep an unknown member may nest; the model's own shapes are far shallower.
MAX_UNKNOWN_DEPTH = 64


class NestedTooDeeply(Exception):
    """An unknown member nests deeper than `MAX_UNKNOWN_DEPTH`."""


def _depth_exceeds(value: Any, limit: int) -> bool:
    # Iterative, so no nesting can exhaust the interpreter's stack.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


@cache
def input_pruner(service: str, operation: str) -> Prune:
    """What drops an operation's unknown request members, at every depth.

    The service's framework ignores members its model does not name, so they are
    neither stored nor echoed (DescribeTable, DescribeBatchLoadTask); dropping them
    before dispatch also keeps arbitrarily nested unknown values away from the
    backend. The walk follows the model only, so its depth is the model's.
    """
    input_shape = service_model(service).operation_model(operation).input_shape
    if input_shape is None:
        return lambda value: None
    return _compile_pruner(input_shape)


def _compile_pruner(shape: Shape) -> Prune:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        members = {name: _compile_pruner(member) for name, member in shape.members.items()}

        def prune_structure(value: Any) -> None:
            if type(value) is not dict:
                return
            for name in [name for name in value if name not in members]:
                if _depth_exceeds(value.pop(name), MAX_UNKNOWN_DEPTH):
                    raise NestedTooDeeply(name)
            for name, item in value.items():
                members[name](item)

        return prune_structure
    if kind == "list":
        element = _compile_pruner(shape.member)  # type: ignore[attr-defined]

        def prune_list(value: Any) -> None:
            if type(value) is list:
                for item in value:
                    element(item)

        return prune_list
    if kind == "map":
        map_value = _compile_pruner(shape.value)  # type: ignore[attr-defined]

        def prune_map(value: Any) -> None:
            if type(value) is dict:
                for item in value.values():
                    map_value(item)

        return prune_map
    return lambda value: None
