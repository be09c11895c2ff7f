from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="WatermarkInfo")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "enabled",
    }
)


class WatermarkInfo(Model):
    """Whether a watermarked copy of the result is generated as well.

    Attributes:
        enabled (bool | Unset):
    """

    __slots__ = (
        "enabled",
        "additional_properties",
    )
    __match_args__ = ("enabled",)

    enabled: bool | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        enabled: bool | Unset = UNSET,
    ) -> None:
        self.enabled = enabled
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        enabled = src_dict.get("enabled", UNSET)

        watermark_info = cls(
            enabled=enabled,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            watermark_info.additional_properties = d
        return watermark_info

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
