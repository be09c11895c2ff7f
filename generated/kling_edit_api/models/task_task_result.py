from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.task_video import TaskVideo
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="TaskTaskResult")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "videos",
    }
)


class TaskTaskResult(Model):
    """Empty (`{}`) until the task succeeds.

    Attributes:
        videos (list[TaskVideo] | Unset):
    """

    __slots__ = (
        "videos",
        "additional_properties",
    )
    __match_args__ = ("videos",)

    videos: list[TaskVideo] | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        videos: list[TaskVideo] | Unset = UNSET,
    ) -> None:
        self.videos = videos
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        videos: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.videos, Unset):
            videos = []
            for videos_item_data in self.videos:
                videos_item = videos_item_data.to_dict()
                videos.append(videos_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if videos is not UNSET:
            field_dict["videos"] = videos

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        _videos = src_dict.get("videos", UNSET)
        videos: list[TaskVideo] | Unset = UNSET
        if _videos is not UNSET:
            videos = []
            for videos_item_data in _videos:
                videos_item = TaskVideo.from_dict(videos_item_data)

                videos.append(videos_item)

        task_task_result = cls(
            videos=videos,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            task_task_result.additional_properties = d
        return task_task_result

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
