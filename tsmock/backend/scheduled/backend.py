"""The scheduled queries, account settings and tags of one account and region.

One method per operation, keyword arguments in snake_case, models returned (the
protocol layer renders them with ``to_dict``/``to_summary``). The query engine,
the write path, the object store and the notification sink are handed in
(``ports.py``). Decisions where the service's behavior is not known
(docs/operations/scheduled-queries.md):

- The ARN is ``arn:<partition>:timestream:<region>:<account>:scheduled-query/<name>-<suffix>``,
  the suffix 12 random lower-case letters and digits, as in AWS's examples.
- A query is ENABLED at creation. The schedule runs only ENABLED queries; a
  DISABLED query still runs through ExecuteScheduledQuery. Invocations that fell
  due while a query was DISABLED are skipped when it is enabled again, as a
  scheduler that was not firing would skip them.
- A run that fails (the query fails, the target table is gone) disables the
  query, as the service does for non-recoverable errors; ExecuteScheduledQuery
  still answers ``{}`` (the run's outcome is in DescribeScheduledQuery).
- ClientToken: the same token with the same request within 8 hours answers the
  first ARN; with another request it is a ValidationException.
"""

from __future__ import annotations

import copy
import random
import string
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from tsmock.backend.arns import partition
from tsmock.backend.errors import ConflictException, ResourceNotFoundException, ValidationException
from tsmock.backend.idempotency import ClientTokens, request_fingerprint
from tsmock.backend.models import ns_from_datetime
from tsmock.backend.pagination import paginate
from tsmock.backend.scheduled.account import AccountSettings
from tsmock.backend.scheduled.checks import check_name, check_target, missing_target_table
from tsmock.backend.scheduled.models import DISABLED, ENABLED, ScheduledQuery, ScheduledQueryRun
from tsmock.backend.scheduled.ports import NotificationSink, ObjectStore, QueryRunner, WriteTarget
from tsmock.backend.scheduled.runs import RunPorts, perform_run
from tsmock.backend.scheduled.schedule import fire_times, parse_schedule
from tsmock.backend.tagging import check_tag_keys, check_tags, merge_tags

