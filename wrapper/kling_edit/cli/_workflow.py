"""The whole edit workflow as one object, shared by `kling-edit run` and `scripts/demo.py`.

A `Workflow` runs each step on a `KlingEdit` client and tells a `Reporter` about it: one line per
finished step (with ids and timing), and a live activity while it waits or downloads. Nothing
here imports click or rich; the console reporter lives in `_progress`.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import attrs

from .._errors import DownloadError, KlingEditError
from .._masks import Mask, overlay
from .._models import Session, Task
from .._rules import fail
from .._selection_models import Preview, Selection
from .._steps import CreateOptions, ImageInput
from .._tasks import DEFAULT_WAIT_TIMEOUT
from ._output import describe_selection, describe_session, describe_size
from ._preflight import check_plan

if TYPE_CHECKING:
    from .._client import KlingEdit

__all__ = ["Edit", "Outcome", "Plan", "Reporter", "Result", "Workflow"]

T = TypeVar("T")
Point = tuple[float, float]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The cover is one frame of the video: a 2160 px frame as a PNG stays well below this, and a
# cover URL answering with more is not read into memory.
COVER_MAX_BYTES = 32 * 2**20
# Bright green stands out on most footage (and on the sample's orange ball and blue sky).
_TINT = (0, 230, 118)


@attrs.frozen
class Edit:
    """One edit task to create from the selection, and where its result goes."""

    mode: str
    prompt: str
    images: tuple[ImageInput, ...] = ()
    options: CreateOptions = attrs.field(factory=lambda: CreateOptions())
    # A file, or a folder that receives "<task_id>.mp4".
    dest: str | Path = "."


@attrs.frozen
class Plan:
    """Everything `Workflow.run` needs: the video, the points to mark, the edits to make."""

    frame_index: int
    points: tuple[Point, ...]
    edits: tuple[Edit, ...]
    video_url: str | None = None
    video_id: str | None = None
    timeout: float = DEFAULT_WAIT_TIMEOUT
    # Where to save the selection drawn over the preview cover; None skips that step.
    selection_image: Path | None = None


@attrs.frozen
class Result:
    """A finished edit: its task and the downloaded video."""

    mode: str
    task: Task
    path: Path


@attrs.frozen
class Outcome:
    """What `Workflow.run` produced, step by step."""

    session: Session
    selection: Selection
    preview: Preview
    results: tuple[Result, ...]
    selection_image: Path | None = None


def _ignore(status: str) -> None:
    """An activity update nobody displays."""


class Reporter:
    """How a `Workflow` tells its caller what is going on; this base class stays silent."""

    def step(self, message: str) -> None:
        """A step finished; `message` is one line with ids and timing."""

    def task_created(self, task: Task, edit: Edit) -> None:
        """A (paid) task exists now: the moment to remember its id for resuming."""

    @contextlib.contextmanager
    def activity(self, description: str) -> Iterator[Callable[[str], None]]:
        """Something slow is running; the yielded callable receives status updates."""
        yield _ignore


class Workflow:
    """The steps of an edit on one client, each reported to `reporter` as it finishes."""

    def __init__(self, client: KlingEdit, reporter: Reporter | None = None) -> None:
        self.client = client
        self.reporter = reporter or Reporter()

    def _step(self, action: Callable[[], T], describe: Callable[[T], str]) -> T:
        started = time.monotonic()
        value = action()
        self._report(describe(value), started)
        return value

    def _slow_step(
        self,
        activity: str,
        action: Callable[[Callable[[str], None]], T],
        describe: Callable[[T], str],
    ) -> T:
        started = time.monotonic()
        with self.reporter.activity(activity) as update:
            value = action(update)
        # Only once the live display is gone: a line written under it would be garbled.
        self._report(describe(value), started)
        return value

    def _report(self, message: str, started: float) -> None:
        self.reporter.step(f"{message} [{time.monotonic() - started:.2f} s]")

    def open(self, *, video_url: str | None = None, video_id: str | None = None) -> Session:
        """Init a selection session for the video (a paid call)."""
        source = video_url or video_id
        return self._step(
            lambda: self.client.sessions.init(video_url=video_url, video_id=video_id),
            lambda session: f"opened {describe_session(session)} for {source}",
        )

    def mark(self, session: Session | str, frame_index: int, points: Sequence[Point]) -> Selection:
        """Add points on one frame; the selection holds the masks of the objects they hit."""
        noun = "point" if len(points) == 1 else "points"
        return self._step(
            lambda: self.client.sessions.add_points(
                session, frame_index=frame_index, points=points
            ),
            lambda selection: f"marked {len(points)} {noun}: {describe_selection(selection)}",
        )

    def preview(self, session: Session | str) -> Preview:
        """Render the tracked selection."""
        return self._step(
            lambda: self.client.sessions.preview(session),
            lambda preview: f"previewed the selection: {preview.video_url or 'no preview video'}",
        )

    def save_selection(self, selection: Selection, preview: Preview, path: Path) -> Path:
        """Save the selected masks over the preview cover as a PNG, or the bare mask when the
        cover is not a PNG (the service may send a JPEG, which this package cannot decode), is
        over `COVER_MAX_BYTES` (it is not read past that) or cannot be fetched."""
        self._step(
            lambda: self._draw_selection(selection, preview, path),
            lambda how: f"saved {path}: {how}",
        )
        return path

    def _draw_selection(self, selection: Selection, preview: Preview, path: Path) -> str:
        masks = [obj.mask() for obj in selection.objects]
        if not masks:
            raise fail("points", f"selected no object on frame {selection.frame_index}")
        mask = _union(masks)
        try:
            cover = self._fetch(preview.cover_url) if preview.cover_url else b""
        except DownloadError as error:  # too big, or gone: the bare mask still shows the selection
            cover, reason = b"", f"the cover image was not fetched: {error}"
        else:
            reason = "the cover is not a PNG" if cover else "the preview has no cover image"
        if cover.startswith(_PNG_SIGNATURE):
            try:
                path.write_bytes(overlay(cover, mask, color=_TINT, alpha=0.6))
            except ValueError as error:  # a PNG flavour the small decoder does not read
                reason = f"the cover PNG could not be decoded ({error})"
            else:
                return f"the selection overlaid on the cover (frame {selection.frame_index})"
        mask.save_png(path)
        return f"the bare selection mask, white = selected ({reason})"

    def _fetch(self, url: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="kling-edit-") as folder:
            return self.client.tasks.download(url, folder, max_bytes=COVER_MAX_BYTES).read_bytes()

    def create(self, session: Session | str, edit: Edit) -> Task:
        """Create the edit task (a paid call) and tell the reporter its id at once."""
        task = self._step(
            lambda: self.client.tasks.create(
                session_id=session,
                edit_mode=edit.mode,
                prompt=edit.prompt,
                images=edit.images or None,
                **edit.options,
            ),
            lambda task: f"created {edit.mode} task {task.task_id} ({task.status})",
        )
        self.reporter.task_created(task, edit)
        return task

    def wait(
        self, task: Task | str, *, timeout: float = DEFAULT_WAIT_TIMEOUT, label: str = ""
    ) -> Task:
        """Wait for the task to succeed, showing its status as it changes."""
        task_id = task.task_id if isinstance(task, Task) else task
        name = f"{label} task {task_id}".strip()
        return self._slow_step(
            f"waiting for {name}",
            lambda update: self.client.tasks.wait(
                task, timeout=timeout, on_progress=lambda seen: update(seen.status)
            ),
            # wait() returns only on success: a failure raises TaskFailedError.
            lambda done: f"{name} succeeded",
        )

    def download(self, task: Task, dest: str | Path = ".") -> Path:
        """Download the task's first result video to `dest` (a file, or a folder)."""
        return self._slow_step(
            f"downloading the result of task {task.task_id}",
            lambda update: self.client.tasks.download(task, dest),
            lambda path: f"saved {path} ({describe_size(path)})",
        )

    def run(self, plan: Plan) -> Outcome:
        """Every step: init, mark, preview, (save the selection,) create each edit, then wait
        for and download each result. All tasks are created before the first wait, so they
        run side by side.

        Every check that needs no session runs first: bad input raises
        `RequestValidationError` before any request, billed or not, is sent."""
        plan = check_plan(plan)
        session = self.open(video_url=plan.video_url, video_id=plan.video_id)
        selection = self.mark(session, plan.frame_index, plan.points)
        if not selection.objects:
            # Creating now would pay for an edit of nothing.
            raise KlingEditError(
                f"the points on frame {plan.frame_index} selected no object: no task was created;"
                " move the points onto the object (see the cover image of the session)"
            )
        preview = self.preview(session)
        if plan.selection_image is not None:
            self.save_selection(selection, preview, plan.selection_image)
        tasks = [self.create(session, edit) for edit in plan.edits]
        deadline = time.monotonic() + plan.timeout
        results = []
        for edit, task in zip(plan.edits, tasks, strict=True):
            # One deadline for all: the tasks have been running since they were created.
            remaining = max(deadline - time.monotonic(), 0.001)
            done = self.wait(task, timeout=remaining, label=edit.mode)
            results.append(Result(edit.mode, done, self.download(done, edit.dest)))
        return Outcome(session, selection, preview, tuple(results), plan.selection_image)


def _union(masks: Sequence[Mask]) -> Mask:
    """One mask of every pixel set in any of `masks` (scaled to the first one's size)."""
    first = masks[0]
    bits = 0
    for mask in masks:
        bits |= int.from_bytes(mask.resized(first.height, first.width).data, "big")
    return Mask(first.height, first.width, bits.to_bytes(len(first.data), "big"))
