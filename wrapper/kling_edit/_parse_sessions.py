"""Reading the selection routes' answers: the Session of init, the Selection of add/delete
(with its masks) and the Preview, each built from its generated envelope with every field checked.

Nothing else lives here: envelopes, tasks and callbacks are `_parse`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import VideoRejectedError
from ._fields import FieldError, integer, number, required_text, text
from ._models import Session
from ._parse import cost_from_api
from ._selection_models import ObjectMask, Preview, Selection

if TYPE_CHECKING:
    from kling_edit_api.models.init_selection_envelope import InitSelectionEnvelope
    from kling_edit_api.models.object_mask import ObjectMask as ApiObjectMask
    from kling_edit_api.models.preview_selection_envelope import PreviewSelectionEnvelope
    from kling_edit_api.models.selection_envelope import SelectionEnvelope


def session_from_api(parsed: InitSelectionEnvelope, raw: Any, response: httpx.Response) -> Session:
    """Build the Session of an init answer; a non-zero `status` is a `VideoRejectedError`."""
    data = parsed.data
    session = Session(
        session_id=required_text(data.session_id, "data", "session_id"),
        status=integer(data.status, "data", "status", low=-(2**63)) or 0,
        fps=number(data.fps, "data", "fps"),
        original_duration_ms=integer(
            data.original_duration, "data", "original_duration", high=2**53
        ),
        width=integer(data.width, "data", "width"),
        height=integer(data.height, "data", "height"),
        total_frame=integer(data.total_frame, "data", "total_frame"),
        normalized_video_url=text(data.normalized_video, "data", "normalized_video"),
        cost=cost_from_api(data.final_unit_deduction, data.final_balance_deduction, "data"),
        raw=raw,
        http_response=response,
    )
    if session.status != 0:
        from ._rules import video_problems

        problems = video_problems(
            session.fps, session.width, session.height, session.original_duration_ms
        )
        reason = "; ".join(problems) if problems else "the service gave no reason"
        raise VideoRejectedError(
            f"the source video was rejected (status {session.status}): {reason}",
            status_code=response.status_code,
            code=session.status,
            request_id=text(parsed.request_id, "", "request_id")
            or response.headers.get("x-request-id"),
            response=response,
            body=raw,
        )
    return session


def selection_from_api(
    session_id: str, frame_index: int
) -> Callable[[SelectionEnvelope, Any, httpx.Response], Selection]:
    """The builder of an add/delete answer's Selection, for the frame the request named."""

    def build(parsed: SelectionEnvelope, raw: Any, response: httpx.Response) -> Selection:
        data = parsed.data
        res = data.res
        frame = integer(res.frame_index if res else None, "data.res", "frame_index")
        masks = (res.rle_mask_list or ()) if res else ()
        return Selection(
            session_id=session_id,
            frame_index=frame if frame is not None else frame_index,
            objects=tuple(
                _object_mask(item, f"data.res.rle_mask_list[{index}]")
                for index, item in enumerate(masks)
            ),
            status=integer(data.status, "data", "status", low=-(2**63)) or 0,
            cost=cost_from_api(data.final_unit_deduction, data.final_balance_deduction, "data"),
            raw=raw,
            http_response=response,
        )

    return build


def _mask_size(size: object, at: str) -> tuple[int, int]:
    # [height, width]; a mask is decoded into a grid this size, so each side stays within what
    # a video frame can be (Kling's sides are at most 2160 px; 65535 leaves ample room).
    if not isinstance(size, list) or len(size) != 2:
        raise FieldError(at, "size", "[height, width]", size)
    height = integer(size[0], at, "size[0]", low=1, high=65535)
    width = integer(size[1], at, "size[1]", low=1, high=65535)
    if height is None or width is None:
        raise FieldError(at, "size", "[height, width]", size)
    return height, width


def _object_mask(item: ApiObjectMask, at: str) -> ObjectMask:
    rle, png = item.rle_mask, item.png_mask
    object_id: object = item.object_id
    if isinstance(object_id, bool) or not isinstance(object_id, int | str):
        raise FieldError(at, "object_id", "an integer or a string", object_id)
    size = None
    if rle:
        size = _mask_size(rle.size, f"{at}.rle_mask")
    elif png:
        size = _mask_size(png.size, f"{at}.png_mask")
    return ObjectMask(
        object_id=object_id,
        size=size,
        rle_counts=text(rle.counts, f"{at}.rle_mask", "counts") if rle else None,
        png_base64=text(png.base64, f"{at}.png_mask", "base64") if png else None,
    )


def preview_from_api(
    session_id: str,
) -> Callable[[PreviewSelectionEnvelope, Any, httpx.Response], Preview]:
    """The builder of a preview answer's Preview."""

    def build(parsed: PreviewSelectionEnvelope, raw: Any, response: httpx.Response) -> Preview:
        data = parsed.data
        res = data.res
        return Preview(
            session_id=session_id,
            video_url=text(res.video if res else None, "data.res", "video"),
            cover_url=text(res.video_cover if res else None, "data.res", "video_cover"),
            tracking_url=text(res.tracking_output if res else None, "data.res", "tracking_output"),
            status=integer(data.status, "data", "status", low=-(2**63)) or 0,
            cost=cost_from_api(data.final_unit_deduction, data.final_balance_deduction, "data"),
            raw=raw,
            http_response=response,
        )

    return build
