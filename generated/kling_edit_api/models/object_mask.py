from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.png_mask import PngMask
from ..models.rle_mask import RleMask
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="ObjectMask")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "object_id",
        "rle_mask",
        "png_mask",
    }
)


class ObjectMask(Model):
    """
    Attributes:
        object_id (int):
        rle_mask (RleMask | Unset): COCO-style run-length mask, column-major, `size` is [height, width].
        png_mask (PngMask | Unset):
    """

    __slots__ = (
        "object_id",
        "rle_mask",
        "png_mask",
        "additional_properties",
    )
    __match_args__ = (
        "object_id",
        "rle_mask",
        "png_mask",
    )

    object_id: int
    rle_mask: RleMask | Unset
    png_mask: PngMask | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        object_id: int,
        rle_mask: RleMask | Unset = UNSET,
        png_mask: PngMask | Unset = UNSET,
    ) -> None:
        self.object_id = object_id
        self.rle_mask = rle_mask
        self.png_mask = png_mask
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        object_id = self.object_id

        rle_mask: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rle_mask, Unset):
            rle_mask = self.rle_mask.to_dict()

        png_mask: dict[str, Any] | Unset = UNSET
        if not isinstance(self.png_mask, Unset):
            png_mask = self.png_mask.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object_id": object_id,
            }
        )
        if rle_mask is not UNSET:
            field_dict["rle_mask"] = rle_mask
        if png_mask is not UNSET:
            field_dict["png_mask"] = png_mask

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        object_id = src_dict["object_id"]

        _rle_mask = src_dict.get("rle_mask", UNSET)
        rle_mask: RleMask | Unset
        if _rle_mask is UNSET:
            rle_mask = UNSET
        else:
            rle_mask = RleMask.from_dict(_rle_mask)

        _png_mask = src_dict.get("png_mask", UNSET)
        png_mask: PngMask | Unset
        if _png_mask is UNSET:
            png_mask = UNSET
        else:
            png_mask = PngMask.from_dict(_png_mask)

        object_mask = cls(
            object_id=object_id,
            rle_mask=rle_mask,
            png_mask=png_mask,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            object_mask.additional_properties = d
        return object_mask

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
