"""Pick a model for a request and the ordered chain to fall back on, within the organisation's budget.

Order of preference: the requested tier, then each lower tier; a higher tier is never chosen
silently, as it would spend more than was asked for. Within a tier, a realtime request prefers the
faster latency class and a batch request the cheaper estimate; ties keep the matrix order, so the
matrix file ranks providers. A model whose estimate exceeds the remaining budget is passed over, with
the reason, at the first pick and again on every fallback hop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from pydantic import BaseModel

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
    """What an estimate in this medium (image, video or music) depends on (pricing.estimate): requests of one
    shape cost the same. Text is priced by prompt length from each model's line (``_TextPriced``)."""
    if medium == ContentType.IMAGE:
        return (query.size, query.quality)
    return (query.seconds,)


_CACHE_LIMIT = 4096
"""Bound on each cache below: request shapes (prompt lengths, budgets) are open-ended."""


@dataclass(frozen=True)
class _Entry:
    """One model of the medium as a query of one plan sees it: what the request cannot change is decided."""

    spec: ModelSpec
    model_id: str
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
    chosen_reasons: tuple[str, str]
    """The decision's first two reasons when it wins: preferred in its medium, and the tier it serves."""


class _Priced:
    """The estimates of a plan's models for one request, each worked out when a decision first needs it (a model
    passed over before the budget check is not priced, nor, without a budget, any realtime model but the
    winner)."""

    __slots__ = ("_price", "costs")

    def __init__(self, price: Callable[[int], float], count: int) -> None:
        self._price = price
        self.costs: list[float | None] = [None] * count

    def cost(self, index: int) -> float:
        found = self.costs[index]
        if found is None:
            found = self.costs[index] = self._price(index)
        return found


class _TextPriced(_Priced):
    """A text request's estimates, from each model's price line (``pricing.TextLine``): text prompts come in every
    length, so a text request is mostly a shape not seen before, and a line prices a new length with a
    multiply-add where a full estimate rounds in decimal. Nothing is kept between requests. ``every``: price each
    usable model at once (a budget to check or a batch to sort needs them all)."""

    __slots__ = ("_lines", "_prompt_chars")

    def __init__(self, lines: tuple[pricing.TextLine | None, ...], prompt_chars: int, every: bool) -> None:
        self._lines = lines
        self._prompt_chars = prompt_chars
        self.costs = pricing.text_estimates(lines, prompt_chars) if every else [None] * len(lines)

    def cost(self, index: int) -> float:
        found = self.costs[index]
        if found is None:
            line = self._lines[index]
            assert line is not None, "a model passed over by the plan is never priced"
            found = self.costs[index] = line.estimate(self._prompt_chars)
        return found


class _Ending:
    """What a decision takes from its usable models in preference order: the winner, the chain, the reasons and
    the models beyond the chain (kept per plan by that order: a plan's requests fall into few of them). A plain
    class: a dataclass costs a handler's import about half a millisecond."""

    __slots__ = ("beyond_chain", "chain", "reasons", "winner")

    def __init__(
        self, winner: int, chain: tuple[str, ...], reasons: tuple[str, ...], beyond_chain: tuple[PassedOver, ...]
    ) -> None:
        self.winner = winner
        self.chain = chain
        self.reasons = reasons
        self.beyond_chain = beyond_chain


