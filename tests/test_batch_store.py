"""The journal stores, SQLite and PostgreSQL, held to one suite: loading, claiming, leases."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kling_edit.batch import (
    Job,
    Journal,
    JournalError,
    LeaseLostError,
    Mark,
    PostgresJournal,
    SQLiteJournal,
)

Opener = Callable[[], Journal]


def _job(number: int) -> Job:
    return Job(
        key=f"job-{number}",
        line=number,
        edit_mode="removal",
        prompt="Remove the object from <<<video_1>>>",
        marks=(Mark(0, ((0.5, 0.4),)),),
        video_url="https://example.com/clip.mp4",
    )


JOBS = [_job(n) for n in range(1, 9)]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens connections to one fresh journal (each call: a new connection, as a new worker)."""
    opened: list[Journal] = []
    if request.param == "sqlite":
        target = str(tmp_path / "jobs.db")

        def make() -> Journal:
            return SQLiteJournal(target)
    else:
        dsn = request.getfixturevalue("postgres_dsn")

        def make() -> Journal:
            return PostgresJournal(dsn)

    def opener() -> Journal:
        journal = make()
        opened.append(journal)
        return journal

    yield opener
    for journal in opened:
        journal.close()


def test_jobs_load_once_by_key(open_store: Opener) -> None:
    first, second = open_store(), open_store()
    assert first.load(JOBS[:5]) == 5
    assert second.load(JOBS) == 3
    assert first.load(JOBS) == 0
    assert [r.key for r in second.records()] == [j.key for j in JOBS]
    assert first.records()[0].job == JOBS[0]


def test_workers_starting_at_once_load_the_file_once(open_store: Opener) -> None:
    journals = [open_store() for _ in range(4)]
    added: list[int] = []
    threads = [threading.Thread(target=lambda j=j: added.append(j.load(JOBS))) for j in journals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(added) == len(JOBS)
    assert len(journals[0].records()) == len(JOBS)


def test_the_batch_id_is_kept_and_external_ids_derive_from_it(
    open_store: Opener, tmp_path: Path
) -> None:
    journal = open_store()
    journal.load(JOBS[:2])
    again = open_store()
    assert again.batch_id == journal.batch_id
    ids = [r.external_task_id for r in again.records()]
    assert len(set(ids)) == 2
    assert all(journal.batch_id in external_id for external_id in ids)
    other = SQLiteJournal(tmp_path / "other.db")
    other.load(JOBS[:2])
    assert not set(ids) & {r.external_task_id for r in other.records()}
    other.close()


def test_a_claim_leases_the_lowest_unleased_job(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:3])
    first = journal.claim("a", 100.0, 10.0, exclude=(), started=False)
    second = journal.claim("b", 100.0, 10.0, exclude=(), started=False)
    assert first is not None
    assert second is not None
    assert (first.key, first.lease_owner, first.lease_until) == ("job-1", "a", 110.0)
    assert second.key == "job-2"
    third = journal.claim("a", 100.0, 10.0, exclude=["job-3"], started=False)
    assert third is None


def test_finished_and_not_started_jobs_are_not_claimed_when_asked(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:3])
    one = journal.claim("a", 0.0, 10.0, exclude=(), started=False)
    assert one is not None
    journal.update(one.key, "a", state="done", result_path="/out/job-1.mp4")
    journal.release(one.key, "a")
    two = journal.claim("a", 0.0, 10.0, exclude=(), started=False)
    assert two is not None
    assert two.key == "job-2"
    journal.update(two.key, "a", state="session", session_id="s-2", session_at=1.0)
    journal.release(two.key, "a")
    started = journal.claim("b", 0.0, 10.0, exclude=(), started=True)
    assert started is not None
    assert (started.key, started.session_id) == ("job-2", "s-2")
    assert journal.claim("b", 0.0, 10.0, exclude=["job-2"], started=True) is None


