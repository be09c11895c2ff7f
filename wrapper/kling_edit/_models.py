"""The models users see: frozen, slotted attrs classes built from the generated ones (the
selection routes' `Selection`, `ObjectMask` and `Preview` live in `_selection_models`).

Every model keeps the server's `data` object in `raw`, so fields this client does not know yet
stay reachable, and the `http_response` it came from (None for callbacks). Status strings are
kept as the server sent them: an unknown status never fails parsing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    import httpx


__all__ = [
    "Cost",
    "Session",
    "Task",
    "TaskStatus",
    "TaskVideo",
]


class TaskStatus(enum.StrEnum):
    """The documented task statuses. `Task.status` is a plain str: compare with these."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEED = "succeed"
    FAILED = "failed"


# Kling deletes result files this long after the task was created.
RESULT_LIFETIME = timedelta(days=30)


@frozen
class Cost:
    """What a call cost, as Kling reports it: decimal strings as sent, None when not reported.

    `units` is the resource-pack units deducted (`final_unit_deduction`); `quota` and
    `list_price` the balance deducted at the discounted and at the list price
    (`final_balance_deduction`).
    """

    units: str | None = None
    quota: str | None = None
    list_price: str | None = None


@frozen
class Session:
    """A selection session opened by `sessions.init`; valid for 24 hours."""

    session_id: str
    status: int = 0
    fps: float | None = None
    original_duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    total_frame: int | None = None
    normalized_video_url: str | None = None
    cost: Cost | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)
    http_response: httpx.Response | None = field(default=None, repr=False, eq=False)

    @property
    def duration(self) -> float | None:
        """Length of the source video in seconds."""
        ms = self.original_duration_ms
        return ms / 1000 if ms is not None else None


@frozen
class TaskVideo:
    """One result video. Its URL stops working 30 days after generation: download promptly.

    `watermark_url` is the watermarked copy, made when the task was created with `watermark=True`.
    """

    url: str
    id: str | None = None
    duration: float | None = None
    session_id: str | None = None
    watermark_url: str | None = None


@frozen
class Task:
    """An edit task. `status` is one of `TaskStatus`, or whatever new value the server sends.

    `watermark` says whether a watermarked copy is made (None when the service does not say);
    `cost` is what the task cost, once the service reports it.
    """

    task_id: str
    status: str
    status_message: str | None = None
    external_task_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    videos: tuple[TaskVideo, ...] = ()
    watermark: bool | None = None
    cost: Cost | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)
    http_response: httpx.Response | None = field(default=None, repr=False, eq=False)

    @property
    def is_finished(self) -> bool:
        """True once the task succeeded or failed."""
        return self.status in (TaskStatus.SUCCEED, TaskStatus.FAILED)

    @property
    def is_succeeded(self) -> bool:
        return self.status == TaskStatus.SUCCEED

    @property
    def is_failed(self) -> bool:
        return self.status == TaskStatus.FAILED

    @property
    def video_url(self) -> str | None:
        """URL of the first result video, once the task succeeded."""
        return self.videos[0].url if self.videos else None

    @property
    def expires_at(self) -> datetime | None:
        """When Kling deletes the result files: 30 days after the task was created."""
        return self.created_at + RESULT_LIFETIME if self.created_at is not None else None
