"""The models users see: frozen, slotted attrs classes built from the generated ones.

Every model keeps the server's `data` object in `raw`, so fields this client does not know yet
stay reachable, and the `http_response` it came from (None for callbacks). Status strings are
kept as the server sent them: an unknown status never fails parsing.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    import httpx

    from ._masks import Mask

__all__ = [
    "Cost",
    "ObjectMask",
    "Preview",
    "Selection",
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
class ObjectMask:
    """The mask of one selected object on one frame, as the service encoded it."""

    object_id: int | str
    size: tuple[int, int] | None = None
    rle_counts: str | None = None
    png_base64: str | None = field(default=None, repr=False)

    def mask(self) -> Mask:
        """Decode to a `Mask` (a 2-D boolean grid), from the RLE form or else the PNG."""
        from ._masks import Mask

        if self.size is not None and self.rle_counts is not None:
            return Mask.from_rle(self.size, self.rle_counts)
        if self.png_base64 is not None:
            import base64

            return Mask.from_png(base64.b64decode(self.png_base64))
        raise ValueError(f"object {self.object_id} carries no mask")

    def to_grid(self) -> list[list[bool]]:
        """The mask as rows of booleans (True = selected)."""
        return self.mask().to_grid()

    def save_png(self, path: str | os.PathLike[str]) -> Path:
        """Write the mask as a black-and-white PNG; answer the path written."""
        return self.mask().save_png(path)


@frozen
class Selection:
    """The masks of the objects selected on one frame, after adding or deleting points."""

    session_id: str
    frame_index: int
    objects: tuple[ObjectMask, ...] = ()
    status: int = 0
    cost: Cost | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)
    http_response: httpx.Response | None = field(default=None, repr=False, eq=False)


@frozen
class Preview:
    """URLs of the tracked-selection preview."""

    session_id: str
    video_url: str | None = None
    cover_url: str | None = None
    tracking_url: str | None = None
    status: int = 0
    cost: Cost | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)
    http_response: httpx.Response | None = field(default=None, repr=False, eq=False)


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
