from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.selection_data_res import SelectionDataRes


T = TypeVar("T", bound="SelectionData")


@_attrs_define
class SelectionData:
    """
    Attributes:
        status (int): 0 when the selection was applied.
        res (SelectionDataRes | Unset):
    """

    status: int
    res: SelectionDataRes | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        res: dict[str, Any] | Unset = UNSET
        if not isinstance(self.res, Unset):
            res = self.res.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if res is not UNSET:
            field_dict["res"] = res

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.selection_data_res import SelectionDataRes  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status")

        _res = d.pop("res", UNSET)
        res: SelectionDataRes | Unset
        if isinstance(_res, Unset):
            res = UNSET
        else:
            res = SelectionDataRes.from_dict(_res)

        selection_data = cls(
            status=status,
            res=res,
        )

        selection_data.additional_properties = d
        return selection_data

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
