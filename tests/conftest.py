# Wrapper suite fixtures (test_errors, test_rules, test_media, test_core, test_client,
# test_contract, test_secrets; builders in wrapper_helpers.py): every client test runs once with
# KlingEdit and once with AsyncKlingEdit (`kind`), through `make_api` / `api`, on the `clock`.
# Other fixtures go below the marked section at the end.

from __future__ import annotations

import functools
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import postgres_helpers
from kling_edit import AsyncKlingEdit, KlingEdit
from wrapper_helpers import BASE_URL, KEY, Api, MakeApi, VirtualClock


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
async def make_api(kind: str) -> AsyncIterator[MakeApi]:
    """Build a client of this test's kind; `handler` serves it through httpx.MockTransport,
    `simulator` wires it to kling_edit.testing, otherwise pytest-httpx answers."""
    made: list[Api] = []
    injected: list[httpx.Client | httpx.AsyncClient] = []
    cls: type[KlingEdit] | type[AsyncKlingEdit] = KlingEdit if kind == "sync" else AsyncKlingEdit

    def make(
        *,
        handler: Callable[[httpx.Request], httpx.Response] | None = None,
        simulator: Any = None,
        **client_kwargs: Any,
    ) -> Api:
        if simulator is not None:
            client = cls.simulated(simulator, **client_kwargs)
        else:
            client_kwargs.setdefault("api_key", KEY)
            client_kwargs.setdefault("base_url", BASE_URL)
            if "http_client" not in client_kwargs:
                # Injected so that no test pays ~25 ms for loading the CA bundle again; a
                # MockTransport-served client needs none, pytest-httpx mocks the real transport.
                options: dict[str, Any] = (
                    {"transport": httpx.MockTransport(handler)}
                    if handler is not None
                    else {"verify": _ssl_context()}
                )
                http = httpx.Client(**options) if kind == "sync" else httpx.AsyncClient(**options)
                injected.append(http)
                client_kwargs["http_client"] = http
            client = cls(**client_kwargs)
        made.append(Api(client))
        return made[-1]

    yield make
    for api in made:
        await api.close()
    for http in injected:  # a client never closes an http_client it was given
        if isinstance(http, httpx.Client):
            http.close()
        else:
            await http.aclose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    virtual = VirtualClock()
    virtual.install(monkeypatch)
    return virtual


@pytest.fixture
def api(make_api: MakeApi, clock: VirtualClock) -> Api:
    """A client on the virtual clock, answered by pytest-httpx."""
    return make_api()


# ---------------------------------------------------------------------------------------------
# Other fixtures below this line.

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# What a developer's shell may hold: a real key must not turn a test into a call to the service,
# nor a base URL or provider change which host a test talks to. Tests set what they need.
_AMBIENT_SETTINGS = (
    "COMETAPI_KEY",
    "COMETAPI_BASE_URL",
    "KLING_API_KEY",
    "KLING_ACCESS_KEY",
    "KLING_SECRET_KEY",
    "KLING_BASE_URL",
    "KLING_EDIT_PROVIDER",
    "KLING_WEBHOOK_SECRET",
)


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _AMBIENT_SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to resolve or reach a host other than loopback.

    The suite mocks at the transport or runs the simulator on 127.0.0.1; this guard keeps it
    that way (a default callback sender, say, would otherwise POST to a real host).
    """
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK_HOSTS:
            raise OSError(f"tests must not reach the network (looked up {name!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The DSN of a PostgreSQL server for the whole session (see tests/postgres_helpers.py)."""
    with postgres_helpers.postgres_server() as dsn:
        yield dsn


@pytest.fixture
def postgres_dsn(postgres_server: str) -> Iterator[str]:
    """A DSN whose tables land in a fresh, empty schema of `postgres_server`, for one test."""
    with postgres_helpers.fresh_schema(postgres_server) as dsn:
        yield dsn
