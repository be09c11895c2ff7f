"""scripts/demo.py (`make demo`): the whole workflow on the embedded simulator, into tmp_path."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType

import pytest

from kling_edit import KlingEdit, Mask
from kling_edit._masks import decode_png_rgb
from kling_edit.cli import Workflow
from kling_edit.cli._progress import ConsoleReporter
from kling_edit.testing import SAMPLE_VIDEO, Simulator

DEMO = Path(__file__).parents[1] / "scripts" / "demo.py"


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    """scripts/demo.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("kling_edit_demo", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_end_to_end(
    demo: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo-output"
    started = time.monotonic()
    assert demo.main(["--out", str(out)], environ={}) == 0
    assert time.monotonic() - started < 10

    assert sorted(path.name for path in out.iterdir()) == [
        "addition.mp4",
        "removal.mp4",
        "selection.png",
        "swap.mp4",
    ]
    for video in ("removal.mp4", "swap.mp4", "addition.mp4"):
        assert (out / video).read_bytes()[4:8] == b"ftyp"
    width, height, rgb = decode_png_rgb((out / "selection.png").read_bytes())
    assert (width, height) == (1280, 720)
    assert len(rgb) == width * height * 3

    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("kling-edit demo on the offline simulator")
    assert printed[1].startswith("The results are simulated")
    steps = [line for line in printed if line[:1].isdigit()]
    assert [line.split(".")[0] for line in steps] == [str(n) for n in range(1, 14)]
    assert "1 object selected" in steps[1]
    assert "overlaid on the cover" in steps[3]
    assert any("created swap task" in line for line in steps)
    assert printed[-1].startswith("done in ")


def test_demo_results_are_three_different_clips(demo: ModuleType, tmp_path: Path) -> None:
    assert demo.main(["--out", str(tmp_path)], environ={}) == 0

    clips = {(tmp_path / name).read_bytes() for name in ("removal.mp4", "swap.mp4", "addition.mp4")}
    assert len(clips) == 3
    assert SAMPLE_VIDEO.read_bytes() not in clips


def test_the_real_service_is_not_called_simulated(demo: ModuleType) -> None:
    real = demo.choose_backend(
        {"COMETAPI_KEY": "sk-x", "DEMO_VIDEO_URL": "https://example.com/a.mp4"}
    )
    offline = demo.choose_backend({})
    with real.client, offline.client:
        assert (real.simulated, offline.simulated) == (False, True)


@pytest.mark.parametrize(
    ("environ", "why"),
    [
        ({}, "set COMETAPI_KEY and DEMO_VIDEO_URL"),
        ({"COMETAPI_KEY": "sk-x"}, "DEMO_VIDEO_URL is not set"),
        ({"DEMO_VIDEO_URL": "https://example.com/a.mp4"}, "COMETAPI_KEY is not set"),
    ],
)
def test_demo_runs_offline_unless_key_and_video_are_both_set(
    demo: ModuleType, environ: dict[str, str], why: str
) -> None:
    backend = demo.choose_backend(environ)
    with backend.client:
        assert backend.description.startswith("the offline simulator (")
        assert why in backend.description
        assert backend.default_point == demo.SAMPLE_POINT


def test_demo_uses_the_real_service_with_key_and_video(demo: ModuleType) -> None:
    environ = {"COMETAPI_KEY": "sk-x", "DEMO_VIDEO_URL": "https://example.com/a.mp4"}
    backend = demo.choose_backend(environ)  # builds the client; sends nothing
    with backend.client:
        assert backend.client.base_url == "https://api.cometapi.com"
        assert backend.video_url == "https://example.com/a.mp4"
    with demo.choose_backend(environ, force_simulator=True).client as forced:
        assert forced.base_url != "https://api.cometapi.com"


def test_demo_refuses_a_missing_image(
    demo: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.png"
    assert demo.main(["--out", str(tmp_path)], environ={"DEMO_IMAGE": str(missing)}) == 2
    assert "is not a file" in capsys.readouterr().err


def test_a_cover_that_is_not_a_png_gives_the_bare_mask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real service may send a JPEG cover, which the standard-library decoder cannot read.
    monkeypatch.setattr(Workflow, "_fetch", lambda self, url: b"\xff\xd8\xff\xe0 a JPEG")
    lines: list[str] = []
    with KlingEdit.simulated(Simulator()) as client:
        workflow = Workflow(client, ConsoleReporter(lines.append))
        session = workflow.open(video_url="https://example.com/a.mp4")
        selection = workflow.mark(session, 0, [(0.125, 0.5)])
        picture = workflow.save_selection(selection, workflow.preview(session), tmp_path / "s.png")
    mask = Mask.from_png(picture.read_bytes())
    assert (mask.height, mask.width) == (720, 1280)
    assert mask == selection.objects[0].mask()
    assert "the bare selection mask" in lines[-1]
    assert "the cover is not a PNG" in lines[-1]
