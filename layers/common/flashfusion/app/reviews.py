"""Reviews, lineage and the provenance audit: the API's use cases (also used by `ffo review`).

A decision resumes the waiting workflow exactly once: the review is claimed with a conditional write
(pending -> deciding) before Step Functions is told, so a second decision, a racing one, or one after
the deadline gets a 409 and never a second resume.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, computed_field, model_validator

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.operating_metrics import emit_for_org
from flashfusion.app.pages import DEFAULT_LIMIT, Page, check_limit, decode_token, page_of
from flashfusion.app.review_policy import Decider, authorize, may_act_for
from flashfusion.app.submissions import check_org, field_errors
from flashfusion.errors import (
    AssetNotFound,
    Forbidden,
    InvalidRequest,
    RegenerationLimitReached,
    ReviewConflict,
    ReviewNotFound,
    ReviewUnavailable,
)
from flashfusion.media_types import EXTENSIONS, base_type
from flashfusion.modelbase import MAX_YEAR, MIN_YEAR, CamelModel, Identifier, parse_instant
from flashfusion.models import Provenance, ReviewDecisionKind, ReviewOutcome, utcnow
from flashfusion.observability import MetricUnit, logger
from flashfusion.storage import keys
from flashfusion.storage.reviews import (
    SEVERITY_RANK,
    ApprovalRecord,
    Preview,
    Review,
    ReviewFilters,
    ReviewPart,
    ReviewStatus,
)

MAX_EDITED_TEXT = 20_000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_SECONDS = 900
MEDIUM_PREFIX = {"text": "text/", "image": "image/", "video": "video/", "music": "audio/"}
UPLOAD_TYPES = EXTENSIONS
_DURATION: TypeAdapter[timedelta] = TypeAdapter(timedelta)


class Decision(CamelModel):
    """What a reviewer sends to ``POST /v1/reviews/{id}/decision``."""

    decision: ReviewDecisionKind
    comment: str | None = Field(default=None, max_length=2000)
    feedback: str | None = Field(default=None, max_length=2000, description="regenerate: what to change")
    edited_text: str | None = Field(default=None, max_length=MAX_EDITED_TEXT, description="approve_with_edits, text")
    replacement_upload_id: Identifier | None = Field(default=None, description="approve_with_edits: an upload's id")
    part_id: Identifier | None = Field(
        default=None,
        description="a bundle's review: the part an edit or a regeneration is for (default: the lead text part)",
    )
    step: int | None = Field(
        default=None,
        ge=0,
        le=10,
        description="the approval step this decision is for (nextApproval.step); one already done: 409 review_raced",
    )

    @model_validator(mode="after")
    def _fields_fit_the_decision(self) -> Decision:
        edits = [v for v in (self.edited_text, self.replacement_upload_id) if v is not None]
        if self.decision == "approve_with_edits" and len(edits) != 1:
            raise ValueError("approve_with_edits needs exactly one of editedText or replacementUploadId")
        if self.decision != "approve_with_edits" and edits:
            raise ValueError("editedText and replacementUploadId go only with approve_with_edits")
        if self.decision == "regenerate" and not (self.feedback or "").strip():
            raise ValueError("regenerate needs feedback: what the next version should change")
        if self.edited_text is not None and not self.edited_text.strip():
            raise ValueError("editedText is empty")
        return self


class UploadRequest(CamelModel):
    """What a reviewer sends to ``POST /v1/reviews/{id}/uploads``: the replacement file's type."""

    mime_type: str = Field(
        max_length=200, description="the file's MIME type; it must match the medium of the asset (or of partId)"
    )
    part_id: Identifier | None = Field(
        default=None, description="a bundle's review: the part the file replaces (default: the lead part)"
    )


class UploadTicket(CamelModel):
    """Where to PUT the replacement file (presigned, short-lived); the decision then names ``uploadId``."""

    upload_id: str
    url: str = Field(description="presigned S3 URL")
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str] = Field(description="send exactly these headers with the PUT")
    expires_in: int = Field(description="seconds the URL stays valid")


class PreviewLink(Preview):
    url: str = Field(description="presigned GET of the preview, valid for a few minutes")


