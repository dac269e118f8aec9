"""Campaigns, posts and platform accounts: the API's use cases (also the SchedulePosts step's planning).

The organisation always comes from the caller's token (``org_id`` here); another organisation's
campaign, post or account is a 404, because every key starts with ``ORG#<org_id>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from flashfusion.app.caller import Caller
from flashfusion.app.pages import DEFAULT_LIMIT, Page, check_limit, decode_token, page_of
from flashfusion.app.posts import (
    SchedulingDeps,
    cancel,
    check_account,
    make_post,
    new_post_id,
    reschedule,
    schedule,
    stable_post_id,
)
from flashfusion.app.submissions import check_org, field_errors
from flashfusion.errors import BrandKitNotFound, Forbidden, InvalidRequest, ResourceConflict, UnsafeDestination
from flashfusion.modelbase import CamelModel, Identifier, Instant
from flashfusion.models import utcnow
from flashfusion.observability import logger
from flashfusion.outbound import Resolver, check_url, host_of, is_url_setting
from flashfusion.scheduling import planner
from flashfusion.scheduling.models import (
    AccountStatus,
    Cadence,
    Campaign,
    CampaignFields,
    CampaignPlan,
    CampaignStatus,
    CampaignSummary,
    CampaignTarget,
    PlanAsset,
    Platform,
    PlatformAccount,
    Post,
    PostStatus,
    TimeZoneName,
)
from flashfusion.storage.campaigns import AccountNotFound, StaleWrite


def _parse(model: type[BaseModel], body: Any) -> Any:
    if isinstance(body, model):  # validated by the API already
        return body
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", [{"field": "body", "problem": "not a JSON object"}])
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest("the request is invalid", field_errors(error)) from error


@dataclass(frozen=True)
class CampaignDeps:
    scheduling: SchedulingDeps
    kits: Any
    provenance: Any
    admin_group: str = "admins"
    """Members of this group (in the token's groups claim) may change where an account's credentials go."""
    emit: Callable[[str, dict[str, Any]], None] | None = None
    """Sends an EventBridge event (AccountDestinationChanged); None: the audit log line only."""
    resolver: Resolver | None = None
    """Host resolution for the outbound-URL check; None: the process default (tests replace it)."""


# campaigns -----------------------------------------------------------------------------------------
def _check_targets(org_id: str, fields: CampaignFields, deps: CampaignDeps) -> None:
    for i, target in enumerate(fields.targets):
        try:
            account = deps.scheduling.accounts.get(org_id, target.account_id)
        except AccountNotFound as error:
            raise InvalidRequest(
                str(error), [{"field": f"targets.{i}.accountId", "problem": "unknown account"}]
            ) from error
        if account.platform != target.platform:
            raise InvalidRequest(
                f"account {account.account_id} is a {account.platform} account",
                [{"field": f"targets.{i}.platform", "problem": f"account is on {account.platform}"}],
            )


def _check_kit(org_id: str, fields: CampaignFields, deps: CampaignDeps) -> None:
    try:
        deps.kits.get(org_id, fields.brand_kit_id)
    except BrandKitNotFound as error:
        raise InvalidRequest(str(error), [{"field": "brandKitId", "problem": str(error)}]) from error


def create_campaign(org_id: str, body: Any, deps: CampaignDeps) -> Campaign:
    check_org(org_id)
    fields: CampaignFields = _parse(CampaignFields, body)
    _check_kit(org_id, fields, deps)
    _check_targets(org_id, fields, deps)
    now = utcnow()
    campaign = Campaign(
        **fields.model_dump(), campaign_id=uuid.uuid4().hex, org_id=org_id, created_at=now, updated_at=now
    )
    deps.scheduling.campaigns.create(campaign)
    return campaign


def get_campaign(org_id: str, campaign_id: str, deps: CampaignDeps) -> Campaign:
    check_org(org_id)
    return deps.scheduling.campaigns.get(org_id, _id(campaign_id, "campaign"))


class CampaignPage(Page[CampaignSummary]):
    """A page of the organisation's campaigns."""


class PostPage(Page[Post]):
    """A page of a campaign's posts, by scheduled time."""


class AccountPage(Page[PlatformAccount]):
    """A page of the organisation's platform accounts."""


def _paged(call: Callable[[], tuple[list[Any], dict[str, Any] | None]]) -> tuple[list[Any], dict[str, Any] | None]:
    try:
        return call()
    except ValueError as error:  # a start key that is not one of this query's (storage.pages)
        raise InvalidRequest(str(error), [{"field": "nextToken", "problem": str(error)}]) from error


def list_campaigns(
    org_id: str, deps: CampaignDeps, limit: int = DEFAULT_LIMIT, next_token: str | None = None
) -> CampaignPage:
    check_org(org_id)
    check_limit(limit)
    start = decode_token(org_id, "campaigns", next_token)
    found, last = _paged(lambda: deps.scheduling.campaigns.page_for_org(org_id, limit, start))
    summaries = [CampaignSummary.model_validate(c.model_dump(exclude={"asset_ids"})) for c in found]
    return CampaignPage(**page_of(summaries, org_id, "campaigns", last))


class CampaignPatch(CamelModel):
    """``PATCH /v1/campaigns/{id}``: the fields sent replace the stored ones (the result is validated whole)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    brand_kit_id: Identifier | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    time_zone: TimeZoneName | None = None
    targets: list[CampaignTarget] | None = Field(default=None, max_length=50)
    cadence: Cadence | None = None
    status: CampaignStatus | None = None


def update_campaign(org_id: str, campaign_id: str, body: Any, deps: CampaignDeps) -> Campaign:
    """PATCH: the fields sent replace the stored ones; the result is validated as a whole."""
    existing = get_campaign(org_id, campaign_id, deps)
    patch: CampaignPatch = _parse(CampaignPatch, body)
    allowed = set(CampaignFields.model_fields) | {f.alias for f in CampaignFields.model_fields.values() if f.alias}
    current = {k: v for k, v in existing.to_json().items() if k in allowed}
    sent = patch.model_dump(mode="json", by_alias=True, exclude_unset=True)
    fields: CampaignFields = _parse(CampaignFields, {**current, **sent})
    if fields.brand_kit_id != existing.brand_kit_id:
        _check_kit(org_id, fields, deps)
    _check_targets(org_id, fields, deps)
    try:
        return deps.scheduling.campaigns.update(org_id, existing.campaign_id, fields)
    except StaleWrite as error:
        raise ResourceConflict(str(error), [{"field": "campaignId", "problem": "changed meanwhile"}]) from error


class AssetToAdd(CamelModel):
    asset_id: Identifier
    version: int = Field(default=1, ge=1)


def add_asset(org_id: str, campaign_id: str, body: Any, deps: CampaignDeps) -> Campaign:
    campaign = get_campaign(org_id, campaign_id, deps)
    wanted: AssetToAdd = _parse(AssetToAdd, body)
    try:
        provenance = deps.provenance.get(org_id, wanted.asset_id, wanted.version)
    except KeyError as error:
        raise InvalidRequest(
            f"asset {wanted.asset_id} v{wanted.version} not found in this organisation",
            [{"field": "assetId", "problem": "unknown asset"}],
        ) from error
    deps.scheduling.campaigns.add_asset(
        org_id, campaign.campaign_id, wanted.asset_id, wanted.version, provenance.request_id
    )
    return deps.scheduling.campaigns.get(org_id, campaign.campaign_id)


def remove_asset(org_id: str, campaign_id: str, asset_id: str, deps: CampaignDeps) -> Campaign:
    campaign = get_campaign(org_id, campaign_id, deps)
    if not deps.scheduling.campaigns.remove_asset(org_id, campaign.campaign_id, _id(asset_id, "asset")):
        raise InvalidRequest(
            f"asset {asset_id} is not in campaign {campaign_id}", [{"field": "assetId", "problem": "not in campaign"}]
        )
    return deps.scheduling.campaigns.get(org_id, campaign.campaign_id)


# plans ---------------------------------------------------------------------------------------------
class ScheduledPlan(CamelModel):
    plan: CampaignPlan
    posts: list[Post] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)


def preview_plan(
    org_id: str, campaign_id: str, deps: CampaignDeps, only_asset: str | None = None
) -> tuple[Campaign, CampaignPlan, dict[str, int]]:
    campaign = get_campaign(org_id, campaign_id, deps)
    return plan_for(campaign, deps.scheduling, only_asset=only_asset)


def plan_for(
    campaign: Campaign,
    deps: SchedulingDeps,
    only_asset: str | None = None,
    platforms: list[Platform] | None = None,
) -> tuple[Campaign, CampaignPlan, dict[str, int]]:
    """The planner's proposal for the campaign's assets not yet posted (or one asset), and their versions."""
    now = deps.clock()
    members = deps.campaigns.assets(campaign.org_id, campaign.campaign_id)
    versions = {m.asset_id: m.version for m in members}
    existing = [
        p
        for p in deps.posts.list_for_campaign(campaign.org_id, campaign.campaign_id)
        if p.status not in (PostStatus.CANCELLED, PostStatus.FAILED)
    ]
    posted = {(p.asset_id, p.platform, p.account_id) for p in existing}
    wanted = [a for a in versions if only_asset is None or a == only_asset]
    assets = [PlanAsset(asset_id=a, platforms=list(platforms or [])) for a in wanted]
    plan = planner.plan_campaign(campaign, assets, existing=existing, now=now)
    plan = plan.model_copy(
        update={"slots": [s for s in plan.slots if (s.asset_id, s.platform, s.account_id) not in posted]}
    )
    return campaign, plan, versions


def schedule_plan(
    campaign: Campaign,
    plan: CampaignPlan,
    versions: dict[str, int],
    deps: SchedulingDeps,
    caption: str | None = None,
    request_id: str | None = None,
) -> ScheduledPlan:
    """Each planned slot becomes a post and its schedule; the post id is stable per (campaign, asset,
    account), so planning twice schedules nothing twice."""
    posts: list[Post] = []
    skipped = [f"{u.asset_id} on {u.platform}/{u.account_id}: {u.reason}" for u in plan.unplaced]
    for slot in plan.slots:
        try:
            account = deps.accounts.get(campaign.org_id, slot.account_id)
            check_account(account, slot.platform)
            post = make_post(
                org_id=campaign.org_id,
                post_id=stable_post_id(campaign.campaign_id, slot.asset_id, slot.platform, slot.account_id),
                asset_id=slot.asset_id,
                asset_version=versions.get(slot.asset_id, 1),
                platform=slot.platform,
                account_id=slot.account_id,
                at=slot.at,
                time_zone=campaign.time_zone,
                caption=caption,
                campaign_id=campaign.campaign_id,
                request_id=request_id,
            )
            stored, _ = schedule(post, deps)
        except (InvalidRequest, AccountNotFound) as error:
            skipped.append(f"{slot.asset_id} on {slot.platform}/{slot.account_id}: {error}")
            continue
        posts.append(stored)
    return ScheduledPlan(plan=plan, posts=posts, skipped=skipped)


def run_plan(org_id: str, campaign_id: str, deps: CampaignDeps) -> ScheduledPlan:
    campaign, plan, versions = preview_plan(org_id, campaign_id, deps)
    return schedule_plan(campaign, plan, versions, deps.scheduling)


# posts ---------------------------------------------------------------------------------------------
class PostFields(CamelModel):
    asset_id: Identifier
    asset_version: int = Field(default=1, ge=1)
    platform: Platform
    account_id: Identifier
    scheduled_at: Instant
    time_zone: TimeZoneName = "UTC"
    caption: str | None = Field(default=None, max_length=5000)
    campaign_id: Identifier | None = None


class PostMove(CamelModel):
    scheduled_at: Instant
    time_zone: TimeZoneName | None = None


def create_post(org_id: str, body: Any, deps: CampaignDeps) -> Post:
    check_org(org_id)
    fields: PostFields = _parse(PostFields, body)
    try:
        deps.provenance.get(org_id, fields.asset_id, fields.asset_version)
    except KeyError as error:
        raise InvalidRequest(
            f"asset {fields.asset_id} v{fields.asset_version} not found in this organisation",
            [{"field": "assetId", "problem": "unknown asset"}],
        ) from error
    if fields.campaign_id:
        deps.scheduling.campaigns.get(org_id, fields.campaign_id, with_assets=False)
    try:
        account = deps.scheduling.accounts.get(org_id, fields.account_id)
    except AccountNotFound as error:
        raise InvalidRequest(str(error), [{"field": "accountId", "problem": "unknown account"}]) from error
    check_account(account, fields.platform)
    post = make_post(
        org_id=org_id,
        post_id=new_post_id(),
        asset_id=fields.asset_id,
        asset_version=fields.asset_version,
        platform=fields.platform,
        account_id=fields.account_id,
        at=fields.scheduled_at,
        time_zone=fields.time_zone,
        caption=fields.caption,
        campaign_id=fields.campaign_id,
    )
    stored, _ = schedule(post, deps.scheduling)
    return stored


def get_post(org_id: str, post_id: str, deps: CampaignDeps) -> Post:
    check_org(org_id)
    return deps.scheduling.posts.get(org_id, _id(post_id, "post"))


def reschedule_post(org_id: str, post_id: str, body: Any, deps: CampaignDeps) -> Post:
    post = get_post(org_id, post_id, deps)
    move: PostMove = _parse(PostMove, body)
    return reschedule(org_id, post.post_id, move.scheduled_at, move.time_zone, deps.scheduling)


def cancel_post(org_id: str, post_id: str, deps: CampaignDeps) -> Post:
    post = get_post(org_id, post_id, deps)
    return cancel(org_id, post.post_id, deps.scheduling)


def page_posts(
    org_id: str, campaign_id: str, deps: CampaignDeps, limit: int = DEFAULT_LIMIT, next_token: str | None = None
) -> PostPage:
    check_limit(limit)
    campaign = get_campaign(org_id, campaign_id, deps)
    listing = f"posts:{campaign.campaign_id}"
    start = decode_token(org_id, listing, next_token)
    found, last = _paged(lambda: deps.scheduling.posts.page_for_campaign(org_id, campaign.campaign_id, limit, start))
    return PostPage(**page_of(found, org_id, listing, last))


# accounts ------------------------------------------------------------------------------------------
class AccountFields(CamelModel):
    """A platform account as a client registers it; the credentials go to Secrets Manager, not here."""

    account_id: Identifier
    platform: Platform
    handle: str = Field(min_length=1, max_length=200)
    settings: dict[str, str] = Field(default_factory=dict)


class AccountPatch(CamelModel):
    handle: str | None = Field(default=None, min_length=1, max_length=200)
    settings: dict[str, str] | None = None
    status: AccountStatus | None = Field(default=None, description="active after re-authorising, or disabled")


def _destination_changes(
    caller: Caller, account_id: str, before: dict[str, str], after: dict[str, str], deps: CampaignDeps
) -> list[dict[str, str]]:
    """The URL-valued settings (where requests, and so credentials, go) this write changes. Changing any
    needs the admin group (403); each new URL must pass the outbound-URL policy (400 naming the field)."""
    keys = sorted(
        k
        for k in set(before) | set(after)
        if (is_url_setting(k, before.get(k)) or is_url_setting(k, after.get(k))) and before.get(k) != after.get(k)
    )
    if not keys:
        return []
    if not caller.has_role(deps.admin_group):
        raise Forbidden(
            f"changing where account {account_id} sends its credentials ({', '.join('settings.' + k for k in keys)})"
            f" needs the {deps.admin_group!r} group"
        )
    for key in keys:
        value = after.get(key)
        if value:
            try:
                check_url(value, resolver=deps.resolver)
            except UnsafeDestination as error:
                raise InvalidRequest(
                    f"settings.{key} is not an allowed destination: {error}",
                    [{"field": f"settings.{key}", "problem": str(error)}],
                ) from None
    return [{"setting": k, "oldHost": host_of(before.get(k)), "newHost": host_of(after.get(k))} for k in keys]


def _record_destination_change(
    caller: Caller, account: PlatformAccount, changes: list[dict[str, str]], deps: CampaignDeps
) -> None:
    """Audit: who pointed which account where (hosts only: paths and queries may hold secrets)."""
    if not changes:
        return
    detail = {
        "orgId": caller.org_id,
        "accountId": account.account_id,
        "platform": str(account.platform),
        "userId": caller.user_id,
        "changes": changes,
    }
    logger.info("AccountDestinationChanged", extra={"audit": detail})
    if deps.emit is not None:
        try:
            deps.emit("AccountDestinationChanged", detail)
        except Exception:  # the change is stored and logged above; the event is best effort
            logger.exception("could not emit AccountDestinationChanged", extra={"audit": detail})


def create_account(caller: Caller, body: Any, deps: CampaignDeps) -> PlatformAccount:
    org_id = caller.org_id
    check_org(org_id)
    fields: AccountFields = _parse(AccountFields, body)
    try:
        deps.scheduling.accounts.get(org_id, fields.account_id)
    except AccountNotFound:
        changes = _destination_changes(caller, fields.account_id, {}, fields.settings, deps)
        account = PlatformAccount(**fields.model_dump())
        deps.scheduling.accounts.put(org_id, account)
        _record_destination_change(caller, account, changes, deps)
        return account
    raise ResourceConflict(
        f"account {fields.account_id} exists; PATCH it instead", [{"field": "accountId", "problem": "exists"}]
    )


def get_account(org_id: str, account_id: str, deps: CampaignDeps) -> PlatformAccount:
    check_org(org_id)
    return deps.scheduling.accounts.get(org_id, _id(account_id, "account"))


def list_accounts(
    org_id: str, deps: CampaignDeps, limit: int = DEFAULT_LIMIT, next_token: str | None = None
) -> AccountPage:
    check_org(org_id)
    check_limit(limit)
    start = decode_token(org_id, "accounts", next_token)
    found, last = _paged(lambda: deps.scheduling.accounts.page_for_org(org_id, limit, start))
    return AccountPage(**page_of(found, org_id, "accounts", last))


def update_account(caller: Caller, account_id: str, body: Any, deps: CampaignDeps) -> PlatformAccount:
    account = get_account(caller.org_id, account_id, deps)
    patch: AccountPatch = _parse(AccountPatch, body)
    changes = patch.model_dump(exclude_none=True)
    if patch.status == AccountStatus.ACTIVE:
        changes["status_reason"] = None
    destinations = (
        _destination_changes(caller, account.account_id, dict(account.settings), patch.settings, deps)
        if patch.settings is not None
        else []
    )
    updated = account.model_copy(update=changes)
    deps.scheduling.accounts.put(caller.org_id, updated)
    _record_destination_change(caller, updated, destinations, deps)
    return updated


def _id(value: str, what: str) -> str:
    from flashfusion.app.submissions import ORG_ID
    from flashfusion.storage.campaigns import AccountNotFound, CampaignNotFound, PostNotFound

    if not ORG_ID.match(value):  # not an id we could have issued: the same answer as an unknown one
        error = {"campaign": CampaignNotFound, "post": PostNotFound, "account": AccountNotFound}.get(what)
        raise (error or CampaignNotFound)(f"{what} {value} not found")
    return value
