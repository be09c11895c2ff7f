"""The simulator's records and value types: clock, video facts, sessions, tasks, responses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._billing import cost_fields, numeric_id
from ._faults import ConnectionFault

SESSION_LIFETIME_SECONDS = 24 * 3600
RESULT_LIFETIME_SECONDS = 30 * 24 * 3600


@attrs.define
class FakeClock:
    """A manual clock for :class:`~kling_edit.testing.Simulator`: epoch seconds that only move
    when :meth:`advance` is called."""

    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a FakeClock only moves forward")
        self.now += seconds


@attrs.frozen
class VideoInfo:
    """What the service learns about a source video on init-selection."""

    fps: float = 30.0
    duration_ms: int = 5000
    width: int = 1280
    height: int = 720

    @property
    def total_frame(self) -> int:
        """Number of frames, as init-selection reports it (``round(fps * seconds)``)."""
        return round(self.fps * self.duration_ms / 1000)


@attrs.define
class SimSession:
    """A selection session and its marked points (``marks[frame_index]``, in order added)."""

    session_id: str
    api_key: str
    created: float
    source: str
    video: VideoInfo
    marks: dict[int, list[tuple[float, float]]] = attrs.field(factory=dict)

    def expired(self, now: float) -> bool:
        """Whether the 24-hour lifetime has passed at ``now``."""
        return now >= self.created + SESSION_LIFETIME_SECONDS


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


@attrs.frozen
class SimTask:
    """A created task as the ledger keeps it: the request ``body`` and the key that sent it.

    The status is not stored: it follows from the clock (:meth:`status_at`).
    """

    task_id: str
    api_key: str
    body: Mapping[str, Any]
    created: float
    submit_seconds: float
    job_seconds: float
    failure: str | None
    base_url: str
    units: Decimal = Decimal("0")
    video_id: str = attrs.field(factory=numeric_id)

    @property
    def external_task_id(self) -> str | None:
        """The caller's ``external_task_id``, if it sent one ("" means none, as in K's example)."""
        value = self.body.get("external_task_id")
        return value if isinstance(value, str) and value else None

    @property
    def callback_url(self) -> str | None:
        """The ``callback_url`` of the request, if any ("" means none)."""
        value = self.body.get("callback_url")
        return value if isinstance(value, str) and value else None

    @property
    def watermark(self) -> bool:
        """Whether the request asked for a watermarked copy (``watermark_info.enabled``).

        UNSURE: Kling does not state the default; the simulator assumes off.
        """
        info = self.body.get("watermark_info")
        return isinstance(info, dict) and info.get("enabled") is True

    @property
    def finished(self) -> float:
        """When the task reaches ``succeed`` or ``failed`` (epoch seconds)."""
        return self.created + self.job_seconds

    def timeline(self) -> tuple[tuple[float, str], ...]:
        """Each ``(epoch seconds, task_status)`` the task goes through, in order."""
        return (
            (self.created, "submitted"),
            (self.created + self.submit_seconds, "processing"),
            (self.finished, "failed" if self.failure else "succeed"),
        )

    def status_at(self, now: float) -> tuple[float, str]:
        """``(since, task_status)`` at ``now``."""
        current = self.timeline()[0]
        for step in self.timeline():
            if step[0] <= now:
                current = step
        return current

    def to_api(self, now: float, base_url: str) -> dict[str, Any]:
        """The task object as get-task returns it at ``now``, file URLs on ``base_url``."""
        since, status = self.status_at(now)
        external = self.external_task_id
        task: dict[str, Any] = {
            "task_id": self.task_id,
            "task_status": status,
            "task_status_msg": self.failure if status == "failed" else "",
            # UNSURE whether the service sends "" or null without an id: the key is left out.
            "task_info": {} if external is None else {"external_task_id": external},
            # C's "processing" example: the result stays an empty object until it succeeds.
            "task_result": {},
            "watermark_info": {"enabled": self.watermark},
            **cost_fields(self.units),
            "created_at": _ms(self.created),
            "updated_at": _ms(since),
        }
        if status == "succeed":
            seconds = float(self.body.get("duration") or "5")
            result = f"{base_url}/files/results/{self.task_id}"
            video = {
                "id": self.video_id,
                "session_id": self.body["session_id"],
                "url": f"{result}.mp4",
                # K's example always carries it; the simulator serves the same sample there.
                "watermark_url": f"{result}.watermarked.mp4",
                "duration": f"{seconds:.1f}",
            }
            task["task_result"] = {"videos": [video]}
        return task


@attrs.frozen
class SimResponse:
    """What :meth:`Simulator.handle` decides; the transports and the server carry it out.

    ``body`` is bytes, or an iterable of chunks for streamed files (``Content-Length`` is always
    in ``headers``). The adapter waits ``delay`` seconds first. When ``fault`` is set there is no
    HTTP response at all: the adapter fails the connection that way (after holding it open for
    ``hang_seconds`` on a timeout).
    """

    status: int
    headers: Mapping[str, str]
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0
    fault: ConnectionFault | None = None
    hang_seconds: float = 0.0
