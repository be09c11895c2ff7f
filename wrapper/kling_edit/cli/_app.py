"""The `kling-edit` command: one subcommand per API step, `run` for all of them, `simulate`."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shlex
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar, cast
from urllib.parse import urlsplit

import attrs
import click
from click.core import ParameterSource

from .._client import API_KEY_ENV, BASE_URL_ENV, KlingEdit
from .._core import PollSchedule
from .._errors import KlingEditError
from .._media import ImageInput
from .._models import Preview, Selection, Task
from .._rules import PromptWarning
from .._tasks import DEFAULT_WAIT_TIMEOUT, CreateOptions
from .._version import __version__
from ._output import (
    ExitCode,
    describe_selection,
    describe_session,
    describe_size,
    describe_task,
    error_line,
    error_record,
    exit_code_for,
    to_jsonable,
)
from ._progress import ConsoleReporter
from ._workflow import Edit, Plan, Workflow

F = TypeVar("F", bound=Callable[..., Any])
Target = Literal["service", "loopback", "embedded"]

PROG = "kling-edit"
_OPTIONS = "kling_edit.options"
_RESUME = "kling_edit.resume"
_TARGET = "kling_edit.target"
# A local simulator answers at once and costs nothing, so poll it often.
_LOCAL_POLL = PollSchedule(first=0.2, factor=1.5, maximum=1.0)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The loopback simulator accepts any bearer key unless started with one.
LOCAL_KEY = "sk-local-simulator"
# Shorter values could be ordinary words of the output; real keys are far longer.
_MIN_REDACTED_KEY = 8


class CLIError(Exception):
    """A failure of the command line itself (not of the API), with its exit code."""

    def __init__(self, message: str, exit_code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ---------------------------------------------------------------------------------------------
# Options every command accepts, before or after the subcommand name


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    # ctx.meta is shared by the group and its subcommands, so `kling-edit --json status X` and
    # `kling-edit status X --json` both work; only values actually typed count.
    if param.name and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
        ctx.meta.setdefault(_OPTIONS, {})[param.name] = value
    return value


def _option(ctx: click.Context, name: str) -> Any:
    return ctx.meta.get(_OPTIONS, {}).get(name)


_json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    expose_value=False,
    callback=_remember,
    help="Print one JSON object instead of text.",
)
_connection_options = (
    click.option(
        "--simulator",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Use the embedded offline simulator even when COMETAPI_KEY is set.",
    ),
    click.option(
        "--base-url",
        metavar="URL",
        expose_value=False,
        callback=_remember,
        help=f"API host (default: ${BASE_URL_ENV} or https://api.cometapi.com). Point it at"
        " `kling-edit simulate` (http://127.0.0.1:8765) to keep state between commands.",
    ),
)


def _with(options: Sequence[Callable[[F], F]], command: F) -> F:
    """`command` decorated with `options`, listed in `--help` in the order given."""
    for option in reversed(options):
        command = option(command)
    return command


def _shared_options(command: F) -> F:
    return _with((*_connection_options, _json_option), command)


# ---------------------------------------------------------------------------------------------
# Output


def _redact(text: str) -> str:
    # The client never puts the key in a message; this is the backstop for anything echoed.
    key = os.environ.get(API_KEY_ENV, "").strip()
    return text.replace(key, "***") if len(key) >= _MIN_REDACTED_KEY else text


def _as_json(ctx: click.Context) -> bool:
    return bool(_option(ctx, "as_json"))


def _out(ctx: click.Context, human: str, data: object) -> None:
    """The command's result on stdout: `human` text, or `data` as one JSON object."""
    text = json.dumps(to_jsonable(data), ensure_ascii=False) if _as_json(ctx) else human
    click.echo(_redact(text))


def _say(message: str) -> None:
    """A notice for people on stderr."""
    click.echo(_redact(f"{PROG}: {message}"), err=True)


def _command(ctx: click.Context, *words: str) -> str:
    """A command line to suggest, aimed at the same host as this one."""
    base_url = _option(ctx, "base_url")
    extra = ("--base-url", base_url) if base_url else ()
    return shlex.join((PROG, *words, *extra))


