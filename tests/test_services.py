"""The service registry: each service described once, answered only while its mock answers it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.handlers import BUILTIN_HANDLERS

from tsmock import intercept, mock_timestream_write, registry, services
from tsmock.backend.service import TimestreamWriteBackend


def test_the_write_service_is_described_by_its_model() -> None:
    write = services.service("timestream-write")
    assert write.model.metadata["endpointPrefix"] == write.endpoint_prefix
    assert set(write.handlers) == set(write.model.operation_names)


@pytest.mark.parametrize("name", sorted(services.SERVICES))
def test_every_registered_service_has_its_handlers_installed(name: str) -> None:
    for event in ("before-call", "before-send", "choose-signer"):
        assert any(
            entry[0] == f"{event}.{name}" and entry[1].__self__.service_name == name
            for entry in BUILTIN_HANDLERS
            if hasattr(entry[1], "__self__")
        ), event


def test_backends_are_per_service_account_and_region() -> None:
    with mock_timestream_write() as ts:
        state: Any = registry.active()
        backend = state.backend_of("timestream-write", "eu-west-1", "111122223333")
        assert isinstance(backend, TimestreamWriteBackend)
        assert (backend.account_id, backend.region_name) == ("111122223333", "eu-west-1")
        assert state.backend("eu-west-1", "111122223333") is backend
        assert ts.backend("eu-west-1", "111122223333") is backend
        assert state.backends() == [backend]
        assert state.services == frozenset({"timestream-write"})


def test_a_service_the_state_does_not_answer_is_handed_back() -> None:
    with mock_timestream_write():
        state: Any = registry.active()
        state.services = frozenset()
        handlers = intercept._HANDLERS["timestream-write"]
        assert handlers.choose_signer() is None
        assert handlers.before_send(request=None) is None
        assert handlers.before_call(model=None, params={}, request_signer=None, context={}) is None


def test_the_call_log_names_the_service() -> None:
    with mock_timestream_write() as ts:
        client = boto3.client("timestream-write", region_name="us-east-1")
        client.list_databases()
        assert {call.service for call in ts.calls} == {"timestream-write"}


def test_a_fault_names_an_unknown_service() -> None:
    with mock_timestream_write() as ts, pytest.raises(ValueError, match="Unknown service"):
        ts.add_fault("ListDatabases", "ThrottlingException", service="timestream-nothing")
