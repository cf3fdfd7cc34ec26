"""The pytest plugin: the ``timestream_write_mock`` fixture (registered via ``pytest11``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tsmock.mock import TimestreamWriteMock


@pytest.fixture
def timestream_write_mock() -> Iterator[TimestreamWriteMock]:
    """An active Timestream Write mock for one test; stopped (and emptied) afterwards."""
    with TimestreamWriteMock() as mock:
        yield mock
