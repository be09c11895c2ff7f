"""The `kling-edit` command line, through click's CliRunner against the offline simulator."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kling_edit import KlingEdit
from kling_edit.cli import main
from kling_edit.cli._app import cli
from kling_edit.cli._clients import LOCAL_KEY
from kling_edit.cli._workflow import Workflow
from kling_edit.testing import SAMPLE_IMAGE, Simulator, running_server

SECRET_KEY = "sk-test-DO-NOT-PRINT-7f3a9c"
REMOVE = "Remove the selected object from <<<video_1>>>"
VIDEO = "https://example.com/clip.mp4"


def _serve(**options: Any) -> Iterator[str]:
    with running_server(Simulator(**options)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    """A loopback simulator whose tasks finish in 0.3 s."""
    yield from _serve(submit_seconds=0.05, job_seconds=0.3)


@pytest.fixture(scope="module")
def slow_url() -> Iterator[str]:
    """A loopback simulator whose tasks take a minute: for timeouts."""
    yield from _serve(submit_seconds=0.05, job_seconds=60)


Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run `kling-edit ARGS...`; the result has exit_code, stdout and stderr."""
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)

    return run


def _session(base_url: str) -> str:
    """A session with a point marked, made through the library (quicker than the CLI)."""
    # The CLI's key when none is set: the simulator scopes sessions by key.
    with KlingEdit(LOCAL_KEY, base_url=base_url) as client:
        session = client.sessions.init(video_url=VIDEO)
        client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
        return session.session_id


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# Help


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["init"],
        ["points"],
        ["points", "add"],
        ["points", "delete"],
        ["points", "clear"],
        ["preview"],
        ["create"],
        ["status"],
        ["list"],
        ["wait"],
        ["download"],
        ["simulate"],
        ["run"],
    ],
)
def test_every_command_has_help(invoke: Invoke, command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")


def test_group_help_documents_examples_backends_and_exit_codes(invoke: Invoke) -> None:
    text = invoke("--help").stdout
    assert "Examples:" in text
    assert "kling-edit run --video" in text
    assert "--base-url http://127.0.0.1:8765" in text
    for line in ("2    usage error", "3    the API", "4    the task failed", "5    waiting", "130"):
        assert line in text


# ---------------------------------------------------------------------------------------------
# The steps one by one, against one loopback simulator


def test_step_by_step_with_json(invoke: Invoke, sim_url: str, tmp_path: Path) -> None:
    at = ("--base-url", sim_url, "--json")
    session = _json(invoke("init", "--video-url", VIDEO, *at))
    sid = session["session_id"]
    assert session["width"] == 1280
    assert "raw" not in session
    assert "http_response" not in session

    added = _json(invoke("points", "add", sid, "--frame", "0", "--point", "0.125,0.5", *at))
    assert added["frame_index"] == 0
    assert len(added["objects"]) == 1
    invoke("points", "add", sid, "--point", "0.9,0.9", *at)
    deleted = _json(invoke("points", "delete", sid, "--point", "0.9,0.9", *at))
    assert deleted["session_id"] == sid

    preview = _json(invoke("preview", sid, *at))
    assert preview["cover_url"].endswith("cover.png")

    task = _json(invoke("create", sid, "--edit", "removal", "--prompt", REMOVE, *at))
    task_id = task["task_id"]
    assert task["status"] == "submitted"
    assert task["created_at"].endswith("+00:00")  # ISO 8601, in UTC

    assert _json(invoke("status", task_id, *at))["task_id"] == task_id
    listed = _json(invoke("list", "--page-size", "5", *at))
    assert task_id in [item["task_id"] for item in listed["tasks"]]

    done = _json(invoke("wait", task_id, *at))
    assert done["status"] == "succeed"
    assert done["videos"][0]["url"].endswith(f"{task_id}.mp4")

    downloaded = _json(invoke("download", task_id, "--out", tmp_path / "result.mp4", *at))
    assert Path(downloaded["path"]).read_bytes()[4:8] == b"ftyp"

    cleared = _json(invoke("points", "clear", sid, *at))
    assert cleared == {"session_id": sid, "cleared": True}


def test_options_work_before_the_subcommand_too(invoke: Invoke, sim_url: str) -> None:
    result = invoke("--json", "--base-url", sim_url, "init", "--video-url", VIDEO)
    assert result.exit_code == 0
    assert "session_id" in _json(result)


def test_human_output_names_ids_and_next_steps(invoke: Invoke, sim_url: str) -> None:
    sid = _session(sim_url)
    result = invoke("create", sid, "--edit", "removal", "--prompt", REMOVE, "--base-url", sim_url)
    assert result.exit_code == 0
    assert result.stdout.startswith("task ")
    assert "next: kling-edit download " in result.stdout
    assert f"--base-url {sim_url}" in result.stdout


def test_resume_after_interruption(
    invoke: Invoke, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "result.mp4"
    with monkeypatch.context() as patch:

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        patch.setattr(Workflow, "wait", interrupted)
        result = invoke(
            "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "removal",
            "--prompt", REMOVE, "--out", out, "--base-url", sim_url,
        )  # fmt: skip
    assert result.exit_code == 130
    assert "Traceback" not in result.output
    # The id was printed as soon as the task existed, then the commands that pick it up again.
    created = next(line for line in result.stderr.splitlines() if "created removal task" in line)
    task_id = created.split("created removal task ")[1].split()[0]
    assert f"kling-edit wait {task_id} --base-url {sim_url}" in result.stderr
    assert f"kling-edit download {task_id} --out {out} --base-url {sim_url}" in result.stderr
    assert not out.exists()

    waited = invoke("wait", task_id, "--base-url", sim_url)
    assert waited.exit_code == 0
    assert "succeed" in waited.stdout
    downloaded = invoke("download", task_id, "--out", out, "--base-url", sim_url)
    assert downloaded.exit_code == 0
    assert out.stat().st_size > 0


def test_interrupted_embedded_run_says_there_is_nothing_to_resume(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Workflow, "wait", interrupted)
    result = invoke(
        "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "removal",
        "--prompt", REMOVE, "--out", tmp_path, "--json",
    )  # fmt: skip
    assert result.exit_code == 130
    assert "nothing to resume" in result.stderr
    error = _json(result)["error"]
    assert (error["exit_code"], error["resume"]) == (130, [])
    assert len(error["task_ids"]) == 1


# ---------------------------------------------------------------------------------------------
# `run`, in one process on the embedded simulator


def test_run_end_to_end_on_the_embedded_simulator(invoke: Invoke, tmp_path: Path) -> None:
    out, picture = tmp_path / "result.mp4", tmp_path / "selection.png"
    result = invoke(
        "run", "--video", VIDEO, "--frame", "0", "--point", "0.125,0.5", "--edit", "removal",
        "--prompt", REMOVE, "--out", out, "--selection-image", picture,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "using the embedded offline simulator" in result.stderr
    steps = [line for line in result.stderr.splitlines() if line[:1].isdigit()]
    assert [line.split(".")[0] for line in steps] == ["1", "2", "3", "4", "5", "6", "7"]
    assert out.read_bytes()[4:8] == b"ftyp"
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert result.stdout.startswith(f"saved {out}")


def test_run_json_prints_one_object(invoke: Invoke, sim_url: str, tmp_path: Path) -> None:
    result = invoke(
        "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "swap",
        "--image", SAMPLE_IMAGE,
        "--prompt", "Replace the selected object in <<<video_1>>> with <<<image_1>>>",
        "--out", tmp_path, "--base-url", sim_url, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    outcome = _json(result)
    assert set(outcome) >= {"session", "selection", "preview", "results"}
    (only,) = outcome["results"]
    assert only["mode"] == "swap"
    assert Path(only["path"]) == tmp_path / f"{only['task']['task_id']}.mp4"


# ---------------------------------------------------------------------------------------------
# Exit codes


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["init"], id="init-without-video"),
        pytest.param(["init", "--video-url", VIDEO, "--video-id", "v"], id="init-with-both"),
        pytest.param(["points", "add", "S"], id="missing-point"),
        pytest.param(["points", "add", "S", "--point", "0.5"], id="malformed-point"),
        pytest.param(["create", "S", "--edit", "merge", "--prompt", "p"], id="unknown-edit"),
        pytest.param(["points", "add", "S", "--point", "1.5,0.5"], id="point-out-of-range"),
        pytest.param(["create", "S", "--edit", "swap", "--prompt", REMOVE], id="swap-no-image"),
        pytest.param(["create", "S", "--edit", "removal", "--prompt", ""], id="empty-prompt"),
        pytest.param(["list", "--page", "0"], id="page-zero"),
    ],
)
def test_usage_and_validation_errors_exit_2(invoke: Invoke, args: list[str]) -> None:
    result = invoke(*args, "--simulator")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_image_given_as_base64_text_is_not_mistaken_for_a_path(
    invoke: Invoke, sim_url: str
) -> None:
    encoded = base64.b64encode(SAMPLE_IMAGE.read_bytes()).decode()  # too long for a file name
    prompt = "Replace the selected object in <<<video_1>>> with <<<image_1>>>"
    result = invoke(
        "create", _session(sim_url), "--edit", "swap", "--prompt", prompt,
        "--image", encoded, "--base-url", sim_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_invalid_input_is_one_error_line(invoke: Invoke) -> None:
    result = invoke("points", "add", "S", "--point", "1.5,0.5", "--simulator")
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert errors == [
        "kling-edit: error: points[0].x: must be a relative coordinate in [0, 1], got 1.5"
    ]


def test_api_error_exits_3_with_code_and_request_id(invoke: Invoke, sim_url: str) -> None:
    result = invoke("status", "no-such-task", "--base-url", sim_url)
    assert result.exit_code == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith("kling-edit: error: task no-such-task does not exist")
    assert "code 1203" in line
    assert "request_id " in line


def test_api_error_as_json(invoke: Invoke, sim_url: str) -> None:
    result = invoke("status", "no-such-task", "--base-url", sim_url, "--json")
    assert result.exit_code == 3
    error = _json(result)["error"]
    assert error["type"] == "NotFoundError"
    assert (error["code"], error["status_code"], error["exit_code"]) == (1203, 404, 3)
    assert error["request_id"]


def test_unreachable_service_exits_3(invoke: Invoke) -> None:
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    result = invoke("status", "t", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 3
    assert "connection failed" in result.stderr


def test_failed_task_exits_4(invoke: Invoke, sim_url: str) -> None:
    sid = _session(sim_url)
    prompt = "SIMULATE_FAILURE in <<<video_1>>>"
    created = invoke("create", sid, "--edit", "removal", "--prompt", prompt, "--base-url", sim_url)
    task_id = created.stdout.split()[1].rstrip(":")
    result = invoke("wait", task_id, "--base-url", sim_url)
    assert result.exit_code == 4
    assert f"task {task_id} failed: " in result.stderr
    assert invoke("download", task_id, "--base-url", sim_url).exit_code == 4


def test_wait_timeout_exits_5(invoke: Invoke, slow_url: str) -> None:
    sid = _session(slow_url)
    created = invoke(
        "create", sid, "--edit", "removal", "--prompt", REMOVE, "--base-url", slow_url, "--json"
    )
    task_id = _json(created)["task_id"]
    result = invoke("wait", task_id, "--timeout", "0.2", "--base-url", slow_url, "--json")
    assert result.exit_code == 5
    error = _json(result)["error"]
    assert (error["type"], error["task_id"]) == ("WaitTimeoutError", task_id)
    assert "keeps running" in result.stderr


def test_a_remote_host_without_a_key_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("list", "--base-url", "https://api.example.com")
    assert result.exit_code == 2
    assert "COMETAPI_KEY is not set" in result.stderr


# ---------------------------------------------------------------------------------------------
# Keys, notices, warnings


def test_the_key_never_appears_in_any_output(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    outputs = []
    with running_server(
        Simulator(api_key=SECRET_KEY, submit_seconds=0.05, job_seconds=0.2)
    ) as base_url:
        monkeypatch.setenv("COMETAPI_KEY", SECRET_KEY)
        for flags in ((), ("--json",)):
            at = ("--base-url", base_url, *flags)
            ran = invoke(
                "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "removal",
                "--prompt", REMOVE, "--out", tmp_path, *at,
            )  # fmt: skip
            assert ran.exit_code == 0, ran.stderr
            outputs += [ran, invoke("status", "missing", *at), invoke("list", *at)]
        monkeypatch.setenv("COMETAPI_KEY", SECRET_KEY + "-wrong")
        rejected = invoke("list", "--base-url", base_url)
        assert rejected.exit_code == 3
        assert "code 1002" in rejected.stderr
        assert "check COMETAPI_KEY" in rejected.stderr
        outputs.append(rejected)
    for result in outputs:
        assert SECRET_KEY not in result.stdout
        assert SECRET_KEY not in result.stderr


def test_step_commands_on_the_embedded_simulator_point_to_simulate(invoke: Invoke) -> None:
    result = invoke("init", "--video-url", VIDEO)
    assert result.exit_code == 0
    (notice,) = [line for line in result.stderr.splitlines() if line.startswith("kling-edit:")]
    assert "embedded offline simulator" in notice
    assert "kling-edit simulate" in notice


def test_prompt_warning_is_one_line(invoke: Invoke, sim_url: str) -> None:
    sid = _session(sim_url)
    result = invoke(
        "create", sid, "--edit", "removal", "--prompt", "remove it", "--base-url", sim_url
    )
    assert result.exit_code == 0
    assert result.stderr == (
        "kling-edit: warning: prompt does not mention the source video as <<<video_1>>>\n"
    )


def test_simulate_serves_until_ctrl_c(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_serve(sim: Simulator, *, port: int, on_ready: Callable[[str], None]) -> None:
        on_ready(f"http://127.0.0.1:{port}")
        raise KeyboardInterrupt

    monkeypatch.setattr("kling_edit.testing.serve", fake_serve)
    result = invoke("simulate", "--port", "8799")
    assert result.exit_code == 0
    assert "listening on http://127.0.0.1:8799" in result.stdout
    assert "--base-url http://127.0.0.1:8799" in result.stdout
    assert "simulator stopped" in result.stderr


# ---------------------------------------------------------------------------------------------
# Packaging


def test_main_without_click_prints_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "click", None)
    monkeypatch.delitem(sys.modules, "kling_edit.cli._app")
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        "kling-edit: the command line needs click: pip install 'kling-edit[cli]'\n"
    )


def test_the_library_works_without_click_and_rich() -> None:
    # httpx imports click and rich when they are installed, so look for a failure instead.
    code = (
        "import sys; sys.modules['click'] = sys.modules['rich'] = None;"
        "import kling_edit, kling_edit.cli; print('imported')"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "imported", found.stderr
