"""Pick a model for a request and the ordered chain to fall back on, within the organisation's budget.

Order of preference: the requested tier, then each lower tier; a higher tier is never chosen
silently, as it would spend more than was asked for. Within a tier, a realtime request prefers the
faster latency class and a batch request the cheaper estimate; ties keep the matrix order, so the
matrix file ranks providers. A model whose estimate exceeds the remaining budget is passed over, with
the reason, at the first pick and again on every fallback hop.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
_TIER_RANK = {tier: rank for rank, tier in enumerate(TIER_ORDER)}
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
    operation: str = "generate"
    """generate, or brand_style: only models whose matrix row offers the operation are candidates."""


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
        operation=submission.operation,
    )


def estimate(spec: ModelSpec, query: RouteQuery) -> float:
    return pricing.estimate(spec, query.prompt_chars, query.size, query.quality, query.seconds, query.max_output_tokens)


def _shape(medium: ContentType, query: RouteQuery) -> tuple[object, ...]:
    """What an estimate in this medium depends on (pricing.estimate): requests of one shape cost the same."""
    if medium == ContentType.TEXT:
        return (query.prompt_chars, query.max_output_tokens)
    if medium == ContentType.IMAGE:
        return (query.size, query.quality)
    return (query.seconds,)


_CACHE_LIMIT = 4096
"""Bound on each cache below: request shapes (prompt lengths, budgets) are open-ended."""


@dataclass(frozen=True)
class _Entry:
    """One model of the medium as a query of one plan sees it: what the request cannot change is decided."""

    spec: ModelSpec
    before_prompt: PassedOver | None
    """Why it is passed over by a check that comes before the prompt length (enabled, provider, tier)."""
    after_prompt: PassedOver | None
    """Why it is passed over by a check after the prompt length (size, already tried)."""
    max_prompt_chars: int
    tier_distance: int
    latency_rank: int
    beyond_chain: PassedOver
    chain_label: str
    """How the decision's reasons name it as a fallback."""


@dataclass
class _Plan:
    """The models of one medium for one request kind (tier, providers, size, exclusions), with the static
    checks of ``_why_not`` done once, and their estimates by request shape (each model priced once)."""

    entries: tuple[_Entry, ...]
    prices: dict[tuple[object, ...], tuple[float, ...]] = field(default_factory=dict)
    text_terms: dict[int | None, tuple[tuple[float, float], ...]] = field(default_factory=dict)

    def costs(self, query: RouteQuery, medium: ContentType) -> tuple[float, ...]:
        shape = _shape(medium, query)
        found = self.prices.get(shape)
        if found is None:
            if len(self.prices) >= _CACHE_LIMIT:
                self.prices.clear()
            found = self.prices[shape] = self._price(query, medium)
        return found

    def _price(self, query: RouteQuery, medium: ContentType) -> tuple[float, ...]:
        if medium != ContentType.TEXT:
            return tuple(estimate(entry.spec, query) for entry in self.entries)
        # Text prompts come in every length: the parts the length does not change are worked out once.
        terms = self.text_terms.get(query.max_output_tokens)
        if terms is None:
            terms = self.text_terms[query.max_output_tokens] = tuple(
                pricing.text_terms(entry.spec, query.max_output_tokens) for entry in self.entries
            )
        return tuple(pricing.text_estimate(query.prompt_chars, each) for each in terms)


@dataclass
class _MatrixIndex:
    """A matrix's plans by request kind. Matrices are loaded once and never changed in place, so an index
    lives as long as its matrix."""

    matrix: ModelMatrix
    plans: dict[tuple[object, ...], _Plan] = field(default_factory=dict)

    def plan(self, query: RouteQuery) -> _Plan:
        key = (query.content_type, query.tier, query.providers, query.size, query.exclude, query.operation)
        found = self.plans.get(key)
        if found is None:
            if len(self.plans) >= _CACHE_LIMIT:
                self.plans.clear()
            found = self.plans[key] = _plan(self.matrix, query)
        return found


def _plan(matrix: ModelMatrix, query: RouteQuery) -> _Plan:
    wanted = _TIER_RANK[query.tier]
    # The checks of _why_not around the prompt length, split at it so the first reason is still the one given.
    no_prompt_limit = replace(query, prompt_chars=0)
    entries = []
    for spec in matrix.models:
        if spec.medium != query.content_type:
            continue
        before = _why_not(spec, replace(no_prompt_limit, size=None, exclude=frozenset()))
        after = None if before is not None else _why_not(spec, no_prompt_limit)
        entries.append(
            _Entry(
                spec=spec,
                before_prompt=None if before is None else PassedOver(model=spec.id, reason=before),
                after_prompt=None if after is None else PassedOver(model=spec.id, reason=after),
                max_prompt_chars=spec.limits.max_prompt_chars,
                tier_distance=wanted - _TIER_RANK[spec.tier],
                latency_rank=LATENCY_ORDER[spec.latency_class],
                beyond_chain=PassedOver(model=spec.id, reason=f"beyond the fallback chain limit of {MAX_CHAIN}"),
                chain_label=f"{spec.id} ({spec.tier.value})",
            )
        )
    return _Plan(tuple(entries))


