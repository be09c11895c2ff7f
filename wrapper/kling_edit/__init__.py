"""Typed Python client for Kling's multi-elements video editing API through CometAPI."""

from ._version import __version__

__all__ = ["__version__"]
