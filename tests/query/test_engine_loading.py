"""The engine's modules are imported by load_engine only; without them it names the extra."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_importing_the_service_loads_no_engine() -> None:
    result = run(
        "import sys, tsmock, tsmock.backend.query.service, tsmock.backend.query.result\n"
        "heavy = [m for m in ('duckdb', 'sqlglot', 'pyarrow', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    assert result.returncode == 0, result.stderr


def test_missing_extra_names_it() -> None:
    result = run(
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
