"""The simulator's two answers to what Kling leaves open (a second create with a used
external_task_id refused or accepted; GET taking external ids or not), its `simulate` flag, and
create-once holding in every mode, sync and async.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from kling_edit.cli._app import cli
from kling_edit.testing import Faults, RouteFaults, Simulator
from wrapper_helpers import PROMPT, MakeApi, VirtualClock


@pytest.mark.parametrize("duplicates", ["refuse", "accept"])
@pytest.mark.parametrize("get_by_external_id", [True, False], ids=["get", "list-only"])
@pytest.mark.parametrize(
    "fault",
    # Every other create attempt fails (seeded), in a way that may or may not have made a task.
    [
        RouteFaults(rate_lost_response=0.5),
        RouteFaults(rate_timeout=0.5),
        RouteFaults(rate_500=0.5),
    ],
    ids=["lost", "timeout", "500"],
)
async def test_one_task_per_create_whichever_way_the_service_treats_duplicates(
    make_api: MakeApi,
    clock: VirtualClock,
    duplicates: Any,
    get_by_external_id: bool,
    fault: RouteFaults,
) -> None:
    simulator = Simulator(
        callback_sender=lambda url, task: None,
        duplicate_external_id=duplicates,
        get_by_external_id=get_by_external_id,
    )
    api = make_api(simulator=simulator, max_retries=6)
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    await api("sessions.add_points", session, frame_index=0, points=[(0.5, 0.5)])
    simulator.faults = Faults({"create": fault}, seed=3)

    tasks = [
        await api("tasks.remove", session, prompt=PROMPT, external_task_id=f"job-{index}")
        for index in range(12)
    ]

    made = [task.external_task_id for task in simulator.tasks]
    assert made == [f"job-{index}" for index in range(12)]  # each once, none twice
    assert [task.task_id for task in tasks] == [task.task_id for task in simulator.tasks]
    # Each fault was followed by a lookup: none means no fault, and a run that proves nothing.
    assert simulator.requests.get("get", 0) > 0


def _create_twice(simulator: Simulator) -> tuple[list[httpx.Response], httpx.Response]:
    """Two creates with one external_task_id, then GET by that id: the raw answers."""
    with httpx.Client(transport=simulator.transport(), base_url=simulator.base_url) as http:
        http.headers["Authorization"] = "Bearer sk-test"
        init = http.post(
            "/v1/videos/multi-elements/init-selection",
            json={"video_url": "https://videos.test/clip.mp4"},
        )
        session_id = init.json()["data"]["session_id"]
        http.post(
            "/v1/videos/multi-elements/add-selection",
            json={"session_id": session_id, "frame_index": 0, "points": [{"x": 0.5, "y": 0.5}]},
        )
        body = {
            "session_id": session_id,
            "edit_mode": "removal",
            "prompt": PROMPT,
            "external_task_id": "twice",
        }
        answers = [http.post("/v1/videos/multi-elements", json=body) for _ in range(2)]
        return answers, http.get("/v1/videos/multi-elements/twice")


@pytest.mark.parametrize("duplicates", ["refuse", "accept"])
def test_the_simulator_refuses_or_accepts_a_duplicate_external_id(duplicates: Any) -> None:
    simulator = Simulator(callback_sender=lambda url, task: None, duplicate_external_id=duplicates)

    answers, by_external_id = _create_twice(simulator)

    first = answers[0].json()["data"]["task_id"]
    assert by_external_id.json()["data"]["task_id"] == first  # the id names its first task
    if duplicates == "refuse":
        assert (answers[1].status_code, answers[1].json()["code"]) == (400, 1201)
        assert len(simulator.tasks) == 1
    else:
        assert answers[1].status_code == 200
        assert len(simulator.tasks) == 2


@pytest.mark.parametrize(("flag", "tasks"), [([], 1), (["--duplicate-external-id", "accept"], 2)])
def test_kling_edit_simulate_takes_the_duplicate_mode(
    monkeypatch: pytest.MonkeyPatch, flag: list[str], tasks: int
) -> None:
    served: list[Simulator] = []

    def fake_serve(sim: Simulator, *, port: int, on_ready: Callable[[str], None]) -> None:
        served.append(sim)
        raise KeyboardInterrupt

    monkeypatch.setattr("kling_edit.testing.serve", fake_serve)
    result = CliRunner().invoke(cli, ["simulate", *flag], catch_exceptions=False)

    assert result.exit_code == 0
    (simulator,) = served
    _create_twice(simulator)
    assert len(simulator.tasks) == tasks


def test_the_simulator_can_refuse_get_by_external_id() -> None:
    simulator = Simulator(get_by_external_id=False)
    with httpx.Client(transport=simulator.transport(), base_url=simulator.base_url) as http:
        answer = http.get(
            "/v1/videos/multi-elements/some-external-id",
            headers={"Authorization": "Bearer sk-test"},
        )
    assert (answer.status_code, answer.json()["code"]) == (404, 1203)


def test_the_duplicate_mode_is_checked() -> None:
    with pytest.raises(ValueError, match="duplicate_external_id"):
        Simulator(duplicate_external_id="ignore")  # type: ignore[arg-type]
