"""The API's eight routes: each request's rules and answer, over the sessions and tasks they keep.

All of that state is guarded by the simulator's one lock; nothing else lives here (faults and
authentication are the `Simulator`'s, files `_files`', callbacks `_callbacks`').
"""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from . import _rules
from ._billing import STEP_UNITS, cost_fields, numeric_id, task_units
from ._callbacks import CallbackSchedule
from ._rules import broken, invalid
from ._selection import object_mask_list
from ._state import SimSession, SimTask, VideoInfo

_API = "/v1/videos/multi-elements"
_ACTIONS = {
    "init-selection": "init",
    "add-selection": "add",
    "delete-selection": "delete",
    "clear-selection": "clear",
    "preview-selection": "preview",
}
FILES = "/files/"


def resolve(method: str, path: str) -> tuple[str, str]:
    """``(route key, path parameter)``; the ``/kling`` prefix (CometAPI) is optional."""
    if path.startswith("/kling/"):
        path = path.removeprefix("/kling")
    allowed: tuple[str, ...]
    if path.startswith(FILES):
        route, param, allowed = "download", path.removeprefix(FILES), ("GET",)
    elif path == _API:
        route, param, allowed = ("list" if method == "GET" else "create"), "", ("GET", "POST")
    else:
        param = path.removeprefix(_API + "/")
        if param == path or not param or "/" in param:
            raise broken("R30", f"no such route: {path}")
        route, allowed = (_ACTIONS[param], ("POST",)) if param in _ACTIONS else ("get", ("GET",))
    if method not in allowed:
        raise broken("R30", f"{method} is not allowed here, use {' or '.join(allowed)}")
    return route, param


@attrs.frozen
class Call:
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


