"""The router builds its decisions without validating them (validation was most of a decision's time): what it
returns must be what pydantic would have built from the same values, field for field, and its money labels what
``format_usd`` prints."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.models import AssetSubmission, ContentType, Latency, PassedOver, RouteDecision, Tier
from flashfusion.routing.matrix import load_matrix_file
from flashfusion.routing.router import RouteQuery, _estimate_label, candidates, format_usd, query_for, route

PROVIDERS = frozenset({"openai", "gemini", "bedrock", "runway", "replicate", "elevenlabs", "local"})


def queries(count: int) -> list[RouteQuery]:
    """Every medium, tier and latency, short and over-long prompts, budgets from none to overdrawn."""
    rng = random.Random(11)
    out = []
    for _ in range(count):
        submission = AssetSubmission.model_validate(
            {
                "contentType": rng.choice(list(ContentType)),
                "prompt": "x" * rng.choice([10, rng.randint(10, 3000), 3999]),
                "tier": rng.choice(list(Tier)),
                "latency": rng.choice(list(Latency)),
                "brandKitId": "kit",
            }
        )
        budget = rng.choice([None, -1.0, 0.0, 0.0004, 0.01, 0.5, 100.0, 3])
        providers = frozenset(rng.sample(sorted(PROVIDERS), rng.randint(1, len(PROVIDERS))))
        out.append(query_for(submission, providers, budget))
    return out


def validated(record: PassedOver) -> PassedOver:
    return PassedOver(**{name: getattr(record, name) for name in record.model_fields_set})


@pytest.mark.parametrize("query", queries(300))
def test_a_decision_is_the_model_pydantic_builds_from_its_values(query: RouteQuery) -> None:
    try:
        decision = route(load_matrix_file(), query)
    except Exception:  # refusals are covered by test_router.py; they build no decision
        return
    given_fields = {name: getattr(decision, name) for name in decision.model_fields_set}
    built = RouteDecision(**given_fields)
    assert decision == built
    assert decision.model_fields_set == built.model_fields_set
    assert decision.model_dump_json(by_alias=True) == built.model_dump_json(by_alias=True)
    assert RouteDecision.model_validate_json(decision.model_dump_json(by_alias=True)) == decision
    assert type(decision.estimated_cost_usd) is float
    assert decision.remaining_budget_usd is None or type(decision.remaining_budget_usd) is float
    for record in decision.passed_over:
        assert isinstance(record, PassedOver)
        again = validated(record)
        assert record == again
        assert record.model_fields_set == again.model_fields_set
    # two decisions share no list they could change for each other
    second = route(load_matrix_file(), query)
    assert second.passed_over is not decision.passed_over
    assert second.chain is not decision.chain
    assert second.failed is not decision.failed


@pytest.mark.parametrize("query", queries(100))
def test_candidates_passed_over_records_are_the_validated_ones(query: RouteQuery) -> None:
    _, passed = candidates(load_matrix_file(), query)
    for record in passed:
        again = validated(record)
        assert record == again
        assert record.model_fields_set == again.model_fields_set


@settings(max_examples=2000, deadline=None)
@given(st.floats(min_value=0.0, max_value=100_000.0, allow_nan=False))
def test_an_estimates_label_is_format_usd_of_it(amount: float) -> None:
    estimate = round(amount, 6)  # what pricing returns
    assert _estimate_label(estimate) == format_usd(estimate)


@pytest.mark.parametrize("estimate", [0.0, 0.000001, 0.0001, 0.00015, 0.999999, 1.0, 12.3456, 12.345601, 99999.99])
def test_an_estimates_label_at_the_edges(estimate: float) -> None:
    assert _estimate_label(estimate) == format_usd(estimate)
