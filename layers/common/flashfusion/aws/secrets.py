"""Secrets Manager, through Powertools parameters (cached 5 minutes): vendor API keys and platform account
credentials. Values are never logged.

- A vendor key: one secret per provider, ``<PROVIDER_SECRETS_PREFIX>/<provider>``, holding the key itself
  or JSON with an ``apiKey`` field.
- A platform account: ``<ACCOUNT_SECRETS_PREFIX>/<orgId>/<accountId>``, a JSON object of credentials
  (or a bare access token).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aws_lambda_powertools.utilities import parameters

from flashfusion.storage import keys

CACHE_SECONDS = 300


def _text(name: str) -> str:
    raw = parameters.get_secret(name, max_age=CACHE_SECONDS)
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)


def api_key(prefix: str, provider: str) -> str:
    text = _text(f"{prefix}/{provider}")
    try:
        value = json.loads(text)
    except ValueError:
        return text.strip()
    if isinstance(value, dict) and isinstance(value.get("apiKey"), str):
        return str(value["apiKey"])
    raise ValueError(f"secret {prefix}/{provider} must be the key or JSON with an 'apiKey' field")


def account_credentials(prefix: str) -> Callable[[str, str], dict[str, str]]:
    """(orgId, accountId) -> the account's credentials."""

    def load(org_id: str, account_id: str) -> dict[str, str]:
        text = _text(keys.account_secret_name(prefix, org_id, account_id))
        try:
            value = json.loads(text)
        except ValueError:
            return {"accessToken": text.strip()}
        if not isinstance(value, dict):
            raise ValueError(f"the secret of account {account_id} must be a JSON object")
        return {str(k): str(v) for k, v in value.items()}

    return load
