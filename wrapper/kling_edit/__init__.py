"""Typed Python client for Kling's multi-elements video editing API, through CometAPI or Kling's
own host (`KlingEdit(provider="kling")`).

Init a session from a video, mark points on frames, preview the selection, create an
addition / swap / removal task, wait for it and download the result:

    from kling_edit import KlingEdit

    with KlingEdit() as client:  # key from COMETAPI_KEY
        session = client.sessions.init(video_url="https://example.com/clip.mp4")
        client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.4)])
        task = client.tasks.remove(session, prompt="Delete the selected object from <<<video_1>>>")
        client.tasks.download(client.tasks.wait(task), "result.mp4")
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._client import AsyncKlingEdit, KlingEdit
from ._errors import (
    AccountError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    DownloadError,
    KlingEditError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    TaskFailedError,
    VideoRejectedError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from ._flows import PollSchedule
from ._models import Cost, Session, Task, TaskStatus, TaskVideo
from ._parse import parse_callback
from ._rules import PromptWarning
from ._steps import CreateOptions, RequestOptions
from ._version import __version__

if TYPE_CHECKING:
    from ._masks import Mask
    from ._selection_models import ObjectMask, Preview, Selection

# Loaded on first use, so that `import kling_edit` costs little more than `import httpx`: mask
# decoding (zlib, struct, PNG and RLE code) and the selection routes' models (each attrs class
# takes ~0.5 ms to build), which a program that only reads tasks never needs.
_LAZY = {
    "Mask": "._masks",
    "ObjectMask": "._selection_models",
    "Preview": "._selection_models",
    "Selection": "._selection_models",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    value.__module__ = __name__
    globals()[name] = value
    return value


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AccountError",
    "AsyncKlingEdit",
    "AuthenticationError",
    "BadRequestError",
    "ContentPolicyError",
    "Cost",
    "CreateOptions",
    "DownloadError",
    "KlingEdit",
    "KlingEditError",
    "Mask",
    "NotFoundError",
    "ObjectMask",
    "PermissionDeniedError",
    "PollSchedule",
    "Preview",
    "PromptWarning",
    "RateLimitError",
    "RequestOptions",
    "RequestValidationError",
    "Selection",
    "ServerError",
    "Session",
    "Task",
    "TaskFailedError",
    "TaskStatus",
    "TaskVideo",
    "VideoRejectedError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "__version__",
    "parse_callback",
]

# Public names report `kling_edit` as their module (as httpx does): reprs, tracebacks and docs
# then name the import users write, not a private module.
for _name in __all__:
    if not _name.startswith("__") and _name in globals():
        setattr(globals()[_name], "__module__", __name__)  # noqa: B010
del _name
