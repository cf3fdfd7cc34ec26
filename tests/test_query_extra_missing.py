"""The query engine's modules are imported by `load_engine` only; without them,
starting `mock_timestream` (or `load_engine`) fails loudly, naming the extra."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )


def test_mock_timestream_without_the_engine_raises_import_error_naming_the_extra() -> None:
    result = _run(
        """
        import sys
        sys.modules["duckdb"] = None  # as if the extra were not installed
        import tsmock
        try:
            tsmock.mock_timestream().start()
        except ImportError as error:
            print("ImportError:", error)
        else:
            print("started")
        """
    )
    assert result.returncode == 0, result.stderr
    assert "ImportError:" in result.stdout
    assert "tsmock[query]" in result.stdout
    assert "timestream-mock[query]" in result.stdout


def test_mock_timestream_write_needs_no_engine() -> None:
    result = _run(
        """
        import sys
        for name in ("duckdb", "sqlglot", "pyarrow"):
            sys.modules[name] = None
        import boto3
        import tsmock
        with tsmock.mock_timestream_write():
            client = boto3.client("timestream-write", region_name="us-east-1")
            client.create_database(DatabaseName="metrics")
            print(client.list_databases()["Databases"][0]["DatabaseName"])
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "metrics"


def test_import_tsmock_loads_no_engine_module() -> None:
    result = _run(
        """
        import sys
        import tsmock
        print(sorted(m for m in ("duckdb", "sqlglot", "pyarrow", "pandas") if m in sys.modules))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_importing_the_service_loads_no_engine() -> None:
    result = _run(
        "import sys, tsmock, tsmock.backend.query.service, tsmock.backend.query.result\n"
        "heavy = [m for m in ('duckdb', 'sqlglot', 'pyarrow', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    assert result.returncode == 0, result.stderr


def test_missing_extra_names_it() -> None:
    result = _run(
        "import sys\n"
        "sys.modules['duckdb'] = None\n"
        "from tsmock.backend.query.engine_modules import load_engine\n"
        "try:\n"
        "    load_engine()\n"
        "except ImportError as error:\n"
        "    assert 'tsmock[query]' in str(error), error\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    assert result.returncode == 0, result.stderr
