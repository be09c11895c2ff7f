from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.created_task_info import CreatedTaskInfo
from ..models.watermark_info import WatermarkInfo
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="CreatedTask")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "task_id",
        "task_status",
        "created_at",
        "updated_at",
        "task_info",
        "watermark_info",
    }
)


class CreatedTask(Model):
    """
    Attributes:
        task_id (str | Unset):
        task_status (str | Unset):
        created_at (int | Unset):
        updated_at (int | Unset):
        task_info (CreatedTaskInfo | Unset):
        watermark_info (WatermarkInfo | Unset): Whether a watermarked copy of the result is generated as well.
    """

    __slots__ = (
        "task_id",
        "task_status",
        "created_at",
        "updated_at",
        "task_info",
        "watermark_info",
        "additional_properties",
    )
    __match_args__ = (
        "task_id",
        "task_status",
        "created_at",
        "updated_at",
        "task_info",
        "watermark_info",
    )

    task_id: str | Unset
    task_status: str | Unset
    created_at: int | Unset
    updated_at: int | Unset
    task_info: CreatedTaskInfo | Unset
    watermark_info: WatermarkInfo | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        task_id: str | Unset = UNSET,
        task_status: str | Unset = UNSET,
        created_at: int | Unset = UNSET,
        updated_at: int | Unset = UNSET,
        task_info: CreatedTaskInfo | Unset = UNSET,
        watermark_info: WatermarkInfo | Unset = UNSET,
    ) -> None:
        self.task_id = task_id
        self.task_status = task_status
        self.created_at = created_at
        self.updated_at = updated_at
        self.task_info = task_info
        self.watermark_info = watermark_info
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        task_status = self.task_status

        created_at = self.created_at

        updated_at = self.updated_at

        task_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_info, Unset):
            task_info = self.task_info.to_dict()

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if task_status is not UNSET:
            field_dict["task_status"] = task_status
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if task_info is not UNSET:
            field_dict["task_info"] = task_info
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        task_id = src_dict.get("task_id", UNSET)

        task_status = src_dict.get("task_status", UNSET)

        created_at = src_dict.get("created_at", UNSET)

        updated_at = src_dict.get("updated_at", UNSET)

        _task_info = src_dict.get("task_info", UNSET)
        task_info: CreatedTaskInfo | Unset
        if _task_info is UNSET:
            task_info = UNSET
        else:
            task_info = CreatedTaskInfo.from_dict(_task_info)

        _watermark_info = src_dict.get("watermark_info", UNSET)
        watermark_info: WatermarkInfo | Unset
        if _watermark_info is UNSET:
            watermark_info = UNSET
        else:
            watermark_info = WatermarkInfo.from_dict(_watermark_info)

        created_task = cls(
            task_id=task_id,
            task_status=task_status,
            created_at=created_at,
            updated_at=updated_at,
            task_info=task_info,
            watermark_info=watermark_info,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            created_task.additional_properties = d
        return created_task

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
