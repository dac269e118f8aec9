"""Review, lineage and provenance-audit routes of the HTTP API (a Powertools Router for ApiFunction)."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
# Path parameters keep template.yaml's names (requestId...): Powertools matches them to arguments by name.
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from flashfusion.app import reviews
from flashfusion.app.pages import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOKEN_CHARS
from flashfusion.app.reviews import (
    Decision,
    Lineage,
    ListedStatus,
    ProvenancePage,
    ReviewPage,
    ReviewView,
    UploadRequest,
    UploadTicket,
)
from flashfusion.http.identity import Caller, authenticated
from flashfusion.http.problems import documented
from flashfusion.wiring import get_deps

router = Router()
REVIEWS = ["Reviews"]
PROVENANCE = ["Provenance"]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1-{MAX_LIMIT}")]
NextToken = Annotated[
    str | None, Query(alias="nextToken", max_length=MAX_TOKEN_CHARS, description="from the previous page")
]


def _caller() -> Caller:
    return authenticated(router.current_event, get_deps().settings)


Medium = Literal["text", "image", "video", "music"]
WorstSeverity = Literal["error", "warning", "suggestion", "info"]
"""``info`` is ``suggestion``'s alias, as in a kit's levels."""
AGE = "an ISO 8601 instant (with Z or an offset) or an ISO 8601 duration before now (PT2H, P1D)"


@router.get(
    "/v1/reviews",
    operation_id="listReviews",
    summary="The organisation's reviews in one status, oldest first, with filters (campaign, medium, age, severity)",
    tags=REVIEWS,
    responses=documented(200, "A page of reviews"),
)
def list_reviews(
    status: Annotated[ListedStatus, Query(description="pending (default), decided or expired")] = "pending",
    campaign_id: Annotated[
        str | None, Query(alias="campaignId", max_length=128, description="only this campaign's reviews")
    ] = None,
    medium: Annotated[Medium | None, Query(description="only reviews of this medium (the content type)")] = None,
    older_than: Annotated[
        str | None, Query(alias="olderThan", max_length=64, description=f"opened before this: {AGE}")
    ] = None,
    since: Annotated[str | None, Query(max_length=64, description=f"opened at or after this: {AGE}")] = None,
    worst_severity: Annotated[
        WorstSeverity | None,
        Query(alias="worstSeverity", description="only reviews whose most serious violation has this severity"),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    next_token: NextToken = None,
) -> ReviewPage:
    return reviews.list_reviews(
        _caller(),
        status,
        get_deps(),
        limit,
        next_token,
        campaign_id=campaign_id,
        medium=medium,
        older_than=older_than,
        since=since,
        worst_severity=worst_severity,
    )


@router.get(
    "/v1/reviews/<reviewId>",
    operation_id="getReview",
    summary="A review, with a short-lived preview URL (a reviewer opening a pending one keeps it alive)",
    tags=REVIEWS,
    responses=documented(200, "The review", 404),
)
def get_review(reviewId: str) -> ReviewView:
    deps = get_deps()
    return reviews.review_view(reviews.get_review(_caller(), reviewId, deps), deps)


@router.post(
    "/v1/reviews/<reviewId>/decision",
    operation_id="decideReview",
    summary="Approve, approve with edits, regenerate with feedback, or reject (reviewer role)",
    tags=REVIEWS,
    responses=documented(200, "The decided review; the workflow resumes", 403, 404, 409, 503, body=True),
)
def decide(reviewId: str, decision: Annotated[Decision, Body()]) -> ReviewView:
    deps = get_deps()
    return reviews.review_view(reviews.decide(_caller(), reviewId, decision, deps), deps)


@router.post(
    "/v1/reviews/<reviewId>/uploads",
    status_code=201,
    operation_id="createReviewUpload",
    summary="A presigned PUT for a replacement file (reviewer role); the decision then names its uploadId",
    tags=REVIEWS,
    responses=documented(201, "Where to upload the file", 403, 404, 409, body=True),
)
def upload(reviewId: str, request: Annotated[UploadRequest, Body()]) -> UploadTicket:
    return reviews.create_upload(_caller(), reviewId, request, get_deps())


@router.get(
    "/v1/assets/<assetId>/lineage",
    operation_id="getAssetLineage",
    summary="Every version of the asset's family: edits, regenerations and translations",
    tags=PROVENANCE,
    responses=documented(200, "The asset's lineage", 404),
)
def lineage(assetId: str) -> Lineage:
    return reviews.lineage(_caller(), assetId, get_deps())


@router.get(
    "/v1/provenance",
    operation_id="listProvenance",
    summary="The audit trail: provenance records by time, by model or by campaign, oldest first",
    tags=PROVENANCE,
    responses=documented(200, "A page of provenance records"),
)
def audit(
    model: Annotated[str | None, Query(max_length=128, description="only this model's records")] = None,
    campaign_id: Annotated[
        str | None, Query(alias="campaignId", max_length=128, description="only this campaign's records")
    ] = None,
    since: Annotated[str | None, Query(max_length=64, description="ISO 8601 instant (with Z or an offset)")] = None,
    until: Annotated[str | None, Query(max_length=64, description="ISO 8601 instant (with Z or an offset)")] = None,
    limit: Limit = DEFAULT_LIMIT,
    next_token: NextToken = None,
) -> ProvenancePage:
    return reviews.audit(
        _caller(),
        get_deps(),
        model=model,
        campaign_id=campaign_id,
        since=since,
        until=until,
        limit=limit,
        next_token=next_token,
    )
