"""The interface every platform publisher implements, and what it hands back.

A publisher turns one post (text and at most one media file) into one platform call sequence (media
upload the way the platform requires, then the post). It raises the typed errors of
flashfusion.errors (PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable) so the
publish step can decide: re-authorise, retry after the platform's reset, fail with the platform's
reason, or retry then dead-letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flashfusion.scheduling.models import PlatformAccount


@dataclass(frozen=True)
class PublishContent:
    text: str
    media: bytes | None = None
    media_mime_type: str | None = None
    media_name: str | None = None
    alt_text: str | None = None
    media_url: str | None = None
    """A short-lived HTTPS URL of the media (presigned S3) for platforms that fetch media themselves
    (Instagram's Graph API does)."""
    idempotency_key: str = ""
    """Stable per (post, account): sent where the platform accepts one, and in webhook headers."""


@dataclass(frozen=True)
class PublishResult:
    platform_post_id: str
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class Publisher(Protocol):
    platform: str

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        """Post ``content`` as ``account``; ``credentials`` is the account's secret (tokens, app keys)."""
        ...