def test_a_renewed_lease_keeps_the_job(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:1])
    assert journal.claim("a", 0.0, 10.0, exclude=(), started=False) is not None
    journal.renew("a", ["job-1"], 8.0, 10.0)
    assert journal.claim("b", 15.0, 10.0, exclude=(), started=False) is None
    assert journal.records()[0].lease_until == 18.0


def test_an_expired_lease_is_taken_over_and_the_old_owner_locked_out(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:1])
    assert journal.claim("a", 0.0, 10.0, exclude=(), started=False) is not None
    taken = journal.claim("b", 10.5, 10.0, exclude=(), started=False)
    assert taken is not None
    assert (taken.key, taken.lease_owner) == ("job-1", "b")
    with pytest.raises(LeaseLostError):
        journal.update("job-1", "a", state="session")
    journal.renew("a", ["job-1"], 11.0, 100.0)  # a dead owner's late renewal changes nothing
    assert journal.records()[0].lease_until == 20.5


def test_hold_records_and_extends_only_a_lease_that_has_not_lapsed(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:2])
    journal.claim("a", 0.0, 10.0, exclude=(), started=False)
    journal.hold("job-1", "a", 9.0, 10.0, state="submitting")
    record = journal.records()[0]
    assert (record.state, record.lease_owner, record.lease_until) == ("submitting", "a", 19.0)
    # Lapsed, even with nobody else on it yet: another worker may be claiming it right now.
    with pytest.raises(LeaseLostError):
        journal.hold("job-1", "a", 19.5, 10.0)
    journal.claim("b", 0.0, 10.0, exclude=("job-1",), started=False)
    assert journal.claim("c", 10.5, 10.0, exclude=("job-1",), started=False) is not None
    with pytest.raises(LeaseLostError):  # taken over: the old owner is locked out
        journal.hold("job-2", "b", 10.6, 10.0, state="submitting")
    assert [r.state for r in journal.records()] == ["submitting", "pending"]


def test_updates_are_kept_with_their_costs(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:1])
    journal.claim("a", 0.0, 10.0, exclude=(), started=False)
    journal.update("job-1", "a", state="submitted", task_id="t-1", costs={"init": "0.2"})
    record = open_store().records()[0]
    assert (record.state, record.task_id, dict(record.costs)) == (
        "submitted",
        "t-1",
        {"init": "0.2"},
    )
    assert str(record.units) == "0.2"


def test_concurrent_claimers_never_get_the_same_job(open_store: Opener) -> None:
    many = [_job(n) for n in range(1, 41)]
    open_store().load(many)
    journals = [open_store() for _ in range(4)]
    claimed: dict[str, list[str]] = {}
    barrier = threading.Barrier(len(journals))

    def work(index: int, journal: Journal) -> None:
        owner = f"worker-{index}"
        mine = claimed.setdefault(owner, [])
        barrier.wait()
        while (record := journal.claim(owner, 0.0, 60.0, exclude=(), started=False)) is not None:
            mine.append(record.key)

    threads = [threading.Thread(target=work, args=item) for item in enumerate(journals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [key for keys in claimed.values() for key in keys]
    assert sorted(every) == sorted(j.key for j in many)


def test_a_file_that_is_not_a_journal_is_a_journal_error(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "jobs.db"
    not_sqlite.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="the journal failed"):
        SQLiteJournal(not_sqlite)


def test_a_database_failure_mid_run_is_a_journal_error(open_store: Opener) -> None:
    journal = open_store()
    journal.load(JOBS[:1])
    journal.close()
    with pytest.raises(JournalError):
        journal.records()


@pytest.mark.parametrize("target", ["", "  ", ":memory:"])
def test_a_journal_that_would_not_survive_a_crash_is_refused(target: str) -> None:
    from kling_edit.batch import JournalError, open_journal

    with pytest.raises(JournalError, match="must be a file path"):
        open_journal(target)
