"""A batch load task's data model: its checks, its echo, and rows to records.

See docs/operations/create-batch-load-task.md and docs/batch-load.md.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tsmock.backend import write as write_path
from tsmock.backend.errors import ValidationException
from tsmock.backend.objects import ObjectStore, ObjectStoreError

_INTEGER = re.compile(r"[+-]?[0-9]+")


class ParseFailure(Exception):
    """A row that cannot be turned into records; counted in ``ParseFailures``.

    See docs/operations/create-batch-load-task.md.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: The request-shape violations of a data model read from the object store
#: (the request's own DataModel was checked by the protocol layer already).
#: Handed in by the activation, from the service model's ``DataModel`` shape.
DataModelViolations = Callable[[Any], list[str]]


def _json_object_only(model: Any) -> list[str]:
    """The first check of a data model read from the object store (and the only one
    of a backend made without the service model): a JSON object."""
    return [] if isinstance(model, dict) else ["the data model must be a JSON object"]


def check_data_model(model: Mapping[str, Any]) -> None:
    """The data model rules of CreateBatchLoadTask (all [ASSUMED] except where marked)."""
    if not model.get("TimeColumn"):
        # Open question: TimeColumn is required.
        raise ValidationException("The data model must specify a TimeColumn.")
    dimensions = model.get("DimensionMappings") or []
    if not dimensions:
        raise ValidationException("The data model must specify at least one dimension mapping.")
    for mapping in dimensions:
        if not mapping.get("SourceColumn"):
            raise ValidationException("Every dimension mapping must specify a SourceColumn.")
    multi = model.get("MultiMeasureMappings")
    mixed = model.get("MixedMeasureMappings")
    if (multi is None) == (mixed is None):
        # "At least one measure must be mapped" [DOC]; one kind of mapping at a time.
        raise ValidationException(
            "The data model must specify exactly one of MultiMeasureMappings or "
            "MixedMeasureMappings."
        )
    name_column = model.get("MeasureNameColumn")
    if multi is not None:
        if not multi.get("TargetMultiMeasureName") and not name_column:
            # [DOC] data model mappings: the MULTI record needs a name from somewhere.
            raise ValidationException(
                "MultiMeasureMappings must specify a TargetMultiMeasureName when the data "
                "model has no MeasureNameColumn."
            )
        return
    for mapping in mixed or []:
        value_type = mapping["MeasureValueType"]
        attributes = mapping.get("MultiMeasureAttributeMappings")
        if value_type == "MULTI":
            if not attributes:  # [DOC]
                raise ValidationException(
                    "A mixed measure mapping of type MULTI must specify "
                    "MultiMeasureAttributeMappings."
                )
            if not mapping.get("TargetMeasureName") and not mapping.get("MeasureName"):
                raise ValidationException(
                    "A mixed measure mapping of type MULTI must specify a TargetMeasureName "
                    "or a MeasureName."
                )
        else:
            if value_type == "TIMESTAMP":
                # As in WriteRecords (docs/operations/write-records.md): TIMESTAMP only inside MULTI
                # records.
                raise ValidationException(write_path.invalid_type_reason(value_type))
            if not mapping.get("SourceColumn"):
                raise ValidationException(
                    f"A mixed measure mapping of type {value_type} must specify a SourceColumn."
                )
            if attributes:
                raise ValidationException(
                    "Only a mixed measure mapping of type MULTI can specify "
                    "MultiMeasureAttributeMappings."
                )
        if name_column and not mapping.get("MeasureName"):
            raise ValidationException(
                "Every mixed measure mapping must specify a MeasureName when the data model "
                "has a MeasureNameColumn."
            )


def with_defaults(model: Mapping[str, Any]) -> dict[str, Any]:
    """The data model as DescribeBatchLoadTask echoes it [REAL CLI example].

    See docs/operations/describe-batch-load-task.md.
    """
    echoed = copy.deepcopy(dict(model))
    for mapping in echoed.get("DimensionMappings") or []:
        mapping.setdefault("DestinationColumn", mapping.get("SourceColumn"))
    attribute_lists = []
    multi = echoed.get("MultiMeasureMappings")
    if multi is not None:
        attribute_lists.append(multi.get("MultiMeasureAttributeMappings") or [])
    for mapping in echoed.get("MixedMeasureMappings") or []:
        attribute_lists.append(mapping.get("MultiMeasureAttributeMappings") or [])
    for attributes in attribute_lists:
        for attribute in attributes:
            attribute.setdefault("TargetMultiMeasureAttributeName", attribute["SourceColumn"])
    return echoed


