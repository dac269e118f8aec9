"""The pure part of predictive caching: brief normalisation, the exact cache key, the "close enough" measure
and its boundaries, candidate matching, and the forecast from a request history."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flashfusion.prediction.briefs import CLOSE_ENOUGH, close_enough, normalise_brief, similarity, words
from flashfusion.prediction.cache_key import cache_key
from flashfusion.prediction.forecast import ForecastRules, PastRequest, Proposal, forecast, within_cap
from flashfusion.prediction.matching import Offer, Wanted, best_offer, options_key, why_not

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # a Monday, 02:00 UTC (the off-peak run)


# normalisation and the cache key --------------------------------------------------------------------------
def test_normalisation_folds_compatibility_forms_case_and_spacing_but_keeps_punctuation() -> None:
    assert normalise_brief("  \uff33\uff50\uff52\uff49\uff4e\uff47\u00a0SALE\n\tpost ") == "spring sale post"
    assert normalise_brief("Straße") == normalise_brief("STRASSE")
    assert normalise_brief("Spring sale #ad") != normalise_brief("Spring sale ad")
    assert normalise_brief("20% off") != normalise_brief("20 off")


def key(**changes: Any) -> str:
    parts: dict[str, Any] = {
        "brief": "Spring sale post",
        "kit_id": "aurora-core",
        "kit_version": 3,
        "model": "openai/gpt-5-mini",
        "options": {"size": None, "maxOutputTokens": 400},
        "content_type": "text",
        "channel": "linkedin",
        "sponsored": False,
    }
    parts.update(changes)
    return cache_key(**parts)


def test_the_cache_key_ignores_what_normalisation_folds_and_unset_options() -> None:
    assert key(brief="  SPRING   sale post") == key()
    assert key(options={"maxOutputTokens": 400}) == key()


@pytest.mark.parametrize(
    "change",
    [
        {"brief": "Spring sale post!"},
        {"kit_id": "aurora-lite"},
        {"kit_version": 4},
        {"model": "openai/gpt-5"},
        {"options": {"maxOutputTokens": 800}},
        {"content_type": "image"},
        {"channel": "x"},
        {"sponsored": True},
    ],
)
def test_every_other_part_changes_the_cache_key(change: dict[str, Any]) -> None:
    assert key(**change) != key()


# the close-enough measure ---------------------------------------------------------------------------------
def test_word_order_case_and_punctuation_do_not_matter() -> None:
    assert similarity("Spring sale: hiking boots, LinkedIn post", "linkedin post - hiking boots spring sale") == 1.0


def test_the_threshold_is_inclusive_at_three_quarters() -> None:
    assert CLOSE_ENOUGH == 0.75
    base = "alpha bravo charlie delta"
    assert similarity(base, "alpha bravo charlie") == 0.75  # 3 shared of 4
    assert close_enough(base, "alpha bravo charlie")
    assert similarity(base, "alpha bravo charlie echo") == pytest.approx(3 / 5)
    assert not close_enough(base, "alpha bravo charlie echo")
    seven = "alpha bravo charlie delta echo foxtrot golf"
    assert similarity(seven, "alpha bravo charlie delta echo foxtrot hotel") == 0.75  # one word of seven swapped
    assert close_enough(seven, "alpha bravo charlie delta echo foxtrot hotel")
    six = "alpha bravo charlie delta echo foxtrot"
    assert similarity(six, "alpha bravo charlie delta echo hotel") == pytest.approx(5 / 7)  # one of six swapped
    assert not close_enough(six, "alpha bravo charlie delta echo hotel")


def test_numbers_hashtags_and_handles_must_agree_exactly() -> None:
    a = "Spring sale post with 20% off for the hiking range"
    assert similarity(a, a.replace("20%", "30%")) == 0.0
    assert similarity("Launch post #ad for the trail shoe", "Launch post for the trail shoe") == 0.0
    assert similarity("Thank @aurora for the trail shoe", "Thank @borealis for the trail shoe") == 0.0
    assert words("Save 20% on 3 pairs!") == {"save", "20%", "on", "3", "pairs"}


# matching a candidate -------------------------------------------------------------------------------------
def wanted(**changes: Any) -> Wanted:
    fields: dict[str, Any] = {
        "brief": "Weekly trail tip: pack a light daypack",
        "content_type": "text",
        "tier": "standard",
        "kit_id": "aurora-core",
        "kit_version": 3,
        "channel": "linkedin",
        "sponsored": False,
        "options": options_key({"maxOutputTokens": 400, "size": None}),
    }
    fields.update(changes)
    return Wanted(**fields)


def offer(**changes: Any) -> Offer:
    fields: dict[str, Any] = {
        "candidate_id": "text.20261208T020000Z.r1",
        "brief": "Trail tip, weekly: pack a light daypack today",
        "content_type": "text",
        "tier": "standard",
        "kit_id": "aurora-core",
        "kit_version": 3,
        "channel": "linkedin",
        "sponsored": False,
        "options": options_key({"maxOutputTokens": 400}),
        "generated_at": NOW - timedelta(hours=1),
        "expires_at": NOW + timedelta(hours=20),
    }
    fields.update(changes)
    return Offer(**fields)


def test_a_fresh_candidate_of_the_same_kit_version_and_a_close_brief_serves() -> None:
    assert why_not(offer(), wanted(), NOW) is None
    assert why_not(offer(tier="premium"), wanted(), NOW) is None  # a better tier serves too


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"ready": False}, "not ready"),
        ({"expires_at": NOW}, "stale"),
        ({"kit_version": 2}, "other brand kit version"),
        ({"kit_id": "aurora-lite"}, "other brand kit version"),
        ({"channel": "x"}, "other content type, channel, sponsorship or options"),
        ({"options": options_key({"maxOutputTokens": 800})}, "other content type, channel, sponsorship or options"),
        ({"sponsored": True}, "other content type, channel, sponsorship or options"),
        ({"tier": "basic"}, "lower tier"),
        ({"brief": "Weekly trail tip: choose boots for wet rock"}, "brief not close enough"),
    ],
)
def test_a_candidate_does_not_serve_when(changes: dict[str, Any], reason: str) -> None:
    assert why_not(offer(**changes), wanted(), NOW) == reason
    assert best_offer([offer(**changes)], wanted(), NOW) is None


def test_the_most_similar_candidate_serves_then_the_better_tier() -> None:
    exact = offer(candidate_id="exact", brief="Weekly trail tip: pack a light daypack")
    close = offer(candidate_id="close")
    premium = offer(candidate_id="premium", brief="Weekly trail tip: pack a light daypack", tier="premium")
    assert best_offer([close, exact], wanted(), NOW) == exact
    assert best_offer([close, exact, premium], wanted(), NOW) == premium


# the forecast ---------------------------------------------------------------------------------------------
def past(at: datetime, brief: str, **changes: Any) -> PastRequest:
    fields: dict[str, Any] = {
        "content_type": "text",
        "tier": "standard",
        "kit_id": "aurora-core",
        "channel": "linkedin",
    }
    fields.update(changes)
    return PastRequest(at=at, brief=brief, **fields)


def weekly(brief: str, first_at: datetime, weeks: int, **changes: Any) -> list[PastRequest]:
    return [past(first_at - timedelta(days=7 * w), brief, **changes) for w in range(weeks)]


TIP = "Weekly trail tip for LinkedIn: pack a light daypack"
MONDAY_9 = NOW.replace(hour=9) - timedelta(days=7)  # last Monday 09:00: inside tomorrow's window's slots


def test_a_weekly_request_in_the_window_is_proposed_with_about_one_expected() -> None:
    (proposal,) = forecast(weekly(TIP, MONDAY_9, 6), NOW)
    assert proposal.brief == TIP
    assert proposal.support == 6
    assert 0.9 <= proposal.expected <= 1.1


def test_a_request_on_another_weekday_or_long_ago_is_not_proposed() -> None:
    wednesday = MONDAY_9 + timedelta(days=2)
    assert forecast(weekly(TIP, wednesday, 6), NOW) == []
    assert forecast([past(MONDAY_9 - timedelta(days=28), TIP)], NOW) == []  # once, five weeks ago
    assert forecast(weekly(TIP, MONDAY_9 - timedelta(days=70), 4), NOW) == []  # before the lookback


def test_variants_of_a_brief_cluster_and_the_medoid_and_highest_tier_are_proposed() -> None:
    history = [
        past(MONDAY_9, "Weekly trail tip for LinkedIn: pack a light daypack", tier="basic"),
        past(MONDAY_9 - timedelta(days=7), "LinkedIn weekly trail tip: pack a light daypack", tier="premium"),
        past(MONDAY_9 - timedelta(days=14), "Weekly trail tip for LinkedIn - pack a light daypack!"),
        past(MONDAY_9 - timedelta(days=21), "Trail tip for LinkedIn: pack a light daypack"),
    ]
    (proposal,) = forecast(history, NOW)
    assert proposal.support == 4
    assert proposal.tier == "premium"
    assert proposal.brief in {r.brief for r in history}
    assert proposal.brief != "Trail tip for LinkedIn: pack a light daypack"  # the outlier is not the centre


def test_templates_stay_apart_and_the_top_k_most_expected_come_first() -> None:
    history = (
        weekly(TIP, MONDAY_9, 6)
        + weekly(TIP, MONDAY_9, 6, channel="x")
        + weekly("Product photo of the trail shoe on wet rock", MONDAY_9, 3, content_type="image")
    )
    proposals = forecast(history, NOW, ForecastRules(top_k=2))
    assert len(proposals) == 2
    assert {(p.content_type, p.channel) for p in proposals} == {("text", "linkedin"), ("text", "x")}
    assert all(p.expected >= q.expected for p, q in itertools.pairwise(proposals))
    assert len(forecast(history, NOW)) == 3


def test_a_pattern_that_stopped_fades_with_the_half_life() -> None:
    steady = forecast(weekly(TIP, MONDAY_9, 6), NOW)[0].expected
    stopped = forecast(weekly(TIP, MONDAY_9 - timedelta(days=14), 4) + weekly("x " * 3, MONDAY_9, 6), NOW)
    faded = next((p.expected for p in stopped if p.brief == TIP), 0.0)
    assert faded < steady


def proposal(brief: str) -> Proposal:
    return Proposal(brief, "text", "standard", "aurora-core", None, None, False, (), 1.0, 1, NOW)


def test_within_cap_skips_what_does_not_fit_and_keeps_a_cheaper_one_after_it() -> None:
    priced = [(proposal("a"), 0.4), (proposal("b"), 0.5), (proposal("c"), 0.1)]
    assert [p.brief for p, _ in within_cap(priced, 0.6)] == ["a", "c"]
    assert within_cap(priced, 0.0) == []
    assert [p.brief for p, _ in within_cap(priced, 1.0)] == ["a", "b", "c"]


def test_a_pattern_must_recur_in_two_different_weeks() -> None:
    twice_last_monday = [past(MONDAY_9, TIP), past(MONDAY_9 + timedelta(hours=2), TIP)]
    assert forecast(twice_last_monday, NOW) == []  # expected 2, but one week: a fluke, not a pattern
    (proposal,) = forecast([past(MONDAY_9, TIP), past(MONDAY_9 - timedelta(days=7), TIP)], NOW)
    assert proposal.expected == pytest.approx(1.0, abs=0.05)  # ages of 6.7 and 13.7 days, not 7 and 14
    assert forecast(twice_last_monday, NOW, ForecastRules(min_weeks=1))[0].expected == pytest.approx(2.0, abs=0.1)


def test_the_expected_count_must_reach_ln_2() -> None:
    # two of six weeks: 0.5 ** 0.5 + 0.5 ** 3 over the six weeks' weights, about 0.39: more likely unused
    sparse = [past(MONDAY_9, TIP), past(MONDAY_9 - timedelta(days=35), TIP)]
    assert forecast(sparse, NOW) == []
    assert forecast(sparse, NOW, ForecastRules(min_expected=0.3))


def test_extra_fields_are_in_the_key_only_when_set() -> None:
    assert key(extra={}) == key() == key(extra=None)
    assert key(extra={"operation": "brand_style"}) != key()
