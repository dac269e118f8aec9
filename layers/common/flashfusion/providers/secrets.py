"""Vendor API keys from Secrets Manager, through Powertools parameters (cached), never logged.

One secret per provider, named ``<PROVIDER_SECRETS_PREFIX>/<provider>``; its value is either the key
itself or JSON with an ``apiKey`` field.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities import parameters

CACHE_SECONDS = 300


def api_key(prefix: str, provider: str) -> str:
    raw = parameters.get_secret(f"{prefix}/{provider}", max_age=CACHE_SECONDS)
    text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    try:
        value = json.loads(text)
    except ValueError:
        return text.strip()
    if isinstance(value, dict) and isinstance(value.get("apiKey"), str):
        return str(value["apiKey"])
    raise ValueError(f"secret {prefix}/{provider} must be the key or JSON with an 'apiKey' field")
