"""Publishing one post, exactly once, and saying why when it cannot.

The publish function runs this when a post's schedule fires (``{"orgId", "postId"}``):

1. load the post (only a ``scheduled`` post goes out: cancelled, moved-to-failed or already published
   ones are skipped) and its platform account (not ``active`` -> the post is ``needs_reauth``);
2. check the asset is still approved (its provenance record exists, its request succeeded, it passed
   the lint or a reviewer approved it) and compliant for that platform (the platform's text and image
   limits, checked again on what is about to go out);
3. credentials from Secrets Manager (``<prefix>/<orgId>/<accountId>``, Powertools ``get_secret``,
   cached 5 minutes, never logged), the media from S3 (a presigned URL for Instagram's Graph API);
4. call the platform adapter inside a Powertools idempotent function keyed on (org, post, account),
   persisted in the app table under ``ORG#<org>``: a retried invocation or a duplicate fire of the same
   schedule gets the stored result instead of a second post, and a concurrent one finds the record in
   progress and stops. An error deletes the record, so a later retry may publish;
5. classify: expired/revoked token -> account and post ``needs_reauth`` + a ``PostNeedsReauth`` event,
   no retry; rate limited -> a new one-time schedule at the platform's reset time; rejected content ->
   ``failed`` with the platform's reason; anything else -> raised (Lambda retries, then the DLQ).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any, Literal

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from pydantic import Field

from flashfusion.app.posts import SchedulingDeps, flexible_minutes, payload_of
from flashfusion.aws.scheduler import schedule_name
from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected
from flashfusion.linting import platforms as platform_checks
from flashfusion.media_types import mime_for_key
from flashfusion.modelbase import CamelModel
from flashfusion.models import RequestStatus
from flashfusion.observability import MetricUnit, logger, metrics
from flashfusion.publishers.base import PublishContent, Publisher, PublishResult
from flashfusion.scheduling.models import AccountStatus, PlatformAccount, Post, PostStatus
from flashfusion.storage import keys
from flashfusion.storage.campaigns import PostNotFound, StaleWrite
from flashfusion.storage.dynamo import ProvenanceRepository, RequestRepository

IDEMPOTENCY_SECONDS = 7 * 24 * 3600
DEFAULT_RATE_LIMIT_WAIT = 15 * 60
MIN_RATE_LIMIT_WAIT = 60
MAX_RATE_LIMIT_RETRIES = 5
APPROVING_DECISIONS = {"approve", "approved", "approve_with_edits", "edit"}
MEDIA_URL_PLATFORMS = {"instagram"}
PRESIGN_SECONDS = 3600

IDEMPOTENCY_CONFIG = IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_SECONDS)
"""The handler registers the Lambda context on it, so an in-progress record expires with the invocation."""

Outcome = Literal["published", "duplicate", "skipped", "in_progress", "rescheduled", "failed", "needs_reauth"]


class PublishOutcome(CamelModel):
    post_id: str
    outcome: Outcome
    status: PostStatus
    platform: str
    via: str | None = Field(default=None, description="the publisher used, when not the post's platform")
    platform_post_id: str | None = None
    platform_url: str | None = None
    reason: str | None = None
    retry_at: str | None = None


@dataclass
class PublishDeps:
    scheduling: SchedulingDeps
    table: Any
    provenance: ProvenanceRepository
    requests: RequestRepository
    s3: Any
    bucket: str
    events: Any
    event_bus: str
    enabled_publishers: frozenset[str]
    publisher_for: Callable[[str], Publisher]
    credentials: Callable[[str, str], dict[str, str]]
    idempotency_client: Any = None
    counters: dict[str, int] = field(default_factory=dict)


class NotPublishable(Exception):
    """The asset may not go out (no longer approved, or not compliant for the platform)."""


def publish(org_id: str, post_id: str, deps: PublishDeps) -> PublishOutcome:
    posts = deps.scheduling.posts
    try:
        post = posts.get(org_id, post_id)
    except PostNotFound:  # deleted since: a schedule firing for it has nothing to do, and no retry helps
        return PublishOutcome(
            post_id=post_id, outcome="skipped", status=PostStatus.CANCELLED, platform="", reason="no such post"
        )
    logger.append_keys(orgId=org_id, postId=post_id, platform=post.platform)
    if post.status == PostStatus.PUBLISHED:
        return _outcome(post, "duplicate", reason="already published")
    if post.status != PostStatus.SCHEDULED:
        return _outcome(post, "skipped", reason=f"post is {post.status.value}")
    account = deps.scheduling.accounts.get(org_id, post.account_id)
    if account.status != AccountStatus.ACTIVE:
        reason = f"account {account.account_id} is {account.status.value}: re-authorise it, then reschedule"
        post = posts.put(post.model_copy(update={"status": PostStatus.NEEDS_REAUTH, "error": reason}))
        return _outcome(post, "needs_reauth", reason=reason)
    via = post.platform if post.platform in deps.enabled_publishers else None
    if via is None and "outbox" in deps.enabled_publishers:
        via = "outbox"
    if via is None:
        return _fail(post, deps, f"publishing to {post.platform} is not enabled in this deployment")
    try:
        content = _content(post, deps, via)
    except NotPublishable as error:
        return _fail(post, deps, str(error))
    try:
        result = _deliver_once(post, account, content, via, deps)
    except IdempotencyAlreadyInProgressError:
        return _outcome(post, "in_progress", reason="another invocation is publishing this post right now")
    except PublishAuthExpired as error:
        return _needs_reauth(post, account, deps, str(error))
    except PublishRateLimited as error:
        return _rate_limited(post, deps, error)
    except PublishRejected as error:
        return _fail(post, deps, f"{post.platform} rejected the post: {error}")
    except Exception as error:
        posts.put(
            post.model_copy(update={"attempts": post.attempts + 1, "error": f"{type(error).__name__}: {error}"[:500]}),
            expect_status={PostStatus.SCHEDULED},
        )
        metrics.add_metric(name="PublishErrors", unit=MetricUnit.Count, value=1)
        raise  # Lambda's async retries, then the dead-letter queue
    published = post.model_copy(
        update={
            "status": PostStatus.PUBLISHED,
            "platform_post_id": result["platformPostId"],
            "platform_url": result.get("url"),
            "attempts": post.attempts + 1,
            "error": None,
        }
    )
    try:
        post = posts.put(published, expect_status={PostStatus.SCHEDULED})
    except StaleWrite:
        current = posts.get(org_id, post_id)
        if current.status == PostStatus.PUBLISHED:  # another fire read it scheduled too, and marked it first
            return _outcome(current, "duplicate", reason="already published by another invocation")
        post = posts.put(published)  # the platform has it (once: the delivery is idempotent): say so
    metrics.add_metric(name="PostsPublished", unit=MetricUnit.Count, value=1)
    return _outcome(post, "published", via=via if via != post.platform else None)


def _outcome(post: Post, outcome: Outcome, **extra: Any) -> PublishOutcome:
    return PublishOutcome(
        post_id=post.post_id,
        outcome=outcome,
        status=post.status,
        platform=post.platform,
        platform_post_id=post.platform_post_id,
        platform_url=post.platform_url,
        **extra,
    )


def _fail(post: Post, deps: PublishDeps, reason: str) -> PublishOutcome:
    post = deps.scheduling.posts.put(post.model_copy(update={"status": PostStatus.FAILED, "error": reason[:500]}))
    metrics.add_metric(name="PostsFailed", unit=MetricUnit.Count, value=1)
    return _outcome(post, "failed", reason=reason)


def _needs_reauth(post: Post, account: PlatformAccount, deps: PublishDeps, reason: str) -> PublishOutcome:
    deps.scheduling.accounts.set_status(post.org_id, account.account_id, AccountStatus.NEEDS_REAUTH, reason[:500])
    post = deps.scheduling.posts.put(
        post.model_copy(
            update={"status": PostStatus.NEEDS_REAUTH, "error": reason[:500], "attempts": post.attempts + 1}
        )
    )
    deps.events.put_events(
        Entries=[
            {
                "Source": "flashfusion.publishing",
                "DetailType": "PostNeedsReauth",
                "EventBusName": deps.event_bus,
                "Detail": json.dumps(
                    {
                        "orgId": post.org_id,
                        "postId": post.post_id,
                        "accountId": account.account_id,
                        "platform": post.platform,
                        "reason": reason[:500],
                    }
                ),
            }
        ]
    )
    metrics.add_metric(name="PostsNeedReauth", unit=MetricUnit.Count, value=1)
    return _outcome(post, "needs_reauth", reason=reason)


def _rate_limited(post: Post, deps: PublishDeps, error: PublishRateLimited) -> PublishOutcome:
    attempt = post.attempts + 1
    if attempt > MAX_RATE_LIMIT_RETRIES:
        return _fail(post, deps, f"{post.platform} kept rate-limiting after {MAX_RATE_LIMIT_RETRIES} retries: {error}")
    wait = max(MIN_RATE_LIMIT_WAIT, int(error.retry_after or DEFAULT_RATE_LIMIT_WAIT) + 1)
    retry_at = (deps.scheduling.clock() + timedelta(seconds=wait)).astimezone(UTC).replace(microsecond=0)
    name = schedule_name(post.post_id, attempt)
    reason = f"rate limited by {post.platform}: {error}; retrying at {retry_at.isoformat()}"
    post = deps.scheduling.posts.put(
        post.model_copy(update={"attempts": attempt, "schedule_name": name, "scheduled_at": retry_at, "error": reason}),
        expect_status={PostStatus.SCHEDULED},
    )
    deps.scheduling.scheduler.create(name, retry_at, "UTC", payload_of(post, name), flexible_minutes(post.platform))
    metrics.add_metric(name="PublishRateLimited", unit=MetricUnit.Count, value=1)
    return _outcome(post, "rescheduled", reason=reason, retry_at=retry_at.isoformat())


# checks and content -------------------------------------------------------------------------------
def _content(post: Post, deps: PublishDeps, via: str) -> PublishContent:
    try:
        provenance = deps.provenance.get(post.org_id, post.asset_id, post.asset_version)
    except KeyError as error:
        raise NotPublishable(f"asset {post.asset_id} v{post.asset_version} no longer exists") from error
    if provenance.request_id:
        request = deps.requests.get_item(post.org_id, provenance.request_id)
        if request is None or request.get("status") != RequestStatus.SUCCEEDED.value:
            state = "gone" if request is None else request.get("status")
            raise NotPublishable(f"asset {post.asset_id} is no longer approved: its request is {state}")
    decision = (provenance.decision or "").lower()
    if decision in ("reject", "rejected") or not (provenance.lint_passed or decision in APPROVING_DECISIONS):
        raise NotPublishable(
            f"asset {post.asset_id} is not approved: it failed the brand lint and no reviewer approved it"
        )
    body, _ = _read(deps, provenance.key)
    mime = provenance.mime_type or mime_for_key(provenance.key)
    is_text = mime.startswith("text/")
    text = post.caption if post.caption is not None else (body.decode("utf-8") if is_text else "")
    media = None if is_text else body
    _check_platform(post.platform, text, media, mime)
    media_url = None
    if media is not None and via in MEDIA_URL_PLATFORMS:
        media_url = deps.s3.generate_presigned_url(
            "get_object", Params={"Bucket": deps.bucket, "Key": provenance.key}, ExpiresIn=PRESIGN_SECONDS
        )
    return PublishContent(
        text=text,
        media=media,
        media_mime_type=None if is_text else mime,
        media_name=provenance.key.rsplit("/", 1)[-1] if media is not None else None,
        media_url=media_url,
        idempotency_key=f"{post.org_id}:{post.post_id}:{post.account_id}",
    )


def _read(deps: PublishDeps, key: str) -> tuple[bytes, dict[str, str]]:
    response = deps.s3.get_object(Bucket=deps.bucket, Key=key)
    return response["Body"].read(), response.get("Metadata", {})


def _check_platform(platform: str, text: str, media: bytes | None, mime: str) -> None:
    """The platform's own limits on what is about to go out (cheap: text and image headers only)."""
    if platform not in platform_checks.TEXT_LIMITS:
        return
    results = [platform_checks.check_text_for_platforms(text, [platform])]
    size = _image_size(media) if media is not None and mime.startswith("image/") else None
    if media is not None and size is not None and platform in platform_checks.LIMITS:
        results.append(
            platform_checks.check_image_for_platforms(size[0], size[1], mime.split("/")[1], len(media), [platform])
        )
    errors = [v for r in results for v in r.violations if v.severity == "error"]
    if errors:
        raise NotPublishable(f"not compliant for {platform}: " + "; ".join(v.message for v in errors))


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG or JPEG header, without decoding the image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return None


# exactly once -------------------------------------------------------------------------------------
def _deliver_once(
    post: Post, account: PlatformAccount, content: PublishContent, via: str, deps: PublishDeps
) -> dict[str, Any]:
    persistence = DynamoDBPersistenceLayer(
        table_name=deps.table.name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=keys.org_pk(post.org_id),
        expiry_attr="expiresAt",
        boto3_client=deps.idempotency_client,
    )

    def deliver(key: dict[str, str]) -> dict[str, Any]:
        credentials = {} if via == "outbox" else deps.credentials(post.org_id, account.account_id)
        result: PublishResult = deps.publisher_for(via).publish(account, credentials, content)
        return {"platformPostId": result.platform_post_id, "url": result.url}

    once = idempotent_function(data_keyword_argument="key", persistence_store=persistence, config=IDEMPOTENCY_CONFIG)(
        deliver
    )
    delivered: dict[str, Any] = once(
        key={"orgId": post.org_id, "postId": post.post_id, "accountId": account.account_id}
    )
    return delivered
