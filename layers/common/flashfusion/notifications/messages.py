"""What each product event tells people, and on which channels: pure, event detail in, message out.

Channels:
- ``topic``: the stack's SNS alerts topic (operators; the same topic the CloudWatch alarms notify).
- ``chat``: the organisation's chat webhook (Slack-style incoming webhook), when it set one.
- ``reviewers``: the organisation's reviewers, by email, with a link to the review page.

A review request is the reviewers' work, not an operator's alert, so it does not go to the topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Channel = str
TOPIC: Channel = "topic"
CHAT: Channel = "chat"
REVIEWERS: Channel = "reviewers"

REQUEST_FAILED = "AssetRequestFailed"
POST_NEEDS_REAUTH = "PostNeedsReauth"
REVIEW_REQUESTED = "AssetReviewRequested"
BUDGET_THRESHOLD = "BudgetThresholdReached"

CHANNELS: dict[str, tuple[Channel, ...]] = {
    REQUEST_FAILED: (TOPIC, CHAT),
    POST_NEEDS_REAUTH: (TOPIC, CHAT),
    BUDGET_THRESHOLD: (TOPIC, CHAT),
    REVIEW_REQUESTED: (CHAT, REVIEWERS),
}
"""Detail type -> where it goes. The template's rule on the notification function lists the same types."""

SUBJECT_CHARS = 100
"""SNS and SES both refuse longer subjects (SNS: 100 characters)."""
CAUSE_CHARS = 500


@dataclass(frozen=True)
class Message:
    detail_type: str
    org_id: str
    subject: str
    text: str
    channels: tuple[Channel, ...]
    link: str | None = None
    """The page that acts on it (the console's review page), when there is one."""


def review_link(console_url: str, review_id: str) -> str | None:
    """``{ConsoleUrl}/#/reviews/{reviewId}``; None when the deployment names no console."""
    base = console_url.strip().rstrip("/")
    return f"{base}/#/reviews/{review_id}" if base and review_id else None


def _short(value: Any, limit: int = CAUSE_CHARS) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_for(detail_type: str, detail: dict[str, Any], console_url: str = "") -> Message | None:
    """The message for one event, or None for an event nobody is told about (or without an organisation)."""
    channels = CHANNELS.get(detail_type)
    org_id = str(detail.get("orgId") or "")
    if channels is None or not org_id:
        return None
    link = None
    if detail_type == REQUEST_FAILED:
        request_id = _short(detail.get("requestId"), 100)
        subject = f"FlashFusion: request {request_id} failed ({_short(detail.get('error'), 60) or 'error'})"
        text = (
            f"Request {request_id} of organisation {org_id} failed: {_short(detail.get('cause')) or 'no cause given'}"
        )
    elif detail_type == POST_NEEDS_REAUTH:
        platform = _short(detail.get("platform"), 40)
        account = _short(detail.get("accountId"), 100)
        subject = f"FlashFusion: {platform} account {account} needs re-authorisation"
        text = (
            f"Post {_short(detail.get('postId'), 100)} of organisation {org_id} was not published: the {platform} "
            f"account {account} needs re-authorisation ({_short(detail.get('reason')) or 'no reason given'})."
        )
    elif detail_type == BUDGET_THRESHOLD:
        percent = _short(detail.get("thresholdPercent"), 10)
        subject = f"FlashFusion: organisation {org_id} passed {percent} % of its monthly budget"
        text = (
            f"Organisation {org_id} has spent {float(detail.get('spentUsd') or 0):.2f} USD of its "
            f"{float(detail.get('limitUsd') or 0):.2f} USD budget for {_short(detail.get('month'), 10)} "
            f"({percent} % threshold)."
        )
    else:  # REVIEW_REQUESTED
        review_id = _short(detail.get("reviewId"), 200)
        link = review_link(console_url, review_id)
        violations = detail.get("violations")
        subject = f"FlashFusion: review {review_id} is waiting for you"
        text = (
            f"Request {_short(detail.get('requestId'), 100)} needs a review"
            + (f" ({violations} brand rule findings)" if violations is not None else "")
            + (f", due {_short(detail.get('deadline'), 40)}" if detail.get("deadline") else "")
            + "."
            + (f" Review it at {link}" if link else "")
        )
    return Message(detail_type, org_id, _short(subject, SUBJECT_CHARS), text, channels, link)
