"""A resend refused with a 400 may be the service refusing the duplicate of a task it made.

The first create's answer is lost after the service made the task; the search that follows
misses it (the task list lags behind); the resend is refused with 400/1201, which Kling gives
for a used `external_task_id` as for any other bad request. The client made that id itself, so
the refusal is evidence that the first attempt landed: it searches again instead of reporting
`task_created=False`.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from kling_edit import AsyncKlingEdit, KlingEdit
from wrapper_helpers import VirtualClock

SESSION = "1234567890"
PROMPT = "Remove the selected object from <<<video_1>>>"


class LaggingService:
    """Makes the task on the first create but drops the answer; lists it only later."""

    def __init__(self) -> None:
        self.creates = 0
        self.external_id: str | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.creates += 1
            if self.creates == 1:
                self.external_id = json.loads(request.content)["external_task_id"]
                raise httpx.ReadError("connection reset after the task was made")
            return httpx.Response(
                400, json={"code": 1201, "message": "external_task_id already exists"}
            )
        listed = [self._task()] if self.creates >= 2 else []
        if request.url.path.endswith("/multi-elements"):
            return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "data": listed})
        if listed:
            return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "data": listed[0]})
        return httpx.Response(404, json={"code": 1203, "message": "task not found"})

    def _task(self) -> dict[str, object]:
        return {
            "task_id": "9001",
            "task_status": "submitted",
            "task_info": {"external_task_id": self.external_id},
            "created_at": 1_700_000_000_000,
            "updated_at": 1_700_000_000_000,
        }


@pytest.mark.parametrize("max_retries", [1, 2])
def test_sync_finds_the_task_the_refused_resend_points_to(
    max_retries: int, clock: VirtualClock
) -> None:
    service = LaggingService()
    http = httpx.Client(transport=httpx.MockTransport(service))
    with KlingEdit("key", max_retries=max_retries, http_client=http) as client:
        task = client.tasks.create(session_id=SESSION, edit_mode="removal", prompt=PROMPT)
    assert (task.task_id, service.creates) == ("9001", 2)


def test_async_finds_it_too(clock: VirtualClock) -> None:
    service = LaggingService()

    async def create() -> str:
        http = httpx.AsyncClient(transport=httpx.MockTransport(service))
        async with AsyncKlingEdit("key", max_retries=1, http_client=http) as client:
            task = await client.tasks.create(session_id=SESSION, edit_mode="removal", prompt=PROMPT)
        return task.task_id

    assert asyncio.run(create()) == "9001"
    assert service.creates == 2


class RefusedFirstService(LaggingService):
    """Refuses the first create outright (429/1302: nothing done), then behaves as above: the
    second makes the task and loses the answer, the third is refused as a duplicate."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and self.creates == 0:
            self.creates += 1
            return httpx.Response(
                429,
                headers={"Retry-After": "0"},
                json={"code": 1302, "message": "rate limit"},
            )
        if request.method == "POST" and self.creates == 1:
            self.creates += 1
            self.external_id = json.loads(request.content)["external_task_id"]
            raise httpx.ReadError("connection reset after the task was made")
        if request.method == "POST":
            self.creates += 1
            return httpx.Response(
                400, json={"code": 1201, "message": "external_task_id already exists"}
            )
        return super().__call__(request) if self.creates >= 3 else self._missing(request)

    def _missing(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/multi-elements"):
            return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "data": []})
        return httpx.Response(404, json={"code": 1203, "message": "task not found"})


def test_a_landed_attempt_after_a_refused_first_one_still_counts(clock: VirtualClock) -> None:
    # Whether the 400 may be a duplicate refusal turns on every earlier attempt, not only the
    # first: here the first was refused (proving nothing), the second may have landed.
    service = RefusedFirstService()
    http = httpx.Client(transport=httpx.MockTransport(service))
    with KlingEdit("key", max_retries=3, http_client=http) as client:
        task = client.tasks.create(session_id=SESSION, edit_mode="removal", prompt=PROMPT)
    assert (task.task_id, service.creates) == ("9001", 3)
