"""`kling-edit simulate` as a real subprocess on 127.0.0.1: issue 8's acceptance (published
examples, auth, routing, the 10-point limit over the wire) and the `--faults` /
`--max-concurrent-tasks` switches."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from test_simulator_fidelity import send_every_published_example

from kling_edit.testing import Faults, RouteFaults

API = "/kling/v1/videos/multi-elements"
AUTH = {"Authorization": "Bearer sk-acceptance"}
PROMPT = "Delete the selected object from <<<video_1>>>"


@contextmanager
def simulate(*options: str) -> Iterator[str]:
    """Run `kling-edit simulate --port 0 --json OPTIONS` until the block ends; yield its URL."""
    command = [sys.executable, "-c", "from kling_edit.cli import main; main()", "simulate"]
    process = subprocess.Popen(
        [*command, "--port", "0", "--json", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        if not first_line:
            pytest.fail(f"simulate did not start: {process.communicate(timeout=10)[1]}")
        yield json.loads(first_line)["base_url"]
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _session(http: httpx.Client) -> str:
    body = {"video_url": "https://videos.example/clip.mp4"}
    session_id: str = http.post(f"{API}/init-selection", json=body).json()["data"]["session_id"]
    return session_id


def _points(count: int, offset: int) -> list[dict[str, float]]:
    return [{"x": (offset + n + 1) / 100, "y": 0.25} for n in range(count)]


def _answer(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


def test_issue_8_acceptance_against_the_simulate_command() -> None:
    with simulate() as base_url, httpx.Client(base_url=base_url, headers=AUTH) as http:
        examples = send_every_published_example(http)
        anonymous = httpx.post(f"{base_url}{API}/init-selection", json={"video_id": "v"})
        wrong_method = http.delete(f"{API}/init-selection")
        unknown_task = http.get(f"{API}/123456789012345678")
        session_id = _session(http)
        frame = {"session_id": session_id, "frame_index": 4}
        six = http.post(f"{API}/add-selection", json={**frame, "points": _points(6, 0)})
        eleventh = http.post(f"{API}/add-selection", json={**frame, "points": _points(5, 6)})
    assert (
        {example.rsplit(": ", 1)[1] for example in examples},
        _answer(anonymous),
        _answer(wrong_method),
        _answer(unknown_task),
        _answer(six),
        _answer(eleventh),
    ) == ({"0"}, (401, 1001), (404, 1202), (404, 1203), (200, 0), (400, 1201))


def test_max_concurrent_tasks_refuses_with_1303() -> None:
    options = ("--max-concurrent-tasks", "1", "--job-seconds", "60")
    with simulate(*options) as base_url, httpx.Client(base_url=base_url, headers=AUTH) as http:
        body = {"session_id": _session(http), "edit_mode": "removal", "prompt": PROMPT}
        first = http.post(API, json=body)
        second = http.post(API, json=body)
    assert (_answer(first), _answer(second)) == ((200, 0), (429, 1303))


def test_faults_strike_every_route_at_the_given_rate() -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    with simulate("--faults", "1") as base_url, httpx.Client(base_url=base_url) as http:
        for _ in range(60):
            for method, path in (("POST", f"{API}/init-selection"), ("GET", API)):
                try:
                    response = http.request(method, path, headers=AUTH, json={"video_id": "v"})
                except httpx.TransportError:
                    outcomes["no answer"] += 1
                    continue
                retry_after = response.headers.get("Retry-After")
                outcomes[f"{_answer(response)} retry-after={retry_after}"] += 1
    # At rate 1 every request fails, in each of the documented kinds.
    assert set(outcomes) == {
        "(429, 1302) retry-after=1",
        "(500, 5000) retry-after=None",
        "(503, 5001) retry-after=1",
        "no answer",
    }


def test_no_faults_by_default() -> None:
    with simulate() as base_url, httpx.Client(base_url=base_url, headers=AUTH) as http:
        answers = {_answer(http.get(API)) for _ in range(30)}
    assert answers == {(200, 0)}


def test_at_rate_splits_the_total_across_kinds() -> None:
    assert Faults.at_rate(0.5, seed=3) == Faults(
        {
            "*": RouteFaults(
                rate_429=0.15, rate_500=0.075, rate_503=0.075, rate_drop=0.1, rate_lost_response=0.1
            )
        },
        seed=3,
    )


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_at_rate_refuses_a_rate_outside_0_to_1(rate: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        Faults.at_rate(rate)
