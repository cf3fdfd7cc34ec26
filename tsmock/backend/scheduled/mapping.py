"""From result rows to WriteRecords records, by ``TargetConfiguration.TimestreamConfiguration``.

The rules (docs/operations/scheduled-queries.md, "Target mappings"):

- ``TimeColumn`` gives the record's time; records carry it in NANOSECONDS, the
  unit that keeps the engine's nanosecond timestamps exact (TIMESTAMP attributes
  are counted in the record's TimeUnit, so they stay exact too).
- ``DimensionMappings``: a NULL dimension value is left out of the record.
- ``MultiMeasureMappings``: one MULTI record per row, named ``TargetMultiMeasureName``
  or else the row's ``MeasureNameColumn`` value; NULL attributes are left out and a
  row without any attribute writes nothing.
- ``MixedMeasureMappings``: a mapping applies to a row whose ``MeasureNameColumn``
  value equals its ``MeasureName`` (to every row when there is no
  ``MeasureNameColumn``); a single-measure mapping reads ``SourceColumn`` (else
  the ``MeasureName`` column) and names the measure ``TargetMeasureName``, else
  ``MeasureName``, else ``SourceColumn``; a MULTI mapping writes its attributes.
  Rows that no mapping applies to are skipped.
- ``Version`` is the run's trigger time in milliseconds, so a later run upserts
  what an earlier one wrote.

A value that does not convert to its ``MeasureValueType`` (or a NULL time or
measure name) makes that row a mapping error, reported in the error report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class MappingError(ValueError):
    """A value of a row that cannot become part of a record."""


@dataclass
class RowMappingError:
    """A row (by index in the result) that could not be mapped, and why."""

    row_index: int
    reason: str


@dataclass
class MappedRows:
    """The records made from a result, and the rows that failed."""

    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowMappingError] = field(default_factory=list)


def measure_value_text(value: object, value_type: str) -> str:
    """A row value as the WriteRecords text of ``value_type``; MappingError if impossible."""
    if value_type == "DOUBLE":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise MappingError(f"Value {value!r} cannot be written as DOUBLE")
        number = float(value)
        if not math.isfinite(number):
            raise MappingError(f"Value {value!r} is not a finite DOUBLE")
        return repr(number)  # the shortest text that reads back as the same double
    if value_type == "BIGINT":
        if isinstance(value, bool):
            raise MappingError(f"Value {value!r} cannot be written as BIGINT")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if not isinstance(value, int):
            raise MappingError(f"Value {value!r} cannot be written as BIGINT")
        return str(value)
    if value_type == "BOOLEAN":
        if not isinstance(value, bool):
            raise MappingError(f"Value {value!r} cannot be written as BOOLEAN")
        return "true" if value else "false"
    if value_type == "TIMESTAMP":
        if isinstance(value, bool) or not isinstance(value, int):
            raise MappingError(f"Value {value!r} cannot be written as TIMESTAMP")
        return str(value)  # nanoseconds, the record's TimeUnit
    if value_type == "VARCHAR":
        return varchar_text(value)
    raise MappingError(f"MeasureValueType {value_type} cannot be written")


def varchar_text(value: object) -> str:
    """A row value as VARCHAR text (dimension values, VARCHAR measures)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    raise MappingError(f"Value {value!r} cannot be written as VARCHAR")


def map_rows(
    target: Mapping[str, Any],
    column_names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    version: int,
) -> MappedRows:
    """Map every row of a result to records (module docstring)."""
    positions = {name: index for index, name in enumerate(column_names)}
    mapped = MappedRows()
    for row_index, row in enumerate(rows):
        values = {name: row[index] for name, index in positions.items()}
        try:
            mapped.records.extend(_map_row(target, values, version))
        except MappingError as error:
            mapped.errors.append(RowMappingError(row_index, str(error)))
    return mapped


def _map_row(
    target: Mapping[str, Any], values: Mapping[str, Any], version: int
) -> list[dict[str, Any]]:
    time_column: str = target["TimeColumn"]
    time_value = values.get(time_column)
    if time_value is None or isinstance(time_value, bool) or not isinstance(time_value, int):
        raise MappingError(f"Time column '{time_column}' has no TIMESTAMP value: {time_value!r}")
    common: dict[str, Any] = {
        "Dimensions": _dimensions(target, values),
        "Time": str(time_value),
        "TimeUnit": "NANOSECONDS",
        "Version": version,
    }
    name_column: str | None = target.get("MeasureNameColumn")
    row_measure_name = None
    if name_column is not None:
        row_measure_name = values.get(name_column)
        if row_measure_name is None:
            raise MappingError(f"Measure name column '{name_column}' is NULL")
        row_measure_name = varchar_text(row_measure_name)
    multi = target.get("MultiMeasureMappings")
    if multi is not None:
        name = multi.get("TargetMultiMeasureName") or row_measure_name
        record = _multi_record(common, name, multi["MultiMeasureAttributeMappings"], values)
        return [] if record is None else [record]
    records: list[dict[str, Any]] = []
    for mapping in target.get("MixedMeasureMappings") or []:
        if name_column is not None and mapping.get("MeasureName") != row_measure_name:
            continue
        record = _mixed_record(common, mapping, values)
        if record is not None:
            records.append(record)
    return records


def _dimensions(target: Mapping[str, Any], values: Mapping[str, Any]) -> list[dict[str, str]]:
    dimensions = []
    for mapping in target.get("DimensionMappings") or []:
        value = values.get(mapping["Name"])
        if value is None:  # a NULL dimension is left out of the record
            continue
        dimensions.append(
            {
                "Name": mapping["Name"],
                "Value": varchar_text(value),
                "DimensionValueType": mapping.get("DimensionValueType", "VARCHAR"),
            }
        )
    return dimensions


def _multi_record(
    common: Mapping[str, Any],
    measure_name: str | None,
    attribute_mappings: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
) -> dict[str, Any] | None:
    if measure_name is None:
        raise MappingError("No measure name: neither TargetMultiMeasureName nor a measure name")
    measures = []
    for mapping in attribute_mappings:
        source = mapping["SourceColumn"]
        value = values.get(source)
        if value is None:  # NULL attributes are left out
            continue
        value_type = mapping["MeasureValueType"]
        measures.append(
            {
                "Name": mapping.get("TargetMultiMeasureAttributeName") or source,
                "Value": measure_value_text(value, value_type),
                "Type": value_type,
            }
        )
    if not measures:
        return None
    return {
        **common,
        "MeasureName": measure_name,
        "MeasureValueType": "MULTI",
        "MeasureValues": measures,
    }


def _mixed_record(
    common: Mapping[str, Any], mapping: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any] | None:
    measure_name = (
        mapping.get("TargetMeasureName")
        or mapping.get("MeasureName")
        or mapping.get("SourceColumn")
    )
    value_type = mapping["MeasureValueType"]
    if value_type == "MULTI":
        return _multi_record(
            common, measure_name, mapping.get("MultiMeasureAttributeMappings") or [], values
        )
    source = mapping.get("SourceColumn") or mapping.get("MeasureName")
    value = values.get(source) if source is not None else None
    if value is None or measure_name is None:
        return None
    return {
        **common,
        "MeasureName": measure_name,
        "MeasureValueType": value_type,
        "MeasureValue": measure_value_text(value, value_type),
    }
