"""Plain HTTP calls to an ingest endpoint, as code that signs its own requests makes."""

from __future__ import annotations

import requests

INGEST = "https://ingest.timestream.us-east-1.amazonaws.com/"


def post(target: str, body: str | bytes, url: str = INGEST) -> requests.Response:
    """POST an AWS JSON 1.0 body for the Timestream Write operation ``target``."""
    return requests.post(
        url,
        data=body,
        headers={
            "X-Amz-Target": f"Timestream_20181101.{target}",
            "Content-Type": "application/x-amz-json-1.0",
        },
        timeout=5,
    )
