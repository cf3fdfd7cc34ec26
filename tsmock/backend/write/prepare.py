"""Merge and whole-request checks: a WriteRecords request (or a batch load row) to records.

``CommonAttributes`` are merged into every record (docs/operations/write-records.md,
"CommonAttributes"), then the structural checks run on all of them
("Whole-request checks"): the first failing record refuses the whole request
with a ValidationException, and nothing is stored. Batch load runs each row's
records through a `Preparer` one at a time, so both paths apply every rule the
same way.
"""

from __future__ import annotations

from operator import itemgetter
from sys import intern
from typing import Any

from tsmock.backend.errors import ValidationException
from tsmock.backend.write.limits import (
    ATTRIBUTE_TYPES,
    DOUBLE,
    INVALID_TIME,
    INVALID_VERSION,
    MAX_MEASURE_NAME_BYTES,
    MAX_MEASURES_PER_MULTI_RECORD,
    MAX_RECORD_BYTES,
    MEASURE_VALUES_NOT_MULTI,
    MULTI,
    MULTI_SHAPE,
    NO_DIMENSION,
    NO_MEASURE_NAME,
    NO_MEASURE_VALUE,
    SCALAR_TYPES,
    TIME_UNIT_NS,
    TOO_MANY_MULTI_MEASURES,
    RecordError,
    duplicate_dimension_reason,
    duplicate_measure_reason,
    empty_dimension_value_reason,
    invalid_attribute_type_reason,
    invalid_type_reason,
    invalid_value_reason,
    malformed,
)
from tsmock.backend.write.prepared import PreparedRecord
from tsmock.backend.write.sizes import (
    Attribute,
    MultiParse,
    Series,
    multi_record,
    single_size_reason,
)
from tsmock.backend.write.values import (
    MultiValues,
    first_invalid_double,
    is_double,
    parse_value,
    plain_decimals,
)

_SCALAR_FIELDS = ("MeasureName", "MeasureValue", "MeasureValueType", "Time", "TimeUnit", "Version")
_MERGED_FIELDS = frozenset((*_SCALAR_FIELDS, "MeasureValues"))
_name_and_value = itemgetter("Name", "Value")


def first_duplicate(names: list[Any]) -> Any:
    seen: set[Any] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def check_dimensions(pairs: tuple[tuple[str, str], ...]) -> None:
    """The dimension checks, empty values included, for a dimension set not seen before."""
    if not pairs:
        raise RecordError(NO_DIMENSION)
    for name, value in pairs:
        if type(name) is not str or not name or type(value) is not str:
            raise RecordError(malformed("dimensions"))
    duplicate = first_duplicate([name for name, _ in pairs])
    if duplicate is not None:
        raise RecordError(duplicate_dimension_reason(duplicate))
    for name, value in pairs:
        if not value:
            # Open question: an empty value refuses the request.
            raise RecordError(empty_dimension_value_reason(name))


