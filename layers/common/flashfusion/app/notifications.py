"""Notifications: the organisation's settings (admin role) and telling people about the product's events.

``notify`` is the notification function's use case: an EventBridge event in, each of its channels sent
(``flashfusion.notifications.messages`` says which); what each channel did comes back, and a channel that
failed is logged and counted, never retried by failing the invocation (that would repeat the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator

from flashfusion.app.api_models import ApiModel
from flashfusion.app.caller import Caller
from flashfusion.errors import Forbidden, InvalidRequest, UnsafeDestination
from flashfusion.modelbase import CamelModel
from flashfusion.notifications.channels import Channels
from flashfusion.notifications.messages import CHAT, REVIEWERS, TOPIC, message_for
from flashfusion.observability import MetricUnit, logger, metrics
from flashfusion.outbound import check_url, host_of
from flashfusion.storage.notification_settings import NotificationSettingsRepository, NotificationTargets

MAX_REVIEWER_EMAILS = 20
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@" + _LABEL + r"(?:\." + _LABEL + r")+$"
"""An address SES accepts (ASCII local part and domain, a dot in the domain); no display names."""


@dataclass(frozen=True)
class NotificationDeps:
    settings: NotificationSettingsRepository
    channels: Channels
    console_url: str
    admin_group: str


class NotificationSettingsIn(CamelModel):
    """What ``PUT /v1/notifications/settings`` takes: the whole settings (absent fields are cleared)."""

    chat_webhook_url: str | None = Field(
        default=None,
        max_length=2048,
        description="Slack-style incoming webhook (https, public host); null: no chat messages",
    )
    reviewer_emails: list[str] = Field(
        default_factory=list,
        max_length=MAX_REVIEWER_EMAILS,
        description="who is emailed when a review is requested",
    )

    @field_validator("reviewer_emails")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        pattern = re.compile(EMAIL_PATTERN)
        cleaned: list[str] = []
        for address in value:
            address = address.strip()
            if len(address) > 254 or not pattern.fullmatch(address):
                raise ValueError(f"{address[:60]!r} is not an email address")
            if address.lower() not in {a.lower() for a in cleaned}:
                cleaned.append(address)
        return cleaned


class NotificationSettingsOut(ApiModel):
    """The organisation's notification settings. The webhook URL is a credential: only its host is shown."""

    chat_webhook_configured: bool
    chat_webhook_host: str | None = None
    reviewer_emails: list[str] = Field(default_factory=list)
    updated_at: str | None = None
    updated_by: str | None = None


def _require_admin(caller: Caller, deps: NotificationDeps, what: str) -> None:
    if not caller.has_role(deps.admin_group):
        raise Forbidden(f"{what} needs the {deps.admin_group!r} group")


def _out(targets: NotificationTargets) -> NotificationSettingsOut:
    return NotificationSettingsOut(
        chat_webhook_configured=bool(targets.chat_webhook_host),
        chat_webhook_host=targets.chat_webhook_host,
        reviewer_emails=list(targets.reviewer_emails),
        updated_at=targets.updated_at,
        updated_by=targets.updated_by,
    )


def get_settings(caller: Caller, deps: NotificationDeps) -> NotificationSettingsOut:
    _require_admin(caller, deps, "reading the notification settings")
    return _out(deps.settings.get(caller.org_id))


def set_settings(caller: Caller, wanted: NotificationSettingsIn, deps: NotificationDeps) -> NotificationSettingsOut:
    _require_admin(caller, deps, "changing the notification settings")
    url = None
    if wanted.chat_webhook_url:
        try:
            url = check_url(wanted.chat_webhook_url)
        except UnsafeDestination as error:
            raise InvalidRequest(
                f"chatWebhookUrl {error}", [{"field": "chatWebhookUrl", "problem": str(error)}]
            ) from error
    stored = deps.settings.put(
        NotificationTargets(
            org_id=caller.org_id,
            reviewer_emails=tuple(wanted.reviewer_emails),
            updated_by=caller.user_id,
        ),
        chat_webhook_url=url,
    )
    logger.info(
        "notification settings changed",
        extra={
            "orgId": caller.org_id,
            "by": caller.user_id,
            "chatHost": host_of(url),
            "reviewers": len(stored.reviewer_emails),
        },
    )
    return _out(stored)


def notify(event: dict[str, Any], deps: NotificationDeps) -> dict[str, str]:
    """Send one EventBridge event's notification on its channels; channel -> what happened."""
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    message = message_for(str(event.get("detail-type") or ""), detail or {}, deps.console_url)
    if message is None:
        return {}
    event_id = str(event.get("id") or "")
    targets = deps.settings.get(message.org_id)
    sent: dict[str, str] = {}
    for channel in message.channels:
        if channel == TOPIC:
            sent[TOPIC] = deps.channels.topic(message, event_id)
        elif channel == CHAT:
            url = deps.settings.chat_webhook_url(targets)
            sent[CHAT] = deps.channels.chat(url, message, event_id) if url else "not-set"
        elif channel == REVIEWERS:
            sent[REVIEWERS] = deps.channels.email(targets.reviewer_emails, message, event_id)
    failed = [c for c, outcome in sent.items() if outcome not in ("sent", "written", "not-set", "no-recipients")]
    logger.info("notified", extra={"detailType": message.detail_type, "orgId": message.org_id, "channels": sent})
    if failed:
        logger.warning("notification not delivered", extra={"detailType": message.detail_type, "channels": sent})
        metrics.add_metric(name="NotificationsFailed", unit=MetricUnit.Count, value=len(failed))
    metrics.add_metric(name="NotificationsSent", unit=MetricUnit.Count, value=len(sent) - len(failed))
    return sent
