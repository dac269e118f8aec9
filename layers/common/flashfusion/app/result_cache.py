"""The Generate step's cache: serve a request from an earlier result, or from a pre-generated candidate.

``serve`` runs in the Generate step before any vendor call. A hit copies the earlier output's staged bytes
into this request's staging area and returns a ready Generation carrying ``servedFrom`` (no vendor call,
the step's budget hold released, nothing spent); LintAsset and SaveAsset then run as usual, and SaveAsset
writes this request's own version (its own file and content credentials) whose provenance says which
version it copies, and whether from the exact cache or a pre-generated candidate.

``remember`` runs in the Save step: the saved output (after auto-fixes) becomes an exact-cache entry
(prediction.cache_key, fresh for the organisation's freshness window), or, for a speculative request,
its candidate becomes ready.

Never served or remembered: a request with ``cache: "bypass"``, one with injected faults (it is there to
exercise the vendor path), a regeneration round. Never remembered: a version that did not pass lint on its
own (a person approved or edited it), a copy, a translation. Never served: a speculative request.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flashfusion.app.deps import Deps
from flashfusion.app.operating_metrics import emit_for_request
from flashfusion.models import (
    AssetRequest,
    Generation,
    Revision,
    RouteDecision,
    ServedFrom,
    WorkflowState,
    utcnow,
)
from flashfusion.observability import MetricUnit, logger
from flashfusion.prediction.cache_key import cache_key
from flashfusion.prediction.matching import Offer, Wanted, best_offer, options_key
from flashfusion.storage.budgets import BudgetRepository
from flashfusion.storage.result_cache import (
    CacheEntry,
    Candidate,
    HistoryEntry,
    ResultCacheRepository,
    StoredResult,
)

STAGING_LIFETIME_DAYS = 7
"""The staging area's lifecycle rule (template.yaml AssetsBucket, ``staging/``): a cached result's bytes live
there, so no entry is fresher for longer than this."""


def repository(deps: Deps) -> ResultCacheRepository:
    return ResultCacheRepository(deps.requests.table)


def speculative_ledger(deps: Deps) -> BudgetRepository:
    """The speculative sub-ledger: its limit is the organisation's monthly speculative cap (0 until set)."""
    return BudgetRepository(deps.budgets.table, 0.0, ledger="speculative")


def ledger_for(deps: Deps, request: AssetRequest) -> BudgetRepository:
    """Which budget a request's reservations draw on: speculative requests never touch the main budget."""
    return speculative_ledger(deps) if request.speculative is not None else deps.budgets


def cacheable(request: AssetRequest, revision: Revision) -> bool:
    return request.cache == "use" and not request.faults and revision.round == 0 and not revision.feedback


KEYED_FIELDS = frozenset(
    {"content_type", "prompt", "tier", "latency", "brand_kit_id", "channel", "sponsored", "options"}
)
"""Fields the key takes in its own way (tier and latency through the routed model, the kit with its version)."""
UNKEYED_FIELDS = frozenset(
    {
        "client_request_id",
        "locales",
        "campaign_id",
        "schedule",
        "faults",
        "callback_url",
        "cache",
        "request_id",
        "org_id",
        "user_id",
        "submitted_at",
        "speculative",
    }
)
"""Fields that do not change what is generated (what happens after Save, who asked, when)."""


def extra_of(request: AssetRequest) -> dict[str, Any]:
    """Every other field of the request not at its default: part of the key, and a reason to look for no
    candidate (candidates are plain generations)."""
    extra: dict[str, Any] = request.model_dump(
        mode="json", by_alias=True, exclude=set(KEYED_FIELDS | UNKEYED_FIELDS), exclude_defaults=True
    )
    return extra


def key_of(request: AssetRequest, kit_id: str, kit_version: int, model: str) -> str:
    return cache_key(
        brief=request.prompt,
        kit_id=kit_id,
        kit_version=kit_version,
        model=model,
        options=request.options.model_dump(),
        content_type=request.content_type.value,
        channel=request.channel,
        sponsored=request.sponsored,
        extra=extra_of(request),
    )


def wanted_of(request: AssetRequest, kit_id: str, kit_version: int) -> Wanted:
    return Wanted(
        brief=request.prompt,
        content_type=request.content_type.value,
        tier=request.tier.value,
        kit_id=kit_id,
        kit_version=kit_version,
        channel=request.channel,
        sponsored=request.sponsored,
        options=options_key(request.options.model_dump()),
    )


def offer_of(candidate: Candidate) -> Offer:
    generated = candidate.result.generated_at if candidate.result else candidate.created_at
    return Offer(
        candidate_id=candidate.candidate_id,
        brief=candidate.brief,
        content_type=candidate.content_type.value,
        tier=candidate.tier,
        kit_id=candidate.kit_id,
        kit_version=candidate.kit_version,
        channel=candidate.channel,
        sponsored=candidate.sponsored,
        options=options_key(candidate.options),
        generated_at=generated,
        expires_at=candidate.stale_at,
        ready=candidate.status == "ready" and candidate.result is not None,
    )


def speculation_ended(deps: Deps, request: AssetRequest) -> bool:
    """On any failure of a speculative request: its candidate fails (a no-op for other requests)."""
    if request.speculative is None:
        return False
    return repository(deps).candidate_failed(request.org_id, request.speculative.candidate_id)