def _without_nulls(record: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    # A null member is an absent one: the common value applies (docs/operations/write-records.md).
    merged = {key: value for key, value in record.items() if value is not None}
    for key, value in common.items():
        merged.setdefault(key, value)
    return merged


class Preparer:
    """Checks #3–#13 with caches that live for one request (or one batch load chunk).

    Records of one request mostly share their dimension sets (often through
    ``CommonAttributes``), so each distinct set is checked, sorted and measured
    once, and the records of a series share its key object.
    """

    __slots__ = (
        "_attribute_issues",
        "_attributes",
        "_common",
        "_common_pairs",
        "_common_series",
        "_decimal_shapes",
        "_series",
        "_widest_attribute",
    )

    def __init__(self, common: dict[str, Any] | None = None) -> None:
        self._series: dict[tuple[tuple[str, str], ...], Series] = {}
        self._attributes: dict[str, Attribute] = {}
        #: The most UTF-8 bytes of an attribute name, and whether one has an issue.
        self._widest_attribute = 0
        self._attribute_issues = False
        self._decimal_shapes: dict[str, bool] = {}
        self._common: dict[str, Any] = {}
        self._common_pairs: tuple[tuple[str, str], ...] = ()
        self._common_series: Series | None = None
        if common is None:
            return
        if not isinstance(common, dict):
            raise RecordError(malformed("common attributes"))
        self._common = {
            key: value
            for key, value in common.items()
            if value is not None and key in _MERGED_FIELDS
        }
        dims = common.get("Dimensions")
        if dims is not None:
            try:
                self._common_pairs = tuple(map(_name_and_value, dims))
            except (KeyError, TypeError):
                raise RecordError(malformed("dimensions")) from None

    def _new_series(self, pairs: tuple[tuple[str, str], ...]) -> Series:
        check_dimensions(pairs)
        series = self._series[pairs] = Series(pairs)
        return series

    def prepare(self, records: list[dict[str, Any]], first_index: int = 0) -> list[PreparedRecord]:
        """Merge each record with the request's ``CommonAttributes``, then checks #3–#13.

        Raises `RecordError` for the first failing record. Gives for each record
        what `prepare_record` gives for the record with ``common`` merged in, without
        building merged dimension lists, in one loop: a 100-record request must
        cost little next to botocore's own work.
        """
        prepared: list[PreparedRecord] = []
        append = prepared.append
        common = self._common
        common_pairs = self._common_pairs
        series_cache = self._series
        # Consecutive records often repeat their dimensions: comparing a record's
        # list with the previous one is cheaper than building and hashing its key.
        # After two misses in a row (records of alternating series) we stop trying.
        last_dims: object = None
        last_series: Series | None = None
        misses = 0
        index = first_index - 1
        for record in records:
            index += 1
            if type(record) is not dict:
                raise RecordError(malformed("record"))
            dims = record.get("Dimensions")
            if dims is None:
                series = self._common_series
                if series is None:
                    series = self._common_series = self._new_series(common_pairs)
            elif (
                misses < 2 and last_series is not None and (dims is last_dims or dims == last_dims)
            ):
                series = last_series
                misses = 0
            else:
                if misses < 2:
                    misses += 1
                try:
                    pairs = common_pairs + tuple(map(_name_and_value, dims))
                    series = series_cache.get(pairs)
                except (KeyError, TypeError):
                    raise RecordError(malformed("dimensions")) from None
                if series is None:
                    series = self._new_series(pairs)
                last_dims, last_series = dims, series
            merged = record
            if common:
                merged = common | record
                if None in record.values():
                    merged = _without_nulls(record, common)

            name = merged.get("MeasureName")
            if type(name) is not str or not name:  # docs/operations/write-records.md
                raise RecordError(malformed("measure name") if name else NO_MEASURE_NAME)
            value_type = merged.get("MeasureValueType") or DOUBLE
            value = merged.get("MeasureValue")
            values = merged.get("MeasureValues")
            unit = merged.get("TimeUnit")
            # 0 for an invalid unit, refused at #11 below (only without the
            # protocol's enum check); the MULTI checks before it take any unit.
            if unit is None:
                unit_ns = 1_000_000
            else:
                unit_ns = TIME_UNIT_NS.get(unit, 0) if type(unit) is str else 0
            multi: MultiParse | None = None
            if value_type == DOUBLE:  # the default and most common type: no hashing
                scalar_type: str | None = DOUBLE
            else:
                scalar_type = SCALAR_TYPES.get(value_type) if type(value_type) is str else None
            if scalar_type is None:
                # docs/operations/write-records.md: TIMESTAMP, or any unknown type.
                if value_type != MULTI:
                    raise RecordError(invalid_type_reason(value_type))
                if value is not None or not values:  # docs/operations/write-records.md
                    raise RecordError(MULTI_SHAPE)
                multi = self._parse_multi(values, unit_ns or 1)  # docs/operations/write-records.md
                scalar_type = MULTI
            elif values is not None:  # docs/operations/write-records.md
                raise RecordError(MEASURE_VALUES_NOT_MULTI)
            elif value is None:  # docs/operations/write-records.md
                raise RecordError(NO_MEASURE_VALUE)

            if not unit_ns:
                raise RecordError(f"{unit} is an invalid time unit.")
            time = merged.get("Time")
            # docs/operations/write-records.md; open question: a missing, non-integer or negative
            # Time is invalid. ASCII digits only: int() would take signs, "_", spaces.
            if type(time) is not str or not time.isdigit() or not time.isascii():
                raise RecordError(INVALID_TIME)
            try:
                time_ns = int(time) * unit_ns
            except ValueError:  # over int()'s digit limit; unreachable within 256 chars
                raise RecordError(INVALID_TIME) from None
            version = merged.get("Version")
            if version is None:
                version = 1
            elif type(version) is not int:
                raise RecordError(malformed("version"))
            elif version < 1:  # docs/operations/write-records.md
                raise RecordError(INVALID_VERSION)
            name = intern(name)  # one string per measure name, however many records

            if multi is not None:
                # docs/operations/write-records.md: the first invalid value.
                if multi[1] is not None:
                    raise RecordError(multi[1])
                append(multi_record(index, series, name, multi, time_ns, version))
                continue
            if type(value) is not str or not (
                is_double(value)
                if scalar_type is DOUBLE
                else parse_value(value, value_type, unit_ns) is not None
            ):  # docs/operations/write-records.md
                raise RecordError(invalid_value_reason(value, value_type))
            issues = series.issues
            # docs/operations/write-records.md. UTF-8 takes at most 4 bytes a character:
            # that bound clears most records without counting bytes.
            if (
                len(name) > MAX_MEASURE_NAME_BYTES // 4
                or series.nbytes + 4 * (len(name) + len(value)) > MAX_RECORD_BYTES
            ):
                size_reason = single_size_reason(series, name, scalar_type, value)
                if size_reason is not None:
                    issues = (size_reason, series.reserved_reason)
            append(
                PreparedRecord(
                    index, series.key, name, scalar_type, value, None, time_ns, version, issues
                )
            )
        attribute_types = self._attribute_types() if len(prepared) > 1 else None
        if attribute_types:
            for done in prepared:
                if done.measure_values is not None:
                    done.attribute_types = attribute_types
        return prepared

    def _new_attribute(self, name: object) -> Attribute:
        attribute = Attribute(name)
        self._widest_attribute = max(self._widest_attribute, attribute.nbytes)
        if attribute.issue is not None:
            self._attribute_issues = True
        return attribute

    def _attribute_types(self) -> dict[str, str] | None:
        """Each MULTI attribute of the request with its type; None if one has several."""
        types: dict[str, str] = {}
        for attribute in self._attributes.values():
            if attribute.several_types:
                return None
            if attribute.value_type is not None:
                types[attribute.name] = attribute.value_type
        return types

    def _parse_multi(self, values: object, unit_ns: int) -> MultiParse:
        """The checks of ``MeasureValues``, and what the value and size checks need from them.

        The first invalid value (#13) is kept, not raised: the time and version
        checks (#11, #12) come first.
        """
        if not isinstance(values, list):
            raise RecordError(malformed("measure values"))
        if len(values) > MAX_MEASURES_PER_MULTI_RECORD:
            raise RecordError(TOO_MANY_MULTI_MEASURES)
        measure_values = MultiValues()
        measure_values.unit_ns = unit_ns
        attributes = self._attributes
        invalid_reason: str | None = None
        # DOUBLE texts, checked all at once after the loop: cheaper than one by one.
        doubles: list[str] = []
        value_chars = 0  # of the values of other types
        for item in values:
            try:
                name, value_type, value = item["Name"], item["Type"], item["Value"]
                attribute = attributes.get(name)
                canonical = DOUBLE if value_type == DOUBLE else ATTRIBUTE_TYPES.get(value_type)
            except (KeyError, TypeError):  # not a dict, a member missing, unhashable
                raise RecordError(malformed("measure values")) from None
            if attribute is None:
                attribute = attributes[name] = self._new_attribute(name)
            if canonical is None:
                raise RecordError(invalid_attribute_type_reason(value_type))
            if attribute.value_type is not canonical:
                attribute.add_type(canonical)
            name = attribute.name
            if name in measure_values:
                raise RecordError(duplicate_measure_reason(name))
            measure_values[name] = (value, canonical)
            if type(value) is str:
                if invalid_reason is not None:
                    continue
                if canonical is DOUBLE:
                    doubles.append(value)
                    continue
                value_chars += len(value)
                if parse_value(value, canonical, unit_ns) is not None:
                    continue
            if invalid_reason is None:
                # An invalid DOUBLE text not checked yet may come first.
                invalid_reason = first_invalid_double(doubles) or invalid_value_reason(
                    value, value_type
                )
        if doubles and invalid_reason is None:
            joined = ",".join(doubles)
            # Every DOUBLE counts toward the size bound, whichever way it is checked
            # (the commas too: a bound is enough).
            value_chars += len(joined)
            if not plain_decimals(joined, len(doubles), self._decimal_shapes):
                invalid_reason = first_invalid_double(doubles)
        issue: Attribute | None = None
        if self._attribute_issues:  # rare: look for the first one of this record
            for name in measure_values:
                if attributes[name].issue is not None:
                    issue = attributes[name]
                    break
        # The names' bytes are needed exactly only when the bounds fail.
        names_bytes = len(measure_values) * self._widest_attribute
        return measure_values, invalid_reason, issue, names_bytes, value_chars


def prepare_record(merged: dict[str, Any], index: int) -> PreparedRecord:
    """The whole-request checks of one merged record; raises `RecordError` with the reason.

    ``merged`` is a record as on the wire (``Dimensions``, ``MeasureName``,
    ``MeasureValue``, ``MeasureValueType``, ``MeasureValues``, ``Time``,
    ``TimeUnit``, ``Version``) with ``CommonAttributes`` merged in. Anything malformed
    raises `RecordError`, never another exception.
    """
    return Preparer().prepare([merged], index)[0]


def prepare_records(
    records: list[dict[str, Any]], common: dict[str, Any] | None
) -> list[PreparedRecord]:
    """Merge and check every record of a WriteRecords request.

    The first failing record refuses the whole request: `ValidationException`
    with that record's reason, and nothing is stored (docs/operations/write-records.md,
    "Whole-request checks").
    """
    try:
        return Preparer(common).prepare(records)
    except RecordError as error:
        raise ValidationException(error.reason) from None
