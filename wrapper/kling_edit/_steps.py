"""Steps and options: the vocabulary a flow speaks to the client that runs it.

A flow is a generator that yields `Send` (one `Operation` with its `CallOptions`) and `Sleep`
steps and receives the answers; the clients perform them. Nothing else lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

import httpx
from attrs import field, frozen

from ._budget import attempt_time

if TYPE_CHECKING:
    from ._retry import RetryPolicy

T = TypeVar("T")


@frozen
class Operation(Generic[T]):
    """One API call: what to send and how to read the answer."""

    name: str
    method: str
    path: str
    parse: Callable[[httpx.Response], T] = field(repr=False)
    json: Mapping[str, Any] | None = field(default=None, repr=False)
    params: Mapping[str, Any] | None = None
    # False for calls with effects that a resend would repeat (init-selection is billed): those
    # are retried only when the service proves it did nothing (connection refused, rate limit).
    replay_safe: bool = True


class RequestOptions(TypedDict, total=False):
    """Per-call overrides accepted by every API method."""

    # The whole call's wall-clock budget, retries included (`_budget`).
    timeout: float | httpx.Timeout
    max_retries: int
    extra_headers: Mapping[str, str]


@frozen
class CallOptions:
    """Per-call settings: the client's defaults, overridden per method call."""

    timeout: float | httpx.Timeout | None
    max_retries: int
    headers: Mapping[str, str] = field(factory=dict)
    # time.monotonic() by which the whole call must end, set by `_budget.started` when the call
    # begins (None: not begun, or no bound).
    deadline: float | None = None

    def ending_at(self, deadline: float) -> CallOptions:
        """These options with the call's deadline set: what `attrs.evolve` gives, built directly
        as it is done once per call."""
        return CallOptions(self.timeout, self.max_retries, self.headers, deadline)


@frozen
class Send:
    """Step: send `operation` once and resume the flow with the httpx.Response (or its error)."""

    operation: Operation[Any]
    options: CallOptions
    attempt: int = 0

    @property
    def budget(self) -> float | None:
        """Wall-clock seconds this attempt may take from now (None: no bound)."""
        return attempt_time(self.options)


@frozen
class Sleep:
    """Step: pause for `seconds`, then resume the flow."""

    seconds: float


Flow = Generator[Send | Sleep, Any, T]
# What a resource hands its client to run: the flow, built once the client has settled the
# call's options and its retry policy.
FlowFactory = Callable[[CallOptions, "RetryPolicy"], Flow[T]]
