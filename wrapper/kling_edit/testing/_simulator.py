"""The simulator: one sans-IO ``handle()`` that the transport and the server call.

It resolves the route, injects faults, authenticates and hands the request to `_routes`, files
to `_files`, callbacks to `_callbacks`; nothing else lives here.
"""

from __future__ import annotations

import collections
import functools
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._assets import check_padded_size
from ._auth import Authenticator
from ._callbacks import CallbackSchedule, post_callback
from ._faults import ConnectionFault, Faults
from ._files import serve_file
from ._providers import PROVIDERS, ProviderName, served_path
from ._responses import error_response, json_response
from ._routes import Call, Routes, resolve
from ._rules import ApiError
from ._state import SimResponse, SimSession, SimTask, VideoInfo

if TYPE_CHECKING:
    from ._transports import SimulatorTransport

# Injected error -> (code, message, whether it says when to retry).
_FAULT_ERRORS = {
    "429": (1302, "rate limit exceeded (simulated), retry later", True),
    "500": (5000, "server internal error (simulated)", False),
    "503": (5001, "server temporarily unavailable (simulated)", True),
}
# What a second create with an external_task_id the key already used does (see Simulator).
DUPLICATE_EXTERNAL_ID = ("refuse", "accept")
# Reserved .invalid names never resolve: a client that forgets the transport fails at once
# instead of reaching the real service.
IN_PROCESS_BASE_URL = "http://simulator.kling-edit.invalid"


def _default_probe(source: str) -> VideoInfo:
    return VideoInfo()


