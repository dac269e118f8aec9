"""Pricing: tokens against prices per million, images by size and quality, seconds of video and audio."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.models import ContentType, Tier
from flashfusion.routing.matrix import ModelMatrix, ModelSpec, load_matrix_file
from flashfusion.routing.pricing import (
    EXPECTED_OUTPUT_TOKENS,
    SYSTEM_PROMPT_TOKENS,
    cost_of,
    estimate,
    image_price,
    seconds_for,
    text_estimates,
    text_line,
)

TEXT, IMAGE, VIDEO, MUSIC = ContentType.TEXT, ContentType.IMAGE, ContentType.VIDEO, ContentType.MUSIC
MICRO = 1e-6  # costs are rounded to the millionth of a dollar


def spec(
    medium: ContentType = TEXT,
    tier: Tier = Tier.STANDARD,
    prices: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "id": "test/model",
            "provider": "local",
            "vendorModel": "model",
            "medium": medium,
            "tier": tier,
            "prices": prices or {},
            "limits": limits or {},
        }
    )


def cents(value: float) -> Any:
    return pytest.approx(value, abs=MICRO)


@pytest.fixture(scope="module")
def packaged() -> ModelMatrix:
    return load_matrix_file()


# --- text: tokens -------------------------------------------------------------------------------


def test_text_cost_is_tokens_times_the_price_per_million() -> None:
    s = spec(prices={"inputPerMTok": 3.0, "outputPerMTok": 15.0})
    assert cost_of(s, {"inputTokens": 1234, "outputTokens": 567}) == cents(1234 * 3.0 / 1e6 + 567 * 15.0 / 1e6)
    assert cost_of(s, {"inputTokens": 1_000_000}) == cents(3.0)
    assert cost_of(s, {"outputTokens": 1_000_000}) == cents(15.0)
    assert cost_of(s, {}) == 0.0


def test_costs_are_rounded_to_the_millionth_of_a_dollar() -> None:
    s = spec(prices={"inputPerMTok": 1.0, "outputPerMTok": 1.0})
    assert cost_of(s, {"inputTokens": 1234567}) == 1.234567
    assert cost_of(s, {"inputTokens": 0.4}) == 0.0


@pytest.mark.parametrize("tier", list(Tier))
def test_text_estimate_counts_the_prompt_the_system_prompt_and_the_tiers_expected_output(tier: Tier) -> None:
    s = spec(TEXT, tier, prices={"inputPerMTok": 2.0, "outputPerMTok": 8.0})
    expected_input = 800 / 4 + SYSTEM_PROMPT_TOKENS  # ~4 characters a token
    expected = expected_input * 2.0 / 1e6 + EXPECTED_OUTPUT_TOKENS[tier] * 8.0 / 1e6
    assert estimate(s, 800) == cents(expected)


def test_text_estimate_uses_the_models_output_cap_when_it_has_one() -> None:
    s = spec(TEXT, Tier.BASIC, prices={"outputPerMTok": 10.0}, limits={"maxOutputTokens": 4096})
    assert estimate(s, 0) == cents(4096 * 10.0 / 1e6)


def test_text_expected_output_grows_with_the_tier() -> None:
    assert EXPECTED_OUTPUT_TOKENS[Tier.BASIC] < EXPECTED_OUTPUT_TOKENS[Tier.STANDARD]
    assert EXPECTED_OUTPUT_TOKENS[Tier.STANDARD] < EXPECTED_OUTPUT_TOKENS[Tier.PREMIUM]


def test_text_estimate_grows_with_the_prompt() -> None:
    s = spec(prices={"inputPerMTok": 1.0, "outputPerMTok": 1.0})
    assert estimate(s, 4000) - estimate(s, 0) == cents(1000 * 1.0 / 1e6)


# --- images: by size and quality ----------------------------------------------------------------

TABLE = {
    "1024x1024/standard": 0.04,
    "1024x1024/hd": 0.08,
    "1792x1024/hd": 0.12,
    "512x512": 0.018,
    "default": 0.05,
}


def image(table: dict[str, float], **limits: Any) -> ModelSpec:
    return spec(IMAGE, prices={"perImage": table}, limits=limits)


@pytest.mark.parametrize(
    ("size", "quality", "key"),
    [
        ("1024x1024", "standard", "1024x1024/standard"),  # exact size and quality
        ("1024x1024", "hd", "1024x1024/hd"),
        ("1792x1024", "hd", "1792x1024/hd"),
        ("512x512", "hd", "512x512"),  # no price for that quality: the size's price
        ("512x512", None, "512x512"),
        ("1792x1024", "standard", "default"),  # neither: the default price
        ("640x480", "hd", "default"),
        ("640x480", None, "default"),
    ],
)
def test_image_price_by_size_and_quality_then_size_then_default(size: str, quality: str | None, key: str) -> None:
    s = image(TABLE)
    assert image_price(s, size, quality) == TABLE[key]
    assert cost_of(s, {"images": 1}, size=size, quality=quality) == cents(TABLE[key])
    assert estimate(s, 100, size, quality) == cents(TABLE[key])


def test_image_cost_counts_every_image() -> None:
    s = image(TABLE)
    assert cost_of(s, {"images": 3}, size="1792x1024", quality="hd") == cents(3 * TABLE["1792x1024/hd"])


def test_unknown_size_without_a_default_is_priced_at_the_dearest_listed_price() -> None:
    table = {k: v for k, v in TABLE.items() if k != "default"}
    s = image(table)
    assert image_price(s, "4096x4096", "hd") == max(table.values())
    assert image_price(s, "4096x4096", None) == max(table.values())
    assert image_price(s, "1024x1024", "ultra") == max(table.values())


def test_unknown_quality_never_undershoots_the_sizes_prices() -> None:
    s = image({k: v for k, v in TABLE.items() if k != "default"})
    price = image_price(s, "1024x1024", None)
    assert price >= max(TABLE["1024x1024/standard"], TABLE["1024x1024/hd"])


def test_image_size_defaults_to_the_models_default_size_then_1024_square() -> None:
    table = {"1024x1024": 0.02, "1536x1024": 0.03, "256x256": 0.01}
    assert image_price(image(table, defaultSize="256x256"), None, None) == 0.01
    assert image_price(image(table), None, None) == 0.02


def test_image_with_no_prices_is_free() -> None:
    assert image_price(image({}), "1024x1024", "hd") == 0.0
    assert estimate(image({}), 100) == 0.0


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["1024x1024", "1024x1024/hd", "512x512/low", "default"]),
        st.floats(min_value=0, max_value=1, allow_nan=False),
    ),
    st.sampled_from([None, "1024x1024", "512x512", "333x333"]),
    st.sampled_from([None, "hd", "low"]),
)
def test_property_image_price_is_a_listed_price(table: dict[str, float], size: str | None, quality: str | None) -> None:
    price = image_price(image(table), size, quality)
    if not table:
        assert price == 0.0
    else:
        assert price in table.values()
    if table and not ({size or "1024x1024", f"{size or '1024x1024'}/{quality}", "default"} & table.keys()):
        assert price == max(table.values())


# --- video and music: seconds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "expected"),
    [(7.0, 7.0), (5.0, 5.0), (10.0, 10.0), (30.0, 10.0), (1.0, 5.0), (None, 6.0)],
)
def test_seconds_are_clamped_to_the_models_range(requested: float | None, expected: float) -> None:
    s = spec(VIDEO, limits={"minSeconds": 5, "maxSeconds": 10, "defaultSeconds": 6})
    assert seconds_for(s, requested) == expected


@pytest.mark.parametrize(("medium", "default"), [(VIDEO, 5.0), (MUSIC, 30.0)])
def test_seconds_default_by_medium_when_the_model_names_none(medium: ContentType, default: float) -> None:
    assert seconds_for(spec(medium), None) == default
    # ... and the medium's default is clamped like any other duration
    assert seconds_for(spec(medium, limits={"maxSeconds": 3}), None) == 3.0
    assert seconds_for(spec(medium, limits={"minSeconds": 45}), None) == 45.0


def test_seconds_without_limits_are_taken_as_asked() -> None:
    assert seconds_for(spec(VIDEO), 600.0) == 600.0
    assert seconds_for(spec(TEXT), None) == 0.0


def test_seconds_are_priced_per_second_whatever_the_usage_calls_them() -> None:
    s = spec(VIDEO, prices={"perSecond": 0.07})
    assert cost_of(s, {"seconds": 8}) == cents(8 * 0.07)
    assert cost_of(s, {"videoSeconds": 8}) == cents(8 * 0.07)
    assert cost_of(spec(MUSIC, prices={"perSecond": 0.07}), {"audioSeconds": 20}) == cents(20 * 0.07)


@pytest.mark.parametrize(("requested", "billed"), [(None, 6.0), (8.0, 8.0), (2.0, 5.0), (60.0, 10.0)])
def test_video_and_music_estimates_price_the_clamped_seconds(requested: float | None, billed: float) -> None:
    limits = {"minSeconds": 5, "maxSeconds": 10, "defaultSeconds": 6}
    for medium in (VIDEO, MUSIC):
        s = spec(medium, prices={"perSecond": 0.05}, limits=limits)
        assert estimate(s, 100, seconds=requested) == cents(billed * 0.05)


def test_compute_seconds_are_priced_per_compute_second() -> None:
    s = spec(MUSIC, prices={"perComputeSecond": 0.0014})
    assert cost_of(s, {"computeSeconds": 42.5}) == cents(42.5 * 0.0014)
    assert cost_of(s, {"audioSeconds": 30}) == 0.0


def test_a_model_billed_by_compute_time_is_not_billed_again_per_second_of_audio(packaged: ModelMatrix) -> None:
    """Replicate bills meta/musicgen by hardware time (providers/replicate.py); the row's perSecond is
    the before-call estimate of that. When the prediction reports its compute time (the adapter sends
    audioSeconds and computeSeconds together), the cost is the compute time alone, not both added."""
    rows = [m for m in packaged.models if m.prices.per_compute_second > 0]
    assert rows
    for row in rows:
        assert row.prices.per_second > 0, row.id
        usage = {"audioSeconds": 15.0, "computeSeconds": 41.0}
        assert cost_of(row, usage) == cents(41.0 * row.prices.per_compute_second), row.id
        # No compute time reported: the per-second estimate stands.
        assert cost_of(row, {"audioSeconds": 15.0}) == cents(15.0 * row.prices.per_second), row.id


# --- estimates from the packaged matrix ---------------------------------------------------------


def expected_estimate(row: ModelSpec, prompt_chars: int) -> float:
    """What the row should cost for a request with no options, from its own prices and limits."""
    if row.medium == TEXT:
        output = row.limits.max_output_tokens or EXPECTED_OUTPUT_TOKENS[row.tier]
        tokens_in = prompt_chars / 4 + SYSTEM_PROMPT_TOKENS
        return tokens_in * row.prices.input_per_m_tok / 1e6 + output * row.prices.output_per_m_tok / 1e6
    if row.medium == IMAGE:
        table = row.prices.per_image
        size = row.limits.default_size or "1024x1024"
        return table.get(size, table.get("default", max(table.values(), default=0.0)))
    default = {VIDEO: 5.0, MUSIC: 30.0}[row.medium]
    seconds = row.limits.default_seconds or default
    seconds = min(seconds, row.limits.max_seconds or seconds)
    seconds = max(seconds, row.limits.min_seconds or seconds)
    return seconds * row.prices.per_second


def test_every_packaged_row_estimates_from_its_own_prices(packaged: ModelMatrix) -> None:
    for row in packaged.models:
        assert estimate(row, 1000) == cents(expected_estimate(row, 1000)), row.id
        if row.provider == "local":
            assert estimate(row, 1000) == 0.0, row.id
        elif row.enabled:
            assert estimate(row, 1000) > 0.0, row.id


def test_packaged_text_row(packaged: ModelMatrix) -> None:
    row = packaged.get("openai/gpt-5")
    prompt_tokens = 2000 / 4 + SYSTEM_PROMPT_TOKENS
    output_tokens = EXPECTED_OUTPUT_TOKENS[row.tier]
    expected = prompt_tokens * row.prices.input_per_m_tok / 1e6 + output_tokens * row.prices.output_per_m_tok / 1e6
    assert estimate(row, 2000) == cents(expected)
    assert cost_of(row, {"inputTokens": 700, "outputTokens": 1500}) == cents(
        700 * row.prices.input_per_m_tok / 1e6 + 1500 * row.prices.output_per_m_tok / 1e6
    )


def test_packaged_image_rows(packaged: ModelMatrix) -> None:
    dalle3 = packaged.get("openai/dall-e-3")
    assert estimate(dalle3, 100, "1792x1024", "hd") == dalle3.prices.per_image["1792x1024/hd"]
    assert estimate(dalle3, 100, "1024x1024", "standard") == dalle3.prices.per_image["1024x1024/standard"]
    # No quality asked: never less than any price listed for that size.
    square = [v for k, v in dalle3.prices.per_image.items() if k.startswith("1024x1024/")]
    assert estimate(dalle3, 100, "1024x1024") >= max(square)

    dalle2 = packaged.get("openai/dall-e-2")
    assert estimate(dalle2, 100, "512x512", "hd") == dalle2.prices.per_image["512x512"]
    assert estimate(dalle2, 100) == dalle2.prices.per_image[dalle2.limits.default_size or "1024x1024"]

    canvas = packaged.get("bedrock/amazon.nova-canvas-v1:0")
    assert estimate(canvas, 100, "2048x2048", "premium") == canvas.prices.per_image["2048x2048/premium"]
    assert estimate(canvas, 100, "1280x720", "standard") == canvas.prices.per_image["default"]

    gpt_image = packaged.get("openai/gpt-image-1")
    assert estimate(gpt_image, 100, "1536x1024", "low") == gpt_image.prices.per_image["1536x1024/low"]
    assert "default" not in gpt_image.prices.per_image
    assert estimate(gpt_image, 100, "4096x4096", "high") == max(gpt_image.prices.per_image.values())


def test_packaged_video_rows(packaged: ModelMatrix) -> None:
    gen4 = packaged.get("runway/gen4_turbo")
    lo, hi = gen4.limits.min_seconds, gen4.limits.max_seconds
    assert lo is not None
    assert hi is not None
    assert gen4.limits.default_seconds is not None
    assert estimate(gen4, 100) == cents(gen4.limits.default_seconds * gen4.prices.per_second)
    assert estimate(gen4, 100, seconds=hi * 3) == cents(hi * gen4.prices.per_second)
    assert estimate(gen4, 100, seconds=lo / 2) == cents(lo * gen4.prices.per_second)
    assert estimate(gen4, 100, seconds=(lo + hi) / 2) == cents((lo + hi) / 2 * gen4.prices.per_second)

    reel = packaged.get("bedrock/amazon.nova-reel-v1:1")
    assert reel.limits.default_seconds is not None
    assert estimate(reel, 100) == cents(reel.limits.default_seconds * reel.prices.per_second)
    assert cost_of(reel, {"videoSeconds": 12}) == cents(12 * reel.prices.per_second)


def test_packaged_music_rows(packaged: ModelMatrix) -> None:
    eleven = packaged.get("elevenlabs/music_v1")
    assert eleven.limits.default_seconds is not None
    assert eleven.limits.min_seconds is not None
    assert estimate(eleven, 100) == cents(eleven.limits.default_seconds * eleven.prices.per_second)
    assert estimate(eleven, 100, seconds=1) == cents(eleven.limits.min_seconds * eleven.prices.per_second)
    assert cost_of(eleven, {"audioSeconds": 45}) == cents(45 * eleven.prices.per_second)

    musicgen = next(m for m in packaged.models if m.provider == "replicate" and m.medium == MUSIC)
    assert musicgen.limits.max_seconds is not None
    assert estimate(musicgen, 100, seconds=20) == cents(20 * musicgen.prices.per_second)
    assert estimate(musicgen, 100, seconds=500) == cents(musicgen.limits.max_seconds * musicgen.prices.per_second)
    assert cost_of(musicgen, {"computeSeconds": 60}) == cents(60 * musicgen.prices.per_compute_second)


@settings(max_examples=200, deadline=None)
@given(
    prompt_chars=st.integers(0, 100_000),
    cap=st.one_of(st.none(), st.integers(1, 50_000)),
    per_m_in=st.floats(0, 100, allow_nan=False),
    per_m_out=st.floats(0, 100, allow_nan=False),
    tier=st.sampled_from(list(Tier)),
)
def test_text_estimate_is_cost_of_the_expected_usage_to_the_last_bit(
    prompt_chars: int, cap: int | None, per_m_in: float, per_m_out: float, tier: Tier
) -> None:
    # the router prices text by lines held to text_estimate: the figure must be cost_of's, not just close to it
    model = spec(TEXT, tier, prices={"inputPerMTok": per_m_in, "outputPerMTok": per_m_out})
    usage = {
        "inputTokens": prompt_chars / 4 + SYSTEM_PROMPT_TOKENS,
        "outputTokens": float(cap or EXPECTED_OUTPUT_TOKENS[tier]),
    }
    assert estimate(model, prompt_chars, max_output_tokens=cap) == cost_of(model, usage)


# --- text: the price line the router uses -------------------------------------------------------------


@pytest.mark.parametrize("cap", [None, 1, 599, 4096, 20_000])
def test_a_packaged_text_models_line_is_its_estimate_at_every_prompt_length(
    packaged: ModelMatrix, cap: int | None
) -> None:
    # every length a text request can have (and past the limit, which the router reports but may still price)
    for model in packaged.models:
        if model.medium != TEXT:
            continue
        line = text_line(model, cap)
        for prompt_chars in range(0, model.limits.max_prompt_chars + 2_000):
            assert line.estimate(prompt_chars) == estimate(model, prompt_chars, max_output_tokens=cap), (
                model.id,
                prompt_chars,
            )


def test_text_estimates_are_each_lines_estimate(packaged: ModelMatrix) -> None:
    # the router prices a request's models in one pass; None stands for a model it never prices
    lines = [text_line(model, cap) for model in packaged.models if model.medium == TEXT for cap in (None, 1, 4096)]
    lines.insert(3, None)
    for prompt_chars in range(0, 4_500):
        assert text_estimates(lines, prompt_chars) == [
            None if line is None else line.estimate(prompt_chars) for line in lines
        ]


@settings(max_examples=300, deadline=None)
@given(
    prompt_chars=st.integers(0, 2_000_000),
    cap=st.one_of(st.none(), st.integers(1, 50_000)),
    per_m_in=st.one_of(st.floats(0, 1000, allow_nan=False), st.integers(0, 8000).map(lambda n: n / 8)),
    per_m_out=st.one_of(st.floats(0, 1000, allow_nan=False), st.integers(0, 8000).map(lambda n: n / 8)),
    tier=st.sampled_from(list(Tier)),
)
def test_a_text_line_is_the_estimate_to_the_last_bit(
    prompt_chars: int, cap: int | None, per_m_in: float, per_m_out: float, tier: Tier
) -> None:
    model = spec(TEXT, tier, prices={"inputPerMTok": per_m_in, "outputPerMTok": per_m_out})
    assert text_line(model, cap).estimate(prompt_chars) == estimate(model, prompt_chars, max_output_tokens=cap)


def test_text_lines_over_many_random_prices_are_the_estimates() -> None:
    # prices from the vendors' range and in eighths of a dollar (whose sums land on exact halves of a millionth)
    rng = random.Random(16)
    for _ in range(300):
        prices = {
            name: rng.choice([rng.uniform(0, 200), rng.randint(0, 1600) / 8, 0.0])
            for name in ("inputPerMTok", "outputPerMTok")
        }
        model = spec(TEXT, rng.choice(list(Tier)), prices=prices)
        cap = rng.choice([None, rng.randint(1, 50_000)])
        line = text_line(model, cap)
        for prompt_chars in [*rng.sample(range(100_000), 300), *range(20)]:
            expected = estimate(model, prompt_chars, max_output_tokens=cap)
            assert line.estimate(prompt_chars) == expected, (prices, cap, prompt_chars)
            assert text_estimates([line], prompt_chars) == [expected], (prices, cap, prompt_chars)


@pytest.mark.parametrize(
    ("per_m_out", "expected"),
    [
        (7812.5, 0.007812),  # 1/128 dollars exactly: 7812.5 millionths, a tie, kept even
        (23437.5, 0.023438),  # 3/128: 23437.5 millionths, a tie, up to even
        (7812.5 + 1e-9, 0.007813),  # a hair above the tie
    ],
)
def test_a_text_line_rounds_a_half_millionth_as_the_estimate_does(per_m_out: float, expected: float) -> None:
    # one output token at these prices costs exactly half a millionth past a whole one: a line lands on the half
    # and must not guess its way off it
    model = spec(TEXT, prices={"outputPerMTok": per_m_out})
    assert estimate(model, 0, max_output_tokens=1) == expected
    assert text_line(model, 1).estimate(0) == expected
    assert text_estimates([text_line(model, 1)], 0) == [expected]
    for prompt_chars in range(0, 50):
        assert text_line(model, 1).estimate(prompt_chars) == estimate(model, prompt_chars, max_output_tokens=1)


def test_a_text_line_beyond_its_exact_range_is_still_the_estimate() -> None:
    # over $1,000 of estimate the line hands the figure to text_estimate
    model = spec(TEXT, prices={"inputPerMTok": 900_000.0, "outputPerMTok": 1.0})
    for prompt_chars in (0, 4_000, 4_001, 10_000_000):
        assert text_line(model, None).estimate(prompt_chars) == estimate(model, prompt_chars)
        assert text_estimates([text_line(model, None)], prompt_chars) == [estimate(model, prompt_chars)]
