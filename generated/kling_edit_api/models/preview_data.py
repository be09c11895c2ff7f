from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.final_balance_deduction import FinalBalanceDeduction
from ..models.preview_result import PreviewResult
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="PreviewData")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "status",
        "session_id",
        "final_unit_deduction",
        "final_balance_deduction",
        "res",
    }
)


class PreviewData(Model):
    """
    Attributes:
        status (int | Unset):
        session_id (str | Unset): Selection session id returned by init-selection (valid for 24 hours). Follow-up calls
            must use the same account and the exact session id.
        final_unit_deduction (str | Unset): Resource-pack units deducted for the call, as a decimal string.
        final_balance_deduction (FinalBalanceDeduction | Unset): What the call cost the account's balance, as decimal
            strings (Kling reference).
        res (PreviewResult | Unset):
    """

    __slots__ = (
        "status",
        "session_id",
        "final_unit_deduction",
        "final_balance_deduction",
        "res",
        "additional_properties",
    )
    __match_args__ = (
        "status",
        "session_id",
        "final_unit_deduction",
        "final_balance_deduction",
        "res",
    )

    status: int | Unset
    session_id: str | Unset
    final_unit_deduction: str | Unset
    final_balance_deduction: FinalBalanceDeduction | Unset
    res: PreviewResult | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        status: int | Unset = UNSET,
        session_id: str | Unset = UNSET,
        final_unit_deduction: str | Unset = UNSET,
        final_balance_deduction: FinalBalanceDeduction | Unset = UNSET,
        res: PreviewResult | Unset = UNSET,
    ) -> None:
        self.status = status
        self.session_id = session_id
        self.final_unit_deduction = final_unit_deduction
        self.final_balance_deduction = final_balance_deduction
        self.res = res
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        session_id = self.session_id

        final_unit_deduction = self.final_unit_deduction

        final_balance_deduction: dict[str, Any] | Unset = UNSET
        if not isinstance(self.final_balance_deduction, Unset):
            final_balance_deduction = self.final_balance_deduction.to_dict()

        res: dict[str, Any] | Unset = UNSET
        if not isinstance(self.res, Unset):
            res = self.res.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if final_unit_deduction is not UNSET:
            field_dict["final_unit_deduction"] = final_unit_deduction
        if final_balance_deduction is not UNSET:
            field_dict["final_balance_deduction"] = final_balance_deduction
        if res is not UNSET:
            field_dict["res"] = res

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        status = src_dict.get("status", UNSET)

        session_id = src_dict.get("session_id", UNSET)

        final_unit_deduction = src_dict.get("final_unit_deduction", UNSET)

        _final_balance_deduction = src_dict.get("final_balance_deduction", UNSET)
        final_balance_deduction: FinalBalanceDeduction | Unset
        if _final_balance_deduction is UNSET:
            final_balance_deduction = UNSET
        else:
            final_balance_deduction = FinalBalanceDeduction.from_dict(
                _final_balance_deduction
            )

        _res = src_dict.get("res", UNSET)
        res: PreviewResult | Unset
        if _res is UNSET:
            res = UNSET
        else:
            res = PreviewResult.from_dict(_res)

        preview_data = cls(
            status=status,
            session_id=session_id,
            final_unit_deduction=final_unit_deduction,
            final_balance_deduction=final_balance_deduction,
            res=res,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

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
