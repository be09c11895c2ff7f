"""A client library for accessing Kling multi-elements video editing (CometAPI)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
