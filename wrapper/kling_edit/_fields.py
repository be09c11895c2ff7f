"""Reading one field of an answer: its type and range checked, its path named when it is wrong.

Each check takes the value, where its object sits (`at`, e.g. "data.res") and its `name`; the
path is put together only when the check fails, as answers are read on every call.

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
# The largest integer a float (and so any JSON reader) holds exactly: measures past it are noise.
_LARGEST_EXACT_INT = 2**53


class FieldError(Exception):
    """One field of an answer is missing or of the wrong type or range. Never escapes `_parse`."""

    def __init__(self, at: str, name: str, expected: str, value: object) -> None:
        import reprlib  # error path only

        path = f"{at}.{name}" if at and name else at or name
        super().__init__(f"{path}: expected {expected}, got {reprlib.repr(value)}")


def absent(value: object) -> bool:
    # The generator's UNSET (key missing) and JSON null both mean "not given".
    return value is None or isinstance(value, Unset)


def text(value: object, at: str, name: str) -> str | None:
    """A string, or None when absent."""
    if isinstance(value, str):
        return value
    if absent(value):
        return None
    raise FieldError(at, name, "a string", value)


def required_text(value: object, at: str, name: str) -> str:
    """A non-empty string that must be there (an id)."""
    if isinstance(value, str) and value:
        return value
    raise FieldError(at, name, "a non-empty string", value)


def decimal_text(value: object, at: str, name: str) -> str | None:
    """An amount Kling sends as a decimal string; a JSON number is kept as its text."""
    if isinstance(value, str) or absent(value):
        return value if isinstance(value, str) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    raise FieldError(at, name, "a string", value)


def integer(
    value: object, at: str, name: str, *, low: int = 0, high: int | None = None
) -> int | None:
    """An integer within [low, high] (an integral float such as 720.0 counts), None when absent."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise FieldError(at, name, f"an integer {bounds}", value)
        return value
    if absent(value):
        return None
    raise FieldError(at, name, "an integer", value)


def number(value: object, at: str, name: str) -> float | None:
    """A finite number above zero (a frame rate), None when absent."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An integer past float's range (JSON allows any length) is no finite number either.
        if isinstance(value, int) and value > _LARGEST_EXACT_INT:
            raise FieldError(at, name, "a finite number above 0", value)
        if not (math.isfinite(value) and value > 0):
            raise FieldError(at, name, "a finite number above 0", value)
        return float(value)
    if absent(value):
        return None
    raise FieldError(at, name, "a number", value)


def flag(value: object, at: str, name: str) -> bool | None:
    """A JSON boolean, None when absent."""
    if isinstance(value, bool):
        return value
    if absent(value):
        return None
    raise FieldError(at, name, "true or false", value)


def millis(value: object, at: str, name: str) -> datetime | None:
    """A millisecond epoch timestamp as an aware UTC datetime, None when absent."""
    # What the service sends, read without `integer`'s general checks: two per task read.
    if type(value) is int and _MILLIS_RANGE[0] <= value <= _MILLIS_RANGE[1]:
        return datetime.fromtimestamp(value / 1000, UTC)
    ms = integer(value, at, name, low=_MILLIS_RANGE[0], high=_MILLIS_RANGE[1])
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
