"""The `kling-edit` command group: one subcommand per API step, and `run` for all of them.

`simulate` lives in `_simulate`; options in `_options`; output and failures in `_invocation`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import attrs
import click

from .._base_client import API_KEY_ENV, BASE_URL_ENV
from .._selection_models import Selection
from .._version import __version__
from ._batch import batch
from ._clients import client_for, workflow_for
from ._invocation import PROG, Group, as_json, command_line, out, remember_task
from ._listen import listen
from ._mask_files import run_record
from ._options import (
    edit_options,
    exactly_one,
    out_option,
    point_options,
    shared_options,
    timeout_option,
)
from ._output import (
    describe_finished,
    describe_preview,
    describe_selection,
    describe_session,
    describe_size,
    describe_task,
)
from ._simulate import simulate
from ._workflow import Edit, Plan, Workflow

# ---------------------------------------------------------------------------------------------
# Commands

_GROUP_HELP = f"""Edit a video with Kling's multi-elements API through CometAPI or Kling's own
host: add, swap or remove an object.

The workflow: `init` a session from a video, mark `points` on a frame to select an object,
`preview` the selection, `create` an edit task, `wait` for it, `download` the result. `run` does
it all at once.

\b
Examples:
  kling-edit run --video https://example.com/clip.mp4 --frame 0 --point 0.5,0.4 \\
      --edit removal --prompt "Remove the selected object from <<<video_1>>>" --out result.mp4
  kling-edit init --video-url https://example.com/clip.mp4
  kling-edit points add SESSION --frame 0 --point 0.5,0.4 --point 0.52,0.45
  kling-edit create SESSION --edit swap --image hat.png \\
      --prompt "Replace the selected object in <<<video_1>>> with <<<image_1>>>"
  kling-edit download TASK --out result.mp4

\b
Service or simulator:
  {API_KEY_ENV} set      the real service (--base-url or {BASE_URL_ENV} to change host).
  --provider kling       Kling's own host instead: KLING_API_KEY, or KLING_ACCESS_KEY and
                         KLING_SECRET_KEY (KLING_BASE_URL to change host).
  no key or --simulator  an embedded offline simulator. It lives as long as the command:
                         fine for `run`; to go step by step, start `kling-edit simulate` in
                         another terminal and pass --base-url http://127.0.0.1:8765 (any key).

\b
Exit codes:
  0    success
  1    other error
  2    usage error or invalid input: nothing was sent (only a duration or frame that does
       not fit the video is found by `run` after it opened the session)
  3    the API answered with an error, or the network failed
  4    the task failed
  5    waiting timed out (the task keeps running)
  130  interrupted (the task keeps running: resume with `wait` / `download`)
"""


@click.group(
    cls=Group,
    help=_GROUP_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name=PROG)
@shared_options
def cli() -> None:
    """The `kling-edit` command group."""


@cli.command(short_help="Open a selection session for a video (billed).")
@click.option(
    "--video-url",
    metavar="URL",
    help="http(s) URL of an mp4 or mov: 2-5.5 s or 7-10.5 s, 720-2160 px, 24/30/60 fps.",
)
@click.option("--video-id", metavar="ID", help="Or the id of a Kling-generated video (< 30 days).")
@shared_options
@click.pass_context
def init(ctx: click.Context, video_url: str | None, video_id: str | None) -> None:
    """Open a selection session for a video (billed; the session lasts 24 hours).

    Prints the session id the `points`, `preview` and `create` commands take.
    """
    exactly_one(video_url=video_url, video_id=video_id)
    session = client_for(ctx).sessions.init(video_url=video_url, video_id=video_id)
    hint = command_line(ctx, "points", "add", session.session_id, "--frame", "0", "--point", "X,Y")
    out(ctx, f"{describe_session(session)}\nnext: {hint}", session)


@cli.group(short_help="Mark or unmark points that select objects.")
@shared_options
def points() -> None:
    """Mark points on frames (or remove them) to select the objects to edit."""


def _show_selection(ctx: click.Context, selection: Selection) -> None:
    hint = command_line(ctx, "preview", selection.session_id)
    out(ctx, f"{describe_selection(selection)}\nnext: {hint}", selection)


def _points_command(name: str, summary: str, change: Literal["add", "delete"]) -> None:
    help_text = (
        f"{summary}\n\nPrints the objects selected on the frame afterwards. Example:\n\n"
        f"\b\n    kling-edit points {name} SESSION --frame 0 --point 0.5,0.4"
    )

    @points.command(name, short_help=summary, help=help_text)
    @click.argument("session_id", metavar="SESSION")
    @point_options
    @shared_options
    @click.pass_context
    def command(
        ctx: click.Context, session_id: str, frame_index: int, points: tuple[tuple[float, float]]
    ) -> None:
        sessions = client_for(ctx).sessions
        method = sessions.add_points if change == "add" else sessions.delete_points
        _show_selection(ctx, method(session_id, frame_index=frame_index, points=points))


_points_command(
    "add", "Mark points on one frame (up to 10 per call, 10 frames per session).", "add"
)
_points_command("delete", "Remove points marked earlier (the exact same frame and X,Y).", "delete")


@points.command("clear", short_help="Remove every point of a session.")
@click.argument("session_id", metavar="SESSION")
@shared_options
@click.pass_context
def points_clear(ctx: click.Context, session_id: str) -> None:
    """Remove every point of a session, on every frame."""
    client_for(ctx).sessions.clear(session_id)
    out(
        ctx,
        f"cleared the points of session {session_id}",
        {"session_id": session_id, "cleared": True},
    )


@cli.command(short_help="Render the tracked selection of a session.")
@click.argument("session_id", metavar="SESSION")
@shared_options
@click.pass_context
def preview(ctx: click.Context, session_id: str) -> None:
    """Render the selection tracked through the video; prints the preview's URLs."""
    result = client_for(ctx).sessions.preview(session_id)
    out(ctx, describe_preview(result), result)


