"""Any server answer to any public call, sync and async, ends in a `KlingEditError`.

Answers are Kling's published examples with one part replaced by arbitrary JSON (types, nesting,
sizes), arbitrary JSON outright, or bytes that are no JSON, under a 2xx or an error status.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_edit import AsyncKlingEdit, KlingEdit, KlingEditError
from spec_helpers import fixtures
from wrapper_helpers import KEY, PROMPT, SESSION_ID, VirtualClock

pytestmark = pytest.mark.filterwarnings("ignore::kling_edit.PromptWarning")

POINT = {"frame_index": 0, "points": [(0.5, 0.5)]}
# Every public call that reads an answer, with arguments the client accepts.
CALLS: dict[str, Callable[[Any], Any]] = {
    "sessions.init": lambda c: c.sessions.init(video_url="https://videos.test/clip.mp4"),
    "sessions.add_points": lambda c: c.sessions.add_points(SESSION_ID, **POINT),
    "sessions.delete_points": lambda c: c.sessions.delete_points(SESSION_ID, **POINT),
    "sessions.clear": lambda c: c.sessions.clear(SESSION_ID),
    "sessions.preview": lambda c: c.sessions.preview(SESSION_ID),
    "tasks.remove": lambda c: c.tasks.remove(SESSION_ID, prompt=PROMPT),
    "tasks.get": lambda c: c.tasks.get("847570360458960960"),
    "tasks.get_by_external_id": lambda c: c.tasks.get_by_external_id("order-42"),
    "tasks.list": lambda c: c.tasks.list(),
    "tasks.wait": lambda c: c.tasks.wait("1", timeout=30),
}
EXAMPLES = [fixture.body for fixture in fixtures("response")]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return copy


@st.composite
def answers(draw: st.DrawFn) -> tuple[int, bytes]:
    status = draw(st.sampled_from([200, 200, 200, 201, 400, 404, 429, 500]))
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "any", "bytes", "deep"]))
    if kind == "bytes":
        return status, draw(st.binary(max_size=40))
    if kind == "deep":
        depth = draw(st.sampled_from([500, 5_000, 200_000]))
        return status, ("[" * depth + "]" * depth).encode()
    if kind == "any":
        return status, json.dumps(draw(json_values)).encode()
    example = draw(st.sampled_from(EXAMPLES))
    path = draw(st.sampled_from(_paths(example)))
    return status, json.dumps(_replaced(example, path, draw(json_values))).encode()


def _run(kind: str, call: str, status: int, content: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=content))
    options: dict[str, Any] = {"api_key": KEY, "base_url": "https://kling.test", "max_retries": 1}
    if kind == "sync":
        with httpx.Client(transport=transport) as http, KlingEdit(http_client=http, **options) as c:
            CALLS[call](c)
        return

    async def run() -> None:
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncKlingEdit(http_client=http, **options) as c,
        ):
            result = CALLS[call](c)
            if inspect.isawaitable(result):
                await result

    asyncio.run(run())


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("kind", ["sync", "async"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=answers())
def test_any_answer_ends_in_the_error_tree(
    kind: str, call: str, answer: tuple[int, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    VirtualClock().install(monkeypatch)
    status, content = answer
    with contextlib.suppress(KlingEditError):  # anything else fails the test
        _run(kind, call, status, content)
