"""The router: requested tier first, step down never up, within the budget, along a bounded chain."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from flashfusion.errors import BudgetExceeded, FallbackChainExhausted, NoModelAvailable
from flashfusion.models import AssetSubmission, ContentType, Latency, RouteDecision, Tier
from flashfusion.providers.registry import ADAPTERS
from flashfusion.routing.matrix import ModelMatrix, ModelSpec, load_matrix, load_matrix_file
from flashfusion.routing.router import (
    LATENCY_ORDER,
    MAX_CHAIN,
    TIER_ORDER,
    RouteQuery,
    candidates,
    estimate,
    next_hop,
    query_for,
    route,
)

TEXT, IMAGE, VIDEO, MUSIC = ContentType.TEXT, ContentType.IMAGE, ContentType.VIDEO, ContentType.MUSIC
PAID_TEXT = frozenset({"openai", "gemini", "bedrock"})
EVERY_PROVIDER = frozenset(ADAPTERS)


def spec(
    model_id: str,
    tier: Tier | str,
    provider: str = "local",
    medium: ContentType | str = TEXT,
    *,
    enabled: bool = True,
    max_prompt_chars: int = 4000,
    latency: str = "medium",
    prices: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
    note: str = "",
) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "id": model_id,
            "provider": provider,
            "vendorModel": model_id.split("/")[-1],
            "medium": medium,
            "tier": tier,
            "enabled": enabled,
            "latencyClass": latency,
            "prices": prices or {},
            "limits": {"maxPromptChars": max_prompt_chars, **(limits or {})},
            "note": note,
        }
    )


def text_price(per_m: float) -> dict[str, float]:
    return {"inputPerMTok": per_m, "outputPerMTok": per_m}


def matrix(*models: ModelSpec) -> ModelMatrix:
    return ModelMatrix(version="test", models=list(models))


def query(
    content_type: ContentType = TEXT,
    tier: Tier = Tier.STANDARD,
    providers: frozenset[str] | set[str] = frozenset({"local"}),
    prompt_chars: int = 10,
    **kwargs: Any,
) -> RouteQuery:
    return RouteQuery(content_type, tier, frozenset(providers), prompt_chars, **kwargs)


def rank(tier: Tier | str) -> int:
    return TIER_ORDER.index(Tier(tier))


def dollars(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\$(-?\d+(?:\.\d+)?)", text)]


@pytest.fixture(scope="module")
def default_matrix() -> ModelMatrix:
    return load_matrix_file()


# --- the packaged matrix ----------------------------------------------------------------------


def test_packaged_matrix_loads_with_unique_ids_and_known_providers(default_matrix: ModelMatrix) -> None:
    assert default_matrix.version
    assert default_matrix.models
    ids = [m.id for m in default_matrix.models]
    assert len(ids) == len(set(ids))
    for m in default_matrix.models:
        assert isinstance(m.tier, Tier)
        assert isinstance(m.medium, ContentType)
        assert m.provider in ADAPTERS, m.id
        assert m.vendor_model
        assert m.limits.max_prompt_chars >= 1
        assert m.latency_class in LATENCY_ORDER
        if m.provider != "generic-http":
            assert m.id.startswith(f"{m.provider}/"), m.id


@pytest.mark.parametrize("medium", list(ContentType))
@pytest.mark.parametrize("tier", list(Tier))
def test_packaged_matrix_has_an_enabled_model_for_every_medium_and_tier(
    default_matrix: ModelMatrix, medium: ContentType, tier: Tier
) -> None:
    rows = [m for m in default_matrix.models if m.medium == medium and m.tier == tier]
    assert rows
    assert any(m.enabled for m in rows)
    # The offline generators cover every cell, so the local engine can route anything.
    assert any(m.enabled and m.provider == "local" for m in rows)


@pytest.mark.parametrize(("model_id", "medium"), [("midjourney/v6", IMAGE), ("suno/v3", MUSIC)])
def test_packaged_matrix_disables_vendors_without_a_public_api(
    default_matrix: ModelMatrix, model_id: str, medium: ContentType
) -> None:
    row = default_matrix.get(model_id)
    assert row.medium == medium
    assert not row.enabled
    assert row.provider == "generic-http"
    assert row.note
    assert "no official public API" in row.note


def test_packaged_matrix_every_disabled_row_says_why(default_matrix: ModelMatrix) -> None:
    disabled = [m for m in default_matrix.models if not m.enabled]
    assert {m.id for m in disabled} >= {"midjourney/v6", "suno/v3"}
    assert all(m.note for m in disabled)


def test_packaged_matrix_reports_a_disabled_row_with_its_note(default_matrix: ModelMatrix) -> None:
    decision = route(default_matrix, query(IMAGE, Tier.PREMIUM, EVERY_PROVIDER))
    assert decision.model != "midjourney/v6"
    assert "midjourney/v6" not in decision.chain
    reason = next(p.reason for p in decision.passed_over if p.model == "midjourney/v6")
    assert "disabled" in reason
    assert default_matrix.get("midjourney/v6").note in reason


def test_load_matrix_file_reads_a_path(tmp_path: Any) -> None:
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(matrix(spec("local/x", "basic")).to_json()), "utf-8")
    loaded = load_matrix_file(path)
    assert [m.id for m in loaded.models] == ["local/x"]


def test_load_matrix_rejects_duplicate_ids() -> None:
    doc = matrix(spec("local/a", "basic"), spec("local/b", "basic"), spec("local/a", "premium")).to_json()
    with pytest.raises(ValueError, match="local/a") as exc:
        load_matrix(json.dumps(doc))
    assert "local/b" not in str(exc.value)


@pytest.mark.parametrize(
    "patch",
    [
        {"tier": "ultra"},
        {"medium": "hologram"},
        {"unknownField": 1},
        {"limits": {"maxPromptChars": 0}},
        {"latencyClass": "warp"},
        {"mode": "eventually"},
        {"prices": {"perSecond": -1}},
    ],
)
def test_load_matrix_rejects_invalid_models(patch: dict[str, Any]) -> None:
    doc = matrix(spec("local/a", "basic")).to_json()
    doc["models"][0].update(patch)
    with pytest.raises(ValidationError):
        load_matrix(json.dumps(doc))


def test_matrix_get_unknown_model_raises_key_error(default_matrix: ModelMatrix) -> None:
    with pytest.raises(KeyError, match="nope/nope"):
        default_matrix.get("nope/nope")


# --- route() with the packaged matrix ---------------------------------------------------------


@pytest.mark.parametrize("medium", list(ContentType))
@pytest.mark.parametrize("tier", list(Tier))
def test_default_matrix_local_only_picks_local_model_of_requested_tier(
    default_matrix: ModelMatrix, medium: ContentType, tier: Tier
) -> None:
    decision = route(default_matrix, query(medium, tier, {"local"}, 100))
    picked = default_matrix.get(decision.model)
    assert (picked.provider, picked.medium, picked.tier) == ("local", medium, tier)
    assert decision.provider == "local"
    # The chain steps down through the lower local tiers, never up.
    assert [default_matrix.get(m).tier for m in decision.chain] == [
        t for t in reversed(TIER_ORDER) if rank(t) < rank(tier)
    ]
    assert any(tier.value in r for r in decision.reasons)
    assert decision.estimated_cost_usd == 0.0


def test_default_matrix_keeps_matrix_order_between_equally_fast_models(default_matrix: ModelMatrix) -> None:
    decision = route(default_matrix, query(TEXT, Tier.PREMIUM, {"openai", "gemini"}, 100))
    premium = [
        m.id for m in default_matrix.models if m.medium == TEXT and m.tier == Tier.PREMIUM and m.provider != "local"
    ]
    assert {default_matrix.get(m).latency_class for m in premium} == {"medium"}
    assert decision.model == premium[0]
    assert decision.chain[: len(premium) - 1] == premium[1:]
    assert len(decision.chain) == MAX_CHAIN


def test_default_matrix_never_goes_above_the_requested_tier(default_matrix: ModelMatrix) -> None:
    for medium in ContentType:
        decision = route(default_matrix, query(medium, Tier.BASIC, EVERY_PROVIDER, 100))
        for model_id in [decision.model, *decision.chain]:
            assert default_matrix.get(model_id).tier == Tier.BASIC


def test_default_matrix_no_model_for_a_medium_its_providers_do_not_serve(default_matrix: ModelMatrix) -> None:
    with pytest.raises(NoModelAvailable) as exc:
        route(default_matrix, query(IMAGE, Tier.STANDARD, {"runway"}, 100))
    assert "image" in str(exc.value)
    assert "runway" in str(exc.value)


def test_no_model_when_no_provider_is_enabled(default_matrix: ModelMatrix) -> None:
    with pytest.raises(NoModelAvailable, match="none"):
        route(default_matrix, query(TEXT, Tier.STANDARD, set(), 100))


def test_passes_over_a_model_that_does_not_offer_the_size() -> None:
    m = matrix(
        spec("openai/v", "premium", "openai", VIDEO, limits={"sizes": ["1280x720", "720x1280"]}),
        spec("local/v", "premium", "local", VIDEO),
    )
    q = query(VIDEO, Tier.PREMIUM, {"openai", "local"}, size="1920x1080")
    decision = route(m, q)
    assert (decision.model, decision.chain) == ("local/v", [])
    [passed] = decision.passed_over
    assert passed.model == "openai/v"
    assert "1920x1080" in passed.reason
    assert "1280x720" in passed.reason
    assert route(m, replace(q, size="720x1280")).model == "openai/v"


def test_estimated_cost_is_zero_for_local_and_positive_for_paid(default_matrix: ModelMatrix) -> None:
    local = route(default_matrix, query(TEXT, Tier.PREMIUM, {"local"}, 1000))
    paid_query = query(TEXT, Tier.PREMIUM, {"openai"}, 1000)
    paid = route(default_matrix, paid_query)
    assert local.estimated_cost_usd == 0.0
    assert paid.estimated_cost_usd > 0.0
    assert paid.estimated_cost_usd == estimate(default_matrix.get(paid.model), paid_query)


def test_estimated_cost_grows_with_prompt_length(default_matrix: ModelMatrix) -> None:
    gpt = default_matrix.get("openai/gpt-5")
    assert estimate(gpt, query(prompt_chars=4000)) > estimate(gpt, query(prompt_chars=10))


# --- route() with hand-built matrices ---------------------------------------------------------


def test_requested_tier_first_in_matrix_order() -> None:
    m = matrix(
        spec("local/b1", "basic"),
        spec("local/s1", "standard"),
        spec("local/p1", "premium"),
        spec("local/s2", "standard"),
        spec("local/b2", "basic"),
    )
    decision = route(m, query(TEXT, Tier.STANDARD))
    assert decision.model == "local/s1"
    assert decision.chain == ["local/s2", "local/b1", "local/b2"]
    assert "local/p1" not in decision.chain
    assert decision.failed == []
    assert not any("stepped down" in r for r in decision.reasons)


def test_steps_down_with_a_reason_when_tier_has_no_available_provider() -> None:
    m = matrix(
        spec("openai/p", "premium", "openai"),
        spec("local/s", "standard"),
        spec("local/b", "basic"),
    )
    decision = route(m, query(TEXT, Tier.PREMIUM))
    assert decision.model == "local/s"
    assert decision.chain == ["local/b"]
    stepped = [r for r in decision.reasons if "stepped down" in r]
    assert len(stepped) == 1
    assert "premium" in stepped[0]
    assert "standard" in stepped[0]
    assert any(p.model == "openai/p" and "openai" in p.reason for p in decision.passed_over)


def test_never_picks_a_higher_tier() -> None:
    m = matrix(spec("local/p", "premium"), spec("local/s", "standard"))
    with pytest.raises(NoModelAvailable) as exc:
        route(m, query(TEXT, Tier.BASIC))
    assert "above the requested basic" in str(exc.value)
    assert route(m, query(TEXT, Tier.STANDARD)).chain == []


def test_never_picks_a_disabled_model() -> None:
    m = matrix(spec("local/s-off", "standard", enabled=False, note="retired"), spec("local/s-on", "standard"))
    decision = route(m, query(TEXT, Tier.STANDARD))
    assert decision.model == "local/s-on"
    assert "local/s-off" not in decision.chain
    assert [(p.model, "retired" in p.reason) for p in decision.passed_over] == [("local/s-off", True)]
    with pytest.raises(NoModelAvailable):
        route(matrix(spec("local/s-off", "standard", enabled=False)), query(TEXT, Tier.STANDARD))


def test_respects_available_providers() -> None:
    m = matrix(spec("openai/s", "standard", "openai"), spec("gemini/s", "standard", "gemini"))
    assert route(m, query(TEXT, Tier.STANDARD, {"gemini"})).model == "gemini/s"
    assert route(m, query(TEXT, Tier.STANDARD, {"openai"})).model == "openai/s"
    both = route(m, query(TEXT, Tier.STANDARD, {"openai", "gemini"}))
    assert (both.model, both.chain) == ("openai/s", ["gemini/s"])


def test_respects_max_prompt_chars() -> None:
    m = matrix(spec("local/small", "standard", max_prompt_chars=100), spec("local/big", "basic"))
    assert route(m, query(TEXT, Tier.STANDARD, prompt_chars=100)).model == "local/small"
    over = route(m, query(TEXT, Tier.STANDARD, prompt_chars=101))
    assert over.model == "local/big"
    assert over.chain == []
    assert any(p.model == "local/small" and "101" in p.reason for p in over.passed_over)
    with pytest.raises(NoModelAvailable) as exc:
        route(m, query(TEXT, Tier.STANDARD, prompt_chars=4001))
    assert "local/small" in str(exc.value)
    assert "local/big" in str(exc.value)


def test_no_model_available_names_every_reason() -> None:
    m = matrix(
        spec("local/off", "basic", enabled=False, note="broken"),
        spec("openai/b", "basic", "openai"),
        spec("local/p", "premium"),
    )
    with pytest.raises(NoModelAvailable) as exc:
        route(m, query(TEXT, Tier.BASIC))
    text = str(exc.value)
    for fragment in ["local/off", "broken", "openai/b", "openai", "local/p", "premium", "text", "basic"]:
        assert fragment in text


def test_filters_by_medium() -> None:
    m = matrix(spec("local/img", "standard", medium="image"), spec("local/txt", "standard"))
    image = route(m, query(IMAGE, Tier.STANDARD))
    assert image.model == "local/img"
    assert image.passed_over == []  # another medium is not a candidate at all
    assert route(m, query(TEXT, Tier.STANDARD)).chain == []


def test_excluded_models_are_passed_over_as_already_tried() -> None:
    m = matrix(spec("local/a", "basic"), spec("local/b", "basic"))
    decision = route(m, query(TEXT, Tier.BASIC, exclude=frozenset({"local/a"})))
    assert (decision.model, decision.chain) == ("local/b", [])
    assert [(p.model, p.reason) for p in decision.passed_over] == [("local/a", "already tried for this request")]


def test_chain_is_capped_at_max_chain() -> None:
    m = matrix(*(spec(f"local/m{i}", "basic") for i in range(MAX_CHAIN + 5)))
    decision = route(m, query(TEXT, Tier.BASIC))
    assert decision.model == "local/m0"
    assert decision.chain == [f"local/m{i}" for i in range(1, MAX_CHAIN + 1)]
    beyond = [p for p in decision.passed_over if "chain limit" in p.reason]
    assert [p.model for p in beyond] == [f"local/m{i}" for i in range(MAX_CHAIN + 1, MAX_CHAIN + 5)]


# --- realtime vs batch ------------------------------------------------------------------------


def two_speeds() -> ModelMatrix:
    """In one tier: a dear fast model listed first, a cheap slow one after it, a cheaper basic one below."""
    return matrix(
        spec("openai/dear-fast", "standard", "openai", latency="fast", prices=text_price(10.0)),
        spec("gemini/cheap-slow", "standard", "gemini", latency="slow", prices=text_price(0.1)),
        spec("gemini/mid-medium", "standard", "gemini", latency="medium", prices=text_price(1.0)),
        spec("local/basic", "basic", latency="slow", prices=text_price(0.01)),
    )


def test_realtime_prefers_the_faster_latency_class_within_a_tier() -> None:
    decision = route(two_speeds(), query(TEXT, Tier.STANDARD, {"openai", "gemini", "local"}))
    assert [decision.model, *decision.chain] == [
        "openai/dear-fast",
        "gemini/mid-medium",
        "gemini/cheap-slow",
        "local/basic",
    ]
    assert any("realtime" in r for r in decision.reasons)


def test_batch_prefers_the_cheaper_estimate_within_a_tier_but_never_leaves_the_tier_for_price() -> None:
    m = two_speeds()
    q = query(TEXT, Tier.STANDARD, {"openai", "gemini", "local"}, latency=Latency.BATCH)
    decision = route(m, q)
    assert [decision.model, *decision.chain] == [
        "gemini/cheap-slow",
        "gemini/mid-medium",
        "openai/dear-fast",
        "local/basic",
    ]
    # The cheapest model of all is a lower tier: it is only a fallback.
    assert estimate(m.get("local/basic"), q) < estimate(m.get("gemini/cheap-slow"), q)
    assert any("batch" in r for r in decision.reasons)


def test_batch_ties_keep_the_matrix_order() -> None:
    m = matrix(
        spec("openai/a", "basic", "openai", latency="slow", prices=text_price(1.0)),
        spec("gemini/b", "basic", "gemini", latency="fast", prices=text_price(1.0)),
    )
    decision = route(m, query(TEXT, Tier.BASIC, {"openai", "gemini"}, latency=Latency.BATCH))
    assert [decision.model, *decision.chain] == ["openai/a", "gemini/b"]


def test_default_matrix_batch_ranks_standard_text_by_estimate(default_matrix: ModelMatrix) -> None:
    realtime = query(TEXT, Tier.STANDARD, PAID_TEXT, 400)
    batch = replace(realtime, latency=Latency.BATCH)
    standard = [
        m for m in default_matrix.models if m.medium == TEXT and m.tier == Tier.STANDARD and m.provider != "local"
    ]

    def per_request(m: ModelSpec) -> float:  # 400 chars ~ 100 tokens + system prompt; the standard tier's output
        return ((400 / 4 + 200) * m.prices.input_per_m_tok + 600 * m.prices.output_per_m_tok) / 1e6

    by_price = sorted(standard, key=per_request)
    assert route(default_matrix, batch).model == by_price[0].id
    assert route(default_matrix, batch).chain[: len(standard) - 1] == [m.id for m in by_price[1:]]
    by_speed = sorted(standard, key=lambda m: LATENCY_ORDER[m.latency_class])
    assert route(default_matrix, realtime).model == by_speed[0].id
    assert route(default_matrix, realtime).chain[: len(standard) - 1] == [m.id for m in by_speed[1:]]


# --- the budget -------------------------------------------------------------------------------


def test_remaining_zero_with_only_priced_models_names_the_cheapest(default_matrix: ModelMatrix) -> None:
    q = query(IMAGE, Tier.STANDARD, {"openai", "bedrock"}, 100, remaining_budget_usd=0.0)
    eligible = [
        m
        for m in default_matrix.models
        if m.medium == IMAGE and m.enabled and m.provider in q.providers and rank(m.tier) <= rank(Tier.STANDARD)
    ]
    cheapest = min(eligible, key=lambda m: estimate(m, q))
    assert all(estimate(m, q) > 0 for m in eligible)
    with pytest.raises(BudgetExceeded) as exc:
        route(default_matrix, q)
    text = str(exc.value)
    assert cheapest.id in text
    assert estimate(cheapest, q) == pytest.approx(max(dollars(text)), abs=5e-5)
    assert "image" in text


def test_remaining_zero_still_routes_free_local_models(default_matrix: ModelMatrix) -> None:
    q = query(TEXT, Tier.PREMIUM, {"local", "openai", "gemini"}, 100, remaining_budget_usd=0.0)
    decision = route(default_matrix, q)
    assert decision.model == "local/text-premium"
    assert all(default_matrix.get(m).provider == "local" for m in decision.chain)
    assert decision.estimated_cost_usd == 0.0
    assert decision.remaining_budget_usd == 0.0
    over = {p.model for p in decision.passed_over if p.over_budget}
    assert over == {
        m.id for m in default_matrix.models if m.medium == TEXT and m.provider in {"openai", "gemini"} and m.enabled
    }


def test_free_models_still_route_when_the_budget_is_overdrawn() -> None:
    """availableUsd goes below zero when a settled cost beats its reservation or the limit is lowered
    (storage/budgets.py); a model that costs nothing spends nothing and must still be routable."""
    m = matrix(spec("local/free", "basic"), spec("openai/paid", "basic", "openai", prices=text_price(1.0)))
    decision = route(m, query(TEXT, Tier.BASIC, {"local", "openai"}, remaining_budget_usd=-0.01))
    assert decision.model == "local/free"


def test_budget_message_figures_show_the_estimate_above_the_budget() -> None:
    """Estimates are priced to the millionth of a dollar; the message must not print both as the same figure."""
    m = matrix(spec("openai/nano", "basic", "openai", prices=text_price(0.25)))
    q = query(TEXT, Tier.BASIC, {"openai"}, 100, remaining_budget_usd=0.00011)
    cost = estimate(m.get("openai/nano"), q)
    assert 0.00011 < cost < 0.00015
    with pytest.raises(BudgetExceeded) as exc:
        route(m, q)
    shown_remaining, shown_cost = dollars(str(exc.value))
    assert shown_cost > shown_remaining


def test_a_model_whose_estimate_equals_the_remaining_budget_fits() -> None:
    m = matrix(spec("openai/a", "basic", "openai", prices=text_price(2.0)))
    q = query(TEXT, Tier.BASIC, {"openai"}, 100)
    cost = estimate(m.get("openai/a"), q)
    assert route(m, replace(q, remaining_budget_usd=cost)).estimated_cost_usd == cost
    with pytest.raises(BudgetExceeded):
        route(m, replace(q, remaining_budget_usd=cost - 1e-6))


def test_over_budget_models_are_passed_over_with_their_estimate() -> None:
    m = matrix(
        spec("openai/dear", "standard", "openai", prices=text_price(10.0)),
        spec("gemini/cheap", "standard", "gemini", prices=text_price(0.1)),
    )
    q = query(TEXT, Tier.STANDARD, {"openai", "gemini"}, 100)
    dear = estimate(m.get("openai/dear"), q)
    cheap = estimate(m.get("gemini/cheap"), q)
    decision = route(m, replace(q, remaining_budget_usd=(dear + cheap) / 2))
    assert (decision.model, decision.chain) == ("gemini/cheap", [])
    [passed] = decision.passed_over
    assert (passed.model, passed.over_budget, passed.estimated_cost_usd) == ("openai/dear", True, dear)
    assert "budget" in passed.reason


def test_budget_exceeded_only_when_the_budget_is_what_stands_in_the_way() -> None:
    m = matrix(
        spec("openai/off", "basic", "openai", enabled=False, prices=text_price(0.0)),
        spec("openai/paid", "basic", "openai", prices=text_price(1.0)),
    )
    with pytest.raises(BudgetExceeded, match="openai/paid"):
        route(m, query(TEXT, Tier.BASIC, {"openai"}, remaining_budget_usd=0.0))
    # Nothing would serve it at any price: that is not a budget problem.
    with pytest.raises(NoModelAvailable):
        route(m, query(TEXT, Tier.BASIC, {"gemini"}, remaining_budget_usd=0.0))
    with pytest.raises(NoModelAvailable):
        route(m, query(TEXT, Tier.BASIC, {"openai"}, prompt_chars=5000, remaining_budget_usd=0.0))


# --- query_for --------------------------------------------------------------------------------


def test_query_for_copies_the_submission() -> None:
    submission = AssetSubmission.model_validate(
        {
            "contentType": "video",
            "prompt": "  A 7-second reel of the spring collection on a mountain ridge  ",
            "tier": "premium",
            "latency": "batch",
            "brandKitId": "aurora-core",
            "options": {"size": "1280x720", "quality": "high", "durationSeconds": 7},
        }
    )
    providers = frozenset({"openai", "local"})
    q = query_for(submission, providers, 1.25)
    assert q.content_type == VIDEO
    assert q.tier == Tier.PREMIUM
    assert q.latency == Latency.BATCH
    assert q.providers == providers
    assert (
        q.prompt_chars == len(submission.prompt) == len("A 7-second reel of the spring collection on a mountain ridge")
    )
    assert q.remaining_budget_usd == 1.25
    assert (q.size, q.quality, q.seconds) == ("1280x720", "high", 7.0)
    assert q.exclude == frozenset()


def test_query_for_defaults_leave_the_options_to_the_model() -> None:
    submission = AssetSubmission.model_validate({"contentType": "text", "prompt": "hello", "brandKitId": "k"})
    q = query_for(submission, frozenset({"local"}), None)
    assert (q.content_type, q.tier, q.latency) == (TEXT, Tier.STANDARD, Latency.REALTIME)
    assert (q.size, q.quality, q.seconds, q.remaining_budget_usd) == (None, None, None, None)
    assert q.prompt_chars == 5


# --- next_hop ---------------------------------------------------------------------------------


def test_next_hop_walks_the_chain_then_raises_naming_every_failure() -> None:
    m = matrix(spec("local/s", "standard"), spec("openai/s", "standard", "openai"), spec("local/b", "basic"))
    q = query(TEXT, Tier.STANDARD, {"local", "openai"})
    decision = route(m, q)
    assert [decision.model, *decision.chain] == ["local/s", "openai/s", "local/b"]

    errors = [
        ("ProviderThrottled", "rate limited (429)"),
        ("ProviderAuthError", "credentials refused (401)"),
        ("ProviderRejected", "content policy"),
    ]
    seen = [decision.model]
    for error, message in errors[:2]:
        previous = decision
        decision = next_hop(m, decision, error, message, q)
        seen.append(decision.model)
        assert decision.chain == previous.chain[1:]
        assert decision.failed[-1].model == previous.model
        assert decision.failed[-1].error == error
        assert decision.failed[-1].message == message
        assert decision.provider == m.get(decision.model).provider
        assert any(previous.model in r and error in r for r in decision.reasons)
    assert seen == ["local/s", "openai/s", "local/b"]
    assert [f.model for f in decision.failed] == ["local/s", "openai/s"]

    with pytest.raises(FallbackChainExhausted) as exc:
        next_hop(m, decision, *errors[2], q)
    text = str(exc.value)
    assert "3" in text
    for model_id, (error, message) in zip(seen, errors, strict=True):
        assert model_id in text
        assert error in text
        assert message in text


def test_next_hop_on_a_single_model_raises_immediately() -> None:
    m = matrix(spec("local/only", "basic"))
    decision = route(m, query(TEXT, Tier.BASIC))
    with pytest.raises(FallbackChainExhausted, match=r"local/only failed with ProviderTimeout: slow"):
        next_hop(m, decision, "ProviderTimeout", "slow", query(TEXT, Tier.BASIC))


def test_next_hop_survives_a_json_round_trip() -> None:
    """The decision travels through Step Functions as JSON between Route, Generate and Fallback."""
    m = matrix(spec("local/a", "basic"), spec("local/b", "basic"), spec("local/c", "basic"))
    q = query(TEXT, Tier.BASIC)
    decision = route(m, q)
    decision = RouteDecision.model_validate(json.loads(json.dumps(decision.to_json())))
    decision = next_hop(m, decision, "ProviderUnavailable", "503", q)
    decision = RouteDecision.model_validate(json.loads(json.dumps(decision.to_json())))
    decision = next_hop(m, decision, "ProviderTimeout", "slow", q)
    assert decision.model == "local/c"
    assert [(f.model, f.error) for f in decision.failed] == [
        ("local/a", "ProviderUnavailable"),
        ("local/b", "ProviderTimeout"),
    ]


def budget_chain() -> tuple[ModelMatrix, RouteQuery]:
    m = matrix(
        spec("openai/first", "standard", "openai", latency="fast", prices=text_price(1.0)),
        spec("openai/dear", "standard", "openai", latency="medium", prices=text_price(10.0)),
        spec("gemini/cheap", "standard", "gemini", latency="slow", prices=text_price(0.1)),
    )
    return m, query(TEXT, Tier.STANDARD, {"openai", "gemini"}, 100, remaining_budget_usd=1.0)


def test_next_hop_rechecks_the_budget_and_skips_a_model_that_no_longer_fits() -> None:
    m, q = budget_chain()
    decision = route(m, q)
    assert [decision.model, *decision.chain] == ["openai/first", "openai/dear", "gemini/cheap"]
    cheap = estimate(m.get("gemini/cheap"), q)
    dear = estimate(m.get("openai/dear"), q)
    tight = replace(q, remaining_budget_usd=(cheap + dear) / 2)
    following = next_hop(m, decision, "ProviderUnavailable", "503", tight)
    assert (following.model, following.chain) == ("gemini/cheap", [])
    assert following.estimated_cost_usd == cheap
    assert following.remaining_budget_usd == tight.remaining_budget_usd
    skipped = [p for p in following.passed_over if p.model == "openai/dear"]
    assert len(skipped) == 1
    assert skipped[0].over_budget
    assert skipped[0].estimated_cost_usd == dear


def test_next_hop_raises_budget_exceeded_when_only_the_budget_blocks_the_rest() -> None:
    m, q = budget_chain()
    decision = route(m, q)
    with pytest.raises(BudgetExceeded) as exc:
        next_hop(m, decision, "ProviderThrottled", "429 slow down", replace(q, remaining_budget_usd=0.0))
    text = str(exc.value)
    for fragment in ["openai/first", "ProviderThrottled", "429 slow down", "openai/dear", "gemini/cheap"]:
        assert fragment in text


def test_next_hop_raises_chain_exhausted_when_the_last_model_fails_even_with_no_budget_left() -> None:
    m, q = budget_chain()
    decision = route(m, q)
    decision = next_hop(m, decision, "ProviderUnavailable", "503", q)
    decision = next_hop(m, decision, "ProviderUnavailable", "503", q)
    assert decision.chain == []
    with pytest.raises(FallbackChainExhausted):
        next_hop(m, decision, "ProviderUnavailable", "503", replace(q, remaining_budget_usd=0.0))


# --- properties over random matrices, budgets and latencies -----------------------------------

PROVIDERS = ["local", "openai", "gemini"]
MEDIA = [TEXT, IMAGE, VIDEO]  # music prices like video, by the second
SIZES = ["512x512", "1024x1024", "1792x1024"]
QUALITIES = ["standard", "hd"]
IMAGE_KEYS = [*SIZES, *(f"{s}/{q}" for s in SIZES for q in QUALITIES), "default"]


TIERS = st.sampled_from(list(Tier))
QUERY_TIERS = st.sampled_from([Tier.PREMIUM, Tier.STANDARD, Tier.PREMIUM, Tier.BASIC])
LATENCY_CLASSES = st.sampled_from(list(LATENCY_ORDER))
PER_M_TOK = st.sampled_from([0.0, 0.05, 0.4, 2.5, 10.0])
OUTPUT_CAPS = st.sampled_from([None, 100, 4000])
IMAGE_PRICE_KEYS = st.lists(st.sampled_from(IMAGE_KEYS), max_size=4, unique=True)
IMAGE_PRICES = st.sampled_from([0.0, 0.02, 0.04, 0.12])
SIZE_LISTS = st.lists(st.sampled_from(SIZES), max_size=2, unique=True)
PER_SECOND = st.sampled_from([0.0, 0.01, 0.05, 0.1])
MIN_SECONDS = st.sampled_from([None, 2.0, 5.0])
MAX_SECONDS = st.sampled_from([None, 10.0, 60.0])
DEFAULT_SECONDS = st.sampled_from([None, 4.0])
PROMPT_LIMITS = st.sampled_from([50, 500, 4000, 4000])
PROVIDER_SETS = st.sampled_from([frozenset(PROVIDERS), *(frozenset(PROVIDERS) - {p} for p in PROVIDERS), frozenset()])
PROMPT_CHARS = st.one_of(st.sampled_from([1, 100, 400]), st.integers(min_value=1, max_value=5000))
LATENCIES = st.sampled_from(list(Latency))
QUERY_SIZES = st.sampled_from([None, None, *SIZES])
QUERY_QUALITIES = st.sampled_from([None, *QUALITIES, "low"])
QUERY_SECONDS = st.sampled_from([None, 1.0, 6.0, 120.0])
MEDIA_S = st.sampled_from(MEDIA)
PROVIDERS_S = st.sampled_from(PROVIDERS)
MOSTLY_TRUE = st.sampled_from([True, True, True, False])
MATRIX_SIZES = st.one_of(st.integers(min_value=0, max_value=3), st.integers(min_value=4, max_value=14))


@st.composite
def random_matrices(draw: st.DrawFn, mostly: ContentType) -> ModelMatrix:
    """Up to 14 models, most of them of the medium ``mostly`` (the others must be ignored)."""
    models = []
    for i in range(draw(MATRIX_SIZES)):
        medium = mostly if draw(MOSTLY_TRUE) else draw(MEDIA_S)
        provider = draw(PROVIDERS_S)
        limits: dict[str, Any] = {}
        if medium == TEXT:
            prices: dict[str, Any] = {"inputPerMTok": draw(PER_M_TOK), "outputPerMTok": draw(PER_M_TOK)}
            limits["maxOutputTokens"] = draw(OUTPUT_CAPS)
        elif medium == IMAGE:
            prices = {"perImage": {k: draw(IMAGE_PRICES) for k in draw(IMAGE_PRICE_KEYS)}}
            limits["sizes"] = draw(SIZE_LISTS)
        else:
            prices = {"perSecond": draw(PER_SECOND)}
            limits["minSeconds"] = draw(MIN_SECONDS)
            limits["maxSeconds"] = draw(MAX_SECONDS)
            limits["defaultSeconds"] = draw(DEFAULT_SECONDS)
        models.append(
            spec(
                f"{provider}/m{i}",
                draw(TIERS),
                provider,
                medium,
                enabled=draw(MOSTLY_TRUE),
                max_prompt_chars=draw(PROMPT_LIMITS),
                latency=draw(LATENCY_CLASSES),
                prices=prices,
                limits={k: v for k, v in limits.items() if v is not None},
            )
        )
    return matrix(*models)


ANY_BUDGET = st.one_of(
    st.none(), st.sampled_from([0.0, 0.0005, 0.01, 0.05, 0.3]), st.floats(min_value=0.0, max_value=2.0, allow_nan=False)
)
BOUNDARY = st.sampled_from(["any", "at", "under"])
HOP_BUDGET = st.sampled_from(["same", "lower", "fresh"])
SHARES = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def budgets_for(draw: st.DrawFn, m: ModelMatrix, q: RouteQuery) -> float | None:
    """None, zero, any amount, or exactly some model's estimate (the boundary), or a hair under it."""
    costs = [estimate(s, q) for s in m.models if s.medium == q.content_type]
    how = draw(BOUNDARY)
    if how == "any" or not costs:
        return draw(ANY_BUDGET)
    cost = costs[draw(st.integers(min_value=0, max_value=len(costs) - 1))]
    return cost if how == "at" else max(0.0, cost - 1e-6)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[ModelMatrix, RouteQuery]:
    medium = draw(MEDIA_S)
    m = draw(random_matrices(medium))
    excluded = 0 if draw(MOSTLY_TRUE) else draw(st.integers(min_value=0, max_value=2 ** len(m.models) - 1))
    q = RouteQuery(
        content_type=medium,
        tier=draw(QUERY_TIERS),
        providers=draw(PROVIDER_SETS),
        prompt_chars=draw(PROMPT_CHARS),
        latency=draw(LATENCIES),
        size=draw(QUERY_SIZES) if medium != TEXT else None,
        quality=draw(QUERY_QUALITIES) if medium == IMAGE else None,
        seconds=draw(QUERY_SECONDS) if medium == VIDEO else None,
        exclude=frozenset(s.id for i, s in enumerate(m.models) if excluded >> i & 1),
    )
    return m, replace(q, remaining_budget_usd=draw(budgets_for(m, q)))


