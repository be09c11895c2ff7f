"""What the sync and async clients share: provider, credentials, defaults, and how one request
is built from a `Send` step. Nothing here sends a request or sleeps: that is `_client`'s."""

from __future__ import annotations

import copy
import functools
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

if TYPE_CHECKING:
    from .testing import Simulator

from ._auth import CredentialsAuth
from ._book import SessionBook
from ._errors import KlingEditError, RequestValidationError
from ._flows import PollSchedule
from ._limits import DEFAULT_MAX_IN_FLIGHT
from ._providers import PROVIDERS, ProviderName, credentials_for, provider_named
from ._retry import RetryPolicy, call
from ._rules import check_request_options
from ._steps import CallOptions, Flow, FlowFactory, Operation, RequestOptions, Send
from ._version import __version__

T = TypeVar("T")

DEFAULT_BASE_URL = PROVIDERS["cometapi"].default_base_url
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
API_KEY_ENV = PROVIDERS["cometapi"].api_key_env
BASE_URL_ENV = PROVIDERS["cometapi"].base_url_env
SIMULATOR_KEY = "sk-simulator"
# Idle connections kept as many as connections allowed: a pool keeping fewer (httpx keeps 20)
# reconnects constantly under a 32-thread or many-task load.
POOL_LIMITS = httpx.Limits(
    max_connections=DEFAULT_MAX_IN_FLIGHT, max_keepalive_connections=DEFAULT_MAX_IN_FLIGHT
)

logger = logging.getLogger("kling_edit")


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    # httpx parses a str URL on every request, a tenth of the CPU of a GET on a mock transport;
    # an httpx.URL (immutable) is used as it is. Polls, creates and the selection routes repeat
    # the same few URLs, so a client's calls mostly reuse one parsed here.
    return httpx.URL(url)


class BaseClient:
    """Configuration and request building shared by the sync and async clients."""

    def __init__(
        self,
        credentials: tuple[str | None, str | None, str | None],
        provider: ProviderName,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        poll_schedule: PollSchedule | None,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        self._provider = provider_named(provider)
        self.provider = self._provider.name
        # Sets the Authorization header as each request goes out: access-key tokens expire.
        self._auth = CredentialsAuth(credentials_for(self._provider, *credentials))
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise KlingEditError(f"max_retries must be a non-negative integer, got {max_retries!r}")
        self.base_url = self._provider.host(base_url)
        self._set_defaults(timeout, max_retries)
        self.poll_schedule = poll_schedule or PollSchedule()
        # Built once: most calls add no headers of their own and reuse these as they are.
        self._base_headers = httpx.Headers({"User-Agent": f"kling-edit-python/{__version__}"})
        self._base_headers.update(check_request_options(None, 0, default_headers or {}))
        self._policy = RetryPolicy()
        self._book = SessionBook()
        self._owns_http = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.provider!r}, base_url={self.base_url!r})"

    def _options(self, overrides: RequestOptions) -> CallOptions:
        if not overrides:  # the common case, checked once when the client was made
            return self._defaults
        timeout = overrides.get("timeout", self.timeout)
        max_retries = overrides.get("max_retries", self.max_retries)
        headers = check_request_options(timeout, max_retries, overrides.get("extra_headers", {}))
        return CallOptions(timeout=timeout, max_retries=max_retries, headers=headers)

    def _set_defaults(self, timeout: float | httpx.Timeout, max_retries: int) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        check_request_options(timeout, max_retries, {})
        self._defaults = CallOptions(timeout=timeout, max_retries=max_retries)

    def _request_args(self, step: Send) -> dict[str, Any]:
        operation = step.operation
        return {
            "method": operation.method,
            "url": _parsed_url(self.base_url + self._provider.path(operation.path)),
            "json": operation.json,
            "params": operation.params,
            "timeout": step.options.timeout,
            "headers": self._headers(step.options.headers),
            "auth": self._auth,
        }

    def _headers(self, extra: Mapping[str, str]) -> httpx.Headers:
        if not extra:
            return self._base_headers
        # httpx.Headers merges names case-insensitively: a caller's "user-agent" replaces the
        # default instead of going out as a second header; `self._auth` then sets Authorization
        # over any the caller gave.
        headers = self._base_headers.copy()
        headers.update(extra)
        return headers

    def _flow(self, work: Operation[T] | FlowFactory[T], options: RequestOptions) -> Flow[T]:
        """The flow of one API method call: one operation retried, or a multi-step flow."""
        self._check_open()
        settled = self._options(options)
        if isinstance(work, Operation):
            return call(work, settled, self._policy)
        return work(settled, self._policy)

    def _check_open(self) -> None:
        # httpx would raise a bare RuntimeError; an injected http_client closed by its owner
        # counts too.
        if self._is_closed():
            raise KlingEditError(
                f"this {type(self).__name__} is closed: make a new client (or use it inside"
                " its `with` block)"
            )

    @staticmethod
    def _log_exchange(
        step: Send, response: httpx.Response | None, error: BaseException | None, started: float
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if response is not None:
            outcome = (
                f"{response.status_code} request_id={response.headers.get('x-request-id', '-')}"
            )
        else:
            outcome = f"failed ({type(error).__name__})"
        # Method, path, outcome and timing only: never headers or bodies (key, images).
        logger.debug(
            "%s %s -> %s attempt=%d elapsed=%.3fs",
            step.operation.method,
            step.operation.path,
            outcome,
            step.attempt + 1,
            time.monotonic() - started,
        )

    @classmethod
    def simulated(
        cls,
        simulator: Simulator | None = None,
        *,
        provider: ProviderName | None = None,
        **kwargs: Any,
    ) -> Self:
        """A client wired in-process to the offline simulator of `kling_edit.testing`.

        Needs no key and no network: the whole workflow runs against a fresh `Simulator` of
        `provider` (CometAPI by default), or the one given, whose provider the client takes;
        this is how `make demo` and the CLI's `--simulator` work.
        """
        from .testing import Simulator

        sim = simulator if simulator is not None else Simulator(provider=provider or "cometapi")
        if provider is not None and provider != sim.provider:
            raise RequestValidationError(
                "provider", f"is {provider!r} but the simulator given plays {sim.provider!r}"
            )
        kwargs["provider"] = sim.provider
        if not {"api_key", "access_key", "secret_key"} & kwargs.keys():
            kwargs["api_key"] = SIMULATOR_KEY
        kwargs.setdefault("base_url", sim.base_url)
        owns_http = "http_client" not in kwargs
        kwargs.setdefault("http_client", cls._http_client_for(sim))
        client = cls(**kwargs)
        client._owns_http = owns_http
        return client

    @staticmethod
    def _http_client_for(simulator: Simulator) -> Any:
        raise NotImplementedError

    def _bind_resources(self) -> None:
        raise NotImplementedError

    def _is_closed(self) -> bool:
        raise NotImplementedError

    def with_options(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> Self:
        """A client sharing this one's connections, with other defaults."""
        clone = copy.copy(self)
        clone._set_defaults(
            timeout if timeout is not None else self.timeout,
            max_retries if max_retries is not None else self.max_retries,
        )
        clone._owns_http = False
        clone._bind_resources()
        return clone
