from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="PreviewResult")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "video",
        "video_cover",
        "tracking_output",
    }
)


class PreviewResult(Model):
    """
    Attributes:
        video (str | Unset): URL of the masked preview video.
        video_cover (str | Unset): URL of the preview's cover image.
        tracking_output (str | Unset): URL of the per-frame tracking masks.
    """

    __slots__ = (
        "video",
        "video_cover",
        "tracking_output",
        "additional_properties",
    )
    __match_args__ = (
        "video",
        "video_cover",
        "tracking_output",
    )

    video: str | Unset
    video_cover: str | Unset
    tracking_output: str | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        video: str | Unset = UNSET,
        video_cover: str | Unset = UNSET,
        tracking_output: str | Unset = UNSET,
    ) -> None:
        self.video = video
        self.video_cover = video_cover
        self.tracking_output = tracking_output
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        video = self.video

        video_cover = self.video_cover

        tracking_output = self.tracking_output

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if video is not UNSET:
            field_dict["video"] = video
        if video_cover is not UNSET:
            field_dict["video_cover"] = video_cover
        if tracking_output is not UNSET:
            field_dict["tracking_output"] = tracking_output

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        video = src_dict.get("video", UNSET)

        video_cover = src_dict.get("video_cover", UNSET)

        tracking_output = src_dict.get("tracking_output", UNSET)

        preview_result = cls(
            video=video,
            video_cover=video_cover,
            tracking_output=tracking_output,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            preview_result.additional_properties = d
        return preview_result

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
