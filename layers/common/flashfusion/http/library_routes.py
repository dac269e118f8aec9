"""Asset library routes of the HTTP API (a Powertools Router for ApiFunction): list the organisation's
stored versions, and read one asset with a download URL for each of its versions.

The organisation comes from the token (``authenticated``: a token without a user or organisation is a
401); another organisation's asset id is a 404.
"""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time (the
# OpenAPI document's response models). Path parameters keep template.yaml's names (assetId).
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from flashfusion.app import library
from flashfusion.app.pages import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOKEN_CHARS
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Assets"]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1-{MAX_LIMIT}")]
NextToken = Annotated[
    str | None, Query(alias="nextToken", max_length=MAX_TOKEN_CHARS, description="from the previous page")
]
Filter = Annotated[str | None, Query(max_length=64)]
Instant = Annotated[str | None, Query(max_length=40, description="ISO 8601 with a time zone")]


@router.get(
    "/v1/assets",
    operation_id="listAssets",
    summary="The organisation's stored asset versions, newest first (campaignId, medium, status, since, until)",
    tags=TAGS,
    responses=documented(200, "A page of stored versions"),
)
@tracer.capture_method(capture_response=False)
def list_assets(
    campaignId: Annotated[str | None, Query(alias="campaignId", max_length=64)] = None,
    medium: Filter = None,
    status: Filter = None,
    since: Instant = None,
    until: Instant = None,
    limit: Limit = DEFAULT_LIMIT,
    nextToken: NextToken = None,
) -> library.AssetPage:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    given = {"campaignId": campaignId, "medium": medium, "status": status, "since": since, "until": until}
    query = {name: value for name, value in given.items() if value is not None}
    query["limit"] = str(limit)
    if nextToken is not None:
        query["nextToken"] = nextToken
    return library.list_assets(caller, query, deps)


@router.get(
    "/v1/assets/<assetId>",
    operation_id="getAsset",
    summary="One asset: every version with its status, type, size, a 15-minute download URL, lint and credentials",
    tags=TAGS,
    responses=documented(200, "The asset and its versions", 404),
)
@tracer.capture_method(capture_response=False)
def get_asset(assetId: str) -> library.Asset:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return library.get_asset(caller, assetId, deps)
