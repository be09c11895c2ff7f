"""`kling-edit run` checks every session-free input before its first (billed) request.

Each bad input runs against a loopback simulator that counts the requests it receives: none may
arrive, and the exit code is 2 ("nothing was sent").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kling_edit import KlingEdit, KlingEditError, PollSchedule, RequestValidationError, Session
from kling_edit.cli import Edit, Plan, Workflow
from kling_edit.cli._app import cli
from kling_edit.testing import SAMPLE_IMAGE, Simulator, running_server
from wrapper_helpers import png_bytes

VIDEO = "https://example.com/clip.mp4"
SWAP = "Replace the selected object in <<<video_1>>> with <<<image_1>>>"
REMOVE = "Remove the selected object from <<<video_1>>>"


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[Simulator, str]]:
    """A loopback simulator (its `requests` count every request) and its base URL."""
    sim = Simulator(submit_seconds=0.02, job_seconds=0.1)
    with running_server(sim) as base_url:
        yield sim, base_url


def _sent(sim: Simulator) -> int:
    return sum(sim.requests.values())


def _run(base_url: str, *args: str | Path) -> Result:
    command = ["run", "--video", VIDEO, "--base-url", base_url, *(str(arg) for arg in args)]
    return CliRunner().invoke(cli, command, catch_exceptions=False)


def _image_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _edit(mode: str, prompt: str, *extra: str, point: str = "0.125,0.5") -> list[str]:
    return ["--point", point, "--edit", mode, "--prompt", prompt, *extra]


# (arguments after `run --video URL`, what the one error line must name); the {names} are files
# the test makes in tmp_path.
BAD_INPUTS = {
    "issue-repro-swap-without-image": (_edit("swap", "R <<<video_1>>> <<<image_1>>>"), "images"),
    "empty-prompt": (_edit("removal", ""), "prompt"),
    "removal-with-an-image": (_edit("removal", REMOVE, "--image", "{good}"), "images"),
    "image-2-with-one-image": (
        _edit("addition", "Add <<<image_2>>> to <<<video_1>>>", "--image", "{good}"),
        "<<<image_2>>>",
    ),
    "missing-image-file": (_edit("swap", SWAP, "--image", "{missing}"), "images[0]"),
    "truncated-image-file": (_edit("swap", SWAP, "--image", "{truncated}"), "images[0]"),
    "200-px-image": (_edit("swap", SWAP, "--image", "{small}"), "300"),
    "webp-image": (_edit("swap", SWAP, "--image", "{webp}"), "JPG or PNG"),
    "point-out-of-range": (_edit("removal", REMOVE, point="1.5,0.2"), "points[0].x"),
    "timeout-zero": (_edit("removal", REMOVE, "--timeout", "0"), "timeout"),
    "negative-prompt-too-long": (
        _edit("removal", REMOVE, "--negative-prompt", "x" * 2501),
        "negative_prompt",
    ),
    "callback-not-a-url": (_edit("removal", REMOVE, "--callback-url", "ftp://x"), "callback_url"),
    "out-folder-missing": (
        _edit("removal", REMOVE, "--out", "{missing_folder}/result.mp4"),
        "does not exist",
    ),
    "selection-image-folder-missing": (
        _edit("removal", REMOVE, "--selection-image", "{missing_folder}/selection.png"),
        "selection_image",
    ),
    "selection-image-is-a-folder": (
        _edit("removal", REMOVE, "--selection-image", "{folder}"),
        "selection_image",
    ),
}


@pytest.mark.parametrize(("args", "named"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_session_free_input_sends_nothing_and_exits_2(
    counted: tuple[Simulator, str], tmp_path: Path, args: list[str], named: str
) -> None:
    sim, base_url = counted
    sample = SAMPLE_IMAGE.read_bytes()
    files = {
        "good": _image_file(tmp_path, "good.png", sample),
        "missing": tmp_path / "no-such-image.png",
        "truncated": _image_file(tmp_path, "cut.png", sample[:20]),
        "small": _image_file(tmp_path, "small.png", png_bytes(200, 200)),
        "webp": _image_file(tmp_path, "object.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)),
        "missing_folder": tmp_path / "no-such-folder",
        "folder": tmp_path,
    }
    before = _sent(sim)
    result = _run(base_url, *(arg.format(**files) for arg in args))
    assert _sent(sim) == before, f"requests were sent: {result.stderr}"
    assert result.exit_code == 2, result.output
    (line,) = [line for line in result.stderr.splitlines() if "error" in line]
    assert named in line


def test_a_good_run_is_counted(counted: tuple[Simulator, str], tmp_path: Path) -> None:
    """The counter sees the CLI's requests: the test above would notice a request sent."""
    sim, base_url = counted
    before = _sent(sim)
    result = _run(
        base_url, "--point", "0.125,0.5", "--edit", "removal", "--prompt", REMOVE,
        "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _sent(sim) - before >= 5  # init, points, preview, create, a poll, the download


def test_workflow_run_checks_before_the_first_request(tmp_path: Path) -> None:
    """The same for `Workflow.run` used as a library (as scripts/demo.py does)."""
    sim = Simulator()
    plan = Plan(
        frame_index=0,
        points=((0.5, 0.4),),
        video_url=VIDEO,
        edits=(Edit("swap", SWAP, (tmp_path / "missing.png",), dest=tmp_path),),
    )
    with KlingEdit.simulated(sim) as client, pytest.raises(RequestValidationError) as caught:
        Workflow(client).run(plan)
    assert caught.value.field == "images[0]"
    assert sim.requests == {}


def test_images_are_read_once_before_init(tmp_path: Path) -> None:
    """The checked image is what the task gets, even if the file goes away after the check."""
    sim = Simulator(submit_seconds=0.02, job_seconds=0.05)
    image = _image_file(tmp_path, "object.png", SAMPLE_IMAGE.read_bytes())

    class RemoveImageOnInit(Workflow):
        def open(self, *, video_url: str | None = None, video_id: str | None = None) -> Session:
            image.unlink()
            return super().open(video_url=video_url, video_id=video_id)

    plan = Plan(
        frame_index=0,
        points=((0.125, 0.5),),
        video_url=VIDEO,
        edits=(Edit("swap", SWAP, (image,), dest=tmp_path),),
    )
    with KlingEdit.simulated(sim, poll_schedule=PollSchedule(0.05, 1, 0.05)) as client:
        outcome = RemoveImageOnInit(client).run(plan)
    assert outcome.results[0].path.is_file()


def test_a_selection_of_nothing_creates_no_task(tmp_path: Path) -> None:
    """A point on the background selects no object: `run` stops before the paid create."""
    sim = Simulator()
    plan = Plan(
        frame_index=0,
        points=((0.9, 0.9),),  # the sample's background, away from its ball
        video_url=VIDEO,
        edits=(Edit("removal", "Remove it from <<<video_1>>>", (), dest=tmp_path),),
    )
    with KlingEdit.simulated(sim) as client, pytest.raises(KlingEditError, match="no object"):
        Workflow(client).run(plan)
    assert sim.requests["add"] == 1
    assert sim.tasks == ()