def record_history(deps: Deps, request: AssetRequest) -> None:
    """The forecast's input: every request the organisation made (not the product's own speculation)."""
    if request.speculative is not None or extra_of(request):
        return  # the forecast proposes plain generations only
    repository(deps).record_history(
        request.org_id,
        HistoryEntry(
            at=request.submitted_at,
            request_id=request.request_id,
            content_type=request.content_type,
            brief=request.prompt,
            tier=request.tier.value,
            kit_id=request.brand_kit_id,
            channel=request.channel,
            campaign_id=request.campaign_id,
            sponsored=request.sponsored,
            options=request.options.to_json(),
        ),
    )


def _found(state: WorkflowState, deps: Deps, decision: RouteDecision) -> tuple[StoredResult, ServedFrom] | None:
    request, validated = state.request, state.validated
    if validated is None:
        return None
    repo = repository(deps)
    now = utcnow()
    key = key_of(request, validated.brand_kit_id, validated.brand_kit_version, decision.model)
    entry = repo.get_entry(request.org_id, key, now)
    if entry is not None:
        result = entry.result
        return result, ServedFrom(
            asset_id=result.asset_id,
            version=result.version,
            kind="cache",
            generated_at=result.generated_at,
            request_id=result.request_id,
        )
    if extra_of(request):
        return None  # candidates are plain generations
    candidates = {c.candidate_id: c for c in repo.fresh_candidates(request.org_id, request.content_type.value, now)}
    offer = best_offer(
        (offer_of(c) for c in candidates.values()),
        wanted_of(request, validated.brand_kit_id, validated.brand_kit_version),
        now,
    )
    if offer is None:
        return None
    chosen = candidates[offer.candidate_id]
    assert chosen.result is not None  # offer_of: ready only with a result
    result = chosen.result
    return result, ServedFrom(
        asset_id=result.asset_id,
        version=result.version,
        kind="pregenerated",
        generated_at=result.generated_at,
        request_id=result.request_id,
        candidate_id=chosen.candidate_id,
    )


def serve(state: WorkflowState, deps: Deps, decision: RouteDecision, asset_id: str) -> Generation | None:
    """A ready Generation copied from an earlier result, or None (generate as usual)."""
    request, revision = state.request, state.revision
    if request.speculative is not None or not cacheable(request, revision):
        return None
    started = time.perf_counter()
    found = _found(state, deps, decision)
    if found is None:
        return None
    result, served_from = found
    try:
        data = deps.assets.read_staged(request.org_id, result.staging_key)
    except Exception as error:  # expired from staging, or gone: generate as usual
        logger.warning("cached result unreadable", extra={"assetId": result.asset_id, "error": type(error).__name__})
        return None
    name = f"{asset_id}.v{revision.version}.{result.extension}"
    staged = deps.assets.stage(request.org_id, request.request_id, name, data, result.mime_type)
    if decision.reservation_id:  # no vendor call: the hold goes back untouched
        ledger_for(deps, request).release(request.org_id, decision.reservation_id)
    if served_from.candidate_id:
        repository(deps).mark_served(request.org_id, served_from.candidate_id)
    latency = int((time.perf_counter() - started) * 1000)
    metric = "CacheHits" if served_from.kind == "cache" else "CandidateHits"
    emit_for_request(metric, MetricUnit.Count, 1, result.model, request.content_type.value, request.tier.value)
    emit_for_request(
        "LatencySavedMs", MetricUnit.Milliseconds, result.latency_ms, result.model,
        request.content_type.value, request.tier.value,
    )  # fmt: skip
    logger.info("served from an earlier result", extra={"servedFrom": served_from.to_json()})
    return result.served_as(
        asset_id=asset_id,
        version=revision.version,
        parent_version=revision.parent_version,
        staging_key=staged,
        latency_ms=latency,
        served_from=served_from,
    )


def freshness(days: int) -> timedelta:
    return timedelta(days=max(0, min(days, STAGING_LIFETIME_DAYS)))


def worth_keeping(state: WorkflowState, generation: Generation) -> bool:
    """A result that passed lint on its own, as the model made it (auto-fixes aside), for a cacheable request.

    Not a copy (it is not a new result), not a human-edited or reviewer-approved version (served again it
    would fail lint and wait for a person again), not a translation (each request makes its own)."""
    if generation.served_from is not None or generation.human_edited or generation.locale is not None:
        return False
    if state.review is not None or state.lint is None or not state.lint.compliant:
        return False
    return cacheable(state.request, state.revision) and state.validated is not None


def remember(state: WorkflowState, deps: Deps, generation: Generation) -> bool:
    """After SaveAsset published ``generation``: keep it for later requests. True if it was kept."""
    request = state.request
    if not worth_keeping(state, generation) or state.validated is None:
        return False
    repo = repository(deps)
    stored = StoredResult.of(generation, request.request_id)
    if request.speculative is not None:
        kit_version = state.validated.brand_kit_version
        return repo.candidate_ready(request.org_id, request.speculative.candidate_id, stored, kit_version)
    window = freshness(repo.settings(request.org_id).freshness_days)
    if window <= timedelta(0):
        return False
    validated = state.validated
    key = key_of(request, validated.brand_kit_id, validated.brand_kit_version, generation.model)
    repo.put_entry(
        request.org_id, CacheEntry(key_hash=key, result=stored, fresh_until=generation.generated_at + window)
    )
    return True
