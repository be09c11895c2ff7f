"""Builders shared by the wrapper's tests: API answers, tiny images, a sync/async adapter, a clock.

Answers are built by hand from api-facts (not by the wrapper or the simulator), so a test that
reads one checks the wrapper against the documented shapes; test_contract validates them against
the bundled spec.
"""

from __future__ import annotations

import inspect
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, Protocol

import httpx
import pytest

import kling_edit._client
import kling_edit._task_work
from kling_edit import AsyncKlingEdit, KlingEdit

KEY = "sk-SECRET-abc123"
BASE_URL = "https://kling.test"
API = f"{BASE_URL}/kling/v1/videos/multi-elements"
INIT_URL = f"{API}/init-selection"
ADD_URL = f"{API}/add-selection"
DELETE_URL = f"{API}/delete-selection"
CLEAR_URL = f"{API}/clear-selection"
PREVIEW_URL = f"{API}/preview-selection"
RESULT_URL = "https://cdn.kling.test/results/task-1.mp4"
SESSION_ID = "sess-1"
TASK_ID = "task-1"
PROMPT = "Delete the selected object from <<<video_1>>>"
CREATED_MS = 1_722_470_400_000  # 2024-08-01T00:00:00Z


def envelope(data: Any, *, request_id: str = "req-1") -> dict[str, Any]:
    return {"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data}


def error_body(code: int, message: str = "refused", **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "data": None, **extra}


def task_data(
    task_id: str = TASK_ID,
    status: str = "submitted",
    *,
    external_task_id: str | None = None,
    status_msg: str = "",
    video_url: str | None = None,
) -> dict[str, Any]:
    task: dict[str, Any] = {
        "task_id": task_id,
        "task_status": status,
        "task_status_msg": status_msg,
        "task_info": {} if external_task_id is None else {"external_task_id": external_task_id},
        "created_at": CREATED_MS,
        "updated_at": CREATED_MS + 1000,
    }
    if video_url is not None:
        task["task_result"] = {"videos": [{"id": "v-1", "url": video_url, "duration": "5.1"}]}
    return task


def session_data(
    session_id: str = SESSION_ID,
    *,
    status: int = 0,
    fps: float = 30.0,
    width: int = 1280,
    height: int = 720,
    duration_ms: int = 5000,
    total_frame: int = 150,
) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "fps": fps,
        "original_duration": duration_ms,
        "width": width,
        "height": height,
        "total_frame": total_frame,
        "normalized_video": f"https://cdn.kling.test/{session_id}/normalized.mp4",
        "status": status,
        "final_unit_deduction": "0.2",
    }


def selection_data(
    frame_index: int = 0, objects: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    return {"status": 0, "res": {"frame_index": frame_index, "rle_mask_list": list(objects)}}


def preview_data() -> dict[str, Any]:
    files = f"https://cdn.kling.test/{SESSION_ID}"
    return {
        "status": 0,
        "res": {
            "video": f"{files}/preview.mp4",
            "video_cover": f"{files}/cover.png",
            "tracking_output": f"{files}/tracking.png",
        },
    }


# ---------------------------------------------------------------------------------------------
# Images, written byte by byte so that the size rules are tested against known headers.


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_bytes(width: int, height: int, rows: Sequence[Sequence[int]] | None = None) -> bytes:
    """A valid 8-bit greyscale PNG; `rows` gives the pixel values (all 0 when None)."""
    lines = rows if rows is not None else [bytes(width)] * height
    pixels = b"".join(b"\x00" + bytes(row) for row in lines)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(pixels))
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_bytes(width: int, height: int, *, sof: int = 0xC0) -> bytes:
    """A JPEG header as encoders write it: SOI, APP0 (JFIF), a DHT table, then the SOFn frame.

    The DHT segment comes first on purpose: its marker (C4) sits inside the SOF range and must
    not be read as the frame size.
    """
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dht = b"\x00" + bytes(16)
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return (
        b"\xff\xd8"
        + _jpeg_segment(0xE0, app0)
        + _jpeg_segment(0xC4, dht)
        + _jpeg_segment(sof, frame)
        + b"\xff\xd9"
    )


# ---------------------------------------------------------------------------------------------
# Running the sync and the async client the same way


Client = KlingEdit | AsyncKlingEdit


class Api:
    """One client, sync or async, called the same way: `await api("tasks.get", "task-1")`."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @property
    def kind(self) -> str:
        return "async" if isinstance(self.client, AsyncKlingEdit) else "sync"

    def method(self, name: str) -> Any:
        target: Any = self.client
        for part in name.split("."):
            target = getattr(target, part)
        return target

    async def __call__(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        result = self.method(name)(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def collect(self, name: str, /, *args: Any, **kwargs: Any) -> list[Any]:
        """Everything an iterator method (iter_all) yields."""
        iterator = self.method(name)(*args, **kwargs)
        if hasattr(iterator, "__aiter__"):
            return [item async for item in iterator]
        return list(iterator)

    async def close(self) -> None:
        result = self.client.close()
        if inspect.isawaitable(result):
            await result


class MakeApi(Protocol):
    """The `make_api` fixture: a client of the test's kind (see conftest.py)."""

    def __call__(
        self,
        *,
        handler: Callable[[httpx.Request], httpx.Response] | None = None,
        simulator: Any = None,
        **client_kwargs: Any,
    ) -> Api: ...


class VirtualClock:
    """Stands in for the clients' sleeps and wait()'s clock: time moves only when they sleep.

    Retry back-off and polling then cost no real time, and every delay asked for is recorded.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Both clients sleep through their one `_sleep` method; wait()'s clock is the `time`
        # of `_task_work`, a call's deadline that of `_budget` (httpx, asyncio and pytest keep the
        # real clock and sleeps).
        monkeypatch.setattr(KlingEdit, "_sleep", lambda client, seconds: self.sleep(seconds))
        monkeypatch.setattr(
            AsyncKlingEdit, "_sleep", lambda client, seconds: self.async_sleep(seconds)
        )
        virtual_time = SimpleNamespace(monotonic=self.monotonic)
        monkeypatch.setattr(kling_edit._task_work, "time", virtual_time)
        monkeypatch.setattr(kling_edit._budget, "time", virtual_time)
