"""The human review loop: open a review and wait, then act on the decision (or on its expiry).

RequestReview waits on a task token (lambda:invoke.waitForTaskToken); the API resumes the workflow
with the reviewer's ReviewOutcome. Every version a reviewer saw is stored with its provenance before
the workflow moves on, so the lineage holds each round: the version sent back, the edit, the
regeneration, the rejection.
"""

from __future__ import annotations

import hashlib

from flashfusion.app.deps import Deps
from flashfusion.app.operating_metrics import emit_for_org, emit_for_request
from flashfusion.app.step_common import _ready, _require, effective_prompt
from flashfusion.brandkit import ReviewRules
from flashfusion.errors import RegenerationLimitReached, SpeculationNeedsReview
from flashfusion.media_types import extension_for
from flashfusion.models import (
    Cost,
    Generation,
    RequestStatus,
    ReviewOutcome,
    ReviewRef,
    Revision,
    SavedAsset,
    WorkflowState,
    prompt_hash,
    utcnow,
)
from flashfusion.observability import MetricUnit, logger, metrics
from flashfusion.storage.reviews import Preview, Review, deadline_after, review_id_for

DEFAULT_TIMEOUT_SECONDS = ReviewRules().timeout_seconds


def request_review(state: WorkflowState, task_token: str, deps: Deps) -> dict[str, str]:
    """Store the review with the token the workflow now waits on, and tell subscribers."""
    request = state.request
    generation = _ready(state)
    report = _require(state.lint, "lint")
    if request.speculative is not None:  # the failure path (ReleaseBudget) fails its candidate
        raise SpeculationNeedsReview("a pre-generated result that needs a review is not kept")
    policy = _require(state.validated, "validated").review
    review_id = review_id_of(state)
    timeout = policy.timeout_seconds if policy else DEFAULT_TIMEOUT_SECONDS
    review = Review(
        review_id=review_id,
        org_id=request.org_id,
        request_id=request.request_id,
        asset_id=generation.asset_id,
        version=generation.version,
        round=state.revision.round,
        max_regenerations=policy.max_regenerations if policy else 0,
        status="pending",
        content_type=generation.content_type.value,
        channel=request.channel,
        prompt=effective_prompt(request, state.revision),
        violations=report.violations,
        suggestions=[v.suggestion for v in report.violations if v.suggestion],
        preview=Preview(bucket=deps.assets.bucket, key=generation.staging_key, mime_type=generation.mime_type),
        created_at=utcnow(),
        deadline=deadline_after(timeout),
        campaign_id=request.campaign_id,
        requested_by=request.user_id,
        approval_steps=policy.approvals if policy else [],
    )
    if state.bundle is not None:  # a bundle is reviewed as one: every part, and the bundle-wide findings
        from flashfusion.app.bundles import review_parts

        bundle_findings = state.bundle_check.lint.violations if state.bundle_check else []
        review = review.model_copy(
            update={
                "bundle_id": state.bundle.bundle_id,
                "parts": review_parts(state, deps),
                "violations": [*bundle_findings, *report.violations],
                "suggestions": [v.suggestion for v in [*bundle_findings, *report.violations] if v.suggestion],
            }
        )
        review = Review.model_validate(review.model_dump())  # worst severity over the bundle's findings too
    deps.reviews.open(review, task_token)
    deps.requests.set_review(
        request.org_id,
        request.request_id,
        ReviewRef(review_id=review_id, status="pending", round=review.round),
        RequestStatus.NEEDS_REVIEW,
    )
    deps.emit(
        "AssetReviewRequested",
        {
            "orgId": request.org_id,
            "requestId": request.request_id,
            "reviewId": review_id,
            "assetId": generation.asset_id,
            "version": generation.version,
            "violations": len(report.violations),
            "deadline": review.deadline.isoformat(),
            "reviewUrl": f"/v1/reviews/{review_id}",
        },
    )
    metrics.add_metric(name="ReviewsRequested", unit=MetricUnit.Count, value=1)
    if review.round == 0:  # the request's first review: a person had to step in (later rounds are the same case)
        emit_for_request(
            "HumanInterventions", MetricUnit.Count, 1, generation.model, request.content_type.value, request.tier.value
        )
    emit_backlog(deps, request.org_id)
    return {"reviewId": review_id}


def review_id_of(state: WorkflowState) -> str:
    """One review per asset version; a bundle's later rounds (a part regenerated, the lead unchanged) get
    their own review too."""
    review_id = review_id_for(state.request.request_id, _ready(state).version)
    return f"{review_id}-r{state.revision.round}" if state.bundle is not None and state.revision.round else review_id


