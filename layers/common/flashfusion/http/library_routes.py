"""Asset library routes of the HTTP API (a Powertools Router for ApiFunction): list the organisation's
stored versions, and read one asset with a download URL for each of its versions.

The organisation comes from the token (``authenticated``: a token without a user or organisation is a
401); another organisation's asset id is a 404.
"""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time (the
# OpenAPI document's response models). Path parameters keep template.yaml's names (assetId).
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import library
from flashfusion.http.identity import authenticated, query
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Assets"]


@router.get(
    "/v1/assets",
    operation_id="listAssets",
    summary="The organisation's stored asset versions, newest first (campaignId, medium, status, since, until)",
    tags=TAGS,
)
@tracer.capture_method(capture_response=False)
def list_assets() -> library.AssetPage:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return library.list_assets(caller, query(router.current_event), deps)


@router.get(
    "/v1/assets/<assetId>",
    operation_id="getAsset",
    summary="One asset: every version with its status, type, size, a 15-minute download URL, lint and credentials",
    tags=TAGS,
)
@tracer.capture_method(capture_response=False)
def get_asset(assetId: str) -> library.Asset:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return library.get_asset(caller, assetId, deps)
