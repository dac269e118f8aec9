"""Campaigns, platform accounts, posts and posting plans: the models the planner, the scheduler and the
publishers share. Times are aware datetimes; a campaign's wall-clock rules (quiet hours) are read in its
IANA time zone.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, Field, WithJsonSchema, model_validator

from flashfusion.modelbase import CamelModel, Identifier, Instant

Platform = Literal["x", "linkedin", "facebook", "instagram", "bluesky", "mastodon", "webhook", "outbox"]
"""Where a post can go. ``outbox`` is the embedded default: files under out/ instead of a platform."""

MAX_POSTS_PER_DAY = 100
"""The most posts per local day a cadence may ask for on one platform (every platform allows fewer)."""
MAX_CAMPAIGN_DAYS = 366
"""The longest campaign window: planning walks it slot by slot, so it must stay short enough to be fast."""


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris)") from error
    return name


TimeZoneName = Annotated[str, AfterValidator(_zone)]


class AccountStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    DISABLED = "disabled"


class PlatformAccount(CamelModel):
    """One organisation's account on one platform. Its credentials live in Secrets Manager, never here."""

    account_id: Identifier
    platform: Platform
    handle: str = Field(min_length=1, max_length=200, description="@name, page name, instance user...")
    settings: dict[str, str] = Field(
        default_factory=dict,
        description="non-secret settings: pageId / igUserId (Graph API), instanceUrl (Mastodon), "
        "pdsUrl (Bluesky), url (webhook), authorUrn (LinkedIn)",
    )
    status: AccountStatus = AccountStatus.ACTIVE
    status_reason: str | None = None


WALL_CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _wall_clock(value: time) -> time:
    # Read in the campaign's zone: an offset on a bare time would be meaningless, and answered it would
    # break the documented HH:MM[:SS] form.
    return value.replace(tzinfo=None)


WallClock = Annotated[
    time,
    AfterValidator(_wall_clock),
    # Not JSON Schema's "time" format (RFC 3339 full-time), which requires an offset these times never have.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": WALL_CLOCK_PATTERN,
            "description": "a local wall-clock time in the campaign's zone, HH:MM[:SS], no offset",
        }
    ),
]


class QuietHours(CamelModel):
    """Local wall-clock hours with no posts; ``start`` after ``end`` spans midnight (22:00-07:00)."""

    start: WallClock
    end: WallClock


class Cadence(CamelModel):
    """How often the campaign posts. Platform defaults (daily limits) apply where these are unset."""

    max_posts_per_day: dict[Platform, Annotated[int, Field(ge=0, le=MAX_POSTS_PER_DAY)]] = Field(
        default_factory=dict,
        description="platform -> posts per local day at most (tighter than its limit); 0: no posts there",
    )
    min_gap_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60, description="between two posts on one account")
    quiet_hours: QuietHours | None = Field(default_factory=lambda: QuietHours(start=time(22, 0), end=time(7, 0)))
    preferred_times: list[WallClock] = Field(
        default_factory=list, description="local times to prefer (e.g. 09:00, 12:30, 17:00); empty: spread evenly"
    )


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ARCHIVED = "archived"


class CampaignTarget(CamelModel):
    platform: Platform
    account_id: Identifier


class CampaignFields(CamelModel):
    """What a client sends to create a campaign (the organisation comes from the caller's token)."""

    name: str = Field(min_length=1, max_length=200)
    brand_kit_id: Identifier
    starts_at: Instant
    ends_at: Instant
    time_zone: TimeZoneName = "UTC"
    targets: list[CampaignTarget] = Field(default_factory=list, max_length=50)
    cadence: Cadence = Field(default_factory=Cadence)
    status: CampaignStatus = CampaignStatus.DRAFT

    @model_validator(mode="after")
    def _window_in_order(self) -> CampaignFields:
        if self.ends_at <= self.starts_at:
            raise ValueError("endsAt must be after startsAt")
        if self.ends_at - self.starts_at > timedelta(days=MAX_CAMPAIGN_DAYS):
            raise ValueError(f"a campaign lasts at most {MAX_CAMPAIGN_DAYS} days")
        return self


class CampaignSummary(CampaignFields):
    """A campaign as lists show it (without its assets: GET the campaign for those)."""

    campaign_id: Identifier
    org_id: Identifier
    created_at: datetime
    updated_at: datetime


class Campaign(CampaignSummary):
    asset_ids: list[str] = Field(default_factory=list, description="approved assets, in the order they joined")


class PostStatus(StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    NEEDS_REAUTH = "needs_reauth"
    CANCELLED = "cancelled"


class Post(CamelModel):
    """One asset going out to one platform account at one time, through one Scheduler schedule."""

    post_id: Identifier
    org_id: Identifier
    asset_id: str
    asset_version: int
    platform: Platform
    account_id: Identifier
    scheduled_at: AwareDatetime
    time_zone: TimeZoneName = "UTC"
    campaign_id: str | None = None
    request_id: str | None = None
    caption: str | None = Field(default=None, max_length=5000)
    status: PostStatus = PostStatus.SCHEDULED
    schedule_name: str | None = None
    platform_post_id: str | None = None
    platform_url: str | None = None
    error: str | None = None
    attempts: int = 0
    created_at: datetime
    updated_at: datetime


class PostingRules(CamelModel):
    """A platform's posting limits, as the planner and the scheduler use them."""

    platform: Platform
    daily_limit: int = Field(ge=1, description="posts per account per day the platform (or good practice) allows")
    min_gap_minutes: int = Field(default=60, ge=0)
    flexible_window_minutes: int = Field(
        default=0, ge=0, le=1440, description="EventBridge Scheduler may fire this late (0: exactly on time)"
    )


class PlanAsset(CamelModel):
    """An asset the planner may place, and where it may go."""

    asset_id: str
    platforms: list[Platform] = Field(default_factory=list, description="empty: every campaign target")


class PlannedSlot(CamelModel):
    asset_id: str
    platform: Platform
    account_id: str
    at: AwareDatetime
    local_time: str = Field(description="the slot in the campaign's time zone, ISO 8601 with offset")
    reason: str = Field(description="why this slot: spread, preferred time, gap or quiet hours pushed it")


class Unplaced(CamelModel):
    asset_id: str
    platform: Platform
    account_id: str
    reason: str


class CampaignPlan(CamelModel):
    campaign_id: str
    time_zone: str
    slots: list[PlannedSlot] = Field(default_factory=list)
    unplaced: list[Unplaced] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class ScheduleRequest(CamelModel):
    """``schedule`` on an asset request: post the saved asset at a time, or add it to the campaign plan."""

    mode: Literal["at", "campaign_plan"] = "at"
    at: Instant | None = Field(default=None, description="mode 'at': when to post")
    time_zone: TimeZoneName = "UTC"
    targets: list[CampaignTarget] = Field(default_factory=list, max_length=20)
    caption: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleRequest:
        if self.mode == "at" and (self.at is None or not self.targets):
            raise ValueError("mode 'at' needs 'at' and at least one target")
        return self
