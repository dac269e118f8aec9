"""The five numbers the team runs the product by, defined once, and the figures beside them.

Everything here is computed from *facts*: what the request and provenance records say about each
request (``RequestFacts``), the reviews still waiting (``PendingReview``) and each organisation's month
(``BudgetMonth``). ``ffo report``, ``GET /v1/metrics`` and the dashboard's metric math all mean the
numbers defined below; the EMF metrics the steps emit (``flashfusion.metrics.emf``) are the same facts
counted as they happen.

Scope: the requests **created** in ``[since, until)`` (submission time, UTC), every status included:
succeeded, failed, cancelled, rejected, expired in review, queued for budget and still running.

The five numbers
----------------
1. **Generation latency P50/P95/P99 per model** (milliseconds): over every *successful vendor call* of
   those requests (``VendorCall.succeeded``), grouped by the model called. The latency is the vendor's
   generation time as the Generate/Poll step measured it: the synchronous call's duration, or for a job
   API (video, music) the time from submission to the poll that found it done. Time queued for budget,
   waiting for a reviewer, linting or saving is not in it; failed calls are not in it (their time is
   time to an error). Percentiles are nearest-rank: the smallest value with at least p % of the values
   at or below it (``ceil(p/100 * n)``-th of the sorted values). No calls: no value (None).
2. **Brand compliance rate** (share, 0-1): of the requests whose first generated version was linted,
   the share whose *first* lint (version 1, before any auto-fix, review or regeneration) found it
   compliant. Requests that never produced an output (failed before lint) are not in the denominator.
3. **Retry rate** (share, 0-1): of the requests that called a vendor at least once, the share with at
   least one failed vendor call, retried or fallen back from (every failed call is followed by a retry,
   a fallback, or the request's failure). Requests that failed before calling a vendor are not counted.
4. **Cost per asset** (USD per asset): vendor spend divided by assets delivered. Spend is the billed cost
   of every successful vendor call of the requests (a failed call is not billed), including versions a
   reviewer sent back, rejected versions and the outputs of requests that failed or were cancelled
   afterwards: that is what getting the assets cost. An asset is a request whose result was saved
   (``delivered``). Per model: the spend on calls *to that model* over the assets *that model made*
   (the published version's model). No assets: no value (None).
5. **Human intervention rate** (share, 0-1): of the requests whose first version was linted (the same
   denominator as 2), the share for which a person was asked to review (a review was opened, whatever
   its outcome, including reviews that expired or were cancelled).

Supporting figures: requests by final status, vendor calls and failed calls, fallbacks (hops to the
next model), human-edited assets, spend against each organisation's monthly budget, and the review
backlog (reviews pending now, and the oldest one's age).

Grouping (``--group-by`` / ``groupBy``): medium, tier and campaign are properties of the request, and
every figure of a request (its calls included) goes to its group. By model, a request belongs to the
model of its published version, or if it has none to the last model it called (``(none)`` if it never
called one); the call-level figures (latency, spend, calls) go to the model *called*, so a fallback's
failed call counts against the model that failed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

GroupBy = Literal["model", "medium", "campaign", "tier"]
GROUP_BYS: tuple[GroupBy, ...] = ("model", "medium", "campaign", "tier")
NO_GROUP = "(none)"
"""The group of a request without a value for the grouping (no campaign, never called a model)."""

PERCENTILES = (50, 95, 99)

FINAL_STATUS_FIELDS = {
    "succeeded": "succeeded",
    "translating": "succeeded",  # saved; its translations are still running
    "failed": "failed",
    "cancelled": "cancelled",
    "rejected": "rejected",
    "review_expired": "review_expired",
    "queued": "queued",
}
"""Request status -> the count it adds to; any other status is a request still in progress."""


@dataclass(frozen=True)
class VendorCall:
    """One call of one model (an attempt record): retries and fallbacks are calls of their own."""

    model: str
    succeeded: bool
    latency_ms: int
    cost_usd: float = 0.0
    """Billed cost of a successful call; 0 for a failed one."""


@dataclass(frozen=True)
class RequestFacts:
    """What the records say about one request, all the numbers need."""

    request_id: str
    org_id: str
    created_at: datetime
    status: str
    medium: str
    tier: str
    campaign_id: str | None = None
    calls: tuple[VendorCall, ...] = ()
    fallbacks: int = 0
    first_lint_compliant: bool | None = None
    """The first lint of version 1 (before auto-fix): None if no output was ever linted."""
    reviewed: bool = False
    """A person was asked to review a version of this request."""
    asset_model: str | None = None
    """The published version's model; None when nothing was saved."""
    human_edited: bool = False
    """The published version carries a reviewer's edit."""

    @property
    def delivered(self) -> bool:
        return self.asset_model is not None

    @property
    def model(self) -> str:
        """The request's model for grouping: the published version's, else the last one called."""
        if self.asset_model:
            return self.asset_model
        return self.calls[-1].model if self.calls else NO_GROUP

    def group(self, by: GroupBy) -> str:
        if by == "model":
            return self.model
        if by == "medium":
            return self.medium
        if by == "tier":
            return self.tier
        return self.campaign_id or NO_GROUP