class Simulator:
    """An offline, stateful fake of the Kling multi-elements API, as CometAPI serves it or, with
    ``provider="kling"``, as Kling's own host does (paths without ``/kling``, access-key JWTs).

    Every documented rule of the real service is enforced (``_rules.RULES`` lists them with
    their sources), with Kling's envelope codes and HTTP statuses, so a client bug fails here as
    it would in production; nothing no document states is refused. Time comes from ``clock`` (epoch
    seconds; pass a :class:`FakeClock` to step it by hand). Use it through :meth:`transport`,
    :meth:`async_transport` or :func:`running_server`; all state is guarded by one lock.

    Options:

    - ``api_key`` / ``api_keys``: accept only these bearer keys, and ``access_keys``
      (``{access_key: secret_key}``, Kling's JWTs, checked as the service does); a missing
      header gets 401 code 1001, a wrong key or token 1002, a token not yet valid 1003, an
      expired one 1004. By default any non-empty bearer key works. Sessions, tasks and
      ``external_task_id`` are scoped per key (per access key for JWTs, so renewals keep them).
    - ``probe(video_url_or_id) -> VideoInfo``: what init-selection reports; by default
      30 fps, 5000 ms, 1280x720. Videos outside the service's limits get ``status`` 1.
    - ``submit_seconds`` / ``job_seconds``: a task turns ``processing`` after the first and
      finishes after the second.
    - ``fail_when(body) -> reason | None``: fail tasks on purpose (a prompt containing
      ``SIMULATE_FAILURE`` always fails).
    - ``callback_sender(url, task)``: how callbacks go out (default: an HTTP POST with a short
      timeout); exceptions land in :attr:`callback_errors`.
    - ``webhook_secret``: sign the default sender's callbacks with it (Standard Webhooks: the
      ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers).
    - ``max_active_tasks``: per key; one more create gets 429, code 1303.
    - :meth:`units_charged`: what the answers deducted, per key (simulated prices).
    - ``result_size_bytes``: pad result videos to this size (streamed, still playable).
    - ``faults``: :class:`Faults` to inject; may be replaced at run time.
    - ``duplicate_external_id``: ``"refuse"`` (default, as this simulator always did) answers a
      second create with a key's ``external_task_id`` with 400, code 1201; ``"accept"`` creates
      a second task. Kling only asks callers to keep the id unique and documents neither, so a
      client must not rely on the refusal: test it in both modes.
    - ``get_by_external_id``: True (default) lets ``GET /{id}`` take an ``external_task_id``, as
      Kling documents; False answers it 404 (code 1203), leaving clients the task list.
    """

    def __init__(
        self,
        *,
        provider: ProviderName = "cometapi",
        api_key: str | None = None,
        api_keys: Iterable[str] = (),
        access_keys: Mapping[str, str] | None = None,
        webhook_secret: str | None = None,
        clock: Callable[[], float] = time.time,
        probe: Callable[[str], VideoInfo] = _default_probe,
        submit_seconds: float = 0.3,
        job_seconds: float = 2.0,
        fail_when: Callable[[Mapping[str, Any]], str | None] | None = None,
        callback_sender: Callable[[str, dict[str, Any]], None] | None = None,
        max_active_tasks: int | None = None,
        result_size_bytes: int | None = None,
        faults: Faults | None = None,
        duplicate_external_id: Literal["refuse", "accept"] = "refuse",
        get_by_external_id: bool = True,
    ) -> None:
        if not 0 <= submit_seconds <= job_seconds:
            raise ValueError("need 0 <= submit_seconds <= job_seconds")
        if result_size_bytes is not None:
            check_padded_size(result_size_bytes)
        if duplicate_external_id not in DUPLICATE_EXTERNAL_ID:
            raise ValueError(
                f"duplicate_external_id must be one of {', '.join(DUPLICATE_EXTERNAL_ID)}"
            )
        if provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {PROVIDERS}, got {provider!r}")
        if webhook_secret is not None and callback_sender is not None:
            raise ValueError(
                "webhook_secret signs the default sender's callbacks: a custom"
                " callback_sender signs its own"
            )
        self._provider: ProviderName = provider
        keys = (*api_keys, *([api_key] if api_key is not None else []))
        self._authenticator = Authenticator(api_keys=keys, access_keys=access_keys, clock=clock)
        self._clock = clock
        self._result_size_bytes = result_size_bytes
        self._lock = threading.Lock()
        self._faults = faults or Faults()
        self._rng = random.Random(self._faults.seed)
        self._requests: collections.Counter[str] = collections.Counter()
        sender = callback_sender or functools.partial(post_callback, secret=webhook_secret)
        self._callbacks = CallbackSchedule(self._lock, sender, self._callback_copies)
        self._routes = Routes(
            self._lock,
            self._callbacks,
            probe=probe,
            submit_seconds=submit_seconds,
            job_seconds=job_seconds,
            fail_when=fail_when,
            max_active_tasks=max_active_tasks,
            refuse_duplicate_external_id=duplicate_external_id == "refuse",
            get_by_external_id=get_by_external_id,
        )

    @property
    def base_url(self) -> str:
        """The base URL for clients on :meth:`transport` / :meth:`async_transport`."""
        return IN_PROCESS_BASE_URL

    @property
    def provider(self) -> ProviderName:
        """Whose host this simulator plays: "cometapi" or "kling"."""
        return self._provider

    @property
    def clock(self) -> Callable[[], float]:
        """The clock the simulator reads (epoch seconds)."""
        return self._clock

    @property
    def faults(self) -> Faults:
        """The faults in force; assigning new ones restarts the random sequence from their seed."""
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    @property
    def tasks(self) -> tuple[SimTask, ...]:
        """Every task created, oldest first, with its request body and API key."""
        with self._lock:
            return tuple(self._routes.task_order)

    @property
    def sessions(self) -> dict[str, SimSession]:
        """The sessions by id (a snapshot of the mapping; the sessions themselves are live)."""
        with self._lock:
            return dict(self._routes.sessions)

    @property
    def requests(self) -> dict[str, int]:
        """How many requests each route key received, faulted ones included."""
        with self._lock:
            return dict(self._requests)

    def units_charged(self, api_key: str | None = None) -> Decimal:
        """Units charged so far to ``api_key`` (for a JWT: its access key), or to every caller.

        The sum of what init answers and what each created task costs (see `_billing`, whose
        prices are simulated); a task's charge is booked once, at create, though every answer
        about the task repeats it in ``final_unit_deduction``.
        """
        with self._lock:
            charged = self._routes.units_charged
            if api_key is not None:
                return charged.get(api_key, Decimal(0))
            return sum(charged.values(), Decimal(0))

    @property
    def callback_errors(self) -> list[tuple[str, Exception]]:
        """``(callback_url, exception)`` for each callback that could not be delivered."""
        with self._lock:
            return list(self._callbacks.errors)

    def transport(self) -> SimulatorTransport:
        """An httpx transport, for `httpx.Client` or `httpx.AsyncClient`, that answers from this
        simulator in process."""
        from ._transports import SimulatorTransport

        return SimulatorTransport(self)

    # The one transport serves async clients too; this name stays for callers that say which.
    async_transport = transport

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str = IN_PROCESS_BASE_URL,
    ) -> SimResponse:
        """Answer one HTTP request: the sans-IO core under both transports and the server.

        ``path`` is the URL path (the CometAPI flavour takes it with or without ``/kling``, the
        Kling flavour only without), ``query`` the decoded query
        parameters, ``headers`` the request headers (names in any case), ``base_url`` where the
        caller reached the simulator (file URLs in answers point there). Runs :meth:`tick` first.
        """
        self.tick()
        request_id = str(uuid.uuid4())
        try:
            route, param = resolve(method.upper(), served_path(self._provider, path))
        except ApiError as exc:
            return error_response(exc, request_id)
        with self._lock:
            self._requests[route] += 1
            settings = self._faults.for_route(route)
            fault = settings.draw(self._rng)
        delay = settings.latency
        if fault == "drop":
            return SimResponse(0, {}, delay=delay, fault=ConnectionFault.CONNECT_ERROR)
        if fault == "timeout":
            return SimResponse(
                0,
                {},
                delay=delay,
                fault=ConnectionFault.TIMEOUT,
                hang_seconds=settings.hang_seconds,
            )
        if fault in _FAULT_ERRORS:
            code, message, says_when = _FAULT_ERRORS[fault]
            response = error_response(ApiError(code, message), request_id)
            headers = dict(response.headers)
            if says_when:
                headers["Retry-After"] = str(settings.retry_after)
            return attrs.evolve(response, headers=headers, delay=delay)
        call_base = base_url.rstrip("/")
        if route == "download":
            response = serve_file(self._routes, param, self._clock(), self._result_size_bytes)
        else:
            response = self._answer(route, param, query, headers, body, call_base, request_id)
        lost = ConnectionFault.RESPONSE_LOST if fault == "lost" else None
        return attrs.evolve(response, delay=delay, fault=lost)

    def tick(self) -> None:
        """Send the callbacks that status changes up to now call for.

        Runs on every request, and every 0.1 s under the loopback server; tests with a
        :class:`FakeClock` call it after ``advance()``. Returns at once when another thread is
        already delivering, so requests never wait behind a slow callback endpoint.
        """
        self._callbacks.deliver(self._clock())

    def _answer(
        self,
        route: str,
        param: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        base_url: str,
        request_id: str,
    ) -> SimResponse:
        try:
            api_key = self._authenticate(headers)
            data = self._routes.answer(
                route, Call(api_key, param, query, body, base_url, self._clock())
            )
        except ApiError as exc:
            return error_response(exc, request_id)
        envelope = {"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data}
        return json_response(200, envelope, request_id)

    def _authenticate(self, headers: Mapping[str, str]) -> str:
        check = self._authenticator.check(headers)
        if check.error is not None:
            raise check.error
        assert check.caller is not None
        return check.caller

    def _callback_copies(self) -> int:
        """2 when the duplicate-delivery fault strikes the next callback, else 1."""
        with self._lock:
            rate = self._faults.rate_duplicate_callback
            return 2 if rate and self._rng.random() < rate else 1
