"""Locale rules of a brand kit, the translation stand-in, feedback in prompts, decision validation."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flashfusion.app.reviews import Decision
from flashfusion.app.step_common import effective_prompt
from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.models import AssetRequest, BrandKit, Revision
from flashfusion.providers.offline_text import stand_in_translation


def test_locale_rules_merge_over_the_kit(sample_kit: dict[str, Any]) -> None:
    kit = BrandKit.model_validate(
        {
            **sample_kit,
            "locales": {
                "de": {"bannedTerms": ["kostenlos"], "preferredTerms": {"E-Mail": "Mail"}},
                "fr-FR": {"requiredTerms": ["Aurora"], "requiredDisclaimers": []},
            },
        }
    )
    german = kit.for_locale("de-DE")  # the language's rules apply to every region of it
    assert german.legal.banned_terms == [*kit.legal.banned_terms, "kostenlos"]
    assert german.voice.preferred_terms["E-Mail"] == "Mail"
    french = kit.for_locale("fr-FR")
    assert french.voice.required_terms == ["Aurora"]
    assert french.legal.required_disclaimers == []
    assert kit.for_locale("it-IT") == kit
    assert kit.for_locale(None) == kit


def test_non_english_copy_is_not_scored_by_english_voice_models(sample_kit: dict[str, Any]) -> None:
    kit = BrandKit.model_validate(sample_kit)
    text = "Découvrez la nouvelle collection Aurora pour vos randonnées de printemps."
    french = lint_text(text, LintContext(kit=kit, locale="fr-FR"))
    assert any(n.check == "voice" and "English-only" in n.reason for n in french.not_checked)
    assert not any(r.startswith("voice.sentiment") for r in french.rules_checked)
    english = lint_text(text, LintContext(kit=kit, locale="en-GB"))
    assert not any(n.check == "voice" for n in english.not_checked)


def test_the_stand_in_is_labelled_and_keeps_the_copy() -> None:
    out = stand_in_translation("Meet Aurora.\n", "ja-JP")
    assert out == "[ja-JP translation stand-in: not translated] Meet Aurora.\n"
    assert stand_in_translation("a\nb", "fr-FR").splitlines() == [
        "[fr-FR translation stand-in: not translated]",
        "a",
        "b",
    ]


def test_feedback_rounds_join_the_prompt_in_order() -> None:
    request = AssetRequest.model_validate(
        {
            "contentType": "text",
            "prompt": "Spring post",
            "brandKitId": "k",
            "requestId": "r",
            "orgId": "o",
            "userId": "u",
        }
    )
    assert effective_prompt(request, Revision()) == "Spring post"
    prompt = effective_prompt(request, Revision(version=3, round=2, feedback=["warmer", "shorter"]))
    assert prompt.startswith("Spring post\n\nReviewer feedback")
    assert prompt.index("- warmer") < prompt.index("- shorter")


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "approve_with_edits"},
        {"decision": "approve_with_edits", "editedText": "x", "replacementUploadId": "u1"},
        {"decision": "approve_with_edits", "editedText": "   "},
        {"decision": "regenerate", "feedback": " "},
        {"decision": "reject", "editedText": "x"},
        {"decision": "approve", "extra": 1},
    ],
)
def test_decisions_that_do_not_fit_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Decision.model_validate(body)


def test_locales_on_a_submission_are_checked() -> None:
    from flashfusion.models import AssetSubmission

    base = {"contentType": "text", "prompt": "x", "brandKitId": "k"}
    assert AssetSubmission.model_validate({**base, "locales": ["pt-BR", "zh-Hans-CN", "es-419"]}).locales
    for bad in (["fr-FR", "fr-FR"], ["french"], ["FR-fr"]):
        with pytest.raises(ValidationError):
            AssetSubmission.model_validate({**base, "locales": bad})


@pytest.mark.parametrize(
    ("feedback", "expected"),
    [
        ("don't say 'miracle', it's too much", ["miracle"]),
        ('remove "guaranteed" and "risk-free"', ["guaranteed", "risk-free"]),
        ("drop “risk-free”.", ["risk-free"]),
        ("it's the users' call, no quotes here", []),
    ],
)
def test_the_offline_writer_reads_quoted_terms_from_feedback(feedback: str, expected: list[str]) -> None:
    from flashfusion.providers.offline_text import ruled_out

    assert ruled_out((feedback,)) == expected


def test_the_offline_writer_drops_the_clauses_that_say_a_ruled_out_term() -> None:
    from flashfusion.providers.offline_text import without

    subject = "bring you our jackets are a guaranteed miracle and completely risk-free"
    assert without(subject, ["risk-free"]) == "bring you our jackets are a guaranteed miracle"
    assert without(subject, ["miracle"]) == "bring you our jackets"
    assert without("a guaranteed miracle", ["miracle"]) == "share something new"
    assert without(subject, []) == subject


def test_a_review_cannot_outlive_its_staged_preview(sample_kit: dict[str, Any]) -> None:
    assert BrandKit.model_validate({**sample_kit, "review": {"timeoutSeconds": 6 * 86400}}).review.timeout_seconds
    with pytest.raises(ValidationError, match="timeoutSeconds"):
        BrandKit.model_validate({**sample_kit, "review": {"timeoutSeconds": 10 * 86400}})
    with pytest.raises(ValidationError, match="maxRegenerations"):
        BrandKit.model_validate({**sample_kit, "review": {"maxRegenerations": -1}})