def serves(s: ModelSpec, q: RouteQuery) -> bool:
    """Could serve the query, budget aside (written from the rules, not from the router)."""
    return (
        s.medium == q.content_type
        and s.enabled
        and s.provider in q.providers
        and rank(s.tier) <= rank(q.tier)
        and q.prompt_chars <= s.limits.max_prompt_chars
        and (not q.size or not s.limits.sizes or q.size in s.limits.sizes)
        and s.id not in q.exclude
    )


def fits(s: ModelSpec, q: RouteQuery) -> bool:
    return q.remaining_budget_usd is None or estimate(s, q) <= q.remaining_budget_usd


def preference(m: ModelMatrix, q: RouteQuery) -> Any:
    order = {s.id: i for i, s in enumerate(m.models)}

    def key(s: ModelSpec) -> tuple[int, float, int]:
        within = estimate(s, q) if q.latency == Latency.BATCH else LATENCY_ORDER[s.latency_class]
        return -rank(s.tier), within, order[s.id]

    return key


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenarios())
def test_property_route_picks_only_usable_affordable_models_in_preference_order(
    scenario: tuple[ModelMatrix, RouteQuery],
) -> None:
    m, q = scenario
    same_medium = [s for s in m.models if s.medium == q.content_type]
    servable = [s for s in same_medium if serves(s, q)]
    affordable = [s for s in servable if fits(s, q)]
    try:
        decision = route(m, q)
    except BudgetExceeded:
        event("route: BudgetExceeded")
        assert not affordable
        assert q.remaining_budget_usd is not None
        # At least one model would have fitted without the budget.
        assert servable
        assert route(m, replace(q, remaining_budget_usd=None)).model in {s.id for s in servable}
        return
    except NoModelAvailable:
        event("route: NoModelAvailable")
        assert not servable
        with pytest.raises(NoModelAvailable):
            route(m, replace(q, remaining_budget_usd=None))
        return

    event("route: routed", payload=len(decision.chain))
    picked = [m.get(i) for i in [decision.model, *decision.chain]]
    for s in picked:
        assert s.enabled
        assert s.provider in q.providers
        assert s.medium == q.content_type
        assert rank(s.tier) <= rank(q.tier)
        assert fits(s, q)
    assert decision.provider == picked[0].provider
    assert len(decision.chain) <= MAX_CHAIN
    assert len({s.id for s in picked}) == len(picked)
    assert picked == sorted(affordable, key=preference(m, q))[: MAX_CHAIN + 1]
    assert candidates(m, q)[0][: len(picked)] == picked
    assert decision.estimated_cost_usd == estimate(picked[0], q)
    assert decision.remaining_budget_usd == q.remaining_budget_usd

    # Everything else of this medium is accounted for, with a reason.
    passed = {p.model: p for p in decision.passed_over}
    assert len(passed) == len(decision.passed_over)
    chosen = {s.id for s in picked}
    for s in same_medium:
        if s.id in chosen:
            assert s.id not in passed
            continue
        assert s.id in passed, s.id
        assert passed[s.id].reason
        if s in affordable:
            assert "chain limit" in passed[s.id].reason
        assert passed[s.id].over_budget == (s in servable and s not in affordable)
    assert set(passed) <= {s.id for s in same_medium}


