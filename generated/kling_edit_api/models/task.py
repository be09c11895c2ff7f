from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_task_info import TaskTaskInfo
    from ..models.task_task_result import TaskTaskResult


T = TypeVar("T", bound="Task")


@_attrs_define
class Task:
    """
    Attributes:
        task_id (str):
        task_status (str): `submitted`, `processing`, `succeed` or `failed`. Clients should tolerate other values.
        task_status_msg (str | Unset): Why the task failed, when it did.
        task_info (TaskTaskInfo | Unset):
        created_at (int | Unset): Milliseconds since the epoch.
        updated_at (int | Unset): Milliseconds since the epoch.
        task_result (TaskTaskResult | Unset):
    """

    task_id: str
    task_status: str
    task_status_msg: str | Unset = UNSET
    task_info: TaskTaskInfo | Unset = UNSET
    created_at: int | Unset = UNSET
    updated_at: int | Unset = UNSET
    task_result: TaskTaskResult | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        task_status = self.task_status

        task_status_msg = self.task_status_msg

        task_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_info, Unset):
            task_info = self.task_info.to_dict()

        created_at = self.created_at

        updated_at = self.updated_at

        task_result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_result, Unset):
            task_result = self.task_result.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "task_status": task_status,
            }
        )
        if task_status_msg is not UNSET:
            field_dict["task_status_msg"] = task_status_msg
        if task_info is not UNSET:
            field_dict["task_info"] = task_info
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if task_result is not UNSET:
            field_dict["task_result"] = task_result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_task_info import TaskTaskInfo  # noqa: PLC0415
        from ..models.task_task_result import TaskTaskResult  # noqa: PLC0415

        d = dict(src_dict)
        task_id = d.pop("task_id")

        task_status = d.pop("task_status")

        task_status_msg = d.pop("task_status_msg", UNSET)

        _task_info = d.pop("task_info", UNSET)
        task_info: TaskTaskInfo | Unset
        if isinstance(_task_info, Unset):
            task_info = UNSET
        else:
            task_info = TaskTaskInfo.from_dict(_task_info)

        created_at = d.pop("created_at", UNSET)

        updated_at = d.pop("updated_at", UNSET)

        _task_result = d.pop("task_result", UNSET)
        task_result: TaskTaskResult | Unset
        if isinstance(_task_result, Unset):
            task_result = UNSET
        else:
            task_result = TaskTaskResult.from_dict(_task_result)

        task = cls(
            task_id=task_id,
            task_status=task_status,
            task_status_msg=task_status_msg,
            task_info=task_info,
            created_at=created_at,
            updated_at=updated_at,
            task_result=task_result,
        )

        task.additional_properties = d
        return task

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
