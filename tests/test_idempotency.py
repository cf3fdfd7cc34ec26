"""ClientToken memory shared by create operations (tsmock/backend/idempotency.py)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from tsmock.backend.errors import ConflictException, ValidationException
from tsmock.backend.idempotency import ClientTokens, request_fingerprint

T0 = datetime(2026, 12, 5, 10, tzinfo=timezone.utc)


def test_fingerprint_ignores_key_order_and_reads_non_json_values_as_text() -> None:
    assert request_fingerprint({"a": 1, "b": [T0]}) == request_fingerprint({"b": [T0], "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})


def test_same_request_answers_the_first_result_other_request_is_refused() -> None:
    tokens = ClientTokens(ConflictException, "reused", lifetime=None)
    assert tokens.recall("t", "request", T0) is None
    tokens.remember("t", "request", "id-1", T0)
    # Without a lifetime a token is remembered for ever.
    assert tokens.recall("t", "request", T0 + timedelta(days=365)) == "id-1"
    with pytest.raises(ConflictException) as caught:
        tokens.recall("t", "other request", T0)
    assert caught.value.message == "reused"


def test_a_token_is_forgotten_after_its_lifetime() -> None:
    tokens = ClientTokens(ValidationException, "reused", lifetime=timedelta(hours=8))
    tokens.remember("t", "request", "arn-1", T0)
    assert tokens.recall("t", "request", T0 + timedelta(hours=8) - timedelta(seconds=1)) == "arn-1"
    assert tokens.recall("t", "other request", T0 + timedelta(hours=8)) is None
    tokens.remember("u", "request", "arn-2", T0 + timedelta(hours=8))
    assert tokens.recall("t", "request", T0) is None  # expired entries are dropped


def test_no_token_means_no_idempotency() -> None:
    tokens = ClientTokens(ValidationException, "reused", lifetime=None)
    tokens.remember(None, "request", "arn-1", T0)
    assert tokens.recall(None, "request", T0) is None


def test_copies_compare_by_what_they_remember() -> None:
    tokens = ClientTokens(ConflictException, "reused", lifetime=None)
    tokens.remember("t", "request", "id-1", T0)
    snapshot = copy.deepcopy(tokens)
    assert snapshot == tokens
    tokens.remember("u", "request", "id-2", T0)
    assert snapshot != tokens
