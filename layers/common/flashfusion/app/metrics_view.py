"""``GET /v1/metrics`` and ``ffo report``: the operating numbers (flashfusion.metrics.definitions) as a typed
document. Both print this model, so the API and the command line say the same thing about the same records.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from flashfusion.app.api_models import ApiModel
from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.submissions import check_org
from flashfusion.errors import InvalidRequest
from flashfusion.metrics import definitions as d
from flashfusion.modelbase import MAX_YEAR, MIN_YEAR, parse_instant
from flashfusion.models import utcnow
from flashfusion.storage.metrics_records import Facts, org_facts


class RateView(ApiModel):
    value: float | None = Field(
        default=None, description="numerator / denominator, 0-1; null when the denominator is 0"
    )
    numerator: int
    denominator: int


class LatencyView(ApiModel):
    model: str
    calls: int = Field(description="successful vendor calls measured")
    p50_ms: int | None = None
    p95_ms: int | None = None
    p99_ms: int | None = None


class ModelCostView(ApiModel):
    model: str
    spend_usd: float = Field(description="billed cost of the successful calls to this model")
    assets: int = Field(description="assets whose published version this model made")
    usd_per_asset: float | None = None


class FiguresView(ApiModel):
    """The five numbers and the counts beside them (definitions: flashfusion.metrics.definitions)."""

    requests: int
    succeeded: int
    failed: int
    cancelled: int
    rejected: int
    review_expired: int
    queued: int
    in_progress: int
    vendor_calls: int
    failed_calls: int
    fallbacks: int
    human_edited: int
    assets: int
    spend_usd: float
    generation_latency: list[LatencyView] = Field(description="P50/P95/P99 in ms per model called")
    brand_compliance_rate: RateView = Field(description="compliant at the first lint / first versions linted")
    retry_rate: RateView = Field(description="requests with a failed vendor call / requests that called one")
    human_intervention_rate: RateView = Field(description="requests a person reviewed / first versions linted")
    cost_per_asset_usd: float | None = Field(default=None, description="spend / assets")
    cost_per_asset_by_model: list[ModelCostView]


class GroupView(ApiModel):
    key: str
    figures: FiguresView


class BudgetView(ApiModel):
    org_id: str
    month: str
    limit_usd: float
    spent_usd: float
    reserved_usd: float
    used_share: float | None = Field(default=None, description="(spent + reserved) / limit")


class BacklogView(ApiModel):
    pending: int = Field(description="reviews waiting for a person now")
    oldest_age_seconds: float | None = None


class MetricsReport(ApiModel):
    since: datetime | None = None
    until: datetime | None = None
    group_by: d.GroupBy | None = None
    generated_at: datetime
    total: FiguresView
    groups: list[GroupView] = Field(default_factory=list)
    budgets: list[BudgetView] = Field(default_factory=list)
    review_backlog: BacklogView


def _rate(rate: d.Rate) -> RateView:
    return RateView(value=rate.value, numerator=rate.numerator, denominator=rate.denominator)


def figures_view(f: d.Figures) -> FiguresView:
    return FiguresView(
        requests=f.requests,
        succeeded=f.succeeded,
        failed=f.failed,
        cancelled=f.cancelled,
        rejected=f.rejected,
        review_expired=f.review_expired,
        queued=f.queued,
        in_progress=f.in_progress,
        vendor_calls=f.vendor_calls,
        failed_calls=f.failed_calls,
        fallbacks=f.fallbacks,
        human_edited=f.human_edited,
        assets=f.assets,
        spend_usd=f.spend_usd,
        generation_latency=[
            LatencyView(model=x.model, calls=x.calls, p50_ms=x.p50_ms, p95_ms=x.p95_ms, p99_ms=x.p99_ms)
            for x in f.latency
        ],
        brand_compliance_rate=_rate(f.brand_compliance),
        retry_rate=_rate(f.retry_rate),
        human_intervention_rate=_rate(f.human_intervention),
        cost_per_asset_usd=f.cost_per_asset_usd,
        cost_per_asset_by_model=[
            ModelCostView(model=c.model, spend_usd=c.spend_usd, assets=c.assets, usd_per_asset=c.usd_per_asset)
            for c in f.cost_per_model
        ],
    )


def report_view(report: d.Report, generated_at: datetime) -> MetricsReport:
    return MetricsReport(
        since=report.since,
        until=report.until,
        group_by=report.group_by,
        generated_at=generated_at,
        total=figures_view(report.total),
        groups=[GroupView(key=g.key, figures=figures_view(g.figures)) for g in report.groups],
        budgets=[
            BudgetView(
                org_id=b.org_id,
                month=b.month,
                limit_usd=b.limit_usd,
                spent_usd=b.spent_usd,
                reserved_usd=b.reserved_usd,
                used_share=b.used_share,
            )
            for b in report.budgets
        ],
        review_backlog=BacklogView(
            pending=report.backlog.pending, oldest_age_seconds=report.backlog.oldest_age_seconds
        ),
    )


def compute(
    facts: Facts,
    since: datetime | None,
    until: datetime | None,
    group_by: d.GroupBy | None,
    now: datetime | None = None,
) -> MetricsReport:
    """The report over these facts: the one computation behind the API and ``ffo report``."""
    moment = now or utcnow()
    report = d.report(
        facts.requests,
        since=since,
        until=until,
        group_by=group_by,
        pending_reviews=facts.pending_reviews,
        budgets=facts.budgets,
        now=moment,
    )
    return report_view(report, moment)


def _instant(name: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_instant(value)
    except ValueError as error:
        problem = f"an ISO 8601 date and time with Z or an offset, years {MIN_YEAR}-{MAX_YEAR}"
        raise InvalidRequest(f"{name}: {problem}", [{"field": name, "problem": problem}]) from error


def metrics_for(
    caller: Caller, deps: Deps, *, since: str | None, until: str | None, group_by: str | None
) -> MetricsReport:
    """``GET /v1/metrics``: the caller's organisation only (its partition is the only one read)."""
    check_org(caller.org_id)
    start, end = _instant("since", since), _instant("until", until)
    if start and end and end <= start:
        raise InvalidRequest("until must be after since", [{"field": "until", "problem": "not after since"}])
    if group_by and group_by not in d.GROUP_BYS:
        problem = f"one of {', '.join(d.GROUP_BYS)}"
        raise InvalidRequest(f"groupBy: {problem}", [{"field": "groupBy", "problem": problem}])
    grouping: d.GroupBy | None = next((g for g in d.GROUP_BYS if g == group_by), None)
    return compute(org_facts(deps.requests.table, caller.org_id, start, end), start, end, grouping)
