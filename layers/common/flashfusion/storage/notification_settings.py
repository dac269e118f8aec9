"""Each organisation's notification settings: one item (``ORG#<org>`` / ``NOTIFY#SETTINGS``).

The chat webhook URL is a bearer credential (whoever has it can post to the channel): it is stored here
for the notification function and never returned by the API, which shows its host only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flashfusion.models import utcnow
from flashfusion.storage import keys


@dataclass(frozen=True)
class NotificationTargets:
    org_id: str
    chat_webhook_url: str | None = None
    reviewer_emails: tuple[str, ...] = field(default_factory=tuple)
    updated_at: str | None = None
    updated_by: str | None = None


class NotificationSettingsRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, org_id: str) -> NotificationTargets:
        item = self.table.get_item(Key=keys.notification_settings_key(org_id)).get("Item") or {}
        return NotificationTargets(
            org_id=org_id,
            chat_webhook_url=item.get("chatWebhookUrl") or None,
            reviewer_emails=tuple(str(e) for e in item.get("reviewerEmails", [])),
            updated_at=item.get("updatedAt"),
            updated_by=item.get("updatedBy"),
        )

    def put(self, targets: NotificationTargets) -> NotificationTargets:
        stored = NotificationTargets(
            org_id=targets.org_id,
            chat_webhook_url=targets.chat_webhook_url,
            reviewer_emails=targets.reviewer_emails,
            updated_at=utcnow().isoformat(),
            updated_by=targets.updated_by,
        )
        item: dict[str, Any] = {
            **keys.notification_settings_key(targets.org_id),
            "reviewerEmails": list(stored.reviewer_emails),
            "updatedAt": stored.updated_at,
        }
        if stored.chat_webhook_url:
            item["chatWebhookUrl"] = stored.chat_webhook_url
        if stored.updated_by:
            item["updatedBy"] = stored.updated_by
        self.table.put_item(Item=item)
        return stored
