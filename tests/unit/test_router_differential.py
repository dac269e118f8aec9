"""The router's fast path against the router as first written: the rules read one model at a time, every model
priced afresh from ``cost_of``, every record built plainly. On tens of thousands of random queries (new prompt
lengths, budgets on and around the estimates, overdrawn budgets, exclusions, provider subsets, sizes, seconds,
output caps, operations) both give the same winner, chain, reasons, passed-over records with their reasons and
estimates, the same winner's estimate, or the same refusal, word for word; asked twice (from the router's
caches), the same again."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from flashfusion.errors import BudgetExceeded, NoModelAvailable
from flashfusion.models import ContentType, Latency, Tier
from flashfusion.providers.registry import ADAPTERS
from flashfusion.routing import pricing
from flashfusion.routing.matrix import ModelMatrix, ModelSpec, default_matrix_text, load_matrix, load_matrix_file
from flashfusion.routing.router import MAX_CHAIN, RouteQuery, candidates, format_usd, route

TIERS = [Tier.BASIC, Tier.STANDARD, Tier.PREMIUM]
LATENCY_RANK = {"fast": 0, "medium": 1, "slow": 2}
PROVIDERS = sorted(ADAPTERS)
QUERIES = 20_000
PROVIDER_SETS = [
    frozenset(PROVIDERS),
    frozenset(PROVIDERS) - {"local"},
    frozenset({"openai", "gemini", "bedrock"}),
    frozenset({"local"}),
    frozenset({"bedrock", "replicate", "runway"}),
    frozenset(),
]
"""Deployments enable a few sets of providers (each a plan of its own in the router)."""

Record = tuple[str, str, bool, float | None]
"""A passed-over record: model, reason, over budget, its estimate."""


@dataclass
class Decision:
    model: str
    provider: str
    chain: list[str]
    reasons: list[str]
    passed_over: list[Record]
    estimated_cost_usd: float
    remaining_budget_usd: float | None


# --- the router as first written ------------------------------------------------------------------------


def reference_estimate(spec: ModelSpec, q: RouteQuery) -> float:
    if spec.medium == ContentType.TEXT:
        caps = [c for c in (q.max_output_tokens, spec.limits.max_output_tokens) if c]
        output_tokens = float(min(caps) if caps else pricing.EXPECTED_OUTPUT_TOKENS[spec.tier])
        usage = {"inputTokens": q.prompt_chars / 4 + pricing.SYSTEM_PROMPT_TOKENS, "outputTokens": output_tokens}
        return pricing.cost_of(spec, usage)
    return pricing.estimate(spec, q.prompt_chars, q.size, q.quality, q.seconds, q.max_output_tokens)


def reference_why_not(spec: ModelSpec, q: RouteQuery) -> str | None:
    if not spec.enabled:
        return "disabled in the matrix" + (f" ({spec.note})" if spec.note else "")
    if q.operation not in spec.operations:
        return f"does not offer {q.operation}"
    if spec.provider not in q.providers:
        return f"provider {spec.provider} is not enabled in this deployment"
    if TIERS.index(spec.tier) > TIERS.index(q.tier):
        return f"tier {spec.tier.value} is above the requested {q.tier.value}"
    if q.prompt_chars > spec.limits.max_prompt_chars:
        return f"prompt of {q.prompt_chars} characters exceeds its limit of {spec.limits.max_prompt_chars}"
    if q.size and spec.limits.sizes and q.size not in spec.limits.sizes:
        return f"size {q.size} is not one of {', '.join(spec.limits.sizes)}"
    if spec.id in q.exclude:
        return "already tried for this request"
    return None


def reference_candidates(matrix: ModelMatrix, q: RouteQuery) -> tuple[list[ModelSpec], list[Record]]:
    usable: list[ModelSpec] = []
    passed: list[Record] = []
    for spec in matrix.models:
        if spec.medium != q.content_type:
            continue
        reason = reference_why_not(spec, q)
        if reason is not None:
            passed.append((spec.id, reason, False, None))
            continue
        cost = reference_estimate(spec, q)
        if q.remaining_budget_usd is not None and cost > max(q.remaining_budget_usd, 0.0):
            budget = format_usd(q.remaining_budget_usd)
            reason = f"estimated {format_usd(cost)} exceeds the remaining budget of {budget}"
            passed.append((spec.id, reason, True, cost))
        else:
            usable.append(spec)

    def key(spec: ModelSpec) -> tuple[int, float]:
        distance = TIERS.index(q.tier) - TIERS.index(spec.tier)
        if q.latency == Latency.BATCH:
            return distance, reference_estimate(spec, q)
        return distance, float(LATENCY_RANK[spec.latency_class])

    return sorted(usable, key=key), passed


def reference_route(matrix: ModelMatrix, q: RouteQuery) -> Decision | tuple[type[Exception], str]:
    ranked, passed = reference_candidates(matrix, q)
    if not ranked:
        over = [p for p in passed if p[2]]
        if over:
            cheapest = min(over, key=lambda p: p[3] or 0.0)
            return BudgetExceeded, (
                f"no {q.content_type.value} model at tier {q.tier.value} or below fits the remaining "
                f"budget of {format_usd(q.remaining_budget_usd or 0)}; the cheapest, {cheapest[0]}, "
                f"is estimated at {format_usd(cheapest[3] or 0)}"
            )
        detail = "; ".join(f"{p[0]}: {p[1]}" for p in passed) or "the matrix has none"
        return NoModelAvailable, (
            f"no enabled model serves {q.content_type.value} at tier {q.tier.value} or below "
            f"with the providers configured ({', '.join(sorted(q.providers)) or 'none'}): {detail}"
        )
    first, rest = ranked[0], ranked[1 : MAX_CHAIN + 1]
    reasons = [f"matrix {matrix.version}: {first.id} is the preferred {q.content_type.value} model"]
    if first.tier != q.tier:
        reasons.append(f"no {q.tier.value} model available; stepped down to {first.tier.value}")
    else:
        reasons.append(f"serves the requested tier {q.tier.value}")
    reasons.append("batch: cheapest first within a tier" if q.latency == Latency.BATCH else "realtime: fastest first")
    if rest:
        reasons.append("fallbacks: " + ", ".join(f"{m.id} ({m.tier.value})" for m in rest))
    passed += [(m.id, f"beyond the fallback chain limit of {MAX_CHAIN}", False, None) for m in ranked[MAX_CHAIN + 1 :]]
    return Decision(
        first.id,
        first.provider,
        [m.id for m in rest],
        reasons,
        passed,
        reference_estimate(first, q),
        q.remaining_budget_usd,
    )


# --- the router as it is ----------------------------------------------------------------------------------


def routed(matrix: ModelMatrix, q: RouteQuery) -> Decision | tuple[type[Exception], str]:
    try:
        decision = route(matrix, q)
    except (BudgetExceeded, NoModelAvailable) as refused:
        return type(refused), str(refused)
    assert decision.failed == []
    assert decision.reservation_id is None
    return Decision(
        decision.model,
        decision.provider,
        decision.chain,
        decision.reasons,
        [(p.model, p.reason, p.over_budget, p.estimated_cost_usd) for p in decision.passed_over],
        decision.estimated_cost_usd,
        decision.remaining_budget_usd,
    )


# --- the queries ----------------------------------------------------------------------------------------


def varied_matrix() -> ModelMatrix:
    """The packaged matrix with every text model given an output cap and prices in eighths of a dollar (whose
    estimates land on exact halves of a millionth and tie with each other), a note on the disabled ones, and
    lower prompt limits."""
    matrix = load_matrix(default_matrix_text())
    rng = random.Random(5)
    for spec in matrix.models:
        spec.limits.max_prompt_chars = rng.choice([spec.limits.max_prompt_chars] * 3 + [2500, 333])
        if spec.medium == ContentType.TEXT:
            spec.limits.max_output_tokens = rng.choice([None, 1, 256, 4096])
            spec.prices.input_per_m_tok = rng.randint(0, 40) / 8
            spec.prices.output_per_m_tok = rng.choice([rng.randint(0, 80) / 8, 7812.5])
        if not spec.enabled:
            spec.note = "retired"
    return matrix


def random_query(rng: random.Random, matrix: ModelMatrix) -> RouteQuery:
    medium = rng.choice(list(ContentType))
    same_medium = [s for s in matrix.models if s.medium == medium]
    excluded = rng.sample(same_medium, rng.randint(1, 2)) if rng.random() < 0.1 else []
    providers = PROVIDER_SETS[0] if rng.random() < 0.6 else rng.choice(PROVIDER_SETS)
    draft = RouteQuery(
        content_type=medium,
        tier=rng.choice(TIERS),
        providers=providers,
        # mostly lengths under the limits, each likely new; some over them
        prompt_chars=rng.choice([rng.randint(0, 4000), rng.randint(0, 4000), rng.randint(0, 40_000), 0, 4000, 4001]),
        latency=rng.choice(list(Latency)),
        size=rng.choice([None, None, None, None, "1024x1024", "1792x1024", "512x512", "2048x2048", "1280x720"]),
        quality=rng.choice([None, None, "standard", "hd", "high", "low"]),
        seconds=rng.choice([None, None, 0.5, 5.0, 6.0, 12.0, 45.0, rng.uniform(0.5, 400)]),
        max_output_tokens=rng.choice([None, None, 1, 300, rng.randint(1, 20_000)]),
        exclude=frozenset(s.id for s in excluded),
        operation="brand_style" if rng.random() < 0.1 else "generate",
    )
    # budgets: none, overdrawn, exhausted, random, and exactly some model's estimate (the boundary is inclusive)
    kind = rng.randrange(9)
    if kind < 7:
        budget = [None, -rng.uniform(0, 1), 0.0, -0.0, rng.uniform(0, 0.02), rng.uniform(0, 1), 100.0][kind]
    else:
        budget = reference_estimate(rng.choice(same_medium), draft) - (kind - 7) * 1e-6
    return RouteQuery(**{**draft.__dict__, "remaining_budget_usd": budget})


@pytest.mark.parametrize("matrix_kind", ["packaged", "varied"])
def test_the_router_decides_as_the_rules_read_one_model_at_a_time(matrix_kind: str) -> None:
    matrix = load_matrix_file() if matrix_kind == "packaged" else varied_matrix()
    rng = random.Random(16 if matrix_kind == "packaged" else 61)
    kinds: dict[str, int] = {"decision": 0, "over budget": 0, "refused": 0}
    for _ in range(QUERIES // 2):
        q = random_query(rng, matrix)
        expected = reference_route(matrix, q)
        assert routed(matrix, q) == expected, q
        if rng.random() < 0.2:
            assert routed(matrix, q) == expected, q  # again, from the router's caches
        ranked, passed = candidates(matrix, q)
        want_ranked, want_passed = reference_candidates(matrix, q)
        assert [s.id for s in ranked] == [s.id for s in want_ranked], q
        assert [(p.model, p.reason, p.over_budget, p.estimated_cost_usd) for p in passed] == want_passed, q
        if isinstance(expected, Decision):
            kinds["decision"] += 1
            kinds["over budget"] += any(p[2] for p in expected.passed_over)
        else:
            kinds["refused"] += 1
    # the queries reached every kind of outcome, often
    assert min(kinds.values()) > QUERIES // 40, kinds
