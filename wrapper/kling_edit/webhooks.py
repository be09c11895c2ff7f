"""Signed callbacks (public): verify a Kling webhook delivery, or receive them with an ASGI app.

from kling_edit import webhooks

task = webhooks.verify(body, headers, secret=os.environ["KLING_WEBHOOK_SECRET"])
app = webhooks.asgi_app(print, secret=os.environ["KLING_WEBHOOK_SECRET"])  # any ASGI server
"""

from ._receiver import MemorySeenIds, SeenIds, asgi_app
from ._signatures import WebhookVerificationError, verify

__all__ = ["MemorySeenIds", "SeenIds", "WebhookVerificationError", "asgi_app", "verify"]

# WebhookVerificationError belongs to the one error tree: it reports `kling_edit`, where it is
# exported with the other errors.
for _name in sorted(set(__all__) - {"WebhookVerificationError"}):
    globals()[_name].__module__ = __name__
del _name
