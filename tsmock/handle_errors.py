"""What the handle answers to misuse: failed lookups and a summary of what it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tsmock.backend.errors import ResourceNotFoundException
from tsmock.backend.objects import ObjectStoreError
from tsmock.services import WRITE

if TYPE_CHECKING:
    from tsmock.state import MockState


class NotFoundError(KeyError):
    """A lookup through the handle found nothing (``ts.records``, ``ts.batch_load_task``,
    ``ts.get_object``).

    A `KeyError` (and so a `LookupError`), so code that caught the bare `KeyError`
    of earlier versions keeps working; the message names what was looked for and
    the account and region it was looked in.
    """

    def __init__(self, what: str, account_id: str, region_name: str) -> None:
        super().__init__(what)
        #: What was looked for, e.g. ``"table 'db'.'cpu'"``.
        self.what = what
        self.account_id = account_id
        self.region_name = region_name

    def __str__(self) -> str:
        # KeyError's own str() quotes its argument; this message is a sentence.
        return (
            f"{self.what} not found in account {self.account_id}, "
            f"region {self.region_name}"
        )


class ResourceNotFoundError(NotFoundError, ResourceNotFoundException):
    """No such database, table or batch load task (``ts.records``, ``ts.batch_load_task``).

    Also the backend's `ResourceNotFoundException`, which earlier versions raised.
    """

    def __init__(self, what: str, account_id: str, region_name: str) -> None:
        NotFoundError.__init__(self, what, account_id, region_name)
        self.message = str(self)
        self.extra = {}


class ObjectNotFoundError(NotFoundError, ObjectStoreError):
    """No such bucket or key (``ts.get_object``); also the `ObjectStoreError` raised before."""

    def __init__(self, what: str, account_id: str, region_name: str, reason: str) -> None:
        NotFoundError.__init__(self, what, account_id, region_name)
        #: The object store's own words, as `ObjectStoreError.reason` gave them.
        self.reason = reason


def not_active(action: str) -> RuntimeError:
    """The error of a state-changing member used while the mock is not active."""
    return RuntimeError(
        f"the mock is not active: start it (start(), `with` or the decorator) before {action}"
    )


def summary(state: MockState | None) -> str:
    """``databases=.. tables=.. records=.. calls=..`` over every account and region."""
    if state is None:
        return "databases=0 tables=0 records=0 calls=0"
    databases = tables = records = 0
    for backend in state.backends(WRITE):
        with backend.lock:
            for database in backend.databases.values():
                databases += 1
                tables += len(database.tables)
                records += sum(len(table.index) for table in database.tables.values())
    calls = len(state.calls.calls())
    return f"databases={databases} tables={tables} records={records} calls={calls}"


__all__ = [
    "NotFoundError",
    "ObjectNotFoundError",
    "ResourceNotFoundError",
    "not_active",
    "summary",
]
