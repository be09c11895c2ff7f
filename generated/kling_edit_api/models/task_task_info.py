from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="TaskTaskInfo")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "external_task_id",
    }
)


class TaskTaskInfo(Model):
    """
    Attributes:
        external_task_id (str | Unset):
    """

    __slots__ = (
        "external_task_id",
        "additional_properties",
    )
    __match_args__ = ("external_task_id",)

    external_task_id: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        external_task_id: str | Unset = UNSET,
    ) -> None:
        self.external_task_id = external_task_id
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        external_task_id = self.external_task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        external_task_id = src_dict.get("external_task_id", UNSET)

        task_task_info = cls(
            external_task_id=external_task_id,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            task_task_info.additional_properties = d
        return task_task_info

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
