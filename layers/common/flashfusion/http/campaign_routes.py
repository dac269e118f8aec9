"""Campaign, post and platform-account routes of the HTTP API (a Powertools Router for ApiFunction).

The organisation always comes from the token (``authenticated``: a token without a user or
organisation is a 401); bodies never name it.
"""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
# Path parameters keep template.yaml's names (requestId...): Powertools matches them to arguments by name.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from flashfusion.app import campaigns
from flashfusion.app.campaigns import (
    AccountFields,
    AccountPage,
    AccountPatch,
    AssetToAdd,
    CampaignPage,
    CampaignPatch,
    PostFields,
    PostMove,
    PostPage,
    ScheduledPlan,
)
from flashfusion.app.pages import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOKEN_CHARS
from flashfusion.http.identity import Caller, authenticated
from flashfusion.http.problems import documented
from flashfusion.scheduling.models import Campaign, CampaignFields, CampaignPlan, PlatformAccount, Post
from flashfusion.wiring import campaign_deps, get_deps

router = Router()
CAMPAIGNS = ["Campaigns"]
POSTS = ["Posts"]
ACCOUNTS = ["Accounts"]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1-{MAX_LIMIT}")]
NextToken = Annotated[
    str | None, Query(alias="nextToken", max_length=MAX_TOKEN_CHARS, description="from the previous page")
]


def _caller() -> Caller:
    return authenticated(router.current_event, get_deps().settings)


def _org() -> str:
    return _caller().org_id


def _deps() -> campaigns.CampaignDeps:
    return campaign_deps()


# campaigns -----------------------------------------------------------------------------------------
@router.post(
    "/v1/campaigns",
    status_code=201,
    operation_id="createCampaign",
    summary="Create a campaign (its brand kit and target accounts must exist)",
    tags=CAMPAIGNS,
    responses=documented(201, "The campaign", body=True),
)
def create_campaign(fields: Annotated[CampaignFields, Body()]) -> Campaign:
    return campaigns.create_campaign(_org(), fields, _deps())


@router.get(
    "/v1/campaigns",
    operation_id="listCampaigns",
    summary="The organisation's campaigns (without their assets)",
    tags=CAMPAIGNS,
    responses=documented(200, "A page of campaigns"),
)
def list_campaigns(limit: Limit = DEFAULT_LIMIT, next_token: NextToken = None) -> CampaignPage:
    return campaigns.list_campaigns(_org(), _deps(), limit, next_token)


@router.get(
    "/v1/campaigns/<campaignId>",
    operation_id="getCampaign",
    summary="A campaign with its assets",
    tags=CAMPAIGNS,
    responses=documented(200, "The campaign", 404),
)
def get_campaign(campaignId: str) -> Campaign:
    return campaigns.get_campaign(_org(), campaignId, _deps())


@router.patch(
    "/v1/campaigns/<campaignId>",
    operation_id="updateCampaign",
    summary="Change some of a campaign's fields (the result is validated as a whole)",
    tags=CAMPAIGNS,
    responses=documented(200, "The campaign", 404, 409, body=True),
)
def update_campaign(campaignId: str, patch: Annotated[CampaignPatch, Body()]) -> Campaign:
    return campaigns.update_campaign(_org(), campaignId, patch, _deps())


@router.post(
    "/v1/campaigns/<campaignId>/assets",
    operation_id="addCampaignAsset",
    summary="Add a saved asset (a version of it) to the campaign",
    tags=CAMPAIGNS,
    responses=documented(200, "The campaign", 404, body=True),
)
def add_campaign_asset(campaignId: str, asset: Annotated[AssetToAdd, Body()]) -> Campaign:
    return campaigns.add_asset(_org(), campaignId, asset, _deps())


@router.delete(
    "/v1/campaigns/<campaignId>/assets/<assetId>",
    operation_id="removeCampaignAsset",
    summary="Take an asset out of the campaign",
    tags=CAMPAIGNS,
    responses=documented(200, "The campaign", 404),
)
def remove_campaign_asset(campaignId: str, assetId: str) -> Campaign:
    return campaigns.remove_asset(_org(), campaignId, assetId, _deps())


