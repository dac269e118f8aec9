"""Each organisation's chat webhook URL, in Secrets Manager (``<CHAT_WEBHOOK_SECRETS_PREFIX>/<orgId>/chat``).

A Slack-style incoming-webhook URL is a bearer credential: whoever has it can post to the channel. It is kept
here, not in the table (which keeps its host, to show), written by the settings route and read by the
notification function when a message goes to chat. The secret holds ``{"url": ...}``; clearing the webhook
stores ``{"url": null}`` rather than deleting the secret, so setting it again is one write, not a restore of
a secret scheduled for deletion. Read without a cache: a change takes effect at the next message. Never logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flashfusion.aws.org_secrets import OrgSecret


class ChatWebhookSecrets:
    def __init__(self, client: Callable[[], Any], prefix: str) -> None:
        self._secret = OrgSecret(client, prefix, "chat", "FlashFusion chat webhook URL (Slack-style incoming webhook)")

    def name(self, org_id: str) -> str:
        return self._secret.name(org_id)

    def get(self, org_id: str) -> str | None:
        try:
            url = json.loads(self._secret.read(org_id) or "{}").get("url")
        except (ValueError, AttributeError):
            return None  # not ours to read: treated as no webhook rather than posting to a garbled URL
        return str(url) if url else None

    def put(self, org_id: str, url: str | None) -> None:
        self._secret.write(org_id, json.dumps({"url": url}), create=url is not None)  # nothing to clear if absent
