"""The off-peak prefetch: forecast each organisation's next requests and pre-generate them, within its cap.

The scheduled PrefetchFunction (template.yaml, EventBridge Scheduler at the ``PrefetchSchedule`` cron, the
off-peak window) calls ``run``: for every organisation that turned prediction on, the forecast
(prediction.forecast) over its request history proposes up to ``topK`` requests for the next
``horizonHours``; those a fresh candidate already covers are dropped; the rest are priced by the router at
the batch tier and started, in order of expected use, while their estimates fit what is left of the
organisation's monthly speculative cap (the speculative ledger, flashfusion.storage.budgets: a sub-ledger
of its own, never the main budget). Each runs through the real workflow as a batch request marked
``speculative``: no campaign, no posts, no translations, no callback. Its Save makes the candidate ready;
it goes stale at the end of the window.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from flashfusion.app import result_cache
from flashfusion.app.deps import Deps
from flashfusion.app.submissions import start, submission_hash
from flashfusion.errors import BrandKitNotFound, BudgetExceeded, NoModelAvailable
from flashfusion.modelbase import CamelModel
from flashfusion.models import AssetRequest, AssetSubmission, Latency, OutputOptions, Speculation, Tier, utcnow
from flashfusion.observability import logger
from flashfusion.prediction.forecast import ForecastRules, PastRequest, Proposal, forecast, within_cap
from flashfusion.prediction.matching import Wanted, best_offer, options_key
from flashfusion.routing import router
from flashfusion.storage.result_cache import Candidate, HistoryEntry, candidate_id_for

PREFETCH_USER = "system:prefetch"
"""The user id of every speculative request (the product asked, not a person)."""


class PrefetchReport(CamelModel):
    org_id: str
    proposed: int = 0
    covered: int = Field(default=0, description="proposals a fresh candidate already serves")
    started: list[str] = Field(default_factory=list, description="candidate ids started")
    over_cap: int = Field(default=0, description="proposals left out: their estimates did not fit the cap")
    remaining_cap_usd: float = 0.0


def past_request(entry: HistoryEntry) -> PastRequest:
    return PastRequest(
        at=entry.at,
        content_type=entry.content_type.value,
        brief=entry.brief,
        tier=entry.tier,
        kit_id=entry.kit_id,
        channel=entry.channel,
        campaign_id=entry.campaign_id,
        sponsored=entry.sponsored,
        options=options_key(entry.options),
    )


def submission_of(proposal: Proposal) -> AssetSubmission:
    """The request to pre-generate: batch, at the cluster's tier, nothing after Save but the candidate."""
    return AssetSubmission(
        content_type=proposal.content_type,
        prompt=proposal.brief,
        tier=Tier(proposal.tier),
        latency=Latency.BATCH,
        brand_kit_id=proposal.kit_id,
        channel=proposal.channel,
        sponsored=proposal.sponsored,
        options=OutputOptions.model_validate(dict(proposal.options)),
    )


def run(deps: Deps, sfn: Any, now: datetime | None = None) -> list[PrefetchReport]:
    now = now or utcnow()
    reports = []
    for org_id in result_cache.repository(deps).enabled_orgs():
        try:
            reports.append(run_org(deps, sfn, org_id, now))
        except Exception:  # one organisation's trouble does not stop the others' prefetch
            logger.exception("prefetch failed", extra={"orgId": org_id})
    return reports


def run_org(deps: Deps, sfn: Any, org_id: str, now: datetime | None = None) -> PrefetchReport:
    now = now or utcnow()
    repo = result_cache.repository(deps)
    settings = repo.settings(org_id)
    report = PrefetchReport(org_id=org_id)
    if not settings.enabled:
        return report
    rules = ForecastRules(horizon_hours=settings.horizon_hours, top_k=settings.top_k)
    history = [past_request(e) for e in repo.history(org_id, now - timedelta(days=rules.lookback_days))]
    proposals = forecast(history, now, rules)
    report.proposed = len(proposals)
    ledger = result_cache.speculative_ledger(deps)
    remaining = ledger.status(org_id).available_usd
    priced: list[tuple[Proposal, float]] = []
    kits: dict[str, int] = {}
    for proposal in proposals:
        try:
            kits.setdefault(proposal.kit_id, deps.kits.get(org_id, proposal.kit_id).version)
            submission = submission_of(proposal)
            decision = router.route(deps.matrix, router.query_for(submission, deps.available_providers, None))
        except (BrandKitNotFound, NoModelAvailable, BudgetExceeded, ValueError) as error:
            logger.info("proposal skipped", extra={"orgId": org_id, "reason": type(error).__name__})
            continue
        if _covered(repo.fresh_candidates(org_id, proposal.content_type, now), proposal, kits[proposal.kit_id], now):
            report.covered += 1
            continue
        priced.append((proposal, decision.estimated_cost_usd))
    chosen = within_cap(priced, remaining)
    report.over_cap = len(priced) - len(chosen)
    stale_at = now + timedelta(hours=settings.horizon_hours)
    for proposal, estimate in chosen:
        report.started.append(_start(deps, sfn, org_id, proposal, estimate, kits[proposal.kit_id], now, stale_at))
    report.remaining_cap_usd = round(remaining - sum(cost for _, cost in chosen), 6)
    repo.mark_run(org_id, now)
    logger.info("prefetch", extra=report.to_json())
    return report


def _covered(candidates: list[Candidate], proposal: Proposal, kit_version: int, now: datetime) -> bool:
    """A fresh candidate (ready or still generating) would serve the proposal's brief."""
    offers = [replace(result_cache.offer_of(c), ready=True) for c in candidates if c.status != "failed"]
    wanted = Wanted(
        brief=proposal.brief,
        content_type=proposal.content_type,
        tier=proposal.tier,
        kit_id=proposal.kit_id,
        kit_version=kit_version,
        channel=proposal.channel,
        sponsored=proposal.sponsored,
        options=proposal.options,
    )
    return best_offer(offers, wanted, now) is not None


def _start(
    deps: Deps,
    sfn: Any,
    org_id: str,
    proposal: Proposal,
    estimate: float,
    kit_version: int,
    now: datetime,
    stale_at: datetime,
) -> str:
    submission = submission_of(proposal)
    request_id = str(uuid.uuid4())
    candidate_id = candidate_id_for(proposal.content_type, stale_at, request_id)
    request = AssetRequest(
        **submission.model_dump(),
        request_id=request_id,
        org_id=org_id,
        user_id=PREFETCH_USER,
        speculative=Speculation(candidate_id=candidate_id, expires_at=stale_at, expected=proposal.expected),
    )
    result_cache.repository(deps).put_candidate(
        org_id,
        Candidate(
            candidate_id=candidate_id,
            request_id=request_id,
            status="generating",
            brief=proposal.brief,
            content_type=proposal.content_type,
            tier=proposal.tier,
            kit_id=proposal.kit_id,
            kit_version=kit_version,
            channel=proposal.channel,
            campaign_id=proposal.campaign_id,
            sponsored=proposal.sponsored,
            options=dict(proposal.options),
            expected=proposal.expected,
            estimated_cost_usd=estimate,
            created_at=now,
            stale_at=stale_at,
        ),
    )
    deps.requests.create(request, submission_hash(submission))
    start(request, deps, sfn)
    return candidate_id
