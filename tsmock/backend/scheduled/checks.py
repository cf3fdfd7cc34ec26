"""CreateScheduledQuery checks beyond the request shape (docs/operations/scheduled-queries.md).

The service validates the query against the current schema (a missing column is
``line L:C: Column 'x' does not exist`` even on an empty table) and, by the
reference's recommendation, the target: it must exist, exactly one kind of
measure mapping is given, and every mapped column is a result column of a
fitting type. The messages here are tsmock's own (the service's texts are not
known); each names the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tsmock.backend.errors import ValidationException

NAME_PATTERN = re.compile(r"[a-zA-Z0-9|!\-_*'\(\)]([a-zA-Z0-9]|[!\-_*'\(\)\/.])+")
NAME_MAX_LENGTH = 64
#: Result column types a measure of each MeasureValueType can be read from.
_MEASURE_SOURCES: dict[str, frozenset[str]] = {
    "DOUBLE": frozenset({"DOUBLE", "BIGINT", "INTEGER"}),
    "BIGINT": frozenset({"BIGINT", "INTEGER"}),
    "BOOLEAN": frozenset({"BOOLEAN"}),
    "VARCHAR": frozenset({"VARCHAR"}),
    "TIMESTAMP": frozenset({"TIMESTAMP"}),
}


def check_name(name: str) -> None:
    """The model's ``ScheduledQueryName`` length and pattern."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH or NAME_PATTERN.fullmatch(name) is None:
        raise ValidationException(
            f"Invalid scheduled query name '{name}': names are 1 to {NAME_MAX_LENGTH} "
            "characters, letters, digits and ! - _ * ' ( ) / . (not / or . first)"
        )


def missing_target_table(database: str, table: str) -> str:
    """The message for a target table that does not exist (at creation or at a run)."""
    return f"The target table {table} in database {database} does not exist."


def check_target(target: Mapping[str, Any], columns: Sequence[tuple[str, str]]) -> None:
    """Mappings of ``TimestreamConfiguration`` against the query's result columns."""
    types = dict(columns)
    database, table = target["DatabaseName"], target["TableName"]
    multi = target.get("MultiMeasureMappings")
    mixed = target.get("MixedMeasureMappings")
    if (multi is None) == (mixed is None):
        raise ValidationException(
            "Exactly one of MultiMeasureMappings and MixedMeasureMappings must be provided "
            f"in the TargetConfiguration for {database}.{table}."
        )
    _check_column(types, target["TimeColumn"], {"TIMESTAMP"}, "TimeColumn")
    for dimension in target.get("DimensionMappings") or []:
        _check_column(types, dimension["Name"], {"VARCHAR"}, "DimensionMappings")
    name_column = target.get("MeasureNameColumn")
    if name_column is not None:
        _check_column(types, name_column, {"VARCHAR"}, "MeasureNameColumn")
    if multi is not None:
        if not multi.get("TargetMultiMeasureName") and name_column is None:
            raise ValidationException(
                "MultiMeasureMappings needs a TargetMultiMeasureName when no "
                "MeasureNameColumn is given."
            )
        _check_attributes(types, multi.get("MultiMeasureAttributeMappings") or [])
    for mapping in mixed or []:
        _check_mixed(types, mapping, name_column)


def _check_mixed(
    types: Mapping[str, str], mapping: Mapping[str, Any], name_column: str | None
) -> None:
    value_type = mapping["MeasureValueType"]
    if name_column is not None and not mapping.get("MeasureName"):
        raise ValidationException(
            "MixedMeasureMappings need a MeasureName when a MeasureNameColumn is given."
        )
    if value_type == "MULTI":
        attributes = mapping.get("MultiMeasureAttributeMappings")
        if not attributes or mapping.get("SourceColumn"):
            raise ValidationException(
                "A MixedMeasureMapping of type MULTI takes MultiMeasureAttributeMappings "
                "and no SourceColumn."
            )
        _check_attributes(types, attributes)
        return
    if mapping.get("MultiMeasureAttributeMappings"):
        raise ValidationException(
            f"A MixedMeasureMapping of type {value_type} takes no MultiMeasureAttributeMappings."
        )
    source = mapping.get("SourceColumn") or mapping.get("MeasureName")
    if source is None:
        raise ValidationException(
            f"A MixedMeasureMapping of type {value_type} needs a SourceColumn."
        )
    _check_column(types, source, _MEASURE_SOURCES.get(value_type, set()), "MixedMeasureMappings")


def _check_attributes(types: Mapping[str, str], attributes: Sequence[Mapping[str, Any]]) -> None:
    if not attributes:
        raise ValidationException("MultiMeasureAttributeMappings must not be empty.")
    names = set()
    for attribute in attributes:
        source = attribute["SourceColumn"]
        _check_column(
            types,
            source,
            _MEASURE_SOURCES.get(attribute["MeasureValueType"], set()),
            "MultiMeasureAttributeMappings",
        )
        name = attribute.get("TargetMultiMeasureAttributeName") or source
        if name in names:
            raise ValidationException(f"Duplicate multi-measure attribute name '{name}'.")
        names.add(name)


def _check_column(
    types: Mapping[str, str], column: str, allowed: set[str] | frozenset[str], member: str
) -> None:
    if column not in types:
        raise ValidationException(
            f"Column '{column}' of {member} is not a column of the query result."
        )
    if types[column] not in allowed:
        expected = " or ".join(sorted(allowed))
        raise ValidationException(
            f"Column '{column}' of {member} has type {types[column]}, expected {expected}."
        )
