"""``check_voice`` (a per-kit plan over the text's piece facts, each finding built only when due) reports what the
plain checks report (``voice_reference.check_voice_plain``: each module's ``check_*`` over the whole-text analysis
and vaderSentiment's own compound): the same findings, rules checked, not-checked notes and metrics, in the same
order, for kits that turn each check off, change its level, its allowance, its range and the person they want."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from flashfusion.linting.base import CheckResult
from flashfusion.linting.voice.check import _compound, check_voice
from flashfusion.linting.voice.pieces import text_facts
from flashfusion.linting.voice.plan import voice_plan
from flashfusion.models import BrandKit
from tests.bench.bench_text_lint import make_posts
from tests.helpers import ROOT
from tests.unit.lint.test_sentiment_exact import _vocabulary
from tests.unit.lint.test_voice_pieces import PIECES
from tests.unit.lint.voice_reference import check_voice_plain

VADER = SentimentIntensityAnalyzer()
SAMPLE: dict[str, Any] = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))


def _kit(**voice: Any) -> BrandKit:
    return BrandKit.model_validate({**SAMPLE, "voice": {**SAMPLE["voice"], **voice}})


KITS = [
    _kit(),
    _kit(levels={}, person="any", emoji="allowed", rules=[], preferredTerms={}),
    _kit(
        levels={"sentiment": "off", "readingGrade": "off", "formality": "off", "person": "off", "exclamations": "off"}
        | {"emoji": "off"}
    ),
    _kit(levels={"sentiment": "error", "readingGrade": "suggestion", "person": "error", "emoji": "info"}),
    _kit(person="second", formality="formal", maxExclamations=0, emoji="none", sentimentRange=[-0.2, 0.3]),
    _kit(person="third", formality="casual", maxExclamations=3, emoji="limited", maxEmoji=0, readingGradeRange=[0, 3]),
    _kit(person="first", levels={"person": "suggestion"}, maxEmoji=1, sentimentRange=[0.5, 1.0]),
    _kit(person="second", levels={"emoji": "error"}, emoji="none", readingGradeRange=[8, 9], maxExclamations=2),
]
SPECIAL = ["🔛", "🆙", "!", "?", "!!", "‼", "👍🏽", "😀", "🌲", "😢"]
"""Emoji whose description VADER reads with a "!" (the first two), marks and other emoji."""


def _report(result: CheckResult) -> tuple[object, ...]:
    return (
        [v.model_dump() for v in result.violations],
        result.rules_checked,
        [n.model_dump() for n in result.not_checked],
        list(result.metrics.items()),  # the order too
    )


def _assert_plain(text: str, kit: BrandKit) -> None:
    reference = check_voice_plain(text, kit, lambda t: VADER.polarity_scores(t)["compound"])
    assert _report(check_voice(text, kit)) == _report(reference)


texts = st.lists(st.sampled_from(PIECES) | st.sampled_from(_vocabulary()) | st.sampled_from(SPECIAL), max_size=24).map(
    " ".join
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from(KITS))
@example("", KITS[0])
@example("Hi.", KITS[4])
@example("You and you and they! We!!", KITS[0])
@example("They we. We they.", KITS[6])
@example("🌲 🌲 🌲 ok", KITS[5])
@example("‼ ‼", KITS[4])
def test_check_voice_reports_what_the_plain_checks_report(text: str, kit: BrandKit) -> None:
    _assert_plain(text, kit)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60), st.sampled_from(KITS))
def test_check_voice_reports_what_the_plain_checks_report_on_any_unicode(text: str, kit: BrandKit) -> None:
    _assert_plain(text, kit)


def test_the_benchmark_posts_and_the_adversarial_corpus_report_the_same() -> None:
    adversarial = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "fixtures" / "adversarial" / "posts.jsonl").read_text("utf-8").splitlines()
    ]
    for text, kit in zip([*make_posts(33, 240), *adversarial], itertools.cycle(KITS), strict=False):
        _assert_plain(text, kit)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_vocabulary()) | st.sampled_from(SPECIAL), min_size=1, max_size=14),
    st.sampled_from(["", ".", "!!", " ?", " ??", "!!!!!?"]),
)
@example(["good", "🔛"], "")
@example(["very", "good", "the", "bomb"], "")
@example(["I", "LOVE", "it", "good"], "!")
def test_the_compound_from_the_facts_is_vaders_own(words: list[str], end: str) -> None:
    """The compound ``check_voice`` reads (lexicon values summed in C when no context word is near a valenced
    word, the text's own "!" and "?" when no emoji description adds any) against vaderSentiment."""
    text = " ".join(words) + end
    assert _compound(text, text_facts(text)) == VADER.polarity_scores(text)["compound"]


def test_every_idiom_and_multi_word_booster_around_valenced_words_scores_as_vaders_own() -> None:
    """Each of VADER's idioms and multi-word boosters (two or three words), where ``_special_idioms_check`` reads
    it: before, around and after a valenced word, far enough into the text to be read."""
    from vaderSentiment import vaderSentiment as vs

    phrases = [*vs.SPECIAL_CASES, *(k for k in vs.BOOSTER_DICT if " " in k)]
    for phrase in phrases:
        for text in (
            f"we had the {phrase} today",
            f"we had the {phrase} good day",
            f"we had a good {phrase}",
            f"the trail was {phrase} great",
            f"it is a {phrase}, but nice",
        ):
            assert _compound(text, text_facts(text)) == VADER.polarity_scores(text)["compound"], text


def test_a_kit_is_planned_once_and_each_kit_has_its_own_plan() -> None:
    assert voice_plan(KITS[0].voice) is voice_plan(KITS[0].voice)
    plans = [voice_plan(kit.voice) for kit in KITS]
    assert len({id(plan) for plan in plans}) == len(KITS)
    assert plans[2].rules_checked == ()
    without_grade = tuple(rule for rule in plans[0].rules_checked if rule != "voice.reading-grade")
    assert plans[0].rules_checked_without_words == without_grade