class NextApproval(CamelModel):
    """The approval step a review waits on now."""

    step: int = Field(description="index into approvalSteps")
    group: str = Field(description="members of this group decide it")
    label: str | None = None


class ReviewPartView(ReviewPart):
    """A bundle's part as the API answers it: with a preview URL (none for a part that was not made)."""

    preview: PreviewLink | None = None


class ReviewView(Review):
    """A review as the API answers it: with a preview URL, the regenerations left, when its wait ends and
    the approval step it waits on."""

    preview: PreviewLink
    parts: list[ReviewPartView] = Field(
        default_factory=list,
        description="a bundle's parts, the lead first, each with its preview URL and its own findings "
        "(a decision may name one with partId to edit or regenerate it)",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def regenerations_left(self) -> int:
        return max(0, self.max_regenerations - self.round)

    @computed_field(description="when the workflow stops waiting (the kit's review timeoutSeconds after opening)")  # type: ignore[prop-decorator]
    @property
    def expires_at(self) -> datetime:
        return self.deadline

    @computed_field(description="the approval step it waits on (absent without approval steps or once decided)")  # type: ignore[prop-decorator]
    @property
    def next_approval(self) -> NextApproval | None:
        step = self.current_step
        if self.status != "pending" or step is None or step >= len(self.approval_steps):
            return None
        wanted = self.approval_steps[step]
        return NextApproval(step=step, group=wanted.group, label=wanted.label)


class ReviewPage(Page[ReviewView]):
    """A page of reviews, oldest first."""


class LineageNode(CamelModel):
    asset_id: str
    version: int
    parent_asset_id: str | None = None
    parent_version: int | None = None
    status: str
    model: str
    provider: str
    offline: bool
    human_edited: bool = False
    reviewer: str | None = None
    decision: str | None = None
    review_round: int = 0
    locale: str | None = None
    lint_passed: bool
    generated_at: datetime
    output_hash: str
    key: str
    mime_type: str | None = None
    credentials: str | None = Field(default=None, description="how the file carries its content credentials")


class Lineage(CamelModel):
    """Every version of an asset's family: from its root through parent links, then each child."""

    asset_id: str
    root: str
    versions: list[LineageNode]


class ProvenancePage(Page[Provenance]):
    """A page of the audit trail, oldest first."""


def _preview_link(preview: Preview, deps: Deps) -> dict[str, Any]:
    return {**preview.model_dump(), "url": deps.assets.presigned_get(preview.key, PREVIEW_SECONDS)}


def review_view(review: Review, deps: Deps) -> ReviewView:
    parts = [
        {**part.model_dump(), "preview": _preview_link(part.preview, deps) if part.preview else None}
        for part in review.parts
    ]
    return ReviewView.model_validate(
        {**review.model_dump(), "preview": _preview_link(review.preview, deps), "parts": parts}
    )


ListedStatus = Literal["pending", "decided", "expired"]
"""The statuses a client may list (``deciding`` is a moment inside a decision)."""


AGE_PROBLEM = "an ISO 8601 instant with Z or an offset (2026-12-01T09:00:00Z) or a duration before now (PT2H, P1D)"
MAX_AGE = timedelta(days=3650)


def _age_bound(name: str, value: str | None, now: datetime) -> datetime | None:
    """``olderThan``/``since``: an instant, or an ISO 8601 duration counted back from now."""
    if not value:
        return None
    if value.startswith("P"):
        try:
            age = _DURATION.validate_python(value)
        except ValidationError as error:
            raise _bad(name, AGE_PROBLEM) from error
        if not timedelta(0) <= age <= MAX_AGE:
            raise _bad(name, "a duration of 0 to 3650 days")
        return now - age
    try:
        return parse_instant(value)
    except ValueError as error:
        raise _bad(name, AGE_PROBLEM) from error


def list_reviews(
    caller: Caller,
    status: str | None,
    deps: Deps,
    limit: int = DEFAULT_LIMIT,
    next_token: str | None = None,
    *,
    campaign_id: str | None = None,
    medium: str | None = None,
    older_than: str | None = None,
    since: str | None = None,
    worst_severity: str | None = None,
) -> ReviewPage:
    """The organisation's reviews in one status, oldest first, narrowed by campaign, medium, age (opened
    before ``olderThan``, at or after ``since``) and the worst severity of their violations."""
    check_org(caller.org_id)
    check_limit(limit)
    wanted = status or "pending"
    if wanted not in ("pending", "decided", "expired"):
        raise InvalidRequest(
            f"status {wanted!r} is not one of pending, decided, expired",
            [{"field": "status", "problem": "must be pending, decided or expired"}],
        )
    if campaign_id is not None and not _is_id(campaign_id):
        raise _bad("campaignId", f"a campaign id of at most {MAX_ID_CHARS} characters [A-Za-z0-9._:-]")
    if medium is not None and medium not in MEDIUM_PREFIX:
        raise _bad("medium", "one of " + ", ".join(MEDIUM_PREFIX))
    if worst_severity == "info":  # the alias a kit's levels accept for suggestion
        worst_severity = "suggestion"
    if worst_severity is not None and worst_severity not in SEVERITY_RANK:
        raise _bad("worstSeverity", "one of " + ", ".join(SEVERITY_RANK))
    now = utcnow()
    filters = ReviewFilters(
        campaign_id=campaign_id or None,
        content_type=medium or None,
        worst_severity=worst_severity or None,
        since=_age_bound("since", since, now),
        older_than=_age_bound("olderThan", older_than, now),
    )
    if filters.since and filters.older_than and filters.since >= filters.older_than:
        raise _bad("since", "must be before olderThan")
    state: ReviewStatus = "decided" if wanted == "decided" else "expired" if wanted == "expired" else "pending"
    # A token continues only the list that issued it: the same status and the same filters as sent.
    shape = json.dumps([campaign_id, medium, older_than, since, worst_severity], separators=(",", ":"))
    listing = f"reviews:{state}:{hashlib.sha256(shape.encode()).hexdigest()[:16]}"
    start = decode_token(caller.org_id, listing, next_token)
    try:
        found, last = deps.reviews.page(caller.org_id, state, limit, start, filters)
    except ValueError as error:
        raise InvalidRequest(str(error), [{"field": "nextToken", "problem": str(error)}]) from error
    return ReviewPage(**page_of([review_view(r, deps) for r in found], caller.org_id, listing, last))


def get_review(caller: Caller, review_id: str, deps: Deps) -> Review:
    """A review of the caller's organisation; a reviewer opening a pending one keeps it alive (heartbeat)."""
    check_org(caller.org_id)
    _check_review_id(review_id)
    review = deps.reviews.get(caller.org_id, review_id)
    group = deps.settings.reviewer_group
    if review.status == "pending" and (caller.has_role(group) or may_act_for(review, caller, group)):
        _heartbeat(caller.org_id, review, deps)
    return review


def _heartbeat(org_id: str, review: Review, deps: Deps) -> None:
    sfn = deps.stepfunctions()
    try:
        sfn.send_task_heartbeat(taskToken=deps.reviews.token(org_id, review.review_id))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.TaskDoesNotExist, sfn.exceptions.InvalidToken):
        deps.reviews.expire(org_id, review.review_id)
    except Exception:  # a heartbeat is best effort: the review stays readable
        logger.warning("review heartbeat failed", extra={"reviewId": review.review_id})


