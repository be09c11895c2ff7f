"""The simulator core: one sans-IO ``handle()`` that both transports and the server call."""

from __future__ import annotations

import collections
import heapq
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from . import _rules
from ._assets import SAMPLE_COVER, SAMPLE_VIDEO, asset_bytes, check_padded_size, padded_video
from ._faults import ConnectionFault, Faults
from ._rules import ApiError, invalid
from ._selection import encoded_selection, rle_mask_list
from ._state import (
    RESULT_LIFETIME_SECONDS,
    SimResponse,
    SimSession,
    SimTask,
    VideoInfo,
)

if TYPE_CHECKING:
    from ._transports import SimulatorTransport

_API = "/v1/videos/multi-elements"
_ACTIONS = {
    "init-selection": "init",
    "add-selection": "add",
    "delete-selection": "delete",
    "clear-selection": "clear",
    "preview-selection": "preview",
}
_FILES = "/files/"
_JSON = "application/json"
# Injected error -> (code, message, whether it says when to retry).
_FAULT_ERRORS = {
    "429": (1302, "rate limit exceeded (simulated), retry later", True),
    "500": (5000, "server internal error (simulated)", False),
    "503": (5001, "server temporarily unavailable (simulated)", True),
}
_CALLBACK_TIMEOUT_SECONDS = 2.0
# Reserved .invalid names never resolve: a client that forgets the transport fails at once
# instead of reaching the real service.
IN_PROCESS_BASE_URL = "http://simulator.kling-edit.invalid"


def _default_probe(source: str) -> VideoInfo:
    return VideoInfo()


def _post_callback(url: str, task: dict[str, Any]) -> None:
    httpx.post(url, json=task, timeout=_CALLBACK_TIMEOUT_SECONDS).raise_for_status()


def _resolve(method: str, path: str) -> tuple[str, str]:
    """``(route key, path parameter)``; the ``/kling`` prefix (CometAPI) is optional."""
    if path.startswith("/kling/"):
        path = path.removeprefix("/kling")
    allowed: tuple[str, ...]
    if path.startswith(_FILES):
        route, param, allowed = "download", path.removeprefix(_FILES), ("GET",)
    elif path == _API:
        route, param, allowed = ("list" if method == "GET" else "create"), "", ("GET", "POST")
    else:
        param = path.removeprefix(_API + "/")
        if param == path or not param or "/" in param:
            raise ApiError(1203, f"no such route: {path}")
        route, allowed = (_ACTIONS[param], ("POST",)) if param in _ACTIONS else ("get", ("GET",))
    if method not in allowed:
        raise ApiError(1202, f"{method} is not allowed here, use {' or '.join(allowed)}")
    return route, param


@attrs.frozen
class _Call:
    """One authenticated API request, as the route handlers see it."""

    api_key: str
    param: str
    query: Mapping[str, str]
    body: bytes
    base_url: str
    now: float

    def json(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.body or b"null")
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise invalid("the request body must be a JSON object")
        return parsed


