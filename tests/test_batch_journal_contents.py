"""A journal whose rows were damaged (by hand, a bad disk, another version) fails as JournalError.

Each case let a foreign exception (`JSONDecodeError`, `KeyError`, `AssertionError` from the
runner) out of `records()`, `kling-edit batch status` or `batch run` before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kling_edit.batch import Job, JournalError, Mark, SQLiteJournal
from kling_edit.cli._app import cli

JOB = Job(
    key="job-1",
    line=1,
    edit_mode="removal",
    prompt="Remove the object from <<<video_1>>>",
    marks=(Mark(0, ((0.5, 0.4),)),),
    video_url="https://example.com/clip.mp4",
)

DAMAGE = {
    "costs-not-json": "costs = 'not json'",
    "costs-not-an-object": "costs = '[1, 2]'",
    "costs-not-decimal": """costs = '{"task": "abc"}'""",
    "spec-not-json": "spec = '[[[['",
    "spec-missing-fields": "spec = '{}'",
    "spec-wrong-types": """spec = '{"selections": 5, "images": []}'""",
    "unknown-state": "state = 'bogus'",
}


def _damaged(tmp_path: Path, damage: str) -> Path:
    path = tmp_path / "jobs.db"
    journal = SQLiteJournal(path)
    journal.load([JOB])
    journal.close()
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE jobs SET {damage}")
    return path


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_row_is_a_journal_error_naming_the_job(tmp_path: Path, damage: str) -> None:
    journal = SQLiteJournal(_damaged(tmp_path, damage))
    with pytest.raises(JournalError, match="job-1"):
        journal.records()
    journal.close()


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_batch_status_reports_a_damaged_journal_without_a_traceback(
    tmp_path: Path, damage: str
) -> None:
    path = _damaged(tmp_path, damage)
    result = CliRunner().invoke(cli, ["batch", "status", "--journal", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "job-1" in result.stderr