def create_upload(caller: Caller, review_id: str, body: Any, deps: Deps) -> UploadTicket:
    """A presigned PUT for a replacement file; the decision then names its upload id."""
    check_org(caller.org_id)
    _check_review_id(review_id)
    review = _pending(caller.org_id, review_id, deps)
    if not may_act_for(review, caller, deps.settings.reviewer_group):
        raise Forbidden("uploading a replacement needs the group that decides this review now")
    request = _parse(UploadRequest, body)
    mime = base_type(request.mime_type)
    if mime not in UPLOAD_TYPES:
        raise InvalidRequest(
            f"{mime!r} cannot be uploaded", [{"field": "mimeType", "problem": f"one of {', '.join(UPLOAD_TYPES)}"}]
        )
    part = _named_part(review, request.part_id, "approve_with_edits") if request.part_id else None
    medium = part.content_type if part else review.content_type
    if not mime.startswith(MEDIUM_PREFIX[medium]):
        fitting = [p.part_id for p in review.parts if mime.startswith(MEDIUM_PREFIX[p.content_type])]
        hint = f" (for the {fitting[0]} part, send partId)" if fitting and not part else ""
        raise InvalidRequest(
            f"a {medium} asset cannot be replaced by {mime}{hint}",
            [{"field": "mimeType", "problem": f"must be a {medium} type{hint}"}],
        )
    upload_id = uuid.uuid4().hex[:16]
    key = _upload_key(deps, review, upload_id, mime)
    return UploadTicket(
        upload_id=upload_id,
        url=deps.assets.presigned_put(key, mime, PREVIEW_SECONDS),
        headers={"Content-Type": mime, "x-amz-server-side-encryption": "AES256"},
        expires_in=PREVIEW_SECONDS,
    )


