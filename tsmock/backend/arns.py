"""ARNs, partitions and DNS suffixes of Timestream resources (docs/operations/index.md)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from tsmock.backend.errors import ValidationException

_RESOURCE_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):timestream:(?P<region>[a-z0-9-]+):"
    r"(?P<account>\d{12}):database/(?P<database>[^/]+)(?:/table/(?P<table>[^/]+))?"
)


def partition(region: str) -> str:
    """The ARN partition of a region: ``aws``, ``aws-cn`` or ``aws-us-gov``."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(region: str) -> str:
    """The DNS suffix of a region's endpoints (``amazonaws.com.cn`` in China)."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def database_arn(region: str, account: str, database: str) -> str:
    """``arn:{partition}:timestream:{region}:{account}:database/{db}``.

    See docs/operations/index.md.
    """
    return f"arn:{partition(region)}:timestream:{region}:{account}:database/{database}"


def table_arn(region: str, account: str, database: str, table: str) -> str:
    """The database ARN followed by ``/table/{table}`` (docs/operations/index.md)."""
    return f"{database_arn(region, account, database)}/table/{table}"


def default_kms_key_arn(region: str, account: str) -> str:
    """The AWS managed Timestream key of an account and region, stable across runs."""
    key_id = uuid.uuid5(uuid.NAMESPACE_URL, f"timestream-managed-key/{account}/{region}")
    return f"arn:{partition(region)}:kms:{region}:{account}:key/{key_id}"


@dataclass(frozen=True, slots=True)
class ResourceArn:
    """The parts of a database or table ARN."""

    partition: str
    region: str
    account: str
    database: str
    table: str | None


def parse_resource_arn(arn: str) -> ResourceArn:
    """Split a database or table ARN; a malformed ARN is a ValidationException.

    See docs/operations/tag-resource.md.
    """
    match = _RESOURCE_ARN.fullmatch(arn)
    if match is None:
        raise ValidationException(f"Invalid resource ARN: {arn}")
    return ResourceArn(
        match["partition"], match["region"], match["account"], match["database"], match["table"]
    )
