"""Garbage answers from the server: whatever comes back, only KlingEditError subclasses escape.

Every public call, sync and async, is served through httpx.MockTransport. One route's answer is
replaced (random JSON, a documented shape with one field of the wrong type, deep nesting, huge
sizes); the call and any follow-up that reads what it remembered must end in a result or a
KlingEditError, never a foreign exception (TypeError, RecursionError, ...).
"""

from __future__ import annotations

import asyncio
import copy
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kling_edit import AsyncKlingEdit, KlingEdit, KlingEditError
from wrapper_helpers import (
    BASE_URL,
    KEY,
    PROMPT,
    RESULT_URL,
    SESSION_ID,
    TASK_ID,
    Api,
    MakeApi,
    VirtualClock,
    envelope,
    preview_data,
    selection_data,
    session_data,
    task_data,
)

pytestmark = pytest.mark.filterwarnings("ignore::kling_edit.PromptWarning")

MASK = {
    "object_id": 0,
    "rle_mask": {"size": [720, 1280], "counts": "0"},
    "png_mask": {"size": [720, 1280], "base64": ""},
}
DONE = task_data(status="succeed", video_url=RESULT_URL)


def valid_answers() -> dict[str, Any]:
    """One documented answer per route (the `data` of the envelope, or raw bytes for files)."""
    return {
        "init": session_data(),
        "add": selection_data(0, [MASK]),
        "delete": selection_data(0, [MASK]),
        "clear": {"status": 0, "session_id": SESSION_ID},
        "preview": preview_data(),
        "create": task_data(),
        "get": DONE,
        "list": [DONE],
        "file": b"\x00\x00\x00\x18ftypmp42",
    }


def route(request: httpx.Request) -> str:
    path = request.url.path
    if "/results/" in path:
        return "file"
    for suffix, name in (
        ("/init-selection", "init"),
        ("/add-selection", "add"),
        ("/delete-selection", "delete"),
        ("/clear-selection", "clear"),
        ("/preview-selection", "preview"),
    ):
        if path.endswith(suffix):
            return name
    if request.method == "POST":
        return "create"
    return "list" if request.url.params else "get"


class Server:
    """Documented answers on every route, except the raw `body` given for one of them."""

    def __init__(self, target: str, body: bytes, status: int = 200) -> None:
        self.answers = valid_answers()
        self.target, self.body, self.status = target, body, status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = route(request)
        if name == self.target:
            return httpx.Response(self.status, content=self.body)
        answer = self.answers[name]
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer)
        return httpx.Response(200, json=envelope(answer))


FOLDER = Path(tempfile.gettempdir())

# Each public call, and the route whose answer it reads first. Calls that read what an earlier
# answer left behind (init's fps, total_frame, original_duration) run after an init.
CALLS: dict[str, tuple[str, Callable[[Path], tuple[tuple[Any, ...], dict[str, Any]]]]] = {
    "sessions.init": ("init", lambda _: ((), {"video_url": "https://videos.test/clip.mp4"})),
    "sessions.add_points": (
        "add",
        lambda _: ((SESSION_ID,), {"frame_index": 0, "points": [(0.5, 0.5)]}),
    ),
    "sessions.delete_points": (
        "delete",
        lambda _: ((SESSION_ID,), {"frame_index": 0, "points": [(0.5, 0.5)]}),
    ),
    "sessions.clear": ("clear", lambda _: ((SESSION_ID,), {})),
    "sessions.preview": ("preview", lambda _: ((SESSION_ID,), {})),
    "tasks.create": (
        "create",
        lambda _: ((), {"session_id": SESSION_ID, "edit_mode": "removal", "prompt": PROMPT}),
    ),
    "tasks.remove": ("create", lambda _: ((SESSION_ID,), {"prompt": PROMPT})),
    "tasks.get": ("get", lambda _: ((TASK_ID,), {})),
    "tasks.get_by_external_id": ("get", lambda _: (("ext-1",), {})),
    "tasks.list": ("list", lambda _: ((), {})),
    "tasks.iter_all": ("list", lambda _: ((), {"page_size": 1})),
    "tasks.wait": ("get", lambda _: ((TASK_ID,), {"timeout": 5})),
    "tasks.download": ("get", lambda folder: ((TASK_ID, folder), {})),
}


async def run(api: Api, method: str, folder: Path) -> None:
    args, kwargs = CALLS[method][1](folder)
    if method == "tasks.iter_all":
        await api.collect(method, *args, **kwargs)
    else:
        await api(method, *args, **kwargs)


async def follow_ups(api: Api, folder: Path) -> None:
    """Calls that use what init remembered about the session (its frames and length)."""
    await api("sessions.add_points", SESSION_ID, frame_index=0, points=[(0.5, 0.5)])
    await api("tasks.remove", SESSION_ID, prompt=PROMPT, duration="5")


async def only_kling_errors(api: Api, method: str, folder: Path) -> None:
    try:
        await run(api, method, folder)
        if method == "sessions.init":
            await follow_ups(api, folder)
    except KlingEditError:
        pass


def with_field(data: Any, path: tuple[str | int, ...], value: Any) -> Any:
    changed = copy.deepcopy(data)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def answer(data: Any, **envelope_fields: Any) -> bytes:
    return json.dumps({**envelope(data), **envelope_fields}).encode()


