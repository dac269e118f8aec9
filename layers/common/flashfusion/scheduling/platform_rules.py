"""Default posting rules and default local posting times per platform.

``daily_limit`` is what the planner lets a campaign post per account per local day. Where a platform
publishes a hard API cap we stay well below it (the cap is quoted per platform below, with its source),
because a campaign that posts at the cap is spam long before it is throttled; the number we use is
good practice. ``min_gap_minutes`` is good practice everywhere (no platform publishes a minimum gap).
``flexible_window_minutes`` lets EventBridge Scheduler fire a social post a little late (cheaper,
smoother), but machine targets (webhook, outbox) get it exactly on time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from types import MappingProxyType

from flashfusion.scheduling.models import Platform, PostingRules

_SOCIAL_FLEX_MINUTES = 15

_RULES: dict[Platform, PostingRules] = {
    # Hard cap: POST /2/tweets is limited per user (OAuth user context): 100 requests / 15 min on the
    # current table, 100 / 24 h on the Basic tier (docs.x.com/x-api/fundamentals/rate-limits; the
    # legacy v1.1 cap was 300 posts+reposts / 3 h, developer.x.com/en/docs/basics/rate-limits).
    # 10 a day with an hour between them is good practice for a brand account.
    "x": PostingRules(platform="x", daily_limit=10, min_gap_minutes=60, flexible_window_minutes=_SOCIAL_FLEX_MINUTES),
    # Hard cap: LinkedIn resets member limits daily at midnight UTC and shows each endpoint's limit in
    # the Developer Portal only (learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits);
    # the commonly quoted share cap is 150 posts / day / member. 1-2 a day is good practice.
    "linkedin": PostingRules(
        platform="linkedin", daily_limit=2, min_gap_minutes=240, flexible_window_minutes=_SOCIAL_FLEX_MINUTES
    ),
    # Hard cap: Pages API calls with a Page token are limited per Page over a 24 h sliding window
    # (4,800 calls x engaged users, developers.facebook.com/blog/post/2016/06/16/page-level-rate-limits);
    # schedulers quote 25 feed posts / Page / 24 h. 3 a day is good practice.
    "facebook": PostingRules(
        platform="facebook", daily_limit=3, min_gap_minutes=180, flexible_window_minutes=_SOCIAL_FLEX_MINUTES
    ),
    # Hard cap: Instagram Graph API content publishing limit, 50 API-published posts per account per
    # rolling 24 h (formerly 25; carousels count once), read from GET /<IG_USER_ID>/content_publishing_limit
    # (quota_total / quota_duration 86400). 3 a day is good practice.
    "instagram": PostingRules(
        platform="instagram", daily_limit=3, min_gap_minutes=180, flexible_window_minutes=_SOCIAL_FLEX_MINUTES
    ),
    # Hard cap: Bluesky PDS write limit per account (DID), 5,000 points / h and 35,000 / day, a create
    # costs 3 points, so at most 1,666 records / h and 11,666 / day (docs.bsky.app/docs/advanced-guides/
    # rate-limits). 8 a day is good practice.
    "bluesky": PostingRules(
        platform="bluesky", daily_limit=8, min_gap_minutes=60, flexible_window_minutes=_SOCIAL_FLEX_MINUTES
    ),
    # Hard cap: Mastodon limits each account to 300 API requests / 5 min by default, instance admins
    # may change it (docs.joinmastodon.org/api/rate-limits). No post cap; 8 a day is good practice.
    "mastodon": PostingRules(
        platform="mastodon", daily_limit=8, min_gap_minutes=60, flexible_window_minutes=_SOCIAL_FLEX_MINUTES
    ),
    # No platform limit: the receiver decides. A generous convention that still stops a runaway plan.
    "webhook": PostingRules(platform="webhook", daily_limit=48, min_gap_minutes=0, flexible_window_minutes=0),
    # The embedded default writes files under out/: no limit, exactly on time so local runs are predictable.
    "outbox": PostingRules(platform="outbox", daily_limit=48, min_gap_minutes=0, flexible_window_minutes=0),
}

DEFAULT_RULES: Mapping[Platform, PostingRules] = MappingProxyType(_RULES)
"""Read-only: callers that want different rules pass their own mapping to the planner."""


def _times(*hhmm: str) -> tuple[time, ...]:
    return tuple(time.fromisoformat(value) for value in hhmm)


_TIMES: dict[Platform, tuple[time, ...]] = {
    # Good practice (engagement studies agree broadly, not a platform rule): mornings, lunch, evening.
    "x": _times("08:00", "10:00", "12:00", "15:00", "17:00", "19:00"),
    "linkedin": _times("08:00", "10:00", "12:00", "17:00"),
    "facebook": _times("09:00", "13:00", "16:00", "19:00"),
    "instagram": _times("11:00", "14:00", "17:00", "20:00"),
    "bluesky": _times("09:00", "12:00", "15:00", "18:00", "21:00"),
    "mastodon": _times("09:00", "12:00", "15:00", "18:00", "21:00"),
    # Machines do not care about engagement: spread over the working day.
    "webhook": _times(*(f"{hour:02d}:00" for hour in range(8, 21))),
    "outbox": _times(*(f"{hour:02d}:00" for hour in range(8, 21))),
}

DEFAULT_POSTING_TIMES: Mapping[Platform, tuple[time, ...]] = MappingProxyType(_TIMES)
"""Local wall-clock times the planner uses when a campaign names no preferred times."""


def default_rules() -> dict[str, PostingRules]:
    """A fresh, mutable copy of the defaults (keyed by platform), to adjust and pass to the planner."""
    return {platform: rules.model_copy() for platform, rules in _RULES.items()}


def rules_for(platform: Platform, overrides: Mapping[str, PostingRules] | None = None) -> PostingRules:
    """The caller's rules for ``platform`` when given, else the default."""
    if overrides is not None and platform in overrides:
        return overrides[platform]
    return _RULES[platform]
