"""The sans-IO core shared by `KlingEdit` and `AsyncKlingEdit`.

Everything here is pure: building requests from typed arguments (through the generated
`kling_edit_api` operations), reading answers into models or errors, and the multi-step flows
(retrying, creating a task exactly once, waiting, finding a task by external id). A flow is a
generator that yields `Send` and `Sleep` steps and receives the answers; the two clients run the
same flows, one with blocking I/O and one with `await`, so each rule exists and is tested once.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from typing import Any, Generic, TypedDict, TypeVar

import httpx
from attrs import evolve, field, frozen

from kling_edit_api.types import Unset

from . import _rules
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    BadRequestError,
    KlingEditError,
    NotFoundError,
    TaskFailedError,
    VideoRejectedError,
    WaitTimeoutError,
    error_from_envelope,
)
from ._media import ImageInput, prepare_image
from ._models import ObjectMask, Preview, Selection, Session, Task, TaskVideo, seconds, timestamp

T = TypeVar("T")

# Codes and statuses that say "try again later" rather than "this request is wrong".
RETRY_CODES = frozenset({1302, 1303, 5000, 5001, 5002})
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# The only codes that prove a request was refused before it did anything: safe to resend even a
# call that is not idempotent (init-selection is billed).
REFUSED_CODES = frozenset({1302, 1303})
# How far back to page through the task list when the service will not look a task up by its
# external id directly (tasks are listed newest first; a just-created task is on page one).
LOOKUP_PAGES = 4
LOOKUP_PAGE_SIZE = 100


@frozen
class Operation(Generic[T]):
    """One API call: what to send and how to read the answer."""

    name: str
    method: str
    path: str
    parse: Callable[[httpx.Response], T] = field(repr=False)
    json: Mapping[str, Any] | None = field(default=None, repr=False)
    params: Mapping[str, Any] | None = None
    # False for calls with effects that a resend would repeat (init-selection is billed): those
    # are retried only when the service proves it did nothing (connection refused, rate limit).
    replay_safe: bool = True


class RequestOptions(TypedDict, total=False):
    """Per-call overrides accepted by every API method."""

    timeout: float | httpx.Timeout
    max_retries: int
    extra_headers: Mapping[str, str]


@frozen
class CallOptions:
    """Per-call settings: the client's defaults, overridden per method call."""

    timeout: float | httpx.Timeout | None
    max_retries: int
    headers: Mapping[str, str] = field(factory=dict)
    extra_body: Mapping[str, Any] = field(factory=dict)


@frozen
class Send:
    """Step: send `operation` once and resume the flow with the httpx.Response (or its error)."""

    operation: Operation[Any]
    options: CallOptions
    attempt: int = 0


@frozen
class Sleep:
    """Step: pause for `seconds`, then resume the flow."""

    seconds: float


Flow = Generator[Send | Sleep, Any, T]


class FlowDriver(Generic[T]):
    """Runs a flow step by step for a client: what both clients share of running one.

    `next_step()` answers the next Send or Sleep (None once the flow has finished, its value in
    `result`); the client performs it and reports back with `answer()` or `fail()`.
    """

    result: T  # set once next_step() answers None

    def __init__(self, flow: Flow[T]) -> None:
        self._flow = flow
        self._value: Any = None
        self._error: BaseException | None = None

    def next_step(self) -> Send | Sleep | None:
        try:
            if self._error is None:
                return self._flow.send(self._value)
            return self._flow.throw(self._error)
        except StopIteration as stop:
            self.result = stop.value
            return None
        finally:
            self._value = self._error = None

    def answer(self, value: Any) -> None:
        self._value = value

    @property
    def answered(self) -> Any:
        """What the current step was answered with (None while it has no answer)."""
        return self._value

    def fail(self, error: BaseException) -> None:
        self._error = error


@frozen
class RetryPolicy:
    """Exponential back-off with jitter that honours Retry-After (as openai-python does)."""

    initial: float = 0.5
    maximum: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        # A server-given wait within reason wins; a larger one is ignored in favour of back-off
        # so that one bad header cannot stall a caller for hours.
        if retry_after is not None and 0 <= retry_after <= self.max_retry_after:
            return retry_after
        base = min(self.initial * 2.0**attempt, self.maximum)
        return base * (1 - self.jitter * random.random())


