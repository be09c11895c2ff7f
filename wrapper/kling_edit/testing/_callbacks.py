"""Callback scheduling and sending: the status-change callbacks each task owes, sent in order
when due (signed when the simulator has a webhook secret). Nothing else lives here.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from ._signing import sign_callback
from ._state import SimTask

_CALLBACK_TIMEOUT_SECONDS = 2.0


def post_callback(url: str, task: dict[str, Any], *, secret: str | None = None) -> None:
    """The default sender: an HTTP POST of the task object, with a short timeout, signed with
    `secret` (Standard Webhooks) when one is given.

    The webhook-id comes from the body, so a delivery repeated (the duplicate fault, a retry)
    carries the same id, as the service's own retries of one message do.
    """
    body = json.dumps(task, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        webhook_id = "msg_" + hashlib.sha256(body).hexdigest()[:32]
        headers.update(sign_callback(body, secret, webhook_id=webhook_id))
    httpx.post(
        url, content=body, headers=headers, timeout=_CALLBACK_TIMEOUT_SECONDS
    ).raise_for_status()


class CallbackSchedule:
    """The next callback each task owes, and their delivery (guarded by the simulator's lock)."""

    def __init__(
        self,
        lock: threading.Lock,
        sender: Callable[[str, dict[str, Any]], None],
        copies: Callable[[], int] = lambda: 1,
    ) -> None:
        self._lock = lock
        self._send = sender
        # How many times the next callback goes out (2 under the duplicate-delivery fault).
        self._copies = copies
        self._delivery_lock = threading.Lock()
        # (when, sequence, timeline step, task, callback_url) of the next callback each task
        # owes; one entry per task at a time, so its callbacks go out in order. Sequences are
        # unique, so entries never compare their tasks.
        self._due: list[tuple[float, int, int, SimTask, str]] = []
        self.errors: list[tuple[str, Exception]] = []

    def schedule(self, task: SimTask, sequence: int) -> None:
        """Owe `task`'s first callback (at its creation); hold the lock."""
        assert task.callback_url is not None
        heapq.heappush(self._due, (task.created, sequence, 0, task, task.callback_url))

    def deliver(self, now: float) -> None:
        """Send every callback due by `now`; at once when another thread is already sending."""
        if not self._delivery_lock.acquire(blocking=False):
            return
        try:
            for url, task in self._take_due(now):
                try:
                    for _ in range(self._copies()):
                        self._send(url, task)
                except Exception as exc:  # any failure of a user's endpoint or sender is data
                    with self._lock:
                        self.errors.append((url, exc))
        finally:
            self._delivery_lock.release()

    def _take_due(self, now: float) -> list[tuple[str, dict[str, Any]]]:
        due = []
        with self._lock:
            queue = self._due
            while queue and queue[0][0] <= now:
                when, sequence, step, task, url = heapq.heappop(queue)
                due.append((url, task.to_api(when, task.base_url)))
                timeline = task.timeline()
                if step + 1 < len(timeline):
                    entry = (timeline[step + 1][0], sequence, step + 1, task, url)
                    heapq.heappush(queue, entry)
        return due
