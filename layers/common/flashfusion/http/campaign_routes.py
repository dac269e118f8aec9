"""Campaign, post and platform-account routes of the HTTP API (a Powertools Router for ApiFunction).

The organisation always comes from the token (``authenticated``: a token without a user or
organisation is a 401); bodies never name it.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import campaigns
from flashfusion.http.identity import Caller, authenticated, json_body
from flashfusion.wiring import campaign_deps, get_deps

router = Router()


def _caller() -> Caller:
    return authenticated(router.current_event, get_deps().settings)


def _org() -> str:
    return _caller().org_id


def _deps() -> campaigns.CampaignDeps:
    return campaign_deps()


def _body() -> Any:
    return json_body(router.current_event)


def _created(body: dict[str, Any]) -> Response:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


# campaigns -----------------------------------------------------------------------------------------
@router.post("/v1/campaigns")
def create_campaign() -> Response:
    return _created(campaigns.create_campaign(_org(), _body(), _deps()).to_json())


@router.get("/v1/campaigns")
def list_campaigns() -> dict[str, Any]:
    found = campaigns.list_campaigns(_org(), _deps())
    return {"campaigns": [{k: v for k, v in c.to_json().items() if k != "assetIds"} for c in found]}


@router.get("/v1/campaigns/<campaign_id>")
def get_campaign(campaign_id: str) -> dict[str, Any]:
    return campaigns.get_campaign(_org(), campaign_id, _deps()).to_json()


@router.patch("/v1/campaigns/<campaign_id>")
def update_campaign(campaign_id: str) -> dict[str, Any]:
    return campaigns.update_campaign(_org(), campaign_id, _body(), _deps()).to_json()


@router.post("/v1/campaigns/<campaign_id>/assets")
def add_campaign_asset(campaign_id: str) -> dict[str, Any]:
    return campaigns.add_asset(_org(), campaign_id, _body(), _deps()).to_json()


@router.delete("/v1/campaigns/<campaign_id>/assets/<asset_id>")
def remove_campaign_asset(campaign_id: str, asset_id: str) -> dict[str, Any]:
    return campaigns.remove_asset(_org(), campaign_id, asset_id, _deps()).to_json()


@router.get("/v1/campaigns/<campaign_id>/plan")
def preview_plan(campaign_id: str) -> dict[str, Any]:
    _, plan, _ = campaigns.preview_plan(_org(), campaign_id, _deps())
    return plan.to_json()


@router.post("/v1/campaigns/<campaign_id>/plan")
def schedule_plan(campaign_id: str) -> Response:
    return _created(campaigns.run_plan(_org(), campaign_id, _deps()).to_json())


@router.get("/v1/campaigns/<campaign_id>/posts")
def list_posts(campaign_id: str) -> dict[str, Any]:
    return {"posts": [p.to_json() for p in campaigns.list_posts(_org(), campaign_id, _deps())]}


# posts ---------------------------------------------------------------------------------------------
@router.post("/v1/posts")
def create_post() -> Response:
    return _created(campaigns.create_post(_org(), _body(), _deps()).to_json())


@router.get("/v1/posts/<post_id>")
def get_post(post_id: str) -> dict[str, Any]:
    return campaigns.get_post(_org(), post_id, _deps()).to_json()


@router.patch("/v1/posts/<post_id>")
def reschedule_post(post_id: str) -> dict[str, Any]:
    return campaigns.reschedule_post(_org(), post_id, _body(), _deps()).to_json()


@router.delete("/v1/posts/<post_id>")
def cancel_post(post_id: str) -> dict[str, Any]:
    return campaigns.cancel_post(_org(), post_id, _deps()).to_json()


# accounts ------------------------------------------------------------------------------------------
@router.post("/v1/accounts")
def create_account() -> Response:
    return _created(campaigns.create_account(_caller(), _body(), _deps()).to_json())


@router.get("/v1/accounts")
def list_accounts() -> dict[str, Any]:
    return {"accounts": [a.to_json() for a in campaigns.list_accounts(_org(), _deps())]}


@router.get("/v1/accounts/<account_id>")
def get_account(account_id: str) -> dict[str, Any]:
    return campaigns.get_account(_org(), account_id, _deps()).to_json()


@router.patch("/v1/accounts/<account_id>")
def update_account(account_id: str) -> dict[str, Any]:
    return campaigns.update_account(_caller(), account_id, _body(), _deps()).to_json()