@dataclass
class _Plan:
    """The models of one medium for one request kind (tier, providers, size, exclusions), with the static
    checks of ``_why_not`` done once, and the prices that do not depend on the request's prompt: for text each
    model's price line by output cap, for other media the estimates by request shape (each model priced once)."""

    entries: tuple[_Entry, ...]
    realtime_order: tuple[int, ...]
    """Entry indices in realtime preference order (tier, then latency class; stable: matrix order breaks ties)."""
    checks: tuple[tuple[PassedOver | None, int, PassedOver | None, str], ...] = ()
    """Per entry, what the decision loop reads: its before_prompt, max_prompt_chars, after_prompt and model id."""
    tier_distances: tuple[int, ...] = ()
    prices: dict[tuple[object, ...], _Priced] = field(default_factory=dict)
    text_lines: dict[int | None, tuple[pricing.TextLine | None, ...]] = field(default_factory=dict)
    endings: dict[tuple[bool, tuple[int, ...]], _Ending] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.checks = tuple(
            (entry.before_prompt, entry.max_prompt_chars, entry.after_prompt, entry.model_id) for entry in self.entries
        )
        self.tier_distances = tuple(entry.tier_distance for entry in self.entries)

    def priced(self, query: RouteQuery, medium: ContentType, every: bool) -> _Priced:
        if medium == ContentType.TEXT:
            lines = self.text_lines.get(query.max_output_tokens)
            if lines is None:
                if len(self.text_lines) >= _CACHE_LIMIT:
                    self.text_lines.clear()
                lines = self.text_lines[query.max_output_tokens] = tuple(
                    None
                    if entry.before_prompt is not None
                    or entry.after_prompt is not None  # passed over whatever the prompt: never priced
                    else pricing.text_line(entry.spec, query.max_output_tokens)
                    for entry in self.entries
                )
            return _TextPriced(lines, query.prompt_chars, every)
        shape = _shape(medium, query)
        found = self.prices.get(shape)
        if found is None:
            if len(self.prices) >= _CACHE_LIMIT:
                self.prices.clear()
            entries = self.entries
            found = self.prices[shape] = _Priced(lambda index: estimate(entries[index].spec, query), len(entries))
        return found

    def ending(self, batch: bool, usable: list[int]) -> _Ending:
        key = (batch, tuple(usable))
        found = self.endings.get(key)
        if found is None:
            if len(self.endings) >= _CACHE_LIMIT:
                self.endings.clear()
            found = self.endings[key] = self._ending(batch, usable)
        return found

    def _ending(self, batch: bool, usable: list[int]) -> _Ending:
        entries = self.entries
        rest = [entries[i] for i in usable[1 : MAX_CHAIN + 1]]
        reasons = [*entries[usable[0]].chosen_reasons, _BATCH_REASON if batch else _REALTIME_REASON]
        if rest:
            reasons.append("fallbacks: " + ", ".join([entry.chain_label for entry in rest]))
        return _Ending(
            winner=usable[0],
            chain=tuple(entry.model_id for entry in rest),
            reasons=tuple(reasons),
            beyond_chain=tuple(entries[i].beyond_chain for i in usable[MAX_CHAIN + 1 :]),
        )


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
        # StrEnum members format as their values
        served = (
            f"serves the requested tier {query.tier:s}"
            if spec.tier == query.tier
            else f"no {query.tier:s} model available; stepped down to {spec.tier:s}"
        )
        entries.append(
            _Entry(
                spec=spec,
                model_id=spec.id,
                before_prompt=None if before is None else PassedOver(model=spec.id, reason=before),
                after_prompt=None if after is None else PassedOver(model=spec.id, reason=after),
                max_prompt_chars=spec.limits.max_prompt_chars,
                tier_distance=wanted - _TIER_RANK[spec.tier],
                latency_rank=LATENCY_ORDER[spec.latency_class],
                beyond_chain=PassedOver(model=spec.id, reason=f"beyond the fallback chain limit of {MAX_CHAIN}"),
                chain_label=f"{spec.id} ({spec.tier.value})",
                chosen_reasons=(
                    f"matrix {matrix.version}: {spec.id} is the preferred {query.content_type:s} model",
                    served,
                ),
            )
        )
    realtime = sorted(range(len(entries)), key=lambda i: (entries[i].tier_distance, entries[i].latency_rank))
    return _Plan(tuple(entries), tuple(realtime))


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


