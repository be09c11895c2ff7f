"""The SQLite journal: the embedded default, one file, every step committed before the next."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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


class SQLiteJournal:
    """The embedded journal: one SQLite file in WAL mode, safe for several local processes."""

    db_errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: str | Path) -> None:
        # sqlite3 opens "" as a temporary database and ":memory:" in memory: nothing would
        # survive the crash the journal exists for.
        if str(path).strip() in ("", ":memory:"):
            raise JournalError(f"the journal must be a file path, got {str(path)!r}")
        with journal_errors(self.db_errors):
            self._open(path)

    def _open(self, path: str | Path) -> None:
        # Autocommit: each statement commits at once; claims take BEGIN IMMEDIATE explicitly.
        # Any thread may use the journal, one at a time (the runner never shares it at once).
        self._db = sqlite3.connect(
            path, isolation_level=None, timeout=30.0, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the next step (a paid one, maybe) is taken.
        self._db.execute("PRAGMA synchronous=FULL")
        with self._transaction():
            self._db.execute("CREATE TABLE IF NOT EXISTS batch (id TEXT NOT NULL)")
            self._db.execute(f"CREATE TABLE IF NOT EXISTS jobs ({JOBS_COLUMNS})")
            row = self._db.execute("SELECT id FROM batch").fetchone()
            if row is None:
                self._batch_id = new_batch_id()
                self._db.execute("INSERT INTO batch (id) VALUES (?)", (self._batch_id,))
            else:
                self._batch_id = row["id"]

    def _transaction(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db  # the connection's context manager commits, or rolls back on error

    @property
    def batch_id(self) -> str:
        return self._batch_id

    @guarded
    def load(self, jobs: Iterable[Job]) -> int:
        rows = [
            (j.key, j.line, j.to_json(), derive_external_id(self._batch_id, j.key), PENDING, "{}")
            for j in jobs
        ]
        with self._transaction():
            before = self._db.total_changes
            self._db.executemany(
                "INSERT INTO jobs (key, line, spec, external_task_id, state, costs)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )
            return self._db.total_changes - before

    @guarded
    def claim(
        self, owner: str, now: float, lease_seconds: float, *, exclude: Iterable[str], started: bool
    ) -> JobRecord | None:
        skip = list(exclude)
        with self._transaction():
            row = self._db.execute(
                "SELECT key FROM jobs WHERE state NOT IN (?, ?)"
                " AND (lease_until IS NULL OR lease_until < ?)"
                f" AND state != ? AND key NOT IN ({', '.join('?' * len(skip))})"
                " ORDER BY line LIMIT 1",
                (DONE, FAILED, now, PENDING if started else "", *skip),
            ).fetchone()
            if row is None:
                return None
            claimed = self._db.execute(
                "UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE key = ? RETURNING *",
                (owner, now + lease_seconds, row["key"]),
            ).fetchone()
            return record_from_row(claimed)

    @guarded
    def renew(self, owner: str, keys: Iterable[str], now: float, lease_seconds: float) -> None:
        with self._transaction():
            self._db.executemany(
                "UPDATE jobs SET lease_until = ? WHERE key = ? AND lease_owner = ?",
                [(now + lease_seconds, key, owner) for key in keys],
            )

    @guarded
    def update(self, /, key: str, owner: str, **changes: Any) -> None:
        sql, params = update_statement("jobs", "?", key, owner, changes)
        with self._transaction():
            cursor = self._db.execute(sql, params)
            if cursor.rowcount != 1:
                raise LeaseLostError(f"job {key!r} is no longer leased to this worker")

    @guarded
    def hold(
        self, /, key: str, owner: str, now: float, lease_seconds: float, **changes: Any
    ) -> None:
        sql, params = hold_statement("jobs", "?", key, owner, now, lease_seconds, changes)
        with self._transaction():
            cursor = self._db.execute(sql, params)
            if cursor.rowcount != 1:
                raise LeaseLostError(f"job {key!r}: this worker's lease lapsed or was taken")

    @guarded
    def release(self, key: str, owner: str) -> None:
        self._db.execute(release_statement("jobs", "?"), (key, owner))

    @guarded
    def records(self) -> list[JobRecord]:
        rows = self._db.execute("SELECT * FROM jobs ORDER BY line, key").fetchall()
        return [record_from_row(row) for row in rows]

    @guarded
    def close(self) -> None:
        self._db.close()
