"""One secret per organisation in Secrets Manager (``<prefix>/<orgId>/<suffix>``): read without a cache (a change
takes effect at the next read), created on the first write, tagged with its organisation. Never logged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flashfusion.storage import keys


class OrgSecret:
    def __init__(self, client: Callable[[], Any], prefix: str, suffix: str, description: str) -> None:
        self._client = client
        self.prefix = prefix.rstrip("/")
        self._suffix = suffix
        self._description = description

    def name(self, org_id: str) -> str:
        return keys.account_secret_name(self.prefix, org_id, self._suffix)

    def read(self, org_id: str) -> str | None:
        """The secret's text, or None when the organisation has none."""
        client = self._client()
        try:
            value = client.get_secret_value(SecretId=self.name(org_id))
        except client.exceptions.ResourceNotFoundException:
            return None
        text = value.get("SecretString")
        return str(text) if text else None

    def write(self, org_id: str, text: str, *, create: bool = True) -> None:
        """Replace the secret's text; a missing secret is created (unless ``create`` is false: nothing to do)."""
        client = self._client()
        try:
            client.put_secret_value(SecretId=self.name(org_id), SecretString=text)
        except client.exceptions.ResourceNotFoundException:
            if not create:
                return
            client.create_secret(
                Name=self.name(org_id),
                SecretString=text,
                Description=self._description,
                Tags=[{"Key": "orgId", "Value": org_id}],
            )
