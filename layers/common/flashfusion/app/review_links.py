"""Outside reviewers: a signed, expiring, revocable link that lets someone without an account decide one review.

A reviewer makes a link (``POST /v1/reviews/{id}/links``) and sends its URL to a client or a legal adviser;
the console opens it at ``{ConsoleUrl}/#/shared/{token}`` and calls the two public routes with the token,
which never pass the JWT authorizer. Every use checks, in this order, before anything else is read:

1. the token's HMAC signature, in constant time (malformed or badly signed: 401 ``link_invalid``);
2. its signed expiry (past: 410 ``link_gone``), without touching the table;
3. the link's record under that review: missing (another review's or another organisation's link id, or a
   forged pair) is 401 ``link_invalid``; revoked or expired is 410 ``link_gone``.

401 and 410 never say more than that, so trying tokens teaches nothing; 410 tells an honest holder to ask
for a new link instead of retrying. The decision is recorded with the name the person gave and the link's
id (the review's ``reviewer`` and ``reviewerLinkId``; the provenance record's reviewer names both).
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, computed_field, field_validator

from flashfusion.app import link_tokens
from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.pages import DEFAULT_LIMIT, Page, check_limit, decode_token, page_of
from flashfusion.app.review_policy import Decider, check_not_requester, current_group, may_act_for
from flashfusion.app.reviews import (
    MAX_EDITED_TEXT,
    PREVIEW_SECONDS,
    Decision,
    _check_review_id,
    _heartbeat,
    _is_id,
    _parse,
    _pending,
    decide_as,
)
from flashfusion.app.submissions import check_org
from flashfusion.errors import Forbidden, InvalidRequest, LinkGone, LinkInvalid, ReviewNotFound, ReviewUnavailable
from flashfusion.modelbase import CamelModel
from flashfusion.models import Severity, Violation, utcnow
from flashfusion.observability import logger
from flashfusion.storage.review_links import LinkNotFound, ReviewLink, ReviewLinkRepository
from flashfusion.storage.reviews import Preview, Review, ReviewPart, ReviewStatus

MAX_LINK_HOURS = 168
SHARED_PATH = "/#/shared/"
"""Where the console opens a shared link: ``{ConsoleUrl}/#/shared/{token}`` (a fragment: never sent to a server,
so the token stays out of CloudFront's and S3's access logs)."""
MAX_SHARED_TEXT_BYTES = 4 * MAX_EDITED_TEXT
"""A text asset's content is sent inline up to this size (larger: the preview URL only)."""


class LinkRequest(CamelModel):
    """What a reviewer sends to ``POST /v1/reviews/{id}/links``."""

    expires_in_hours: int = Field(
        ge=1, le=MAX_LINK_HOURS, description="1-168; the link never outlives the review's own deadline"
    )
    label: str | None = Field(default=None, max_length=100, description="who it is for, e.g. Client legal")


LinkState = Literal["active", "expired", "revoked"]


class ReviewLinkView(ReviewLink):
    """A link as listed: its record and whether it still opens the review."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> LinkState:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if utcnow() >= self.expires_at else "active"


class CreatedLink(ReviewLinkView):
    """The new link: send ``url`` to the outside reviewer. The token is shown this once."""

    token: str = Field(description="opaque; the public shared-review routes take it in their path")
    url: str = Field(description="{ConsoleUrl}/#/shared/{token}")


class ReviewLinkPage(Page[ReviewLinkView]):
    """A page of a review's links, oldest first."""


class SharedDecision(Decision):
    """What an outside reviewer sends to ``POST /v1/shared-reviews/{token}/decision``: a decision with the
    same fields as a reviewer's, and their name."""

    name: str = Field(min_length=1, max_length=100, description="who decides; recorded with the decision")

    @field_validator("name")
    @classmethod
    def _a_name(cls, name: str) -> str:
        name = " ".join(name.split())
        if not name or not name.isprintable():
            raise ValueError("a name of printable characters")
        return name


class SharedPreview(CamelModel):
    mime_type: str
    url: str = Field(description="presigned GET of the asset, valid for a few minutes")


class SharedPart(CamelModel):
    """One part of a bundle as an outside reviewer sees it: what it is, its file and its own findings."""

    part_id: str
    role: str
    content_type: str
    required: bool = True
    status: Literal["generated", "failed"] = Field(description="failed: the part could not be made (no preview)")
    preview: SharedPreview | None = None
    text: str | None = Field(default=None, description="a text part's content (also at preview.url)")
    lint_passed: bool | None = None
    violations: list[Violation] = Field(default_factory=list, description="the part's own findings (the first few)")