@router.get(
    "/v1/campaigns/<campaignId>/plan",
    operation_id="previewCampaignPlan",
    summary="The planner's proposal for the campaign's assets not yet posted (nothing is scheduled)",
    tags=CAMPAIGNS,
    responses=documented(200, "The proposed plan", 404),
)
def preview_plan(campaignId: str) -> CampaignPlan:
    _, plan, _ = campaigns.preview_plan(_org(), campaignId, _deps())
    return plan


@router.post(
    "/v1/campaigns/<campaignId>/plan",
    status_code=201,
    operation_id="scheduleCampaignPlan",
    summary="Schedule the plan: each slot becomes a post (planning twice schedules nothing twice)",
    tags=CAMPAIGNS,
    responses=documented(201, "The plan, the posts scheduled and the slots skipped", 404),
)
def schedule_plan(campaignId: str) -> ScheduledPlan:
    return campaigns.run_plan(_org(), campaignId, _deps())


@router.get(
    "/v1/campaigns/<campaignId>/posts",
    operation_id="listCampaignPosts",
    summary="The campaign's posts by scheduled time",
    tags=CAMPAIGNS,
    responses=documented(200, "A page of posts", 404),
)
def list_posts(campaignId: str, limit: Limit = DEFAULT_LIMIT, next_token: NextToken = None) -> PostPage:
    return campaigns.page_posts(_org(), campaignId, _deps(), limit, next_token)


# posts ---------------------------------------------------------------------------------------------
@router.post(
    "/v1/posts",
    status_code=201,
    operation_id="createPost",
    summary="Schedule one saved asset on one account at one time",
    tags=POSTS,
    responses=documented(201, "The scheduled post", 404, body=True),
)
def create_post(fields: Annotated[PostFields, Body()]) -> Post:
    return campaigns.create_post(_org(), fields, _deps())


@router.get(
    "/v1/posts/<postId>",
    operation_id="getPost",
    summary="A post and how its publishing went",
    tags=POSTS,
    responses=documented(200, "The post", 404),
)
def get_post(postId: str) -> Post:
    return campaigns.get_post(_org(), postId, _deps())


@router.patch(
    "/v1/posts/<postId>",
    operation_id="reschedulePost",
    summary="Move a scheduled post to another time",
    tags=POSTS,
    responses=documented(200, "The post", 404, 409, body=True),
)
def reschedule_post(postId: str, move: Annotated[PostMove, Body()]) -> Post:
    return campaigns.reschedule_post(_org(), postId, move, _deps())


@router.delete(
    "/v1/posts/<postId>",
    operation_id="cancelPost",
    summary="Cancel a scheduled post (its schedule is deleted)",
    tags=POSTS,
    responses=documented(200, "The cancelled post", 404, 409),
)
def cancel_post(postId: str) -> Post:
    return campaigns.cancel_post(_org(), postId, _deps())


# accounts ------------------------------------------------------------------------------------------
@router.post(
    "/v1/accounts",
    status_code=201,
    operation_id="createAccount",
    summary="Register a platform account (URL settings need the admin role and an allowed destination)",
    tags=ACCOUNTS,
    responses=documented(201, "The account", 403, 409, body=True),
)
def create_account(fields: Annotated[AccountFields, Body()]) -> PlatformAccount:
    return campaigns.create_account(_caller(), fields, _deps())


@router.get(
    "/v1/accounts",
    operation_id="listAccounts",
    summary="The organisation's platform accounts",
    tags=ACCOUNTS,
    responses=documented(200, "A page of accounts"),
)
def list_accounts(limit: Limit = DEFAULT_LIMIT, next_token: NextToken = None) -> AccountPage:
    return campaigns.list_accounts(_org(), _deps(), limit, next_token)


@router.get(
    "/v1/accounts/<accountId>",
    operation_id="getAccount",
    summary="A platform account",
    tags=ACCOUNTS,
    responses=documented(200, "The account", 404),
)
def get_account(accountId: str) -> PlatformAccount:
    return campaigns.get_account(_org(), accountId, _deps())


@router.patch(
    "/v1/accounts/<accountId>",
    operation_id="updateAccount",
    summary="Change an account's handle, settings or status (URL settings need the admin role)",
    tags=ACCOUNTS,
    responses=documented(200, "The account", 403, 404, body=True),
)
def update_account(accountId: str, patch: Annotated[AccountPatch, Body()]) -> PlatformAccount:
    return campaigns.update_account(_caller(), accountId, patch, _deps())
