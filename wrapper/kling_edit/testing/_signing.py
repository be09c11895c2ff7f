"""Signing of the simulator's callback deliveries with a webhook secret (Standard Webhooks)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

__all__ = ["sign_callback"]


def sign_callback(
    body: bytes, secret: str, *, webhook_id: str | None = None, timestamp: float | None = None
) -> dict[str, str]:
    """The three `webhook-*` headers Kling adds to a callback `body` signed with `secret`.

    `webhook_id` identifies the delivery (a fresh one unless given: give the same one to
    deliver a callback twice); `timestamp` is the send time in epoch seconds (now by default).
    """
    from standardwebhooks import Webhook

    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    sent_at = datetime.fromtimestamp(int(time.time() if timestamp is None else timestamp), UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, sent_at, body.decode()),
    }