class Routes:
    """The route handlers and what they keep: sessions, tasks, and each key's running tasks."""

    def __init__(
        self,
        lock: threading.Lock,
        callbacks: CallbackSchedule,
        *,
        probe: Callable[[str], VideoInfo],
        submit_seconds: float,
        job_seconds: float,
        fail_when: Callable[[Mapping[str, Any]], str | None] | None,
        max_active_tasks: int | None,
        refuse_duplicate_external_id: bool,
        get_by_external_id: bool,
    ) -> None:
        self.lock = lock
        self._callbacks = callbacks
        self._probe = probe
        self._submit_seconds = submit_seconds
        self._job_seconds = job_seconds
        self._fail_when = fail_when
        self._max_active_tasks = max_active_tasks
        self._refuse_duplicate_external_id = refuse_duplicate_external_id
        self._get_by_external_id = get_by_external_id
        self.sessions: dict[str, SimSession] = {}
        self.tasks: dict[str, SimTask] = {}
        self.task_order: list[SimTask] = []
        self._tasks_by_external_id: dict[tuple[str, str], SimTask] = {}
        self._active_until: dict[str, collections.deque[float]] = {}
        self.units_charged: collections.defaultdict[str, Decimal] = collections.defaultdict(Decimal)
        self._handlers: dict[str, Callable[[Call], Any]] = {
            "init": self._init,
            "add": self._add,
            "delete": self._delete,
            "clear": self._clear,
            "preview": self._preview,
            "create": self._create,
            "get": self._get,
            "list": self._list,
        }

    def answer(self, route: str, call: Call) -> Any:
        """The `data` of a successful answer to `call` on `route`; raises ApiError."""
        return self._handlers[route](call)

    def _charge(self, call: Call, units: Decimal) -> dict[str, Any]:
        """Book ``units`` to the caller; answer the cost fields that say so."""
        with self.lock:
            self.units_charged[call.api_key] += units
        return cost_fields(units)

    def _session_step(self, call: Call, route: str, session_id: str) -> dict[str, Any]:
        """The fields every successful session step answers besides its own."""
        return {"status": 0, "session_id": session_id, **self._charge(call, STEP_UNITS[route])}

    def _live_session(self, call: Call, session_id: str) -> SimSession:
        """The caller's session; hold the lock. Other keys' sessions do not exist for them."""
        session = self.sessions.get(session_id)
        if session is None or session.api_key != call.api_key:
            raise broken("R7", f"session {session_id} does not exist")
        if session.expired(call.now):
            raise broken("R7", f"session {session_id} has expired (sessions last 24 hours)")
        return session

    def _init(self, call: Call) -> dict[str, Any]:
        field, source = _rules.video_source(call.json())
        info = self._probe(source)
        # A link the service cannot fetch is a rejected video (non-zero status), not a refusal:
        # no document makes the URL's shape a request rule.
        fetchable = field != "video_url" or _rules.is_http_url(source)
        accepted = fetchable and not _rules.video_problems(info)
        session_id = numeric_id()
        if accepted:
            # A rejected video gets no usable session: follow-up calls with its id answer 1203.
            with self.lock:
                self.sessions[session_id] = SimSession(
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
            **self._charge(call, STEP_UNITS["init"] if accepted else Decimal("0")),
        }

    def _add(self, call: Call) -> dict[str, Any]:
        return self._change_selection(call, adding=True)

    def _delete(self, call: Call) -> dict[str, Any]:
        return self._change_selection(call, adding=False)

    def _change_selection(self, call: Call, *, adding: bool) -> dict[str, Any]:
        body = call.json()
        session_id = _rules.required_str(body, "session_id")
        points = _rules.parse_points(body.get("points"))
        with self.lock:
            session = self._live_session(call, session_id)
            video = session.video
            frame = _rules.parse_frame_index(body.get("frame_index"), video.total_frame)
            marked = session.marks.get(frame, [])
            if adding:
                if not marked and len(session.marks) >= _rules.MAX_MARKED_FRAMES:
                    limit = _rules.MAX_MARKED_FRAMES
                    raise broken("R12", f"at most {limit} frames can be marked per session")
                updated = list(marked)
                updated += [point for point in dict.fromkeys(points) if point not in marked]
                if len(updated) > _rules.MAX_POINTS_PER_FRAME:
                    raise broken(
                        "R11",
                        f"at most {_rules.MAX_POINTS_PER_FRAME} points on one frame: frame {frame}"
                        f" holds {len(marked)}, this call adds {len(updated) - len(marked)}",
                    )
            else:
                missing = [point for point in points if point not in marked]
                if missing:
                    raise broken(
                        "R13",
                        f"points {missing} were never added on frame {frame}: delete-selection "
                        "takes exactly the points add-selection got",
                    )
                updated = [point for point in marked if point not in points]
            if updated:
                session.marks[frame] = updated
            else:
                session.marks.pop(frame, None)
        masks = object_mask_list(
            video.height, video.width, video.total_frame, frame, tuple(updated)
        )
        step = self._session_step(call, "add" if adding else "delete", session_id)
        return {**step, "res": {"frame_index": frame, "rle_mask_list": masks}}

    def _clear(self, call: Call) -> dict[str, Any]:
        session_id = _rules.required_str(call.json(), "session_id")
        with self.lock:
            self._live_session(call, session_id).marks.clear()
        return self._session_step(call, "clear", session_id)

    def _preview(self, call: Call) -> dict[str, Any]:
        # No document says a preview needs a marked point: an empty selection previews as is.
        session_id = _rules.required_str(call.json(), "session_id")
        with self.lock:
            self._live_session(call, session_id)
        files = f"{call.base_url}/files/sessions/{session_id}"
        return {
            **self._session_step(call, "preview", session_id),
            "res": {
                "video": f"{files}/preview.mp4",
                "video_cover": f"{files}/cover.png",
                "tracking_output": f"{files}/tracking.png",
            },
        }

    def _create(self, call: Call) -> dict[str, Any]:
        body = call.json()
        _rules.check_create_body(body)
        if "SIMULATE_FAILURE" in body["prompt"]:
            failure: str | None = "the prompt asked for a simulated failure (SIMULATE_FAILURE)"
        else:
            failure = self._fail_when(body) if self._fail_when else None
        with self.lock:
            session = self._live_session(call, body["session_id"])
            _rules.check_duration_fits(body, session.video.duration_ms)
            external_id = _rules.given(body, "external_task_id")
            if (
                self._refuse_duplicate_external_id
                and external_id is not None
                and (call.api_key, external_id) in self._tasks_by_external_id
            ):
                raise invalid(f"external_task_id already exists: {external_id}")
            active = self._active_until.setdefault(call.api_key, collections.deque())
            while active and active[0] <= call.now:
                active.popleft()
            if self._max_active_tasks is not None and len(active) >= self._max_active_tasks:
                raise broken(
                    "R28", f"concurrency limit exceeded: {len(active)} tasks are still running"
                )
            task = SimTask(
                task_id=numeric_id(),
                api_key=call.api_key,
                body=body,
                created=call.now,
                submit_seconds=self._submit_seconds,
                job_seconds=self._job_seconds,
                failure=failure,
                base_url=call.base_url,
                units=task_units(body),
            )
            self.units_charged[call.api_key] += task.units
            self.tasks[task.task_id] = task
            self.task_order.append(task)
            if external_id is not None:
                # Accepting duplicates, the id keeps naming its first task.
                self._tasks_by_external_id.setdefault((call.api_key, external_id), task)
            active.append(task.finished)
            if task.callback_url is not None:
                self._callbacks.schedule(task, len(self.task_order))
        return task.to_api(call.now, call.base_url)

    def _get(self, call: Call) -> dict[str, Any]:
        # The path takes a task_id or, failing that, the caller's own external_task_id: the
        # client relies on the latter to recover a create whose answer was lost. UNSURE on the
        # real service's form; task ids win when both match.
        with self.lock:
            task = self.tasks.get(call.param)
            if task is not None and task.api_key != call.api_key:
                task = None
            if task is None and self._get_by_external_id:
                task = self._tasks_by_external_id.get((call.api_key, call.param))
        if task is None:
            raise broken("R30", f"task {call.param} does not exist", code=1203)
        return task.to_api(call.now, call.base_url)

    def _list(self, call: Call) -> list[dict[str, Any]]:
        page = _page_param(call.query, "pageNum", 1, _rules.PAGE_NUM_MAX)
        size = _page_param(call.query, "pageSize", 30, _rules.PAGE_SIZE_MAX)
        with self.lock:
            own = [task for task in reversed(self.task_order) if task.api_key == call.api_key]
        chosen = own[(page - 1) * size : page * size]
        return [task.to_api(call.now, call.base_url) for task in chosen]


def _page_param(query: Mapping[str, str], name: str, default: int, most: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise broken("R27", f"{name} must be an integer from 1 to {most}")
    return int(raw)