def _remember_task(ctx: click.Context, task_id: str, dest: str | Path | None) -> None:
    ctx.meta.setdefault(_RESUME, []).append((task_id, dest))


def _stop(
    ctx: click.Context,
    error: BaseException,
    code: ExitCode,
    line: str,
    **details: object,
) -> NoReturn:
    """Report a failure (one line on stderr; with --json also `{"error": ...}` on stdout) and
    exit with `code`. `details` join the JSON record."""
    if _as_json(ctx):
        record = error_record(error, code)
        record["error"].update(details)
        click.echo(_redact(json.dumps(to_jsonable(record), ensure_ascii=False)))
    _say(line)
    raise click.exceptions.Exit(int(code))


def _interrupted(ctx: click.Context) -> NoReturn:
    tasks: list[tuple[str, str | Path | None]] = ctx.meta.get(_RESUME, [])
    commands: list[str] = []
    if not tasks:
        line = "interrupted"
    elif ctx.meta.get(_TARGET) == "embedded":
        line = "interrupted; the embedded simulator stopped with this process, nothing to resume"
    else:
        for task_id, dest in tasks:
            out = ("--out", str(dest)) if dest is not None else ()
            commands += [_command(ctx, "wait", task_id), _command(ctx, "download", task_id, *out)]
        ids = ", ".join(task_id for task_id, _ in tasks)
        line = f"interrupted; task {ids} keeps running. Resume with:\n  " + "\n  ".join(commands)
    task_ids = [task_id for task_id, _ in tasks]
    error = KeyboardInterrupt("interrupted")
    _stop(ctx, error, ExitCode.INTERRUPTED, line, task_ids=task_ids, resume=commands)


@contextlib.contextmanager
def _warnings_as_notices() -> Iterator[None]:
    def show(message: Warning | str, *args: object, **kwargs: object) -> None:
        _say(f"warning: {message}")

    with warnings.catch_warnings():
        # Every prompt deserves its warning, not just the first of the process.
        warnings.simplefilter("always", PromptWarning)
        warnings.showwarning = show
        yield


