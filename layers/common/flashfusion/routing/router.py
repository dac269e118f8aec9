"""Pick a model for a request and the ordered chain to fall back on.

Order of preference: the requested tier (in matrix order, so the matrix file ranks providers), then
each lower tier. A higher tier is never chosen silently: it would spend more than was asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

from flashfusion.errors import FallbackChainExhausted, NoModelAvailable
from flashfusion.models import ContentType, FailedAttempt, RouteDecision, Tier
from flashfusion.routing.matrix import ModelMatrix, ModelSpec

TIER_ORDER = [Tier.BASIC, Tier.STANDARD, Tier.PREMIUM]
MAX_CHAIN = 4
# Rough output sizes per tier, for the cost estimate before the call; the vendor's usage settles it.
EXPECTED_OUTPUT_TOKENS = {Tier.BASIC: 300, Tier.STANDARD: 600, Tier.PREMIUM: 1200}


def estimate_cost_usd(spec: ModelSpec, prompt_chars: int) -> float:
    input_tokens = prompt_chars / 4 + 200  # ~4 chars a token, plus the brand-kit system prompt
    output_tokens = EXPECTED_OUTPUT_TOKENS[spec.tier]
    return round(
        (input_tokens * spec.prices.input_per_m_tok + output_tokens * spec.prices.output_per_m_tok) / 1e6, 6
    )


def candidates(
    matrix: ModelMatrix,
    content_type: ContentType,
    tier: Tier,
    providers: Iterable[str],
    prompt_chars: int,
) -> list[ModelSpec]:
    available = set(providers)
    wanted = TIER_ORDER.index(tier)
    usable = [
        m
        for m in matrix.models
        if m.enabled
        and m.medium == content_type
        and m.provider in available
        and prompt_chars <= m.limits.max_prompt_chars
        and TIER_ORDER.index(m.tier) <= wanted
    ]
    # Stable sort: requested tier first, then each tier down; matrix order within a tier.
    return sorted(usable, key=lambda m: wanted - TIER_ORDER.index(m.tier))


def route(
    matrix: ModelMatrix,
    content_type: ContentType,
    tier: Tier,
    providers: Iterable[str],
    prompt_chars: int,
) -> RouteDecision:
    providers = frozenset(providers)  # read twice below: an iterator would be empty the second time
    ranked = candidates(matrix, content_type, tier, providers, prompt_chars)
    if not ranked:
        raise NoModelAvailable(
            f"no enabled model serves {content_type.value} at tier {tier.value} or below "
            f"with the providers configured ({', '.join(sorted(set(providers))) or 'none'})"
        )
    first, rest = ranked[0], ranked[1 : MAX_CHAIN + 1]
    reasons = [f"matrix {matrix.version}: {first.id} is the first enabled {content_type.value} model"]
    if first.tier != tier:
        reasons.append(f"no {tier.value} model available; stepped down to {first.tier.value}")
    else:
        reasons.append(f"serves the requested tier {tier.value}")
    if rest:
        reasons.append("fallbacks: " + ", ".join(f"{m.id} ({m.tier.value})" for m in rest))
    return RouteDecision(
        model=first.id,
        provider=first.provider,
        chain=[m.id for m in rest],
        reasons=reasons,
        estimated_cost_usd=estimate_cost_usd(first, prompt_chars),
    )


def next_hop(
    matrix: ModelMatrix, decision: RouteDecision, error: str, message: str, prompt_chars: int
) -> RouteDecision:
    """The decision after ``decision.model`` failed: the next model of the chain, or an exhausted chain."""
    failed = [*decision.failed, FailedAttempt(model=decision.model, error=error, message=message)]
    if not decision.chain:
        lines = "; ".join(f"{f.model} failed with {f.error}: {f.message}" for f in failed)
        raise FallbackChainExhausted(f"All {len(failed)} model(s) failed. {lines}")
    spec = matrix.get(decision.chain[0])
    return RouteDecision(
        model=spec.id,
        provider=spec.provider,
        chain=decision.chain[1:],
        failed=failed,
        reasons=[*decision.reasons, f"{decision.model} failed with {error}; falling back to {spec.id}"],
        estimated_cost_usd=estimate_cost_usd(spec, prompt_chars),
    )
