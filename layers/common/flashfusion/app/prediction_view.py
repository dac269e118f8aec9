"""``GET /v1/predictions``, ``GET`` and ``PUT /v1/prediction-settings``: the organisation's pre-generated
candidates, and its prediction settings with this month's speculative spend against the cap.

Speculative spend is the speculative ledger's (flashfusion.storage.budgets, ``ledger="speculative"``): its
limit is the monthly cap, its spent and reserved move with every speculative request. ``usedUsd`` is the
cost of this month's candidates that served at least one request, ``unusedUsd`` of those that went stale
without serving any, ``pendingUsd`` of those still fresh and unused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from flashfusion.app import result_cache
from flashfusion.app.api_models import ApiModel
from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.pages import check_limit, decode_token, page_of
from flashfusion.app.roles import require_admin
from flashfusion.errors import BrandKitNotFound, InvalidRequest
from flashfusion.modelbase import CamelModel
from flashfusion.models import ContentType, utcnow
from flashfusion.storage.budgets import month_of
from flashfusion.storage.result_cache import Candidate, PredictionSettings

MAX_CAP_USD = 1_000_000.0
LISTING = "predictions"


class PredictionSettingsBody(CamelModel):
    """What ``PUT /v1/prediction-settings`` takes (admin role)."""

    enabled: bool
    monthly_cap_usd: float = Field(ge=0, le=MAX_CAP_USD, allow_inf_nan=False, description="speculative spend a month")
    horizon_hours: int = Field(default=24, ge=1, le=168, description="how far ahead each off-peak run predicts")
    freshness_days: int = Field(
        default=7,
        ge=0,
        le=result_cache.STAGING_LIFETIME_DAYS,
        description="how long an exact-cache result may serve again (0: no exact cache)",
    )
    top_k: int = Field(default=10, ge=1, le=50, description="at most this many candidates per run")


class SpeculativeSpend(ApiModel):
    month: str
    cap_usd: float
    spent_usd: float
    reserved_usd: float
    available_usd: float
    used_usd: float = Field(description="cost of this month's candidates that served a request")
    unused_usd: float = Field(description="cost of this month's candidates that went stale unused")
    pending_usd: float = Field(description="cost of this month's candidates still fresh and unused")


class PredictionSettingsView(ApiModel):
    enabled: bool
    monthly_cap_usd: float
    horizon_hours: int
    freshness_days: int
    top_k: int
    updated_at: datetime | None = None
    updated_by: str | None = None
    last_run_at: datetime | None = None
    spend: SpeculativeSpend


CandidateState = Literal["generating", "ready", "served", "stale", "invalidated", "failed"]


class CandidateView(ApiModel):
    candidate_id: str
    request_id: str
    state: CandidateState = Field(
        description="ready: may serve; served: served at least once; invalidated: its brand kit changed since"
    )
    brief: str
    content_type: ContentType
    tier: str
    brand_kit_id: str
    brand_kit_version: int
    channel: str | None = None
    expected: float = Field(description="requests the forecast expected it to serve in its window")
    estimated_cost_usd: float
    cost_usd: float | None = None
    asset_id: str | None = None
    created_at: datetime
    stale_at: datetime
    served_count: int = 0
    first_served_at: datetime | None = None


class CandidatePage(ApiModel):
    items: list[CandidateView] = Field(description="candidates, newest window first")
    next_token: str | None = Field(default=None, description="opaque; pass it as nextToken (absent on the last page)")


def _state(candidate: Candidate, latest_kit: int | None, now: datetime) -> CandidateState:
    if latest_kit is not None and candidate.kit_version < latest_kit:
        return "invalidated"
    if candidate.served_count:
        return "served"
    if candidate.status == "failed":
        return "failed"
    if candidate.stale_at <= now:
        return "stale"
    return "ready" if candidate.status == "ready" else "generating"


def _view(candidate: Candidate, latest_kit: int | None, now: datetime) -> CandidateView:
    result = candidate.result
    return CandidateView(
        candidate_id=candidate.candidate_id,
        request_id=candidate.request_id,
        state=_state(candidate, latest_kit, now),
        brief=candidate.brief,
        content_type=candidate.content_type,
        tier=candidate.tier,
        brand_kit_id=candidate.kit_id,
        brand_kit_version=candidate.kit_version,
        channel=candidate.channel,
        expected=candidate.expected,
        estimated_cost_usd=candidate.estimated_cost_usd,
        cost_usd=result.cost_usd if result else None,
        asset_id=result.asset_id if result else None,
        created_at=candidate.created_at,
        stale_at=candidate.stale_at,
        served_count=candidate.served_count,
        first_served_at=candidate.first_served_at,
    )


def list_predictions(caller: Caller, deps: Deps, limit: int, next_token: str | None) -> CandidatePage:
    org_id = caller.org_id
    start = decode_token(org_id, LISTING, next_token)
    try:
        found, last = result_cache.repository(deps).candidates_page(org_id, check_limit(limit), start)
    except ValueError as error:
        raise InvalidRequest(
            "nextToken: issued for another list or organisation", [{"field": "nextToken", "problem": str(error)}]
        ) from error
    now = utcnow()
    latest: dict[str, int | None] = {}
    for candidate in found:
        if candidate.kit_id not in latest:
            try:
                latest[candidate.kit_id] = deps.kits.get(org_id, candidate.kit_id).version
            except BrandKitNotFound:
                latest[candidate.kit_id] = None
    items = [_view(c, latest[c.kit_id], now) for c in found]
    return CandidatePage(**page_of(items, org_id, LISTING, last))


def _spend(org_id: str, deps: Deps) -> SpeculativeSpend:
    month = month_of()
    status = result_cache.speculative_ledger(deps).status(org_id, month)
    now = utcnow()
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=now.tzinfo)
    used = unused = pending = 0.0
    for candidate in result_cache.repository(deps).candidates_since(org_id, start):
        cost = candidate.result.cost_usd if candidate.result else 0.0
        if candidate.served_count:
            used += cost
        elif candidate.stale_at <= now:
            unused += cost
        else:
            pending += cost
    return SpeculativeSpend(
        month=month,
        cap_usd=status.limit_usd,
        spent_usd=status.spent_usd,
        reserved_usd=status.reserved_usd,
        available_usd=status.available_usd,
        used_usd=round(used, 6),
        unused_usd=round(unused, 6),
        pending_usd=round(pending, 6),
    )


def _settings_view(org_id: str, settings: PredictionSettings, deps: Deps) -> PredictionSettingsView:
    spend = _spend(org_id, deps)
    return PredictionSettingsView(
        enabled=settings.enabled,
        monthly_cap_usd=spend.cap_usd,
        horizon_hours=settings.horizon_hours,
        freshness_days=settings.freshness_days,
        top_k=settings.top_k,
        updated_at=settings.updated_at,
        updated_by=settings.updated_by,
        last_run_at=settings.last_run_at,
        spend=spend,
    )


def get_settings(caller: Caller, deps: Deps) -> PredictionSettingsView:
    return _settings_view(caller.org_id, result_cache.repository(deps).settings(caller.org_id), deps)


def put_settings(caller: Caller, body: PredictionSettingsBody, deps: Deps) -> PredictionSettingsView:
    require_admin(caller, deps, "changing prediction settings")
    repo = result_cache.repository(deps)
    current = repo.settings(caller.org_id)
    settings = PredictionSettings(
        enabled=body.enabled,
        monthly_cap_usd=body.monthly_cap_usd,
        horizon_hours=body.horizon_hours,
        freshness_days=body.freshness_days,
        top_k=body.top_k,
        updated_at=utcnow(),
        updated_by=caller.user_id,
        last_run_at=current.last_run_at,
    )
    repo.put_settings(caller.org_id, settings)
    result_cache.speculative_ledger(deps).set_monthly_limit(caller.org_id, body.monthly_cap_usd)
    return _settings_view(caller.org_id, settings, deps)
