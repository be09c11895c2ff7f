"""Every check of a `Plan` that needs no session, run before its first (billed) request.

The rules are the client's own: the plan's steps are built here with the same request builders
the clients use (which check as they build) and thrown away, so nothing is restated. Only the
checks that need the opened session (frame index below `total_frame`, duration against the
video's length) are left to the steps themselves. Nothing else lives here.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import attrs

from .._book import SessionBook
from .._download import DownloadTarget
from .._media import prepare_image
from .._operations import change_selection, create_task_operation, init_session
from .._rules import PromptWarning, check_seconds, fail

if TYPE_CHECKING:
    from pathlib import Path

    from ._workflow import Edit, Plan

# Stands in for the session id no request has produced yet; never sent.
_NO_SESSION_YET = "session-to-open"


def check_plan(plan: Plan) -> Plan:
    """`plan` with its images prepared (read, checked and encoded once, so a file changed or
    removed later cannot fail a paid run halfway), or the `RequestValidationError` of the first
    rule it breaks."""
    book = SessionBook()  # empty: the session-bound frame rules wait for the real session
    init_session(plan.video_url, plan.video_id, book)
    change_selection("add", _NO_SESSION_YET, plan.frame_index, plan.points, book)
    check_seconds("timeout", plan.timeout)  # what wait() would refuse, after the paid create
    if plan.selection_image is not None:
        _check_selection_image(plan.selection_image)
    return attrs.evolve(plan, edits=tuple(_check_edit(edit, book) for edit in plan.edits))


def _check_selection_image(path: Path) -> None:
    if path.is_dir():
        raise fail("selection_image", f"{str(path)!r} is a folder: give the PNG file to write")
    if not path.parent.is_dir():
        raise fail("selection_image", f"folder {str(path.parent)!r} does not exist")


def _check_edit(edit: Edit, book: SessionBook) -> Edit:
    images = tuple(prepare_image(f"images[{i}]", image) for i, image in enumerate(edit.images))
    with warnings.catch_warnings():
        # A prompt warning is the real create's to give, once; here only refusals matter.
        warnings.simplefilter("ignore", PromptWarning)
        create_task_operation(
            _NO_SESSION_YET, edit.mode, edit.prompt, images or None, edit.options, book
        )
    # The result's own name is the task id, unknown yet; the folder rules are what count.
    DownloadTarget(edit.dest, "result.mp4", None)
    return attrs.evolve(edit, images=images)
