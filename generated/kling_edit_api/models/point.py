from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import Model

T = TypeVar("T", bound="Point")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "x",
        "y",
    }
)


class Point(Model):
    """A point on the frame in relative coordinates; (0, 0) is the top-left corner.

    Attributes:
        x (float):
        y (float):
    """

    __slots__ = (
        "x",
        "y",
        "additional_properties",
    )
    __match_args__ = (
        "x",
        "y",
    )

    x: float
    y: float
    additional_properties: dict[str, Any]

    def __init__(
        self,
        x: float,
        y: float,
    ) -> None:
        self.x = x
        self.y = y
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        x = self.x

        y = self.y

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "x": x,
                "y": y,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        x = src_dict["x"]

        y = src_dict["y"]

        point = cls(
            x=x,
            y=y,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            point.additional_properties = d
        return point

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