MASK_SIZE = ("res", "rle_mask_list", 0, "rle_mask", "size")


def mask_size(raw_size: str) -> bytes:
    """An add-selection answer whose rle_mask.size is `raw_size`, written as raw JSON text."""
    marker = '"SIZE-HERE"'
    text = answer(with_field(selection_data(0, [MASK]), MASK_SIZE, "SIZE-HERE")).decode()
    return text.replace(marker, raw_size).encode()


def fuzz_case(name: str, method: str, target: str, body: bytes, status: int = 200) -> Any:
    return pytest.param(method, target, body, status, id=name)


# The answers issue 13.3 names (each raised a foreign exception before the answers were
# checked at the boundary), each on the call that reads it.
ANSWER_CASES = [
    fuzz_case(
        "mask-size-null-null",
        "sessions.add_points",
        "add",
        mask_size("[null, null]"),
    ),
    fuzz_case(
        "mask-size-string",
        "sessions.add_points",
        "add",
        mask_size('"ab"'),
    ),
    fuzz_case(
        "mask-size-overflow",
        "sessions.add_points",
        "add",
        mask_size("[1e400, 1]"),
    ),
    fuzz_case(
        "mask-size-int",
        "sessions.add_points",
        "add",
        mask_size("5"),
    ),
    fuzz_case(
        "init-fps-string",
        "sessions.init",
        "init",
        answer(session_data() | {"fps": "30"}),
    ),
    fuzz_case(
        "init-total-frame-string",
        "sessions.init",
        "init",
        answer(session_data() | {"total_frame": "150"}),
    ),
    fuzz_case(
        "init-original-duration-string",
        "sessions.init",
        "init",
        answer(session_data() | {"original_duration": "5000"}),
    ),
    fuzz_case(
        "init-session-id-list",
        "sessions.init",
        "init",
        answer(session_data() | {"session_id": []}),
    ),
    fuzz_case(
        "deep-nesting-get",
        "tasks.get",
        "get",
        b"[" * 200_000,
    ),
    fuzz_case("code-string-get", "tasks.get", "get", answer(DONE, code="0")),
    fuzz_case("code-null-get", "tasks.get", "get", answer(DONE, code=None)),
    fuzz_case("code-string-create", "tasks.create", "create", answer(task_data(), code="0")),
    fuzz_case("code-null-create", "tasks.create", "create", answer(task_data(), code=None)),
]


@pytest.mark.parametrize(("method", "target", "body", "status"), ANSWER_CASES)
async def test_a_named_bad_answer_raises_only_kling_errors(
    make_api: MakeApi,
    clock: VirtualClock,
    tmp_path: Path,
    method: str,
    target: str,
    body: bytes,
    status: int,
) -> None:
    api = make_api(handler=Server(target, body, status))

    await only_kling_errors(api, method, tmp_path)


# ---------------------------------------------------------------------------------------------
# Random answers.

HUGE_INT = 10**400
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(HUGE_INT),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.just("x" * 20_000),
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


def field_paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path to a value inside a documented answer: each field the client may read."""
    if isinstance(data, dict):
        items: list[tuple[str | int, Any]] = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return []
    paths = []
    for key, value in items:
        paths.append((*prefix, key))
        paths.extend(field_paths(value, (*prefix, key)))
    return paths


@st.composite
def bad_answers(draw: st.DrawFn, target: str) -> tuple[bytes, int]:
    data = valid_answers()[target]
    if isinstance(data, bytes):
        return draw(st.binary(max_size=64)), 200
    kind = draw(st.sampled_from(["field", "data", "envelope", "text"]))
    if kind == "field":
        path = draw(st.sampled_from(field_paths(data)))
        return answer(with_field(data, path, draw(JSON))), 200
    if kind == "data":
        return answer(draw(JSON)), 200
    if kind == "envelope":
        fields = draw(st.dictionaries(st.sampled_from(["code", "message", "request_id"]), JSON))
        status = draw(st.sampled_from([200, 200, 400, 429, 500]))
        return answer(data, **fields), status
    return draw(st.text(max_size=50)).encode(), draw(st.sampled_from([200, 404, 503]))


async def call_once(kind: str, server: Server, method: str, folder: Path) -> None:
    transport = httpx.MockTransport(server)
    if kind == "sync":
        with httpx.Client(transport=transport) as http:
            api = Api(KlingEdit(api_key=KEY, base_url=BASE_URL, http_client=http, max_retries=0))
            await only_kling_errors(api, method, folder)
    else:
        async with httpx.AsyncClient(transport=transport) as async_http:
            api = Api(
                AsyncKlingEdit(
                    api_key=KEY, base_url=BASE_URL, http_client=async_http, max_retries=0
                )
            )
            await only_kling_errors(api, method, folder)


@pytest.mark.parametrize(
    "method",
    [name for name in sorted(CALLS)],
)
def test_a_random_bad_answer_raises_only_kling_errors(
    kind: str, clock: VirtualClock, tmp_path: Path, method: str
) -> None:
    target = CALLS[method][0]

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: keep it fast
    )
    @given(bad=bad_answers(target))
    def check(bad: tuple[bytes, int]) -> None:
        asyncio.run(call_once(kind, Server(target, *bad), method, tmp_path))

    check()
