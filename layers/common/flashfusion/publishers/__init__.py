"""Platform publishers and the registry that picks one per platform.

``publisher_for("linkedin")`` -> a Publisher; every HTTP publisher takes an httpx client factory
(timeouts, no redirects by default), a clock (reset headers are computed against it) and a sleep
function (bounded media-processing polls), so tests inject all three and nothing waits or goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flashfusion.publishers.base import PublishContent, Publisher, PublishResult
from flashfusion.publishers.bluesky import BlueskyPublisher
from flashfusion.publishers.http import (
    ClientFactory,
    Clock,
    Sleep,
    default_client_factory,
    real_sleep,
    utc_now,
)
from flashfusion.publishers.linkedin import LinkedInPublisher
from flashfusion.publishers.mastodon import MastodonPublisher
from flashfusion.publishers.meta import FacebookPagePublisher, InstagramPublisher
from flashfusion.publishers.outbox import OutboxPublisher
from flashfusion.publishers.webhook import WebhookPublisher, verify_signature
from flashfusion.publishers.x import XPublisher

__all__ = [
    "PLATFORMS",
    "PublishContent",
    "PublishResult",
    "Publisher",
    "publisher_for",
    "verify_signature",
]

_Builder = Callable[[ClientFactory, Clock, Sleep, Path | str | None], Publisher]

_BUILDERS: dict[str, _Builder] = {
    "x": lambda f, c, s, _o: XPublisher(client_factory=f, clock=c, sleep=s),
    "linkedin": lambda f, c, _s, _o: LinkedInPublisher(client_factory=f, clock=c),
    "facebook": lambda f, c, s, _o: FacebookPagePublisher(client_factory=f, clock=c, sleep=s),
    "instagram": lambda f, c, s, _o: InstagramPublisher(client_factory=f, clock=c, sleep=s),
    "bluesky": lambda f, c, _s, _o: BlueskyPublisher(client_factory=f, clock=c),
    "mastodon": lambda f, c, s, _o: MastodonPublisher(client_factory=f, clock=c, sleep=s),
    "webhook": lambda f, c, _s, _o: WebhookPublisher(client_factory=f, clock=c),
    "outbox": lambda _f, c, _s, o: OutboxPublisher(o, clock=c),
}

PLATFORMS = frozenset(_BUILDERS)


def publisher_for(
    platform: str,
    *,
    client_factory: ClientFactory = default_client_factory,
    outbox_dir: Path | str | None = None,
    clock: Clock = utc_now,
    sleep: Sleep = real_sleep,
) -> Publisher:
    """The publisher for ``platform`` (a scheduling.models.Platform value)."""
    try:
        build = _BUILDERS[platform]
    except KeyError:
        raise ValueError(f"no publisher for platform {platform!r}; known: {', '.join(sorted(_BUILDERS))}") from None
    return build(client_factory, clock, sleep, outbox_dir)
