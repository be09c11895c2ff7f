"""Images in (what is sent for each form), results out (download), and the selection masks."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock, IteratorStream

from kling_edit import (
    APIConnectionError,
    DownloadError,
    Mask,
    RequestValidationError,
    Task,
    TaskVideo,
)
from kling_edit._media import image_size, prepare_image, prepare_images
from kling_edit._rules import IMAGE_MAX_BYTES
from wrapper_helpers import (
    ADD_URL,
    API,
    RESULT_URL,
    SESSION_ID,
    TASK_ID,
    Api,
    envelope,
    jpeg_bytes,
    png_bytes,
    selection_data,
    task_data,
)

PNG = png_bytes(400, 300)
JPEG = jpeg_bytes(640, 480)
SWAP_PROMPT = "Use <<<image_1>>> in <<<video_1>>>"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


async def test_a_local_file_is_sent_as_raw_base64(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    image = tmp_path / "object.png"
    image.write_bytes(PNG)
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    await api("tasks.swap", SESSION_ID, prompt=SWAP_PROMPT, image=image)

    body = json.loads(httpx_mock.get_requests()[0].content)
    assert body["image_list"] == [{"image": _b64(PNG)}]


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        pytest.param(
            "https://images.test/a.png?sig=1", "https://images.test/a.png?sig=1", id="url"
        ),
        pytest.param(" HTTP://images.test/a.jpg ", "http://images.test/a.jpg", id="url-spaces"),
        pytest.param(PNG, _b64(PNG), id="bytes"),
        pytest.param(bytearray(JPEG), _b64(JPEG), id="bytearray"),
        pytest.param(memoryview(PNG), _b64(PNG), id="memoryview"),
        pytest.param(_b64(PNG), _b64(PNG), id="raw-base64"),
        # Line-wrapped base64 (as `base64` the tool writes it) is sent unwrapped.
        pytest.param(base64.encodebytes(PNG).decode(), _b64(PNG), id="wrapped-base64"),
        pytest.param("data:image/png;base64," + _b64(PNG), _b64(PNG), id="data-uri-png"),
        pytest.param("data:image/jpeg;base64," + _b64(JPEG), _b64(JPEG), id="data-uri-jpeg"),
        pytest.param("DATA:IMAGE/JPG;base64," + _b64(JPEG), _b64(JPEG), id="data-uri-jpg-upper"),
    ],
)
def test_what_is_sent_for_each_form_of_image(given: object, sent: str) -> None:
    assert prepare_image("images[0]", given) == sent


def test_a_file_path_given_as_text_is_read(tmp_path: Path) -> None:
    image = tmp_path / "photo.jpg"
    image.write_bytes(JPEG)

    assert prepare_image("images[0]", str(image)) == _b64(JPEG)


@pytest.mark.parametrize(
    ("width", "height"),
    [(300, 300), (300, 750), (750, 300), (4096, 2000)],
)
@pytest.mark.parametrize("encode", [png_bytes, jpeg_bytes], ids=["png", "jpeg"])
def test_images_at_the_limits_are_accepted(width: int, height: int, encode: Any) -> None:
    data: bytes = encode(width, height)

    assert prepare_image("images[0]", data) == _b64(data)


def test_an_image_of_exactly_10_mb_is_accepted() -> None:
    data = PNG + bytes(IMAGE_MAX_BYTES - len(PNG))

    assert len(prepare_image("images[0]", data)) == len(_b64(data))
    with pytest.raises(RequestValidationError, match="at most 10 MB"):
        prepare_image("images[0]", data + b"\x00")


@pytest.mark.parametrize("sof", [0xC0, 0xC1, 0xC2, 0xC3, 0xC9, 0xCF])
def test_jpeg_size_is_read_from_any_start_of_frame(sof: int) -> None:
    assert image_size("images[0]", jpeg_bytes(1234, 567, sof=sof)) == ("jpeg", 1234, 567)


def test_jpeg_fill_bytes_before_a_marker_are_skipped() -> None:
    data = jpeg_bytes(800, 600)
    padded = data[:2] + b"\xff\xff" + data[2:]

    assert image_size("images[0]", padded) == ("jpeg", 800, 600)


def test_a_jpeg_without_a_frame_header_is_refused() -> None:
    no_frame = b"\xff\xd8" + b"\xff\xe0\x00\x04\x00\x00" + b"\xff\xd9"

    with pytest.raises(RequestValidationError, match="cannot be read"):
        image_size("images[0]", no_frame)


def test_a_png_cut_short_before_its_size_is_called_truncated() -> None:
    with pytest.raises(RequestValidationError, match="truncated") as caught:
        image_size("images[0]", PNG[:20])
    assert "JPG or PNG" not in str(caught.value)


def test_a_png_without_its_header_chunk_is_called_corrupt() -> None:
    broken = PNG[:12] + b"XXXX" + PNG[16:]
    with pytest.raises(RequestValidationError, match="corrupt"):
        image_size("images[0]", broken)


def test_a_single_image_argument_is_named_as_the_caller_wrote_it() -> None:
    with pytest.raises(RequestValidationError) as caught:
        prepare_images([b"GIF89a"], single_field="image")
    assert caught.value.field == "image"
    assert str(caught.value).startswith("image: ")


def test_a_list_of_images_names_each_by_its_index() -> None:
    with pytest.raises(RequestValidationError) as caught:
        prepare_images([PNG, b"GIF89a"])
    assert caught.value.field == "images[1]"
    assert prepare_images([PNG], single_field="image") == [_b64(PNG)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("A" + " " * 32000 + "!", id="spaces-then-bad-char"),
        pytest.param("A" * 32000 + "!", id="letters-then-bad-char"),
        pytest.param(("A" + " ") * 16000 + "!", id="alternating-then-bad-char"),
        pytest.param("A" * 32000 + "=" * 3, id="three-pads"),
        pytest.param("A" * 16000 + "\n" * 16000 + "=!", id="newlines-then-bad-char"),
        pytest.param("data:" + "a" * 32000, id="data-uri-without-comma"),
        pytest.param("data:image/png;" + ";" * 32000, id="data-uri-of-semicolons"),
        pytest.param("http" + ":" * 32000, id="almost-a-url"),
    ],
)
def test_classifying_adversarial_text_is_fast(text: str) -> None:
    # The backtracking pattern took 2.7 s on the first of these; a linear scan takes well
    # under a millisecond, so 0.2 s is a generous bound even on a loaded CI machine.
    started = time.perf_counter()
    with pytest.raises(RequestValidationError):
        prepare_image("images[0]", text)
    assert time.perf_counter() - started < 0.2


# ---------------------------------------------------------------------------------------------
# Downloads

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


def _finished(url: str = RESULT_URL) -> Task:
    return Task(task_id=TASK_ID, status="succeed", videos=(TaskVideo(url=url),))


def _chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_download_streams_the_result_without_the_api_key(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=RESULT_URL, stream=IteratorStream(_chunks(VIDEO)))
    target = tmp_path / "out.mp4"

    written = await api("tasks.download", _finished(), target)

    assert written == target
    assert target.read_bytes() == VIDEO
    assert _leftovers(tmp_path) == ["out.mp4"]
    request = httpx_mock.get_requests()[0]
    # Result URLs are pre-signed and live on another host: the key must not travel there.
    assert "authorization" not in request.headers


@pytest.mark.parametrize(("index", "name"), [(0, f"{TASK_ID}.mp4"), (1, f"{TASK_ID}-1.mp4")])
async def test_download_into_a_folder_names_the_file_after_the_task(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path, index: int, name: str
) -> None:
    second = "https://cdn.kling.test/results/task-1-b.mp4"
    task = Task(
        task_id=TASK_ID,
        status="succeed",
        videos=(TaskVideo(url=RESULT_URL), TaskVideo(url=second)),
    )
    httpx_mock.add_response(url=(RESULT_URL, second)[index], content=VIDEO)

    written = await api("tasks.download", task, tmp_path, index=index)

    assert written == tmp_path / name
    assert written.read_bytes() == VIDEO


async def test_download_of_a_url_names_the_file_after_it(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=f"{RESULT_URL}?sig=abc", content=VIDEO)

    written = await api("tasks.download", f"{RESULT_URL}?sig=abc", tmp_path)

    assert written == tmp_path / "task-1.mp4"


@pytest.mark.parametrize("status", [403, 404, 410])
async def test_an_expired_result_is_explained(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path, status: int
) -> None:
    signed = f"{RESULT_URL}?Signature=very-secret"
    httpx_mock.add_response(url=signed, status_code=status, text="gone")

    with pytest.raises(DownloadError) as caught:
        await api("tasks.download", _finished(signed), tmp_path)

    assert caught.value.status_code == status
    assert "30 days" in str(caught.value)
    assert "very-secret" not in str(caught.value)  # a signed query is a credential
    assert _leftovers(tmp_path) == []


async def test_a_failed_download_reports_its_status(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=RESULT_URL, status_code=500)

    with pytest.raises(DownloadError, match="HTTP 500"):
        await api("tasks.download", _finished(), tmp_path)


@pytest.mark.parametrize(
    ("announce", "reason"),
    [(True, f"is {len(VIDEO)} bytes"), (False, "stopped")],
    ids=["content-length", "streamed"],
)
async def test_max_bytes_stops_a_large_result(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path, announce: bool, reason: str
) -> None:
    if announce:
        httpx_mock.add_response(url=RESULT_URL, content=VIDEO)
    else:
        httpx_mock.add_response(url=RESULT_URL, stream=IteratorStream(_chunks(VIDEO)))
    target = tmp_path / "out.mp4"
    target.write_bytes(b"previous")

    with pytest.raises(DownloadError, match=f"max_bytes={len(VIDEO) - 1}") as caught:
        await api("tasks.download", _finished(), target, max_bytes=len(VIDEO) - 1)

    assert reason in str(caught.value)  # refused up front when announced, else mid-stream

    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == ["out.mp4"]


async def test_max_bytes_admits_a_result_of_that_size(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=RESULT_URL, stream=IteratorStream(_chunks(VIDEO)))

    written = await api("tasks.download", _finished(), tmp_path, max_bytes=len(VIDEO))

    assert written.stat().st_size == len(VIDEO)


def _broken_after_first_chunk() -> Iterator[bytes]:
    yield VIDEO[:1000]
    raise httpx.ReadError("connection reset")


async def test_a_dropped_download_leaves_no_partial_file(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_response(url=RESULT_URL, stream=IteratorStream(_broken_after_first_chunk()))
    target = tmp_path / "out.mp4"
    target.write_bytes(b"previous")

    with pytest.raises(APIConnectionError):
        await api("tasks.download", _finished(), target)

    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == ["out.mp4"]


async def test_a_download_that_cannot_connect_is_a_connection_error(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=RESULT_URL)

    with pytest.raises(APIConnectionError) as caught:
        await api("tasks.download", _finished(), tmp_path)

    assert caught.value.maybe_delivered is False
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("task", "dest", "options", "field"),
    [
        pytest.param(Task(task_id=TASK_ID, status="processing"), ".", {}, "task", id="no-video"),
        pytest.param(_finished(), ".", {"index": 1}, "task", id="no-second-video"),
        pytest.param("ftp://cdn.kling.test/a.mp4", ".", {}, "task", id="not-http"),
        pytest.param(_finished(), "missing/out.mp4", {}, "dest", id="no-such-folder"),
        pytest.param(_finished(), ".", {"max_bytes": 0}, "max_bytes", id="max-bytes-0"),
    ],
)
async def test_download_arguments_are_checked_before_connecting(
    api: Api,
    httpx_mock: HTTPXMock,
    tmp_path: Path,
    task: Task | str,
    dest: str,
    options: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await api("tasks.download", task, tmp_path / dest, **options)

    assert caught.value.field == field
    assert httpx_mock.get_requests() == []


# ---------------------------------------------------------------------------------------------
# Masks of a selection

# Column-major COCO RLE, runs start with 0s: 2 off, 3 on, 1 off over a 2x3 mask.
GRID = [[False, True, True], [False, True, False]]
RLE = {"size": [2, 3], "counts": "231"}


def _png_mask() -> dict[str, Any]:
    rows = [[255 if value else 0 for value in row] for row in GRID]
    return {"size": [2, 3], "base64": _b64(png_bytes(3, 2, rows))}


@pytest.mark.parametrize(
    "masks",
    [
        pytest.param({"rle_mask": RLE}, id="rle"),
        pytest.param({"png_mask": _png_mask()}, id="png"),
        pytest.param({"rle_mask": RLE, "png_mask": _png_mask()}, id="both"),
    ],
)
async def test_selection_masks_decode_to_grids_and_pngs(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path, masks: dict[str, Any]
) -> None:
    answer = selection_data(frame_index=12, objects=[{"object_id": 7, **masks}])
    httpx_mock.add_response(url=ADD_URL, json=envelope(answer))

    selection = await api("sessions.add_points", SESSION_ID, frame_index=12, points=[(0.5, 0.5)])

    (obj,) = selection.objects
    assert (selection.frame_index, obj.object_id, obj.size) == (12, 7, (2, 3))
    assert obj.to_grid() == GRID
    saved = obj.save_png(tmp_path / "mask.png")
    assert Mask.from_png(saved.read_bytes()).to_grid() == GRID


async def test_a_selection_without_objects_is_empty(api: Api, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ADD_URL, json=envelope({"status": 0}))

    selection = await api("sessions.add_points", SESSION_ID, frame_index=3, points=[(0.5, 0.5)])

    assert (selection.frame_index, selection.objects) == (3, ())


async def test_an_object_without_a_mask_says_so(api: Api, httpx_mock: HTTPXMock) -> None:
    answer = selection_data(objects=[{"object_id": 1}])
    httpx_mock.add_response(url=ADD_URL, json=envelope(answer))

    selection = await api("sessions.add_points", SESSION_ID, frame_index=0, points=[(0.5, 0.5)])

    with pytest.raises(ValueError, match="carries no mask"):
        selection.objects[0].to_grid()
