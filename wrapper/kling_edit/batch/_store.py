"""The journal interface (`Journal`), what it keeps per job (`JobRecord`), and its SQLite store.

A journal holds one batch: its id (which every external task id is derived from), and one row
per job with the job's state, ids, cost per step, result path, error and lease. Every method
commits before it returns, so what the runner recorded survives `kill -9` at any instant.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from attrs import frozen

from .._errors import KlingEditError
from ._jobs import Job

# Job states, in the order a job goes through them. A job is "done" only once its result
# file is written, and "failed" once it cannot succeed; any other state is resumed.
PENDING = "pending"
SESSION = "session"  # init answered: session_id and session_at are recorded
SELECTING = "selecting"  # points are being added (resume clears them and adds them again)
SELECTED = "selected"
SUBMITTING = "submitting"  # create may have been sent: resume looks the task up first
SUBMITTED = "submitted"  # task_id recorded
DONE = "done"
FAILED = "failed"
STATES = (PENDING, SESSION, SELECTING, SELECTED, SUBMITTING, SUBMITTED, DONE, FAILED)
FINAL_STATES = frozenset({DONE, FAILED})

# Columns a runner may change with `Journal.update`.
FIELDS = (
    "state",
    "session_id",
    "session_at",
    "task_id",
    "status",
    "costs",
    "result_path",
    "error",
    "expires_at",
)


@frozen
class JobRecord:
    """One job as the journal keeps it. Times are epoch seconds; `costs` maps step -> units."""

    key: str
    line: int
    job: Job
    external_task_id: str
    state: str = PENDING
    session_id: str | None = None
    session_at: float | None = None
    task_id: str | None = None
    status: str | None = None
    costs: Mapping[str, str] = {}
    result_path: str | None = None
    error: str | None = None
    expires_at: float | None = None
    lease_owner: str | None = None
    lease_until: float | None = None

    @property
    def units(self) -> Decimal:
        """Units this job has cost so far, every step summed."""
        return sum((Decimal(units) for units in self.costs.values()), Decimal(0))


class LeaseLostError(KlingEditError):
    """Another worker holds the job now: this worker's lease expired before it renewed it."""


class JournalError(KlingEditError):
    """The journal's database failed: locked too long, unreachable, full, or not a journal."""


class _Store(Protocol):
    db_errors: tuple[type[Exception], ...]


S = TypeVar("S", bound=_Store)
P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def journal_errors(db_errors: tuple[type[Exception], ...]) -> Iterator[None]:
    """Turn the database driver's errors into `JournalError`s (the one error tree)."""
    try:
        yield
    except db_errors as error:
        raise JournalError(f"the journal failed: {error}") from error


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A store method whose database errors come out as `JournalError`."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with journal_errors(self.db_errors):
            return method(self, *args, **kwargs)

    return wrapper


class Journal(Protocol):
    """Where a batch is recorded; several workers may share one (each claims jobs by lease).

    Methods raise `JournalError` when the database fails, never the driver's own errors.
    """

    @property
    def batch_id(self) -> str:
        """The batch's id, made when the journal was created and kept for its lifetime."""
        ...

    def load(self, jobs: Iterable[Job]) -> int:
        """Add the jobs whose key is not in the journal yet; answer how many were added."""
        ...

    def claim(
        self, owner: str, now: float, lease_seconds: float, *, exclude: Iterable[str], started: bool
    ) -> JobRecord | None:
        """Lease one unfinished job nobody holds (or whose lease expired), lowest line first.

        `exclude` are keys not to take; `started` limits the choice to jobs past `pending`.
        """
        ...

    def renew(self, owner: str, keys: Iterable[str], now: float, lease_seconds: float) -> None:
        """Extend the leases `owner` holds on `keys`."""
        ...

    def update(self, key: str, owner: str, **changes: Any) -> None:
        """Record a step of a job `owner` holds; raise `LeaseLostError` if it no longer does."""
        ...

    def hold(self, key: str, owner: str, now: float, lease_seconds: float, **changes: Any) -> None:
        """Record `changes` and extend the lease to `now + lease_seconds`, in one transaction,
        only while `owner` holds a lease that has not lapsed; else raise `LeaseLostError`.

        Taken right before a create is sent: a lapsed lease may already be another worker's
        claim, and that worker may send the same create.
        """
        ...

    def release(self, key: str, owner: str) -> None:
        """Give the job's lease up."""
        ...

    def records(self) -> list[JobRecord]:
        """Every job, in line order."""
        ...

    def close(self) -> None: ...


