from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.object_mask import ObjectMask
from ..types import UNSET, Unset

T = TypeVar("T", bound="SelectionDataRes")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "frame_index",
        "rle_mask_list",
    }
)


@_attrs_define
class SelectionDataRes:
    """
    Attributes:
        frame_index (int | Unset):
        rle_mask_list (list[ObjectMask] | Unset):
    """

    frame_index: int | Unset = UNSET
    rle_mask_list: list[ObjectMask] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
