"""The simulator's sample media: the selection follows the clip's ball, and each edit mode has its
own pre-rendered result clip, made by scripts/make_sample_media.py."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

from kling_edit._masks import Mask, decode_png_rgb
from kling_edit.testing import SAMPLE_COVER, SAMPLE_VIDEO
from kling_edit.testing._assets import (
    RESULT_VIDEOS,
    check_padded_size,
    padded_video,
    result_clip,
)
from kling_edit.testing._selection import object_mask, object_mask_list, object_png

SCRIPT = Path(__file__).parents[1] / "scripts" / "make_sample_media.py"
# The sample: 1280x720, 150 frames, a ball of radius 70 px whose centre is at (160, 360) on
# frame 0 and at (160 + 960 * p, 360 + 120 * sin(2 pi p)) a share p through the clip.
HEIGHT, WIDTH, FRAMES = 720, 1280, 150
ORANGE = (255, 140, 26)
ON_THE_BALL = (160 / 1279, 360 / 719)


def _centroid(mask: Mask) -> tuple[float, float]:
    cells = [
        (col, row) for row in range(mask.height) for col in range(mask.width) if mask[row, col]
    ]
    return sum(c for c, _ in cells) / len(cells), sum(r for _, r in cells) / len(cells)


def test_a_click_on_the_ball_selects_exactly_the_ball_of_the_cover() -> None:
    width, height, rgb = decode_png_rgb(SAMPLE_COVER.read_bytes())
    orange = bytes(
        1 if tuple(rgb[i : i + 3]) == ORANGE else 0 for i in range(0, width * height * 3, 3)
    )

    mask = object_mask(HEIGHT, WIDTH, FRAMES, 0, (ON_THE_BALL,))

    assert mask == Mask(height, width, orange)
    assert abs(mask.count() - math.pi * 70**2) < 0.01 * math.pi * 70**2


@pytest.mark.parametrize("point", [(0.9, 0.1), (0.5, 0.5), (0.0, 0.0), (160 / 1279, 0.7)])
def test_a_click_on_the_background_selects_nothing(point: tuple[float, float]) -> None:
    assert object_mask(HEIGHT, WIDTH, FRAMES, 0, (point,)) is None
    assert object_mask_list(HEIGHT, WIDTH, FRAMES, 0, (point,)) == []
    assert Mask.from_png(object_png(HEIGHT, WIDTH, FRAMES, 0, (point,))).count() == 0


def test_the_selection_follows_the_ball_through_the_clip() -> None:
    # Frame 75 of 150: p = 75 / 149, the ball near (643.2, 357.4).
    later = (643 / 1279, 357 / 719)

    assert object_mask(HEIGHT, WIDTH, FRAMES, 75, (ON_THE_BALL,)) is None
    mask = object_mask(HEIGHT, WIDTH, FRAMES, 75, (later,))
    assert mask is not None
    x, y = _centroid(mask)
    assert (round(x), round(y)) == (643, 357)


def test_one_point_on_the_ball_is_enough_among_background_points() -> None:
    points = ((0.9, 0.9), ON_THE_BALL, (0.5, 0.1))
    assert object_mask(HEIGHT, WIDTH, FRAMES, 0, points) == object_mask(
        HEIGHT, WIDTH, FRAMES, 0, (ON_THE_BALL,)
    )


def test_a_larger_video_sees_the_ball_scaled() -> None:
    mask = object_mask(1080, 1920, 300, 0, (ON_THE_BALL,))
    assert mask is not None
    assert abs(mask.count() - math.pi * 105**2) < 0.01 * math.pi * 105**2
    x, y = _centroid(mask)
    assert (round(x), round(y)) == (240, 540)


def test_rle_png_and_tracking_forms_agree() -> None:
    # Frame 40: p = 40 / 149, the ball near (417.7, 479.2).
    [item] = object_mask_list(HEIGHT, WIDTH, FRAMES, 40, (ON_THE_BALL, (418 / 1279, 479 / 719)))
    from_rle = Mask.from_rle(item["rle_mask"]["size"], item["rle_mask"]["counts"])
    tracking = Mask.from_png(object_png(HEIGHT, WIDTH, FRAMES, 40, ((418 / 1279, 479 / 719),)))

    assert item["object_id"] == 1
    assert item["rle_mask"]["size"] == [720, 1280]
    assert (
        from_rle == tracking == object_mask(HEIGHT, WIDTH, FRAMES, 40, ((418 / 1279, 479 / 719),))
    )


# --- the result clips -----------------------------------------------------------------------


def test_each_edit_mode_has_its_own_small_playable_result() -> None:
    clips = {mode: result_clip(mode) for mode in ("removal", "swap", "addition")}
    sample = SAMPLE_VIDEO.read_bytes()

    assert len({sample, *clips.values()}) == 4
    for clip in clips.values():
        assert clip[4:8] == b"ftyp"
        assert b"avc1" in clip  # H.264, as the sample
        assert 5_000 < len(clip) < 100_000
    assert result_clip(None) == sample
    assert sorted(path.name for path in RESULT_VIDEOS.values()) == [
        "result-addition.mp4",
        "result-removal.mp4",
        "result-swap.mp4",
    ]


def test_a_padded_result_starts_with_its_mode_s_clip() -> None:
    clip = result_clip("swap")
    size = 200_000
    check_padded_size(size)

    total, chunks = padded_video(size, "swap")
    body = b"".join(chunks)

    assert (total, len(body), body[: len(clip)]) == (size, size, clip)
    assert body[len(clip) + 4 : len(clip) + 8] == b"free"


def test_a_padded_size_must_fit_every_result_clip() -> None:
    largest = max(len(result_clip(mode)) for mode in RESULT_VIDEOS)
    with pytest.raises(ValueError, match="free"):
        check_padded_size(largest + 3)
    with pytest.raises(ValueError, match="free"):
        check_padded_size(len(SAMPLE_VIDEO.read_bytes()))


# --- the script that draws them -------------------------------------------------------------


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """scripts/make_sample_media.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_sample_media", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _colour_count(frame: bytes, rgb: tuple[int, int, int]) -> int:
    return sum(1 for i in range(0, len(frame), 3) if tuple(frame[i : i + 3]) == rgb)


def test_the_result_frames_show_each_edit(script: ModuleType) -> None:
    red = (200, 30, 40)  # the gift box
    first = {mode: next(script.frames(paint)) for mode, paint in script.RESULT_PAINTERS.items()}
    sample = next(script.frames(script.paint_ball))

    counts = {
        mode: (_colour_count(frame, ORANGE) > 0, _colour_count(frame, red) > 0)
        for mode, frame in {"sample": sample, **first}.items()
    }

    assert counts == {
        "sample": (True, False),
        "removal": (False, False),
        "swap": (False, True),
        "addition": (True, True),
    }
