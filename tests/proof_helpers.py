"""Shared by the proof suites (test_reliability, test_fuzz, test_spec_property,
test_wait_deadlines): run sizes for `make test` and `make soak`, the clients on the simulator with
a tiny back-off, and one way to call a sync or async client.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from _pytest.mark import ParameterSet

from kling_edit import AsyncKlingEdit, KlingEdit, Session
from kling_edit._retry import RetryPolicy
from kling_edit.testing import Simulator
from spec_helpers import reference_table

SOAK = os.environ.get("KLING_EDIT_SOAK") == "1"
KINDS = ("sync", "async")
# Real back-off would make a thousand faulty creates take minutes; the retry logic is the same.
FAST_RETRIES = RetryPolicy(initial=0.001, maximum=0.01)
VIDEO_URL = "https://media.test/clip.mp4"
PROMPT = "Delete the selected object from <<<video_1>>>"

Client = KlingEdit | AsyncKlingEdit

# docs/api-reference.md's error table: the HTTP status each documented envelope code comes with.
CODE_STATUSES: dict[int, int] = {
    int(row["code"]): int(row["HTTP"]) for row in reference_table("Errors")
}


def check_error_code(status: int, body: Any) -> None:
    """An error answer carries a documented envelope code, with the HTTP status it goes with."""
    code = body.get("code") if isinstance(body, dict) else None
    assert code in CODE_STATUSES, f"undocumented error (HTTP {status}): {body}"
    assert status == CODE_STATUSES[code], f"code {code} came with HTTP {status}"


def sized(default: int, full: int, *values: object) -> list[ParameterSet]:
    """`values` + a size: `default` for `make test`, and `full` marked soak and skipped unless
    KLING_EDIT_SOAK=1, so `make soak` (-m soak) runs only the full sizes."""
    skip = pytest.mark.skipif(not SOAK, reason="full size: run with make soak (KLING_EDIT_SOAK=1)")
    label = "-".join(str(value) for value in values)
    return [
        pytest.param(*values, default, id=f"{label}-{default}".lstrip("-")),
        pytest.param(
            *values, full, id=f"{label}-{full}".lstrip("-"), marks=[pytest.mark.soak, skip]
        ),
    ]


def simulator(**kwargs: Any) -> Simulator:
    """A Simulator whose callbacks go nowhere: the default sender POSTs to the callback_url,
    and the generated ones name hosts that must never be looked up."""
    kwargs.setdefault("callback_sender", lambda url, task: None)
    return Simulator(**kwargs)


def client_class(kind: str) -> type[KlingEdit] | type[AsyncKlingEdit]:
    return KlingEdit if kind == "sync" else AsyncKlingEdit


def simulated(kind: str, sim: Simulator, **kwargs: Any) -> Client:
    """A client of `kind` wired in-process to `sim`, retrying with FAST_RETRIES."""
    client = client_class(kind).simulated(sim, **kwargs)
    client._policy = FAST_RETRIES
    return client


def over(kind: str, handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Client:
    """A client of `kind` whose requests `handler` answers (through httpx.MockTransport)."""
    transport = httpx.MockTransport(handler)
    http = (
        httpx.Client(transport=transport)
        if kind == "sync"
        else httpx.AsyncClient(transport=transport)
    )
    kwargs.setdefault("api_key", "sk-proof")
    kwargs.setdefault("base_url", "https://kling.test")
    client = client_class(kind)(http_client=http, **kwargs)  # type: ignore[arg-type]  # same kind
    # Its own, then: close() releases it, as for a client that made its http client.
    client._owns_http = True
    client._policy = FAST_RETRIES
    return client


async def invoke(client: Client, name: str, /, *args: Any, **kwargs: Any) -> Any:
    """Call `client.<name>` ("tasks.get", ...) and answer its result, awaited if need be."""
    target: Any = client
    for part in name.split("."):
        target = getattr(target, part)
    result = target(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


async def marked_session(client: Client) -> Session:
    """A session with one point marked: ready for a create."""
    session: Session = await invoke(client, "sessions.init", video_url=VIDEO_URL)
    await invoke(client, "sessions.add_points", session, frame_index=0, points=[(0.5, 0.5)])
    return session


async def close(client: Client) -> None:
    result = client.close()
    if inspect.isawaitable(result):
        await result
