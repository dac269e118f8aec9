"""`ffo cost`: the mix, and the month's lines as per-asset use times assets times the unit prices on file."""

from __future__ import annotations

from collections import Counter

import pytest

from ffo import cost_model

PRICES = cost_model.load_prices()
P = {name: entry["usd"] for name, entry in PRICES["prices"].items()}


def test_every_price_has_a_source_and_the_file_a_date() -> None:
    assert PRICES["asOf"]
    assert all(entry["source"].startswith("https://aws.amazon.com/") for entry in PRICES["prices"].values())


def test_the_mix_is_normalised_and_checked() -> None:
    assert cost_model.parse_mix("text=3,image=1") == {"text": 0.75, "image": 0.25}
    assert cost_model.parse_mix(None) == cost_model.SAMPLE_MIX
    assert sum(cost_model.SAMPLE_MIX.values()) == pytest.approx(1.0)
    for bad, why in (("poems=1", "unknown medium"), ("text=-1", "negative"), ("text=0", "empty")):
        with pytest.raises(ValueError, match=why):
            cost_model.parse_mix(bad)


def profile(
    medium: str, transitions: int, gb_seconds: float, writes: int, vendor_usd: float
) -> cost_model.AssetProfile:
    calls: Counter[tuple[str, str]] = Counter({("dynamodb", "UpdateItem"): writes, ("s3", "PutObject"): 2})
    return cost_model.AssetProfile(
        medium, transitions, 5, gb_seconds, calls, state_machine_dynamodb_writes=1, vendor_usd=vendor_usd,
        vendor_model=f"{medium}-model", metrics={"GenerationLatency[model=x]", "BudgetUsedPercent[OrgId=a]"},
    )  # fmt: skip


def test_each_line_is_use_times_assets_times_the_unit_price() -> None:
    profiles = {"text": profile("text", 10, 2.0, 8, 0.01), "image": profile("image", 12, 4.0, 9, 0.04)}
    mix = {"text": 0.5, "image": 0.5}
    lines = {(x.service, x.what.split(" ")[-1]): x for x in cost_model.monthly_bill(profiles, mix, 2000, PRICES, 7, 1)}

    sfn = lines[("Step Functions", "transitions")]
    assert sfn.usd == pytest.approx((10 * 1000 + 12 * 1000) * P["stepFunctionsStandardPerTransition"])
    posts = 2000 * PRICES["assumptions"]["postsPerAsset"]
    publish = posts * 0.5 * PRICES["assumptions"]["publishSeconds"]
    gb_s = lines[("Lambda", "(arm64)")]
    assert gb_s.usd == pytest.approx((2.0 * 1000 + 4.0 * 1000 + publish) * P["lambdaArmPerGbSecond"])
    dynamo = lines[("DynamoDB", "demand)")]
    writes = (8 + 1) * 1000 + (9 + 1) * 1000 + posts * 2
    reads = posts * 3
    assert dynamo.usd == pytest.approx(
        writes * P["dynamodbPerWriteRequestUnit"] + reads * P["dynamodbPerReadRequestUnit"]
    )
    fixed = lines[("CloudWatch", "dashboard(s)")]
    metrics = 1 + PRICES["assumptions"]["organisations"]
    expected = (
        metrics * P["cloudWatchPerMetricMonth"] + 7 * P["cloudWatchPerAlarmMonth"] + P["cloudWatchPerDashboardMonth"]
    )
    assert fixed.usd == pytest.approx(expected)

    (text, image) = cost_model.vendor_spend(profiles, mix, 2000)
    assert text.usd == pytest.approx(1000 * 0.01)
    assert image.usd == pytest.approx(1000 * 0.04)


def test_the_vendor_estimate_is_the_routers_for_a_vendor_model() -> None:
    model, usd = cost_model.vendor_estimate(
        {"contentType": "image", "prompt": "a poster", "tier": "standard", "brandKitId": "k"}
    )
    assert not model.startswith("local/")
    assert usd > 0
