"""The in-process httpx transport: a client, sync or async, talks to a :class:`Simulator` without
any socket. Nothing else lives here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING

import httpx

from ._faults import ConnectionFault
from ._state import SimResponse

if TYPE_CHECKING:
    from ._simulator import Simulator

# What each connection fault looks like to an httpx client.
_FAULT_ERRORS: dict[ConnectionFault, tuple[type[httpx.TransportError], str]] = {
    ConnectionFault.CONNECT_ERROR: (httpx.ConnectError, "simulated: could not connect"),
    ConnectionFault.RESPONSE_LOST: (
        httpx.RemoteProtocolError,
        "simulated: server disconnected without sending a response",
    ),
    ConnectionFault.TIMEOUT: (httpx.ReadTimeout, "simulated: timed out reading the response"),
}


def _ask(simulator: Simulator, request: httpx.Request, body: bytes) -> SimResponse:
    url = request.url
    return simulator.handle(
        request.method,
        url.path,
        dict(url.params),
        request.headers,
        body,
        base_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
    )


def _raise_fault(answer: SimResponse, request: httpx.Request) -> None:
    if answer.fault is not None:
        error, message = _FAULT_ERRORS[answer.fault]
        raise error(message, request=request)


async def _async_chunks(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


class SimulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Send an :class:`httpx.Client`'s or :class:`httpx.AsyncClient`'s requests to a simulator
    (one class for both, as :class:`httpx.MockTransport` is)::

        client = httpx.Client(transport=simulator.transport(), base_url="https://api.cometapi.com")

    Latency blocks with :func:`time.sleep` for a sync client and awaits :func:`asyncio.sleep`
    for an async one, so concurrent requests overlap their waits. Connection faults raise the
    httpx exception a real connection would (:class:`httpx.ConnectError`,
    :class:`httpx.RemoteProtocolError`, :class:`httpx.ReadTimeout`), with the request attached.
    """

    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the simulator."""
        answer = _ask(self._simulator, request, request.read())
        if answer.delay:
            time.sleep(answer.delay)
        _raise_fault(answer, request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the simulator."""
        answer = _ask(self._simulator, request, await request.aread())
        if answer.delay:
            await asyncio.sleep(answer.delay)
        _raise_fault(answer, request)
        body = answer.body
        content = body if isinstance(body, bytes) else _async_chunks(body)
        return httpx.Response(answer.status, headers=answer.headers, content=content)
