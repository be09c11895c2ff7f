"""Hostile JSONL job files: every line that cannot run is a bad line, nothing foreign escapes.

Each case raised from `load_jobs` before (`UnicodeDecodeError` for the whole file,
`RecursionError`, or `ValueError` from Python's digit limit), so the good lines did not run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kling_edit import KlingEditError
from kling_edit.batch import load_jobs

GOOD = json.dumps(
    {
        "key": "good",
        "video_url": "https://example.com/clip.mp4",
        "selections": [{"frame_index": 0, "points": [[0.5, 0.4]]}],
        "edit_mode": "removal",
        "prompt": "Remove the selected object from <<<video_1>>>",
    }
).encode()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"key": "\xff"}', "not UTF-8 text"),
        (b"[" * 100_000, "not valid JSON"),
        (b"1" * 5000, "not valid JSON"),
        (b'{"key": "x", "duration": ' + b"9" * 5000 + b"}", "not valid JSON"),
    ],
    ids=["not-utf8", "nested-too-deep", "5000-digit-number", "5000-digit-field"],
)
def test_a_line_that_cannot_be_read_is_a_bad_line_and_the_others_still_run(
    tmp_path: Path, line: bytes, reason: str
) -> None:
    source = tmp_path / "jobs.jsonl"
    source.write_bytes(b"\n".join([line, GOOD]) + b"\n")
    jobs, bad = load_jobs(source)
    assert [job.key for job in jobs] == ["good"]
    assert [(b.line, b.key) for b in bad] == [(1, None)]
    assert bad[0].reason.startswith(reason), bad[0].reason


def test_a_utf8_byte_order_mark_is_no_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "jobs.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + GOOD + b"\n")
    jobs, bad = load_jobs(source)
    assert ([job.key for job in jobs], bad) == (["good"], [])


@pytest.mark.parametrize("name", ["missing.jsonl", "."], ids=["missing", "a-folder"])
def test_a_file_that_cannot_be_read_is_a_kling_edit_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(KlingEditError, match="jobs file"):
        load_jobs(tmp_path / name)
