"""Where scheduled-query notifications go: moto's SNS when it can take them.

The service publishes each run's notification to the scheduled query's SNS topic
(docs/scheduled-queries.md). While moto's in-process mock is active and the topic
exists there, tsmock publishes it to moto's SNS, so a test can read it from an
SQS queue subscribed to the topic. Otherwise the notification stays on the run
(``ScheduledQueryRun.notification``) and nothing leaves the process.
"""

from __future__ import annotations

from tsmock.objects import MotoClients, NotAnsweredByMoto, ObjectStoreError, moto_active

__all__ = ["MotoSnsSink"]


def _region_of(topic_arn: str) -> str | None:
    parts = topic_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[3]:
        return None
    return parts[3]


class MotoSnsSink:
    """Publishes to moto's SNS while moto is active; reports whether it did."""

    def __init__(self) -> None:
        self._clients = MotoClients()

    def publish(self, topic_arn: str, message: str) -> bool:
        """True when moto's SNS took the message; False leaves it on the run."""
        region = _region_of(topic_arn)
        if region is None or not moto_active():
            return False
        from botocore.exceptions import ClientError

        try:
            self._clients.get("sns", region).publish(TopicArn=topic_arn, Message=message)
        except (ObjectStoreError, NotAnsweredByMoto, ClientError):
            # A topic moto does not know (NotFound) or a request moto did not
            # answer: the notification is not delivered, as it would not be on AWS.
            return False
        return True
