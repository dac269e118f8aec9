"""The forecast: from an organisation's request history, the requests likely to come in the next window.

History is grouped by *template*: content type, channel, campaign, brand kit, sponsored flag and output
options (what a served candidate must match exactly). Within a template, briefs are clustered by the
serving measure (briefs.close_enough against the cluster's newest brief), so a cluster is a set of requests
one candidate could have served.

A cluster's expected count in the window is its recency-weighted rate in the window's slots. A slot is a
(weekday, hour bucket) pair, UTC; the window (e.g. the next 24 hours) covers a set of slots. Each past
request in a covered slot counts ``0.5 ** (age_days / half_life_days)``; the sum is divided by the same
weight summed over the weeks of history seen (one occurrence a week at that age), so a request made in
that slot every week of the history expects about 1, one made once a month ago expects little, and a
pattern that stopped fades with the half-life.

A cluster is proposed when it recurs and is more likely than not to be asked for: it was asked for in the
window's slots in at least ``min_weeks`` (2) different weeks, and its expected count is at least ln 2, the
rate at which a Poisson arrival process brings at least one request with probability 1/2.

A proposal's brief is the cluster's medoid (the member closest, by the same measure, to the others; the
newest wins a tie); its tier is the highest the cluster asked for, so it serves every member ("same tier
or better").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flashfusion.prediction.briefs import CLOSE_ENOUGH, similarity

TIER_RANK = {"basic": 0, "standard": 1, "premium": 2}


@dataclass(frozen=True)
class PastRequest:
    """One request of the history (never a speculative one: the forecast must not feed on itself)."""

    at: datetime
    content_type: str
    brief: str
    tier: str
    kit_id: str
    channel: str | None = None
    campaign_id: str | None = None
    sponsored: bool = False
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def template(self) -> tuple[Any, ...]:
        return (self.content_type, self.channel, self.campaign_id, self.kit_id, self.sponsored, self.options)


@dataclass(frozen=True)
class ForecastRules:
    horizon_hours: int = 24
    """How far ahead the window reaches (until the next off-peak run)."""
    hour_bucket: int = 3
    """Hours per slot: requests a little earlier or later on the same weekday count as the same slot."""
    half_life_days: float = 14.0
    lookback_days: int = 42
    min_expected: float = math.log(2)
    """P(at least one request in the window) >= 1/2 under a Poisson model: below it, more likely wasted."""
    min_weeks: int = 2
    """Distinct weeks (ISO) in which the cluster was asked for in the window's slots: a pattern, not a fluke."""
    top_k: int = 10
    threshold: float = CLOSE_ENOUGH


@dataclass(frozen=True)
class Proposal:
    brief: str
    content_type: str
    tier: str
    kit_id: str
    channel: str | None
    campaign_id: str | None
    sponsored: bool
    options: tuple[tuple[str, Any], ...]
    expected: float
    support: int
    last_seen: datetime
    members: tuple[str, ...] = field(default=(), repr=False)


def slot_of(moment: datetime, hour_bucket: int) -> tuple[int, int]:
    return moment.weekday(), moment.hour // hour_bucket


def window_slots(start: datetime, hours: int, hour_bucket: int) -> set[tuple[int, int]]:
    return {slot_of(start + timedelta(hours=h), hour_bucket) for h in range(hours)}


def _weight(age_days: float, half_life: float) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life))


def _clusters(requests: Sequence[PastRequest], threshold: float) -> list[list[PastRequest]]:
    """Newest first; each request joins the first cluster whose newest brief is close enough."""
    clusters: list[list[PastRequest]] = []
    for request in sorted(requests, key=lambda r: r.at, reverse=True):
        for cluster in clusters:
            if similarity(cluster[0].brief, request.brief) >= threshold:
                cluster.append(request)
                break
        else:
            clusters.append([request])
    return clusters


def _medoid(cluster: Sequence[PastRequest]) -> PastRequest:
    if len(cluster) <= 2:
        return cluster[0]
    scored = [(sum(similarity(m.brief, o.brief) for o in cluster), -i) for i, m in enumerate(cluster)]
    best = max(range(len(cluster)), key=lambda i: scored[i])
    return cluster[best]


def forecast(history: Iterable[PastRequest], now: datetime, rules: ForecastRules | None = None) -> list[Proposal]:
    """The top ``rules.top_k`` proposals for the window [now, now + horizon), most expected first."""
    rules = rules or ForecastRules()
    since = now - timedelta(days=rules.lookback_days)
    recent = [r for r in history if since <= r.at < now]
    if not recent:
        return []
    slots = window_slots(now, rules.horizon_hours, rules.hour_bucket)
    span_weeks = math.ceil((now - min(r.at for r in recent)).total_seconds() / (7 * 86400))
    weeks = max(1, min(span_weeks, rules.lookback_days // 7))
    norm = sum(_weight(7.0 * k, rules.half_life_days) for k in range(1, weeks + 1))
    by_template: dict[tuple[Any, ...], list[PastRequest]] = {}
    for request in recent:
        by_template.setdefault(request.template, []).append(request)
    proposals: list[Proposal] = []
    for members in by_template.values():
        for cluster in _clusters(members, rules.threshold):
            in_slots = [r for r in cluster if slot_of(r.at, rules.hour_bucket) in slots]
            if len({r.at.isocalendar()[:2] for r in in_slots}) < rules.min_weeks:
                continue
            mass = sum(_weight((now - r.at).total_seconds() / 86400, rules.half_life_days) for r in in_slots)
            expected = mass / norm
            if expected < rules.min_expected:
                continue
            centre = _medoid(cluster)
            proposals.append(
                Proposal(
                    brief=centre.brief,
                    content_type=centre.content_type,
                    tier=max((r.tier for r in cluster), key=lambda t: TIER_RANK.get(t, 0)),
                    kit_id=centre.kit_id,
                    channel=centre.channel,
                    campaign_id=centre.campaign_id,
                    sponsored=centre.sponsored,
                    options=centre.options,
                    expected=round(expected, 4),
                    support=len(cluster),
                    last_seen=cluster[0].at,
                    members=tuple(r.brief for r in cluster),
                )
            )
    proposals.sort(key=lambda p: (-p.expected, -p.last_seen.timestamp(), p.brief))
    return proposals[: rules.top_k]


def within_cap(priced: Sequence[tuple[Proposal, float]], remaining_usd: float) -> list[tuple[Proposal, float]]:
    """The proposals, in their order, whose estimated costs fit the remaining speculative cap together
    (a dearer one that does not fit is skipped, a cheaper one after it may still fit)."""
    chosen: list[tuple[Proposal, float]] = []
    left = remaining_usd
    for proposal, cost in priced:
        if cost <= left + 1e-12:
            chosen.append((proposal, cost))
            left -= cost
    return chosen