@PROPERTY
@given(scenarios(), st.data())
def test_property_next_hop_walk_never_revisits_and_respects_each_hops_budget(
    scenario: tuple[ModelMatrix, RouteQuery], data: st.DataObject
) -> None:
    m, q = scenario
    try:
        decision = route(m, q)
    except (BudgetExceeded, NoModelAvailable):
        return
    visited = [decision.model]
    ended: BudgetExceeded | FallbackChainExhausted | None = None
    for step in range(MAX_CHAIN + 2):
        # A fresh remaining budget each hop: the same, a share of it (spent meanwhile), or any other.
        previous = q.remaining_budget_usd
        how = data.draw(HOP_BUDGET, label=f"hop {step}")
        if how == "lower" and previous is not None:
            budget = previous * data.draw(SHARES, label=f"share {step}")
        elif how == "fresh":
            budget = data.draw(budgets_for(m, q), label=f"budget {step}")
        else:
            budget = previous
        q = replace(q, remaining_budget_usd=budget)
        before = decision
        try:
            decision = next_hop(m, before, "ProviderUnavailable", f"boom {step}", q)
        except (BudgetExceeded, FallbackChainExhausted) as exc:
            ended = exc
            break
        picked = m.get(decision.model)
        assert decision.model not in visited
        assert decision.model in before.chain
        assert decision.model not in decision.chain
        assert fits(picked, q)
        assert decision.estimated_cost_usd == estimate(picked, q)
        assert decision.remaining_budget_usd == q.remaining_budget_usd
        skipped = before.chain[: before.chain.index(decision.model)]
        if skipped:
            event("hop skips an over-budget model")
        assert all(not fits(m.get(i), q) for i in skipped)
        assert {p.model for p in decision.passed_over if p.over_budget} >= set(skipped)
        assert decision.chain == before.chain[before.chain.index(decision.model) + 1 :]
        assert picked.enabled
        assert picked.provider in q.providers
        assert rank(picked.tier) <= rank(q.tier)
        visited.append(decision.model)
        assert [f.model for f in decision.failed] == visited[:-1]
    assert ended is not None, "next_hop walked more than MAX_CHAIN + 1 models without ending"
    event(f"walk ends: {type(ended).__name__}", payload=len(visited))
    untried = [m.get(i) for i in decision.chain if i not in visited]
    if isinstance(ended, BudgetExceeded):
        # Only the budget stood in the way: something was left, and none of it fits.
        assert untried
        assert all(not fits(s, q) for s in untried)
    else:
        assert untried == []
    for step, model_id in enumerate(visited):
        assert f"{model_id} failed with ProviderUnavailable: boom {step}" in str(ended)
    assert len(visited) == len(set(visited))
    assert len(visited) <= MAX_CHAIN + 1


