"""Each organisation's callback signing secret, in Secrets Manager (``<CALLBACK_SECRETS_PREFIX>/<orgId>``).

Callbacks are signed as the webhook publisher signs (``X-FlashFusion-Signature: t=…,v1=HMAC-SHA256``); the
receiver verifies with this secret. An admin creates or rotates it (``POST /v1/callbacks/secret``) and sees
it once. Read without a cache: a rotation takes effect at the next callback. Never logged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flashfusion.storage import keys


class CallbackSecrets:
    def __init__(self, client: Callable[[], Any], prefix: str) -> None:
        self._client = client
        self.prefix = prefix.rstrip("/")

    def name(self, org_id: str) -> str:
        return keys.account_secret_name(self.prefix, org_id, "signing")

    def get(self, org_id: str) -> str | None:
        client = self._client()
        try:
            value = client.get_secret_value(SecretId=self.name(org_id))
        except client.exceptions.ResourceNotFoundException:
            return None
        text = value.get("SecretString")
        return str(text) if text else None

    def rotate(self, org_id: str) -> str:
        """A new random secret (256 bits) for the organisation, created on first use; the old one stops signing."""
        client = self._client()
        secret = secrets.token_urlsafe(32)
        try:
            client.put_secret_value(SecretId=self.name(org_id), SecretString=secret)
        except client.exceptions.ResourceNotFoundException:
            client.create_secret(
                Name=self.name(org_id),
                SecretString=secret,
                Description="FlashFusion callback signing secret (HMAC-SHA256)",
                Tags=[{"Key": "orgId", "Value": org_id}],
            )
        return secret
