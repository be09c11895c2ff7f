"""The selection routes' models: `Selection` (with its `ObjectMask`s) and `Preview`; nothing else.

Frozen, slotted attrs classes like those of `_models`, kept apart so that a program which only
creates and reads tasks never builds them: `import kling_edit` loads this module on first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from ._models import Cost

if TYPE_CHECKING:
    import httpx

    from ._masks import Mask

__all__ = ["ObjectMask", "Preview", "Selection"]


@frozen
class ObjectMask:
    """The mask of one selected object on one frame, as the service encoded it."""

    object_id: int | str
    size: tuple[int, int] | None = None
    rle_counts: str | None = None
    png_base64: str | None = field(default=None, repr=False)

    def mask(self) -> Mask:
        """Decode to a `Mask` (a 2-D boolean grid), from the RLE form or else the PNG."""
        from ._masks import Mask

        if self.size is not None and self.rle_counts is not None:
            return Mask.from_rle(self.size, self.rle_counts)
        if self.png_base64 is not None:
            import base64

            return Mask.from_png(base64.b64decode(self.png_base64))
        raise ValueError(f"object {self.object_id} carries no mask")

    def to_grid(self) -> list[list[bool]]:
        """The mask as rows of booleans (True = selected)."""
        return self.mask().to_grid()

    def save_png(self, path: str | os.PathLike[str]) -> Path:
        """Write the mask as a black-and-white PNG; answer the path written."""
        return self.mask().save_png(path)


@frozen
class Selection:
    """The masks of the objects selected on one frame, after adding or deleting points."""

    session_id: str
    frame_index: int
    objects: tuple[ObjectMask, ...] = ()
    status: int = 0
    cost: Cost | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)
    http_response: httpx.Response | None = field(default=None, repr=False, eq=False)


@frozen
class Preview:
    """URLs of the tracked-selection preview."""

    session_id: str
    video_url: str | None = None
    cover_url: str | None = None
    tracking_url: str | None = None
    status: int = 0
    cost: Cost | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)
    http_response: httpx.Response | None = field(default=None, repr=False, eq=False)
