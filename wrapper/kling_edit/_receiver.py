"""The callback receiver: a plain ASGI app that verifies deliveries and hands each task on once."""

from __future__ import annotations

import inspect
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import RequestValidationError
from ._models import Task
from ._signatures import Verifier, WebhookVerificationError, read_task

if TYPE_CHECKING:
    import asyncio

__all__ = ["MemorySeenIds", "SeenIds", "asgi_app"]

logger = logging.getLogger("kling_edit.webhooks")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class SeenIds(Protocol):
    """Where the receiver remembers the `webhook-id`s it has already handed to `on_task`."""

    def add(self, webhook_id: str) -> bool:
        """Record `webhook_id`; True if it was new. Called on the event loop: keep it quick."""
        ...


class MemorySeenIds:
    """The default `SeenIds`: in memory, forgetting the least recently seen beyond `maxsize`."""

    def __init__(self, maxsize: int = 10_000) -> None:
        _require_positive_int("maxsize", maxsize)
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._maxsize = maxsize

    def add(self, webhook_id: str) -> bool:
        if webhook_id in self._ids:
            self._ids.move_to_end(webhook_id)
            return False
        self._ids[webhook_id] = None
        if len(self._ids) > self._maxsize:
            self._ids.popitem(last=False)
        return True


def _require_positive_int(field: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RequestValidationError(field, f"must be a whole number at least 1, got {value!r}")


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


def asgi_app(
    on_task: Callable[[Task], object],
    *,
    secret: str | Sequence[str] | None = None,
    tolerance: float = 300,
    seen_ids: SeenIds | None = None,
    max_body_bytes: int = 1_000_000,
) -> App:
    """An ASGI app that receives Kling's callbacks: mount it in any ASGI server or framework.

    It answers POST only (405 otherwise), reads at most `max_body_bytes` (413 beyond), checks
    the signature when `secret` is given (401 if it fails; see `verify`), answers 400 to a body
    that is not a task, and 200 to a good delivery at once; then it calls `on_task(task)` (a
    function run in a thread, or a coroutine function awaited), one call at a time, in the order
    deliveries arrived. A delivery whose `webhook-id` was seen before is answered 200 and not
    handed on again (`seen_ids`: a bounded in-memory store unless you give yours). An exception
    from `on_task` is logged to the "kling_edit.webhooks" logger.
    """
    # asyncio loads when an app is made, not with the package: most programs never receive.
    import asyncio

    # Checked now: each would otherwise fail only at the first delivery (a 500, or no hand-off).
    if not callable(on_task):
        raise RequestValidationError("on_task", "must be a function or a coroutine function")
    if seen_ids is not None and not callable(getattr(seen_ids, "add", None)):
        raise RequestValidationError("seen_ids", "must have an add(webhook_id) -> bool method")
    _require_positive_int("max_body_bytes", max_body_bytes)
    verifier = Verifier(secret, tolerance) if secret is not None else None
    seen = seen_ids if seen_ids is not None else MemorySeenIds()
    # Hand-offs run in the background, so the 200 goes out first; the lock keeps them in order,
    # one at a time (a user's callback need not be thread-safe). It binds to the server's loop
    # when first waited on.
    background: set[asyncio.Task[None]] = set()
    lock = asyncio.Lock()

    async def hand_on(task: Task) -> None:
        async with lock:
            try:
                if inspect.iscoroutinefunction(on_task):
                    await on_task(task)
                else:
                    await asyncio.to_thread(on_task, task)
            except Exception:
                logger.exception("on_task failed for task %s (%s)", task.task_id, task.status)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _answer(send, 405, "send callbacks with POST", [(b"allow", b"POST")])
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        try:
            body = await _read_body(receive, headers, max_body_bytes)
        except _TooLarge:
            await _answer(send, 413, f"the body is over {max_body_bytes} bytes")
            return
        except _Disconnected:
            return
        try:
            task = verifier.verify(body, headers) if verifier is not None else read_task(body)
        except WebhookVerificationError as error:
            await _answer(send, 400 if error.check == "bad_body" else 401, error.message)
            return
        webhook_id = headers.get("webhook-id", "").strip()
        is_new = not webhook_id or seen.add(webhook_id)
        await _answer(send, 200, "received" if is_new else "already received")
        if is_new:
            handing = asyncio.create_task(hand_on(task))
            background.add(handing)
            handing.add_done_callback(background.discard)

    return app


async def _read_body(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes:
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), stripped of leading zeros
    # so a number longer than the limit's is too large without parsing (int() refuses 4300+).
    declared = headers.get("content-length", "").lstrip("0")
    too_long = len(declared) > len(str(limit))
    if declared.isascii() and declared.isdigit() and (too_long or int(declared) > limit):
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(
    send: Send, status: int, message: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    """Nothing to set up or tear down: acknowledge both so servers run with lifespan on."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
