"""PLACEHOLDER until the write path lands."""
from __future__ import annotations
from typing import Any
def prepare_records(records: Any, common: Any) -> Any: raise NotImplementedError
def ingest(table: Any, prepared: Any, now_ns: int) -> Any: raise NotImplementedError