@dataclass(frozen=True, slots=True)
class _Attribute:
    column: int
    name: str
    value_type: str


@dataclass(frozen=True, slots=True)
class _Measure:
    """One mixed measure mapping, bound to column positions."""

    selector: str | None
    value_type: str
    #: The record's measure name.
    name: str
    #: Scalar mappings: the value column; MULTI: -1.
    column: int
    attributes: tuple[_Attribute, ...]


class RowMapper:
    """The data model of a task bound to one file's header: row values to wire records."""

    def __init__(self, model: Mapping[str, Any], columns: Mapping[str, int], version: int) -> None:
        self.time_column = model["TimeColumn"]
        self.time_index = columns[self.time_column]
        self.time_unit = model.get("TimeUnit") or "MILLISECONDS"
        self.version = version
        self.dimensions = tuple(
            (columns[m["SourceColumn"]], m.get("DestinationColumn") or m["SourceColumn"])
            for m in model["DimensionMappings"]
        )
        self.name_column: str | None = model.get("MeasureNameColumn")
        self.name_index = columns[self.name_column] if self.name_column else -1
        multi = model.get("MultiMeasureMappings")
        self.multi_name: str | None = None
        self.multi_attributes: tuple[_Attribute, ...] = ()
        self.mixed: tuple[_Measure, ...] | None = None
        if multi is not None:
            self.multi_name = multi.get("TargetMultiMeasureName")
            self.multi_attributes = _bind_attributes(
                multi["MultiMeasureAttributeMappings"], columns
            )
        else:
            self.mixed = tuple(
                _Measure(
                    m.get("MeasureName"),
                    m["MeasureValueType"],
                    m.get("TargetMeasureName") or m.get("MeasureName") or m.get("SourceColumn"),
                    columns[m["SourceColumn"]] if m["MeasureValueType"] != "MULTI" else -1,
                    _bind_attributes(m.get("MultiMeasureAttributeMappings") or [], columns),
                )
                for m in model["MixedMeasureMappings"]
            )

    def records(self, fields: list[str | None]) -> list[dict[str, Any]]:
        """The wire-format records of one row; `ParseFailure` if it has none.

        See docs/operations/create-batch-load-task.md.
        """
        time_text = fields[self.time_index]
        if not time_text:
            raise ParseFailure(f"The time column {self.time_column} has no value.")
        if _INTEGER.fullmatch(time_text) is None:
            raise ParseFailure(
                f"The value {time_text} of the time column {self.time_column} is not an integer."
            )
        dimensions = [
            {"Name": name, "Value": value}
            for index, name in self.dimensions
            if (value := fields[index]) is not None
        ]
        measure_name: str | None = None
        if self.name_index >= 0:
            measure_name = fields[self.name_index]
            if not measure_name:
                raise ParseFailure(f"The measure name column {self.name_column} has no value.")
        base = {
            "Dimensions": dimensions,
            "Time": time_text,
            "TimeUnit": self.time_unit,
            "Version": self.version,
        }
        if self.mixed is None:
            values = self._measure_values(self.multi_attributes, fields)
            if not values:
                raise ParseFailure("The row has no value for any mapped measure.")
            name = measure_name or self.multi_name
            return [
                {**base, "MeasureName": name, "MeasureValueType": "MULTI", "MeasureValues": values}
            ]
        applicable = [m for m in self.mixed if measure_name is None or m.selector == measure_name]
        if not applicable:
            raise ParseFailure(f"The row matches no measure mapping for measure {measure_name}.")
        out: list[dict[str, Any]] = []
        for measure in applicable:
            if measure.value_type == "MULTI":
                values = self._measure_values(measure.attributes, fields)
                if values:
                    out.append(
                        {
                            **base,
                            "MeasureName": measure.name,
                            "MeasureValueType": "MULTI",
                            "MeasureValues": values,
                        }
                    )
                continue
            value = fields[measure.column]
            if value is None:
                continue
            self._check_value(value, measure.value_type)
            out.append(
                {
                    **base,
                    "MeasureName": measure.name,
                    "MeasureValueType": measure.value_type,
                    "MeasureValue": value,
                }
            )
        if not out:
            raise ParseFailure("The row has no value for any mapped measure.")
        return out

    def _measure_values(
        self, attributes: tuple[_Attribute, ...], fields: list[str | None]
    ) -> list[dict[str, str]]:
        values = []
        for attribute in attributes:
            value = fields[attribute.column]
            # Null values are left out [ASSUMED docs/operations/create-batch-load-task.md].
            if value is None:
                continue
            self._check_value(value, attribute.value_type)
            values.append({"Name": attribute.name, "Value": value, "Type": attribute.value_type})
        return values

    def _check_value(self, value: str, value_type: str) -> None:
        # docs/operations/create-batch-load-task.md: a value that does not parse as its
        # type is a parse failure of the row; the parsing rules are the write path's own
        # (docs/operations/write-records.md).
        try:
            write_path.parse_measure_value(value, value_type, self.time_unit)
        except write_path.RecordError as error:
            raise ParseFailure(error.reason) from None


