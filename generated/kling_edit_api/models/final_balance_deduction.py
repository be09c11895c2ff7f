from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="FinalBalanceDeduction")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "quota",
        "list_price",
    }
)


class FinalBalanceDeduction(Model):
    """What the call cost the account's balance, as decimal strings (Kling reference).

    Attributes:
        quota (str | Unset): Balance deducted at the discounted price.
        list_price (str | Unset): Balance deducted at the list price.
    """

    __slots__ = (
        "quota",
        "list_price",
        "additional_properties",
    )
    __match_args__ = (
        "quota",
        "list_price",
    )

    quota: str | Unset
    list_price: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        quota: str | Unset = UNSET,
        list_price: str | Unset = UNSET,
    ) -> None:
        self.quota = quota
        self.list_price = list_price
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        quota = self.quota

        list_price = self.list_price

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if quota is not UNSET:
            field_dict["quota"] = quota
        if list_price is not UNSET:
            field_dict["list_price"] = list_price

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        quota = src_dict.get("quota", UNSET)

        list_price = src_dict.get("list_price", UNSET)

        final_balance_deduction = cls(
            quota=quota,
            list_price=list_price,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            final_balance_deduction.additional_properties = d
        return final_balance_deduction

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