# --- the fast path agrees with the rules read directly ------------------------------------------------


def reference_route(matrix: ModelMatrix, q: RouteQuery) -> tuple[list[str], list[tuple[str, str]], float]:
    """The routing rules as the module doc states them, one model at a time, every model priced afresh:
    the usable models in preference order, the passed-over ones with their reasons, the winner's estimate."""
    usable: list[ModelSpec] = []
    passed: list[tuple[str, str]] = []
    for spec in matrix.models:
        if spec.medium != q.content_type:
            continue
        reason = None
        if not spec.enabled:
            reason = "disabled in the matrix" + (f" ({spec.note})" if spec.note else "")
        elif spec.provider not in q.providers:
            reason = f"provider {spec.provider} is not enabled in this deployment"
        elif rank(spec.tier) > rank(q.tier):
            reason = f"tier {spec.tier.value} is above the requested {q.tier.value}"
        elif q.prompt_chars > spec.limits.max_prompt_chars:
            reason = f"prompt of {q.prompt_chars} characters exceeds its limit of {spec.limits.max_prompt_chars}"
        elif q.size and spec.limits.sizes and q.size not in spec.limits.sizes:
            reason = f"size {q.size} is not one of {', '.join(spec.limits.sizes)}"
        elif spec.id in q.exclude:
            reason = "already tried for this request"
        elif q.remaining_budget_usd is not None and estimate(spec, q) > max(q.remaining_budget_usd, 0.0):
            reason = "over budget"
        if reason is None:
            usable.append(spec)
        else:
            passed.append((spec.id, reason))

    def key(spec: ModelSpec) -> tuple[int, float]:
        distance = rank(q.tier) - rank(spec.tier)
        if q.latency == Latency.BATCH:
            return distance, estimate(spec, q)
        return distance, float(LATENCY_ORDER[spec.latency_class])

    ordered = sorted(usable, key=key)
    return [s.id for s in ordered], passed, estimate(ordered[0], q) if ordered else -1.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content_type=st.sampled_from(list(ContentType)),
    tier=st.sampled_from(list(Tier)),
    latency=st.sampled_from(list(Latency)),
    providers=st.frozensets(st.sampled_from(sorted(EVERY_PROVIDER))),
    prompt_chars=st.integers(0, 40_000),
    budget=st.one_of(st.none(), st.floats(-1.0, 2.0, allow_nan=False)),
    size=st.sampled_from([None, "1024x1024", "1792x1024", "512x512"]),
    seconds=st.one_of(st.none(), st.floats(0.5, 120.0)),
    max_output_tokens=st.one_of(st.none(), st.integers(1, 20_000)),
    excluded=st.integers(0, 3),
)
def test_route_agrees_with_the_rules_read_one_model_at_a_time(
    default_matrix: ModelMatrix,
    content_type: ContentType,
    tier: Tier,
    latency: Latency,
    providers: frozenset[str],
    prompt_chars: int,
    budget: float | None,
    size: str | None,
    seconds: float | None,
    max_output_tokens: int | None,
    excluded: int,
) -> None:
    # the router keeps plans and prices between calls: the same query twice must decide the same way
    exclude = frozenset([s.id for s in default_matrix.models if s.medium == content_type][:excluded])
    q = RouteQuery(
        content_type,
        tier,
        providers,
        prompt_chars,
        latency=latency,
        remaining_budget_usd=budget,
        size=size,
        seconds=seconds,
        max_output_tokens=max_output_tokens,
        exclude=exclude,
    )
    chain, passed, cost = reference_route(default_matrix, q)
    for _ in range(2):
        ranked, passed_over = candidates(default_matrix, q)
        assert [s.id for s in ranked] == chain
        assert [p.model for p in passed_over] == [model for model, _ in passed]
        for got, (_, reason) in zip(passed_over, passed, strict=True):
            assert got.over_budget == (reason == "over budget")
            if not got.over_budget:
                assert got.reason == reason
        if chain:
            decision = route(default_matrix, q)
            assert [decision.model, *decision.chain] == chain[: MAX_CHAIN + 1]
            assert decision.estimated_cost_usd == cost