def _bind_attributes(
    mappings: list[Mapping[str, Any]], columns: Mapping[str, int]
) -> tuple[_Attribute, ...]:
    return tuple(
        _Attribute(
            columns[m["SourceColumn"]],
            m.get("TargetMultiMeasureAttributeName") or m["SourceColumn"],
            # Open question: an attribute without a type is DOUBLE.
            m.get("MeasureValueType") or "DOUBLE",
        )
        for m in mappings
    )


def referenced_columns(model: Mapping[str, Any]) -> list[str]:
    """Every source column the data model names, in model order, once each."""
    names: list[str] = [model["TimeColumn"]]
    names.extend(m["SourceColumn"] for m in model["DimensionMappings"])
    if model.get("MeasureNameColumn"):
        names.append(model["MeasureNameColumn"])
    multi = model.get("MultiMeasureMappings")
    mappings = [multi] if multi is not None else []
    for mapping in model.get("MixedMeasureMappings") or []:
        if mapping["MeasureValueType"] != "MULTI":
            names.append(mapping["SourceColumn"])
        mappings.append(mapping)
    for mapping in mappings:
        names.extend(a["SourceColumn"] for a in mapping.get("MultiMeasureAttributeMappings") or [])
    return list(dict.fromkeys(names))


def load_data_model(
    configuration: dict[str, Any] | None,
    objects: ObjectStore,
    violations: DataModelViolations | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the data model in force, the configuration as Describe echoes it)."""
    configuration = configuration or {}
    inline = configuration.get("DataModel")
    s3 = configuration.get("DataModelS3Configuration")
    if (inline is None) == (s3 is None):
        raise ValidationException(
            "DataModelConfiguration must specify exactly one of DataModel or "
            "DataModelS3Configuration."
        )
    if inline is not None:
        echoed = with_defaults(inline)
        return echoed, {"DataModel": echoed}
    assert s3 is not None
    bucket, key = s3.get("BucketName"), s3.get("ObjectKey")
    if not bucket or not key:
        raise ValidationException(
            "DataModelS3Configuration must specify a BucketName and an ObjectKey."
        )
    location = f"s3://{bucket}/{key}"
    try:
        body = objects.get_object(bucket, key)
    except ObjectStoreError as error:
        # [ASSUMED docs/operations/create-batch-load-task.md] refused at creation (AWS might fail
        # the task later).
        raise ValidationException(
            f"The data model {location} could not be read: {error.reason}"
        ) from None
    try:
        model = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested deeper than the parser goes is refused like bad JSON.
        raise ValidationException(f"The data model {location} is not valid JSON.") from None
    # A data model must be an object before any shape check reads its members.
    errors = _json_object_only(model)
    if not errors and violations is not None:
        errors = violations(model)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(
            f"The data model {location} is not valid: {count} validation {noun} detected: "
            + "; ".join(errors)
        )
    return with_defaults(model), {"DataModelS3Configuration": copy.deepcopy(s3)}
