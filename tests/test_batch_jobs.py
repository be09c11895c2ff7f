"""Batch job files: each bad line named by number and key, checked with the client's rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kling_edit.batch import BadLine, Mark, load_jobs
from kling_edit.testing import SAMPLE_IMAGE

SWAP = "Replace the selected object in <<<video_1>>> with <<<image_1>>>"


def _job(key: str = "job-1", **fields: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "key": key,
        "video_url": "https://example.com/clip.mp4",
        "selections": [{"frame_index": 0, "points": [[0.5, 0.4]]}],
        "edit_mode": "removal",
        "prompt": "Remove the selected object from <<<video_1>>>",
    }
    job.update(fields)
    return {k: v for k, v in job.items() if v is not None}


def _load(tmp_path: Path, *lines: str) -> tuple[list[Any], list[BadLine]]:
    source = tmp_path / "jobs.jsonl"
    source.write_text("\n".join(lines) + "\n")
    return load_jobs(source)


def test_a_full_line_becomes_a_job(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_IMAGE, tmp_path / "hat.png")
    line = _job(
        edit_mode="swap",
        prompt=SWAP,
        images=["hat.png"],
        duration=5,
        mode="pro",
        negative_prompt="blur",
        selections=[
            {"frame_index": 0, "points": [[0.5, 0.4], [0.6, 0.4]]},
            {"frame_index": 12, "points": [[0.1, 0.2]]},
        ],
    )
    jobs, bad = _load(tmp_path, json.dumps(line))
    assert bad == []
    (job,) = jobs
    assert (job.key, job.line, job.edit_mode, job.duration, job.mode) == (
        "job-1",
        1,
        "swap",
        "5",
        "pro",
    )
    assert job.images == (str(tmp_path / "hat.png"),)  # relative to the file's folder
    assert job.marks == (Mark(0, ((0.5, 0.4), (0.6, 0.4))), Mark(12, ((0.1, 0.2),)))


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"video_url": "ftp://example.com/a.mp4"}, "video_url: must be an http(s) URL"),
        ({"video_url": "https://example.com/a.gif"}, "video_url: must point to an mp4 or mov"),
        ({"video_id": "v-1"}, "video_url: give exactly one of video_url or video_id"),
        ({"edit_mode": "recolor"}, "edit_mode: must be one of addition, swap, removal"),
        ({"edit_mode": "swap", "prompt": SWAP}, "images: edit_mode 'swap' needs exactly 1 image"),
        ({"images": ["https://example.com/a.png"]}, "images: edit_mode 'removal' takes no images"),
        ({"prompt": "x" * 2501}, "prompt: must be at most 2500 characters"),
        ({"duration": 7}, "duration: must be 5 or 10"),
        ({"mode": "max"}, "mode: must be one of std, pro"),
        ({"selections": []}, "selections: must be a non-empty list"),
        (
            {"selections": [{"frame_index": 0, "points": [[1.5, 0.4]]}]},
            "selections[0].points[0].x: must be a relative coordinate in [0, 1]",
        ),
        (
            {"selections": [{"frame_index": -1, "points": [[0.5, 0.4]]}]},
            "selections[0].frame_index: must be at least 0",
        ),
        (
            {
                "selections": [
                    {"frame_index": 3, "points": [[0.1, 0.1]] * 6},
                    {"frame_index": 3, "points": [[0.2, 0.2]] * 5},
                ]
            },
            "selections[1]: frame 3 would hold 11 points (at most 10 per frame)",
        ),
        (
            {"selections": [{"frame_index": n, "points": [[0.5, 0.5]]} for n in range(11)]},
            "selections: marks 11 frames (at most 10)",
        ),
        ({"images": ["missing.png"], "edit_mode": "swap", "prompt": SWAP}, "images[0]:"),
        ({"colour": "red"}, "colour: is not a job field"),
        ({"key": "../escape"}, "key: must be 1-128 letters"),
    ],
)
def test_a_bad_line_is_reported_with_its_number_key_and_rule(
    tmp_path: Path, fields: dict[str, Any], reason: str
) -> None:
    jobs, bad = _load(
        tmp_path,
        json.dumps(_job("ok-1")),
        json.dumps({**_job("bad-1"), **fields}),
        json.dumps(_job("ok-2")),
    )
    assert [job.key for job in jobs] == ["ok-1", "ok-2"]
    (line,) = bad
    assert line.line == 2
    assert line.key == fields.get("key", "bad-1")
    assert line.reason.startswith(reason), line.reason


def test_a_repeated_key_and_broken_json_are_bad_lines(tmp_path: Path) -> None:
    jobs, bad = _load(
        tmp_path, json.dumps(_job("a")), "", "{not json", json.dumps(_job("a")), "[1, 2]"
    )
    assert [job.key for job in jobs] == ["a"]
    assert [(b.line, b.key) for b in bad] == [(3, None), (4, "a"), (5, None)]
    assert str(bad[1]) == "line 4 (key 'a'): key: is already used by an earlier line"
    assert bad[0].reason.startswith("not valid JSON")
