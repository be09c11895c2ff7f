from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.preview_result import PreviewResult


T = TypeVar("T", bound="PreviewData")


@_attrs_define
class PreviewData:
    """
    Attributes:
        status (int | Unset):
        res (PreviewResult | Unset):
    """

    status: int | Unset = UNSET
    res: PreviewResult | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        res: dict[str, Any] | Unset = UNSET
        if not isinstance(self.res, Unset):
            res = self.res.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if res is not UNSET:
            field_dict["res"] = res

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_result import PreviewResult  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status", UNSET)

        _res = d.pop("res", UNSET)
        res: PreviewResult | Unset
        if isinstance(_res, Unset):
            res = UNSET
        else:
            res = PreviewResult.from_dict(_res)

        preview_data = cls(
            status=status,
            res=res,
        )

        preview_data.additional_properties = d
        return preview_data

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
