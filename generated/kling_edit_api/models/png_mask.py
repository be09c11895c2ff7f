from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..types import Model

T = TypeVar("T", bound="PngMask")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "size",
        "base64",
    }
)


class PngMask(Model):
    """
    Attributes:
        size (list[int]):
        base64 (str): PNG image of the mask, base64-encoded.
    """

    __slots__ = (
        "size",
        "base64",
        "additional_properties",
    )
    __match_args__ = (
        "size",
        "base64",
    )

    size: list[int]
    base64: str
    additional_properties: dict[str, Any]

    def __init__(
        self,
        size: list[int],
        base64: str,
    ) -> None:
        self.size = size
        self.base64 = base64
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        size = self.size

        base64 = self.base64

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "size": size,
                "base64": base64,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        size = cast(list[int], src_dict["size"])

        base64 = src_dict["base64"]

        png_mask = cls(
            size=size,
            base64=base64,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            png_mask.additional_properties = d
        return png_mask

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
