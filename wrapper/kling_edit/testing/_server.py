"""The simulator behind a real HTTP/1.1 server on the loopback interface."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

from ._faults import ConnectionFault
from ._simulator import Simulator

_LOOPBACK_NAMES = ("127.0.0.1", "localhost")
_TICK_SECONDS = 0.1


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # A thousand clients may connect at once; the default backlog of 5 would stall them.
    request_queue_size = 1024

    def __init__(self, simulator: Simulator, port: int) -> None:
        self.simulator = simulator
        # Set on shutdown, so hanging and delayed answers stop waiting.
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm the body would wait for
    # the client's delayed ACK (~40 ms a response).
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: a benchmark sends thousands of requests."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        host = self.headers.get("Host") or self.server.base_url.removeprefix("http://")
        answer = self.server.simulator.handle(
            self.command,
            url.path,
            dict(parse_qsl(url.query)),
            dict(self.headers.items()),
            body,
            base_url=f"http://{host}",
        )
        stopping = self.server.stopping
        if answer.delay:
            stopping.wait(answer.delay)
        if answer.fault is not None:
            if answer.fault is ConnectionFault.TIMEOUT:
                stopping.wait(answer.hang_seconds)
            # Closing without a word is the whole fault: the client sees the connection drop.
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            chunks = [answer.body] if isinstance(answer.body, bytes) else answer.body
            for chunk in chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            # The client hung up mid-answer (a timeout on its side): nothing left to do.
            self.close_connection = True


def _tick_until_stopped(server: _Server) -> None:
    while not server.stopping.wait(_TICK_SECONDS):
        server.simulator.tick()


@contextlib.contextmanager
def _open(simulator: Simulator | None, host: str, port: int) -> Iterator[_Server]:
    if host not in _LOOPBACK_NAMES:
        raise ValueError(f"the simulator only listens on 127.0.0.1, not on {host!r}")
    server = _Server(simulator or Simulator(), port)
    ticker = threading.Thread(
        target=_tick_until_stopped, args=(server,), name="kling-sim-ticker", daemon=True
    )
    ticker.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.server_close()
        ticker.join()


def serve(
    sim: Simulator | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``sim`` (a fresh :class:`Simulator` by default) on ``http://127.0.0.1:<port>`` until
    interrupted. Only loopback is allowed (``host`` "127.0.0.1" or "localhost"). ``on_ready``
    receives the base URL once the socket listens (useful with ``port=0``)."""
    with _open(sim, host, port) as server:
        if on_ready is not None:
            on_ready(server.base_url)
        server.serve_forever(poll_interval=_TICK_SECONDS)


@contextlib.contextmanager
def running_server(sim: Simulator | None = None, port: int = 0) -> Iterator[str]:
    """Run ``sim`` on a loopback port in a background thread; yields the base URL.

    ``port=0`` picks a free port. The server and its callback ticker stop when the block ends.
    """
    with _open(sim, "127.0.0.1", port) as server:
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kling-sim-server",
            daemon=True,
        )
        thread.start()
        try:
            yield server.base_url
        finally:
            server.shutdown()
            thread.join()
