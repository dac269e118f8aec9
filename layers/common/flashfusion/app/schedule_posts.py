"""The SchedulePosts workflow step: the saved asset's posts, as the request's ``schedule`` asked.

Input: the workflow state document (``request.schedule``, ``request.campaignId``, ``saved.asset``).
Output: ``{"posts": [{"postId", "platform", "accountId", "scheduledAt"}], "skipped": [reason, ...]}``.
A target that cannot be scheduled (unknown or inactive account, a time already past, nothing left in
the campaign plan) is skipped with its reason rather than failing the whole request, whose asset is
saved already. Post ids are derived from the request, asset and target, so a retried step schedules
nothing twice. Infrastructure errors (DynamoDB, Scheduler) are raised; throttling as ``AwsThrottled``,
which the state machine retries (other errors go to RecordFollowUpError).
"""

from __future__ import annotations

from typing import Any

from flashfusion.app.campaigns import plan_for, schedule_plan
from flashfusion.app.posts import SchedulingDeps, check_account, make_post, schedule, stable_post_id
from flashfusion.aws.throttling import typed_throttling
from flashfusion.errors import InvalidRequest
from flashfusion.models import WorkflowState
from flashfusion.storage.campaigns import AccountNotFound, CampaignNotFound


def _row(post: Any) -> dict[str, str]:
    return {
        "postId": post.post_id,
        "platform": post.platform,
        "accountId": post.account_id,
        "scheduledAt": post.scheduled_at.isoformat(),
    }


@typed_throttling("dynamodb/scheduler")
def schedule_posts(state: WorkflowState, deps: SchedulingDeps) -> dict[str, list[Any]]:
    request = state.request
    wanted = request.schedule
    if wanted is None:
        return {"posts": [], "skipped": ["the request asked for no posts"]}
    if state.saved is None:
        return {"posts": [], "skipped": ["no saved asset to post"]}
    asset = state.saved.asset
    posts: list[Any] = []
    skipped: list[str] = []
    if wanted.mode == "campaign_plan":
        if not request.campaign_id:
            return {"posts": [], "skipped": ["'add to the campaign plan' needs a campaignId on the request"]}
        try:
            campaign = deps.campaigns.get(request.org_id, request.campaign_id, with_assets=False)
        except CampaignNotFound as error:
            return {"posts": [], "skipped": [str(error)]}
        platforms = [t.platform for t in wanted.targets]
        _, plan, versions = plan_for(campaign, deps, only_asset=asset.asset_id, platforms=platforms)
        versions.setdefault(asset.asset_id, asset.version)
        scheduled = schedule_plan(campaign, plan, versions, deps, caption=wanted.caption, request_id=request.request_id)
        if not scheduled.posts and not scheduled.skipped:
            scheduled.skipped.append(f"asset {asset.asset_id} has no slot left in campaign {campaign.campaign_id}")
        return {"posts": [_row(p) for p in scheduled.posts], "skipped": scheduled.skipped}
    assert wanted.at is not None  # ScheduleRequest guarantees it for mode 'at'
    for target in wanted.targets:
        label = f"{target.platform}/{target.account_id}"
        try:
            account = deps.accounts.get(request.org_id, target.account_id)
            check_account(account, target.platform)
            post = make_post(
                org_id=request.org_id,
                post_id=stable_post_id(request.request_id, asset.asset_id, str(asset.version), label),
                asset_id=asset.asset_id,
                asset_version=asset.version,
                platform=target.platform,
                account_id=target.account_id,
                at=wanted.at,
                time_zone=wanted.time_zone,
                caption=wanted.caption,
                campaign_id=request.campaign_id,
                request_id=request.request_id,
            )
            stored, _ = schedule(post, deps)
        except (InvalidRequest, AccountNotFound) as error:
            skipped.append(f"{label}: {error}")
            continue
        posts.append(_row(stored))
    return {"posts": posts, "skipped": skipped}