class _Group(click.Group):
    """Turns every failure into one line on stderr (and JSON with --json) and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        with _warnings_as_notices():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                _interrupted(ctx)
            except CLIError as error:
                _stop(ctx, error, error.exit_code, f"error: {error}")
            except KlingEditError as error:
                _stop(ctx, error, exit_code_for(error), f"error: {error_line(error)}")
            except OSError as error:  # a local file that cannot be written, say
                _stop(ctx, error, ExitCode.ERROR, f"error: {error}")


# ---------------------------------------------------------------------------------------------
# Clients


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in _LOOPBACK_HOSTS


def _client(ctx: click.Context, *, one_shot: bool = False) -> KlingEdit:
    """The client this invocation uses, closed when the command ends.

    COMETAPI_KEY set: the real service. No key: a loopback simulator named by --base-url, or
    else the embedded one (`one_shot` commands do all their work in this process, so losing the
    simulator's state at exit does not matter to them).
    """
    key = os.environ.get(API_KEY_ENV, "").strip() or None
    base_url = _option(ctx, "base_url") or os.environ.get(BASE_URL_ENV) or None
    target: Target
    if _option(ctx, "simulator") or (key is None and base_url is None):
        reason = "--simulator" if _option(ctx, "simulator") else f"no {API_KEY_ENV}"
        notice = f"{reason}: using the embedded offline simulator"
        if not one_shot:
            notice += (
                "; its state ends with this command, so run `kling-edit simulate` and pass"
                " --base-url http://127.0.0.1:8765 to go step by step"
            )
        _say(notice)
        client = KlingEdit.simulated(poll_schedule=_LOCAL_POLL)
        target = "embedded"
    elif base_url is not None and _is_loopback(base_url):
        client = KlingEdit(key or LOCAL_KEY, base_url=base_url, poll_schedule=_LOCAL_POLL)
        target = "loopback"
    elif key is None:
        raise CLIError(
            f"{API_KEY_ENV} is not set: set it to use {base_url}, or drop --base-url to try"
            " the embedded simulator",
            ExitCode.USAGE,
        )
    else:
        client = KlingEdit(key, base_url=base_url)
        target = "service"
    ctx.meta[_TARGET] = target
    return ctx.with_resource(client)


def _workflow(ctx: click.Context, *, steps: bool, one_shot: bool = False) -> Workflow:
    """A Workflow on this invocation's client; `steps` prints numbered step lines on stderr."""
    reporter = ConsoleReporter(
        (lambda line: click.echo(_redact(line), err=True)) if steps else None,
        on_task_created=lambda task, edit: _remember_task(ctx, task.task_id, edit.dest),
    )
    return Workflow(_client(ctx, one_shot=one_shot), reporter)


# ---------------------------------------------------------------------------------------------
# Option groups shared by several commands


def _parse_points(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[tuple[float, float], ...]:
    """`X,Y` strings as coordinate pairs; the range rules are the client's to check."""
    parsed = []
    for value in values:
        try:
            x, y = (float(part) for part in value.split(","))
        except ValueError:
            raise click.BadParameter(
                f"{value!r} is not X,Y: two numbers from 0 to 1, such as 0.5,0.4"
            ) from None
        parsed.append((x, y))
    return tuple(parsed)


def _point_options(command: F) -> F:
    options = (
        click.option(
            "--frame",
            "frame_index",
            type=int,
            default=0,
            show_default=True,
            help="The frame to mark (0-based, below the session's total_frame).",
        ),
        click.option(
            "--point",
            "points",
            metavar="X,Y",
            multiple=True,
            callback=_parse_points,
            required=True,
            help="A point on the object, relative: 0,0 is the top-left corner and 1,1 the"
            " bottom-right. Repeat for up to 10 points.",
        ),
    )
    return _with(options, command)


def _image(value: str) -> ImageInput:
    # A path as a Path: a long path string could otherwise pass for base64.
    try:
        path = Path(value).expanduser()
        return path if path.is_file() else value
    except (OSError, RuntimeError):  # base64 too long for a file name, an unknown ~user
        return value


def _edit_options(command: F) -> F:
    """Add the create-task options; the command receives them as one `edit` (an `Edit`)."""

    @functools.wraps(command)
    def build(
        *args: Any,
        edit_mode: str,
        prompt: str,
        images: Sequence[str],
        negative_prompt: str | None,
        mode: str | None,
        duration: str | None,
        callback_url: str | None,
        external_task_id: str | None,
        **kwargs: Any,
    ) -> Any:
        given = {
            "negative_prompt": negative_prompt,
            "mode": mode,
            "duration": duration,
            "callback_url": callback_url,
            "external_task_id": external_task_id,
        }
        options = cast(CreateOptions, {k: v for k, v in given.items() if v is not None})
        images_in = tuple(_image(value) for value in images)
        kwargs["edit"] = Edit(edit_mode, prompt, images_in, options)
        return command(*args, **kwargs)

    options = (
        click.option(
            "--edit",
            "edit_mode",
            type=click.Choice(["addition", "swap", "removal"]),
            required=True,
            help="addition: add 1-2 reference images to the selection; swap: replace the"
            " selected object with 1 image; removal: erase it (no image).",
        ),
        click.option(
            "--prompt",
            required=True,
            help="What to do, at most 2500 characters. Refer to the video as <<<video_1>>> and"
            " to the images as <<<image_1>>>, <<<image_2>>>.",
        ),
        click.option(
            "--image",
            "images",
            metavar="PATH_OR_URL",
            multiple=True,
            help="A reference image (jpg/png, at most 10 MB, sides >= 300 px): a local file"
            " (sent as base64) or an http(s) URL. Repeat for a second image.",
        ),
        click.option("--negative-prompt", help="What to avoid, at most 2500 characters."),
        click.option(
            "--mode",
            type=click.Choice(["std", "pro"]),
            help="The API's generation mode (service default: std).",
        ),
        click.option(
            "--duration",
            type=click.Choice(["5", "10"]),
            help="Result length in seconds: 5 needs a 2-5 s source video, 10 a 7-10 s one.",
        ),
        click.option(
            "--callback-url", metavar="URL", help="The service POSTs each status change here."
        ),
        click.option(
            "--external-task-id",
            metavar="ID",
            help="Your own id for the task, unique per account (made up when omitted).",
        ),
    )
    return cast(F, _with(options, build))


_timeout_option = click.option(
    "--timeout",
    type=float,
    default=DEFAULT_WAIT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up waiting after this long (exit 5); the task keeps running.",
)


def _out_option(default_help: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        "dest",
        type=click.Path(path_type=Path),
        default=Path("."),
        help=f"A file, or a folder that receives TASK_ID.mp4 ({default_help}).",
    )


def _exactly_one(**given: str | None) -> None:
    if sum(value is not None for value in given.values()) != 1:
        names = " or ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"pass exactly one of {names}")


# ---------------------------------------------------------------------------------------------
# Commands

_GROUP_HELP = f"""Edit a video with Kling's multi-elements API through CometAPI: add, swap or
remove an object.

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
  no key or --simulator  an embedded offline simulator. It lives as long as the command:
                         fine for `run`; to go step by step, start `kling-edit simulate` in
                         another terminal and pass --base-url http://127.0.0.1:8765 (any key).

\b
Exit codes:
  0    success
  1    other error
  2    usage error or invalid input (nothing was sent)
  3    the API answered with an error, or the network failed
  4    the task failed
  5    waiting timed out (the task keeps running)
  130  interrupted (the task keeps running: resume with `wait` / `download`)
"""


@click.group(
    cls=_Group,
    help=_GROUP_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name=PROG)
@_shared_options
def cli() -> None:
    """The `kling-edit` command group."""


@cli.command(short_help="Open a selection session for a video (billed).")
@click.option(
    "--video-url",
    metavar="URL",
    help="http(s) URL of an mp4 or mov: 2-5 s or 7-10 s, 720-2160 px, 24/30/60 fps.",
)
@click.option("--video-id", metavar="ID", help="Or the id of a Kling-generated video (< 30 days).")
@_shared_options
@click.pass_context
def init(ctx: click.Context, video_url: str | None, video_id: str | None) -> None:
    """Open a selection session for a video (billed; the session lasts 24 hours).

    Prints the session id the `points`, `preview` and `create` commands take.
    """
    _exactly_one(video_url=video_url, video_id=video_id)
    session = _client(ctx).sessions.init(video_url=video_url, video_id=video_id)
    hint = _command(ctx, "points", "add", session.session_id, "--frame", "0", "--point", "X,Y")
    _out(ctx, f"{describe_session(session)}\nnext: {hint}", session)


@cli.group(short_help="Mark or unmark points that select objects.")
@_shared_options
def points() -> None:
    """Mark points on frames (or remove them) to select the objects to edit."""


def _show_selection(ctx: click.Context, selection: Selection) -> None:
    hint = _command(ctx, "preview", selection.session_id)
    _out(ctx, f"{describe_selection(selection)}\nnext: {hint}", selection)


def _points_command(name: str, summary: str, change: Literal["add", "delete"]) -> None:
    help_text = (
        f"{summary}\n\nPrints the objects selected on the frame afterwards. Example:\n\n"
        f"\b\n    kling-edit points {name} SESSION --frame 0 --point 0.5,0.4"
    )

    @points.command(name, short_help=summary, help=help_text)
    @click.argument("session_id", metavar="SESSION")
    @_point_options
    @_shared_options
    @click.pass_context
    def command(
        ctx: click.Context, session_id: str, frame_index: int, points: tuple[tuple[float, float]]
    ) -> None:
        sessions = _client(ctx).sessions
        method = sessions.add_points if change == "add" else sessions.delete_points
        _show_selection(ctx, method(session_id, frame_index=frame_index, points=points))


_points_command(
    "add", "Mark points on one frame (up to 10 per call, 10 frames per session).", "add"
)
_points_command("delete", "Remove points marked earlier (the exact same frame and X,Y).", "delete")


@points.command("clear", short_help="Remove every point of a session.")
@click.argument("session_id", metavar="SESSION")
@_shared_options
@click.pass_context
def points_clear(ctx: click.Context, session_id: str) -> None:
    """Remove every point of a session, on every frame."""
    _client(ctx).sessions.clear(session_id)
    _out(
        ctx,
        f"cleared the points of session {session_id}",
        {"session_id": session_id, "cleared": True},
    )


def _describe_preview(preview: Preview) -> str:
    return "\n".join(
        f"{name}: {url or '-'}"
        for name, url in (
            ("preview video", preview.video_url),
            ("cover image", preview.cover_url),
            ("tracking masks", preview.tracking_url),
        )
    )


@cli.command(short_help="Render the tracked selection of a session.")
@click.argument("session_id", metavar="SESSION")
@_shared_options
@click.pass_context
def preview(ctx: click.Context, session_id: str) -> None:
    """Render the selection tracked through the video; prints the preview's URLs."""
    result = _client(ctx).sessions.preview(session_id)
    _out(ctx, _describe_preview(result), result)


@cli.command(short_help="Create an edit task for a session's selection (billed).")
@click.argument("session_id", metavar="SESSION")
@_edit_options
@_shared_options
@click.pass_context
def create(ctx: click.Context, session_id: str, edit: Edit) -> None:
    """Create an addition, swap or removal task for a session's selection (billed).

    Prints the task id at once; follow it with `wait` and `download`. Example:

    \b
        kling-edit create SESSION --edit removal \\
            --prompt "Remove the selected object from <<<video_1>>>"
    """
    task = Workflow(_client(ctx)).create(session_id, edit)
    hint = _command(ctx, "download", task.task_id, "--out", "result.mp4")
    _out(ctx, f"{describe_task(task)}\nnext: {hint}", task)


def _describe_finished(task: Task) -> str:
    return "\n".join([describe_task(task), *(f"video: {video.url}" for video in task.videos)])


@cli.command(short_help="Show a task's status.")
@click.argument("task_id")
@_shared_options
@click.pass_context
def status(ctx: click.Context, task_id: str) -> None:
    """Show a task's current status (and its result URLs once it succeeded)."""
    task = _client(ctx).tasks.get(task_id)
    lines = [_describe_finished(task)]
    lines += [
        f"{name}: {when.isoformat()}"
        for name, when in (("created", task.created_at), ("updated", task.updated_at))
        if when
    ]
    _out(ctx, "\n".join(lines), task)


@cli.command("list", short_help="List your tasks, newest first.")
@click.option("--page", type=int, default=1, show_default=True, help="Page number, 1-1000.")
@click.option("--page-size", type=int, default=30, show_default=True, help="Tasks per page, 1-500.")
@_shared_options
@click.pass_context
def list_tasks(ctx: click.Context, page: int, page_size: int) -> None:
    """List one page of your tasks, newest first."""
    tasks = _client(ctx).tasks.list(page=page, page_size=page_size)
    human = "\n".join(describe_task(task) for task in tasks) or "no tasks"
    _out(ctx, human, {"page": page, "page_size": page_size, "tasks": tasks})


@cli.command(short_help="Wait until a task finishes.")
@click.argument("task_id")
@_timeout_option
@_shared_options
@click.pass_context
def wait(ctx: click.Context, task_id: str, timeout: float) -> None:
    """Wait until a task finishes, showing its status. Ctrl-C stops waiting, not the task."""
    _remember_task(ctx, task_id, None)
    task = _workflow(ctx, steps=False).wait(task_id, timeout=timeout)
    hint = _command(ctx, "download", task_id, "--out", "result.mp4")
    _out(ctx, f"{_describe_finished(task)}\nnext: {hint}", task)


@cli.command(short_help="Download a task's result video.")
@click.argument("task_id")
@_out_option("default: the current folder")
@_timeout_option
@_shared_options
@click.pass_context
def download(ctx: click.Context, task_id: str, dest: Path, timeout: float) -> None:
    """Download a task's result video, waiting for the task first if it is still running."""
    _remember_task(ctx, task_id, dest)
    workflow = _workflow(ctx, steps=False)
    task = workflow.wait(task_id, timeout=timeout)
    path = workflow.download(task, dest)
    _out(ctx, f"saved {path} ({describe_size(path)})", {"task": task, "path": path})


@cli.command(short_help="Do the whole workflow at once: init to download.")
@click.option("--video", "video_url", metavar="URL", help="The source video's http(s) URL.")
@click.option("--video-id", metavar="ID", help="Or the id of a Kling-generated video.")
@_point_options
@_edit_options
@_out_option("default: the current folder")
@click.option(
    "--selection-image",
    type=click.Path(path_type=Path),
    help="Also save the selection drawn over the preview's cover image here (PNG).",
)
@_timeout_option
@_shared_options
@click.pass_context
def run(
    ctx: click.Context,
    video_url: str | None,
    video_id: str | None,
    frame_index: int,
    points: tuple[tuple[float, float], ...],
    edit: Edit,
    dest: Path,
    selection_image: Path | None,
    timeout: float,
) -> None:
    """Init a session, mark points on one frame, preview, create the task, wait, download.

    The task id is printed as soon as the task exists; after Ctrl-C, resume with the `wait`
    and `download` commands printed. Without COMETAPI_KEY it all runs on the embedded
    simulator. Example:

    \b
        kling-edit run --video https://example.com/clip.mp4 --frame 0 --point 0.5,0.4 \\
            --edit removal --prompt "Remove the selected object from <<<video_1>>>" \\
            --out result.mp4
    """
    _exactly_one(video=video_url, video_id=video_id)
    plan = Plan(
        frame_index=frame_index,
        points=points,
        edits=(attrs.evolve(edit, dest=dest),),
        video_url=video_url,
        video_id=video_id,
        timeout=timeout,
        selection_image=selection_image,
    )
    outcome = _workflow(ctx, steps=True, one_shot=True).run(plan)
    result = outcome.results[0]
    _out(ctx, f"saved {result.path} ({result.mode}, task {result.task.task_id})", outcome)


@cli.command(short_help="Serve the offline simulator on 127.0.0.1 until Ctrl-C.")
@click.option("--port", type=int, default=8765, show_default=True, help="Loopback port (0: any).")
@click.option(
    "--submit-seconds",
    type=float,
    default=0.3,
    show_default=True,
    help="How long a task stays submitted.",
)
@click.option(
    "--job-seconds",
    type=float,
    default=2.0,
    show_default=True,
    help="How long after creation a task finishes.",
)
@_json_option
@click.pass_context
def simulate(ctx: click.Context, port: int, submit_seconds: float, job_seconds: float) -> None:
    """Serve the offline simulator on http://127.0.0.1:PORT (loopback only) until Ctrl-C.

    Then, in another terminal, go step by step against it (any key works):

    \b
        kling-edit init --video-url https://example.com/clip.mp4 \\
            --base-url http://127.0.0.1:8765
    """
    from ..testing import Simulator, serve

    try:
        simulator = Simulator(submit_seconds=submit_seconds, job_seconds=job_seconds)
    except ValueError as error:
        raise CLIError(str(error), ExitCode.USAGE) from None

    def ready(base_url: str) -> None:
        hint = shlex.join(
            (PROG, "init", "--video-url", "https://example.com/clip.mp4", "--base-url", base_url)
        )
        _out(
            ctx,
            f"simulator listening on {base_url} (Ctrl-C to stop)\ntry: {hint}",
            {"base_url": base_url},
        )

    try:
        serve(simulator, port=port, on_ready=ready)
    except KeyboardInterrupt:
        _say("simulator stopped")
    except OSError as error:
        raise CLIError(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror}", ExitCode.ERROR
        ) from None


from . import _batch as _batch  # noqa: E402  (registers `kling-edit batch`)
