"""A create answered with a server-error code under a 2xx status may have made the task.

Kling's codes 5000-5002 say the service failed while handling the request; the wrapper reads the
code first and the HTTP status only as a fallback, so a proxy's `200 {"code": 5000}` is the same
`ServerError` as `500 {"code": 5000}`: the task is looked up by its external id, never reported
`task_created=False` unseen.
"""

from __future__ import annotations

import json

import httpx
import pytest

from kling_edit import AsyncKlingEdit, KlingEdit, ServerError

SESSION = "1234567890"
PROMPT = "Remove the selected object from <<<video_1>>>"


def _handler(created: list[str], status: int = 200) -> httpx.MockTransport:
    """Creates the task, then answers its create with `status` and code 5000; finds it later."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            created.append(json.loads(request.content)["external_task_id"])
            return httpx.Response(status, json={"code": 5000, "message": "internal error"})
        task = {
            "task_id": "9001",
            "task_status": "submitted",
            "task_info": {"external_task_id": created[-1]},
            "created_at": 1_700_000_000_000,
            "updated_at": 1_700_000_000_000,
        }
        return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "data": task})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("status", [200, 202])
def test_a_2xx_create_with_code_5000_finds_the_task_instead_of_saying_not_created(
    status: int,
) -> None:
    created: list[str] = []
    transport = _handler(created, status)
    with KlingEdit("key", max_retries=0, http_client=httpx.Client(transport=transport)) as client:
        task = client.tasks.create(session_id=SESSION, edit_mode="removal", prompt=PROMPT)
    assert (task.task_id, len(created)) == ("9001", 1)


async def test_the_async_twin_finds_it_too() -> None:
    created: list[str] = []
    http = httpx.AsyncClient(transport=_handler(created))
    async with AsyncKlingEdit("key", max_retries=0, http_client=http) as client:
        task = await client.tasks.create(session_id=SESSION, edit_mode="removal", prompt=PROMPT)
    assert (task.task_id, len(created)) == ("9001", 1)


def test_the_answer_is_a_server_error() -> None:
    """What the lookup is for: read on its own, the answer is a ServerError, not a refusal."""
    created: list[str] = []

    def no_lookup(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return _handler(created).handle_request(request)
        return httpx.Response(500, json={"code": 5000, "message": "down"})

    http = httpx.Client(transport=httpx.MockTransport(no_lookup))
    with (
        KlingEdit("key", max_retries=0, http_client=http) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.tasks.create(session_id=SESSION, edit_mode="removal", prompt=PROMPT)
    assert caught.value.task_created is None
