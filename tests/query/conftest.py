"""Fixtures of the query engine's unit tests: a write backend and its query backend.

The write backend is constructed here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from freezegun import freeze_time
from query_helpers import ACCOUNT, NOW, REGION

from tsmock.backend.query.engine_modules import load_engine
from tsmock.backend.query.service import QueryBackend
from tsmock.backend.service import TimestreamWriteBackend

# The engine is imported before any clock is frozen, as mock_timestream does at start.
load_engine()


@pytest.fixture
def new_write_backend() -> Callable[[str, str], TimestreamWriteBackend]:
    """Makes the write backend of an account and region (its one constructor call)."""

    def make(account_id: str = ACCOUNT, region_name: str = REGION) -> TimestreamWriteBackend:
        return TimestreamWriteBackend(account_id, region_name)

    return make


@pytest.fixture
def write_backend(
    new_write_backend: Callable[[str, str], TimestreamWriteBackend],
) -> TimestreamWriteBackend:
    return new_write_backend(ACCOUNT, REGION)


@pytest.fixture
def query_backend(write_backend: TimestreamWriteBackend) -> QueryBackend:
    return QueryBackend(write_backend)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with freeze_time(NOW) as clock:
        yield clock
