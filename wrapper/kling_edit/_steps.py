"""Steps and options: the vocabulary a flow speaks to the client that runs it.

A flow is a generator that yields `Send` (one `Operation` with its `CallOptions`) and `Sleep`
steps and receives the answers; the clients perform them. The per-call options and image inputs
the API methods take live here too, so that their annotations resolve at run time without
loading the create helpers. Nothing else lives here.

These are named tuples, not attrs classes: several are made on every call, and a frozen attrs
instance costs about three times as much to build.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypedDict, TypeVar

import httpx

if TYPE_CHECKING:
    from ._retry import RetryPolicy

T = TypeVar("T")


class Operation(NamedTuple, Generic[T]):
    """One API call: what to send and how to read the answer."""

    name: str
    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    json: Mapping[str, Any] | None = None
    params: Mapping[str, Any] | None = None
    # False for calls with effects that a resend would repeat (init-selection is billed): those
    # are retried only when the service proves it did nothing (connection refused, rate limit).
    replay_safe: bool = True

    def __repr__(self) -> str:
        # Not the body (a create's holds base64 images) nor the reader.
        return (
            f"Operation(name={self.name!r}, method={self.method!r}, path={self.path!r},"
            f" params={self.params!r}, replay_safe={self.replay_safe!r})"
        )


class RequestOptions(TypedDict, total=False):
    """Per-call overrides accepted by every API method."""

    # The whole call's wall-clock budget, retries included (`_budget`).
    timeout: float | httpx.Timeout
    max_retries: int
    extra_headers: Mapping[str, str]


# What an image argument may be: a URL or base64 text, raw bytes, or a local jpg/png file.
ImageInput = str | bytes | os.PathLike[str]


class CreateOptions(RequestOptions, total=False):
    """The optional create-task settings, accepted by `remove`, `add` and `swap` too."""

    negative_prompt: str | None
    mode: str | None
    duration: int | str | None
    callback_url: str | None
    external_task_id: str | None
    model_name: str | None
    watermark: bool | None
    extra_body: Mapping[str, Any] | None


class CallOptions(NamedTuple):
    """Per-call settings: the client's defaults, overridden per method call."""

    timeout: float | httpx.Timeout | None
    max_retries: int
    headers: Mapping[str, str] = MappingProxyType({})
    # time.monotonic() by which the whole call must end, set by `_budget.started` when the call
    # begins (None: not begun, or no bound).
    deadline: float | None = None


class Send(NamedTuple):
    """Step: send `operation` once and resume the flow with the httpx.Response (or its error)."""

    operation: Operation[Any]
    options: CallOptions
    attempt: int = 0


class Sleep(NamedTuple):
    """Step: pause for `seconds`, then resume the flow."""

    seconds: float


Flow = Generator[Send | Sleep, Any, T]
# What a resource hands its client to run: the flow, built once the client has settled the
# call's options and its retry policy.
FlowFactory = Callable[[CallOptions, "RetryPolicy"], Flow[T]]