class SharedReview(CamelModel):
    """What an outside reviewer may see of one review: the asset, its violations and what they may do.
    Nothing of the organisation's internals (no org, request, asset or user ids, no prompt)."""

    review_id: str
    status: ReviewStatus
    content_type: str
    channel: str | None = None
    preview: SharedPreview
    text: str | None = Field(default=None, description="a text asset's content (also at preview.url)")
    violations: list[Violation]
    suggestions: list[str]
    worst_severity: Severity | None = None
    regenerations_left: int
    expires_at: datetime = Field(description="when the review stops waiting")
    link_expires_at: datetime = Field(description="when this link stops working")
    label: str | None = Field(default=None, description="the link's label")
    step_group: str | None = Field(default=None, description="the approval step this link decides, if any")
    decision: str | None = Field(default=None, description="once decided: the decision")
    decided_at: datetime | None = None
    parts: list[SharedPart] = Field(
        default_factory=list,
        description="a bundle's parts, the lead first; the review's violations are the bundle-wide ones and the lead's",
    )


def _links(deps: Deps) -> ReviewLinkRepository:
    if deps.review_links is None:
        raise ReviewUnavailable("shared review links are not wired here")
    return deps.review_links


def _key(deps: Deps) -> bytes:
    if deps.review_link_key is None:
        raise ReviewUnavailable("shared review links are not configured here")
    try:
        return deps.review_link_key()
    except ReviewUnavailable:
        raise
    except Exception as error:  # the secret cannot be read: the links are unusable, not the caller's fault
        logger.exception("the review link key cannot be read")
        raise ReviewUnavailable("shared review links are unavailable just now") from error


def _new_link_id() -> str:
    """Sorts by creation time (milliseconds, hex), with random bits: the links list oldest first."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(4)}"


def _check_manager(review: Review, caller: Caller, deps: Deps) -> None:
    groups = {deps.settings.reviewer_group, *(s.group for s in review.approval_steps)}
    if not any(caller.has_role(g) for g in groups):
        raise Forbidden("managing review links needs the reviewer group or an approval step's group")


def _link_url(console_url: str, token: str) -> str:
    return f"{console_url.rstrip('/')}{SHARED_PATH}{token}"


def create_link(caller: Caller, review_id: str, body: Any, deps: Deps) -> CreatedLink:
    check_org(caller.org_id)
    _check_review_id(review_id)
    request = _parse(LinkRequest, body)
    review = _pending(caller.org_id, review_id, deps)
    if not may_act_for(review, caller, deps.settings.reviewer_group):
        group = current_group(review, deps.settings.reviewer_group)
        raise Forbidden(f"making a link for this review now needs the {group!r} group")
    check_not_requester(review, caller.user_id)  # a link to oneself would approve one's own request
    now = utcnow()
    step = review.current_step
    link = ReviewLink(
        link_id=_new_link_id(),
        review_id=review_id,
        label=request.label,
        created_by=caller.user_id,
        created_at=now,
        expires_at=min(now + timedelta(hours=request.expires_in_hours), review.deadline),
        step=step,
        group=review.approval_steps[step].group if step is not None else None,
    )
    key = _key(deps)
    _links(deps).add(caller.org_id, link)
    token = link_tokens.sign(key, link_tokens.LinkClaims(caller.org_id, review_id, link.link_id, link.expires_at))
    logger.info("review link made", extra={"reviewId": review_id, "linkId": link.link_id})
    return CreatedLink.model_validate(
        {**link.model_dump(), "token": token, "url": _link_url(deps.settings.console_url, token)}
    )


def _review_of(caller: Caller, review_id: str, deps: Deps) -> Review:
    check_org(caller.org_id)
    _check_review_id(review_id)
    review = deps.reviews.get(caller.org_id, review_id)
    _check_manager(review, caller, deps)
    return review


def list_links(
    caller: Caller, review_id: str, deps: Deps, limit: int = DEFAULT_LIMIT, next_token: str | None = None
) -> ReviewLinkPage:
    check_limit(limit)
    _review_of(caller, review_id, deps)
    listing = f"review-links:{review_id}"
    start = decode_token(caller.org_id, listing, next_token)
    try:
        found, last = _links(deps).page(caller.org_id, review_id, limit, start)
    except ValueError as error:
        raise InvalidRequest(str(error), [{"field": "nextToken", "problem": str(error)}]) from error
    items = [ReviewLinkView.model_validate(link.model_dump()) for link in found]
    return ReviewLinkPage(**page_of(items, caller.org_id, listing, last))


def revoke_link(caller: Caller, review_id: str, link_id: str, deps: Deps) -> ReviewLinkView:
    """The link stops working at once (its record says so; every use reads the record)."""
    _review_of(caller, review_id, deps)
    if not _is_id(link_id):
        raise ReviewNotFound(f"link {link_id[:64]} not found")
    links = _links(deps)
    try:
        link = links.revoke(caller.org_id, links.get(caller.org_id, review_id, link_id), caller.user_id, utcnow())
    except LinkNotFound as error:
        raise ReviewNotFound(f"link {link_id} not found") from error
    logger.info("review link revoked", extra={"reviewId": review_id, "linkId": link_id})
    return ReviewLinkView.model_validate(link.model_dump())


# the public side: a token instead of a caller ------------------------------------------------------


def _open(token: str, deps: Deps) -> tuple[ReviewLink, Review]:
    """The link and its review, once the token's signature, expiry and record all hold."""
    try:
        claims = link_tokens.verify(_key(deps), token)
    except link_tokens.BadLinkToken as error:
        raise LinkInvalid("this review link is not valid") from error
    now = utcnow()
    if now >= claims.expires_at:
        raise LinkGone("this review link has expired: ask its sender for a new one")
    if not all(_is_id(part) for part in (claims.org_id, claims.review_id, claims.link_id)):
        raise LinkInvalid("this review link is not valid")
    try:
        link = _links(deps).get(claims.org_id, claims.review_id, claims.link_id)
    except LinkNotFound as error:
        raise LinkInvalid("this review link is not valid") from error
    if link.revoked_at is not None:
        raise LinkGone("this review link was revoked: ask its sender for a new one")
    if now >= link.expires_at:
        raise LinkGone("this review link has expired: ask its sender for a new one")
    try:
        review = deps.reviews.get(claims.org_id, claims.review_id)
    except ReviewNotFound as error:
        raise LinkGone("the review of this link is no longer kept") from error
    return link, review


