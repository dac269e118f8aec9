"""The router: requested tier first, step down never up, fall back along a bounded chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from flashfusion.errors import FallbackChainExhausted, NoModelAvailable
from flashfusion.models import ContentType, RouteDecision, Tier
from flashfusion.providers.registry import ADAPTERS
from flashfusion.routing.matrix import ModelMatrix, ModelSpec, load_matrix, load_matrix_file
from flashfusion.routing.router import MAX_CHAIN, TIER_ORDER, candidates, estimate_cost_usd, next_hop, route

TEXT = ContentType.TEXT
ALL_PROVIDERS = frozenset({"local", "openai", "gemini", "anthropic", "stability"})
KNOWN_PROVIDERS = {"local", "openai", "gemini", "anthropic", "stability", "elevenlabs", "runway", "google"}


def spec(
    model_id: str,
    tier: Tier | str,
    provider: str = "local",
    medium: ContentType | str = TEXT,
    *,
    enabled: bool = True,
    max_prompt_chars: int = 4000,
) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "id": model_id,
            "provider": provider,
            "vendorModel": model_id.split("/")[-1],
            "medium": medium,
            "tier": tier,
            "enabled": enabled,
            "limits": {"maxPromptChars": max_prompt_chars},
        }
    )


def matrix(*models: ModelSpec) -> ModelMatrix:
    return ModelMatrix(version="test", models=list(models))


def rank(tier: Tier | str) -> int:
    return TIER_ORDER.index(Tier(tier))


@pytest.fixture(scope="module")
def default_matrix() -> ModelMatrix:
    return load_matrix_file()


# --- the packaged matrix ----------------------------------------------------------------------


def test_packaged_matrix_loads_with_unique_ids_and_valid_fields(default_matrix: ModelMatrix) -> None:
    assert default_matrix.version
    assert default_matrix.models
    ids = [m.id for m in default_matrix.models]
    assert len(ids) == len(set(ids))
    for m in default_matrix.models:
        assert isinstance(m.tier, Tier)
        assert isinstance(m.medium, ContentType)
        assert m.provider in KNOWN_PROVIDERS
        assert m.id.startswith(f"{m.provider}/"), m.id
        assert m.vendor_model
        assert m.limits.max_prompt_chars >= 1
        assert m.prices.input_per_m_tok >= 0
        assert m.prices.output_per_m_tok >= 0


def test_packaged_matrix_has_an_offline_text_model_at_every_tier(default_matrix: ModelMatrix) -> None:
    local_text = {m.tier for m in default_matrix.models if m.provider == "local" and m.medium == TEXT}
    assert local_text == set(Tier)
    assert "local" in ADAPTERS


def test_load_matrix_file_reads_a_path(tmp_path: Any, default_matrix: ModelMatrix) -> None:
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
    [{"tier": "ultra"}, {"medium": "hologram"}, {"unknownField": 1}, {"limits": {"maxPromptChars": 0}}],
)
def test_load_matrix_rejects_invalid_models(patch: dict[str, Any]) -> None:
    doc = matrix(spec("local/a", "basic")).to_json()
    doc["models"][0].update(patch)
    with pytest.raises(ValidationError):
        load_matrix(json.dumps(doc))


def test_matrix_get_unknown_model_raises_key_error(default_matrix: ModelMatrix) -> None:
    with pytest.raises(KeyError, match="nope/nope"):
        default_matrix.get("nope/nope")


# --- route() with the default matrix ----------------------------------------------------------


@pytest.mark.parametrize("tier", list(Tier))
def test_default_matrix_local_only_picks_local_model_of_requested_tier(default_matrix: ModelMatrix, tier: Tier) -> None:
    decision = route(default_matrix, TEXT, tier, {"local"}, 100)
    picked = default_matrix.get(decision.model)
    assert picked.provider == "local"
    assert picked.tier == tier
    assert decision.provider == "local"
    # The chain steps down through the lower local tiers, never up.
    assert [default_matrix.get(m).tier for m in decision.chain] == [
        t for t in reversed(TIER_ORDER) if rank(t) < rank(tier)
    ]
    assert any(tier.value in r for r in decision.reasons)


def test_default_matrix_prefers_matrix_order_within_a_tier(default_matrix: ModelMatrix) -> None:
    decision = route(default_matrix, TEXT, Tier.PREMIUM, ALL_PROVIDERS, 100)
    premium_in_order = [m.id for m in default_matrix.models if m.tier == Tier.PREMIUM and m.medium == TEXT]
    assert decision.model == premium_in_order[0]
    assert decision.chain[: len(premium_in_order) - 1] == premium_in_order[1:]
    assert len(decision.chain) <= MAX_CHAIN


def test_default_matrix_never_goes_above_the_requested_tier(default_matrix: ModelMatrix) -> None:
    decision = route(default_matrix, TEXT, Tier.BASIC, ALL_PROVIDERS, 100)
    for model_id in [decision.model, *decision.chain]:
        assert default_matrix.get(model_id).tier == Tier.BASIC


@pytest.mark.parametrize("medium", [ContentType.IMAGE, ContentType.VIDEO, ContentType.MUSIC])
def test_default_matrix_no_model_for_non_text_with_only_local(default_matrix: ModelMatrix, medium: ContentType) -> None:
    with pytest.raises(NoModelAvailable) as exc:
        route(default_matrix, medium, Tier.STANDARD, {"local"}, 100)
    assert medium.value in str(exc.value)
    assert "local" in str(exc.value)


def test_no_model_when_no_provider_is_enabled(default_matrix: ModelMatrix) -> None:
    with pytest.raises(NoModelAvailable, match="none"):
        route(default_matrix, TEXT, Tier.STANDARD, set(), 100)


def test_no_model_message_names_providers_given_as_an_iterator(default_matrix: ModelMatrix) -> None:
    """``providers`` is typed Iterable: a one-shot iterator must be reported as faithfully as a set."""
    with pytest.raises(NoModelAvailable) as exc:
        route(default_matrix, ContentType.IMAGE, Tier.STANDARD, iter(["local"]), 100)
    assert "local" in str(exc.value)


def test_estimated_cost_is_zero_for_local_and_positive_for_paid(default_matrix: ModelMatrix) -> None:
    local = route(default_matrix, TEXT, Tier.PREMIUM, {"local"}, 1000)
    paid = route(default_matrix, TEXT, Tier.PREMIUM, {"openai"}, 1000)
    assert local.estimated_cost_usd == 0.0
    assert paid.estimated_cost_usd > 0.0
    assert paid.estimated_cost_usd == estimate_cost_usd(default_matrix.get(paid.model), 1000)


def test_estimated_cost_grows_with_prompt_length(default_matrix: ModelMatrix) -> None:
    gpt = default_matrix.get("openai/gpt-5")
    assert estimate_cost_usd(gpt, 4000) > estimate_cost_usd(gpt, 10)


# --- route() with hand-built matrices ---------------------------------------------------------


def test_requested_tier_first_in_matrix_order() -> None:
    m = matrix(
        spec("local/b1", "basic"),
        spec("local/s1", "standard"),
        spec("local/p1", "premium"),
        spec("local/s2", "standard"),
        spec("local/b2", "basic"),
    )
    decision = route(m, TEXT, Tier.STANDARD, {"local"}, 10)
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
    decision = route(m, TEXT, Tier.PREMIUM, {"local"}, 10)
    assert decision.model == "local/s"
    assert decision.chain == ["local/b"]
    stepped = [r for r in decision.reasons if "stepped down" in r]
    assert len(stepped) == 1
    assert "premium" in stepped[0]
    assert "standard" in stepped[0]


def test_never_picks_a_higher_tier() -> None:
    m = matrix(spec("local/p", "premium"), spec("local/s", "standard"))
    with pytest.raises(NoModelAvailable):
        route(m, TEXT, Tier.BASIC, {"local"}, 10)
    assert route(m, TEXT, Tier.STANDARD, {"local"}, 10).chain == []


def test_never_picks_a_disabled_model() -> None:
    m = matrix(spec("local/s-off", "standard", enabled=False), spec("local/s-on", "standard"))
    decision = route(m, TEXT, Tier.STANDARD, {"local"}, 10)
    assert decision.model == "local/s-on"
    assert "local/s-off" not in decision.chain
    with pytest.raises(NoModelAvailable):
        route(matrix(spec("local/s-off", "standard", enabled=False)), TEXT, Tier.STANDARD, {"local"}, 10)


def test_respects_available_providers() -> None:
    m = matrix(spec("openai/s", "standard", "openai"), spec("gemini/s", "standard", "gemini"))
    assert route(m, TEXT, Tier.STANDARD, {"gemini"}, 10).model == "gemini/s"
    assert route(m, TEXT, Tier.STANDARD, {"openai"}, 10).model == "openai/s"
    both = route(m, TEXT, Tier.STANDARD, {"openai", "gemini"}, 10)
    assert (both.model, both.chain) == ("openai/s", ["gemini/s"])


def test_respects_max_prompt_chars() -> None:
    m = matrix(spec("local/small", "standard", max_prompt_chars=100), spec("local/big", "basic"))
    assert route(m, TEXT, Tier.STANDARD, {"local"}, 100).model == "local/small"
    over = route(m, TEXT, Tier.STANDARD, {"local"}, 101)
    assert over.model == "local/big"
    assert over.chain == []
    with pytest.raises(NoModelAvailable):
        route(m, TEXT, Tier.STANDARD, {"local"}, 4001)


def test_filters_by_medium() -> None:
    m = matrix(spec("local/img", "standard", medium="image"), spec("local/txt", "standard"))
    assert route(m, ContentType.IMAGE, Tier.STANDARD, {"local"}, 10).model == "local/img"
    assert route(m, TEXT, Tier.STANDARD, {"local"}, 10).chain == []


def test_chain_is_capped_at_max_chain() -> None:
    m = matrix(*(spec(f"local/m{i}", "basic") for i in range(MAX_CHAIN + 5)))
    decision = route(m, TEXT, Tier.BASIC, {"local"}, 10)
    assert decision.model == "local/m0"
    assert decision.chain == [f"local/m{i}" for i in range(1, MAX_CHAIN + 1)]


# --- next_hop ---------------------------------------------------------------------------------


def test_next_hop_walks_the_chain_then_raises_naming_every_failure() -> None:
    m = matrix(spec("local/s", "standard"), spec("openai/s", "standard", "openai"), spec("local/b", "basic"))
    decision = route(m, TEXT, Tier.STANDARD, {"local", "openai"}, 10)
    assert [decision.model, *decision.chain] == ["local/s", "openai/s", "local/b"]

    errors = [
        ("ProviderThrottled", "rate limited (429)"),
        ("ProviderAuthError", "credentials refused (401)"),
        ("ProviderRejected", "content policy"),
    ]
    seen = [decision.model]
    for error, message in errors[:2]:
        previous = decision
        decision = next_hop(m, decision, error, message, 10)
        seen.append(decision.model)
        assert decision.chain == previous.chain[1:]
        assert decision.failed[-1].model == previous.model
        assert decision.failed[-1].error == error
        assert decision.provider == m.get(decision.model).provider
        assert any(previous.model in r and error in r for r in decision.reasons)
    assert seen == ["local/s", "openai/s", "local/b"]
    assert [f.model for f in decision.failed] == ["local/s", "openai/s"]

    with pytest.raises(FallbackChainExhausted) as exc:
        next_hop(m, decision, *errors[2], 10)
    text = str(exc.value)
    assert "3" in text
    for model_id, (error, message) in zip(seen, errors, strict=True):
        assert model_id in text
        assert error in text
        assert message in text


def test_next_hop_on_a_single_model_raises_immediately() -> None:
    decision = route(matrix(spec("local/only", "basic")), TEXT, Tier.BASIC, {"local"}, 10)
    with pytest.raises(FallbackChainExhausted, match=r"local/only failed with ProviderTimeout: slow"):
        next_hop(matrix(spec("local/only", "basic")), decision, "ProviderTimeout", "slow", 10)


def test_next_hop_survives_a_json_round_trip() -> None:
    """The decision travels through Step Functions as JSON between Route, Generate and Fallback."""
    m = matrix(spec("local/a", "basic"), spec("local/b", "basic"), spec("local/c", "basic"))
    decision = route(m, TEXT, Tier.BASIC, {"local"}, 10)
    decision = RouteDecision.model_validate(json.loads(json.dumps(decision.to_json())))
    decision = next_hop(m, decision, "ProviderUnavailable", "503", 10)
    decision = RouteDecision.model_validate(json.loads(json.dumps(decision.to_json())))
    decision = next_hop(m, decision, "ProviderTimeout", "slow", 10)
    assert decision.model == "local/c"
    assert [(f.model, f.error) for f in decision.failed] == [
        ("local/a", "ProviderUnavailable"),
        ("local/b", "ProviderTimeout"),
    ]


# --- properties over random matrices ----------------------------------------------------------

PROVIDERS = ["local", "openai", "gemini"]


@st.composite
def random_matrices(draw: st.DrawFn) -> ModelMatrix:
    size = draw(st.integers(min_value=0, max_value=12))
    models = [
        spec(
            f"{provider}/m{i}",
            draw(st.sampled_from(list(Tier))),
            provider,
            draw(st.sampled_from([ContentType.TEXT, ContentType.IMAGE])),
            enabled=draw(st.booleans()),
            max_prompt_chars=draw(st.sampled_from([50, 500, 4000])),
        )
        for i in range(size)
        for provider in [draw(st.sampled_from(PROVIDERS))]
    ]
    return load_matrix(json.dumps(matrix(*models).to_json()))


route_args = st.tuples(
    random_matrices(),
    st.sampled_from([ContentType.TEXT, ContentType.IMAGE]),
    st.sampled_from(list(Tier)),
    st.frozensets(st.sampled_from(PROVIDERS)),
    st.integers(min_value=1, max_value=5000),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route_args)
def test_property_route_only_picks_usable_models(args: tuple[Any, ...]) -> None:
    m, medium, tier, providers, chars = args
    usable = [
        x
        for x in m.models
        if x.enabled
        and x.provider in providers
        and x.medium == medium
        and chars <= x.limits.max_prompt_chars
        and rank(x.tier) <= rank(tier)
    ]
    if not usable:
        with pytest.raises(NoModelAvailable):
            route(m, medium, tier, providers, chars)
        return
    decision = route(m, medium, tier, providers, chars)
    picked = [m.get(i) for i in [decision.model, *decision.chain]]
    for x in picked:
        assert x.enabled
        assert x.provider in providers
        assert x.medium == medium
        assert chars <= x.limits.max_prompt_chars
        assert rank(x.tier) <= rank(tier)
    # The first pick is of the best tier available and first in matrix order within it.
    best = max(rank(x.tier) for x in usable)
    assert decision.model == next(x.id for x in usable if rank(x.tier) == best)
    # Tiers never go up along the chain.
    ranks = [rank(x.tier) for x in picked]
    assert ranks == sorted(ranks, reverse=True)
    assert len(decision.chain) <= MAX_CHAIN
    assert len(set(decision.chain)) == len(decision.chain)
    assert decision.model not in decision.chain
    assert len(picked) == min(len(usable), MAX_CHAIN + 1)
    assert candidates(m, medium, tier, providers, chars)[: len(picked)] == picked


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route_args)
def test_property_next_hop_walk_never_revisits_a_model(args: tuple[Any, ...]) -> None:
    m, medium, tier, providers, chars = args
    try:
        decision = route(m, medium, tier, providers, chars)
    except NoModelAvailable:
        return
    visited = [decision.model]
    for step in range(MAX_CHAIN + 2):
        if not decision.chain:
            with pytest.raises(FallbackChainExhausted) as exc:
                next_hop(m, decision, "ProviderUnavailable", f"boom {step}", chars)
            for model_id in visited:
                assert model_id in str(exc.value)
            break
        decision = next_hop(m, decision, "ProviderUnavailable", f"boom {step}", chars)
        assert decision.model not in visited
        assert decision.model not in decision.chain
        assert m.get(decision.model).enabled
        assert m.get(decision.model).provider in providers
        visited.append(decision.model)
        assert [f.model for f in decision.failed] == visited[:-1]
    else:
        pytest.fail("next_hop walked more than MAX_CHAIN + 1 models without exhausting the chain")
    assert len(visited) == len(set(visited))
    assert len(visited) <= MAX_CHAIN + 1
