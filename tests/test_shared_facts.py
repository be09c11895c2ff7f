"""The client's rules and the simulator's are separate implementations (the simulator is a
second opinion), but the facts they encode must agree: one test here, once, for every shared
limit, tolerance and format. The values themselves are pinned as literals in test_limits.py."""

from __future__ import annotations

import pytest

from kling_edit import _rules as client
from kling_edit.testing import _rules as simulator


@pytest.mark.parametrize(
    ("what", "client_value", "simulator_value"),
    [
        ("prompt characters", client.MAX_PROMPT_CHARS, simulator.MAX_PROMPT_CHARS),
        ("points per frame", client.MAX_POINTS_PER_FRAME, simulator.MAX_POINTS_PER_FRAME),
        ("marked frames", client.MAX_FRAMES_PER_SESSION, simulator.MAX_MARKED_FRAMES),
        ("image bytes", client.IMAGE_MAX_BYTES, simulator.MAX_IMAGE_BYTES),
        ("image side", client.IMAGE_MIN_SIDE_PX, simulator.MIN_IMAGE_SIDE),
        ("image aspect", client.IMAGE_MAX_ASPECT, simulator.MAX_ASPECT_RATIO),
        ("edit modes", client.EDIT_MODES, simulator.EDIT_MODES),
        ("images per mode", dict(client.IMAGE_COUNTS), simulator.IMAGE_COUNTS),
        ("source length", dict(client.DURATION_SOURCE_MS), simulator.DURATION_RANGES_MS),
        ("frame rates", client.VIDEO_FPS, simulator.FRAME_RATES),
        ("frame-rate tolerance", client.VIDEO_FPS_TOLERANCE, simulator.FPS_TOLERANCE),
        ("video sides", client.VIDEO_SIDE_PX, simulator.VIDEO_SIDES_PX),
        ("pageNum", client.PAGE_NUM_RANGE, (1, simulator.PAGE_NUM_MAX)),
        ("pageSize", client.PAGE_SIZE_RANGE, (1, simulator.PAGE_SIZE_MAX)),
    ],
)
def test_the_client_and_the_simulator_agree(
    what: str, client_value: object, simulator_value: object
) -> None:
    assert client_value == simulator_value, what


def test_one_image_header_reader_serves_both() -> None:
    from kling_edit import _image_header, _media
    from kling_edit.testing import _rules as simulator_rules

    reader = _image_header.read_image_header
    assert vars(_media)["read_image_header"] is reader
    assert vars(simulator_rules)["read_image_header"] is reader
