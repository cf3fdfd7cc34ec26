"""`load_engine`: the one place the SQL engine (sqlglot, DuckDB, pyarrow) is imported.

``import tsmock`` never imports them: `mock_timestream` calls `load_engine` when
it starts, before any request (a first import of pandas/pyarrow under
freezegun's frozen clock can crash the interpreter, docs/operations/query.md).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsmock.backend.query.engine import QueryEngine

EXTRA = "tsmock[query]"
_REQUIRED = ("sqlglot", "duckdb", "pyarrow")
_engine: QueryEngine | None = None
_lock = threading.Lock()


def load_engine() -> QueryEngine:
    """The process's query engine, importing the engine's modules on first use.

    Raises ImportError naming the extra ``tsmock[query]`` when they are missing.
    """
    global _engine
    with _lock:
        if _engine is None:
            for name in _REQUIRED:
                try:
                    importlib.import_module(name)
                except ImportError as error:
                    raise ImportError(
                        f"tsmock's query support needs the extra {EXTRA}: "
                        f"pip install 'timestream-mock[query]' (cannot import {name}: {error})"
                    ) from error
            # pyarrow imports pandas lazily, on first use; a first import of pandas
            # under freezegun's frozen clock can crash the interpreter.
            with contextlib.suppress(ImportError):
                importlib.import_module("pandas")
            engine_module = importlib.import_module("tsmock.backend.query.engine")
            _engine = engine_module.QueryEngine()
        return _engine
