"""`batch run --listen`: the callback receiver (`webhooks.asgi_app` under uvicorn) served from a
thread of the batch's own process, handing each verified task update to the runner."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence

import click

from .._errors import RequestValidationError
from .._models import Task
from ..webhooks import asgi_app
from ._invocation import say
from ._listen import _bind
from ._redaction import add_secret

__all__ = ["listen_address", "receiving"]


def listen_address(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, int] | None:
    """`HOST:PORT` (`[::1]:PORT` for IPv6) as (host, port)."""
    if value is None:
        return None
    host, colon, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isascii() or not port.isdigit():
        raise click.BadParameter(f"{value!r} is not HOST:PORT")
    number = int(port)
    # The callback URL must reach this port: one picked at random could not be given there.
    if not 1 <= number <= 65535:
        raise click.BadParameter(f"{value!r}: the port must be 1 to 65535")
    return host, number


@contextlib.contextmanager
def receiving(
    address: tuple[str, int], secrets: Sequence[str], deliver: Callable[[Task], object]
) -> Iterator[None]:
    """Receive callbacks on `address` while the block runs, handing each task to `deliver`.

    The server runs in its own thread and event loop, so the batch's loop never waits on it
    (and uvicorn, off the main thread, leaves Ctrl-C to the batch).
    """
    import uvicorn

    for secret in secrets:
        add_secret(secret)
    try:
        app = asgi_app(deliver, secret=list(secrets) or None)
    except RequestValidationError as error:
        # The message names the secret's position, never its value.
        raise click.UsageError(str(error)) from None
    sock = _bind(*address)
    verified = "verifying signatures" if secrets else "NOT verifying signatures (no secret)"
    host, port = address
    say(f"receiving callbacks on http://{f'[{host}]' if ':' in host else host}:{port} ({verified})")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    # The socket listens already: deliveries queue until the server accepts them.
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="kling-edit-receiver", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
