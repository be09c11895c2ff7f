from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="TaskVideo")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "id",
        "session_id",
        "url",
        "watermark_url",
        "duration",
    }
)


class TaskVideo(Model):
    """
    Attributes:
        id (str | Unset):
        session_id (str | Unset): The selection session the task was created from.
        url (str | Unset): Result video URL. Files are deleted 30 days after generation.
        watermark_url (str | Unset): URL of the watermarked copy, when `watermark_info.enabled` was true.
        duration (str | Unset): Duration of the result in seconds, as a string (e.g. "5.1").
    """

    __slots__ = (
        "id",
        "session_id",
        "url",
        "watermark_url",
        "duration",
        "additional_properties",
    )
    __match_args__ = (
        "id",
        "session_id",
        "url",
        "watermark_url",
        "duration",
    )

    id: str | Unset
    session_id: str | Unset
    url: str | Unset
    watermark_url: str | Unset
    duration: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        id: str | Unset = UNSET,
        session_id: str | Unset = UNSET,
        url: str | Unset = UNSET,
        watermark_url: str | Unset = UNSET,
        duration: str | Unset = UNSET,
    ) -> None:
        self.id = id
        self.session_id = session_id
        self.url = url
        self.watermark_url = watermark_url
        self.duration = duration
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        session_id = self.session_id

        url = self.url

        watermark_url = self.watermark_url

        duration = self.duration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if url is not UNSET:
            field_dict["url"] = url
        if watermark_url is not UNSET:
            field_dict["watermark_url"] = watermark_url
        if duration is not UNSET:
            field_dict["duration"] = duration

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        id = src_dict.get("id", UNSET)

        session_id = src_dict.get("session_id", UNSET)

        url = src_dict.get("url", UNSET)

        watermark_url = src_dict.get("watermark_url", UNSET)

        duration = src_dict.get("duration", UNSET)

        task_video = cls(
            id=id,
            session_id=session_id,
            url=url,
            watermark_url=watermark_url,
            duration=duration,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            task_video.additional_properties = d
        return task_video

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
