"""Option decorators: the options every command accepts and the option groups several share.

Options typed before or after the subcommand name are remembered in `ctx.meta` and read with
`option_value`; nothing else lives here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from click.core import ParameterSource

from .._rules import DURATION_SOURCE_RULE
from .._steps import CreateOptions, ImageInput
from .._tasks import DEFAULT_WAIT_TIMEOUT
from ._workflow import Edit

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = "kling_edit.options"
# Where --provider's default comes from.
PROVIDER_ENV = "KLING_EDIT_PROVIDER"


def remember_option(ctx: click.Context, param: click.Parameter, value: object) -> object:
    # ctx.meta is shared by the group and its subcommands, so `kling-edit --json status X` and
    # `kling-edit status X --json` both work; only values actually typed count.
    if param.name and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
        ctx.meta.setdefault(_OPTIONS, {})[param.name] = value
    return value


def option_value(ctx: click.Context, name: str) -> Any:
    return ctx.meta.get(_OPTIONS, {}).get(name)


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    expose_value=False,
    callback=remember_option,
    help="Print one JSON object instead of text.",
)
_connection_options = (
    click.option(
        "--provider",
        type=click.Choice(["cometapi", "kling"]),
        expose_value=False,
        callback=remember_option,
        help=f"Whose API: cometapi (default; COMETAPI_KEY) or kling, Kling's own host"
        f" (KLING_API_KEY, or KLING_ACCESS_KEY and KLING_SECRET_KEY); default ${PROVIDER_ENV}.",
    ),
    click.option(
        "--simulator",
        is_flag=True,
        expose_value=False,
        callback=remember_option,
        help="Use the embedded offline simulator even when COMETAPI_KEY is set.",
    ),
    click.option(
        "--base-url",
        metavar="URL",
        expose_value=False,
        callback=remember_option,
        help="API host (default: $COMETAPI_BASE_URL or https://api.cometapi.com; with"
        " --provider kling, $KLING_BASE_URL or https://api-singapore.klingai.com). Point it at"
        " `kling-edit simulate` (http://127.0.0.1:8765) to keep state between commands.",
    ),
)


def _with(options: Sequence[Callable[[F], F]], command: F) -> F:
    """`command` decorated with `options`, listed in `--help` in the order given."""
    for option in reversed(options):
        command = option(command)
    return command


def shared_options(command: F) -> F:
    return _with((*_connection_options, json_option), command)


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


def point_options(command: F) -> F:
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


def edit_options(command: F) -> F:
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
            help=f"Result length in seconds: {DURATION_SOURCE_RULE}.",
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


timeout_option = click.option(
    "--timeout",
    type=float,
    default=DEFAULT_WAIT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up waiting after this long (exit 5); the task keeps running.",
)


def out_option(default_help: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        "dest",
        # A str, not a Path: Path("out/") drops the separator that says "a folder, make it".
        type=click.Path(),
        default=".",
        help=f"A file, or a folder that receives TASK_ID.mp4 ({default_help}).",
    )


def exactly_one(**given: str | None) -> None:
    if sum(value is not None for value in given.values()) != 1:
        names = " or ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"pass exactly one of {names}")
