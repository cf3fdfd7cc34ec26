"""`QueryBackend`: the Timestream Query service of one account and region.

One method per operation, keyword arguments in snake_case, response dicts in
the service's shapes (botocore model ``timestream-query``), typed errors. The
SQL engine comes from `tsmock.backend.query.engine_modules.load_engine`, which
the mock calls when it starts; this module imports none of it.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING, Any

from tsmock.backend import arns
from tsmock.backend.errors import FrameworkValidationException
from tsmock.backend.models import utc_now_ns
from tsmock.backend.query.engine_modules import load_engine
from tsmock.backend.query.errors import ConflictException, ValidationException
from tsmock.backend.query.paging import (
    BYTES_PER_RECORD,
    TOKEN_LIFETIME_SECONDS,
    TOKEN_USES,
    Execution,
    new_query_id,
)
from tsmock.backend.query.result import Column, QueryResult
from tsmock.backend.service import ENDPOINT_CACHE_MINUTES

if TYPE_CHECKING:
    from tsmock.backend.query.engine import EngineSession, Outcome

MAX_QUERY_CHARS = 262_144
MAX_ROWS_LIMIT = 1000
#: Same ClientToken and parameters within 5 minutes: the same answer; another
#: QueryString with it within 4 hours: refused (docs/operations/query.md).
CLIENT_TOKEN_REPLAY_SECONDS = 300.0
CLIENT_TOKEN_MEMORY_SECONDS = 4 * 3600.0
_QUERY_ID = re.compile(r"[a-zA-Z0-9]{1,64}")
INVALID_TOKEN = "Invalid pagination token"


def _constraint(value: object, member: str, constraint: str) -> FrameworkValidationException:
    return FrameworkValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


class QueryBackend:
    """The simulated Timestream Query service of one account and region."""

    def __init__(self, write_backend: Any, region_name: str | None = None) -> None:
        #: The write backend whose ``databases`` the queries read.
        self.write_backend = write_backend
        self.region_name = region_name or str(getattr(write_backend, "region_name", "us-east-1"))
        self._lock = threading.RLock()
        self._executions: dict[str, Execution] = {}
        self._tokens: dict[str, str] = {}
        self._client_tokens: dict[str, tuple[str, int | None, dict[str, Any], float]] = {}
        self._session: EngineSession | None = None

    # --- engine -------------------------------------------------------------------

    def _run(
        self,
        query_string: str,
        *,
        execute: bool = True,
        allow_scheduled_runtime: bool = False,
        scheduled_runtime_ns: int | None = None,
    ) -> Outcome:
        session = self._session
        if session is None:
            with self._lock:
                if self._session is None:
                    self._session = load_engine().new_session()
                session = self._session
        return session.run(
            query_string,
            self.write_backend,
            self.write_backend.lock,
            utc_now_ns(),
            scheduled_runtime_ns=scheduled_runtime_ns,
            allow_scheduled_runtime=allow_scheduled_runtime,
            execute=execute,
        )

    @staticmethod
    def _check_query_string(query_string: str) -> None:
        if not 1 <= len(query_string) <= MAX_QUERY_CHARS:
            bound = (
                "greater than or equal to 1"
                if not query_string
                else f"less than or equal to {MAX_QUERY_CHARS}"
            )
            raise _constraint(query_string[:50], "queryString", f"Member must have length {bound}")

    # --- operations ---------------------------------------------------------------

    def describe_endpoints(self) -> list[dict[str, Any]]:
        """DescribeEndpoints: the query cell's address and its cache period [REAL].

        The DNS suffix is the region's, as on the write side (``amazonaws.com.cn``
        in China; docs/operations/query-describe-endpoints.md).
        """
        address = f"query-cell1.timestream.{self.region_name}.{arns.dns_suffix(self.region_name)}"
        return [{"Address": address, "CachePeriodInMinutes": ENDPOINT_CACHE_MINUTES}]

    def query(
        self,
        query_string: str,
        max_rows: int | None = None,
        next_token: str | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        """Query: one page of the result (``QueryId``, ``Rows``, ``ColumnInfo``, ...)."""
        self._check_query_string(query_string)
        if max_rows is not None and not 1 <= max_rows <= MAX_ROWS_LIMIT:
            bound = "greater than or equal to 1" if max_rows < 1 else "less than or equal to 1000"
            raise _constraint(max_rows, "maxRows", f"Member must have value {bound}")
        if next_token is not None:
            return self._next_page(query_string, max_rows, next_token)
        now = time.time()
        if client_token is not None:
            with self._lock:
                remembered = self._client_tokens.get(client_token)
            if remembered is not None:
                old_query, old_max_rows, response, when = remembered
                if now - when <= CLIENT_TOKEN_MEMORY_SECONDS:
                    if (old_query, old_max_rows) != (query_string, max_rows):
                        raise ValidationException(
                            "The ClientToken was already used with different parameters."
                        )
                    if now - when <= CLIENT_TOKEN_REPLAY_SECONDS:
                        return dict(response)
        outcome = self._run(query_string)
        execution = Execution(
            query_id=new_query_id(),
            query_string=query_string,
            result=outcome.result,
            bytes_scanned=outcome.scanned_records * BYTES_PER_RECORD,
            created=now,
        )
        page = execution.page(0, max_rows, first=True)
        with self._lock:
            self._forget_expired(now)
            self._executions[execution.query_id] = execution
            if page.next_token is not None:
                self._tokens[page.next_token] = execution.query_id
            if client_token is not None:
                self._client_tokens[client_token] = (query_string, max_rows, page.response, now)
        return dict(page.response)

    def _next_page(self, query_string: str, max_rows: int | None, token: str) -> dict[str, Any]:
        with self._lock:
            query_id = self._tokens.get(token)
            execution = self._executions.get(query_id) if query_id is not None else None
            if execution is None or execution.query_string != query_string:
                raise ValidationException(INVALID_TOKEN)
            if execution.cancelled:
                raise ConflictException("Unable to poll results for a cancelled query.")
            if time.time() - execution.created > TOKEN_LIFETIME_SECONDS:
                raise ValidationException(INVALID_TOKEN)
            if token == execution.last_token and execution.last_page is not None:
                execution.uses += 1
                if execution.uses > TOKEN_USES:
                    raise ValidationException(INVALID_TOKEN)
                return dict(execution.last_page.response)
            offset = execution.issued.get(token)
            if offset is None:
                raise ValidationException(INVALID_TOKEN)
            page = execution.page(offset, max_rows, first=False)
            # Older tokens of the chain stop working once a newer one is used.
            if execution.last_token is not None:
                self._tokens.pop(execution.last_token, None)
            execution.last_token = token
            execution.last_page = page
            execution.uses = 1
            if page.next_token is not None:
                self._tokens[page.next_token] = execution.query_id
            return dict(page.response)

    def _forget_expired(self, now: float) -> None:
        for query_id in [
            q for q, e in self._executions.items() if now - e.created > TOKEN_LIFETIME_SECONDS
        ]:
            execution = self._executions.pop(query_id)
            for token in [*execution.issued, execution.last_token]:
                if token is not None:
                    self._tokens.pop(token, None)
        for token in [
            t
            for t, (_, _, _, when) in self._client_tokens.items()
            if now - when > CLIENT_TOKEN_MEMORY_SECONDS
        ]:
            del self._client_tokens[token]

    def cancel_query(self, query_id: str) -> dict[str, Any]:
        """CancelQuery: ``{}`` the first time, a ``CancellationMessage`` after."""
        if not _QUERY_ID.fullmatch(query_id):
            raise ValidationException(f"Invalid QueryId: {query_id}")
        with self._lock:
            execution = self._executions.get(query_id)
            if execution is None:
                raise ValidationException(f"The query with ID {query_id} does not exist.")
            if execution.cancelled:
                return {"CancellationMessage": "Query has already been cancelled."}
            execution.cancelled = True
            return {}

    def prepare_query(self, query_string: str, validate_only: bool | None = None) -> dict[str, Any]:
        """PrepareQuery (only ``ValidateOnly=true``): the result columns and parameters."""
        self._check_query_string(query_string)
        if not validate_only:
            raise ValidationException("PrepareQuery only supports ValidateOnly=true")
        outcome = self._run(query_string, execute=False, allow_scheduled_runtime=True)
        columns: list[dict[str, Any]] = []
        outputs = outcome.outputs if len(outcome.outputs) == len(outcome.result.columns) else []
        for index, column in enumerate(outcome.result.columns):
            entry: dict[str, Any] = {"Name": column.name, "Type": column.type.to_type()}
            output = outputs[index] if outputs else None
            if output is not None and output.database is not None:
                entry["DatabaseName"] = output.database
                entry["TableName"] = output.table
            entry["Aliased"] = bool(output is not None and output.aliased)
            columns.append(entry)
        # @scheduled_runtime, a TIMESTAMP, is the one parameter a query may use.
        parameters = [
            {"Name": f"@{name}", "Type": {"ScalarType": "TIMESTAMP"}} for name in outcome.parameters
        ]
        return {"QueryString": query_string, "Columns": columns, "Parameters": parameters}

    # --- for scheduled queries ----------------------------------------------------------

    def run(self, query_string: str, scheduled_runtime_ns: int | None = None) -> QueryResult:
        """The whole result of a scheduled query, ``@scheduled_runtime`` set to that instant."""
        self._check_query_string(query_string)
        return self._run(
            query_string,
            allow_scheduled_runtime=True,
            scheduled_runtime_ns=scheduled_runtime_ns,
        ).result

    def validate(self, query_string: str, allow_scheduled_runtime: bool = False) -> list[Column]:
        """The result columns of a query, checked as Query checks it, without running it."""
        self._check_query_string(query_string)
        return self._run(
            query_string, execute=False, allow_scheduled_runtime=allow_scheduled_runtime
        ).result.columns
