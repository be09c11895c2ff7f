from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="InitSelectionRequest")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "video_url",
        "video_id",
    }
)


class InitSelectionRequest(Model):
    """
    Attributes:
        video_url (str | Unset): Public URL of an mp4 or mov source video (an empty string counts as not given).
        video_id (str | Unset): Id of a Kling-generated video, at most 30 days old (an empty string counts as not
            given).
    """

    __slots__ = (
        "video_url",
        "video_id",
        "additional_properties",
    )
    __match_args__ = (
        "video_url",
        "video_id",
    )

    video_url: str | Unset
    video_id: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        video_url: str | Unset = UNSET,
        video_id: str | Unset = UNSET,
    ) -> None:
        self.video_url = video_url
        self.video_id = video_id
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        video_url = self.video_url

        video_id = self.video_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if video_url is not UNSET:
            field_dict["video_url"] = video_url
        if video_id is not UNSET:
            field_dict["video_id"] = video_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        video_url = src_dict.get("video_url", UNSET)

        video_id = src_dict.get("video_id", UNSET)

        init_selection_request = cls(
            video_url=video_url,
            video_id=video_id,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            init_selection_request.additional_properties = d
        return init_selection_request

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
