"""Severities are the kit's choice: each built-in voice rule takes a level (error, warning, suggestion or its
alias info, off), today's levels are the defaults, and the verdict follows the level."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.models import BrandKit, LintReport

NEUTRAL = {"formality": "neutral", "person": "any", "emoji": "allowed", "sentimentRange": [-1.0, 1.0]}
LONG_AND_HARD = (
    "Notwithstanding considerable organizational heterogeneity, institutional stakeholders systematically "
    "underestimate the administrative complexity inherent in multinational regulatory harmonization."
)

# (level key, kit voice fields that the text breaks, text, rule id, today's severity)
RULES: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "sentiment",
        {"sentimentRange": [0.0, 1.0]},
        "This is terrible. We hate the awful mud.",
        "voice.sentiment",
        "warning",
    ),
    ("exclamations", {"maxExclamations": 1}, "Great trail! Great view! Go.", "voice.exclamations", "warning"),
    (
        "formality",
        {"formality": "formal"},
        "Hey guys, we're gonna love this, it's totally awesome",
        "voice.formality",
        "warning",
    ),
    ("emoji", {"emoji": "limited", "maxEmoji": 1}, "Up top ⛰️ and 🌲 now.", "voice.emoji", "warning"),
    ("readingGrade", {"readingGradeRange": [0, 8]}, LONG_AND_HARD, "voice.reading-grade", "warning"),
    ("person", {"person": "first"}, "You will love it. Your pack is ready.", "voice.person", "warning"),
]


def lint(fields: dict[str, Any], text: str, levels: dict[str, str] | None = None) -> LintReport:
    voice = {**NEUTRAL, **fields, **({"levels": levels} if levels is not None else {})}
    kit = BrandKit.model_validate({"kitId": "k", "name": "K", "voice": voice})
    return lint_text(text, LintContext(kit=kit))


def severities(report: LintReport, rule_id: str) -> set[str]:
    return {v.severity for v in report.violations if v.rule_id == rule_id}


@pytest.mark.parametrize(("key", "fields", "text", "rule_id", "today"), RULES)
def test_the_defaults_are_todays_levels(key: str, fields: dict[str, Any], text: str, rule_id: str, today: str) -> None:
    report = lint(fields, text)
    assert severities(report, rule_id) == {today}
    assert rule_id in report.rules_checked
    assert report.compliant  # warnings never block


@pytest.mark.parametrize(("key", "fields", "text", "rule_id", "today"), RULES)
def test_error_blocks_the_post(key: str, fields: dict[str, Any], text: str, rule_id: str, today: str) -> None:
    report = lint(fields, text, {key: "error"})
    assert severities(report, rule_id) == {"error"}
    assert report.compliant is False
    assert report.result_per_rule()[rule_id] is False


@pytest.mark.parametrize(("key", "fields", "text", "rule_id", "today"), RULES)
@pytest.mark.parametrize(
    ("level", "severity"), [("warning", "warning"), ("suggestion", "suggestion"), ("info", "suggestion")]
)
def test_softer_levels_report_without_blocking(
    key: str, fields: dict[str, Any], text: str, rule_id: str, today: str, level: str, severity: str
) -> None:
    report = lint(fields, text, {key: level})
    assert severities(report, rule_id) == {severity}
    assert report.compliant


@pytest.mark.parametrize(("key", "fields", "text", "rule_id", "today"), RULES)
def test_off_skips_the_rule(key: str, fields: dict[str, Any], text: str, rule_id: str, today: str) -> None:
    report = lint(fields, text, {key: "off"})
    assert severities(report, rule_id) == set()
    assert rule_id not in report.rules_checked
    others = {k: "off" for k, *_ in RULES if k != key}
    assert rule_id in lint(fields, text, others).rules_checked  # only its own level switches it off


def test_emoji_none_keeps_its_error_unless_the_kit_says_otherwise() -> None:
    text = "New pack 🌲 today."
    assert severities(lint({"emoji": "none"}, text), "voice.emoji") == {"error"}
    softened = lint({"emoji": "none"}, text, {"emoji": "warning"})
    assert severities(softened, "voice.emoji") == {"warning"}
    assert softened.compliant
    assert lint({"emoji": "none"}, text, {"emoji": "off"}).compliant


def test_person_outnumbered_is_one_level_softer() -> None:
    text = "We made it for you. You and your friends will love your pack."
    assert severities(lint({"person": "first"}, text), "voice.person") == {"suggestion"}
    assert severities(lint({"person": "first"}, text, {"person": "error"}), "voice.person") == {"warning"}
    assert severities(lint({"person": "first"}, text, {"person": "suggestion"}), "voice.person") == {"suggestion"}


def test_a_grade_off_still_feeds_the_readability_rules() -> None:
    rules = [{"type": "readability", "id": "plain", "maxGrade": 8, "level": "error"}]
    report = lint({"readingGradeRange": [0, 8], "rules": rules}, LONG_AND_HARD, {"readingGrade": "off"})
    assert severities(report, "voice.reading-grade") == set()
    assert severities(report, "voice.plain") == {"error"}
    assert "voice.grade" in report.metrics


def test_off_sentiment_is_not_scored() -> None:
    report = lint({"sentimentRange": [0.0, 1.0]}, "This is terrible.", {"sentiment": "off"})
    assert "voice.sentiment" not in report.metrics


def test_the_sample_kit_states_the_defaults(sample_kit: dict[str, Any]) -> None:
    kit = BrandKit.model_validate(sample_kit)
    stated = kit.voice.levels
    default = BrandKit.model_validate({"kitId": "k", "name": "K"}).voice.levels
    assert stated == default


@pytest.mark.parametrize("levels", [{"sentiment": "fatal"}, {"tone": "error"}, {"emoji": "ERROR"}])
def test_unknown_levels_and_rules_are_refused(levels: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        BrandKit.model_validate({"kitId": "k", "name": "K", "voice": {"levels": levels}})
