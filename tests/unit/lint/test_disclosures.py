"""Sponsored content: a disclosure only when the post is sponsored, "any one of" sets, whole hashtags,
placement per channel, findings that say what and where, fixes that satisfy the rule, kits old and new."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flashfusion.brandkit import DEFAULT_DISCLOSURE_TEXTS
from flashfusion.linting import legal
from flashfusion.linting.autofix import apply_fixes
from flashfusion.linting.disclosures import DISCLOSURE_RULE, find_disclosures, rules_for
from flashfusion.linting.engine import LintContext, lint_asset, lint_text
from flashfusion.models import BrandKit, TextSpan, Violation

AD_OR_SPONSORED = ["#ad", "#sponsored"]


def kit(*disclosures: dict[str, Any], **legal_rules: Any) -> BrandKit:
    return BrandKit.model_validate(
        {"kitId": "k", "name": "Test Kit", "legal": {"sponsoredDisclosures": list(disclosures), **legal_rules}}
    )


def findings(text: str, brand: BrandKit, channel: str | None, sponsored: bool = True) -> list[Violation]:
    result = legal.check_legal(text, brand, channel, sponsored=sponsored)
    return [v for v in result.violations if v.rule_id == DISCLOSURE_RULE]


def fixed(text: str, violations: list[Violation]) -> str:
    return apply_fixes(text, violations).text


EVERY_CHANNEL = kit({"anyOf": AD_OR_SPONSORED})


@pytest.mark.parametrize(
    "text",
    [
        "#ad",
        "New boots #ad",
        "New boots #AD",
        "New boots #Ad.",  # end of a sentence: the full stop is not part of the hashtag
        "New boots (#ad), out now",
        "#ad, #hiking and more",
        "#hiking,#ad",
        "New boots #Sponsored!",
        "New boots\n\n#sponsored",
        "New boots \uff03ad",  # the fullwidth number sign, which X links as a hashtag too
        "New boots #ad\u200b",  # a zero-width space ends the hashtag
    ],
)
def test_whole_hashtags_in_any_case_are_disclosures(text: str) -> None:
    assert findings(text, EVERY_CHANNEL, None) == []
    assert findings(text, EVERY_CHANNEL, "instagram") == []


@pytest.mark.parametrize(
    "text",
    [
        "New #advice for the trail",
        "#adventure awaits",
        "#ad_campaign boots",
        "#ads everywhere",
        "#sponsoredby Summit",
        "brand#ad boots",  # not a hashtag: it starts inside a word
        "&#ad; entity",
        "##ad",
        "see https://example.com/#ad for more",  # a URL fragment, not a hashtag
        "New boots #ad\u0301",  # a combining mark continues the hashtag: it is not #ad
        "New boots #ad\u200dx",  # so does a zero-width joiner
        "an ad for new boots, sponsored by nobody",  # the words are not the hashtags the kit accepts
        "#a d",
        "",
    ],
)
def test_look_alikes_are_not_disclosures(text: str) -> None:
    (finding,) = findings(text, EVERY_CHANNEL, None)
    assert finding.severity == "error"
    assert finding.location is None
    assert '"#ad" or "#sponsored"' in finding.message


def test_no_disclosure_is_needed_when_the_post_is_not_sponsored() -> None:
    result = legal.check_legal("New boots", EVERY_CHANNEL, "instagram")
    assert result.violations == []
    assert DISCLOSURE_RULE not in result.rules_checked
    assert "legal.sponsored" not in result.metrics
    sponsored = legal.check_legal("New boots", EVERY_CHANNEL, "instagram", sponsored=True)
    assert DISCLOSURE_RULE in sponsored.rules_checked
    assert sponsored.metrics["legal.sponsored"] == 1.0
    assert [v.rule_id for v in sponsored.violations] == [DISCLOSURE_RULE]


def test_phrases_match_as_words_in_any_case_and_spacing() -> None:
    brand = kit({"anyOf": ["Paid partnership", "Ad:"]})
    assert findings("PAID  partnership with Summit Trails", brand, None) == []
    assert findings("Paid\npartnership", brand, None) == []
    assert findings("Ad: new boots", brand, None) == []
    assert len(findings("An unpaid partnership", brand, None)) == 1
    assert len(findings("Read: new boots", brand, None)) == 1
    assert len(findings("Paid partnerships are rare", brand, None)) == 1


FOLD = kit({"channels": ["instagram"], "anyOf": AD_OR_SPONSORED, "withinFirstChars": 40})


def test_placement_within_the_first_characters() -> None:
    late = "Our new boots are out for spring trails. Made with Summit Trails. #ad"
    (finding,) = findings(late, FOLD, "instagram")
    assert isinstance(finding.location, TextSpan)
    assert late[finding.location.start : finding.location.end] == "#ad"
    assert "on instagram" in finding.message
    assert '"#ad" or "#sponsored"' in finding.message
    assert "within the first 40 characters" in finding.message
    assert f"character {len(late)}" in finding.message
    after = fixed(late, [finding])
    assert after.startswith("#ad ")
    assert findings(after, FOLD, "instagram") == []


def test_placement_counts_to_the_end_of_the_disclosure() -> None:
    ends_at_the_fold = "x" * 36 + " #ad and more words after the fold"
    assert ends_at_the_fold.index("#ad") + 3 == 40
    assert findings(ends_at_the_fold, FOLD, "instagram") == []
    one_past = "x" + ends_at_the_fold
    assert len(findings(one_past, FOLD, "instagram")) == 1
    # an earlier disclosure inside the fold is enough, even when another one comes later
    assert findings("#sponsored " + "x" * 60 + " #ad", FOLD, "instagram") == []


def test_a_missing_disclosure_is_inserted_at_the_start() -> None:
    text = "Our new boots are out for spring trails."
    (finding,) = findings(text, FOLD, "Instagram")
    assert finding.location is None
    assert "needs a disclosure" in finding.message
    assert finding.suggestion == 'add "#ad" at the start'
    assert fixed(text, [finding]) == "#ad Our new boots are out for spring trails."
    label = kit({"anyOf": ["Paid partnership"], "withinFirstChars": 30})
    (finding,) = findings(text, label, None)
    assert fixed(text, [finding]) == "Paid partnership: Our new boots are out for spring trails."
    (finding,) = findings("", label, None)
    assert fixed("", [finding]) == "Paid partnership"


def test_rules_naming_the_channel_replace_the_every_channel_rules() -> None:
    brand = kit(
        {"channels": ["Instagram", "tiktok"], "anyOf": ["#ad"], "withinFirstChars": 125},
        {"channels": ["x"], "anyOf": ["#sponsored"]},
        {"anyOf": ["Advertisement"]},
    )
    assert [r.any_of for r in rules_for(brand, "INSTAGRAM")] == [["#ad"]]
    assert [r.any_of for r in rules_for(brand, "x")] == [["#sponsored"]]
    assert [r.any_of for r in rules_for(brand, "linkedin")] == [["Advertisement"]]
    assert [r.any_of for r in rules_for(brand, None)] == [["Advertisement"]]
    assert findings("Boots #ad", brand, "tiktok") == []
    assert len(findings("Boots #ad", brand, "x")) == 1
    assert len(findings("Boots Advertisement", brand, "instagram")) == 1
    assert findings("Advertisement: boots", brand, "linkedin") == []


def test_every_rule_that_applies_must_be_met() -> None:
    brand = kit(
        {"channels": ["instagram"], "anyOf": ["#ad", "#sponsored"]},
        {"channels": ["instagram"], "anyOf": ["Paid partnership with Summit Trails"]},
    )
    assert len(findings("Boots #ad", brand, "instagram")) == 1
    assert findings("Boots #ad. Paid partnership with Summit Trails", brand, "instagram") == []
    both = findings("Boots", brand, "instagram")
    assert len(both) == 2
    assert findings(fixed("Boots", both), brand, "instagram") == []


def test_without_a_rule_for_the_channel_the_default_disclosures_apply() -> None:
    brand = kit({"channels": ["x"], "anyOf": ["#sponsored"]})
    (finding,) = findings("Boots", brand, "linkedin")
    for accepted in DEFAULT_DISCLOSURE_TEXTS:
        assert f'"{accepted}"' in finding.message
        assert findings(f"Boots {accepted}", brand, "linkedin") == []
    assert "anywhere in the post" in finding.message
    assert len(findings("Boots", BrandKit.model_validate({"kitId": "k", "name": "K"}), None)) == 1


def test_a_rule_can_switch_the_disclosure_off_for_a_channel() -> None:
    brand = kit({"channels": ["instagram"], "anyOf": ["#ad"], "level": "off"}, {"anyOf": ["#ad"]})
    result = legal.check_legal("Boots", brand, "instagram", sponsored=True)
    assert result.violations == []
    assert DISCLOSURE_RULE not in result.rules_checked
    assert len(findings("Boots", brand, "linkedin")) == 1


@pytest.mark.parametrize(
    ("level", "severity", "compliant"), [("warning", "warning", True), ("info", "suggestion", True)]
)
def test_the_kit_sets_the_level(level: str, severity: str, compliant: bool) -> None:
    brand = kit({"anyOf": ["#ad"], "level": level})
    report = lint_text("Boots", LintContext(kit=brand, sponsored=True))
    (finding,) = [v for v in report.violations if v.rule_id == DISCLOSURE_RULE]
    assert finding.severity == severity
    assert report.compliant is compliant
    assert lint_text("Boots", LintContext(kit=kit({"anyOf": ["#ad"]}), sponsored=True)).compliant is False


def test_locale_rules_replace_the_disclosures() -> None:
    brand = BrandKit.model_validate(
        {
            "kitId": "k",
            "name": "K",
            "legal": {"sponsoredDisclosures": [{"anyOf": ["#ad"]}]},
            "locales": {"de": {"sponsoredDisclosures": [{"anyOf": ["#Werbung", "Anzeige"]}]}},
        }
    )
    german = LintContext(kit=brand.for_locale("de-DE"), locale="de-DE", sponsored=True)
    assert lint_text("Neue Wanderschuhe #werbung", german).compliant
    assert not lint_text("Neue Wanderschuhe #ad", german).compliant
    assert lint_text("New boots #ad", LintContext(kit=brand.for_locale("fr-FR"), sponsored=True)).compliant


def test_standing_disclaimers_apply_to_every_post_and_are_not_inserted_twice() -> None:
    """A kit written before sponsored disclosures listed "#ad" as a disclaimer: it still applies to every
    post on its channels; on a sponsored post the disclosure's fix (at the start) meets both."""
    old = BrandKit.model_validate(
        {"kitId": "k", "name": "K", "legal": {"requiredDisclaimers": [{"text": "#ad", "channels": ["instagram"]}]}}
    )
    plain = legal.check_legal("Boots", old, "instagram")
    assert [v.rule_id for v in plain.violations] == [legal.DISCLAIMER_RULE]
    sponsored = legal.check_legal("Boots", old, "instagram", sponsored=True)
    assert sorted(v.rule_id for v in sponsored.violations) == sorted([legal.DISCLAIMER_RULE, DISCLOSURE_RULE])
    after = fixed("Boots", sponsored.violations)
    assert after == "#ad Boots"
    assert legal.check_legal(after, old, "instagram", sponsored=True).violations == []