#: How long a ClientToken of CreateScheduledQuery is remembered (MODEL doc: 8 hours).
CLIENT_TOKEN_LIFETIME = timedelta(hours=8)
CLIENT_TOKEN_REUSED = (
    "The ClientToken was already used with a different CreateScheduledQuery request."
)
ARN_SUFFIX_LENGTH = 12
_ARN_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
LIST_DEFAULT_PAGE_SIZE = 100
TAGS_DEFAULT_PAGE_SIZE = 200


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC (the service's times are UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class ScheduledQueryBackend:
    """Scheduled queries of one account and region (module docstring)."""

    def __init__(
        self,
        runner: QueryRunner,
        writer: WriteTarget,
        store: ObjectStore,
        sink: NotificationSink,
        account_id: str,
        region_name: str,
        rng: random.Random | None = None,
    ) -> None:
        self.ports = RunPorts(runner, writer, store, sink)
        self.account_id = account_id
        self.region_name = region_name
        #: The source of ARN suffixes; seed it for reproducible ARNs.
        self.rng = rng if rng is not None else random.Random()
        self.scheduled_queries: dict[str, ScheduledQuery] = {}
        self.account_settings = AccountSettings()
        self._client_tokens = ClientTokens(
            ValidationException, CLIENT_TOKEN_REUSED, CLIENT_TOKEN_LIFETIME
        )
        self._sequence = 0
        self._last_version = 0
        self._lock = threading.RLock()

    # -- lookups ---------------------------------------------------------------

    def get_scheduled_query(self, arn: str) -> ScheduledQuery:
        """The scheduled query with this ARN; ResourceNotFoundException otherwise."""
        query = self.scheduled_queries.get(arn)
        if query is None:
            raise ResourceNotFoundException(
                f"The resource with arn {arn} does not exist.", ScheduledQueryArn=arn
            )
        return query

    # -- CreateScheduledQuery ----------------------------------------------------

    def create_scheduled_query(
        self,
        name: str,
        query_string: str,
        schedule_configuration: dict[str, Any],
        notification_configuration: dict[str, Any],
        scheduled_query_execution_role_arn: str,
        error_report_configuration: dict[str, Any],
        target_configuration: dict[str, Any] | None = None,
        client_token: str | None = None,
        tags: list[dict[str, str]] | None = None,
        kms_key_id: str | None = None,
    ) -> ScheduledQuery:
        """Check and store a scheduled query (module docstring for the rules)."""
        request = request_fingerprint(
            [
                name,
                query_string,
                schedule_configuration,
                notification_configuration,
                scheduled_query_execution_role_arn,
                error_report_configuration,
                target_configuration,
                tags,
                kms_key_id,
            ]
        )
        with self._lock:
            now = _now()
            first_arn = self._client_tokens.recall(client_token, request, now)
            # The same request again answers the query it created; once that query
            # is deleted, the request creates a new one.
            if first_arn is not None and first_arn in self.scheduled_queries:
                return self.scheduled_queries[first_arn]
            check_name(name)
            schedule = parse_schedule(schedule_configuration["ScheduleExpression"])
            checked_tags: dict[str, str] = {}
            merge_tags(checked_tags, check_tags(tags or []), name)
            # KmsKeyId: any 1-2048 characters (the request shape), stored as given;
            # the service checks the key itself, which a mock cannot (no form
            # check either: none is documented).
            if any(query.name == name for query in self.scheduled_queries.values()):
                raise ConflictException(f"A scheduled query with the name {name} already exists.")
            columns = self.ports.runner.validate(query_string, allow_scheduled_runtime=True)
            if target_configuration is not None:
                target = target_configuration["TimestreamConfiguration"]
                database, table = target["DatabaseName"], target["TableName"]
                if not self.ports.writer.table_exists(database, table):
                    raise ValidationException(missing_target_table(database, table))
                check_target(target, [(column.name, column.type.summary()) for column in columns])
            self._sequence += 1
            query = ScheduledQuery(
                arn=self._new_arn(name),
                name=name,
                query_string=query_string,
                # Copies: the stored configuration must not follow later changes of
                # the caller's request dictionaries.
                schedule_configuration=copy.deepcopy(schedule_configuration),
                notification_configuration=copy.deepcopy(notification_configuration),
                target_configuration=copy.deepcopy(target_configuration),
                execution_role_arn=scheduled_query_execution_role_arn,
                error_report_configuration=copy.deepcopy(error_report_configuration),
                kms_key_id=kms_key_id,
                creation_time=now,
                schedule=schedule,
                tags=checked_tags,
                sequence=self._sequence,
                scheduled_through=now,
            )
            self.scheduled_queries[query.arn] = query
            self._client_tokens.remember(client_token, request, query.arn, now)
            return query

    def _new_arn(self, name: str) -> str:
        while True:
            suffix = "".join(
                self.rng.choice(_ARN_SUFFIX_ALPHABET) for _ in range(ARN_SUFFIX_LENGTH)
            )
            arn = (
                f"arn:{partition(self.region_name)}:timestream:{self.region_name}:"
                f"{self.account_id}:scheduled-query/{name}-{suffix}"
            )
            if arn not in self.scheduled_queries:
                return arn

    # -- Describe, List, Update, Delete ----------------------------------------------

    def describe_scheduled_query(self, scheduled_query_arn: str) -> ScheduledQuery:
        """The scheduled query; render it with ``to_dict()``."""
        return self.get_scheduled_query(scheduled_query_arn)

    def list_scheduled_queries(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[ScheduledQuery], str | None]:
        """A page of scheduled queries in creation order, and the next page's token."""
        with self._lock:
            items = list(self.scheduled_queries.values())
        return paginate(
            "ListScheduledQueries",
            items,
            lambda query: (query.sequence,),
            max_results,
            next_token,
            LIST_DEFAULT_PAGE_SIZE,
        )

    def update_scheduled_query(self, scheduled_query_arn: str, state: str) -> None:
        """Set ENABLED or DISABLED, the only change UpdateScheduledQuery makes."""
        with self._lock:
            query = self.get_scheduled_query(scheduled_query_arn)
            if state not in (ENABLED, DISABLED):
                raise ValidationException(f"Invalid State {state}: use ENABLED or DISABLED.")
            if state == ENABLED and query.state == DISABLED:
                # Invocations missed while disabled are not caught up.
                query.scheduled_through = _now()
            query.state = state

    def delete_scheduled_query(self, scheduled_query_arn: str) -> None:
        """Forget the query and its tags; records it wrote stay in the target."""
        with self._lock:
            self.get_scheduled_query(scheduled_query_arn)
            del self.scheduled_queries[scheduled_query_arn]

    # -- Runs -----------------------------------------------------------------

    def execute_scheduled_query(
        self,
        scheduled_query_arn: str,
        invocation_time: datetime,
        client_token: str | None = None,
        query_insights: dict[str, Any] | None = None,
    ) -> ScheduledQueryRun:
        """Run the query now, as if invoked at ``invocation_time`` (MANUAL run).

        The run is finished when this returns; its failure is in the run and in
        DescribeScheduledQuery, never raised. ``client_token`` is "Not used" (MODEL);
        ``query_insights`` is accepted and ignored: tsmock computes no query insights.
        """
        del client_token, query_insights
        with self._lock:
            query = self.get_scheduled_query(scheduled_query_arn)
            return self._run(query, _as_utc(invocation_time), manual=True)

    def run_due(self, until: datetime | None = None) -> list[ScheduledQueryRun]:
        """Run, in time order, every due invocation of every ENABLED query up to ``until``.

        Due: a fire time of the schedule after the query's creation (or after what
        an earlier call ran) and not after ``until`` (default: the clock now).
        """
        with self._lock:
            end = _as_utc(until) if until is not None else _now()
            due: list[tuple[datetime, int, ScheduledQuery]] = []
            for query in self.scheduled_queries.values():
                if query.state != ENABLED:
                    continue
                for moment in fire_times(
                    query.schedule, query.scheduled_through, end, anchor=query.creation_time
                ):
                    due.append((moment, query.sequence, query))
            due.sort(key=lambda item: (item[0], item[1]))
            runs = []
            for moment, _, query in due:
                if query.state != ENABLED:  # disabled by a failed run earlier in this pass
                    continue
                runs.append(self._run(query, moment, manual=False))
                query.scheduled_through = moment
            for query in self.scheduled_queries.values():
                if query.state == ENABLED and query.scheduled_through < end:
                    query.scheduled_through = end
            return runs

    def _run(
        self, query: ScheduledQuery, invocation_time: datetime, manual: bool
    ) -> ScheduledQueryRun:
        # A manual run starts when asked; a scheduled one not before its invocation
        # (run_due may be given an `until` ahead of the clock).
        trigger_time = _now() if manual else max(_now(), invocation_time)
        # Versions grow with every run, so a later run upserts what an earlier wrote
        # even when the frozen clock gives two runs the same trigger time.
        version = max(ns_from_datetime(trigger_time) // 1_000_000, self._last_version + 1)
        self._last_version = version

        def next_invocation(run: ScheduledQueryRun) -> datetime | None:
            # A failed run disables its query (below), so it announces no next one.
            if query.state != ENABLED or not run.succeeded:
                return None
            return query.next_invocation_time(trigger_time)

        run = perform_run(
            query, self.ports, invocation_time, trigger_time, manual, version, next_invocation
        )
        query.record_run(run)
        if not run.succeeded:
            # The service disables a query on a non-recoverable error (module docstring).
            query.state = DISABLED
        return run

    # -- Tags -------------------------------------------------------------------

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> None:
        """Add or overwrite tags of a scheduled query (at most 50)."""
        with self._lock:
            query = self.get_scheduled_query(resource_arn)
            merge_tags(query.tags, check_tags(tags), resource_arn)

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        """Remove tags by key; absent keys are ignored."""
        with self._lock:
            query = self.get_scheduled_query(resource_arn)
            check_tag_keys(tag_keys)
            for key in tag_keys:
                query.tags.pop(key, None)

    def list_tags_for_resource(
        self, resource_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, str]], str | None]:
        """A page of ``{"Key", "Value"}`` tags in insertion order, and the next token."""
        with self._lock:
            query = self.get_scheduled_query(resource_arn)
            items = list(enumerate(query.tags.items()))
        page, token = paginate(
            "ListTagsForResource",
            items,
            lambda item: (item[0],),
            max_results,
            next_token,
            TAGS_DEFAULT_PAGE_SIZE,
        )
        return [{"Key": key, "Value": value} for _, (key, value) in page], token

    # -- Account settings ---------------------------------------------------------

    def describe_account_settings(self) -> dict[str, Any]:
        """The DescribeAccountSettings response."""
        with self._lock:
            return self.account_settings.to_dict()

    def update_account_settings(
        self,
        max_query_tcu: int | None = None,
        query_pricing_model: str | None = None,
        query_compute: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Check and apply new settings; the UpdateAccountSettings response."""
        with self._lock:
            return self.account_settings.update(max_query_tcu, query_pricing_model, query_compute)
