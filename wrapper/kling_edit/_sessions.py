"""`client.sessions`: open a selection session, mark points, preview the selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, Unpack

from ._models import Session
from ._operations import change_selection, clear_selection, init_session, preview_selection

if TYPE_CHECKING:
    from ._client import AsyncKlingEdit, KlingEdit
    from ._selection_models import Preview, Selection
    from ._steps import RequestOptions


class _HasXY(Protocol):
    """Any object with .x and .y (a dataclass, a named tuple, a numpy record, ...)."""

    @property
    def x(self) -> float: ...

    @property
    def y(self) -> float: ...


Point = tuple[float, float] | Sequence[float] | Mapping[str, float] | _HasXY
"""An (x, y) pair in [0, 1] (0, 0 is the top-left corner), a {"x", "y"} mapping, or any object
with .x and .y."""


def _sid(session: str | Session) -> str:
    return session.session_id if isinstance(session, Session) else session


class Sessions:
    """Selection sessions: the first half of the workflow, before a task is created."""

    def __init__(self, client: KlingEdit) -> None:
        self._client = client

    def init(
        self,
        *,
        video_url: str | None = None,
        video_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Session:
        """Open a session for a source video (exactly one of video_url, video_id).

        The session lives 24 hours. This call is billed. Raises `VideoRejectedError` when the
        service refuses the video, saying which of fps, size or duration is out of range.
        """
        c = self._client
        return c._call(init_session(video_url, video_id, c._book), options)

    def add_points(
        self,
        session: str | Session,
        *,
        frame_index: int,
        points: Iterable[Point],
        **options: Unpack[RequestOptions],
    ) -> Selection:
        """Mark up to 10 points on one frame; answer the masks of the selected objects."""
        c = self._client
        op = change_selection("add", _sid(session), frame_index, points, c._book)
        return c._call(op, options)

    def delete_points(
        self,
        session: str | Session,
        *,
        frame_index: int,
        points: Iterable[Point],
        **options: Unpack[RequestOptions],
    ) -> Selection:
        """Remove points added earlier (each must match an added point exactly)."""
        c = self._client
        op = change_selection("delete", _sid(session), frame_index, points, c._book)
        return c._call(op, options)

    def clear(self, session: str | Session, **options: Unpack[RequestOptions]) -> None:
        """Remove every point of the session."""
        c = self._client
        c._call(clear_selection(_sid(session), c._book), options)

    def preview(self, session: str | Session, **options: Unpack[RequestOptions]) -> Preview:
        """Render the tracked selection: a preview video, a cover image, the tracking masks."""
        c = self._client
        return c._call(preview_selection(_sid(session)), options)


class AsyncSessions:
    """The asyncio twin of `Sessions`."""

    def __init__(self, client: AsyncKlingEdit) -> None:
        self._client = client

    async def init(
        self,
        *,
        video_url: str | None = None,
        video_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Session:
        """Open a session for a source video; see `Sessions.init`."""
        c = self._client
        return await c._call(init_session(video_url, video_id, c._book), options)

    async def add_points(
        self,
        session: str | Session,
        *,
        frame_index: int,
        points: Iterable[Point],
        **options: Unpack[RequestOptions],
    ) -> Selection:
        """Mark up to 10 points on one frame; see `Sessions.add_points`."""
        c = self._client
        op = change_selection("add", _sid(session), frame_index, points, c._book)
        return await c._call(op, options)

    async def delete_points(
        self,
        session: str | Session,
        *,
        frame_index: int,
        points: Iterable[Point],
        **options: Unpack[RequestOptions],
    ) -> Selection:
        """Remove points added earlier; see `Sessions.delete_points`."""
        c = self._client
        op = change_selection("delete", _sid(session), frame_index, points, c._book)
        return await c._call(op, options)

    async def clear(self, session: str | Session, **options: Unpack[RequestOptions]) -> None:
        """Remove every point of the session."""
        c = self._client
        await c._call(clear_selection(_sid(session), c._book), options)

    async def preview(self, session: str | Session, **options: Unpack[RequestOptions]) -> Preview:
        """Render the tracked selection; see `Sessions.preview`."""
        c = self._client
        return await c._call(preview_selection(_sid(session)), options)
