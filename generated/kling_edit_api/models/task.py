from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.final_balance_deduction import FinalBalanceDeduction
from ..models.task_task_info import TaskTaskInfo
from ..models.task_task_result import TaskTaskResult
from ..models.watermark_info import WatermarkInfo
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="Task")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "task_id",
        "task_status",
        "task_status_msg",
        "task_info",
        "created_at",
        "updated_at",
        "watermark_info",
        "final_unit_deduction",
        "final_balance_deduction",
        "task_result",
    }
)


class Task(Model):
    """
    Attributes:
        task_id (str):
        task_status (str): `submitted`, `processing`, `succeed` or `failed`. Clients should tolerate other values.
        task_status_msg (str | Unset): Why the task failed, when it did.
        task_info (TaskTaskInfo | Unset):
        created_at (int | Unset): Milliseconds since the epoch.
        updated_at (int | Unset): Milliseconds since the epoch.
        watermark_info (WatermarkInfo | Unset): Whether a watermarked copy of the result is generated as well.
        final_unit_deduction (str | Unset): Resource-pack units deducted for the call, as a decimal string.
        final_balance_deduction (FinalBalanceDeduction | Unset): What the call cost the account's balance, as decimal
            strings (Kling reference).
        task_result (TaskTaskResult | Unset): Empty (`{}`) until the task succeeds.
    """

    __slots__ = (
        "task_id",
        "task_status",
        "task_status_msg",
        "task_info",
        "created_at",
        "updated_at",
        "watermark_info",
        "final_unit_deduction",
        "final_balance_deduction",
        "task_result",
        "additional_properties",
    )
    __match_args__ = (
        "task_id",
        "task_status",
        "task_status_msg",
        "task_info",
        "created_at",
        "updated_at",
        "watermark_info",
        "final_unit_deduction",
        "final_balance_deduction",
        "task_result",
    )

    task_id: str
    task_status: str
    task_status_msg: str | Unset
    task_info: TaskTaskInfo | Unset
    created_at: int | Unset
    updated_at: int | Unset
    watermark_info: WatermarkInfo | Unset
    final_unit_deduction: str | Unset
    final_balance_deduction: FinalBalanceDeduction | Unset
    task_result: TaskTaskResult | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        task_id: str,
        task_status: str,
        task_status_msg: str | Unset = UNSET,
        task_info: TaskTaskInfo | Unset = UNSET,
        created_at: int | Unset = UNSET,
        updated_at: int | Unset = UNSET,
        watermark_info: WatermarkInfo | Unset = UNSET,
        final_unit_deduction: str | Unset = UNSET,
        final_balance_deduction: FinalBalanceDeduction | Unset = UNSET,
        task_result: TaskTaskResult | Unset = UNSET,
    ) -> None:
        self.task_id = task_id
        self.task_status = task_status
        self.task_status_msg = task_status_msg
        self.task_info = task_info
        self.created_at = created_at
        self.updated_at = updated_at
        self.watermark_info = watermark_info
        self.final_unit_deduction = final_unit_deduction
        self.final_balance_deduction = final_balance_deduction
        self.task_result = task_result
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        task_status = self.task_status

        task_status_msg = self.task_status_msg

        task_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_info, Unset):
            task_info = self.task_info.to_dict()

        created_at = self.created_at

        updated_at = self.updated_at

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        final_unit_deduction = self.final_unit_deduction

        final_balance_deduction: dict[str, Any] | Unset = UNSET
        if not isinstance(self.final_balance_deduction, Unset):
            final_balance_deduction = self.final_balance_deduction.to_dict()

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
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info
        if final_unit_deduction is not UNSET:
            field_dict["final_unit_deduction"] = final_unit_deduction
        if final_balance_deduction is not UNSET:
            field_dict["final_balance_deduction"] = final_balance_deduction
        if task_result is not UNSET:
            field_dict["task_result"] = task_result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        task_id = src_dict["task_id"]

        task_status = src_dict["task_status"]

        task_status_msg = src_dict.get("task_status_msg", UNSET)

        _task_info = src_dict.get("task_info", UNSET)
        task_info: TaskTaskInfo | Unset
        if _task_info is UNSET:
            task_info = UNSET
        else:
            task_info = TaskTaskInfo.from_dict(_task_info)

        created_at = src_dict.get("created_at", UNSET)

        updated_at = src_dict.get("updated_at", UNSET)

        _watermark_info = src_dict.get("watermark_info", UNSET)
        watermark_info: WatermarkInfo | Unset
        if _watermark_info is UNSET:
            watermark_info = UNSET
        else:
            watermark_info = WatermarkInfo.from_dict(_watermark_info)

        final_unit_deduction = src_dict.get("final_unit_deduction", UNSET)

        _final_balance_deduction = src_dict.get("final_balance_deduction", UNSET)
        final_balance_deduction: FinalBalanceDeduction | Unset
        if _final_balance_deduction is UNSET:
            final_balance_deduction = UNSET
        else:
            final_balance_deduction = FinalBalanceDeduction.from_dict(
                _final_balance_deduction
            )

        _task_result = src_dict.get("task_result", UNSET)
        task_result: TaskTaskResult | Unset
        if _task_result is UNSET:
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
            watermark_info=watermark_info,
            final_unit_deduction=final_unit_deduction,
            final_balance_deduction=final_balance_deduction,
            task_result=task_result,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

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
