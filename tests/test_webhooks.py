"""webhooks.verify: Standard Webhooks signatures on Kling's callbacks; the simulator's signer."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from kling_edit import KlingEditError, RequestValidationError
from kling_edit.testing._signing import sign_callback
from kling_edit.webhooks import WebhookVerificationError, verify

RAW_KEY = b"SECRET-webhook-key-for-the-tests"
SECRET = "whsec_" + base64.b64encode(RAW_KEY).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-webhook-key-for-tests!!").decode()
BODY = json.dumps(
    {
        "task_id": "t-1",
        "task_status": "succeed",
        "task_info": {"external_task_id": "mine-1"},
        "task_result": {"videos": [{"id": "v", "url": "https://x/v.mp4", "duration": "5"}]},
    }
).encode()


def signed_by_package(
    body: bytes = BODY, secret: str = SECRET, *, age: float = 0, webhook_id: str = "msg_1"
) -> dict[str, str]:
    """Headers as a Standard Webhooks sender makes them (the package itself signs)."""
    sent_at = datetime.fromtimestamp(int(time.time() - age), UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, sent_at, body.decode()),
    }


def failure(body: bytes, headers: dict[str, str], secret: str | list[str] = SECRET) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verify(body, headers, secret)
    return caught.value.check


def test_a_body_signed_by_the_package_verifies() -> None:
    task = verify(BODY, signed_by_package(), SECRET)
    assert (task.task_id, task.status, task.video_url) == ("t-1", "succeed", "https://x/v.mp4")


def test_the_new_format_verifies_too() -> None:
    # Kling's test callback body, byte for byte as its page shows it.
    body = (
        b'{"id":"913827032734642185","status":"submitted","outputs":[],"message":"",'
        b'"create_time":1785901861504,"update_time":1785901861504}'
    )
    task = verify(body, signed_by_package(body), SECRET)
    assert (task.task_id, task.status) == ("913827032734642185", "submitted")


def test_header_names_are_case_insensitive() -> None:
    headers = {name.title(): value for name, value in signed_by_package().items()}
    assert verify(BODY, headers, SECRET).task_id == "t-1"


@pytest.mark.parametrize("position", [0, len(BODY) // 2, len(BODY) - 1])
def test_one_changed_byte_fails(position: int) -> None:
    changed = bytearray(BODY)
    changed[position] ^= 0x01
    assert failure(bytes(changed), signed_by_package()) == "no_matching_signature"


def test_a_timestamp_ten_minutes_old_fails() -> None:
    assert failure(BODY, signed_by_package(age=600)) == "timestamp_out_of_range"


def test_a_timestamp_ten_minutes_ahead_fails() -> None:
    assert failure(BODY, signed_by_package(age=-600)) == "timestamp_out_of_range"


def test_an_absurd_timestamp_is_far_in_the_future() -> None:
    with pytest.raises(WebhookVerificationError, match="far in the future"):
        verify(BODY, {**signed_by_package(), "webhook-timestamp": "9" * 40}, SECRET)


def test_tolerance_is_the_callers() -> None:
    headers = signed_by_package(age=600)
    assert verify(BODY, headers, SECRET, tolerance=900).task_id == "t-1"
    with pytest.raises(WebhookVerificationError, match="tolerance of 60 s"):
        verify(BODY, signed_by_package(age=120), SECRET, tolerance=60)


def test_a_wrong_secret_fails() -> None:
    assert failure(BODY, signed_by_package(), OTHER_SECRET) == "no_matching_signature"


def test_a_wrong_and_a_right_signature_in_one_header_verify() -> None:
    headers = signed_by_package()
    wrong = signed_by_package(secret=OTHER_SECRET)["webhook-signature"]
    for both in (
        f"{wrong} {headers['webhook-signature']}",
        f"{headers['webhook-signature']} {wrong}",
    ):
        assert verify(BODY, {**headers, "webhook-signature": both}, SECRET).task_id == "t-1"


def test_secret_rotation_accepts_any_listed_secret() -> None:
    headers = signed_by_package(secret=OTHER_SECRET)
    assert verify(BODY, headers, [SECRET, OTHER_SECRET]).task_id == "t-1"
    assert verify(BODY, headers, (OTHER_SECRET,)).task_id == "t-1"
    assert failure(BODY, headers, [SECRET]) == "no_matching_signature"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(missing: str) -> None:
    headers = signed_by_package()
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match=missing) as caught:
        verify(BODY, headers, SECRET)
    assert caught.value.check == "missing_header"


@pytest.mark.parametrize(
    ("header", "value", "check"),
    [
        ("webhook-timestamp", "not-a-number", "bad_timestamp"),
        ("webhook-timestamp", "1.5e9", "bad_timestamp"),
        ("webhook-timestamp", "nan", "bad_timestamp"),
        ("webhook-timestamp", "-1", "bad_timestamp"),
        ("webhook-timestamp", "9" * 400, "timestamp_out_of_range"),
        ("webhook-timestamp", "9" * 5000, "timestamp_out_of_range"),
        ("webhook-signature", "no-comma-here", "no_matching_signature"),
        ("webhook-signature", "v1,%%%not-base64%%%", "no_matching_signature"),
        ("webhook-signature", "v1,a,b,c", "no_matching_signature"),
        (
            "webhook-signature",
            "v2,K5oZfzeVuQvI4x1jrjAgMlkpJDoe1JhVmAbjR6eKeTM=",
            "no_matching_signature",
        ),
        ("webhook-signature", "   ", "missing_header"),
        ("webhook-id", "", "missing_header"),
    ],
)
def test_malformed_headers_are_verification_errors(header: str, value: str, check: str) -> None:
    headers = {**signed_by_package(), header: value}
    with pytest.raises(WebhookVerificationError) as caught:
        verify(BODY, headers, SECRET)
    assert caught.value.check == check
    assert not isinstance(caught.value, ValueError)
    assert isinstance(caught.value, KlingEditError)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a task"),
        (b'{"foo": 1}', "not a task"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_a_signed_body_that_is_no_task_fails_as_bad_body(body: bytes, reason: str) -> None:
    # Bytes that are not UTF-8 cannot be signed as text: any valid headers reach the decode.
    headers = signed_by_package(BODY if reason == "UTF-8" else body)
    with pytest.raises(WebhookVerificationError, match=reason) as caught:
        verify(body, headers, SECRET)
    assert caught.value.check == "bad_body"


def test_the_secret_never_shows_in_errors() -> None:
    secret_forms = (SECRET, SECRET.removeprefix("whsec_"), RAW_KEY.decode(), repr(RAW_KEY))
    errors: list[BaseException] = []
    for headers in (signed_by_package(secret=OTHER_SECRET), signed_by_package(age=600), {}):
        with pytest.raises(WebhookVerificationError) as caught:
            verify(BODY, headers, [SECRET])
        errors.append(caught.value)
    # 17 base64 characters: not valid base64 however it is padded.
    bad_secret = "whsec_SECRET-webhook-key-x"
    with pytest.raises(RequestValidationError) as refused:
        verify(BODY, signed_by_package(), bad_secret)
    errors.append(refused.value)
    for error in errors:
        shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
        for form in (*secret_forms, bad_secret.removeprefix("whsec_")):
            assert form not in shown


def test_configuration_errors_name_the_field() -> None:
    with pytest.raises(RequestValidationError, match="secret"):
        verify(BODY, signed_by_package(), [])
    with pytest.raises(RequestValidationError, match="secret #2"):
        verify(BODY, signed_by_package(), [SECRET, "whsec_"])
    with pytest.raises(RequestValidationError, match="tolerance"):
        verify(BODY, signed_by_package(), SECRET, tolerance=-1)


def test_the_simulator_signer_round_trips_with_verify() -> None:
    headers = sign_callback(BODY, SECRET, webhook_id="msg_7")
    assert headers["webhook-id"] == "msg_7"
    assert verify(BODY, headers, SECRET).task_id == "t-1"
    assert failure(BODY, headers, OTHER_SECRET) == "no_matching_signature"


def test_the_simulator_signer_signs_as_the_package_verifies() -> None:
    headers = sign_callback(BODY, SECRET)
    assert headers["webhook-id"].startswith("msg_")
    assert Webhook(SECRET).verify(BODY, headers) == json.loads(BODY)


def test_the_simulator_signer_can_sign_an_old_delivery() -> None:
    headers = sign_callback(BODY, SECRET, timestamp=time.time() - 600)
    assert failure(BODY, headers) == "timestamp_out_of_range"


def test_the_public_surface_of_kling_edit_webhooks() -> None:
    from kling_edit import webhooks

    assert webhooks.__all__ == [
        "MemorySeenIds",
        "SeenIds",
        "WebhookVerificationError",
        "asgi_app",
        "verify",
    ]
    for name in webhooks.__all__:
        home = "kling_edit" if name == "WebhookVerificationError" else "kling_edit.webhooks"
        assert getattr(webhooks, name).__module__ == home
    assert issubclass(webhooks.WebhookVerificationError, KlingEditError)
    import kling_edit

    assert kling_edit.WebhookVerificationError is webhooks.WebhookVerificationError


def test_verify_and_the_receiver_need_no_cli_extra() -> None:
    # A plain install has neither the CLI's packages nor uvicorn: both must still work.
    code = (
        "import sys\n"
        "for name in ('click', 'rich', 'uvicorn'):\n"
        "    sys.modules[name] = None\n"
        "from kling_edit.testing._signing import sign_callback\n"
        "from kling_edit.webhooks import asgi_app, verify\n"
        f"body, secret = {BODY!r}, {SECRET!r}\n"
        "asgi_app(print, secret=secret)\n"
        "print(verify(body, sign_callback(body, secret), secret).task_id)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "t-1"


def test_importing_kling_edit_webhooks_stays_light() -> None:
    # The package will export WebhookVerificationError: importing it must not pull in asyncio,
    # the signature library or a server before anything is verified or served.
    code = (
        "import sys\n"
        "import kling_edit.webhooks\n"
        "heavy = ('asyncio', 'standardwebhooks', 'jwt', 'uvicorn')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