_INDEXES: dict[int, _MatrixIndex] = {}


def _index(matrix: ModelMatrix) -> _MatrixIndex:
    found = _INDEXES.get(id(matrix))
    if found is not None and found.matrix is matrix:
        return found
    if len(_INDEXES) >= 16:
        _INDEXES.clear()  # a process holds one or two matrices; tests build many
    found = _INDEXES[id(matrix)] = _MatrixIndex(matrix)
    return found


def _why_not(spec: ModelSpec, query: RouteQuery) -> str | None:
    """Why this model cannot serve the query, or None if it can (budget aside)."""
    if spec.medium != query.content_type:
        return None  # a different medium is not a candidate at all, so not reported
    if not spec.enabled:
        return "disabled in the matrix" + (f" ({spec.note})" if spec.note else "")
    if query.operation not in spec.operations:
        return f"does not offer {query.operation}"
    if spec.provider not in query.providers:
        return f"provider {spec.provider} is not enabled in this deployment"
    if _TIER_RANK[spec.tier] > _TIER_RANK[query.tier]:
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


def _over_budget(spec: ModelSpec, query: RouteQuery, cost: float | None = None) -> PassedOver | None:
    """``cost``: the model's estimate for this query when the caller has already priced it."""
    if cost is None:
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


def _priced_candidates(matrix: ModelMatrix, query: RouteQuery) -> tuple[list[tuple[_Entry, float]], list[PassedOver]]:
    """Usable models with their estimates, in preference order, and the others with the reason each was
    passed over (the reasons of ``_why_not`` and ``_over_budget``). Every model is priced once per request
    shape, and the budget check, the batch order and the winner's estimate share the figure; the
    passed-over records that do not depend on the request are built once per plan (they are never changed)."""
    usable: list[tuple[_Entry, float]] = []
    passed: list[PassedOver] = []
    plan = _index(matrix).plan(query)
    costs = plan.costs(query, query.content_type)
    prompt_chars = query.prompt_chars
    budget = query.remaining_budget_usd
    # Clamped at zero: an overdrawn budget (a settlement above its hold, a lowered limit) still admits free models.
    ceiling = None if budget is None else max(budget, 0.0)
    for entry, cost in zip(plan.entries, costs, strict=True):
        if entry.before_prompt is not None:
            passed.append(entry.before_prompt)
        elif prompt_chars > entry.max_prompt_chars:
            passed.append(PassedOver(model=entry.spec.id, reason=_why_not(entry.spec, query) or ""))
        elif entry.after_prompt is not None:
            passed.append(entry.after_prompt)
        elif ceiling is not None and cost > ceiling and (over := _over_budget(entry.spec, query, cost)) is not None:
            passed.append(over)
        else:
            usable.append((entry, cost))
    if query.latency == Latency.BATCH:
        usable.sort(key=lambda item: (item[0].tier_distance, item[1]))
    else:
        usable.sort(key=lambda item: (item[0].tier_distance, item[0].latency_rank))  # stable: matrix order breaks ties
    return usable, passed


def candidates(matrix: ModelMatrix, query: RouteQuery) -> tuple[list[ModelSpec], list[PassedOver]]:
    """Usable models in preference order, and the others with the reason each was passed over."""
    priced, passed = _priced_candidates(matrix, query)
    return [entry.spec for entry, _ in priced], passed


def route(matrix: ModelMatrix, query: RouteQuery) -> RouteDecision:
    priced, passed = _priced_candidates(matrix, query)
    if not priced:
        raise _nothing_fits(query, passed)
    (winner, first_cost), rest = priced[0], [entry for entry, _ in priced[1 : MAX_CHAIN + 1]]
    first = winner.spec
    # StrEnum members format as their values (no enum descriptor lookups on the hot path)
    reasons = [f"matrix {matrix.version}: {first.id} is the preferred {query.content_type:s} model"]
    if first.tier != query.tier:
        reasons.append(f"no {query.tier:s} model available; stepped down to {first.tier:s}")
    else:
        reasons.append(f"serves the requested tier {query.tier:s}")
    reasons.append(
        "batch: cheapest first within a tier" if query.latency == Latency.BATCH else "realtime: fastest first"
    )
    if rest:
        reasons.append("fallbacks: " + ", ".join([entry.chain_label for entry in rest]))
    passed += [entry.beyond_chain for entry, _ in priced[MAX_CHAIN + 1 :]]
    return RouteDecision(
        model=first.id,
        provider=first.provider,
        chain=[entry.spec.id for entry in rest],
        reasons=reasons,
        passed_over=passed,
        estimated_cost_usd=first_cost,
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