def _inline_text(review: Review, preview: Preview, deps: Deps) -> str | None:
    """A text file's content, read from the review's own organisation's staging area only (small ones)."""
    try:
        data = deps.assets.read_staged(review.org_id, preview.key)
    except Exception:  # the preview URL still works; the text is a convenience
        logger.warning("shared review text unreadable", extra={"reviewId": review.review_id})
        return None
    return data.decode("utf-8", errors="replace") if len(data) <= MAX_SHARED_TEXT_BYTES else None


def _shared_preview(preview: Preview, deps: Deps) -> SharedPreview:
    return SharedPreview(mime_type=preview.mime_type, url=deps.assets.presigned_get(preview.key, PREVIEW_SECONDS))


def _shared_part(review: Review, part: ReviewPart, deps: Deps) -> SharedPart:
    # No error text: a failed part's cause names models and vendors, which are the organisation's business.
    made = part.preview if part.status == "generated" else None
    return SharedPart(
        part_id=part.part_id,
        role=part.role,
        content_type=part.content_type,
        required=part.required,
        status=part.status,
        preview=_shared_preview(made, deps) if made else None,
        text=_inline_text(review, made, deps) if made and part.content_type == "text" else None,
        lint_passed=part.lint_passed,
        violations=part.violations,
    )


def _shared(review: Review, link: ReviewLink, deps: Deps) -> SharedReview:
    text = _inline_text(review, review.preview, deps) if review.content_type == "text" else None
    return SharedReview(
        review_id=review.review_id,
        status=review.status,
        content_type=review.content_type,
        channel=review.channel,
        preview=_shared_preview(review.preview, deps),
        text=text,
        violations=review.violations,
        suggestions=review.suggestions,
        worst_severity=review.worst_severity,
        regenerations_left=review.regenerations_left,
        expires_at=review.deadline,
        link_expires_at=link.expires_at,
        label=link.label,
        step_group=link.group,
        decision=review.decision,
        decided_at=review.decided_at,
        parts=[_shared_part(review, part, deps) for part in review.parts],
    )


def shared_review(token: str, deps: Deps) -> SharedReview:
    """What the link's holder may see; opening a pending review keeps it alive (as a reviewer's does)."""
    link, review = _open(token, deps)
    if review.status == "pending":
        _heartbeat(review.org_id, review, deps)
    return _shared(review, link, deps)


def shared_decide(token: str, body: Any, deps: Deps) -> SharedReview:
    link, review = _open(token, deps)
    decision: SharedDecision = _parse(SharedDecision, body)
    review = _pending(review.org_id, review.review_id, deps)
    decider = Decider(name=decision.name, user_id=None, groups=frozenset(), link=link)
    plain = Decision.model_validate(decision.model_dump(exclude={"name"}))
    decided = decide_as(review, plain, decider, deps)
    try:
        _links(deps).mark_used(review.org_id, link, utcnow())
    except Exception:  # the decision stands; when the link was last used is a detail
        logger.warning("review link use not recorded", extra={"linkId": link.link_id})
    return _shared(decided, link, deps)
