"""DescribeAccountSettings / UpdateAccountSettings (docs/operations/account-settings.md).

A new account answers ``{"QueryPricingModel": "BYTES_SCANNED"}``; an update stores
and echoes what it was given. ``MaxQueryTCU`` must be a multiple of 4 from 4 to
1000 (the model's documentation), and an account that pays by COMPUTE_UNITS
cannot go back to BYTES_SCANNED. Settings never change query results.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tsmock.backend.errors import ValidationException

MIN_MAX_QUERY_TCU = 4
MAX_MAX_QUERY_TCU = 1000


@dataclass
class AccountSettings:
    """The query settings of one account and region."""

    query_pricing_model: str = "BYTES_SCANNED"
    max_query_tcu: int | None = None
    query_compute: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The DescribeAccountSettings / UpdateAccountSettings response."""
        settings: dict[str, Any] = {"QueryPricingModel": self.query_pricing_model}
        if self.max_query_tcu is not None:
            settings["MaxQueryTCU"] = self.max_query_tcu
        if self.query_compute is not None:
            settings["QueryCompute"] = copy.deepcopy(self.query_compute)
        return settings

    def update(
        self,
        max_query_tcu: int | None = None,
        query_pricing_model: str | None = None,
        query_compute: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Check and apply an UpdateAccountSettings; answer the new settings."""
        if max_query_tcu is not None and (
            not MIN_MAX_QUERY_TCU <= max_query_tcu <= MAX_MAX_QUERY_TCU or max_query_tcu % 4 != 0
        ):
            raise ValidationException(
                f"MaxQueryTCU {max_query_tcu} is not valid: it must be a multiple of 4 "
                f"from {MIN_MAX_QUERY_TCU} to {MAX_MAX_QUERY_TCU}."
            )
        if query_pricing_model == "BYTES_SCANNED" and self.query_pricing_model == "COMPUTE_UNITS":
            raise ValidationException(
                "QueryPricingModel cannot be changed from COMPUTE_UNITS back to BYTES_SCANNED."
            )
        if max_query_tcu is not None:
            self.max_query_tcu = max_query_tcu
        if query_pricing_model is not None:
            self.query_pricing_model = query_pricing_model
        if query_compute is not None:
            self.query_compute = _compute_response(query_compute)
        return self.to_dict()


def _compute_response(request: dict[str, Any]) -> dict[str, Any]:
    """A ``QueryComputeRequest`` as the ``QueryComputeResponse`` it settles into.

    A mock has no capacity to provision: the target is active at once and the
    last update SUCCEEDED.
    """
    response: dict[str, Any] = {}
    if "ComputeMode" in request:
        response["ComputeMode"] = request["ComputeMode"]
    provisioned = request.get("ProvisionedCapacity")
    if provisioned is not None:
        target = provisioned["TargetQueryTCU"]
        capacity: dict[str, Any] = {
            "ActiveQueryTCU": target,
            "LastUpdate": {"TargetQueryTCU": target, "Status": "SUCCEEDED"},
        }
        if "NotificationConfiguration" in provisioned:
            capacity["NotificationConfiguration"] = copy.deepcopy(
                provisioned["NotificationConfiguration"]
            )
        response["ProvisionedCapacity"] = capacity
    return response
