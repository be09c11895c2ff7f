from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.selection_data import SelectionData
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="SelectionEnvelope")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "code",
        "message",
        "data",
        "request_id",
    }
)


class SelectionEnvelope(Model):
    """
    Attributes:
        code (int):
        message (str):
        data (SelectionData):
        request_id (str | Unset):
    """

    __slots__ = (
        "code",
        "message",
        "data",
        "request_id",
        "additional_properties",
    )
    __match_args__ = (
        "code",
        "message",
        "data",
        "request_id",
    )

    code: int
    message: str
    data: SelectionData
    request_id: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        code: int,
        message: str,
        data: SelectionData,
        request_id: str | Unset = UNSET,
    ) -> None:
        self.code = code
        self.message = message
        self.data = data
        self.request_id = request_id
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        data = self.data.to_dict()

        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "data": data,
            }
        )
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        code = src_dict["code"]

        message = src_dict["message"]

        data = SelectionData.from_dict(src_dict["data"])

        request_id = src_dict.get("request_id", UNSET)

        selection_envelope = cls(
            code=code,
            message=message,
            data=data,
            request_id=request_id,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            selection_envelope.additional_properties = d
        return selection_envelope

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
