"""`SessionBook`: what a client remembers of the sessions it has seen, to check frame rules locally.

Nothing else lives here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from . import _rules
from ._models import Session


class _SessionFacts(NamedTuple):
    # A named tuple: `import kling_edit` builds no attrs class for it.
    total_frame: int | None
    original_duration_ms: int | None
    # The points added on each marked frame: a frame whose points are all deleted is no longer
    # marked (delete-selection takes exactly the points add-selection got).
    marked_frames: Mapping[int, frozenset[tuple[float, float]]] = MappingProxyType({})


class SessionBook:
    """Facts of recently seen sessions (bounded): total_frame, duration, marked frames."""

    def __init__(self, capacity: int = 4096) -> None:
        self._facts: OrderedDict[str, _SessionFacts] = OrderedDict()
        self._capacity = capacity

    def remember(self, session: Session) -> None:
        self._put(
            session.session_id, _SessionFacts(session.total_frame, session.original_duration_ms)
        )

    def _put(self, session_id: str, facts: _SessionFacts) -> None:
        self._facts[session_id] = facts
        self._facts.move_to_end(session_id)
        while len(self._facts) > self._capacity:
            self._facts.popitem(last=False)

    def check_frame(
        self,
        session_id: str,
        frame_index: int,
        points: frozenset[tuple[float, float]],
        *,
        adding: bool,
    ) -> None:
        """Refuse a change the service would refuse given what this client already marked:
        a frame beyond the video (R8), an 11th marked frame (R12), an 11th point on one frame
        counted across add calls (R11). Unknown sessions pass: the service decides."""
        facts = self._facts.get(session_id)
        if facts is None:
            return
        if facts.total_frame is not None and frame_index >= facts.total_frame:
            raise _rules.fail(
                "frame_index",
                f"must be below the session's total_frame ({facts.total_frame}), got"
                f" {frame_index} (rule R8)",
            )
        if not adding:
            return
        marked = facts.marked_frames.get(frame_index)
        if marked is None and len(facts.marked_frames) >= _rules.MAX_FRAMES_PER_SESSION:
            raise _rules.fail(
                "frame_index",
                f"a session can mark at most {_rules.MAX_FRAMES_PER_SESSION} frames; this one"
                f" already marked {sorted(facts.marked_frames)} (rule R12)",
            )
        total = len((marked or frozenset()) | points)
        if total > _rules.MAX_POINTS_PER_FRAME:
            raise _rules.fail(
                "points",
                f"at most {_rules.MAX_POINTS_PER_FRAME} points on one frame, counted across"
                f" add calls: frame {frame_index} holds {len(marked or ())}, these would make"
                f" {total} (rule R11; delete points to free room)",
            )

    def mark(
        self,
        session_id: str,
        frame_index: int,
        points: frozenset[tuple[float, float]],
        *,
        adding: bool,
    ) -> None:
        facts = self._facts.get(session_id)
        if facts is None:
            return
        frames = dict(facts.marked_frames)
        kept = frames.pop(frame_index, frozenset())
        kept = kept | points if adding else kept - points
        if kept:
            frames[frame_index] = kept
        self._put(session_id, facts._replace(marked_frames=frames))

    def clear(self, session_id: str) -> None:
        facts = self._facts.get(session_id)
        if facts is not None:
            self._put(session_id, facts._replace(marked_frames={}))

    def duration_ms(self, session_id: str) -> int | None:
        facts = self._facts.get(session_id)
        return facts.original_duration_ms if facts is not None else None