def _upload_key(deps: Deps, review: Review, upload_id: str, mime: str) -> str:
    return keys.review_upload_key(
        deps.assets.staging_prefix, review.org_id, review.request_id, review.review_id, upload_id, UPLOAD_TYPES[mime]
    )


def _find_upload(deps: Deps, review: Review, upload_id: str) -> tuple[str, str]:
    for mime in UPLOAD_TYPES:
        if not mime.startswith(MEDIUM_PREFIX[review.content_type]):
            continue
        key = _upload_key(deps, review, upload_id, mime)
        head = deps.assets.head_staged(review.org_id, key)
        if head is None:
            continue
        if int(head.get("ContentLength", 0)) > MAX_UPLOAD_BYTES:
            raise InvalidRequest(
                "the replacement is too large", [{"field": "replacementUploadId", "problem": "over 200 MB"}]
            )
        return key, mime
    raise InvalidRequest(
        f"nothing was uploaded for upload {upload_id}",
        [{"field": "replacementUploadId", "problem": "no file was uploaded with this id"}],
    )


def decide(caller: Caller, review_id: str, body: Any, deps: Deps) -> Review:
    check_org(caller.org_id)
    _check_review_id(review_id)
    decision = _parse(Decision, body)
    review = _pending(caller.org_id, review_id, deps)
    return decide_as(review, decision, Decider.of(caller), deps)


def decide_as(review: Review, decision: Decision, decider: Decider, deps: Deps) -> Review:
    """Apply ``decision`` on the pending ``review`` for ``decider`` (a user, or an outside reviewer's link).

    An approve before the last approval step records the step and leaves the workflow waiting; any
    other decision claims the review and resumes the workflow, exactly once."""
    authorize(review, decider, decision.decision, deps.settings.reviewer_group, decision.step)
    org_id, review_id = review.org_id, review.review_id
    if decision.decision == "regenerate" and review.regenerations_left <= 0:
        raise RegenerationLimitReached(
            f"no regenerations left ({review.round} of {review.max_regenerations} used): "
            "approve, approve with edits, or reject"
        )
    approvals = review.approvals
    if review.approval_steps and decision.decision in ("approve", "approve_with_edits"):
        step = len(review.approvals)
        approvals = [
            *review.approvals,
            ApprovalRecord(
                step=step,
                group=review.approval_steps[step].group,
                by=decider.name,
                at=utcnow(),
                link_id=decider.link.link_id if decider.link else None,
            ),
        ]
        if not review.is_last_step:
            advanced = deps.reviews.advance(org_id, review_id, approvals)
            logger.info("approval step recorded", extra={"reviewId": review_id, "step": step})
            _heartbeat(org_id, advanced, deps)  # the next group starts now: the wait is not abandoned
            return advanced
    part = _part_of(decision, review)
    edited_key, edited_mime = _edits(decision, review, deps, part.content_type if part else None)
    outcome = ReviewOutcome(
        part_id=part.part_id if part else None,
        review_id=review_id,
        decision=decision.decision,
        reviewer=decider.recorded_as,
        comment=decision.comment,
        feedback=decision.feedback,
        edited_staging_key=edited_key,
        edited_mime_type=edited_mime,
    )
    fields: dict[str, Any] = {
        "decision": outcome.decision,
        "reviewer": decider.name,
        "comment": outcome.comment,
        "feedback": outcome.feedback,
        "reviewerLinkId": decider.link.link_id if decider.link else None,
    }
    if review.approval_steps:
        fields["approvals"] = [a.to_json() for a in approvals]
    done = len(review.approvals) if review.approval_steps else None
    claimed = deps.reviews.claim(org_id, review_id, fields, approvals_done=done)
    sfn = deps.stepfunctions()
    try:
        sfn.send_task_success(taskToken=deps.reviews.token(org_id, review_id), output=json.dumps(outcome.to_json()))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.TaskDoesNotExist, sfn.exceptions.InvalidToken) as error:
        deps.reviews.expire(org_id, review_id)
        raise ReviewConflict(
            f"review {review_id} has expired: the workflow no longer waits", status="expired"
        ) from error
    except Exception as error:  # throttled or unreachable: the review stays open for another try
        deps.reviews.release(org_id, review_id, review.approvals if review.approval_steps else None)
        logger.exception("could not resume the workflow", extra={"reviewId": review_id})
        raise ReviewUnavailable("the workflow could not be resumed just now; send the decision again") from error
    logger.info("review decided", extra={"reviewId": review_id, "decision": outcome.decision})
    try:
        decided = deps.reviews.confirm(org_id, review_id)
    except ReviewConflict:  # the workflow already has the decision: that is what the caller asked for
        decided = claimed
    emit_for_org("ReviewBacklog", MetricUnit.Count, deps.reviews.count(org_id, "pending"), org_id)
    return decided


