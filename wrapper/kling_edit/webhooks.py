"""Signed callbacks (public): verify a Kling webhook delivery, or receive them with an ASGI app.

from kling_edit import webhooks

task = webhooks.verify(body, headers, secret=os.environ["KLING_WEBHOOK_SECRET"])
app = webhooks.asgi_app(print, secret=os.environ["KLING_WEBHOOK_SECRET"])  # any ASGI server
"""

from ._receiver import MemorySeenIds, SeenIds, asgi_app
from ._signatures import WebhookVerificationError, verify

__all__ = ["MemorySeenIds", "SeenIds", "WebhookVerificationError", "asgi_app", "verify"]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
