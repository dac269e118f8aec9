"""Where notifications are sent: AWS (SNS topic, SES email, chat webhook over HTTPS) or the local outbox.

``NOTIFICATION_DELIVERY=aws`` sends; ``outbox`` (the embedded default, as the publishers' outbox) writes what
would be sent as JSON files under ``<OUTBOX_DIR>/notifications/<orgId>/`` and sends nothing. Both check the
chat webhook URL against the outbound-URL policy at send time, so a URL that would be refused in AWS is
refused locally too.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx

from flashfusion.errors import UnsafeDestination
from flashfusion.notifications.messages import Message
from flashfusion.outbound import check_url

CHAT_TIMEOUT_SECONDS = 10.0
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class Channels(Protocol):
    def topic(self, message: Message, event_id: str) -> str: ...

    def chat(self, url: str, message: Message, event_id: str) -> str: ...

    def email(self, to: Sequence[str], message: Message, event_id: str) -> str: ...


def chat_payload(message: Message) -> dict[str, Any]:
    """A Slack-style incoming-webhook body (Mattermost, Rocket.Chat and Teams workflows read ``text`` too)."""
    return {"text": f"*{message.subject}*\n{message.text}"}


def email_body(message: Message) -> str:
    return message.text + (f"\n\n{message.link}\n" if message.link else "\n")


class AwsChannels:
    def __init__(
        self,
        sns: Callable[[], Any],
        ses: Callable[[], Any],
        topic_arn: str,
        sender: str,
        http: Callable[[], httpx.Client] | None = None,
    ) -> None:
        self._sns, self._ses = sns, ses
        self.topic_arn, self.sender = topic_arn, sender
        self._http = http or (lambda: httpx.Client(timeout=CHAT_TIMEOUT_SECONDS, follow_redirects=False))

    def topic(self, message: Message, event_id: str) -> str:
        if not self.topic_arn:
            return "no-topic"
        self._sns().publish(
            TopicArn=self.topic_arn,
            Subject=message.subject,
            Message=message.text,
            MessageAttributes={
                "detailType": {"DataType": "String", "StringValue": message.detail_type},
                "orgId": {"DataType": "String", "StringValue": message.org_id},
            },
        )
        return "sent"

    def chat(self, url: str, message: Message, event_id: str) -> str:
        try:
            target = check_url(url)
        except UnsafeDestination:
            return "refused-url"
        try:
            with self._http() as client:
                response = client.post(target, json=chat_payload(message))
        except httpx.HTTPError:
            return "no-answer"
        return "sent" if 200 <= response.status_code < 300 else f"refused-{response.status_code}"

    def email(self, to: Sequence[str], message: Message, event_id: str) -> str:
        if not self.sender:
            return "no-sender"
        if not to:
            return "no-recipients"
        self._ses().send_email(
            Source=self.sender,
            Destination={"ToAddresses": list(to)},
            Message={
                "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": email_body(message), "Charset": "UTF-8"}},
            },
        )
        return "sent"


class OutboxChannels:
    """Writes each notification as ``<dir>/notifications/<orgId>/<channel>-<eventId>.json``; a repeat of the
    same event (EventBridge delivers at least once) overwrites its own file."""

    def __init__(self, outbox_dir: str | os.PathLike[str]) -> None:
        self.root = Path(outbox_dir) / "notifications"

    def _write(self, channel: str, message: Message, event_id: str, record: dict[str, Any]) -> str:
        folder = self.root / _UNSAFE.sub("_", message.org_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{channel}-{_UNSAFE.sub('_', event_id)}.json"
        body = {
            "channel": channel,
            "detailType": message.detail_type,
            "orgId": message.org_id,
            "subject": message.subject,
            "text": message.text,
            "link": message.link,
            **record,
        }
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2, ensure_ascii=False)
        os.replace(temporary, path)  # a reader never sees half a file
        return "written"

    def topic(self, message: Message, event_id: str) -> str:
        return self._write("topic", message, event_id, {})

    def chat(self, url: str, message: Message, event_id: str) -> str:
        try:
            target = check_url(url)
        except UnsafeDestination:
            return "refused-url"
        return self._write("chat", message, event_id, {"to": target, "payload": chat_payload(message)})

    def email(self, to: Sequence[str], message: Message, event_id: str) -> str:
        if not to:
            return "no-recipients"
        return self._write("email", message, event_id, {"to": list(to), "body": email_body(message)})
