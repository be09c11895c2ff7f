from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import Model

T = TypeVar("T", bound="SessionRequest")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "session_id",
    }
)


class SessionRequest(Model):
    """
    Attributes:
        session_id (str): Selection session id returned by init-selection (valid for 24 hours). Follow-up calls must use
            the same account and the exact session id.
    """

    __slots__ = (
        "session_id",
        "additional_properties",
    )
    __match_args__ = ("session_id",)

    session_id: str
    additional_properties: dict[str, Any]

    def __init__(
        self,
        session_id: str,
    ) -> None:
        self.session_id = session_id
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        session_id = src_dict["session_id"]

        session_request = cls(
            session_id=session_id,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            session_request.additional_properties = d
        return session_request

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
