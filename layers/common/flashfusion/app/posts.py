"""Scheduling, rescheduling and cancelling a post: its record and its Scheduler schedule move together.

Order: the post record is written first, the schedule second, and a failed schedule write puts the
record back (compensation), then re-raises:

- schedule: put the record (status ``scheduled``); create the schedule; if that fails, delete the
  record. A record without its schedule for a moment is harmless (nothing fires).
- reschedule: conditionally replace the record (still ``scheduled``, ``failed`` or ``needs_reauth``:
  a post published or cancelled meanwhile is refused); update (or re-create) the schedule; if that
  fails, the previous record is restored.
- cancel: conditionally mark the record ``cancelled``; delete the schedule (already gone is fine); if
  the delete fails, the previous record is restored.

The record is the source of truth and the schedule only a trigger: the publish function re-reads the
record and publishes only a ``scheduled`` post, so a schedule that fires for a cancelled or moved post
(a compensation that failed too, or a race with Scheduler) publishes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flashfusion.aws.scheduler import PostScheduler, schedule_name
from flashfusion.errors import InvalidRequest
from flashfusion.models import utcnow
from flashfusion.scheduling import platform_rules
from flashfusion.scheduling.models import AccountStatus, Platform, PlatformAccount, Post, PostStatus
from flashfusion.storage.campaigns import (
    AccountRepository,
    CampaignRepository,
    PostRepository,
    StaleWrite,
)

MIN_LEAD = timedelta(seconds=60)
"""A post must be at least this far ahead: Scheduler needs a moment, and 'now' is not a schedule."""
MOVABLE = {PostStatus.SCHEDULED, PostStatus.FAILED, PostStatus.NEEDS_REAUTH}
CANCELLABLE = MOVABLE

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SchedulingDeps:
    campaigns: CampaignRepository
    posts: PostRepository
    accounts: AccountRepository
    scheduler: PostScheduler
    clock: Clock = field(default=utcnow)


def new_post_id() -> str:
    return uuid.uuid4().hex


def stable_post_id(*parts: str) -> str:
    """The same inputs, the same post id: a retried workflow step creates no second post."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:32]


def flexible_minutes(platform: Platform) -> int:
    return platform_rules.rules_for(platform).flexible_window_minutes


def payload_of(post: Post, name: str) -> dict[str, str]:
    return {"orgId": post.org_id, "postId": post.post_id, "scheduleName": name}


def check_future(at: datetime, now: datetime, field_name: str = "scheduledAt") -> None:
    if at.tzinfo is None:
        raise InvalidRequest(f"{field_name} needs a time zone offset", [{"field": field_name, "problem": "no offset"}])
    if at < now + MIN_LEAD:
        when = "in the past" if at <= now else "less than a minute ahead"
        message = (
            f"{field_name} {at.astimezone(UTC).isoformat()} is {when} (now {now.astimezone(UTC).isoformat()}); "
            f"a post must be scheduled at least {int(MIN_LEAD.total_seconds())} seconds ahead"
        )
        raise InvalidRequest(message, [{"field": field_name, "problem": f"is {when}"}])


def check_account(account: PlatformAccount, platform: Platform) -> None:
    if account.platform != platform:
        raise InvalidRequest(
            f"account {account.account_id} is a {account.platform} account, not {platform}",
            [{"field": "accountId", "problem": f"is a {account.platform} account"}],
        )
    if account.status != AccountStatus.ACTIVE:
        raise InvalidRequest(
            f"account {account.account_id} is {account.status.value}: re-authorise it before scheduling",
            [{"field": "accountId", "problem": account.status.value}],
        )


def schedule(post: Post, deps: SchedulingDeps) -> tuple[Post, bool]:
    """Store the post and create its schedule. Returns (post, created); an existing post id is a no-op."""
    check_future(post.scheduled_at, deps.clock())
    name = post.schedule_name or schedule_name(post.post_id)
    post = post.model_copy(update={"schedule_name": name, "status": PostStatus.SCHEDULED})
    stored, created = deps.posts.create(post)
    if not created:
        return stored, False
    try:
        deps.scheduler.create(
            name, post.scheduled_at, post.time_zone, payload_of(post, name), flexible_minutes(post.platform)
        )
    except Exception:
        deps.posts.delete(post.org_id, post.post_id)  # compensation: no record without its schedule
        raise
    return stored, True


def reschedule(org_id: str, post_id: str, at: datetime, time_zone: str | None, deps: SchedulingDeps) -> Post:
    check_future(at, deps.clock())
    before = deps.posts.get(org_id, post_id)
    if before.status not in MOVABLE:
        raise InvalidRequest(
            f"post {post_id} is {before.status.value}; only a scheduled, failed or needs_reauth post can move",
            [{"field": "scheduledAt", "problem": f"post is {before.status.value}"}],
        )
    name = schedule_name(post_id)
    moved = before.model_copy(
        update={
            "scheduled_at": at,
            "time_zone": time_zone or before.time_zone,
            "status": PostStatus.SCHEDULED,
            "schedule_name": name,
            "error": None,
        }
    )
    try:
        after = deps.posts.put(moved, expect_status={before.status})
    except StaleWrite as error:
        raise InvalidRequest(str(error), [{"field": "postId", "problem": "changed meanwhile"}]) from error
    try:
        if before.schedule_name and before.schedule_name != name:
            deps.scheduler.delete(before.schedule_name)  # a pending rate-limit retry
        deps.scheduler.update(name, at, after.time_zone, payload_of(after, name), flexible_minutes(after.platform))
    except Exception:
        deps.posts.put(before, expect_status={PostStatus.SCHEDULED})  # compensation: the old record back
        raise
    return after


def cancel(org_id: str, post_id: str, deps: SchedulingDeps) -> Post:
    before = deps.posts.get(org_id, post_id)
    if before.status == PostStatus.CANCELLED:
        return before
    if before.status not in CANCELLABLE:
        raise InvalidRequest(
            f"post {post_id} is {before.status.value} and cannot be cancelled",
            [{"field": "postId", "problem": f"post is {before.status.value}"}],
        )
    try:
        after = deps.posts.put(
            before.model_copy(update={"status": PostStatus.CANCELLED}), expect_status={before.status}
        )
    except StaleWrite as error:
        raise InvalidRequest(str(error), [{"field": "postId", "problem": "changed meanwhile"}]) from error
    try:
        if before.schedule_name:
            deps.scheduler.delete(before.schedule_name)
    except Exception:
        deps.posts.put(before, expect_status={PostStatus.CANCELLED})  # compensation
        raise
    return after


def make_post(
    *,
    org_id: str,
    post_id: str,
    asset_id: str,
    asset_version: int,
    platform: Platform,
    account_id: str,
    at: datetime,
    time_zone: str,
    caption: str | None,
    campaign_id: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> Post:
    moment = now or utcnow()
    return Post(
        post_id=post_id,
        org_id=org_id,
        asset_id=asset_id,
        asset_version=asset_version,
        platform=platform,
        account_id=account_id,
        scheduled_at=at,
        time_zone=time_zone,
        campaign_id=campaign_id,
        request_id=request_id,
        caption=caption,
        created_at=moment,
        updated_at=moment,
    )
