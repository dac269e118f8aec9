"""Each organisation's notification settings: one item (``ORG#<org>`` / ``NOTIFY#SETTINGS``).

The chat webhook URL is a bearer credential (whoever has it can post to the channel): it lives in Secrets
Manager (``flashfusion.aws.chat_webhook_secrets``); the item keeps its host, which is all the API shows. An
item written before the URL moved there may still hold ``chatWebhookUrl``: it is read as before, and the
organisation's next change moves it to Secrets Manager and removes it from the item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flashfusion.models import utcnow
from flashfusion.outbound import host_of
from flashfusion.storage import keys


class WebhookSecretStore(Protocol):
    """Where each organisation's chat webhook URL is kept (flashfusion.aws.chat_webhook_secrets)."""

    def get(self, org_id: str) -> str | None: ...

    def put(self, org_id: str, url: str | None) -> None: ...


@dataclass(frozen=True)
class NotificationTargets:
    org_id: str
    chat_webhook_host: str | None = None
    reviewer_emails: tuple[str, ...] = field(default_factory=tuple)
    updated_at: str | None = None
    updated_by: str | None = None
    legacy_webhook_url: str | None = field(default=None, repr=False)  # an item from before Secrets Manager


class NotificationSettingsRepository:
    def __init__(self, table: Any, webhooks: WebhookSecretStore) -> None:
        self.table = table
        self.webhooks = webhooks

    def get(self, org_id: str) -> NotificationTargets:
        item = self.table.get_item(Key=keys.notification_settings_key(org_id)).get("Item") or {}
        legacy = item.get("chatWebhookUrl") or None
        return NotificationTargets(
            org_id=org_id,
            chat_webhook_host=item.get("chatWebhookHost") or (host_of(legacy) if legacy else None) or None,
            reviewer_emails=tuple(str(e) for e in item.get("reviewerEmails", [])),
            updated_at=item.get("updatedAt"),
            updated_by=item.get("updatedBy"),
            legacy_webhook_url=legacy,
        )

    def chat_webhook_url(self, targets: NotificationTargets) -> str | None:
        """The URL to post to (a Secrets Manager read), or None when the organisation set no webhook."""
        if not targets.chat_webhook_host:
            return None
        return targets.legacy_webhook_url or self.webhooks.get(targets.org_id)

    def put(self, targets: NotificationTargets, chat_webhook_url: str | None) -> NotificationTargets:
        """Replace the settings; the URL goes to Secrets Manager first, so the item never names a host whose
        URL was not stored."""
        self.webhooks.put(targets.org_id, chat_webhook_url)  # clearing one never set writes nothing
        stored = NotificationTargets(
            org_id=targets.org_id,
            chat_webhook_host=(host_of(chat_webhook_url) or None) if chat_webhook_url else None,
            reviewer_emails=targets.reviewer_emails,
            updated_at=utcnow().isoformat(),
            updated_by=targets.updated_by,
        )
        item: dict[str, Any] = {
            **keys.notification_settings_key(targets.org_id),
            "reviewerEmails": list(stored.reviewer_emails),
            "updatedAt": stored.updated_at,
        }
        if stored.chat_webhook_host:
            item["chatWebhookHost"] = stored.chat_webhook_host
        if stored.updated_by:
            item["updatedBy"] = stored.updated_by
        self.table.put_item(Item=item)  # a whole new item: a legacy chatWebhookUrl attribute goes with the old one
        return stored
