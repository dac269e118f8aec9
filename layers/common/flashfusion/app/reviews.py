"""Reviews, lineage and the provenance audit: the API's use cases (also used by `ffo review`).

A decision resumes the waiting workflow exactly once: the review is claimed with a conditional write
(pending -> deciding) before Step Functions is told, so a second decision, a racing one, or one after
the deadline gets a 409 and never a second resume.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError, model_validator

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
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
from flashfusion.models import Provenance, ReviewDecisionKind, ReviewOutcome
from flashfusion.observability import logger
from flashfusion.storage import keys
from flashfusion.storage.reviews import Review, ReviewStatus

MAX_EDITED_TEXT = 20_000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_SECONDS = 900
MEDIUM_PREFIX = {"text": "text/", "image": "image/", "video": "video/", "music": "audio/"}
UPLOAD_TYPES = EXTENSIONS


class Decision(CamelModel):
    """What a reviewer sends to ``POST /v1/reviews/{id}/decision``."""

    decision: ReviewDecisionKind
    comment: str | None = Field(default=None, max_length=2000)
    feedback: str | None = Field(default=None, max_length=2000, description="regenerate: what to change")
    edited_text: str | None = Field(default=None, max_length=MAX_EDITED_TEXT, description="approve_with_edits, text")
    replacement_upload_id: Identifier | None = Field(default=None, description="approve_with_edits: an upload's id")

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
    mime_type: str


@dataclass(frozen=True)
class UploadTicket:
    upload_id: str
    url: str
    mime_type: str
    expires_in: int

    def to_json(self) -> dict[str, Any]:
        return {
            "uploadId": self.upload_id,
            "url": self.url,
            "method": "PUT",
            "headers": {"Content-Type": self.mime_type, "x-amz-server-side-encryption": "AES256"},
            "expiresIn": self.expires_in,
        }


def _reviewer(caller: Caller, deps: Deps) -> str:
    check_org(caller.org_id)
    group = deps.settings.reviewer_group
    if not caller.has_role(group):
        raise Forbidden(f"deciding reviews needs the {group!r} group")
    return caller.user_id or "unknown"


def review_view(review: Review, deps: Deps) -> dict[str, Any]:
    body = review.to_json()
    body["regenerationsLeft"] = review.regenerations_left
    body["preview"]["url"] = deps.assets.presigned_get(review.preview.key, PREVIEW_SECONDS)
    return body


def list_reviews(caller: Caller, status: str | None, deps: Deps) -> list[Review]:
    check_org(caller.org_id)
    wanted = status or "pending"
    if wanted not in ("pending", "decided", "expired"):
        raise InvalidRequest(
            f"status {wanted!r} is not one of pending, decided, expired",
            [{"field": "status", "problem": "must be pending, decided or expired"}],
        )
    state: ReviewStatus = "decided" if wanted == "decided" else "expired" if wanted == "expired" else "pending"
    return deps.reviews.list(caller.org_id, state)


def get_review(caller: Caller, review_id: str, deps: Deps) -> Review:
    """A review of the caller's organisation; a reviewer opening a pending one keeps it alive (heartbeat)."""
    check_org(caller.org_id)
    _check_review_id(review_id)
    review = deps.reviews.get(caller.org_id, review_id)
    if review.status == "pending" and caller.has_role(deps.settings.reviewer_group):
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
    _reviewer(caller, deps)
    _check_review_id(review_id)
    review = _pending(caller.org_id, review_id, deps)
    request = _parse(UploadRequest, body)
    mime = base_type(request.mime_type)
    if mime not in UPLOAD_TYPES:
        raise InvalidRequest(
            f"{mime!r} cannot be uploaded", [{"field": "mimeType", "problem": f"one of {', '.join(UPLOAD_TYPES)}"}]
        )
    if not mime.startswith(MEDIUM_PREFIX[review.content_type]):
        raise InvalidRequest(
            f"a {review.content_type} asset cannot be replaced by {mime}",
            [{"field": "mimeType", "problem": f"must be a {review.content_type} type"}],
        )
    upload_id = uuid.uuid4().hex[:16]
    key = _upload_key(deps, review, upload_id, mime)
    return UploadTicket(upload_id, deps.assets.presigned_put(key, mime, PREVIEW_SECONDS), mime, PREVIEW_SECONDS)


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
    reviewer = _reviewer(caller, deps)
    _check_review_id(review_id)
    decision = _parse(Decision, body)
    review = _pending(caller.org_id, review_id, deps)
    if decision.decision == "regenerate" and review.regenerations_left <= 0:
        raise RegenerationLimitReached(
            f"no regenerations left ({review.round} of {review.max_regenerations} used): "
            "approve, approve with edits, or reject"
        )
    edited_key, edited_mime = _edits(decision, review, deps)
    outcome = ReviewOutcome(
        review_id=review_id,
        decision=decision.decision,
        reviewer=reviewer,
        comment=decision.comment,
        feedback=decision.feedback,
        edited_staging_key=edited_key,
        edited_mime_type=edited_mime,
    )
    claimed = deps.reviews.claim(
        caller.org_id,
        review_id,
        {
            "decision": outcome.decision,
            "reviewer": reviewer,
            "comment": outcome.comment,
            "feedback": outcome.feedback,
        },
    )
    sfn = deps.stepfunctions()
    try:
        sfn.send_task_success(
            taskToken=deps.reviews.token(caller.org_id, review_id), output=json.dumps(outcome.to_json())
        )
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.TaskDoesNotExist, sfn.exceptions.InvalidToken) as error:
        deps.reviews.expire(caller.org_id, review_id)
        raise ReviewConflict(
            f"review {review_id} has expired: the workflow no longer waits", status="expired"
        ) from error
    except Exception as error:  # throttled or unreachable: the review stays open for another try
        deps.reviews.release(caller.org_id, review_id)
        logger.exception("could not resume the workflow", extra={"reviewId": review_id})
        raise ReviewUnavailable("the workflow could not be resumed just now; send the decision again") from error
    logger.info("review decided", extra={"reviewId": review_id, "decision": outcome.decision})
    try:
        return deps.reviews.confirm(caller.org_id, review_id)
    except ReviewConflict:  # the workflow already has the decision: that is what the caller asked for
        return claimed


