"""`kling-edit listen`: receive Kling's callbacks under uvicorn and print each task update."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable

import click

from .._errors import RequestValidationError
from .._models import Task
from ..webhooks import asgi_app
from ._output import describe_task, to_jsonable

__all__ = ["listen"]

_STATUS_STYLES = {"succeed": "green", "failed": "red"}


def _printer(as_json: bool) -> Callable[[Task], None]:
    if as_json:
        return lambda task: click.echo(json.dumps(to_jsonable(task), ensure_ascii=False))
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)

    def show(task: Task) -> None:
        style = _STATUS_STYLES.get(task.status, "cyan")
        line = describe_task(task) + (f" {task.video_url}" if task.video_url else "")
        console.print(line, style=style, markup=False)

    return show


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None


@click.command("listen")
@click.option("--port", type=click.IntRange(0, 65535), required=True, help="0 picks a free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--secret",
    "secrets",
    multiple=True,
    envvar="KLING_WEBHOOK_SECRET",
    show_envvar=True,
    help="The account's webhook secret (whsec_...), best given in the variable (arguments show "
    "in ps); repeat it (spaces in the variable) during a rotation. Without one, deliveries are "
    "not verified.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per task update.")
def listen(port: int, host: str, secrets: tuple[str, ...], as_json: bool) -> None:
    """Receive Kling's callbacks on http://HOST:PORT and print each task update until Ctrl-C.

    Point a create's callback_url at it. Signed deliveries are verified with --secret; a
    delivery Kling repeats is printed once.
    """
    import uvicorn

    try:
        app = asgi_app(_printer(as_json), secret=list(secrets) or None)
    except RequestValidationError as error:
        # The message names the secret's position, never its value.
        raise click.UsageError(str(error)) from None
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    verified = "verifying signatures" if secrets else "NOT verifying signatures (no --secret)"
    click.echo(
        f"listening on http://{url_host}:{bound_port} ({verified}; Ctrl-C to stop)", err=True
    )
    # Access logs off: the task lines are the output; uvicorn's own warnings still show.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    # uvicorn shuts down cleanly on Ctrl-C, then passes it on.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    click.echo("stopped listening", err=True)
