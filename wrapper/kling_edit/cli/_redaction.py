"""The CLI's backstop against printing a secret: every secret it knows of, and the escaped forms
(repr, JSON, percent-encoded) it could take in a message, replaced by ***. Nothing else lives here.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote, quote_plus

__all__ = ["SECRET_VARIABLES", "add_secret", "redact"]

# Every variable of the environment that holds a secret the CLI may use.
SECRET_VARIABLES = (
    "COMETAPI_KEY",
    "KLING_API_KEY",
    "KLING_ACCESS_KEY",
    "KLING_SECRET_KEY",
    "KLING_WEBHOOK_SECRET",
)
# Shorter values could be ordinary words of the output; real keys are far longer.
_MIN_REDACTED_KEY = 8
# Secrets given as arguments (`simulate --secret-key ...`), for the life of the process.
_given: set[str] = set()


def add_secret(value: str | None) -> None:
    """Redact `value` too from now on (a secret that came as an argument)."""
    if value:
        _given.add(value)


def _forms(secret: str) -> set[str]:
    """The ways `secret` can be written into text: as is, and escaped."""
    return {
        secret,
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote(secret),  # a path keeps its slashes
        quote_plus(secret, safe=""),
    }


def redact(text: str) -> str:
    """`text` without any known secret, in any of its escaped forms.

    The client never puts a secret in a message; this is the backstop for anything echoed.
    """
    secrets = {os.environ.get(name, "") for name in SECRET_VARIABLES} | _given
    for secret in secrets:
        for value in (secret, secret.strip()):
            if len(value) < _MIN_REDACTED_KEY:
                continue
            # Longest first, so no shorter form leaves part of a longer one behind.
            for form in sorted(_forms(value), key=len, reverse=True):
                text = text.replace(form, "***")
    return text
