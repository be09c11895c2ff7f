"""Durable batches of edits: a JSONL file of jobs, a journal that survives crashes, a runner.

    from kling_edit import AsyncKlingEdit
    from kling_edit.batch import BatchRunner, load_jobs, open_journal

    jobs, bad_lines = load_jobs("jobs.jsonl")          # bad lines: line number, key, reason
    journal = open_journal("jobs.db")                  # or "postgresql://..." for many workers
    journal.load(jobs)                                 # by key: loading twice adds nothing
    async with AsyncKlingEdit() as client:
        summary = await BatchRunner(client, journal, "out", concurrency=8).run()

Every step of every job is committed to the journal before the next one, so running the same
batch again after a crash (even `kill -9`) resumes it, and never creates a task twice: each
job's external task id is derived from the batch id and its key. The `kling-edit batch`
command does all this from the shell.
"""

from ._jobs import BadLine, Job, Mark, load_jobs
from ._postgres import PostgresJournal
from ._runner import BatchRunner
from ._sqlite import SQLiteJournal
from ._status import Expiring, Failure, Summary, summarize
from ._store import STATES, JobRecord, Journal, JournalError, LeaseLostError


def open_journal(target: str) -> Journal:
    """The journal at `target`: a `postgresql://` (or `postgres://`) URL, else a SQLite file."""
    if target.startswith(("postgresql://", "postgres://")):
        return PostgresJournal(target)
    return SQLiteJournal(target)


__all__ = [
    "STATES",
    "BadLine",
    "BatchRunner",
    "Expiring",
    "Failure",
    "Job",
    "JobRecord",
    "Journal",
    "JournalError",
    "LeaseLostError",
    "Mark",
    "PostgresJournal",
    "SQLiteJournal",
    "Summary",
    "load_jobs",
    "open_journal",
    "summarize",
]

# Public names report the module users import them from, not the private one defining them.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj):
        _obj.__module__ = __name__
del _name, _obj
