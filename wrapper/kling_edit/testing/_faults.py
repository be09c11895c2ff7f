"""Fault injection settings: what goes wrong, how often, on which route."""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

# The route keys faults can target; "*" stands for every route without its own entry.
ROUTES = frozenset(
    {"init", "add", "delete", "clear", "preview", "create", "get", "list", "download"}
)


class ConnectionFault(enum.Enum):
    """How a connection ends without an HTTP response."""

    #: The request never reached the service (nothing was processed).
    CONNECT_ERROR = "connect_error"
    #: The service processed the request, then the connection dropped before the response.
    RESPONSE_LOST = "response_lost"
    #: Nothing comes back until the client gives up.
    TIMEOUT = "timeout"


def _rate(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a probability in [0, 1], got {value}")


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class RouteFaults:
    """Fault probabilities for one route; at most one fault strikes a request.

    ``rate_*`` are probabilities per request (their sum at most 1):

    - ``rate_429``: HTTP 429, code 1302, with a ``Retry-After: <retry_after>`` header (seconds).
    - ``rate_500`` / ``rate_503``: HTTP 500 code 5000 / HTTP 503 code 5001 (503 also carries
      ``Retry-After``, as maintenance answers do).
    - ``rate_drop``: the connection fails before the request is processed (in process:
      :class:`httpx.ConnectError`; over the loopback server the socket closes unanswered).
    - ``rate_timeout``: no answer (in process: :class:`httpx.ReadTimeout` at once; the server
      holds the connection for ``hang_seconds``, then closes it unanswered).
    - ``rate_lost_response``: the request *is* processed (a task gets created) but the answer is
      lost: :class:`httpx.RemoteProtocolError` in process, a closed socket over the server.

    ``latency`` (seconds) delays every answer of the route, faulty or not.
    """

    rate_429: float = attrs.field(default=0.0, validator=_rate)
    rate_500: float = attrs.field(default=0.0, validator=_rate)
    rate_503: float = attrs.field(default=0.0, validator=_rate)
    rate_drop: float = attrs.field(default=0.0, validator=_rate)
    rate_timeout: float = attrs.field(default=0.0, validator=_rate)
    rate_lost_response: float = attrs.field(default=0.0, validator=_rate)
    latency: float = attrs.field(default=0.0, validator=_non_negative)
    retry_after: int = attrs.field(default=1, validator=_non_negative)
    hang_seconds: float = attrs.field(default=30.0, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        if sum(rate for _, rate in self._outcomes()) > 1.0 + 1e-9:
            raise ValueError("the fault rates of one route must add up to at most 1")

    def _outcomes(self) -> tuple[tuple[str, float], ...]:
        return (
            ("429", self.rate_429),
            ("500", self.rate_500),
            ("503", self.rate_503),
            ("drop", self.rate_drop),
            ("timeout", self.rate_timeout),
            ("lost", self.rate_lost_response),
        )

    def draw(self, rng: random.Random) -> str | None:
        """Pick this request's fault ("429", "500", "503", "drop", "timeout", "lost") or None.

        Always consumes exactly one random number, so a seed replays the same sequence.
        """
        roll = rng.random()
        for name, rate in self._outcomes():
            if roll < rate:
                return name
            roll -= rate
        return None


def _freeze_routes(routes: Mapping[str, RouteFaults]) -> Mapping[str, RouteFaults]:
    unknown = set(routes) - ROUTES - {"*"}
    if unknown:
        raise ValueError(f"unknown fault routes {sorted(unknown)}; use {sorted(ROUTES)} or '*'")
    return MappingProxyType(dict(routes))


_NO_FAULTS = RouteFaults()
# How `Faults.at_rate` splits its total rate across fault kinds (shares sum to 1).
RATE_SPLIT: Mapping[str, float] = MappingProxyType(
    {"429": 0.3, "500": 0.15, "503": 0.15, "drop": 0.2, "lost_response": 0.2}
)


@attrs.frozen
class Faults:
    """Which faults the simulator injects, per route key, drawn from ``random.Random(seed)``::

        Faults({"create": RouteFaults(rate_lost_response=0.5), "*": RouteFaults(latency=0.01)})

    Route keys: ``init``, ``add``, ``delete``, ``clear``, ``preview``, ``create``, ``get``,
    ``list``, ``download`` (every file the simulator serves) and ``"*"``. A route's own entry
    replaces the ``"*"`` entry entirely (they are not merged).

    ``rate_duplicate_callback``: the probability that a callback is delivered twice (the same
    body and ``webhook-id``), as the service may repeat a delivery; receivers must dedupe.
    """

    routes: Mapping[str, RouteFaults] = attrs.field(
        factory=dict, converter=_freeze_routes, repr=lambda routes: repr(dict(routes))
    )
    seed: int = 0
    rate_duplicate_callback: float = attrs.field(default=0.0, validator=_rate)

    @classmethod
    def at_rate(cls, rate: float, *, seed: int = 0) -> Faults:
        """Faults on every route at a TOTAL probability ``rate`` per request, split across
        kinds as :data:`RATE_SPLIT` says: 30% 429 (with ``Retry-After: 1``), 15% 500, 15% 503,
        20% dropped connections (nothing processed), 20% lost answers (processed: a create
        still makes its task). Timeouts are left out: each would hold a connection 30 s."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"the fault rate must be a probability in [0, 1], got {rate}")
        share = {kind: rate * part for kind, part in RATE_SPLIT.items()}
        every_route = RouteFaults(
            rate_429=share["429"],
            rate_500=share["500"],
            rate_503=share["503"],
            rate_drop=share["drop"],
            rate_lost_response=share["lost_response"],
        )
        return cls({"*": every_route}, seed=seed)

    def for_route(self, route: str) -> RouteFaults:
        """The settings that apply to ``route``."""
        return self.routes.get(route) or self.routes.get("*") or _NO_FAULTS
