"""The voice check's VADER (``sentiment._FastVader``) scores exactly as vaderSentiment's own
``polarity_scores``: its shortcuts (per-token facts, texts without a valenced word, the valence of a word
from the lowercased list, "but" looked for once) change no score."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from flashfusion.linting.voice.sentiment import _sentiment
from tests.bench.bench_text_lint import make_posts
from tests.helpers import ROOT

TRICKY = [
    "",
    "   ",
    "The jacket is not bad at all.",
    "It isn't good, but the hood is GREAT!!!",
    "No problem, no worries, no or nor good.",
    "At least it is dry. The least good option, very least bad.",
    "It is kind of nice and sort of awful.",
    "Never so happy. Never this sad. Without doubt the best.",
    "The shit is the bomb; it's the cat's pajamas, yeah right.",
    "VERY GOOD jacket, extremely good hood, barely ok zip",
    "I do not love it, I don't hate it, I can't say it's great",
    "Great 😀 day ❤️ on the ridge 😢",
    "Amazing!!! Really?? Wow.",
    "Kind of... KIND OF good. kind",
    "The weather was awful but the views were incredible but cold.",
]


def _texts() -> list[str]:
    adversarial = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "fixtures" / "adversarial" / "posts.jsonl").read_text("utf-8").splitlines()
    ]
    return [*TRICKY, *make_posts(16, 400), *adversarial]


@pytest.fixture(scope="module")
def reference() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def test_scores_are_vaders_own(reference: SentimentIntensityAnalyzer) -> None:
    fast = _sentiment()
    differing = [text for text in _texts() if fast(text) != reference.polarity_scores(text)]
    assert differing == []


def _vocabulary() -> list[str]:
    """Words that steer VADER's rules: valenced words, boosters, negations, the words of its idioms and
    multi-word boosters, "but", "least", "no", "kind of", and plain filler, in three cases."""
    from vaderSentiment import vaderSentiment as vs

    idioms = sorted({w for phrase in [*vs.SPECIAL_CASES, *vs.BOOSTER_DICT] for w in phrase.split()})
    words = [
        *idioms,
        *sorted(vs.NEGATE)[:20],
        "good", "bad", "great", "awful", "love", "hate", "nice", "ok", "happy", "sad", "kind", "of", "but",
        "least", "at", "very", "no", "or", "nor", "never", "so", "this", "without", "doubt", "jacket", "the",
        "trail", "don't", "isn't", "wasn't", "!", "?", ":)", "😀",
    ]  # fmt: skip
    return [*words, *(w.upper() for w in words[::3]), *(w.title() for w in words[1::4])]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_vocabulary()), min_size=1, max_size=14), st.sampled_from(["", ".", "!!", " ?"]))
def test_scores_are_vaders_own_on_word_mixes(reference: SentimentIntensityAnalyzer, words: list[str], end: str) -> None:
    """Negations, boosters and idioms around valenced words in every arrangement: the checks the fast path skips
    (a non-booster's scalar, a negation check with no negation word near, an idiom check with no idiom word near)
    change nothing."""
    text = " ".join(words) + end
    assert _sentiment()(text) == reference.polarity_scores(text)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_the_inlined_normalize_is_vaders_own(score: float) -> None:
    """``sentiment._normalize`` (the compound's last step, inlined) gives vaderSentiment's ``normalize`` exactly."""
    from vaderSentiment.vaderSentiment import normalize

    from flashfusion.linting.voice.sentiment import _normalize

    assert _normalize(score) == normalize(score)
