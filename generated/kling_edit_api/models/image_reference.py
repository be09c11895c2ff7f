from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import Model

T = TypeVar("T", bound="ImageReference")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "image",
    }
)


class ImageReference(Model):
    """
    Attributes:
        image (str):
    """

    __slots__ = (
        "image",
        "additional_properties",
    )
    __match_args__ = ("image",)

    image: str
    additional_properties: dict[str, Any]

    def __init__(
        self,
        image: str,
    ) -> None:
        self.image = image
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        image = self.image

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "image": image,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        image = src_dict["image"]

        image_reference = cls(
            image=image,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            image_reference.additional_properties = d
        return image_reference

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
