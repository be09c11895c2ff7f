"""Kling's own examples send "" for options they leave out: the client reads "" as "not given"."""

from __future__ import annotations

import json

import pytest

from kling_edit import AsyncKlingEdit, KlingEdit, RequestValidationError
from kling_edit.testing import Simulator

VIDEO = "https://example.com/clip.mp4"
PROMPT = "Delete the selected object from <<<video_1>>>"


def _created_body(simulator: Simulator) -> dict[str, object]:
    (task,) = simulator.tasks
    return dict(task.body)


def test_kling_examples_empty_strings_are_not_given() -> None:
    simulator = Simulator()
    with KlingEdit.simulated(simulator) as client:
        # Kling's init example: "video_id": "" beside a video_url.
        session = client.sessions.init(video_url=VIDEO, video_id="")
        client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
        # Kling's removal example: empty image list, negative prompt, callback and external id.
        task = client.tasks.create(
            session_id=session,
            edit_mode="removal",
            prompt=PROMPT,
            images=[],
            negative_prompt="",
            callback_url="",
            external_task_id="",
        )
    body = _created_body(simulator)
    for field in ("negative_prompt", "callback_url", "image_list"):
        assert field not in body, json.dumps(body)
    # "" is no idempotency key: the client made its own id, as when none is given.
    assert task.external_task_id
    assert body["external_task_id"] == task.external_task_id


async def test_the_async_client_reads_them_alike() -> None:
    simulator = Simulator()
    async with AsyncKlingEdit.simulated(simulator) as client:
        session = await client.sessions.init(video_url=VIDEO, video_id="")
        await client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
        task = await client.tasks.remove(
            session, prompt=PROMPT, negative_prompt="", callback_url="", external_task_id=""
        )
    assert task.external_task_id
    assert "negative_prompt" not in _created_body(simulator)


@pytest.mark.parametrize("field", ["negative_prompt", "callback_url", "external_task_id"])
def test_blank_is_still_refused(field: str) -> None:
    with KlingEdit.simulated() as client:
        session = client.sessions.init(video_url=VIDEO)
        client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
        with pytest.raises(RequestValidationError, match=field):
            client.tasks.remove(session, prompt=PROMPT, **{field: "   "})  # type: ignore[arg-type]
