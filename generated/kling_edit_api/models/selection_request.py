from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.point import Point
from ..types import Model

T = TypeVar("T", bound="SelectionRequest")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "session_id",
        "frame_index",
        "points",
    }
)


class SelectionRequest(Model):
    """
    Attributes:
        session_id (str): Selection session id returned by init-selection (valid for 24 hours). Follow-up calls must use
            the same account and the exact session id.
        frame_index (int): Frame to mark, below `total_frame` from init-selection (0-based). At most 10 distinct frames
            can be marked in one session.
        points (list[Point]):
    """

    __slots__ = (
        "session_id",
        "frame_index",
        "points",
        "additional_properties",
    )
    __match_args__ = (
        "session_id",
        "frame_index",
        "points",
    )

    session_id: str
    frame_index: int
    points: list[Point]
    additional_properties: dict[str, Any]

    def __init__(
        self,
        session_id: str,
        frame_index: int,
        points: list[Point],
    ) -> None:
        self.session_id = session_id
        self.frame_index = frame_index
        self.points = points
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        frame_index = self.frame_index

        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "frame_index": frame_index,
                "points": points,
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

        frame_index = src_dict["frame_index"]

        points = []
        _points = src_dict["points"]
        for points_item_data in _points:
            points_item = Point.from_dict(points_item_data)

            points.append(points_item)

        selection_request = cls(
            session_id=session_id,
            frame_index=frame_index,
            points=points,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            selection_request.additional_properties = d
        return selection_request

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