@frozen
class PollSchedule:
    """How wait() spaces its polls: fast at first, then settling at `maximum` seconds.

    The defaults poll at 0, 2, 6, 11, 16... s: a quick first look, then the settled pace, so a
    task of a minute or more costs at most ~15% more polls than a fixed 5 s poller.
    """

    first: float = 2.0
    factor: float = 2.0
    maximum: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield min(delay, self.maximum)
            delay *= self.factor


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked to wait, from `Retry-After` (seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        import email.utils  # rare path; the email package is slow to import

        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except ValueError:  # neither seconds nor a date: fall back to the back-off
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


def connection_error(error: httpx.RequestError) -> APIConnectionError:
    """Translate an httpx transport failure, noting whether the request may have been processed."""
    # A connect failure or a pool timeout means nothing left this process; any later failure may
    # come after the service acted on the request.
    refused = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    kind = type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({kind})", maybe_delivered=not refused)
    return APIConnectionError(f"connection failed ({kind}: {error})", maybe_delivered=not refused)


def maybe_delivered(error: KlingEditError) -> bool:
    """Could the service have acted on the request that ended in `error`?"""
    if isinstance(error, APIConnectionError):
        return error.maybe_delivered
    # A 2xx answer that cannot be read still means the service did the work.
    return isinstance(error, APIResponseValidationError) or (
        isinstance(error, APIError) and (error.status_code or 0) >= 500
    )


def is_retryable(error: KlingEditError, replay_safe: bool) -> bool:
    if isinstance(error, APIConnectionError):
        return replay_safe or not error.maybe_delivered
    if not isinstance(error, APIError):
        return False
    if error.code in RETRY_CODES or (error.code is None and error.status_code in RETRY_STATUSES):
        return replay_safe or error.code in REFUSED_CODES or error.status_code == 429
    return False


def call(
    operation: Operation[T],
    options: CallOptions,
    policy: RetryPolicy,
    trail: list[KlingEditError] | None = None,
) -> Flow[T]:
    """Send `operation`, retrying what may be retried; `trail` collects every failed attempt."""
    for attempt in itertools.count():
        try:
            response = yield Send(operation, options, attempt)
            return operation.parse(response)
        except httpx.RequestError as transport_error:
            error: KlingEditError = connection_error(transport_error)
            cause: BaseException = transport_error
        except APIError as api_error:
            error = cause = api_error
        if trail is not None:
            trail.append(error)
        if attempt >= options.max_retries or not is_retryable(error, operation.replay_safe):
            if error is cause:
                raise error
            raise error from cause
        wait = (
            retry_after(error.response) if isinstance(error, APIError) and error.response else None
        )
        yield Sleep(policy.delay(attempt, wait))
    raise AssertionError("unreachable")  # itertools.count() never ends


# ---------------------------------------------------------------------------------------------
# Reading answers


def _envelope_data(response: httpx.Response, envelope: Any) -> tuple[Any, Any]:
    """Check the status and `code`, then read the body with a generated envelope model."""
    request_id = response.headers.get("x-request-id")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.is_success or not isinstance(body, dict) or body.get("code", 0) != 0:
        if response.is_success and not isinstance(body, dict):
            raise APIResponseValidationError(
                "the service answered with a body that is not a JSON envelope",
                status_code=response.status_code,
                code=None,
                request_id=request_id,
                response=response,
                body=response.text[:500],
            )
        raise error_from_envelope(
            response.status_code, body, response=response, request_id=request_id
        )
    try:
        parsed = envelope.from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise APIResponseValidationError(
            f"the service's answer does not match the spec ({type(error).__name__}: {error})",
            status_code=response.status_code,
            code=0,
            request_id=body.get("request_id") or request_id,
            response=response,
            body=body,
        ) from error
    return parsed.data, body.get("data")


def _value(value: Any) -> Any:
    """None for the generator's UNSET sentinel, else the value."""
    return None if isinstance(value, Unset) else value


def task_from_api(task: Any, raw: Any, response: httpx.Response | None) -> Task:
    """Build a Task from a generated `Task` model (or the create answer's `CreatedTask`)."""
    info, result = (
        _value(getattr(task, "task_info", None)),
        _value(getattr(task, "task_result", None)),
    )
    videos = tuple(
        TaskVideo(
            url=_value(video.url), id=_value(video.id), duration=seconds(_value(video.duration))
        )
        for video in (_value(result.videos) or [] if result is not None else [])
        if isinstance(_value(video.url), str)
    )
    task_id, status = _value(task.task_id), _value(task.task_status)
    if not isinstance(task_id, str) or not task_id:
        raise ValueError("the task has no task_id")
    return Task(
        task_id=task_id,
        status=status if isinstance(status, str) else "unknown",
        status_message=_value(getattr(task, "task_status_msg", None)) or None,
        external_task_id=_value(info.external_task_id) if info is not None else None,
        created_at=timestamp(_value(task.created_at)),
        updated_at=timestamp(_value(task.updated_at)),
        videos=videos,
        raw=raw if isinstance(raw, dict) else {},
        http_response=response,
    )


def _as_validation_error(response: httpx.Response, body: Any, error: Exception) -> APIError:
    return APIResponseValidationError(
        f"the service's answer cannot be read ({error})",
        status_code=response.status_code,
        code=0,
        request_id=response.headers.get("x-request-id"),
        response=response,
        body=body,
    )


def _parse_task(response: httpx.Response) -> Task:
    from kling_edit_api.models import TaskEnvelope

    data, raw = _envelope_data(response, TaskEnvelope)
    try:
        return task_from_api(data, raw, response)
    except ValueError as error:
        raise _as_validation_error(response, raw, error) from error


def _parse_task_list(response: httpx.Response) -> list[Task]:
    from kling_edit_api.models import TaskListEnvelope

    data, raw = _envelope_data(response, TaskListEnvelope)
    try:
        # The generated model iterates whatever `data` is: an empty object would read as [].
        if not isinstance(raw, list):
            raise ValueError("data is not a list of tasks")
        return [task_from_api(task, item, response) for task, item in zip(data, raw, strict=True)]
    except ValueError as error:
        raise _as_validation_error(response, raw, error) from error


def parse_callback(body: bytes | str | Mapping[str, Any]) -> Task:
    """Read the body of a callback POST (the task object the service sends) as a `Task`.

    Accepts the raw bytes or text of the request, or the already-decoded JSON object; an
    envelope (`{"code", "data"}`) around the task is unwrapped.
    """
    from kling_edit_api.models import Task as ApiTask

    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError as error:
            raise APIResponseValidationError(
                "callback body is not JSON", status_code=None, code=None, request_id=None
            ) from error
    if not isinstance(body, Mapping):
        raise APIResponseValidationError(
            "callback body is not a JSON object", status_code=None, code=None, request_id=None
        )
    data = body.get("data") if "code" in body and isinstance(body.get("data"), dict) else body
    try:
        return task_from_api(ApiTask.from_dict(data), data, None)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise APIResponseValidationError(
            f"not a task callback body ({type(error).__name__}: {error})",
            status_code=None,
            code=None,
            request_id=None,
            body=body,
        ) from error


# ---------------------------------------------------------------------------------------------
# What the client remembers of the sessions it has seen, to check frame rules locally.


@frozen
class _SessionFacts:
    total_frame: int | None
    original_duration_ms: int | None
    # The points added on each marked frame: a frame whose points are all deleted is no longer
    # marked (delete-selection takes exactly the points add-selection got).
    marked_frames: Mapping[int, frozenset[tuple[float, float]]] = field(factory=dict)


class SessionBook:
    """Facts of recently seen sessions (bounded): total_frame, duration, marked frames."""

    def __init__(self, capacity: int = 4096) -> None:
        self._facts: OrderedDict[str, _SessionFacts] = OrderedDict()
        self._capacity = capacity

    def remember(self, session: Session) -> None:
        self._put(
            session.session_id, _SessionFacts(session.total_frame, session.original_duration_ms)
        )

    def _put(self, session_id: str, facts: _SessionFacts) -> None:
        self._facts[session_id] = facts
        self._facts.move_to_end(session_id)
        while len(self._facts) > self._capacity:
            self._facts.popitem(last=False)

    def check_frame(self, session_id: str, frame_index: int, *, adding: bool) -> None:
        facts = self._facts.get(session_id)
        if facts is None:
            return
        if facts.total_frame is not None and frame_index >= facts.total_frame:
            raise _rules.fail(
                "frame_index",
                f"must be below the session's total_frame ({facts.total_frame}), got {frame_index}",
            )
        if (
            adding
            and frame_index not in facts.marked_frames
            and (len(facts.marked_frames) >= _rules.MAX_FRAMES_PER_SESSION)
        ):
            raise _rules.fail(
                "frame_index",
                f"a session can mark at most {_rules.MAX_FRAMES_PER_SESSION} frames; this one"
                f" already marked {sorted(facts.marked_frames)}",
            )

    def mark(
        self,
        session_id: str,
        frame_index: int,
        points: frozenset[tuple[float, float]],
        *,
        adding: bool,
    ) -> None:
        facts = self._facts.get(session_id)
        if facts is None:
            return
        frames = dict(facts.marked_frames)
        kept = frames.pop(frame_index, frozenset())
        kept = kept | points if adding else kept - points
        if kept:
            frames[frame_index] = kept
        self._put(session_id, evolve(facts, marked_frames=frames))

    def clear(self, session_id: str) -> None:
        facts = self._facts.get(session_id)
        if facts is not None:
            self._put(session_id, evolve(facts, marked_frames={}))

    def duration_ms(self, session_id: str) -> int | None:
        facts = self._facts.get(session_id)
        return facts.original_duration_ms if facts is not None else None


# ---------------------------------------------------------------------------------------------
# Operations: validate arguments, build the body with the generated models, say how to parse.


def _kwargs(module: Any, **arguments: Any) -> tuple[str, str, Any, Any]:
    # The generated `_get_kwargs` is the one place that knows each route's method, path and body
    # encoding; the generator is pinned, so this private hook is stable (tests/test_core.py).
    built = module._get_kwargs(**arguments)
    return built["method"].upper(), built["url"], built.get("json"), built.get("params")


def init_session(video_url: object, video_id: object, book: SessionBook) -> Operation[Session]:
    from kling_edit_api.api.default import init_selection
    from kling_edit_api.models import InitSelectionEnvelope, InitSelectionRequest
    from kling_edit_api.types import UNSET

    if (video_url is None) == (video_id is None):
        raise _rules.fail("video_url", "pass exactly one of video_url or video_id")
    body = InitSelectionRequest(
        video_url=_rules.check_video_url(video_url) if video_url is not None else UNSET,
        video_id=_rules.require_str("video_id", video_id) if video_id is not None else UNSET,
    )

    def parse(response: httpx.Response) -> Session:
        data, raw = _envelope_data(response, InitSelectionEnvelope)
        session = Session(
            session_id=data.session_id,
            status=_value(data.status) or 0,
            fps=_value(data.fps),
            original_duration_ms=_value(data.original_duration),
            width=_value(data.width),
            height=_value(data.height),
            total_frame=_value(data.total_frame),
            normalized_video_url=_value(data.normalized_video),
            final_unit_deduction=_value(data.final_unit_deduction),
            raw=raw,
            http_response=response,
        )
        if session.status != 0:
            problems = _rules.video_problems(
                session.fps, session.width, session.height, session.original_duration_ms
            )
            reason = "; ".join(problems) if problems else "the service gave no reason"
            # `raw` is the data object; the request id sits on the envelope (or the header).
            envelope = response.json()
            raise VideoRejectedError(
                f"the source video was rejected (status {session.status}): {reason}",
                status_code=response.status_code,
                code=session.status,
                request_id=envelope.get("request_id") or response.headers.get("x-request-id"),
                response=response,
                body=raw,
            )
        book.remember(session)
        return session

    method, path, body_json, _ = _kwargs(init_selection, body=body)
    return Operation("init_selection", method, path, parse, json=body_json, replay_safe=False)


def change_selection(
    action: str, session_id: object, frame_index: object, points: object, book: SessionBook
) -> Operation[Selection]:
    """add-selection or delete-selection (`action` is "add" or "delete")."""
    from kling_edit_api.api.default import add_selection, delete_selection
    from kling_edit_api.models import Point, SelectionEnvelope, SelectionRequest

    sid = _rules.require_str("session_id", session_id)
    frame = _rules.require_int("frame_index", frame_index, low=0)
    checked = _rules.check_points(points)
    book.check_frame(sid, frame, adding=action == "add")
    body = SelectionRequest(
        session_id=sid, frame_index=frame, points=[Point(x=p["x"], y=p["y"]) for p in checked]
    )

    def parse(response: httpx.Response) -> Selection:
        data, raw = _envelope_data(response, SelectionEnvelope)
        res = _value(data.res)
        book.mark(sid, frame, frozenset((p["x"], p["y"]) for p in checked), adding=action == "add")
        return Selection(
            session_id=sid,
            frame_index=_value(res.frame_index)
            if res is not None and _value(res.frame_index) is not None
            else frame,
            objects=tuple(
                _object_mask(item)
                for item in (_value(res.rle_mask_list) or [] if res is not None else [])
            ),
            status=data.status,
            raw=raw,
            http_response=response,
        )

    module = add_selection if action == "add" else delete_selection
    method, path, body_json, _ = _kwargs(module, body=body)
    return Operation(f"{action}_selection", method, path, parse, json=body_json)


def _object_mask(item: Any) -> ObjectMask:
    rle, png = _value(item.rle_mask), _value(item.png_mask)
    size = rle.size if rle is not None else (png.size if png is not None else None)
    return ObjectMask(
        object_id=item.object_id,
        size=(int(size[0]), int(size[1])) if size is not None and len(size) == 2 else None,
        rle_counts=rle.counts if rle is not None else None,
        png_base64=png.base64 if png is not None else None,
    )


def clear_selection(session_id: object, book: SessionBook) -> Operation[None]:
    from kling_edit_api.api.default import clear_selection as api
    from kling_edit_api.models import ClearSelectionEnvelope, SessionRequest

    sid = _rules.require_str("session_id", session_id)

    def parse(response: httpx.Response) -> None:
        _envelope_data(response, ClearSelectionEnvelope)
        book.clear(sid)

    method, path, body_json, _ = _kwargs(api, body=SessionRequest(session_id=sid))
    return Operation("clear_selection", method, path, parse, json=body_json)


def preview_selection(session_id: object) -> Operation[Preview]:
    from kling_edit_api.api.default import preview_selection as api
    from kling_edit_api.models import PreviewSelectionEnvelope, SessionRequest

    sid = _rules.require_str("session_id", session_id)

    def parse(response: httpx.Response) -> Preview:
        data, raw = _envelope_data(response, PreviewSelectionEnvelope)
        res = _value(data.res)
        return Preview(
            session_id=sid,
            video_url=_value(res.video) if res is not None else None,
            cover_url=_value(res.video_cover) if res is not None else None,
            tracking_url=_value(res.tracking_output) if res is not None else None,
            status=_value(data.status) or 0,
            raw=raw,
            http_response=response,
        )

    method, path, body_json, _ = _kwargs(api, body=SessionRequest(session_id=sid))
    return Operation("preview_selection", method, path, parse, json=body_json)


def create_task_operation(
    *,
    session_id: object,
    edit_mode: object,
    prompt: object,
    images: Iterable[ImageInput] | None,
    negative_prompt: object,
    mode: object,
    duration: object,
    callback_url: object,
    external_task_id: object,
    model_name: object,
    extra_body: Mapping[str, Any],
    book: SessionBook,
) -> tuple[Operation[Task], str]:
    """Validate every create-task rule; answer the operation and the external_task_id it carries."""
    from kling_edit_api.api.default import create_task
    from kling_edit_api.models import (
        CreateTaskEnvelope,
        CreateTaskRequest,
        EditMode,
        GenerationMode,
        ImageReference,
        ModelName,
    )
    from kling_edit_api.types import UNSET

    sid = _rules.require_str("session_id", session_id)
    edit = _rules.require_choice("edit_mode", edit_mode, _rules.EDIT_MODES)
    text = _rules.check_prompt("prompt", prompt, required=True)
    assert text is not None
    if images is not None and (isinstance(images, str | bytes) or not isinstance(images, Iterable)):
        raise _rules.fail("images", "must be a list of images (wrap a single image in a list)")
    image_list = list(images) if images is not None else []
    _rules.check_image_count(edit, len(image_list))
    _rules.check_placeholders(text, len(image_list))
    negative = _rules.check_prompt("negative_prompt", negative_prompt, required=False)
    gen_mode = _rules.require_choice("mode", mode, _rules.MODES) if mode is not None else None
    model = (
        _rules.require_choice("model_name", model_name, _rules.MODEL_NAMES)
        if model_name is not None
        else None
    )
    seconds_str = _rules.check_duration(duration)
    if seconds_str is not None:
        _rules.check_duration_fits(seconds_str, book.duration_ms(sid))
    callback = (
        _rules.check_http_url("callback_url", callback_url) if callback_url is not None else None
    )
    # The only idempotency handle the API has: made here when the caller gives none, so that a
    # resend after a lost answer can be recognised as the same task.
    external_id = (
        _rules.check_id("external_task_id", external_task_id)
        if external_task_id is not None
        else _new_external_id()
    )
    encoded = [prepare_image(f"images[{i}]", image) for i, image in enumerate(image_list)]
    body = CreateTaskRequest(
        session_id=sid,
        edit_mode=EditMode(edit),
        prompt=text,
        image_list=[ImageReference(image=image) for image in encoded] if encoded else UNSET,
        negative_prompt=negative if negative is not None else UNSET,
        mode=GenerationMode(gen_mode) if gen_mode is not None else UNSET,
        model_name=ModelName(model) if model is not None else UNSET,
        duration=seconds_str if seconds_str is not None else UNSET,
        callback_url=callback if callback is not None else UNSET,
        external_task_id=external_id,
    )

    def parse(response: httpx.Response) -> Task:
        data, raw = _envelope_data(response, CreateTaskEnvelope)
        try:
            task = task_from_api(data, raw, response)
        except ValueError as error:
            raise _as_validation_error(response, raw, error) from error
        return task if task.external_task_id else evolve(task, external_task_id=external_id)

    method, path, body_json, _ = _kwargs(create_task, body=body)
    # extra_body is the escape hatch for fields the spec lacks (e.g. watermark_info); it may not
    # override what the client validated.
    if not isinstance(extra_body, Mapping) or not all(isinstance(k, str) for k in extra_body):
        raise _rules.fail("extra_body", "must be a mapping of field names to JSON values")
    clashes = sorted(set(extra_body) & set(body_json))
    if clashes:
        raise _rules.fail("extra_body", f"must not repeat validated fields: {', '.join(clashes)}")
    try:
        json.dumps(extra_body, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _rules.fail("extra_body", f"must be JSON-serialisable ({error})") from None
    return Operation(
        "create_task", method, path, parse, json={**body_json, **extra_body}
    ), external_id


def _new_external_id() -> str:
    import uuid  # only creates need it; it adds ~3 ms to `import kling_edit`

    return f"kling-edit-{uuid.uuid4()}"


def get_task(task_id: object, field_name: str = "task_id") -> Operation[Task]:
    from kling_edit_api.api.default import get_task as api

    method, path, _, _ = _kwargs(api, task_id=_rules.check_id(field_name, task_id))
    return Operation("get_task", method, path, _parse_task)


def list_tasks(page: object, page_size: object) -> Operation[list[Task]]:
    from kling_edit_api.api.default import list_tasks as api

    number = _rules.require_int(
        "page", page, low=_rules.PAGE_NUM_RANGE[0], high=_rules.PAGE_NUM_RANGE[1]
    )
    size = _rules.require_int(
        "page_size", page_size, low=_rules.PAGE_SIZE_RANGE[0], high=_rules.PAGE_SIZE_RANGE[1]
    )
    method, path, _, params = _kwargs(api, page_num=number, page_size=size)
    return Operation("list_tasks", method, path, _parse_task_list, params=params)


# ---------------------------------------------------------------------------------------------
# Flows


def find_by_external_id(
    external_id: str, options: CallOptions, policy: RetryPolicy
) -> Flow[Task | None]:
    """The task created with `external_id`, or None when the service has none.

    UNSURE in the facts: how CometAPI looks a task up by external id. The client leans on the
    official Kling behaviour (the get route takes either id) and falls back to scanning the
    newest pages of the task list.
    """
    try:
        task: Task = yield from call(get_task(external_id, "external_task_id"), options, policy)
        if task.external_task_id in (None, external_id):
            return task
    except NotFoundError:
        pass
    for page in range(1, LOOKUP_PAGES + 1):
        tasks: list[Task] = yield from call(list_tasks(page, LOOKUP_PAGE_SIZE), options, policy)
        for candidate in tasks:
            if candidate.external_task_id == external_id:
                return candidate
        if len(tasks) < LOOKUP_PAGE_SIZE:
            return None
    return None


def create_once(
    operation: Operation[Task],
    external_id: str,
    options: CallOptions,
    policy: RetryPolicy,
    *,
    caller_id: bool,
) -> Flow[Task]:
    """Create a task exactly once, however many attempts it takes.

    Every attempt carries the same external_task_id. When an attempt may have reached the
    service (a timeout, a dropped answer, a 5xx) and the outcome is then an error (the service
    refusing the id as a duplicate, or retries running out), the task is looked up by that id:
    found, it is returned; not found, the error is raised with `task_created = False`. A
    caller's own id (`caller_id`) is an idempotency key across calls too: when the service
    refuses a create carrying it, the task it already names is returned.
    """
    trail: list[KlingEditError] = []
    try:
        task: Task = yield from call(operation, options, policy, trail)
        return task
    except KlingEditError as error:
        # The service does not say which 400 is "duplicate id", so any refusal of a caller's
        # id is checked; a client-made uuid cannot collide, so its refusals are taken as given.
        duplicate = caller_id and isinstance(error, BadRequestError)
        if not duplicate and not any(maybe_delivered(earlier) for earlier in trail):
            error.task_created = False
            error.external_task_id = external_id
            raise
        try:
            found = yield from find_by_external_id(external_id, options, policy)
        except KlingEditError as lookup_error:
            error.task_created = None
            error.external_task_id = external_id
            error.add_note(
                f"the task may have been created: look it up later with"
                f" get_by_external_id({external_id!r}) (lookup failed: {lookup_error})"
            )
            raise error from lookup_error
        if found is not None:
            return found
        error.task_created = False
        error.external_task_id = external_id
        raise


def wait_for(
    task_id: str,
    *,
    timeout: float,
    schedule: PollSchedule,
    on_progress: Callable[[Task], object] | None,
    options: CallOptions,
    policy: RetryPolicy,
    clock: Callable[[], float],
) -> Flow[Task]:
    """Poll until the task finishes, the deadline passes, or a poll fails for good.

    Transient poll failures (connection, rate limit, server errors) are ridden out until the
    deadline; the wait never overruns it by more than one poll.
    """
    deadline = clock() + timeout
    last: Task | None = None
    operation = get_task(task_id)
    for delay in schedule.delays():
        remaining = deadline - clock()
        # Each poll gets at most the time left, but no less than one poll interval, so the
        # last poll can still answer and the wait overruns its deadline by one interval at most.
        poll_timeout = min(max(remaining, delay), _seconds(options.timeout))
        try:
            task: Task = yield from call(
                operation, evolve(options, timeout=poll_timeout, max_retries=0), policy
            )
        except (APIConnectionError, APIError) as error:
            # What a call would retry is what a wait rides out (408 and 409 included).
            if not is_retryable(error, replay_safe=True):
                raise
        else:
            if on_progress is not None and (last is None or task.status != last.status):
                on_progress(task)
            last = task
            if task.is_succeeded:
                return task
            if task.is_failed:
                raise TaskFailedError(task)
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeoutError(task_id, timeout, last)
        yield Sleep(min(delay, remaining))
    raise AssertionError("unreachable")  # PollSchedule.delays() never ends


def _seconds(timeout: float | httpx.Timeout | None) -> float:
    if isinstance(timeout, httpx.Timeout):
        return timeout.read or 60.0
    return timeout if timeout is not None else 60.0


def pages(page_size: int) -> Iterator[Operation[list[Task]]]:
    """The list operations of iter_all, page after page (the caller stops on a short page).

    The first page is built now, so a bad page_size fails at the call, not at iteration.
    """
    first = list_tasks(_rules.PAGE_NUM_RANGE[0], page_size)
    rest = range(_rules.PAGE_NUM_RANGE[0] + 1, _rules.PAGE_NUM_RANGE[1] + 1)
    return itertools.chain([first], (list_tasks(number, page_size) for number in rest))


def task_id_of(task_or_id: object) -> str:
    if isinstance(task_or_id, Task):
        return task_or_id.task_id
    return _rules.require_str("task", task_or_id)
