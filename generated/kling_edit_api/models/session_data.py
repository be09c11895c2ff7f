from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.final_balance_deduction import FinalBalanceDeduction
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="SessionData")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "session_id",
        "status",
        "fps",
        "original_duration",
        "width",
        "height",
        "total_frame",
        "normalized_video",
        "final_unit_deduction",
        "final_balance_deduction",
    }
)


class SessionData(Model):
    """
    Attributes:
        session_id (str): Selection session id returned by init-selection (valid for 24 hours). Follow-up calls must use
            the same account and the exact session id.
        status (int | Unset): 0 when the video was accepted; non-zero means rejected.
        fps (float | Unset):
        original_duration (int | Unset): Duration of the source video in milliseconds.
        width (int | Unset):
        height (int | Unset):
        total_frame (int | Unset):
        normalized_video (str | Unset): URL of the normalized source video.
        final_unit_deduction (str | Unset): Resource-pack units deducted for the call, as a decimal string.
        final_balance_deduction (FinalBalanceDeduction | Unset): What the call cost the account's balance, as decimal
            strings (Kling reference).
    """

    __slots__ = (
        "session_id",
        "status",
        "fps",
        "original_duration",
        "width",
        "height",
        "total_frame",
        "normalized_video",
        "final_unit_deduction",
        "final_balance_deduction",
        "additional_properties",
    )
    __match_args__ = (
        "session_id",
        "status",
        "fps",
        "original_duration",
        "width",
        "height",
        "total_frame",
        "normalized_video",
        "final_unit_deduction",
        "final_balance_deduction",
    )

    session_id: str
    status: int | Unset
    fps: float | Unset
    original_duration: int | Unset
    width: int | Unset
    height: int | Unset
    total_frame: int | Unset
    normalized_video: str | Unset
    final_unit_deduction: str | Unset
    final_balance_deduction: FinalBalanceDeduction | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        session_id: str,
        status: int | Unset = UNSET,
        fps: float | Unset = UNSET,
        original_duration: int | Unset = UNSET,
        width: int | Unset = UNSET,
        height: int | Unset = UNSET,
        total_frame: int | Unset = UNSET,
        normalized_video: str | Unset = UNSET,
        final_unit_deduction: str | Unset = UNSET,
        final_balance_deduction: FinalBalanceDeduction | Unset = UNSET,
    ) -> None:
        self.session_id = session_id
        self.status = status
        self.fps = fps
        self.original_duration = original_duration
        self.width = width
        self.height = height
        self.total_frame = total_frame
        self.normalized_video = normalized_video
        self.final_unit_deduction = final_unit_deduction
        self.final_balance_deduction = final_balance_deduction
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        status = self.status

        fps = self.fps

        original_duration = self.original_duration

        width = self.width

        height = self.height

        total_frame = self.total_frame

        normalized_video = self.normalized_video

        final_unit_deduction = self.final_unit_deduction

        final_balance_deduction: dict[str, Any] | Unset = UNSET
        if not isinstance(self.final_balance_deduction, Unset):
            final_balance_deduction = self.final_balance_deduction.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if fps is not UNSET:
            field_dict["fps"] = fps
        if original_duration is not UNSET:
            field_dict["original_duration"] = original_duration
        if width is not UNSET:
            field_dict["width"] = width
        if height is not UNSET:
            field_dict["height"] = height
        if total_frame is not UNSET:
            field_dict["total_frame"] = total_frame
        if normalized_video is not UNSET:
            field_dict["normalized_video"] = normalized_video
        if final_unit_deduction is not UNSET:
            field_dict["final_unit_deduction"] = final_unit_deduction
        if final_balance_deduction is not UNSET:
            field_dict["final_balance_deduction"] = final_balance_deduction

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        session_id = src_dict["session_id"]

        status = src_dict.get("status", UNSET)

        fps = src_dict.get("fps", UNSET)

        original_duration = src_dict.get("original_duration", UNSET)

        width = src_dict.get("width", UNSET)

        height = src_dict.get("height", UNSET)

        total_frame = src_dict.get("total_frame", UNSET)

        normalized_video = src_dict.get("normalized_video", UNSET)

        final_unit_deduction = src_dict.get("final_unit_deduction", UNSET)

        _final_balance_deduction = src_dict.get("final_balance_deduction", UNSET)
        final_balance_deduction: FinalBalanceDeduction | Unset
        if _final_balance_deduction is UNSET:
            final_balance_deduction = UNSET
        else:
            final_balance_deduction = FinalBalanceDeduction.from_dict(
                _final_balance_deduction
            )

        session_data = cls(
            session_id=session_id,
            status=status,
            fps=fps,
            original_duration=original_duration,
            width=width,
            height=height,
            total_frame=total_frame,
            normalized_video=normalized_video,
            final_unit_deduction=final_unit_deduction,
            final_balance_deduction=final_balance_deduction,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            session_data.additional_properties = d
        return session_data

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