def _estimate_label(cost: float) -> str:
    """``format_usd`` of an estimate, which pricing has already rounded to the millionth: its six places are
    exact, and four places hide nothing when the last two are zeros (one formatting instead of two, a parse and
    a rounding: a low budget passes over most models, each with its estimate in the reason)."""
    six = f"{cost:.6f}"
    return f"${six[:-2]}" if six.endswith("00") else f"${six}"


_OVER_BUDGET_OPENINGS: dict[float, str] = {}


def _over_budget_opening(cost: float) -> str:
    """The start of an over-budget reason for an estimate, up to the budget (formatted once per estimate: the
    estimates a matrix can give are few, text prompts being bounded in length, and a low budget passes most
    models over, each with its estimate in the reason). Estimates are never -0.0 (prices are not negative), so
    a float key names one label."""
    found = _OVER_BUDGET_OPENINGS.get(cost)
    if found is None:
        if len(_OVER_BUDGET_OPENINGS) >= _CACHE_LIMIT:
            _OVER_BUDGET_OPENINGS.clear()
        found = _OVER_BUDGET_OPENINGS[cost] = f"estimated {_estimate_label(cost)} exceeds the remaining budget of "
    return found


_BUDGET_LABELS: dict[float, str] = {}


def _budget_label(budget: float) -> str:
    """``format_usd`` of a remaining budget, kept: an organisation's budget stays put between its settlements (an
    exhausted one at zero or its overdraft), and formatting it is a parse and a decimal rounding."""
    if not budget:
        # 0.0 and -0.0 are one key to a dict but print differently
        return _NEGATIVE_ZERO_LABEL if math.copysign(1.0, budget) < 0 else _ZERO_LABEL
    found = _BUDGET_LABELS.get(budget)
    if found is None:
        if len(_BUDGET_LABELS) >= _CACHE_LIMIT:
            _BUDGET_LABELS.clear()
        found = _BUDGET_LABELS[budget] = format_usd(budget)
    return found


_ZERO_LABEL = format_usd(0.0)
_NEGATIVE_ZERO_LABEL = format_usd(-0.0)


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


_BATCH_REASON = "batch: cheapest first within a tier"
_REALTIME_REASON = "realtime: fastest first"

_Model = TypeVar("_Model", PassedOver, RouteDecision)
_new = object.__new__
# BaseModel's slots, set through their descriptors (object.__setattr__ looks each one up by name first)
_set_values = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_PASSED_FIELDS = {"model", "reason"}
_OVER_BUDGET_FIELDS = {"model", "reason", "over_budget", "estimated_cost_usd"}
_DECISION_FIELDS = {
    "model",
    "provider",
    "chain",
    "reasons",
    "passed_over",
    "estimated_cost_usd",
    "remaining_budget_usd",
}
"""The fields each kind of record is given (copied into each record, which pydantic may add to)."""


def _trusted(cls: type[_Model], fields_set: set[str], values: dict[str, Any]) -> _Model:
    """``cls.model_construct(**given)`` for values the router made itself, each of its field's type, with every
    field in ``values`` (defaults too) and ``fields_set`` naming the given ones: what model_construct sets, set
    directly. Validating is most of a decision's time, and pydantic's model_construct is slower still (it
    inspects each default factory's signature on every call). tests/unit/test_router_records.py holds these to
    the validated models (equal, same fields set, same JSON)."""
    model = _new(cls)
    _set_values(model, values)
    _set_fields_set(model, fields_set.copy())
    _set_extra(model, None)
    _set_private(model, None)
    return model


