"""Tag rules of Timestream resources (docs/operations/tag-resource.md)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from tsmock.backend.errors import ServiceQuotaExceededException, ValidationException

MAX_TAGS_PER_RESOURCE = 50
_ALLOWED_PUNCTUATION = frozenset("_.:/=+-")


def _allowed(text: str) -> bool:
    # Letters, digits (any script), white space and + - = . _ : / (docs/operations/tag-resource.md).
    for char in text:
        if char in _ALLOWED_PUNCTUATION:
            continue
        category = unicodedata.category(char)
        if category[0] not in ("L", "N", "Z"):
            return False
    return True


def check_tag_keys(keys: Iterable[str]) -> None:
    """Keys given to UntagResource: same character and reserved-prefix rules."""
    for key in keys:
        if key.lower().startswith("aws:"):
            raise ValidationException("Tag keys starting with 'aws:' are reserved.")
        if not _allowed(key):
            raise ValidationException(
                f"Invalid tag key {key}: tag keys may contain only letters, digits, "
                "white space and the characters + - = . _ : /"
            )


def check_tags(tags: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Check the tags of a request and return them as an ordered key -> value map."""
    checked: dict[str, str] = {}
    for tag in tags:
        key, value = tag["Key"], tag["Value"]
        check_tag_keys([key])
        if value.lower().startswith("aws:"):
            # docs/operations/tag-resource.md: the prefix is reserved for keys and values alike.
            raise ValidationException("Tag values starting with 'aws:' are reserved.")
        if not _allowed(value):
            raise ValidationException(
                f"Invalid tag value {value}: tag values may contain only letters, digits, "
                "white space and the characters + - = . _ : /"
            )
        if key in checked:
            raise ValidationException(f"Duplicate tag key: {key}.")
        checked[key] = value
    return checked


def merge_tags(existing: dict[str, str], new: Mapping[str, str], arn: str) -> None:
    """Add or overwrite tags; refuse a result above the per-resource limit."""
    merged_count = len(existing) + sum(1 for key in new if key not in existing)
    if merged_count > MAX_TAGS_PER_RESOURCE:
        raise ServiceQuotaExceededException(
            f"The resource {arn} cannot have more than {MAX_TAGS_PER_RESOURCE} tags."
        )
    existing.update(new)
