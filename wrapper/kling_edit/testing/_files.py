"""File serving: the sample media of sessions and the result videos of finished tasks.

Nothing else lives here.
"""

from __future__ import annotations

from ._assets import SAMPLE_COVER, SAMPLE_VIDEO, asset_bytes, padded_video
from ._responses import file_response, stream_response, text_response
from ._routes import Routes
from ._selection import object_png
from ._state import RESULT_LIFETIME_SECONDS, SimResponse


def serve_file(routes: Routes, name: str, now: float, result_size_bytes: int | None) -> SimResponse:
    """Answer a GET of `/files/{name}`."""
    kind, _, rest = name.partition("/")
    if kind == "results" and rest.endswith(".mp4"):
        task_id = rest.removesuffix(".mp4").removesuffix(".watermarked")
        return _serve_result(routes, task_id, now, result_size_bytes)
    session_id, _, file_name = rest.partition("/")
    with routes.lock:
        session = routes.sessions.get(session_id) if kind == "sessions" else None
        marks = sorted(session.marks.items()) if session else []
    if session is None or session.expired(now):
        return text_response(404, "Not Found: no such file")
    if file_name in ("normalized.mp4", "preview.mp4"):
        return file_response("video/mp4", asset_bytes(SAMPLE_VIDEO))
    if file_name == "cover.png":
        return file_response("image/png", asset_bytes(SAMPLE_COVER))
    if file_name == "tracking.png":
        # The mask of the first marked frame, as the selection stands when it is fetched.
        frame, points = (marks[0][0], tuple(marks[0][1])) if marks else (0, ())
        video = session.video
        return file_response(
            "image/png", object_png(video.height, video.width, video.total_frame, frame, points)
        )
    return text_response(404, "Not Found: no such file")


def _serve_result(
    routes: Routes, task_id: str, now: float, result_size_bytes: int | None
) -> SimResponse:
    with routes.lock:
        task = routes.tasks.get(task_id)
    if task is None or task.status_at(now)[1] != "succeed":
        return text_response(404, "Not Found: no such result video")
    if now >= task.finished + RESULT_LIFETIME_SECONDS:
        return text_response(
            404, "Not Found: this result video expired (results are deleted after 30 days)"
        )
    return stream_response("video/mp4", *padded_video(result_size_bytes, task.body["edit_mode"]))