class Simulator:
    """An offline, stateful fake of the Kling multi-elements API (CometAPI flavour).

    Every rule of the real service is enforced, with the real envelope codes and HTTP statuses,
    so a client bug fails here as it would in production. Time comes from ``clock`` (epoch
    seconds; pass a :class:`FakeClock` to step it by hand). Use it through :meth:`transport`,
    :meth:`async_transport` or :func:`running_server`; all state is guarded by one lock.

    Options:

    - ``api_key``: accept only this key (others get 401, code 1001); by default any non-empty
      bearer key works. Sessions, tasks and ``external_task_id`` are scoped per key.
    - ``probe(video_url_or_id) -> VideoInfo``: what init-selection reports; by default
      30 fps, 5000 ms, 1280x720. Videos outside the service's limits get ``status`` 1.
    - ``submit_seconds`` / ``job_seconds``: a task turns ``processing`` after the first and
      finishes after the second.
    - ``fail_when(body) -> reason | None``: fail tasks on purpose (a prompt containing
      ``SIMULATE_FAILURE`` always fails).
    - ``callback_sender(url, task)``: how callbacks go out (default: an HTTP POST with a short
      timeout); exceptions land in :attr:`callback_errors`.
    - ``max_active_tasks``: per key; one more create gets 429, code 1303.
    - ``result_size_bytes``: pad result videos to this size (streamed, still playable).
    - ``faults``: :class:`Faults` to inject; may be replaced at run time.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        clock: Callable[[], float] = time.time,
        probe: Callable[[str], VideoInfo] = _default_probe,
        submit_seconds: float = 0.3,
        job_seconds: float = 2.0,
        fail_when: Callable[[Mapping[str, Any]], str | None] | None = None,
        callback_sender: Callable[[str, dict[str, Any]], None] = _post_callback,
        max_active_tasks: int | None = None,
        result_size_bytes: int | None = None,
        faults: Faults | None = None,
    ) -> None:
        if not 0 <= submit_seconds <= job_seconds:
            raise ValueError("need 0 <= submit_seconds <= job_seconds")
        if result_size_bytes is not None:
            check_padded_size(result_size_bytes)
        self._api_key = api_key
        self._clock = clock
        self._probe = probe
        self._submit_seconds = submit_seconds
        self._job_seconds = job_seconds
        self._fail_when = fail_when
        self._send_callback = callback_sender
        self._max_active_tasks = max_active_tasks
        self._result_size_bytes = result_size_bytes
        self._lock = threading.Lock()
        self._delivery_lock = threading.Lock()
        self._faults = faults or Faults()
        self._rng = random.Random(self._faults.seed)
        self._requests: collections.Counter[str] = collections.Counter()
        self._sessions: dict[str, SimSession] = {}
        self._tasks: dict[str, SimTask] = {}
        self._task_order: list[SimTask] = []
        self._tasks_by_external_id: dict[tuple[str, str], SimTask] = {}
        self._active_until: dict[str, collections.deque[float]] = {}
        # (when, sequence, timeline step, task_id, callback_url) of the next callback each task
        # owes; one entry per task at a time, so its callbacks go out in order.
        self._callbacks_due: list[tuple[float, int, int, str, str]] = []
        self._callback_errors: list[tuple[str, Exception]] = []
        self._handlers: dict[str, Callable[[_Call], Any]] = {
            "init": self._init,
            "add": self._add,
            "delete": self._delete,
            "clear": self._clear,
            "preview": self._preview,
            "create": self._create,
            "get": self._get,
            "list": self._list,
        }

    @property
    def base_url(self) -> str:
        """The base URL for clients on :meth:`transport` / :meth:`async_transport`."""
        return IN_PROCESS_BASE_URL

    @property
    def clock(self) -> Callable[[], float]:
        """The clock the simulator reads (epoch seconds)."""
        return self._clock

    @property
    def faults(self) -> Faults:
        """The faults in force; assigning new ones restarts the random sequence from their seed."""
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    @property
    def tasks(self) -> tuple[SimTask, ...]:
        """Every task created, oldest first, with its request body and API key."""
        with self._lock:
            return tuple(self._task_order)

    @property
    def sessions(self) -> dict[str, SimSession]:
        """The sessions by id (a snapshot of the mapping; the sessions themselves are live)."""
        with self._lock:
            return dict(self._sessions)

    @property
    def requests(self) -> dict[str, int]:
        """How many requests each route key received, faulted ones included."""
        with self._lock:
            return dict(self._requests)

    @property
    def callback_errors(self) -> list[tuple[str, Exception]]:
        """``(callback_url, exception)`` for each callback that could not be delivered."""
        with self._lock:
            return list(self._callback_errors)

    def transport(self) -> SimulatorTransport:
        """An httpx transport, for `httpx.Client` or `httpx.AsyncClient`, that answers from this
        simulator in process."""
        from ._transports import SimulatorTransport

        return SimulatorTransport(self)

    # The one transport serves async clients too; this name stays for callers that say which.
    async_transport = transport

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str = IN_PROCESS_BASE_URL,
    ) -> SimResponse:
        """Answer one HTTP request: the sans-IO core under both transports and the server.

        ``path`` is the URL path (with or without ``/kling``), ``query`` the decoded query
        parameters, ``headers`` the request headers (names in any case), ``base_url`` where the
        caller reached the simulator (file URLs in answers point there). Runs :meth:`tick` first.
        """
        self.tick()
        request_id = str(uuid.uuid4())
        try:
            route, param = _resolve(method.upper(), path)
        except ApiError as exc:
            return _error_response(exc, request_id)
        with self._lock:
            self._requests[route] += 1
            settings = self._faults.for_route(route)
            fault = settings.draw(self._rng)
        delay = settings.latency
        if fault == "drop":
            return SimResponse(0, {}, delay=delay, fault=ConnectionFault.CONNECT_ERROR)
        if fault == "timeout":
            return SimResponse(
                0,
                {},
                delay=delay,
                fault=ConnectionFault.TIMEOUT,
                hang_seconds=settings.hang_seconds,
            )
        if fault in _FAULT_ERRORS:
            code, message, says_when = _FAULT_ERRORS[fault]
            response = _error_response(ApiError(code, message), request_id)
            headers = dict(response.headers)
            if says_when:
                headers["Retry-After"] = str(settings.retry_after)
            return attrs.evolve(response, headers=headers, delay=delay)
        call_base = base_url.rstrip("/")
        if route == "download":
            response = self._serve_file(param)
        else:
            response = self._answer(route, param, query, headers, body, call_base, request_id)
        lost = ConnectionFault.RESPONSE_LOST if fault == "lost" else None
        return attrs.evolve(response, delay=delay, fault=lost)

    def tick(self) -> None:
        """Send the callbacks that status changes up to now call for.

        Runs on every request, and every 0.1 s under the loopback server; tests with a
        :class:`FakeClock` call it after ``advance()``. Returns at once when another thread is
        already delivering, so requests never wait behind a slow callback endpoint.
        """
        if not self._delivery_lock.acquire(blocking=False):
            return
        try:
            for url, task in self._due_callbacks(self._clock()):
                try:
                    self._send_callback(url, task)
                except Exception as exc:  # any failure of a user's endpoint or sender is data
                    with self._lock:
                        self._callback_errors.append((url, exc))
        finally:
            self._delivery_lock.release()

    def _due_callbacks(self, now: float) -> list[tuple[str, dict[str, Any]]]:
        due = []
        with self._lock:
            queue = self._callbacks_due
            while queue and queue[0][0] <= now:
                when, sequence, step, task_id, url = heapq.heappop(queue)
                task = self._tasks[task_id]
                due.append((url, task.to_api(when, task.base_url)))
                timeline = task.timeline()
                if step + 1 < len(timeline):
                    entry = (timeline[step + 1][0], sequence, step + 1, task_id, url)
                    heapq.heappush(queue, entry)
        return due

    def _answer(
        self,
        route: str,
        param: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        base_url: str,
        request_id: str,
    ) -> SimResponse:
        try:
            api_key = self._authenticate(headers)
            data = self._handlers[route](
                _Call(api_key, param, query, body, base_url, self._clock())
            )
        except ApiError as exc:
            return _error_response(exc, request_id)
        envelope = {"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data}
        return _json_response(200, envelope, request_id)

    def _authenticate(self, headers: Mapping[str, str]) -> str:
        authorization = next(
            (value for name, value in headers.items() if name.lower() == "authorization"), ""
        )
        scheme, _, key = authorization.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise ApiError(1000, "authentication failed: send Authorization: Bearer <api key>")
        if self._api_key is not None and key != self._api_key:
            raise ApiError(1001, "authentication failed: the API key is not valid")
        return key

    def _live_session(self, call: _Call, session_id: str) -> SimSession:
        """The caller's session; hold the lock. Other keys' sessions do not exist for them."""
        session = self._sessions.get(session_id)
        if session is None or session.api_key != call.api_key:
            raise ApiError(1203, f"session {session_id} does not exist")
        if session.expired(call.now):
            raise ApiError(1203, f"session {session_id} has expired (sessions last 24 hours)")
        return session

    def _init(self, call: _Call) -> dict[str, Any]:
        body = call.json()
        url, video_id = body.get("video_url"), body.get("video_id")
        if (url is None) == (video_id is None):
            raise invalid("send exactly one of video_url and video_id")
        if url is not None:
            _rules.check_video_url(_rules.required_str(body, "video_url"))
            source = url
        else:
            source = _rules.required_str(body, "video_id")
        info = self._probe(source)
        accepted = not _rules.video_problems(info)
        session_id = str(uuid.uuid4())
        if accepted:
            # A rejected video gets no usable session: follow-up calls with its id answer 1203.
            with self._lock:
                self._sessions[session_id] = SimSession(
                    session_id, call.api_key, call.now, source, info
                )
        return {
            "session_id": session_id,
            "fps": float(info.fps),
            "original_duration": info.duration_ms,
            "width": info.width,
            "height": info.height,
            "total_frame": info.total_frame,
            "normalized_video": f"{call.base_url}/files/sessions/{session_id}/normalized.mp4",
            "status": 0 if accepted else 1,
            "final_unit_deduction": "0.2" if accepted else "0",
        }

    def _add(self, call: _Call) -> dict[str, Any]:
        return self._change_selection(call, adding=True)

    def _delete(self, call: _Call) -> dict[str, Any]:
        return self._change_selection(call, adding=False)

    def _change_selection(self, call: _Call, *, adding: bool) -> dict[str, Any]:
        body = call.json()
        session_id = _rules.required_str(body, "session_id")
        points = _rules.parse_points(body.get("points"))
        with self._lock:
            session = self._live_session(call, session_id)
            video = session.video
            frame = _rules.parse_frame_index(body.get("frame_index"), video.total_frame)
            marked = session.marks.get(frame, [])
            if adding:
                if not marked and len(session.marks) >= _rules.MAX_MARKED_FRAMES:
                    raise invalid(
                        f"at most {_rules.MAX_MARKED_FRAMES} frames can be marked per session"
                    )
                updated = list(marked)
                updated += [point for point in dict.fromkeys(points) if point not in marked]
            else:
                missing = [point for point in points if point not in marked]
                if missing:
                    raise invalid(
                        f"points {missing} were never added on frame {frame}: delete-selection "
                        "takes exactly the points add-selection got"
                    )
                updated = [point for point in marked if point not in points]
            if updated:
                session.marks[frame] = updated
            else:
                session.marks.pop(frame, None)
        masks = rle_mask_list(video.height, video.width, tuple(updated))
        return {"status": 0, "res": {"frame_index": frame, "rle_mask_list": masks}}

    def _clear(self, call: _Call) -> dict[str, Any]:
        session_id = _rules.required_str(call.json(), "session_id")
        with self._lock:
            self._live_session(call, session_id).marks.clear()
        return {"status": 0}

    def _preview(self, call: _Call) -> dict[str, Any]:
        session_id = _rules.required_str(call.json(), "session_id")
        with self._lock:
            if not self._live_session(call, session_id).marks:
                raise invalid("mark at least one point (add-selection) before previewing")
        files = f"{call.base_url}/files/sessions/{session_id}"
        return {
            "status": 0,
            "res": {
                "video": f"{files}/preview.mp4",
                "video_cover": f"{files}/cover.png",
                "tracking_output": f"{files}/tracking.png",
            },
        }

    def _create(self, call: _Call) -> dict[str, Any]:
        body = call.json()
        _rules.check_create_body(body)
        if "SIMULATE_FAILURE" in body["prompt"]:
            failure: str | None = "the prompt asked for a simulated failure (SIMULATE_FAILURE)"
        else:
            failure = self._fail_when(body) if self._fail_when else None
        with self._lock:
            session = self._live_session(call, body["session_id"])
            _rules.check_duration_fits(body, session.video.duration_ms)
            external_id = body.get("external_task_id")
            if (
                external_id is not None
                and (call.api_key, external_id) in self._tasks_by_external_id
            ):
                raise invalid(f"external_task_id already exists: {external_id}")
            active = self._active_until.setdefault(call.api_key, collections.deque())
            while active and active[0] <= call.now:
                active.popleft()
            if self._max_active_tasks is not None and len(active) >= self._max_active_tasks:
                raise ApiError(
                    1303, f"concurrency limit exceeded: {len(active)} tasks are still running"
                )
            task = SimTask(
                task_id=str(uuid.uuid4()),
                api_key=call.api_key,
                body=body,
                created=call.now,
                submit_seconds=self._submit_seconds,
                job_seconds=self._job_seconds,
                failure=failure,
                base_url=call.base_url,
            )
            self._tasks[task.task_id] = task
            self._task_order.append(task)
            if external_id is not None:
                self._tasks_by_external_id[call.api_key, external_id] = task
            active.append(task.finished)
            if task.callback_url is not None:
                entry = (task.created, len(self._task_order), 0, task.task_id, task.callback_url)
                heapq.heappush(self._callbacks_due, entry)
        return task.to_api(call.now, call.base_url)

    def _get(self, call: _Call) -> dict[str, Any]:
        # The path takes a task_id or, failing that, the caller's own external_task_id: the
        # client relies on the latter to recover a create whose answer was lost. UNSURE on the
        # real service's form; task ids win when both match.
        with self._lock:
            task = self._tasks.get(call.param)
            if task is None or task.api_key != call.api_key:
                task = self._tasks_by_external_id.get((call.api_key, call.param))
        if task is None:
            raise ApiError(1203, f"task {call.param} does not exist")
        return task.to_api(call.now, call.base_url)

    def _list(self, call: _Call) -> list[dict[str, Any]]:
        page = _page_param(call.query, "pageNum", 1, 1000)
        size = _page_param(call.query, "pageSize", 30, 500)
        with self._lock:
            own = [task for task in reversed(self._task_order) if task.api_key == call.api_key]
        chosen = own[(page - 1) * size : page * size]
        return [task.to_api(call.now, call.base_url) for task in chosen]

    def _serve_file(self, name: str) -> SimResponse:
        kind, _, rest = name.partition("/")
        now = self._clock()
        if kind == "results" and rest.endswith(".mp4"):
            return self._serve_result(rest.removesuffix(".mp4"), now)
        session_id, _, file_name = rest.partition("/")
        with self._lock:
            session = self._sessions.get(session_id) if kind == "sessions" else None
            marks = sorted(session.marks.items()) if session else []
        if session is None or session.expired(now):
            return _text_response(404, "Not Found: no such file")
        if file_name in ("normalized.mp4", "preview.mp4"):
            return _file_response("video/mp4", asset_bytes(SAMPLE_VIDEO))
        if file_name == "cover.png":
            return _file_response("image/png", asset_bytes(SAMPLE_COVER))
        if file_name == "tracking.png":
            # The mask of the first marked frame, as the selection stands when it is fetched.
            points = tuple(marks[0][1]) if marks else ()
            video = session.video
            return _file_response(
                "image/png", encoded_selection(video.height, video.width, points)[1]
            )
        return _text_response(404, "Not Found: no such file")

    def _serve_result(self, task_id: str, now: float) -> SimResponse:
        with self._lock:
            task = self._tasks.get(task_id)
        if task is None or task.status_at(now)[1] != "succeed":
            return _text_response(404, "Not Found: no such result video")
        if now >= task.finished + RESULT_LIFETIME_SECONDS:
            return _text_response(
                404, "Not Found: this result video expired (results are deleted after 30 days)"
            )
        return _stream_response("video/mp4", *padded_video(self._result_size_bytes))


def _page_param(query: Mapping[str, str], name: str, default: int, most: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise invalid(f"{name} must be an integer from 1 to {most}")
    return int(raw)


def _json_response(status: int, envelope: dict[str, Any], request_id: str) -> SimResponse:
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": _JSON,
        "Content-Length": str(len(body)),
        "X-Request-Id": request_id,
    }
    return SimResponse(status, headers, body)


def _error_response(error: ApiError, request_id: str) -> SimResponse:
    envelope = {
        "code": error.code,
        "message": error.message,
        "request_id": request_id,
        "data": None,
    }
    return _json_response(error.http_status, envelope, request_id)


def _text_response(status: int, text: str) -> SimResponse:
    body = text.encode()
    headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))}
    return SimResponse(status, headers, body)


def _stream_response(content_type: str, length: int, body: bytes | Iterable[bytes]) -> SimResponse:
    return SimResponse(200, {"Content-Type": content_type, "Content-Length": str(length)}, body)


def _file_response(content_type: str, body: bytes) -> SimResponse:
    return _stream_response(content_type, len(body), body)