def test_disclosures_in_text_order_and_never_in_urls() -> None:
    text = "#sponsored www.example.com/#ad and #ad"
    assert find_disclosures(text, ["#ad", "#sponsored"]) == [("#sponsored", 0, 10), ("#ad", 35, 38)]


def test_an_image_says_its_disclosure_was_not_checked() -> None:
    from tests.unit.lint.test_engine import brand_scene, png

    brand = kit({"anyOf": ["#ad"]})
    sponsored = lint_asset(png(brand_scene()), "image/png", LintContext(kit=brand, sponsored=True))
    assert any(n.check == DISCLOSURE_RULE and "caption" in n.reason for n in sponsored.not_checked)
    plain = lint_asset(png(brand_scene()), "image/png", LintContext(kit=brand))
    assert not any(n.check == DISCLOSURE_RULE for n in plain.not_checked)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"anyOf": []}, "at least 1 item"),
        ({"anyOf": ["#paid partnership"]}, "a hashtag is '#' then letters"),
        ({"anyOf": ["#"]}, "a hashtag is '#' then letters"),
        ({"anyOf": ["   "]}, "at least 1 character"),
        ({"anyOf": ["Paid partnership"], "withinFirstChars": 10}, "could never fit"),
        ({"anyOf": ["#ad"], "withinFirstChars": 0}, "greater than or equal to 1"),
        ({"anyOf": ["#ad"], "level": "fatal"}, "'error', 'warning', 'suggestion' or 'off'"),
        ({"anyOf": ["#ad"], "position": "start"}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_disclosure_rules_are_refused_with_the_reason(rule: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        kit(rule)


def test_the_sample_kit_discloses_sponsored_posts_only(sample_kit: dict[str, Any]) -> None:
    brand = BrandKit.model_validate(sample_kit)
    assert brand.legal.required_disclaimers == []  # its "#ad" moved to sponsoredDisclosures
    text = "GORE-TEX® lined boots for long trails."
    assert legal.check_legal(text, brand, "instagram").violations == []
    (finding,) = findings(text, brand, "instagram")
    assert "within the first 125 characters" in finding.message
    assert findings(text + " Paid partnership.", brand, "instagram") == []
    assert findings(text + " #sponsored", brand, "x") == []
