from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.object_mask import ObjectMask
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="SelectionDataRes")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "frame_index",
        "rle_mask_list",
    }
)


class SelectionDataRes(Model):
    """
    Attributes:
        frame_index (int | Unset):
        rle_mask_list (list[ObjectMask] | Unset):
    """

    __slots__ = (
        "frame_index",
        "rle_mask_list",
        "additional_properties",
    )
    __match_args__ = (
        "frame_index",
        "rle_mask_list",
    )

    frame_index: int | Unset
    rle_mask_list: list[ObjectMask] | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        frame_index: int | Unset = UNSET,
        rle_mask_list: list[ObjectMask] | Unset = UNSET,
    ) -> None:
        self.frame_index = frame_index
        self.rle_mask_list = rle_mask_list
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        frame_index = self.frame_index

        rle_mask_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.rle_mask_list, Unset):
            rle_mask_list = []
            for rle_mask_list_item_data in self.rle_mask_list:
                rle_mask_list_item = rle_mask_list_item_data.to_dict()
                rle_mask_list.append(rle_mask_list_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if frame_index is not UNSET:
            field_dict["frame_index"] = frame_index
        if rle_mask_list is not UNSET:
            field_dict["rle_mask_list"] = rle_mask_list

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        frame_index = src_dict.get("frame_index", UNSET)

        _rle_mask_list = src_dict.get("rle_mask_list", UNSET)
        rle_mask_list: list[ObjectMask] | Unset = UNSET
        if _rle_mask_list is not UNSET:
            rle_mask_list = []
            for rle_mask_list_item_data in _rle_mask_list:
                rle_mask_list_item = ObjectMask.from_dict(rle_mask_list_item_data)

                rle_mask_list.append(rle_mask_list_item)

        selection_data_res = cls(
            frame_index=frame_index,
            rle_mask_list=rle_mask_list,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            selection_data_res.additional_properties = d
        return selection_data_res

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
