"""The text lint's one-step merge (``base.text_report``) is the general ``report`` of its four results: the same
findings, rules (each listed once, in order), checks not run, metrics and verdicts; and ``lint_text`` reports
through it what the four checks report merged by ``report``."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting import findings, legal, platforms, terms, voice
from flashfusion.linting.base import CheckResult, report, text_report
from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.models import BrandKit, NotChecked, Violation

ROOT = Path(__file__).resolve().parents[3]
RULES = ["a", "b", "voice.required-term", "c", "d"]


def _violation(rule: str, severity: str, fixable: bool) -> Violation:
    span = findings.text_span(0, 1, "x")
    fix = findings.fix("replace", span, "y") if fixable else None
    return findings.violation(rule, severity, f"{rule} found", location=span, fix=fix)  # type: ignore[arg-type]


violations = st.lists(
    st.builds(_violation, st.sampled_from(RULES), st.sampled_from(["error", "warning", "suggestion"]), st.booleans()),
    max_size=3,
)
results = st.builds(
    CheckResult,
    violations,
    st.lists(st.sampled_from(RULES), max_size=4),
    st.lists(st.builds(NotChecked, check=st.sampled_from(["ocr", "voice"]), reason=st.just("not here")), max_size=2),
    st.dictionaries(st.sampled_from(["m.a", "m.b", "m.c"]), st.floats(allow_nan=False), max_size=3),
)


def _same(fast: object, general: object) -> None:
    exclude = {"checked_at"}
    assert fast.model_dump(exclude=exclude) == general.model_dump(exclude=exclude)  # type: ignore[attr-defined]
    assert fast.model_fields_set == general.model_fields_set  # type: ignore[attr-defined]
    assert list(fast.metrics) == list(general.metrics)  # type: ignore[attr-defined]


@settings(max_examples=500, deadline=None)
@given(results, violations, st.lists(st.sampled_from(RULES), max_size=2), results, results)
def test_the_text_merge_is_the_general_merge(
    first: CheckResult, required: list[Violation], rules: list[str], third: CheckResult, fourth: CheckResult
) -> None:
    fast = text_report(first, required, tuple(rules), third, fourth)
    general = report([first, CheckResult(required, list(rules), [], {}), third, fourth])
    _same(fast, general)


KIT = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
TEXTS = [
    "Hi.",
    "",
    "Results guaranteed! Aurora Outdoor's GORE-TEX jacket ⛰\ufe0f #hiking https://example.com/shop",
    "We utilize recycled fabric. The the zip is sealed. It's totally awesome, guys!!",
    "x" * 400,
]


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(st.sampled_from(TEXTS), st.text(max_size=60)),
    st.sampled_from([None, "x", "LinkedIn", "newsletter"]),
    st.sampled_from([None, "en-GB", "de"]),
    st.booleans(),
)
def test_lint_text_reports_its_checks_merged(text: str, channel: str | None, locale: str | None, paid: bool) -> None:
    ctx = LintContext(kit=KIT, channel=channel, locale=locale, sponsored=paid)
    if locale == "de":
        reason = "the voice analyzers are English-only; de copy is not scored"
        voice_result = CheckResult(not_checked=[NotChecked(check="voice", reason=reason)])
    else:
        voice_result = voice.check_voice(text, KIT, channel)
    general = report(
        [
            legal.check_legal(text, KIT, channel, sponsored=paid),
            CheckResult(terms.required_terms(text, KIT.voice.required_terms), [terms.REQUIRED_RULE], [], {}),
            voice_result,
            platforms.check_text_for_platforms(text, ctx.platforms),
        ]
    )
    _same(lint_text(text, ctx), general)