def _ranked(matrix: ModelMatrix, query: RouteQuery) -> tuple[_Plan, _Priced, list[int], list[PassedOver]]:
    """The plan, its estimates for this query, the indices of the usable entries in preference order, and the
    others with the reason each was passed over (the reasons of ``_why_not`` and ``_over_budget``). Each model
    is priced at most once per request (text) or request shape (other media), and the budget check, the batch
    order and the winner's estimate share the figure; the passed-over records that do not depend on the request
    are built once per plan (they are never changed)."""
    plan = _index(matrix).plan(query)
    budget = query.remaining_budget_usd
    batch = query.latency == Latency.BATCH
    # A budget to check or a batch to sort prices every usable model; otherwise only the winner is priced.
    priced = plan.priced(query, query.content_type, budget is not None or batch)
    costs = priced.costs
    prompt_chars = query.prompt_chars
    # Clamped at zero: an overdrawn budget (a settlement above its hold, a lowered limit) still admits free models.
    ceiling = None if budget is None else max(budget, 0.0)
    budget_label = ""
    fits = [False] * len(plan.entries)
    passed: list[PassedOver] = []
    openings = _OVER_BUDGET_OPENINGS
    for index, (before_prompt, max_prompt_chars, after_prompt, model_id) in enumerate(plan.checks):
        if before_prompt is not None:
            passed.append(before_prompt)
        elif prompt_chars > max_prompt_chars:
            # _why_not's reason: the checks before the prompt length passed (before_prompt is None)
            reason = f"prompt of {prompt_chars} characters exceeds its limit of {max_prompt_chars}"
            passed.append(
                _trusted(
                    PassedOver,
                    _PASSED_FIELDS,
                    {"model": model_id, "reason": reason, "over_budget": False, "estimated_cost_usd": None},
                )
            )
        elif after_prompt is not None:
            passed.append(after_prompt)
        elif ceiling is None:
            fits[index] = True
        else:
            cost = costs[index]
            if cost is None:
                cost = priced.cost(index)
            if cost <= ceiling:
                fits[index] = True
                continue
            # _over_budget's record, built as _trusted builds it (inline: a low budget passes over most models),
            # with the budget formatted once per decision and each estimate once
            if not budget_label:
                budget_label = _budget_label(ceiling if budget is None else budget)  # ceiling is set: so is budget
            opening = openings.get(cost)
            if opening is None:
                opening = _over_budget_opening(cost)
            record = _new(PassedOver)
            _set_values(
                record,
                {"model": model_id, "reason": opening + budget_label, "over_budget": True, "estimated_cost_usd": cost},
            )
            _set_fields_set(record, _OVER_BUDGET_FIELDS.copy())
            _set_extra(record, None)
            _set_private(record, None)
            passed.append(record)
    if batch:
        usable = [index for index, fit in enumerate(fits) if fit]
        if len(usable) > 1:
            distances = plan.tier_distances
            for index in usable:
                if costs[index] is None:
                    priced.cost(index)
            known = cast(list[float], costs)  # each usable one priced just now, if not before
            # the index last: equal estimates keep matrix order
            usable = [index for _, _, index in sorted([(distances[i], known[i], i) for i in usable])]
    else:
        usable = [index for index in plan.realtime_order if fits[index]]
    return plan, priced, usable, passed


def candidates(matrix: ModelMatrix, query: RouteQuery) -> tuple[list[ModelSpec], list[PassedOver]]:
    """Usable models in preference order, and the others with the reason each was passed over."""
    plan, _, usable, passed = _ranked(matrix, query)
    return [plan.entries[i].spec for i in usable], passed


def route(matrix: ModelMatrix, query: RouteQuery) -> RouteDecision:
    plan, priced, usable, passed = _ranked(matrix, query)
    if not usable:
        raise _nothing_fits(query, passed)
    ending = plan.ending(query.latency == Latency.BATCH, usable)
    winner = plan.entries[ending.winner]
    if ending.beyond_chain:
        passed.extend(ending.beyond_chain)
    budget = query.remaining_budget_usd
    return _trusted(
        RouteDecision,
        _DECISION_FIELDS,
        {
            "model": winner.model_id,
            "provider": winner.spec.provider,
            "chain": list(ending.chain),
            "failed": [],
            "reasons": list(ending.reasons),
            "passed_over": passed,
            "estimated_cost_usd": priced.cost(ending.winner),
            "remaining_budget_usd": None if budget is None else float(budget),
            "reservation_id": None,
        },
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
