"""Which paths each provider flavour of the simulator serves; nothing else lives here."""

from __future__ import annotations

from typing import Literal

from ._rules import ApiError

__all__ = ["PROVIDERS", "ProviderName", "served_path"]

ProviderName = Literal["cometapi", "kling"]
PROVIDERS: tuple[ProviderName, ...] = ("cometapi", "kling")

_COMETAPI_PREFIX = "/kling/"


def served_path(provider: ProviderName, path: str) -> str:
    """`path` if this flavour serves it: Kling's own host has no `/kling` prefix, so a client
    that keeps CometAPI's layout against it fails here as it would there."""
    if provider == "kling" and path.startswith(_COMETAPI_PREFIX):
        raise ApiError(
            1203, f"no such route: {path} (Kling's own host serves paths without /kling)"
        )
    return path
