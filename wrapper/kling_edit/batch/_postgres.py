"""The PostgreSQL journal: many workers on many machines claim jobs with SKIP LOCKED leases.

psycopg 3 is imported when a journal is opened (`pip install 'kling-edit[postgres]'`), so the
rest of the package never needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._dsn import hide_password
from ._jobs import Job
from ._store import (
    DONE,
    FAILED,
    JOBS_COLUMNS,
    PENDING,
    JobRecord,
    JournalError,
    LeaseLostError,
    derive_external_id,
    guarded,
    hold_statement,
    journal_errors,
    new_batch_id,
    record_from_row,
    release_statement,
    update_statement,
)

if TYPE_CHECKING:
    import psycopg

# Serialises the first creation of the tables when several workers start at once (CREATE
# TABLE IF NOT EXISTS alone races on the catalog). Any constant works; this one spells "kled".
_SCHEMA_LOCK = 0x6B6C6564


class PostgresJournal:
    """A journal in the PostgreSQL database at `dsn` (tables `kling_batch` and `kling_jobs`)."""

    db_errors: tuple[type[Exception], ...] = ()

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ModuleNotFoundError as error:
            raise JournalError(
                "a PostgreSQL journal needs psycopg: pip install 'kling-edit[postgres]'"
            ) from error
        self.db_errors = (psycopg.Error,)
        try:
            # Autocommit: every statement outside `transaction()` commits at once.
            self._db: psycopg.Connection[dict[str, Any]] = psycopg.connect(
                dsn, autocommit=True, row_factory=dict_row
            )
        except psycopg.Error as error:
            # `from None`: the driver's error may quote the URL, password and all.
            raise JournalError(f"the journal failed: {hide_password(str(error), dsn)}") from None
        with journal_errors(self.db_errors):
            self._batch_id = self._prepare()

    def _prepare(self) -> str:
        """Create the tables and the batch id unless another worker already did; answer it."""
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            self._db.execute("CREATE TABLE IF NOT EXISTS kling_batch (id TEXT NOT NULL)")
            self._db.execute(f"CREATE TABLE IF NOT EXISTS kling_jobs ({JOBS_COLUMNS})")
            row = self._db.execute("SELECT id FROM kling_batch").fetchone()
            if row is not None:
                return str(row["id"])
            batch_id = new_batch_id()
            self._db.execute("INSERT INTO kling_batch (id) VALUES (%s)", (batch_id,))
            return batch_id

    @property
    def batch_id(self) -> str:
        return self._batch_id

    @guarded
    def load(self, jobs: Iterable[Job]) -> int:
        rows = [
            (j.key, j.line, j.to_json(), derive_external_id(self._batch_id, j.key), PENDING, "{}")
            for j in jobs
        ]
        with self._db.transaction(), self._db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO kling_jobs (key, line, spec, external_task_id, state, costs)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                rows,
            )
            return cursor.rowcount

    @guarded
    def claim(
        self, owner: str, now: float, lease_seconds: float, *, exclude: Iterable[str], started: bool
    ) -> JobRecord | None:
        # SKIP LOCKED: concurrent claimers pass over the row another one is taking instead of
        # waiting for it, and the lease (not the row lock) is what keeps it theirs afterwards.
        row = self._db.execute(
            "WITH next AS ("
            " SELECT key FROM kling_jobs WHERE state NOT IN (%s, %s)"
            " AND (lease_until IS NULL OR lease_until < %s)"
            " AND state != %s AND NOT (key = ANY(%s))"
            " ORDER BY line LIMIT 1 FOR UPDATE SKIP LOCKED)"
            " UPDATE kling_jobs AS j SET lease_owner = %s, lease_until = %s"
            " FROM next WHERE j.key = next.key RETURNING j.*",
            (
                DONE,
                FAILED,
                now,
                PENDING if started else "",
                list(exclude),
                owner,
                now + lease_seconds,
            ),
        ).fetchone()
        return record_from_row(row) if row is not None else None

    @guarded
    def renew(self, owner: str, keys: Iterable[str], now: float, lease_seconds: float) -> None:
        self._db.execute(
            "UPDATE kling_jobs SET lease_until = %s WHERE key = ANY(%s) AND lease_owner = %s",
            (now + lease_seconds, list(keys), owner),
        )

    @guarded
    def update(self, /, key: str, owner: str, **changes: Any) -> None:
        sql, params = update_statement("kling_jobs", "%s", key, owner, changes)
        if self._db.execute(sql, params).rowcount != 1:
            raise LeaseLostError(f"job {key!r} is no longer leased to this worker")

    @guarded
    def hold(
        self, /, key: str, owner: str, now: float, lease_seconds: float, **changes: Any
    ) -> None:
        sql, params = hold_statement("kling_jobs", "%s", key, owner, now, lease_seconds, changes)
        if self._db.execute(sql, params).rowcount != 1:
            raise LeaseLostError(f"job {key!r}: this worker's lease lapsed or was taken")

    @guarded
    def release(self, key: str, owner: str) -> None:
        self._db.execute(release_statement("kling_jobs", "%s"), (key, owner))

    @guarded
    def records(self) -> list[JobRecord]:
        rows = self._db.execute("SELECT * FROM kling_jobs ORDER BY line, key").fetchall()
        return [record_from_row(row) for row in rows]

    @guarded
    def close(self) -> None:
        self._db.close()