@dataclass(frozen=True)
class PendingReview:
    org_id: str
    review_id: str
    created_at: datetime


@dataclass(frozen=True)
class BudgetMonth:
    org_id: str
    month: str
    limit_usd: float
    spent_usd: float
    reserved_usd: float


@dataclass(frozen=True)
class Rate:
    """A share with what it was computed from, so a reader can check it (value None when nothing counted)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Latency:
    model: str
    calls: int
    p50_ms: int | None
    p95_ms: int | None
    p99_ms: int | None


@dataclass(frozen=True)
class ModelCost:
    model: str
    spend_usd: float
    assets: int

    @property
    def usd_per_asset(self) -> float | None:
        return self.spend_usd / self.assets if self.assets else None


@dataclass(frozen=True)
class Figures:
    """The five numbers and the supporting counts for one set of requests."""

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
    spend_usd: float
    assets: int
    latency: tuple[Latency, ...]
    brand_compliance: Rate
    retry_rate: Rate
    human_intervention: Rate
    cost_per_model: tuple[ModelCost, ...]

    @property
    def cost_per_asset_usd(self) -> float | None:
        return self.spend_usd / self.assets if self.assets else None


@dataclass(frozen=True)
class Group:
    key: str
    figures: Figures


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_age_seconds: float | None


@dataclass(frozen=True)
class BudgetUse:
    org_id: str
    month: str
    limit_usd: float
    spent_usd: float
    reserved_usd: float

    @property
    def used_share(self) -> float | None:
        """Spent and held, over the limit (None for a zero limit)."""
        return (self.spent_usd + self.reserved_usd) / self.limit_usd if self.limit_usd else None


@dataclass(frozen=True)
class Report:
    since: datetime | None
    until: datetime | None
    group_by: GroupBy | None
    total: Figures
    groups: tuple[Group, ...] = ()
    budgets: tuple[BudgetUse, ...] = ()
    backlog: Backlog = field(default_factory=lambda: Backlog(0, None))


def nearest_rank(values: Sequence[int], percentile: float) -> int | None:
    """The nearest-rank percentile: the ``ceil(p/100 * n)``-th smallest value (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def in_window(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    """``since`` inclusive, ``until`` exclusive, so consecutive windows never count a request twice."""
    return (since is None or moment >= since) and (until is None or moment < until)


def month_overlaps(month: str, since: datetime | None, until: datetime | None) -> bool:
    """Whether a budget month (``YYYY-MM``, UTC) shares time with ``[since, until)``."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return (until is None or start < until) and (since is None or end > since)


def latency_of(calls: Iterable[VendorCall]) -> tuple[Latency, ...]:
    by_model: dict[str, list[int]] = {}
    for call in calls:
        if call.succeeded:
            by_model.setdefault(call.model, []).append(call.latency_ms)
    return tuple(
        Latency(model, len(values), *(nearest_rank(values, p) for p in PERCENTILES))
        for model, values in sorted(by_model.items())
    )


def figures(requests: Sequence[RequestFacts], call_filter: Callable[[VendorCall], bool] = lambda _: True) -> Figures:
    """Every figure of these requests; ``call_filter`` keeps the calls that belong (by model: that model's)."""
    statuses = dict.fromkeys(("succeeded", "failed", "cancelled", "rejected", "review_expired", "queued"), 0)
    in_progress = 0
    for request in requests:
        counted = FINAL_STATUS_FIELDS.get(request.status)
        if counted:
            statuses[counted] += 1
        else:
            in_progress += 1
    calls = [call for request in requests for call in request.calls if call_filter(call)]
    linted = [r for r in requests if r.first_lint_compliant is not None]
    called = [r for r in requests if r.calls]
    spend: dict[str, float] = {}
    for call in calls:
        if call.succeeded:
            spend[call.model] = spend.get(call.model, 0.0) + call.cost_usd
    assets: dict[str, int] = {}
    for request in requests:
        if request.asset_model:
            assets[request.asset_model] = assets.get(request.asset_model, 0) + 1
    return Figures(
        requests=len(requests),
        **statuses,
        in_progress=in_progress,
        vendor_calls=len(calls),
        failed_calls=sum(1 for call in calls if not call.succeeded),
        fallbacks=sum(r.fallbacks for r in requests),
        human_edited=sum(1 for r in requests if r.delivered and r.human_edited),
        spend_usd=round(sum(spend.values()), 6),
        assets=sum(assets.values()),
        latency=latency_of(calls),
        brand_compliance=Rate(sum(1 for r in linted if r.first_lint_compliant), len(linted)),
        retry_rate=Rate(sum(1 for r in called if any(not c.succeeded for c in r.calls)), len(called)),
        human_intervention=Rate(sum(1 for r in linted if r.reviewed), len(linted)),
        cost_per_model=tuple(
            ModelCost(model, round(spend.get(model, 0.0), 6), assets.get(model, 0))
            for model in sorted(set(spend) | set(assets))
        ),
    )


def report(
    requests: Iterable[RequestFacts],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: GroupBy | None = None,
    pending_reviews: Iterable[PendingReview] = (),
    budgets: Iterable[BudgetMonth] = (),
    now: datetime,
) -> Report:
    """The report over the requests created in ``[since, until)``, optionally grouped."""
    scoped = [r for r in requests if in_window(r.created_at, since, until)]
    groups: tuple[Group, ...] = ()
    if group_by == "model":
        models = sorted({r.model for r in scoped} | {c.model for r in scoped for c in r.calls})
        groups = tuple(Group(model, _model_figures(scoped, model)) for model in models)
    elif group_by:
        keys = sorted({r.group(group_by) for r in scoped})
        groups = tuple(Group(key, figures([r for r in scoped if r.group(group_by) == key])) for key in keys)
    pending = list(pending_reviews)
    oldest = min((review.created_at for review in pending), default=None)
    return Report(
        since=since,
        until=until,
        group_by=group_by,
        total=figures(scoped),
        groups=groups,
        budgets=tuple(
            BudgetUse(b.org_id, b.month, b.limit_usd, b.spent_usd, b.reserved_usd)
            for b in sorted(budgets, key=lambda b: (b.org_id, b.month))
            if month_overlaps(b.month, since, until)
        ),
        backlog=Backlog(len(pending), (now - oldest).total_seconds() if oldest else None),
    )


def _model_figures(requests: Sequence[RequestFacts], model: str) -> Figures:
    """One model's row: its requests' figures, with the calls (latency, spend, calls) made to it by any request."""
    own = figures([r for r in requests if r.model == model])
    calls = figures(requests, call_filter=lambda call: call.model == model)
    return Figures(
        **{
            **own.__dict__,
            "vendor_calls": calls.vendor_calls,
            "failed_calls": calls.failed_calls,
            "spend_usd": round(sum(c.spend_usd for c in calls.cost_per_model if c.model == model), 6),
            "latency": tuple(lat for lat in calls.latency if lat.model == model),
            "cost_per_model": (
                ModelCost(
                    model,
                    round(sum(c.spend_usd for c in calls.cost_per_model if c.model == model), 6),
                    own.assets,
                ),
            ),
        }
    )
