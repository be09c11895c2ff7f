"""Reading one field of an answer: its type and range checked, its path named when it is wrong.

The generated `from_dict` methods trust the JSON (a string `fps` stays a string), so every value
the client reads passes through one of these first. Nothing else lives here: `_parse` turns a
`FieldError` into the `APIResponseValidationError` the caller sees.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from kling_edit_api.types import Unset

# datetime's own range, in epoch milliseconds: years 1 to 9999.
_MILLIS_RANGE = (-62_135_596_800_000, 253_402_300_799_999)


class FieldError(Exception):
    """One field of an answer is missing or of the wrong type or range. Never escapes `_parse`."""

    def __init__(self, path: str, expected: str, value: object) -> None:
        import reprlib  # error path only

        super().__init__(f"{path}: expected {expected}, got {reprlib.repr(value)}")


def _absent(value: object) -> bool:
    # The generator's UNSET (key missing) and JSON null both mean "not given".
    return value is None or isinstance(value, Unset)


def text(value: object, path: str) -> str | None:
    """A string, or None when absent."""
    if isinstance(value, str):
        return value
    if _absent(value):
        return None
    raise FieldError(path, "a string", value)


def required_text(value: object, path: str) -> str:
    """A non-empty string that must be there (an id)."""
    found = text(value, path)
    if not found:
        raise FieldError(path, "a non-empty string", value)
    return found


def decimal_text(value: object, path: str) -> str | None:
    """An amount Kling sends as a decimal string; a JSON number is kept as its text."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    return text(value, path)


def integer(value: object, path: str, *, low: int = 0, high: int | None = None) -> int | None:
    """An integer within [low, high] (an integral float such as 720.0 counts), None when absent."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise FieldError(path, f"an integer {bounds}", value)
        return value
    if _absent(value):
        return None
    raise FieldError(path, "an integer", value)


def number(value: object, path: str) -> float | None:
    """A finite number above zero (a frame rate), None when absent."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (math.isfinite(value) and value > 0):
            raise FieldError(path, "a finite number above 0", value)
        return float(value)
    if _absent(value):
        return None
    raise FieldError(path, "a number", value)


def flag(value: object, path: str) -> bool | None:
    """A JSON boolean, None when absent."""
    if isinstance(value, bool):
        return value
    if _absent(value):
        return None
    raise FieldError(path, "true or false", value)


def millis(value: object, path: str) -> datetime | None:
    """A millisecond epoch timestamp as an aware UTC datetime, None when absent."""
    ms = integer(value, path, low=_MILLIS_RANGE[0], high=_MILLIS_RANGE[1])
    return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None


def seconds(value: object) -> float | None:
    """A result's duration, sent as "5.1" (or 5.1). Only shown to people, never computed with:
    a value that is no finite number (Kling's examples send "string") reads as None, and `raw`
    keeps it."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            found = float(value)
        except ValueError:
            return None
        return found if math.isfinite(found) else None
    return None
