"""Journal URLs fit to print: a PostgreSQL password hidden wherever the URL or a message has it."""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["hide_password", "without_password"]

# "scheme://user:" then the password, up to the last "@" of the authority. No URL parser: one
# that refuses a malformed URL (an unclosed IPv6 host) would leave the password in a traceback.
_USERINFO_PASSWORD = re.compile(r"^([^:/?#]+://[^:/?#@]*:)([^/?#]*)@")
# libpq also reads a password from the query string.
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def without_password(target: str) -> str:
    """`target` with its password replaced by ***, in the userinfo and in `password=`."""
    shown = _USERINFO_PASSWORD.sub(r"\1***@", target)
    return _QUERY_PASSWORD.sub(r"\1***", shown)


def hide_password(text: str, target: str) -> str:
    """`text` (a driver's message about `target`) with the password gone, as written in the
    URL or decoded (the driver may quote either)."""
    text = text.replace(target, without_password(target))
    found = _USERINFO_PASSWORD.match(target)
    passwords = [found.group(2)] if found else []
    passwords += [match.group(2) for match in _QUERY_PASSWORD.finditer(target)]
    for password in filter(None, passwords):
        text = text.replace(password, "***").replace(unquote(password), "***")
    return text
