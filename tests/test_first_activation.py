"""The first activation in a fresh process stays light, and plain requests are still answered."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = """
import sys
import tsmock

mock = tsmock.mock_timestream_write()
mock.start()
loaded = sorted(name for name in ("requests", "responses") if name in sys.modules)
import requests  # imported while active: from now on, plain requests are answered

answer = requests.post(
    "https://ingest.timestream.us-east-1.amazonaws.com/",
    headers={
        "X-Amz-Target": "Timestream_20181101.ListDatabases",
        "Content-Type": "application/x-amz-json-1.0",
    },
    data="{}",
)
mock.stop()
waiting = [f for f in sys.meta_path if type(f).__module__ == "tsmock.intercept"]
print(loaded, answer.status_code, answer.text, waiting)
"""


def test_requests_is_mocked_once_imported() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == '[] 200 {"Databases":[]} []'
