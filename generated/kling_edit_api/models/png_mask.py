from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ..types import Model

T = TypeVar("T", bound="PngMask")


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
        d = dict(src_dict)
        size = cast(list[int], d.pop("size"))

        base64 = d.pop("base64")

        png_mask = cls(
            size=size,
            base64=base64,
        )

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