def derive_external_id(batch_id: str, key: str) -> str:
    """The job's external_task_id: the same on every resume, different in every batch."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"kling-batch-{batch_id}-{digest}"


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def encode(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Changes in the form both stores keep (costs as JSON text); unknown fields refused."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a journal field: {', '.join(sorted(unknown))}")
    return {k: json.dumps(v) if k == "costs" else v for k, v in changes.items()}


def hold_statement(
    table: str,
    mark: str,
    key: str,
    owner: str,
    now: float,
    lease_seconds: float,
    changes: Mapping[str, Any],
) -> tuple[str, tuple[Any, ...]]:
    """`Journal.hold`'s UPDATE and its parameters, for a store whose placeholder is `mark`."""
    values = encode(changes)
    assignments = ", ".join([*(f"{name} = {mark}" for name in values), f"lease_until = {mark}"])
    sql = (
        f"UPDATE {table} SET {assignments}"
        f" WHERE key = {mark} AND lease_owner = {mark} AND lease_until >= {mark}"
    )
    return sql, (*values.values(), now + lease_seconds, key, owner, now)


def update_statement(
    table: str, mark: str, key: str, owner: str, changes: Mapping[str, Any]
) -> tuple[str, tuple[Any, ...]]:
    """`Journal.update`'s UPDATE and its parameters, for a store whose placeholder is `mark`."""
    values = encode(changes)
    assignments = ", ".join(f"{name} = {mark}" for name in values)
    sql = f"UPDATE {table} SET {assignments} WHERE key = {mark} AND lease_owner = {mark}"
    return sql, (*values.values(), key, owner)


def release_statement(table: str, mark: str) -> str:
    """`Journal.release`'s UPDATE (parameters: key, owner)."""
    return (
        f"UPDATE {table} SET lease_owner = NULL, lease_until = NULL"
        f" WHERE key = {mark} AND lease_owner = {mark}"
    )


def record_from_row(row: Mapping[str, Any]) -> JobRecord:
    return JobRecord(
        key=row["key"],
        line=row["line"],
        job=_read(row, "spec", Job.from_json),
        external_task_id=row["external_task_id"],
        state=_read(row, "state", _known_state),
        session_id=row["session_id"],
        session_at=row["session_at"],
        task_id=row["task_id"],
        status=row["status"],
        costs=_read(row, "costs", _costs),
        result_path=row["result_path"],
        error=row["error"],
        expires_at=row["expires_at"],
        lease_owner=row["lease_owner"],
        lease_until=row["lease_until"],
    )


def _read(row: Mapping[str, Any], column: str, read: Callable[[Any], R]) -> R:
    """A column read by `read`, or a JournalError naming the job: a damaged row (by hand, a bad
    disk, another version) must not surface as a JSONDecodeError or KeyError."""
    try:
        return read(row[column])
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        raise JournalError(
            f"job {row['key']!r}: the journal's {column} cannot be read ({error!r:.200})"
        ) from None


def _known_state(value: object) -> str:
    if value not in STATES:
        raise ValueError(f"{value!r} is not one of {', '.join(STATES)}")
    return str(value)


def _costs(text: Any) -> dict[str, str]:
    costs = json.loads(text)
    if not isinstance(costs, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _is_decimal(v) for k, v in costs.items()
    ):
        raise ValueError("not an object of decimal strings")
    return costs


def _is_decimal(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:  # decimal.InvalidOperation
        return False


# Shared by both stores: plain SQL types that SQLite and PostgreSQL both take.
JOBS_COLUMNS = """
    key TEXT PRIMARY KEY,
    line INTEGER NOT NULL,
    spec TEXT NOT NULL,
    external_task_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    session_id TEXT,
    session_at DOUBLE PRECISION,
    task_id TEXT,
    status TEXT,
    costs TEXT NOT NULL,
    result_path TEXT,
    error TEXT,
    expires_at DOUBLE PRECISION,
    lease_owner TEXT,
    lease_until DOUBLE PRECISION
"""
