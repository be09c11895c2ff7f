"""What the CLI says: help and errors that agree, 404 hints that fit, exit codes in the README,
and `run --json` output that names files instead of embedding them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kling_edit.cli import ExitCode
from kling_edit.cli._app import cli
from kling_edit.testing import Simulator, running_server
from spec_helpers import ROOT

VIDEO = "https://example.com/clip.mp4"
REMOVE = "Remove the selected object from <<<video_1>>>"


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with running_server(Simulator(submit_seconds=0.02, job_seconds=0.1)) as base_url:
        yield base_url


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def _words(text: str) -> str:
    return " ".join(text.split())


def _error_line(result: Result) -> str:
    (line,) = [line for line in result.stderr.splitlines() if "error:" in line]
    return line


def test_duration_help_and_error_state_the_same_bounds(sim_url: str) -> None:
    # The rule table: a 5 s result needs a 2-5.5 s source, a 10 s result a 7-10.5 s one; the
    # simulator's video lasts 5 s.
    help_text = _words(_invoke("create", "--help").stdout)
    assert "2-5.5 s" in help_text
    assert "7-10.5 s" in help_text
    # `run` opens the session in the same client, so the client checks the fit itself.
    result = _invoke(
        "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "removal", "--prompt", REMOVE,
        "--duration", "10", "--base-url", sim_url,
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "7-10.5 s" in _error_line(result)


def test_a_missing_task_is_not_blamed_on_sessions(sim_url: str) -> None:
    result = _invoke("status", "no-such-task", "--base-url", sim_url)
    assert result.exit_code == 3
    line = _error_line(result)
    assert "no task with that id" in line
    assert "account" in line
    assert "session" not in line


def test_a_missing_task_in_wait_is_not_blamed_on_sessions(sim_url: str) -> None:
    result = _invoke("wait", "no-such-task", "--base-url", sim_url)
    assert result.exit_code == 3
    assert "session" not in _error_line(result)


def test_a_missing_session_still_explains_the_24_hours(sim_url: str) -> None:
    result = _invoke(
        "points", "add", "no-such-session", "--point", "0.5,0.5", "--base-url", sim_url
    )
    assert result.exit_code == 3
    assert "sessions last 24 hours" in _error_line(result)


def test_the_readme_lists_every_exit_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = " ".join(readme.split()).split("Exit codes: ", 1)[1].split(". ", 1)[0]
    listed = {int(number) for number in re.findall(r"(?:^|, )(\d+) ", sentence)}
    assert listed == {0, 1, 2, 3, 4, 5, 130} - {0}
    assert listed == {int(code) for code in ExitCode} - {0}


def test_run_json_names_mask_files_instead_of_embedding_base64(
    sim_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "result.mp4"
    result = _invoke(
        "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "removal",
        "--prompt", REMOVE, "--out", out, "--base-url", sim_url, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "png_base64" not in result.stdout
    assert "iVBORw0KGgo" not in result.stdout  # base64 of a PNG signature
    (selected,) = json.loads(result.stdout)["selection"]["objects"]
    mask = Path(selected["mask_path"])
    assert mask == tmp_path / "result.object-1.png"
    assert mask.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
