"""Each organisation's callback signing secret, in Secrets Manager (``<CALLBACK_SECRETS_PREFIX>/<orgId>/signing``).

Callbacks are signed as the webhook publisher signs (``X-FlashFusion-Signature: t=…,v1=HMAC-SHA256``); the
receiver verifies with this secret. An admin creates or rotates it (``POST /v1/callbacks/secret``) and sees
it once. Read without a cache: a rotation takes effect at the next callback. Never logged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flashfusion.aws.org_secrets import OrgSecret


class CallbackSecrets:
    def __init__(self, client: Callable[[], Any], prefix: str) -> None:
        self._secret = OrgSecret(client, prefix, "signing", "FlashFusion callback signing secret (HMAC-SHA256)")

    def name(self, org_id: str) -> str:
        return self._secret.name(org_id)

    def get(self, org_id: str) -> str | None:
        return self._secret.read(org_id)

    def rotate(self, org_id: str) -> str:
        """A new random secret (256 bits) for the organisation, created on first use; the old one stops signing."""
        secret = secrets.token_urlsafe(32)
        self._secret.write(org_id, secret)
        return secret
