"""The operating numbers' definitions on hand-made facts: what is counted, over which requests, in which unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flashfusion.metrics.definitions import (
    NO_GROUP,
    BudgetMonth,
    PendingReview,
    RequestFacts,
    VendorCall,
    month_overlaps,
    nearest_rank,
    report,
)

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def request(n: int, **fields: object) -> RequestFacts:
    base: dict[str, object] = {
        "request_id": f"r{n}",
        "org_id": "acme",
        "created_at": T0 + timedelta(minutes=n),
        "status": "succeeded",
        "medium": "text",
        "tier": "standard",
    }
    return RequestFacts(**{**base, **fields})  # type: ignore[arg-type]


def ok(model: str, ms: int, usd: float = 0.0) -> VendorCall:
    return VendorCall(model, True, ms, usd)


def fail(model: str, ms: int = 5) -> VendorCall:
    return VendorCall(model, False, ms)


@pytest.mark.parametrize(
    ("values", "percentile", "expected"),
    [
        ([], 50, None),
        ([7], 99, 7),
        ([40, 10, 30, 20], 50, 20),  # ceil(0.5 * 4) = 2nd smallest
        ([40, 10, 30, 20], 95, 40),  # ceil(3.8) = 4th
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 99, 99),
        (list(range(1, 21)), 95, 19),  # ceil(19.0) = 19th
    ],
)
def test_percentiles_are_nearest_rank(values: list[int], percentile: int, expected: int | None) -> None:
    assert nearest_rank(values, percentile) == expected


def test_latency_counts_successful_calls_only_per_model_called() -> None:
    facts = [
        request(1, calls=(fail("a", 9000), ok("b", 100)), asset_model="b"),
        request(2, calls=(ok("a", 300),), asset_model="a"),
        request(3, calls=(ok("a", 100),), asset_model="a"),
    ]
    latency = {x.model: (x.calls, x.p50_ms, x.p99_ms) for x in report(facts, now=T0).total.latency}
    assert latency == {"a": (2, 100, 300), "b": (1, 100, 100)}  # the failed 9 s call is not generation time


def test_compliance_and_intervention_count_requests_whose_first_version_was_linted() -> None:
    facts = [
        request(1, first_lint_compliant=True),
        request(2, first_lint_compliant=False, reviewed=True),  # failed first, reviewed
        request(3, first_lint_compliant=False),  # failed first, auto-fixed: no review
        request(4, status="failed"),  # never linted: in neither denominator
        request(5, status="cancelled", first_lint_compliant=False, reviewed=True),
    ]
    total = report(facts, now=T0).total
    assert (total.brand_compliance.numerator, total.brand_compliance.denominator) == (1, 4)
    assert (total.human_intervention.numerator, total.human_intervention.denominator) == (2, 4)
    assert total.brand_compliance.value == 0.25
    assert (total.failed, total.cancelled, total.succeeded) == (1, 1, 3)


def test_retry_rate_is_over_requests_that_called_a_vendor() -> None:
    facts = [
        request(1, calls=(fail("a"), ok("a", 1))),
        request(2, calls=(fail("a"), fail("b")), status="failed", fallbacks=1),
        request(3, calls=(ok("a", 1),)),
        request(4, status="failed"),  # stopped before any call (budget): not counted
    ]
    total = report(facts, now=T0).total
    assert (total.retry_rate.numerator, total.retry_rate.denominator) == (2, 3)
    assert (total.vendor_calls, total.failed_calls, total.fallbacks) == (5, 3, 1)


def test_cost_per_asset_counts_every_billed_call_over_delivered_assets() -> None:
    facts = [
        request(1, calls=(ok("img", 1, 0.04),), asset_model="img"),
        request(2, calls=(ok("img", 1, 0.04), ok("img", 1, 0.04)), asset_model="img"),  # regenerated once
        request(3, calls=(ok("img", 1, 0.04),), status="rejected"),  # paid for, nothing delivered
        request(4, calls=(ok("txt", 1, 0.0),), asset_model="txt"),
    ]
    total = report(facts, now=T0).total
    assert total.spend_usd == pytest.approx(0.16)
    assert total.assets == 3
    assert total.cost_per_asset_usd == pytest.approx(0.16 / 3)
    by_model = {c.model: (c.spend_usd, c.assets, c.usd_per_asset) for c in total.cost_per_model}
    assert by_model["img"] == (pytest.approx(0.16), 2, pytest.approx(0.08))
    assert by_model["txt"] == (0.0, 1, 0.0)
    assert report([], now=T0).total.cost_per_asset_usd is None


def test_the_window_includes_since_and_excludes_until() -> None:
    facts = [request(0), request(1), request(2)]
    since, until = T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)
    assert report(facts, since=since, until=until, now=T0).total.requests == 1
    assert report(facts, since=since, now=T0).total.requests == 2
    assert report(facts, until=since, now=T0).total.requests == 1


def test_groups_by_campaign_tier_and_model() -> None:
    facts = [
        request(1, campaign_id="spring", tier="premium", calls=(fail("p"), ok("s", 10)), asset_model="s"),
        request(2, campaign_id="spring", calls=(ok("s", 20),), asset_model="s"),
        request(3, calls=(fail("s"),), status="failed"),
    ]
    by_campaign = {g.key: g.figures.requests for g in report(facts, group_by="campaign", now=T0).groups}
    assert by_campaign == {"spring": 2, NO_GROUP: 1}
    by_tier = {g.key: g.figures.requests for g in report(facts, group_by="tier", now=T0).groups}
    assert by_tier == {"premium": 1, "standard": 2}
    by_model = {g.key: g.figures for g in report(facts, group_by="model", now=T0).groups}
    assert (by_model["p"].requests, by_model["p"].failed_calls) == (0, 1)  # a model that only failed
    assert by_model["s"].requests == 3  # r3's last call was to s
    assert (by_model["s"].vendor_calls, by_model["s"].failed_calls) == (3, 1)


def test_backlog_and_budgets_in_the_window() -> None:
    pending = [PendingReview("acme", "a", T0 - timedelta(hours=2)), PendingReview("acme", "b", T0)]
    budgets = [BudgetMonth("acme", "2026-02", 100, 90, 0), BudgetMonth("acme", "2026-03", 100, 70, 10)]
    result = report([], pending_reviews=pending, budgets=budgets, since=T0, now=T0 + timedelta(hours=1))
    assert (result.backlog.pending, result.backlog.oldest_age_seconds) == (2, 3 * 3600)
    assert [(b.month, b.used_share) for b in result.budgets] == [("2026-03", 0.8)]


@pytest.mark.parametrize(
    ("month", "since", "until", "expected"),
    [
        ("2026-03", None, None, True),
        ("2026-03", datetime(2026, 4, 1, tzinfo=UTC), None, False),
        ("2026-03", datetime(2026, 3, 31, 23, tzinfo=UTC), None, True),
        ("2026-03", None, datetime(2026, 3, 1, tzinfo=UTC), False),
        ("2026-12", datetime(2026, 12, 31, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC), True),
    ],
)
def test_budget_months_overlapping_the_window(
    month: str, since: datetime | None, until: datetime | None, expected: bool
) -> None:
    assert month_overlaps(month, since, until) is expected
