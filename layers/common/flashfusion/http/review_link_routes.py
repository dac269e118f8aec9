"""Shared review links (reviewer side, with the JWT) and the public shared-review routes (a link's token,
no JWT: ``Auth: {Authorizer: NONE}`` in template.yaml), and ``GET /v1/me`` for the console's header."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from flashfusion.app import review_links
from flashfusion.app.link_tokens import MAX_TOKEN_CHARS as MAX_LINK_TOKEN_CHARS
from flashfusion.app.me import Me, me
from flashfusion.app.pages import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOKEN_CHARS
from flashfusion.app.review_links import (
    CreatedLink,
    LinkRequest,
    ReviewLinkPage,
    ReviewLinkView,
    SharedDecision,
    SharedReview,
)
from flashfusion.http.identity import Caller, authenticated
from flashfusion.http.problems import documented
from flashfusion.wiring import get_deps

router = Router()
REVIEWS = ["Reviews"]
SHARED = ["Shared reviews"]
PUBLIC: list[dict[str, list[str]]] = []
"""An operation's ``security``: none (the link's token in the path is the credential)."""
SHARED_REVIEW_PATHS = frozenset({"/v1/shared-reviews/<token>", "/v1/shared-reviews/<token>/decision"})
"""Served without a JWT (the resolver skips the identity check on these)."""

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1-{MAX_LIMIT}")]
NextToken = Annotated[
    str | None, Query(alias="nextToken", max_length=MAX_TOKEN_CHARS, description="from the previous page")
]
# No maxLength in the schema: an overlong token is one more token that does not verify (401, link_tokens.verify)
LinkToken = Annotated[
    str, Path(description=f"the token of a shared review link (at most {MAX_LINK_TOKEN_CHARS} characters)")
]


def _caller() -> Caller:
    return authenticated(router.current_event, get_deps().settings)


@router.get(
    "/v1/me",
    operation_id="getMe",
    summary="Who is signed in: user id, organisation, groups and roles (from the token)",
    tags=["Identity"],
    responses=documented(200, "The caller"),
)
def get_me() -> Me:
    return me(_caller(), get_deps().settings)


@router.post(
    "/v1/reviews/<reviewId>/links",
    status_code=201,
    operation_id="createReviewLink",
    summary="A signed, expiring link that lets someone without an account decide this review (reviewer role)",
    tags=REVIEWS,
    responses=documented(201, "The link: send its url; the token is shown this once", 403, 404, 409, 503, body=True),
)
def create_link(reviewId: str, request: Annotated[LinkRequest, Body()]) -> CreatedLink:
    return review_links.create_link(_caller(), reviewId, request, get_deps())


@router.get(
    "/v1/reviews/<reviewId>/links",
    operation_id="listReviewLinks",
    summary="The review's shared links, oldest first, with their state (active, expired, revoked)",
    tags=REVIEWS,
    responses=documented(200, "A page of links", 403, 404),
)
def list_links(reviewId: str, limit: Limit = DEFAULT_LIMIT, next_token: NextToken = None) -> ReviewLinkPage:
    return review_links.list_links(_caller(), reviewId, get_deps(), limit, next_token)


@router.delete(
    "/v1/reviews/<reviewId>/links/<linkId>",
    operation_id="revokeReviewLink",
    summary="Revoke a shared link: it stops working at once",
    tags=REVIEWS,
    responses=documented(200, "The revoked link", 403, 404),
)
def revoke_link(reviewId: str, linkId: str) -> ReviewLinkView:
    return review_links.revoke_link(_caller(), reviewId, linkId, get_deps())


@router.get(
    "/v1/shared-reviews/<token>",
    operation_id="getSharedReview",
    summary="Public (the link's token, no JWT): what an outside reviewer may see of the review",
    tags=SHARED,
    security=PUBLIC,
    responses=documented(200, "The review as the link's holder sees it", 410, 503, public=True),
)
def get_shared(token: LinkToken) -> SharedReview:
    return review_links.shared_review(token, get_deps())


@router.post(
    "/v1/shared-reviews/<token>/decision",
    operation_id="decideSharedReview",
    summary="Public (the link's token, no JWT): decide the review, recorded with the name given and the link",
    tags=SHARED,
    security=PUBLIC,
    responses=documented(200, "The decided review", 403, 409, 410, 503, body=True, public=True),
)
def decide_shared(token: LinkToken, decision: Annotated[SharedDecision, Body()]) -> SharedReview:
    return review_links.shared_decide(token, decision, get_deps())
