"""The voice checks' per-piece reading (``voice.pieces.text_facts``) gives what the whole-text functions give:
``analyse``'s counts and word scan, ``emoji_spans``' count, VADER's scores, and a repetition pre-check that holds
wherever ``REPEATED_WORD`` finds a repeat. Checked on generated texts full of the awkward cases (pieces made of
words, marks, URLs, hashtags, emoji, apostrophes, hyphens, blank lines, non-ASCII letters) and on random Unicode
text, then on the benchmark's posts and the adversarial corpus."""

# ruff: noqa: RUF001 - the alphabet holds the look-alike letters on purpose
from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice.emojis import emoji_spans
from flashfusion.linting.voice.pieces import _facts, text_facts
from flashfusion.linting.voice.sentiment import _sentiment
from flashfusion.linting.voice.term_patterns import KitPatterns, Terms
from flashfusion.linting.voice.vale_rules import REPEATED_WORD
from flashfusion.models import VoiceRules
from tests.bench.bench_text_lint import make_posts
from tests.helpers import ROOT
from tests.unit.lint.voice_reference import analyse

PIECES = [
    "We",
    "we're",
    "you",
    "You'll",
    "y'all",
    "Y'ALL's",
    "they",
    "our-team",
    "it's",
    "İt",
    "ſhe",
    "\u212ait",
    "you_",
    "_you",
    "'you",
    "Grab",
    "grab",
    "Join",
    "gonna",
    "awesome",
    "therefore",
    "notwithstanding",
    "internationalisation",
    "great",
    "GREAT",
    "not",
    "isn't",
    "very",
    "kind",
    "of",
    "but",
    "least",
    "no",
    "the",
    "The",
    "the-end",
    "well-the",
    "1",
    "1000-123",
    "1234567890123",
    "2026-12-06",
    "$19.99",
    "10:30",
    "143",
    "<3",
    ":)",
    "e.g.",
    "GORE-TEX",
    "café",
    "naïve",
    "Ａ",
    "don\u2019t",
    ".",
    "!",
    "!!",
    "?",
    "‼",
    "！",
    "…",
    "。",
    "?!",
    ",",
    "-",
    "_",
    "'",
    "\u2019",
    "(",
    ")",
    "http://x.co/a",
    "https://a.io/x",
    "www.a.io",
    "#tag",
    "#WinBig",
    "@aurora",
    "a#b",
    "##x",
    "🌲",
    "👍🏽",
    "❄️",
    "1️⃣",
    "©",
    "😀",
    "🔛",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n \n",
    "\u00a0",
    "\u2028",
]
texts = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)
unicode_texts = st.text(max_size=60)
repeats = st.lists(
    st.sampled_from(
        [*("she", "She", "ſhe", "kit", "\u212ait", "KIT", "it", "İt", "IT"), *("the", "1the", "the's", "é", " ", "\n")]
    ),
    max_size=8,
).map("".join)
"""Texts made mostly of one word in several spellings regex case folding equates, so repeats are common."""


def _reference(text: str) -> tuple[object, ...]:
    analysis = analyse(text)
    scan = analysis.scan
    return (
        analysis.words,
        analysis.sentences,
        analysis.long_sentences,
        analysis.syllables,
        scan.casual,
        scan.formal,
        scan.found,
        scan.counts,
        scan.first_at,
        len(emoji_spans(text)),
    )


def _pieces(text: str) -> tuple[object, ...]:
    facts = text_facts(text)
    scan = facts.scan
    return (
        facts.words,
        facts.sentences,
        facts.long_sentences,
        facts.syllables,
        scan.casual,
        scan.formal,
        scan.found,
        scan.counts,
        scan.first_at,
        facts.emoji,
    )


def _compound(text: str) -> float:
    from flashfusion.linting.voice.check import _compound as compound_of

    return compound_of(text, text_facts(text))


def _assert_same(text: str) -> None:
    assert _pieces(text) == _reference(text)
    assert _compound(text) == _sentiment()(text)["compound"]
    if REPEATED_WORD.search(text):
        assert text_facts(text).may_repeat()


@settings(max_examples=800, deadline=None)
@given(texts)
def test_the_pieces_give_what_the_whole_text_gives(text: str) -> None:
    _assert_same(text)


@settings(max_examples=500, deadline=None)
@given(unicode_texts)
def test_the_pieces_give_what_the_whole_text_gives_on_any_unicode(text: str) -> None:
    _assert_same(text)


@settings(max_examples=500, deadline=None)
@given(repeats)
@example("İt it")  # re's case folding equates "İ" and "i"; str.lower does not
@example("it \u212aIT")
def test_the_repetition_pre_check_holds_wherever_a_word_repeats(text: str) -> None:
    if REPEATED_WORD.search(text):
        assert text_facts(text).may_repeat()


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_piece_seen_before_gives_the_same_facts(text: str) -> None:
    """Read once with empty caches and once with every piece cached: the same facts."""
    _facts.clear()
    first = _pieces(text)
    assert _pieces(text) == first


def test_the_benchmark_posts_and_the_adversarial_corpus_read_the_same() -> None:
    adversarial = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "fixtures" / "adversarial" / "posts.jsonl").read_text("utf-8").splitlines()
    ]
    for text in [*make_posts(21, 300), *adversarial]:
        _assert_same(text)


def test_vaders_compound_from_the_pieces_is_vaders_own() -> None:
    """Against vaderSentiment itself, on texts where the emoji turn into words (one of them with a "!")."""
    reference = SentimentIntensityAnalyzer()
    for text in ["Great day 🔛 on the ridge 😀!", "not bad 👍🏽 at all", "Never so happy ❄️☀️", "🌲🌲🌲 good"]:
        assert _compound(text) == reference.polarity_scores(text)["compound"]


TERM_GROUPS = [["colour", "color"], ["trekking pole", "hiking pole"], ["aa", "aaa"], ["win", "win big"], ["#1", "go"]]
term_texts = st.lists(
    st.sampled_from(["colour", "COLOR", "color-", "trekking", "pole", "hiking", "aa", "aaa", "win", "big", "#1", "go"])
    | st.sampled_from([" ", "-", "", ".", "\n", "#", "İ", "e"]),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(term_texts, st.sampled_from(TERM_GROUPS))
@example("colour and COLOR", ["colour", "color"])
@example("aaa aa", ["aa", "aaa"])
def test_a_group_said_to_match_once_at_most_matches_once_at_most(text: str, group: list[str]) -> None:
    """The consistency rule's shortcut (``Terms.at_most_one_match``) is a bound on ``Terms.matches``, and the
    matches found from the text's present runs are the matches found without them."""
    terms = Terms(group)
    norm = normalise(text)
    present = KitPatterns(VoiceRules.model_validate({"preferredTerms": dict.fromkeys(group, "x")})).present(norm)
    found = terms.matches(norm)
    assert terms.matches(norm, present) == found
    if terms.at_most_one_match(norm, present):
        assert len(found) <= 1