def _part_of(decision: Decision, review: Review) -> ReviewPart | None:
    """The bundle part a decision is about: the one it names, else the lead (the first); None for one asset."""
    if decision.part_id is None:
        return review.parts[0] if review.parts and decision.decision in ("approve_with_edits", "regenerate") else None
    return _named_part(review, decision.part_id, decision.decision)


def _named_part(review: Review, part_id: str, decision: str) -> ReviewPart:
    """The bundle part ``partId`` names, for a decision of this kind (a replacement upload is for an edit)."""
    named = [p for p in review.parts if p.part_id == part_id]
    if not named:
        problem = (
            f"this bundle has no part {part_id!r} (its parts: {', '.join(p.part_id for p in review.parts)})"
            if review.parts
            else "partId is for a bundle's review; this review is of one asset"
        )
        raise InvalidRequest(problem, [{"field": "partId", "problem": problem}])
    if decision not in ("approve_with_edits", "regenerate"):
        problem = "partId goes with approve_with_edits or regenerate (approve and reject are for the whole bundle)"
        raise InvalidRequest(problem, [{"field": "partId", "problem": problem}])
    if named[0].status == "failed" and decision == "approve_with_edits":
        problem = f"the {named[0].part_id} part was not made: regenerate it, or upload it as a new request"
        raise InvalidRequest(problem, [{"field": "partId", "problem": problem}])
    return named[0]


def _edits(
    decision: Decision, review: Review, deps: Deps, content_type: str | None = None
) -> tuple[str | None, str | None]:
    if decision.decision != "approve_with_edits":
        return None, None
    content_type = content_type or review.content_type
    if decision.edited_text is not None:
        if content_type != "text":
            raise InvalidRequest(
                f"editedText replaces text; this is a {content_type} asset",
                [{"field": "editedText", "problem": "upload a replacement file instead (replacementUploadId)"}],
            )
        name = f"review-{review.review_id}-edit.txt"
        key = deps.assets.stage(
            review.org_id,
            review.request_id,
            name,
            decision.edited_text.encode("utf-8"),
            "text/plain; charset=utf-8",
        )
        return key, "text/plain; charset=utf-8"
    return _find_upload(
        deps, review.model_copy(update={"content_type": content_type}), str(decision.replacement_upload_id)
    )


def _pending(org_id: str, review_id: str, deps: Deps) -> Review:
    review = deps.reviews.get(org_id, review_id)
    if review.status != "pending":
        raise ReviewConflict(
            f"review {review_id} is already {review.status}"
            + (f" ({review.decision} by {review.reviewer})" if review.decision else ""),
            status=review.status,
        )
    return review


def _parse(model: type[Any], body: Any) -> Any:
    if isinstance(body, model):  # validated by the API already
        return body
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", [{"field": "body", "problem": "not a JSON object"}])
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest("the decision is invalid", field_errors(error)) from error


MAX_ID_CHARS = 128
"""The longest id a path or query names (ours are far shorter): a longer one is never looked up."""


