"""The account and region a mock simulates unless told otherwise."""

from __future__ import annotations

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
