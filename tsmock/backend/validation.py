"""Business rules of the control plane that the model does not express.

Shape constraints (lengths, enums, patterns, ranges) are checked from the
botocore model by the protocol layer; what is here needs the service's own
knowledge: partition key rules, magnetic-store settings.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tsmock.backend.errors import ValidationException

DEFAULT_SCHEMA: dict[str, Any] = {"CompositePartitionKey": [{"Type": "MEASURE"}]}


def check_schema(schema: Mapping[str, Any]) -> None:
    """Customer-defined partition key rules (docs/operations/write-records.md)."""
    keys = schema.get("CompositePartitionKey")
    if keys is None:
        return
    if len(keys) > 1:
        raise ValidationException(
            "You have specified too many partition keys to be used in your composite "
            "partition key. Only 1 partition keys can be specified."
        )
    for key in keys:
        if key["Type"] == "DIMENSION" and not key.get("Name"):
            raise ValidationException("A partition key of type DIMENSION must specify a Name.")
        if key["Type"] == "MEASURE" and (
            key.get("Name") is not None or key.get("EnforcementInRecord") is not None
        ):
            raise ValidationException(
                "A partition key of type MEASURE cannot specify a Name or EnforcementInRecord."
            )


def stored_schema(schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``Schema`` a table keeps: the request's, or the default MEASURE key.

    A schema sent without ``CompositePartitionKey`` (``{}``) chooses no key, so the
    table keeps the default partitioning by measure name (docs/operations/write-records.md);
    the documentation leaves its echo open, and showing the key in force is the
    plausible answer.
    """
    if schema is None or not schema.get("CompositePartitionKey"):
        return copy.deepcopy(DEFAULT_SCHEMA)
    return copy.deepcopy(dict(schema))


def check_schema_change(current: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Only ``EnforcementInRecord`` of a partition key may change.

    See docs/operations/update-table.md.
    """
    check_schema(new)

    def shape(schema: Mapping[str, Any]) -> list[tuple[Any, Any]]:
        keys = schema.get("CompositePartitionKey") or DEFAULT_SCHEMA["CompositePartitionKey"]
        return [(key.get("Type"), key.get("Name")) for key in keys]

    if shape(current) != shape(new):
        raise ValidationException("The composite partition key of a table cannot be changed.")


def check_magnetic_store_write_properties(properties: Mapping[str, Any]) -> None:
    """With magnetic writes on, an SSE_KMS error location needs a key.

    See docs/operations/create-table.md.
    """
    if not properties.get("EnableMagneticStoreWrites"):
        return
    location = properties.get("MagneticStoreRejectedDataLocation") or {}
    check_kms_key(location.get("S3Configuration") or {}, "MagneticStoreRejectedDataLocation")


def check_kms_key(s3: Mapping[str, Any], where: str) -> None:
    """An S3 location encrypted with SSE_KMS must name its key [DOC]."""
    if s3.get("EncryptionOption") == "SSE_KMS" and not s3.get("KmsKeyId"):
        raise ValidationException(
            f"KmsKeyId must be specified in {where} when EncryptionOption is SSE_KMS."
        )
