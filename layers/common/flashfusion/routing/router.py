"""Pick a model for a request and the ordered chain to fall back on, within the organisation's budget.

Order of preference: the requested tier, then each lower tier; a higher tier is never chosen
silently, as it would spend more than was asked for. Within a tier, a realtime request prefers the
faster latency class and a batch request the cheaper estimate; ties keep the matrix order, so the
matrix file ranks providers. A model whose estimate exceeds the remaining budget is passed over, with
the reason, at the first pick and again on every fallback hop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flashfusion.errors import BudgetExceeded, FallbackChainExhausted, NoModelAvailable
from flashfusion.models import (
    AssetSubmission,
    ContentType,
    FailedAttempt,
    Latency,
    PassedOver,
    RouteDecision,
    Tier,
)
from flashfusion.routing import pricing
from flashfusion.routing.matrix import ModelMatrix, ModelSpec

TIER_ORDER = [Tier.BASIC, Tier.STANDARD, Tier.PREMIUM]
LATENCY_ORDER = {"fast": 0, "medium": 1, "slow": 2}
MAX_CHAIN = 4


@dataclass(frozen=True)
class RouteQuery:
    content_type: ContentType
    tier: Tier
    providers: frozenset[str]
    prompt_chars: int
    latency: Latency = Latency.REALTIME
    remaining_budget_usd: float | None = None
    """None: no budget applies (tests, tools); otherwise what the organisation has left this month."""
    size: str | None = None
    quality: str | None = None
    seconds: float | None = None
    max_output_tokens: int | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)


def query_for(submission: AssetSubmission, providers: frozenset[str], remaining_budget_usd: float | None) -> RouteQuery:
    options = submission.options
    return RouteQuery(
        content_type=submission.content_type,
        tier=submission.tier,
        providers=providers,
        prompt_chars=len(submission.prompt),
        latency=submission.latency,
        remaining_budget_usd=remaining_budget_usd,
        size=options.size,
        quality=options.quality,
        seconds=options.duration_seconds,
        max_output_tokens=options.max_output_tokens,
    )


def estimate(spec: ModelSpec, query: RouteQuery) -> float:
    return pricing.estimate(spec, query.prompt_chars, query.size, query.quality, query.seconds, query.max_output_tokens)


def _why_not(spec: ModelSpec, query: RouteQuery) -> str | None:
    """Why this model cannot serve the query, or None if it can (budget aside)."""
    if spec.medium != query.content_type:
        return None  # a different medium is not a candidate at all, so not reported
    if not spec.enabled:
        return "disabled in the matrix" + (f" ({spec.note})" if spec.note else "")
    if spec.provider not in query.providers:
        return f"provider {spec.provider} is not enabled in this deployment"
    if TIER_ORDER.index(spec.tier) > TIER_ORDER.index(query.tier):
        return f"tier {spec.tier.value} is above the requested {query.tier.value}"
    if query.prompt_chars > spec.limits.max_prompt_chars:
        return f"prompt of {query.prompt_chars} characters exceeds its limit of {spec.limits.max_prompt_chars}"
    if query.size and spec.limits.sizes and query.size not in spec.limits.sizes:
        return f"size {query.size} is not one of {', '.join(spec.limits.sizes)}"
    if spec.id in query.exclude:
        return "already tried for this request"
    return None


def format_usd(amount: float) -> str:
    """Dollars to four places, or to the millionth (pricing's precision) when four places would hide it."""
    short = f"{amount:.4f}"
    return f"${short}" if float(short) == round(amount, 6) else f"${amount:.6f}"


def _over_budget(spec: ModelSpec, query: RouteQuery) -> PassedOver | None:
    cost = estimate(spec, query)
    # Clamped at zero: an overdrawn budget (a settlement above its hold, a lowered limit) still admits free models.
    if query.remaining_budget_usd is None or cost <= max(query.remaining_budget_usd, 0.0):
        return None
    return PassedOver(
        model=spec.id,
        reason=f"estimated {format_usd(cost)} exceeds the remaining budget of {format_usd(query.remaining_budget_usd)}",
        over_budget=True,
        estimated_cost_usd=cost,
    )


def _rank(models: list[ModelSpec], query: RouteQuery) -> list[ModelSpec]:
    wanted = TIER_ORDER.index(query.tier)

    def key(spec: ModelSpec) -> tuple[int, float]:
        tier_distance = wanted - TIER_ORDER.index(spec.tier)
        if query.latency == Latency.BATCH:
            return tier_distance, estimate(spec, query)
        return tier_distance, float(LATENCY_ORDER[spec.latency_class])

    return sorted(models, key=key)  # stable: matrix order breaks ties


def candidates(matrix: ModelMatrix, query: RouteQuery) -> tuple[list[ModelSpec], list[PassedOver]]:
    """Usable models in preference order, and the others with the reason each was passed over."""
    usable: list[ModelSpec] = []
    passed: list[PassedOver] = []
    for spec in matrix.models:
        if spec.medium != query.content_type:
            continue
        reason = _why_not(spec, query)
        if reason is not None:
            passed.append(PassedOver(model=spec.id, reason=reason))
        elif (over := _over_budget(spec, query)) is not None:
            passed.append(over)
        else:
            usable.append(spec)
    return _rank(usable, query), passed


def route(matrix: ModelMatrix, query: RouteQuery) -> RouteDecision:
    ranked, passed = candidates(matrix, query)
    if not ranked:
        raise _nothing_fits(query, passed)
    first, rest = ranked[0], ranked[1 : MAX_CHAIN + 1]
    reasons = [f"matrix {matrix.version}: {first.id} is the preferred {query.content_type.value} model"]
    if first.tier != query.tier:
        reasons.append(f"no {query.tier.value} model available; stepped down to {first.tier.value}")
    else:
        reasons.append(f"serves the requested tier {query.tier.value}")
    reasons.append(
        "batch: cheapest first within a tier" if query.latency == Latency.BATCH else "realtime: fastest first"
    )
    if rest:
        reasons.append("fallbacks: " + ", ".join(f"{m.id} ({m.tier.value})" for m in rest))
    passed += [
        PassedOver(model=m.id, reason=f"beyond the fallback chain limit of {MAX_CHAIN}")
        for m in ranked[MAX_CHAIN + 1 :]
    ]
    return RouteDecision(
        model=first.id,
        provider=first.provider,
        chain=[m.id for m in rest],
        reasons=reasons,
        passed_over=passed,
        estimated_cost_usd=estimate(first, query),
        remaining_budget_usd=query.remaining_budget_usd,
    )


def next_hop(
    matrix: ModelMatrix, decision: RouteDecision, error: str, message: str, query: RouteQuery
) -> RouteDecision:
    """The decision after ``decision.model`` failed: the next model of the chain that still fits the
    budget, or FallbackChainExhausted (BudgetExceeded when only the budget stood in the way)."""
    failed = [*decision.failed, FailedAttempt(model=decision.model, error=error, message=message)]
    tried = {f.model for f in failed}
    skipped: list[PassedOver] = []
    for index, model_id in enumerate(decision.chain):
        spec = matrix.get(model_id)
        if spec.id in tried:
            continue
        over = _over_budget(spec, query)
        if over is not None:
            skipped.append(over)
            continue
        return RouteDecision(
            model=spec.id,
            provider=spec.provider,
            chain=decision.chain[index + 1 :],
            failed=failed,
            reasons=[*decision.reasons, f"{decision.model} failed with {error}; falling back to {spec.id}"],
            passed_over=[*decision.passed_over, *skipped],
            estimated_cost_usd=estimate(spec, query),
            remaining_budget_usd=query.remaining_budget_usd,
        )
    lines = "; ".join(f"{f.model} failed with {f.error}: {f.message}" for f in failed)
    if skipped:
        over = "; ".join(f"{s.model}: {s.reason}" for s in skipped)
        raise BudgetExceeded(f"All {len(failed)} model(s) tried failed and the rest exceed the budget. {lines}. {over}")
    raise FallbackChainExhausted(f"All {len(failed)} model(s) failed. {lines}")


def _nothing_fits(query: RouteQuery, passed: list[PassedOver]) -> Exception:
    over_budget = [p for p in passed if p.over_budget]
    if over_budget:
        cheapest = min(over_budget, key=lambda p: p.estimated_cost_usd or 0.0)
        return BudgetExceeded(
            f"no {query.content_type.value} model at tier {query.tier.value} or below fits the remaining "
            f"budget of {format_usd(query.remaining_budget_usd or 0)}; the cheapest, {cheapest.model}, "
            f"is estimated at {format_usd(cheapest.estimated_cost_usd or 0)}"
        )
    detail = "; ".join(f"{p.model}: {p.reason}" for p in passed) or "the matrix has none"
    return NoModelAvailable(
        f"no enabled model serves {query.content_type.value} at tier {query.tier.value} or below "
        f"with the providers configured ({', '.join(sorted(query.providers)) or 'none'}): {detail}"
    )