def _is_id(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and keys.is_key_part(value)


def _check_review_id(review_id: str) -> None:
    """Not an id we ever issued: no lookup, the same answer as an unknown one."""
    if not _is_id(review_id):
        raise ReviewNotFound(f"review {review_id[:MAX_ID_CHARS]} not found")


def _check_asset_id(asset_id: str) -> None:
    if not _is_id(asset_id):
        raise AssetNotFound(f"asset {asset_id[:MAX_ID_CHARS]} not found")


# lineage and audit --------------------------------------------------------------------------------


def _node(record: Provenance) -> LineageNode:
    fields = (
        "assetId",
        "version",
        "parentAssetId",
        "parentVersion",
        "status",
        "model",
        "provider",
        "offline",
        "humanEdited",
        "reviewer",
        "decision",
        "reviewRound",
        "locale",
        "lintPassed",
        "generatedAt",
        "outputHash",
        "key",
        "mimeType",
    )
    data = record.to_json()
    node = {k: data[k] for k in fields if k in data}
    if record.credentials:
        node["credentials"] = record.credentials.kind
    return LineageNode.model_validate(node)


def lineage(caller: Caller, asset_id: str, deps: Deps) -> Lineage:
    """Every version of the asset's family: up to its root through parent links, then down to each child."""
    check_org(caller.org_id)
    _check_asset_id(asset_id)
    org = caller.org_id
    versions = deps.provenance.versions(org, asset_id)
    if not versions:
        raise AssetNotFound(f"asset {asset_id} not found")
    root = asset_id
    seen = {asset_id}
    while versions and versions[0].parent_asset_id and versions[0].parent_asset_id != root:
        parent = versions[0].parent_asset_id
        if parent in seen:
            break
        seen.add(parent)
        root = parent
        versions = deps.provenance.versions(org, root)
    nodes: list[LineageNode] = []
    queue: list[str] = [root]
    visited: set[str] = set()
    while queue and len(visited) < 200:
        current = queue.pop(0)
        if current in visited:
            continue
        visited.add(current)
        nodes += [_node(r) for r in deps.provenance.versions(org, current)]
        queue += deps.provenance.children(org, current)
    return Lineage(asset_id=asset_id, root=root, versions=nodes)


def _bad(field: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {problem}", [{"field": field, "problem": problem}])


def _instant(query: dict[str, str | None], name: str) -> datetime | None:
    if not query.get(name):
        return None
    try:
        return parse_instant(str(query[name]))
    except ValueError as error:
        raise _bad(name, f"an ISO 8601 date and time with Z or an offset, years {MIN_YEAR}-{MAX_YEAR}") from error


def audit(
    caller: Caller,
    deps: Deps,
    *,
    model: str | None = None,
    campaign_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = DEFAULT_LIMIT,
    next_token: str | None = None,
) -> ProvenancePage:
    """``GET /v1/provenance?model=|campaignId=&since=&until=&limit=&nextToken=``: the audit trail."""
    check_org(caller.org_id)
    model, campaign = model or None, campaign_id or None
    if model and campaign:
        raise InvalidRequest(
            "filter by model or by campaign, not both", [{"field": "campaignId", "problem": "use one filter"}]
        )
    if model is not None and (len(model) > MAX_ID_CHARS or not model.isprintable()):
        raise _bad("model", f"a model id of at most {MAX_ID_CHARS} printable characters")
    if campaign is not None and not _is_id(campaign):
        raise _bad("campaignId", f"a campaign id of at most {MAX_ID_CHARS} characters [A-Za-z0-9._:-]")
    instants = {"since": since, "until": until}
    start_at, end_at = _instant(instants, "since"), _instant(instants, "until")
    check_limit(limit)
    start = decode_token(caller.org_id, "provenance", next_token)
    try:
        records, last = deps.provenance.audit(
            caller.org_id,
            model=model,
            campaign_id=campaign,
            since=start_at,
            until=end_at,
            limit=limit,
            start_key=start,
        )
    except ValueError as error:
        raise InvalidRequest(str(error), [{"field": "nextToken", "problem": str(error)}]) from error
    return ProvenancePage(**page_of(records, caller.org_id, "provenance", last))
