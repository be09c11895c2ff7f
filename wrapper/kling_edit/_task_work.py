"""What the task methods run: a create, a wait or a lookup, checked and built before anything is
sent. The resources in `_tasks` hand these to the client; nothing here sends or sleeps."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _rules
from ._errors import RequestValidationError
from ._flows import PollSchedule, create_once, require_by_external_id, wait_for
from ._models import Session, Task
from ._operations import _new_external_id, create_task_operation, task_id_of
from ._retry import RetryPolicy
from ._steps import CallOptions, CreateOptions, Flow, FlowFactory, ImageInput, RequestOptions

if TYPE_CHECKING:
    from ._book import SessionBook


_REQUEST_KEYS = frozenset(RequestOptions.__annotations__)
_CREATE_KEYS = frozenset(CreateOptions.__annotations__) | _REQUEST_KEYS


def create_work(
    book: SessionBook,
    session: str | Session,
    edit_mode: str,
    prompt: str,
    images: Iterable[ImageInput] | None,
    options: Mapping[str, Any],
    image_field: str | None = None,
) -> tuple[FlowFactory[Task], RequestOptions]:
    # Runs every check before the caller's first await/send: bad input never reaches the wire.
    if not _CREATE_KEYS.issuperset(options):
        unknown = set(options) - _CREATE_KEYS
        raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    # The client's own id is made before the checks, so that a refusal can name the id the task
    # would have had.
    caller_id = _rules.given(options.get("external_task_id")) is not None
    own_id = None if caller_id else _new_external_id()
    try:
        operation, external_id = create_task_operation(
            session.session_id if isinstance(session, Session) else session,
            edit_mode,
            prompt,
            images,
            options,
            book,
            image_field=image_field,
            new_id=own_id,
        )
    except RequestValidationError as error:
        error.task_created = False  # nothing was sent
        if error.field != "external_task_id":
            error.external_task_id = own_id or options["external_task_id"]
        raise
    request: RequestOptions = {k: v for k, v in options.items() if k in _REQUEST_KEYS}  # type: ignore[assignment]

    def flow(call_options: CallOptions, policy: RetryPolicy) -> Flow[Task]:
        return create_once(operation, external_id, call_options, policy, caller_id=caller_id)

    return flow, request


def wait_work(
    default_schedule: PollSchedule,
    task: Task | str,
    timeout: float,
    on_progress: Callable[[Task], object] | None,
    poll: PollSchedule | None,
) -> FlowFactory[Task]:
    seconds = _rules.check_seconds("timeout", timeout)
    if on_progress is not None and not callable(on_progress):
        raise _rules.fail("on_progress", "must be a callable taking the Task")
    if poll is not None and not isinstance(poll, PollSchedule):
        raise _rules.fail("poll", f"must be a PollSchedule, not {type(poll).__name__}")
    task_id = task_id_of(task)

    def flow(call_options: CallOptions, policy: RetryPolicy) -> Flow[Task]:
        return wait_for(
            task_id,
            timeout=seconds,
            schedule=poll or default_schedule,
            on_progress=on_progress,
            options=call_options,
            policy=policy,
            clock=time.monotonic,
        )

    return flow


def lookup_work(external_task_id: str) -> FlowFactory[Task]:
    return functools.partial(
        require_by_external_id, _rules.check_id("external_task_id", external_task_id)
    )
