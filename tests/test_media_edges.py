"""The byte-level edges of image input and download output that mutation testing showed unseen:
JPEG markers without a length, files at and over 10 MB, and every branch of a download target.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from kling_edit import DownloadError, RequestValidationError
from kling_edit._download import DownloadTarget
from kling_edit._media import image_size, prepare_image
from wrapper_helpers import jpeg_bytes, png_bytes

TEN_MB = 10 * 1024 * 1024
SIGNED = "https://cdn.kling.test/results/r.mp4?sig=SECRET"


def sof(width: int, height: int, marker: int = 0xC0) -> bytes:
    return (
        b"\xff" + bytes([marker]) + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    )


@pytest.mark.parametrize(
    "standalone", [b"\xff\xd0", b"\xff\xd7", b"\xff\x01", b"\xff\xd8", b"\xff\xff\xd3"]
)
def test_jpeg_markers_without_a_length_are_stepped_over(standalone: bytes) -> None:
    data = b"\xff\xd8" + standalone + sof(640, 480)

    assert image_size("images[0]", data) == ("jpeg", 640, 480)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\x00\xc0" + sof(640, 480)[2:], id="no-marker-byte"),
        pytest.param(b"\xff\xd8" + sof(640, 480)[:8], id="frame-cut-short"),
        pytest.param(b"\xff\xd8\xff\xc4\x00\x02", id="only-a-table"),
        pytest.param(b"\xff\xd8\xff", id="three-bytes"),
    ],
)
def test_a_jpeg_without_a_readable_frame_is_refused(data: bytes) -> None:
    with pytest.raises(RequestValidationError) as caught:
        image_size("images[0]", data)

    assert str(caught.value) == (
        "images[0]: is a JPEG whose size cannot be read (truncated or corrupt)"
    )


def test_the_frame_size_is_read_from_its_exact_bytes() -> None:
    data = b"\xff\xd8" + sof(0x0102, 0x0304, marker=0xC2)

    assert image_size("images[0]", data) == ("jpeg", 0x0102, 0x0304)


@pytest.mark.parametrize("marker", [0xC4, 0xC8, 0xCC])
def test_table_segments_in_the_frame_range_are_not_frames(marker: int) -> None:
    data = b"\xff\xd8" + sof(9999, 9999, marker) + sof(640, 480)

    assert image_size("images[0]", data) == ("jpeg", 640, 480)


def test_a_png_needs_its_whole_header() -> None:
    data = png_bytes(400, 400)

    assert image_size("images[0]", data[:24]) == ("png", 400, 400)
    with pytest.raises(
        RequestValidationError, match=r"is a PNG cut short before its size \(truncated\)"
    ):
        image_size("images[0]", data[:23])


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_a_file_of_exactly_10_mb_is_read(tmp_path: Path) -> None:
    image = tmp_path / "big.png"
    image.write_bytes(png_bytes(400, 400))
    with image.open("ab") as handle:
        handle.truncate(TEN_MB)

    assert len(prepare_image("images[0]", image)) == (TEN_MB + 2) // 3 * 4


def test_a_file_over_10_mb_is_refused_by_its_size(tmp_path: Path) -> None:
    image = _sparse(tmp_path / "big.png", TEN_MB + 1)

    with pytest.raises(RequestValidationError) as caught:
        prepare_image("images[0]", image)

    assert str(caught.value) == "images[0]: big.png is 10.0 MB; images may be at most 10 MB"


def test_a_folder_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(RequestValidationError) as caught:
        prepare_image("images[0]", tmp_path)

    assert str(caught.value) == f"images[0]: cannot read {str(tmp_path)!r}: Is a directory"


def test_a_path_with_a_nul_byte_is_refused() -> None:
    with pytest.raises(RequestValidationError) as caught:
        prepare_image("images[1]", Path("a\0b.png"))

    assert str(caught.value) == "images[1]: is not a usable file path: 'a\\x00b.png'"


def test_a_jpeg_file_is_sent_as_base64(tmp_path: Path) -> None:
    image = tmp_path / "object.jpg"
    image.write_bytes(jpeg_bytes(400, 300))

    assert prepare_image("images[0]", str(image)) == prepare_image(
        "images[0]", jpeg_bytes(400, 300)
    )


# ---------------------------------------------------------------------------------------------
# DownloadTarget


def test_a_folder_dest_gets_the_default_name(tmp_path: Path) -> None:
    assert DownloadTarget(tmp_path, "task-1.mp4", None).path == tmp_path / "task-1.mp4"
    assert DownloadTarget(str(tmp_path / "x.mp4"), "task-1.mp4", None).path == tmp_path / "x.mp4"


def test_a_home_relative_dest_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    assert DownloadTarget("~/x.mp4", "d.mp4", None).path == tmp_path / "x.mp4"


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_expired_result_says_why(tmp_path: Path, status: int) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", None)

    with pytest.raises(DownloadError) as caught:
        target.check_response(status, {}, SIGNED)

    assert caught.value.status_code == status
    assert str(caught.value) == (
        f"the result at https://cdn.kling.test/results/r.mp4 is gone (HTTP {status}):"
        " result files are deleted 30 days after generation, and signed links expire; fetch the"
        " task again for a fresh URL, or re-run the task if it is older than 30 days"
    )
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("status", [199, 300, 302, 400, 401, 500])
def test_another_error_status_fails_the_download(tmp_path: Path, status: int) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", None)

    with pytest.raises(DownloadError) as caught:
        target.check_response(status, {}, SIGNED)

    assert str(caught.value) == (
        f"downloading https://cdn.kling.test/results/r.mp4 failed: HTTP {status}"
    )
    assert caught.value.status_code == status


@pytest.mark.parametrize("status", [200, 206, 299])
def test_a_success_status_is_accepted(tmp_path: Path, status: int) -> None:
    DownloadTarget(tmp_path, "r.mp4", None).check_response(status, {}, SIGNED)


@pytest.mark.parametrize(
    ("length", "total"), [("100", 100), ("", None), ("1e3", None), ("-5", None)]
)
def test_the_announced_size_is_read_when_it_is_a_number(
    tmp_path: Path, length: str, total: int | None
) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", 100)

    target.check_response(200, {"content-length": length}, SIGNED)

    assert target.total == total


def test_an_announced_size_over_max_bytes_is_refused_before_writing(tmp_path: Path) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", 100)

    with pytest.raises(DownloadError) as caught:
        target.check_response(200, {"content-length": "101"}, SIGNED)

    assert str(caught.value) == "the result is 101 bytes, over max_bytes=100"
    assert caught.value.status_code == 200


def test_writing_reports_progress_and_renames_on_success(tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    target = DownloadTarget(
        tmp_path, "r.mp4", 6, lambda done, total: progress.append((done, total))
    )
    target.check_response(200, {"content-length": "6"}, SIGNED)

    with target:
        target.write(b"abc")
        target.write(b"def")
        assert not target.path.exists()

    assert target.path.read_bytes() == b"abcdef"
    assert progress == [(3, 6), (6, 6)]
    assert target.written == 6
    assert os.listdir(tmp_path) == ["r.mp4"]


def _write_all(target: DownloadTarget, *chunks: bytes) -> None:
    with target:
        for chunk in chunks:
            target.write(chunk)


def test_a_stream_past_max_bytes_stops_and_leaves_nothing(tmp_path: Path) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", 5)

    with pytest.raises(DownloadError) as caught:
        _write_all(target, b"abc", b"def")

    assert str(caught.value) == "the result is larger than max_bytes=5; stopped"
    assert os.listdir(tmp_path) == []


def test_exactly_max_bytes_is_written(tmp_path: Path) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", 6)

    _write_all(target, b"abcdef")

    assert target.path.read_bytes() == b"abcdef"


def test_a_long_segment_before_the_frame_is_skipped() -> None:
    # An EXIF block over 32 KB: its length is an unsigned 16-bit number.
    exif = b"\xff\xe1" + struct.pack(">H", 40_002) + bytes(40_000)

    assert image_size("images[0]", b"\xff\xd8" + exif + sof(640, 480)) == ("jpeg", 640, 480)


def test_sides_over_32767_px_are_read_unsigned() -> None:
    assert image_size("images[0]", b"\xff\xd8" + sof(40_000, 20_000)) == ("jpeg", 40_000, 20_000)


def test_a_frame_ending_right_after_its_size_is_read() -> None:
    data = b"\xff\xd8" + sof(640, 480)[:9]

    assert image_size("images[0]", data) == ("jpeg", 640, 480)


def test_a_marker_without_a_length_after_a_segment() -> None:
    app0 = b"\xff\xe0" + struct.pack(">H", 4) + b"\x00\x00"

    assert image_size("images[0]", b"\xff\xd8" + app0 + b"\xff\xd0" + sof(640, 480)) == (
        "jpeg",
        640,
        480,
    )


def test_a_long_path_with_a_nul_byte_is_shown_cut_at_80_characters() -> None:
    name = "a" * 100 + "\0.png"

    with pytest.raises(RequestValidationError) as caught:
        prepare_image("images[0]", Path(name))

    assert str(caught.value) == f"images[0]: is not a usable file path: {'a' * 80!r}"


def test_a_data_uri_without_a_comma_is_refused() -> None:
    with pytest.raises(RequestValidationError, match="is a data: URI the API cannot take"):
        prepare_image("images[0]", "data:image/png;base64")


def test_progress_before_any_announced_size_has_no_total(tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    target = DownloadTarget(
        tmp_path, "r.mp4", None, lambda done, total: progress.append((done, total))
    )

    _write_all(target, b"abc")

    assert progress == [(3, None)]


def test_a_url_with_two_question_marks_is_cut_at_the_first(tmp_path: Path) -> None:
    target = DownloadTarget(tmp_path, "r.mp4", None)

    with pytest.raises(DownloadError) as caught:
        target.check_response(500, {}, "https://cdn.kling.test/r.mp4?a=1?sig=SECRET")

    assert str(caught.value) == "downloading https://cdn.kling.test/r.mp4 failed: HTTP 500"