@cli.command(short_help="Create an edit task for a session's selection (billed).")
@click.argument("session_id", metavar="SESSION")
@edit_options
@shared_options
@click.pass_context
def create(ctx: click.Context, session_id: str, edit: Edit) -> None:
    """Create an addition, swap or removal task for a session's selection (billed).

    Prints the task id at once; follow it with `wait` and `download`. Example:

    \b
        kling-edit create SESSION --edit removal \\
            --prompt "Remove the selected object from <<<video_1>>>"
    """
    task = Workflow(client_for(ctx)).create(session_id, edit)
    hint = command_line(ctx, "download", task.task_id, "--out", "result.mp4")
    out(ctx, f"{describe_task(task)}\nnext: {hint}", task)


@cli.command(short_help="Show a task's status.")
@click.argument("task_id")
@shared_options
@click.pass_context
def status(ctx: click.Context, task_id: str) -> None:
    """Show a task's current status (and its result URLs once it succeeded)."""
    task = client_for(ctx).tasks.get(task_id)
    lines = [describe_finished(task)]
    lines += [
        f"{name}: {when.isoformat()}"
        for name, when in (("created", task.created_at), ("updated", task.updated_at))
        if when
    ]
    out(ctx, "\n".join(lines), task)


@cli.command("list", short_help="List your tasks, newest first.")
@click.option("--page", type=int, default=1, show_default=True, help="Page number, 1-1000.")
@click.option("--page-size", type=int, default=30, show_default=True, help="Tasks per page, 1-500.")
@shared_options
@click.pass_context
def list_tasks(ctx: click.Context, page: int, page_size: int) -> None:
    """List one page of your tasks, newest first."""
    tasks = client_for(ctx).tasks.list(page=page, page_size=page_size)
    human = "\n".join(describe_task(task) for task in tasks) or "no tasks"
    out(ctx, human, {"page": page, "page_size": page_size, "tasks": tasks})


@cli.command(short_help="Wait until a task finishes.")
@click.argument("task_id")
@timeout_option
@shared_options
@click.pass_context
def wait(ctx: click.Context, task_id: str, timeout: float) -> None:
    """Wait until a task finishes, showing its status. Ctrl-C stops waiting, not the task."""
    remember_task(ctx, task_id, None)
    task = workflow_for(ctx, steps=False).wait(task_id, timeout=timeout)
    hint = command_line(ctx, "download", task_id, "--out", "result.mp4")
    out(ctx, f"{describe_finished(task)}\nnext: {hint}", task)


@cli.command(short_help="Download a task's result video.")
@click.argument("task_id")
@out_option("default: the current folder")
@timeout_option
@shared_options
@click.pass_context
def download(ctx: click.Context, task_id: str, dest: str, timeout: float) -> None:
    """Download a task's result video, waiting for the task first if it is still running."""
    remember_task(ctx, task_id, dest)
    workflow = workflow_for(ctx, steps=False)
    task = workflow.wait(task_id, timeout=timeout)
    path = workflow.download(task, dest)
    out(ctx, f"saved {path} ({describe_size(path)})", {"task": task, "path": path})


@cli.command(short_help="Do the whole workflow at once: init to download.")
@click.option("--video", "video_url", metavar="URL", help="The source video's http(s) URL.")
@click.option("--video-id", metavar="ID", help="Or the id of a Kling-generated video.")
@point_options
@edit_options
@out_option("default: the current folder")
@click.option(
    "--selection-image",
    type=click.Path(path_type=Path),
    help="Also save the selection drawn over the preview's cover image here (PNG).",
)
@timeout_option
@shared_options
@click.pass_context
def run(
    ctx: click.Context,
    video_url: str | None,
    video_id: str | None,
    frame_index: int,
    points: tuple[tuple[float, float], ...],
    edit: Edit,
    dest: str,
    selection_image: Path | None,
    timeout: float,
) -> None:
    """Init a session, mark points on one frame, preview, create the task, wait, download.

    Inputs are checked before the first request: bad ones exit 2 with nothing sent. The task id
    is printed as soon as the task exists; after Ctrl-C, resume with the `wait` and `download`
    commands printed. With --json, each selected object's mask is saved beside the result as
    RESULT.object-N.png and the output gives its path. Without COMETAPI_KEY it all runs on the
    embedded simulator. Example:

    \b
        kling-edit run --video https://example.com/clip.mp4 --frame 0 --point 0.5,0.4 \\
            --edit removal --prompt "Remove the selected object from <<<video_1>>>" \\
            --out result.mp4
    """
    exactly_one(video=video_url, video_id=video_id)
    plan = Plan(
        frame_index=frame_index,
        points=points,
        edits=(attrs.evolve(edit, dest=dest),),
        video_url=video_url,
        video_id=video_id,
        timeout=timeout,
        selection_image=selection_image,
    )
    outcome = workflow_for(ctx, steps=True, one_shot=True).run(plan)
    result = outcome.results[0]
    human = f"saved {result.path} ({result.mode}, task {result.task.task_id})"
    out(ctx, human, run_record(outcome) if as_json(ctx) else outcome)


cli.add_command(simulate)
cli.add_command(batch)
cli.add_command(listen)
