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

from flashfusion.storage import keys


class ChatWebhookSecrets:
    def __init__(self, client: Callable[[], Any], prefix: str) -> None:
        self._client = client
        self.prefix = prefix.rstrip("/")

    def name(self, org_id: str) -> str:
        return keys.account_secret_name(self.prefix, org_id, "chat")

    def get(self, org_id: str) -> str | None:
        client = self._client()
        try:
            value = client.get_secret_value(SecretId=self.name(org_id))
        except client.exceptions.ResourceNotFoundException:
            return None
        try:
            url = json.loads(value.get("SecretString") or "{}").get("url")
        except (ValueError, AttributeError):
            return None  # not ours to read: treated as no webhook rather than posting to a garbled URL
        return str(url) if url else None

    def put(self, org_id: str, url: str | None) -> None:
        client = self._client()
        secret = json.dumps({"url": url})
        try:
            client.put_secret_value(SecretId=self.name(org_id), SecretString=secret)
        except client.exceptions.ResourceNotFoundException:
            if url is None:
                return  # nothing to clear
            client.create_secret(
                Name=self.name(org_id),
                SecretString=secret,
                Description="FlashFusion chat webhook URL (Slack-style incoming webhook)",
                Tags=[{"Key": "orgId", "Value": org_id}],
            )