def emit_backlog(deps: Deps, org_id: str) -> None:
    """The organisation's review backlog as a gauge, each time it changes (opened, decided, expired)."""
    emit_for_org("ReviewBacklog", MetricUnit.Count, deps.reviews.count(org_id, "pending"), org_id)


def expire_review(state: WorkflowState, deps: Deps) -> ReviewOutcome:
    """Nobody decided in time (or nobody touched the review for the heartbeat window): close it cleanly."""
    request = state.request
    review_id = review_id_of(state)
    closed = deps.reviews.expire(request.org_id, review_id)
    if not closed:  # a decision was claimed, but too late to reach the workflow
        logger.warning("review decided after its deadline", extra={"reviewId": review_id})
    deps.requests.set_review(
        request.org_id,
        request.request_id,
        ReviewRef(review_id=review_id, status="expired", round=state.revision.round),
        RequestStatus.REVIEW_EXPIRED,
    )
    deps.emit("AssetReviewExpired", {"orgId": request.org_id, "requestId": request.request_id, "reviewId": review_id})
    metrics.add_metric(name="ReviewsExpired", unit=MetricUnit.Count, value=1)
    emit_backlog(deps, request.org_id)
    return ReviewOutcome(review_id=review_id, decision="expired")


_AFTER = {
    "reject": ("rejected", RequestStatus.REJECTED),
    "expired": ("expired", RequestStatus.REVIEW_EXPIRED),
    "regenerate": ("superseded", RequestStatus.REGENERATING),
    "approve_with_edits": ("superseded", RequestStatus.SAVING),
}


def save_reviewed(state: WorkflowState, deps: Deps) -> SavedAsset:
    """Store the version the reviewer saw, with the decision, before the workflow acts on it."""
    from flashfusion.app.versions import store_version

    request = state.request
    outcome = _require(state.review, "review")
    version_status, request_status = _AFTER[outcome.decision]
    saved = store_version(state, deps, _ready(state), status=version_status)
    deps.requests.set_status(request.org_id, request.request_id, request_status)
    metrics.add_metric(name=f"Review_{outcome.decision}", unit=MetricUnit.Count, value=1)
    return saved


def apply_edits(state: WorkflowState, deps: Deps) -> Generation:
    """The reviewer's edited text or replacement file becomes the next version, marked human-edited."""
    request = state.request
    parent = _ready(state)
    outcome = _require(state.review, "review")
    key = _require(outcome.edited_staging_key, "editedStagingKey")
    mime = outcome.edited_mime_type or parent.mime_type
    data = deps.assets.read_staged(request.org_id, key)
    extension = parent.extension if mime == parent.mime_type else extension_for(mime, parent.extension)
    return parent.model_copy(
        update={
            "version": parent.version + 1,
            "parent_version": parent.version,
            "staging_key": key,
            "mime_type": mime,
            "extension": extension,
            "output_hash": hashlib.sha256(data).hexdigest(),
            "size_bytes": len(data),
            "human_edited": True,
            "auto_fixes": [],
            "autofix_rounds": 0,
            "generated_at": utcnow(),
            "latency_ms": 0,
            "cost": Cost(),  # a person's edit: no model was billed for it
        }
    )


def prepare_regeneration(state: WorkflowState, deps: Deps) -> WorkflowState:
    """The next round: the feedback joins the prompt; route, generate and lint start again."""
    request = state.request
    outcome = _require(state.review, "review")
    policy = _require(state.validated, "validated").review
    limit = policy.max_regenerations if policy else 0
    previous = state.revision
    if previous.round >= limit:
        raise RegenerationLimitReached(f"{previous.round} of {limit} regeneration rounds already used")
    feedback = [*previous.feedback, (outcome.feedback or "").strip()]
    revision = Revision(
        version=_ready(state).version + 1,
        parent_version=_ready(state).version,
        round=previous.round + 1,
        feedback=[f for f in feedback if f],
    )
    revision = revision.model_copy(update={"prompt_hash": prompt_hash(effective_prompt(request, revision))})
    # SaveReviewedVersion already set the request to regenerating; RouteModel moves it on.
    return state.model_copy(
        update={
            "revision": revision,
            "route": None,
            "generation": None,
            "lint": None,
            "review": None,
            "last_error": None,
            "saved": None,
        }
    )
