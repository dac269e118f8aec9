"""Whether a pre-generated candidate may serve a new request, and which one serves best.

A candidate serves a request when it is ready, not stale (``expires_at`` after now), made under the same
brand kit id *and version* (a kit change invalidates everything made under the old one), for the same
content type, channel, sponsored flag and output options, at the request's tier or a better one, and its
brief is close enough (briefs.close_enough). Of those, the most similar serves; then the better tier;
then the newest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flashfusion.prediction.briefs import CLOSE_ENOUGH, similarity
from flashfusion.prediction.forecast import TIER_RANK


@dataclass(frozen=True)
class Wanted:
    brief: str
    content_type: str
    tier: str
    kit_id: str
    kit_version: int
    channel: str | None
    sponsored: bool
    options: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Offer:
    candidate_id: str
    brief: str
    content_type: str
    tier: str
    kit_id: str
    kit_version: int
    channel: str | None
    sponsored: bool
    options: tuple[tuple[str, Any], ...]
    generated_at: datetime
    expires_at: datetime
    ready: bool = True


def options_key(options: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Output options as a comparable value (unset ones left out)."""
    return tuple(sorted((k, v) for k, v in options.items() if v is not None))


def why_not(offer: Offer, wanted: Wanted, now: datetime, threshold: float = CLOSE_ENOUGH) -> str | None:
    """None when ``offer`` may serve ``wanted``; else the first reason it may not."""
    if not offer.ready:
        return "not ready"
    if offer.expires_at <= now:
        return "stale"
    if (offer.kit_id, offer.kit_version) != (wanted.kit_id, wanted.kit_version):
        return "other brand kit version"
    same = (offer.content_type, offer.channel, offer.sponsored, offer.options)
    if same != (wanted.content_type, wanted.channel, wanted.sponsored, wanted.options):
        return "other content type, channel, sponsorship or options"
    if TIER_RANK.get(offer.tier, -1) < TIER_RANK.get(wanted.tier, 99):
        return "lower tier"
    if similarity(offer.brief, wanted.brief) < threshold:
        return "brief not close enough"
    return None


def best_offer(offers: Iterable[Offer], wanted: Wanted, now: datetime, threshold: float = CLOSE_ENOUGH) -> Offer | None:
    fitting = [o for o in offers if why_not(o, wanted, now, threshold) is None]
    if not fitting:
        return None
    return max(
        fitting,
        key=lambda o: (similarity(o.brief, wanted.brief), TIER_RANK.get(o.tier, 0), o.generated_at.timestamp()),
    )
