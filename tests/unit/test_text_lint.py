"""Banned and required terms: whole words, any case, any whitespace inside a phrase."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashfusion.linting import terms
from flashfusion.linting.text import lint_text
from flashfusion.models import BrandKit, Violation


def kit(banned: list[str] | None = None, required: list[str] | None = None) -> BrandKit:
    return BrandKit.model_validate(
        {
            "kitId": "k",
            "name": "Test Kit",
            "voice": {"brandName": "Test Kit", "requiredTerms": required or []},
            "legal": {"bannedTerms": banned or []},
        }
    )


def spans(violations: list[Violation]) -> list[tuple[int, int, str]]:
    out = []
    for v in violations:
        assert v.location is not None
        out.append((v.location.start, v.location.end, v.location.text))
    return out


def assert_spans_point_at_text(text: str, violations: list[Violation]) -> None:
    for start, end, found in spans(violations):
        assert 0 <= start < end <= len(text)
        assert text[start:end] == found


# --- banned terms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Results guaranteed.",
        "Guaranteed results.",
        "GUARANTEED!",
        "It is (guaranteed), really",
        "guaranteed",
        "results:guaranteed",
    ],
)
def test_banned_term_matches_whole_word_in_any_case(text: str) -> None:
    found = terms.banned_terms(text, ["guaranteed"])
    assert len(found) == 1
    assert found[0].rule_id == terms.BANNED_RULE
    assert found[0].severity == "error"
    assert found[0].location is not None
    assert found[0].location.text.lower() == "guaranteed"
    assert_spans_point_at_text(text, found)


@pytest.mark.parametrize(
    "text",
    ["unguaranteed results", "guaranteedly", "guaranteed_fast", "guaranteed2", "nothing to see"],
)
def test_banned_term_does_not_match_inside_other_words(text: str) -> None:
    assert terms.banned_terms(text, ["guaranteed"]) == []


def test_banned_term_is_case_insensitive_both_ways() -> None:
    assert len(terms.banned_terms("this is guaranteed", ["GUARANTEED"])) == 1
    assert len(terms.banned_terms("this is GuArAnTeEd", ["Guaranteed"])) == 1


@pytest.mark.parametrize(
    "text",
    [
        "We are the best in the world at this.",
        "We are the best  in   the world.",
        "We are the best\nin the\n\tworld.",
        "We are the BEST IN THE WORLD",
    ],
)
def test_multi_word_phrase_matches_across_any_whitespace(text: str) -> None:
    found = terms.banned_terms(text, ["best in the world"])
    assert len(found) == 1
    assert_spans_point_at_text(text, found)
    assert found[0].location is not None
    assert found[0].location.text.split() == text[found[0].location.start : found[0].location.end].split()
    assert " ".join(found[0].location.text.lower().split()) == "best in the world"


@pytest.mark.parametrize("text", ["the best in the worlds", "the best in the world2", "thebest in the world"])
def test_multi_word_phrase_still_needs_word_boundaries(text: str) -> None:
    assert terms.banned_terms(text, ["best in the world"]) == []


def test_phrase_term_with_extra_whitespace_in_the_kit_still_matches() -> None:
    assert len(terms.banned_terms("best in the world", ["  best   in the\tworld "])) == 1


@pytest.mark.parametrize(
    ("term", "text", "count"),
    [
        ("risk-free", "A risk-free trial.", 1),
        ("risk-free", "A RISK-FREE trial.", 1),
        ("risk-free", "A risk free trial.", 1),  # issue 12: phrase words across spaces, hyphens or nothing
        ("risk-free", "A riskfree trial.", 1),
        ("risk-free", "A risk-freedom trial.", 0),
        ("C++", "We love C++ and c++.", 2),
        ("C++", "C++.", 1),
        ("C++", "We love ABC++ too", 0),
        ("C++", "We love C", 0),
        ("100%", "A 100% natural product", 1),
        ("100%", "A 1100% natural product", 0),
        ("No.1", "The No.1 brand", 1),
        ("No.1", "The No 1 brand", 0),
    ],
)
def test_terms_with_punctuation_are_literal(term: str, text: str, count: int) -> None:
    found = terms.banned_terms(text, [term])
    assert len(found) == count
    assert_spans_point_at_text(text, found)
    for v in found:
        assert v.location is not None
        assert v.location.text.lower().replace(" ", "").replace("-", "") == term.lower().replace("-", "")


def test_spans_point_at_each_occurrence_in_order() -> None:
    text = "Miracle cream! A real miracle, guaranteed. Risk-free miracle."
    found = terms.banned_terms(text, ["miracle", "guaranteed", "risk-free"])
    assert_spans_point_at_text(text, found)
    starts = [v.location.start for v in found if v.location]
    assert starts == sorted(starts)
    assert len(found) == 5
    expected = []
    lowered = text.lower()
    for term in ("miracle", "guaranteed", "risk-free"):
        index = lowered.find(term)
        while index != -1:
            expected.append(index)
            index = lowered.find(term, index + 1)
    assert starts == sorted(expected)


def test_violation_message_and_suggestion_quote_the_text_found() -> None:
    (v,) = terms.banned_terms("Totally GUARANTEED", ["guaranteed"])
    assert "GUARANTEED" in v.message
    assert v.suggestion is not None
    assert "GUARANTEED" in v.suggestion


def test_banned_term_spans_with_non_ascii_text() -> None:
    text = "Crème brûlée — guaranteed délicieuse"
    found = terms.banned_terms(text, ["guaranteed", "brûlée"])
    assert len(found) == 2
    assert_spans_point_at_text(text, found)


@given(
    prefix=st.text(alphabet=" .,;!?\n\t-()", max_size=5),
    suffix=st.text(alphabet=" .,;!?\n\t-()", max_size=5),
    left=st.lists(st.sampled_from(["calm", "bright", "new"]), max_size=3),
    right=st.lists(st.sampled_from(["calm", "bright", "new"]), max_size=3),
)
def test_property_banned_term_found_between_non_word_characters(
    prefix: str, suffix: str, left: list[str], right: list[str]
) -> None:
    text = " ".join(left) + prefix + "Risk-Free" + suffix + " ".join(right)
    found = terms.banned_terms(text, ["risk-free"])
    before_ok = not (left and not prefix)
    after_ok = not (right and not suffix)
    assert len(found) == (1 if before_ok and after_ok else 0)
    assert_spans_point_at_text(text, found)


# --- required terms ---------------------------------------------------------------------------


def test_missing_required_term_is_a_violation() -> None:
    found = terms.required_terms("Hello from the team.", ["Aurora Outdoor", "team"])
    assert [v.rule_id for v in found] == [terms.REQUIRED_RULE]
    assert found[0].severity == "error"
    assert "Aurora Outdoor" in found[0].message
    assert found[0].location is None


@pytest.mark.parametrize(
    "text",
    [
        "Aurora Outdoor",
        "aurora outdoor rocks",
        "by AURORA\n OUTDOOR.",
        "(Aurora  Outdoor)",
        "#AuroraOutdoor",
        "AuroraOutdoor",
    ],
)
def test_required_term_present_in_any_case_and_spacing(text: str) -> None:
    assert terms.required_terms(text, ["Aurora Outdoor"]) == []


@pytest.mark.parametrize(
    "text", ["Aurora Outdoors", "Auroras Outdoor", "Aurora", "Aurora. Outdoor", "Aurora\n\nOutdoor"]
)
def test_required_term_must_appear_as_whole_words(text: str) -> None:
    assert len(terms.required_terms(text, ["Aurora Outdoor"])) == 1


def test_each_missing_required_term_reported_once() -> None:
    found = terms.required_terms("nothing", ["alpha", "beta", "nothing"])
    assert len(found) == 2
    messages = " ".join(v.message for v in found)
    assert '"alpha"' in messages
    assert '"beta"' in messages
    assert '"nothing"' not in messages


# --- lint_text --------------------------------------------------------------------------------


def test_lint_text_compliant_when_clean(sample_kit: dict[str, Any]) -> None:
    brand = BrandKit.model_validate(sample_kit)
    report = lint_text("Aurora Outdoor makes sturdy boots for long trails.", brand)
    assert report.compliant is True
    assert report.violations == []
    assert report.rules_checked == [terms.BANNED_RULE, terms.REQUIRED_RULE]
    assert report.result_per_rule() == {terms.BANNED_RULE: True, terms.REQUIRED_RULE: True}


def test_lint_text_reports_banned_and_missing_required(sample_kit: dict[str, Any]) -> None:
    brand = BrandKit.model_validate(sample_kit)
    text = "The cheapest, risk-free boots. Guaranteed!"
    report = lint_text(text, brand)
    assert report.compliant is False
    rules = [v.rule_id for v in report.violations]
    assert rules.count(terms.BANNED_RULE) == 3
    assert rules.count(terms.REQUIRED_RULE) == 1
    assert_spans_point_at_text(text, [v for v in report.violations if v.rule_id == terms.BANNED_RULE])
    assert report.result_per_rule() == {terms.BANNED_RULE: False, terms.REQUIRED_RULE: False}
    assert set(report.rules_checked) == {terms.BANNED_RULE, terms.REQUIRED_RULE}


def test_lint_text_only_required_missing() -> None:
    report = lint_text("Plain words.", kit(banned=["miracle"], required=["Test Kit"]))
    assert report.compliant is False
    assert report.result_per_rule() == {terms.BANNED_RULE: True, terms.REQUIRED_RULE: False}


def test_lint_text_empty_kit_is_compliant_and_still_lists_both_rules() -> None:
    report = lint_text("anything at all, guaranteed", kit())
    assert report.compliant is True
    assert report.rules_checked == [terms.BANNED_RULE, terms.REQUIRED_RULE]


def test_lint_report_serialises_spans_in_camel_case() -> None:
    report = lint_text("so guaranteed", kit(banned=["guaranteed"]))
    dumped = report.to_json()
    (violation,) = dumped["violations"]
    assert violation["ruleId"] == terms.BANNED_RULE
    assert violation["location"] == {"start": 3, "end": 13, "text": "guaranteed"}
    assert dumped["rulesChecked"] == [terms.BANNED_RULE, terms.REQUIRED_RULE]
