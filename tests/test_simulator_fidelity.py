"""The simulator against Kling's reference: its error table and rule table agree with
docs/api-reference.md, it accepts every published request example, counts points across calls,
and sends every documented field."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from kling_edit import PromptWarning, RequestValidationError
from kling_edit._errors import ERROR_CODES
from kling_edit.testing import FakeClock, Simulator
from kling_edit.testing._rules import HTTP_STATUS, RULES
from proof_helpers import KINDS, close, invoke, simulated
from spec_helpers import FIXTURES_DIR, reference_table
from wrapper_helpers import Client

API = "/kling/v1/videos/multi-elements"
KEY = "sk-fidelity"
# Kling's own example: K sends "" for "not given" beside a real value.
VIDEO_URL = "https://v1-kling.klingai.com/kcdn/cdn-kcdn112452/kling-qa-test/animals-output-5s.mp4"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(clock=clock, callback_sender=lambda url, task: None)


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(transport=sim.transport(), base_url=sim.base_url, headers=headers) as client:
        yield client


def data_of(response: httpx.Response) -> Any:
    envelope = response.json()
    assert (response.status_code, envelope["code"]) == (200, 0), envelope
    return envelope["data"]


def refusal(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


def _session(http: httpx.Client) -> str:
    body = {"video_id": "", "video_url": VIDEO_URL}
    session_id: str = data_of(http.post(f"{API}/init-selection", json=body))["session_id"]
    return session_id


def _points(count: int, offset: int = 0) -> list[dict[str, float]]:
    return [{"x": (offset + n + 1) / 100, "y": 0.5} for n in range(count)]


def _add(http: httpx.Client, session_id: str, frame: int, points: Any) -> httpx.Response:
    body = {"session_id": session_id, "frame_index": frame, "points": points}
    return http.post(f"{API}/add-selection", json=body)


def _delete(http: httpx.Client, session_id: str, frame: int, points: Any) -> httpx.Response:
    body = {"session_id": session_id, "frame_index": frame, "points": points}
    return http.post(f"{API}/delete-selection", json=body)


# --- 8.1: the error table -------------------------------------------------------------------


ERROR_ROWS = reference_table("Errors")


@pytest.mark.parametrize("row", ERROR_ROWS, ids=[row["code"] for row in ERROR_ROWS])
def test_simulator_status_agrees_with_the_docs_and_the_wrapper(row: dict[str, str]) -> None:
    code, status = int(row["code"]), int(row["HTTP"])
    assert (HTTP_STATUS[code], ERROR_CODES[code].status_code) == (status, status)


def test_simulator_knows_no_code_the_docs_lack() -> None:
    assert sorted(HTTP_STATUS) == sorted(int(row["code"]) for row in ERROR_ROWS)


# --- 8.2: the rule table --------------------------------------------------------------------


DOC_RULES = {row["id"]: row for row in reference_table("Rule table")}


def _sources(text: str) -> set[str]:
    """The public documents a cell names: K and C as whole words, outside its asides in
    parentheses (R25's "client-side only (K only recommends ...)" names no source)."""
    return set(re.findall(r"\b[KC]\b", re.sub(r"\([^)]*\)", "", text)))


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_enforced_rule_is_sourced_as_the_docs_say(rule_id: str) -> None:
    documented = DOC_RULES[rule_id]["source"]
    assert (_sources(RULES[rule_id].source), bool(_sources(documented))) == (
        _sources(documented),
        True,
    )


def test_client_side_only_rules_are_not_enforced() -> None:
    client_only = {rid for rid, row in DOC_RULES.items() if not _sources(row["source"])}
    assert (client_only, client_only & set(RULES)) == ({"R25", "R26"}, set())


# Each published request example, and the route it is sent to, in the order a session goes.
REQUEST_ORDER = (
    "init-selection",
    "add-selection",
    "preview-selection",
    "delete-selection",
    "clear-selection",
    "add-selection",
    "create-task",
)


def _request_examples(route: str) -> list[Path]:
    return sorted(FIXTURES_DIR.glob(f"*/{route}*.request.json"))


def _path_of(route: str) -> str:
    return API if route == "create-task" else f"{API}/{route}"


def send_every_published_example(http: httpx.Client) -> list[str]:
    """Send each published request example in session order; answer each one's name and code,
    as "provider/file: code"."""
    answers = []
    session_id = ""
    for route in dict.fromkeys(REQUEST_ORDER):
        for path in _request_examples(route):
            body = json.loads(path.read_text(encoding="utf-8"))
            if "session_id" in body:
                body["session_id"] = session_id
            response = http.post(_path_of(route), json=body)
            answers.append(f"{path.parent.name}/{path.name}: {response.json()['code']}")
            if route == "init-selection":
                session_id = response.json()["data"]["session_id"]
            if route == "delete-selection":
                # Put the point back so the creates that follow have a selection.
                _add(http, session_id, body["frame_index"], body["points"])
    return answers


def test_every_published_request_example_is_accepted(http: httpx.Client) -> None:
    answers = send_every_published_example(http)
    expected = [
        f"{path.parent.name}/{path.name}: 0"
        for route in dict.fromkeys(REQUEST_ORDER)
        for path in _request_examples(route)
    ]
    assert (answers, len(answers)) == (expected, 9)


def test_removal_with_empty_strings_and_no_images_creates_a_plain_task(
    http: httpx.Client, sim: Simulator
) -> None:
    body = json.loads((FIXTURES_DIR / "kling" / "create-task.request.json").read_text())
    body["session_id"] = _session(http)
    task = data_of(http.post(API, json=body))
    again = http.post(API, json=body)
    # "" means none: no external id (so no duplicate either), no callback.
    assert (
        task["task_info"],
        sim.tasks[0].external_task_id,
        sim.tasks[0].callback_url,
        data_of(again)["task_info"],
    ) == ({}, None, None, {})


# --- 8.3: limits across calls ---------------------------------------------------------------


def test_simulator_counts_points_per_frame_across_calls(http: httpx.Client) -> None:
    session_id = _session(http)
    first = _add(http, session_id, 3, _points(6))
    second = _add(http, session_id, 3, _points(6, offset=6))
    assert (first.status_code, refusal(second)) == (200, (400, 1201))
    assert "10 points" in second.json()["message"]


def test_simulator_counts_each_point_once(http: httpx.Client) -> None:
    session_id = _session(http)
    data_of(_add(http, session_id, 0, _points(10)))
    # The same points again stay 10 points on the frame.
    assert data_of(_add(http, session_id, 0, _points(10)))["status"] == 0


def test_simulator_deletes_free_points(http: httpx.Client) -> None:
    session_id = _session(http)
    data_of(_add(http, session_id, 0, _points(6)))
    data_of(_delete(http, session_id, 0, _points(2)))
    assert (
        data_of(_add(http, session_id, 0, _points(6, offset=6)))["status"],
        refusal(_add(http, session_id, 0, _points(1, offset=20))),
    ) == (0, (400, 1201))


def test_simulator_refuses_an_eleventh_frame(http: httpx.Client) -> None:
    session_id = _session(http)
    for frame in range(10):
        data_of(_add(http, session_id, frame, _points(1)))
    assert refusal(_add(http, session_id, 10, _points(1))) == (400, 1201)


@pytest.fixture(params=KINDS)
async def client(request: pytest.FixtureRequest, sim: Simulator) -> AsyncIterator[Client]:
    kling = simulated(request.param, sim)
    yield kling
    await close(kling)


def _xy(count: int, offset: int = 0) -> list[tuple[float, float]]:
    return [((offset + n + 1) / 100, 0.5) for n in range(count)]


async def test_wrapper_refuses_an_eleventh_point_on_a_frame_before_sending(
    client: Client, sim: Simulator
) -> None:
    session = await invoke(client, "sessions.init", video_url=VIDEO_URL)
    await invoke(client, "sessions.add_points", session, frame_index=3, points=_xy(6))
    with pytest.raises(RequestValidationError) as refused:
        await invoke(client, "sessions.add_points", session, frame_index=3, points=_xy(6, offset=6))
    assert (refused.value.field, "R11" in str(refused.value), sim.requests["add"]) == (
        "points",
        True,
        1,
    )


async def test_wrapper_lets_deleted_points_be_added_again(client: Client) -> None:
    session = await invoke(client, "sessions.init", video_url=VIDEO_URL)
    await invoke(client, "sessions.add_points", session, frame_index=0, points=_xy(6))
    await invoke(client, "sessions.delete_points", session, frame_index=0, points=_xy(2))
    added = await invoke(
        client, "sessions.add_points", session, frame_index=0, points=_xy(6, offset=6)
    )
    with pytest.raises(RequestValidationError, match="R11"):
        await invoke(
            client, "sessions.add_points", session, frame_index=0, points=_xy(1, offset=20)
        )
    assert added.frame_index == 0


async def test_wrapper_refuses_an_eleventh_frame_before_sending(
    client: Client, sim: Simulator
) -> None:
    session = await invoke(client, "sessions.init", video_url=VIDEO_URL)
    for frame in range(10):
        await invoke(client, "sessions.add_points", session, frame_index=frame, points=_xy(1))
    with pytest.raises(RequestValidationError, match="R12"):
        await invoke(client, "sessions.add_points", session, frame_index=10, points=_xy(1))
    assert sim.requests["add"] == 10


async def test_wrapper_names_its_client_side_placeholder_rule(
    client: Client, sim: Simulator
) -> None:
    session = await invoke(client, "sessions.init", video_url=VIDEO_URL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PromptWarning)
        with pytest.raises(RequestValidationError, match=r"client-side check, rule R25"):
            await invoke(
                client,
                "tasks.create",
                session_id=session,
                edit_mode="removal",
                prompt="Put <<<image_1>>> there",
            )
    assert sim.tasks == ()


# --- 8.4: every documented field ------------------------------------------------------------


COST_KEYS = {"final_unit_deduction", "final_balance_deduction"}


def _is_cost(data: dict[str, Any]) -> bool:
    balance = data["final_balance_deduction"]
    return (
        isinstance(data["final_unit_deduction"], str)
        and set(balance) == {"quota", "list_price"}
        and all(isinstance(value, str) for value in balance.values())
    )


def test_every_answer_carries_cost_fields_and_numeric_ids(
    http: httpx.Client, clock: FakeClock
) -> None:
    session_id = _session(http)
    point = {"session_id": session_id, "frame_index": 0, "points": _points(1)}
    session_steps = [
        http.post(f"{API}/add-selection", json=point),
        http.post(f"{API}/delete-selection", json=point),
        http.post(f"{API}/clear-selection", json={"session_id": session_id}),
        http.post(f"{API}/preview-selection", json={"session_id": session_id}),
    ]
    task = data_of(http.post(API, json=_removal(session_id)))
    clock.advance(60)
    answers = [data_of(response) for response in session_steps]
    answers += [task, data_of(http.get(f"{API}/{task['task_id']}"))]
    answers += data_of(http.get(API))
    assert [(_is_cost(data), data.get("session_id", session_id)) for data in answers] == [
        (True, session_id)
    ] * 7
    assert (session_id.isdigit(), task["task_id"].isdigit()) == (True, True)


def _removal(session_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "edit_mode": "removal",
        "prompt": "Delete it from <<<video_1>>>",
        **fields,
    }


def test_a_running_task_has_empty_objects(http: httpx.Client) -> None:
    task = data_of(http.post(API, json=_removal(_session(http))))
    assert (task["task_info"], task["task_result"], task["watermark_info"]) == (
        {},
        {},
        {"enabled": False},
    )


@pytest.mark.parametrize("enabled", [True, False])
def test_a_finished_task_carries_every_documented_field(
    http: httpx.Client, clock: FakeClock, enabled: bool
) -> None:
    session_id = _session(http)
    body = _removal(session_id, watermark_info={"enabled": enabled}, external_task_id="job-1")
    created = data_of(http.post(API, json=body))
    clock.advance(60)
    task = data_of(http.get(f"{API}/{created['task_id']}"))
    [video] = task["task_result"]["videos"]
    assert set(task) == {
        "task_id",
        "task_status",
        "task_status_msg",
        "task_info",
        "task_result",
        "watermark_info",
        "final_unit_deduction",
        "final_balance_deduction",
        "created_at",
        "updated_at",
    }
    assert (
        created["watermark_info"],
        task["watermark_info"],
        set(video),
        video["session_id"],
        video["id"].isdigit(),
        http.get(video["watermark_url"]).status_code,
    ) == (
        {"enabled": enabled},
        {"enabled": enabled},
        {"id", "session_id", "url", "watermark_url", "duration"},
        session_id,
        True,
        200,
    )


def test_units_charged_sum_what_the_answers_deduct(http: httpx.Client, sim: Simulator) -> None:
    deducted = Decimal(0)
    for mode, duration in (("std", "5"), ("pro", "5")):
        init = data_of(http.post(f"{API}/init-selection", json={"video_url": VIDEO_URL}))
        body = _removal(init["session_id"], mode=mode, duration=duration)
        task = data_of(http.post(API, json=body))
        deducted += Decimal(init["final_unit_deduction"]) + Decimal(task["final_unit_deduction"])
    other = httpx.Client(
        transport=sim.transport(),
        base_url=sim.base_url,
        headers={"Authorization": "Bearer sk-other"},
    )
    with other:
        data_of(other.post(f"{API}/init-selection", json={"video_url": VIDEO_URL}))
    # Simulated prices: init 0.2, std 5 s 3, pro 5 s 5.
    assert (deducted, sim.units_charged(KEY), sim.units_charged()) == (
        Decimal("8.4"),
        Decimal("8.4"),
        Decimal("8.6"),
    )


def test_a_rejected_video_costs_nothing(clock: FakeClock) -> None:
    from kling_edit.testing import VideoInfo

    sim = Simulator(clock=clock, probe=lambda source: VideoInfo(fps=12.0))
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(transport=sim.transport(), base_url=sim.base_url, headers=headers) as http:
        init = data_of(http.post(f"{API}/init-selection", json={"video_url": VIDEO_URL}))
    assert (init["status"] != 0, init["final_unit_deduction"], sim.units_charged()) == (
        True,
        "0",
        Decimal(0),
    )