def _edits(decision: Decision, review: Review, deps: Deps) -> tuple[str | None, str | None]:
    if decision.decision != "approve_with_edits":
        return None, None
    if decision.edited_text is not None:
        if review.content_type != "text":
            raise InvalidRequest(
                f"editedText replaces text; this is a {review.content_type} asset",
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
    return _find_upload(deps, review, str(decision.replacement_upload_id))


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
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", [{"field": "body", "problem": "not a JSON object"}])
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest("the decision is invalid", field_errors(error)) from error


MAX_ID_CHARS = 128
"""The longest id a path or query names (ours are far shorter): a longer one is never looked up."""
MAX_TOKEN_CHARS = 4096
"""The longest nextToken we hand out is well under this."""


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


def _node(record: Provenance) -> dict[str, Any]:
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
    return node


def lineage(caller: Caller, asset_id: str, deps: Deps) -> dict[str, Any]:
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
    nodes: list[dict[str, Any]] = []
    queue: list[str] = [root]
    visited: set[str] = set()
    while queue and len(visited) < 200:
        current = queue.pop(0)
        if current in visited:
            continue
        visited.add(current)
        nodes += [_node(r) for r in deps.provenance.versions(org, current)]
        queue += deps.provenance.children(org, current)
    return {"assetId": asset_id, "root": root, "versions": nodes}


def _bad(field: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {problem}", [{"field": field, "problem": problem}])


def _instant(query: dict[str, str], name: str) -> datetime | None:
    if not query.get(name):
        return None
    try:
        return parse_instant(query[name])
    except ValueError as error:
        raise _bad(name, f"an ISO 8601 date and time with Z or an offset, years {MIN_YEAR}-{MAX_YEAR}") from error


def _start_key(token: str | None) -> dict[str, str] | None:
    """The decoded nextToken: a JSON object of string key attributes, or a 400 naming nextToken.
    Which attributes, and that they belong to the caller's organisation, the repository checks."""
    if not token:
        return None
    problem = "not a nextToken this API handed out"
    if len(token) > MAX_TOKEN_CHARS:
        raise _bad("nextToken", problem)
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, TypeError, RecursionError) as error:
        raise _bad("nextToken", problem) from error
    if not isinstance(decoded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_TOKEN_CHARS for k, v in decoded.items()
    ):
        raise _bad("nextToken", problem)
    return decoded


def audit(caller: Caller, query: dict[str, str], deps: Deps) -> dict[str, Any]:
    """``GET /v1/provenance?model=|campaignId=&since=&until=&limit=&nextToken=``: the audit trail."""
    check_org(caller.org_id)
    model, campaign = query.get("model") or None, query.get("campaignId") or None
    if model and campaign:
        raise InvalidRequest(
            "filter by model or by campaign, not both", [{"field": "campaignId", "problem": "use one filter"}]
        )
    if model is not None and (len(model) > MAX_ID_CHARS or not model.isprintable()):
        raise _bad("model", f"a model id of at most {MAX_ID_CHARS} printable characters")
    if campaign is not None and not _is_id(campaign):
        raise _bad("campaignId", f"a campaign id of at most {MAX_ID_CHARS} characters [A-Za-z0-9._:-]")
    since, until = _instant(query, "since"), _instant(query, "until")
    try:
        limit = int(query.get("limit") or 50)
    except ValueError as error:
        raise _bad("limit", "between 1 and 200") from error
    if not 1 <= limit <= 200:
        raise InvalidRequest("limit must be 1-200", [{"field": "limit", "problem": "between 1 and 200"}])
    token = _start_key(query.get("nextToken"))
    try:
        records, last = deps.provenance.audit(
            caller.org_id, model=model, campaign_id=campaign, since=since, until=until, limit=limit, start_key=token
        )
    except ValueError as error:
        raise InvalidRequest(str(error), [{"field": "nextToken", "problem": str(error)}]) from error
    body: dict[str, Any] = {"records": [r.to_json() for r in records]}
    if last:
        body["nextToken"] = base64.urlsafe_b64encode(json.dumps(last).encode()).decode()
    return body
