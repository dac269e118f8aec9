"""The text lint's shortcuts are exact: each cheap pre-check is a necessary condition of the search it skips,
and the run-anchored term search finds what ``finditer`` finds, on generated texts full of the awkward cases
(case-folding letters, hyphens, spaced letters, apostrophes, repeated words, imperatives)."""

# ruff: noqa: RUF001 - the alphabet holds the look-alike letters on purpose
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting.normalise import SPACED_HINTS, SPACED_RUN, normalise
from flashfusion.linting.term_match import boundaries_hold, find_term, found_in, term_regex
from flashfusion.linting.voice.common import NON_PROSE, SENTENCE_END, WORD, strip_non_prose
from flashfusion.linting.voice.lexicon import imperative_verbs
from flashfusion.linting.voice.reading_grade import prose_counts
from flashfusion.linting.voice.term_patterns import Terms
from flashfusion.linting.voice.vale_rules import REPEATED_WORD, _may_repeat_a_word
from flashfusion.linting.voice.word_scan import SENTENCE_OPENING, scan_tokens, sentence_openings
from tests.unit.lint.voice_reference import _ascii_words, analyse

PIECES = [
    "win",
    "WIN",
    "Win",
    "wİn",
    "wın",
    "ſale",
    "sale",
    "Kit",
    "\u212ait",
    "a",
    "I",
    "the",
    "The",
    "go",
    "Grab",
    "grab's",
    "don't",
    "well-the",
    "the-end",
    "1",
    "7-day",
    "e.g.",
    "w i n",
    "w.i.n",
    "#WinBig",
    "double",
    "your",
    "money",
    "-",
    "_",
    ".",
    "!",
    "?",
    "'",
    "\u2019",
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    "🌲",
    "é",
    "Ａ",
]
texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
REPEATS = st.lists(
    st.sampled_from(
        ["the", "The", "THE", "well-the", "the-end", "it's", "the's", "a", "1", "the1", " ", " ", "\n", ", "]
    ),
    max_size=8,
).map("".join)
"""Texts made mostly of one word, so repeats (across hyphens, apostrophes, digits) are common."""
TERMS = ["win", "sale", "kit", "double your money", "the end", "go", "a1", "#1", "gore-tex", "#win"]


def _reference(text: str, term: str) -> list[tuple[int, int]]:
    norm = normalise(text)
    return [
        (f.start, f.end)
        for m in term_regex(term).finditer(norm.text)
        if m.end() > m.start() and boundaries_hold(norm, m.start(), m.end())
        for f in [found_in(norm, m.start(), m.end())]
    ]


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from(TERMS))
def test_a_term_is_found_where_finditer_finds_it(text: str, term: str) -> None:
    assert [(f.start, f.end) for f in find_term(text, term)] == _reference(text, term)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_list_of_terms_is_found_where_finditer_finds_each(text: str) -> None:
    for terms in (["win", "sale"], ["double your money", "kit"], ["go", "the end", "a1"]):
        found = sorted((f.start, f.end) for _, f in Terms(terms).matches(text))
        assert found == sorted(span for term in terms for span in _reference(text, term))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_each_pre_check_holds_wherever_its_search_finds_something(text: str) -> None:
    if any(any(c.isalpha() for c in run.group()) for run in SPACED_RUN.finditer(text)):
        assert any(hint.search(text) for hint in SPACED_HINTS)
    if REPEATED_WORD.search(text):
        assert _may_repeat_a_word(WORD.findall(text))


@settings(max_examples=400, deadline=None)
@given(REPEATS)
def test_the_repetition_pre_check_holds_wherever_a_word_repeats(text: str) -> None:
    if REPEATED_WORD.search(text):
        assert _may_repeat_a_word(WORD.findall(text))
    openings = [
        m.group(1)
        for m in SENTENCE_OPENING.finditer(text)
        if m.group(1).lower().replace("\u2019", "'") in imperative_verbs()
    ]
    found = scan_tokens(text, WORD.findall(text)).found
    assert all(opening in found for opening in openings)  # each was looked for and counted


PROSE_PIECES = [*PIECES, "…", "。", "！", "?!", "...", "http://x.co/a", "@aurora", "#tag", "www.a.io", "2026"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PROSE_PIECES), max_size=20).map("".join))
def test_one_scan_for_words_and_sentence_ends_counts_as_the_sentence_split(text: str) -> None:
    """``analyse`` finds the words and sentence ends in one scan: its counts are ``prose_counts`` of the prose
    (sentences split at each end, then tokenised), and its tokens are the text's words."""
    analysis = analyse(text)
    words, sentences, long_sentences, syllables = prose_counts(strip_non_prose(text))
    assert (analysis.words, analysis.sentences, analysis.long_sentences, analysis.syllables) == (
        words,
        sentences,
        long_sentences,
        syllables,
    )
    assert analysis.tokens == WORD.findall(text)


SCAN_PIECES = [
    *PROSE_PIECES,
    "https://a.io/x",
    "hhttp://b.co",
    "wwww.c.de",
    "a#b",
    "##x",
    "@@y",
    "_#z",
    "\n \n",
    ". \n",
]
NON_PROSE_AS_WRITTEN = re.compile(r"https?://\S+|www\.\S+|(?<![\w@#])[#@]\w+")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SCAN_PIECES), max_size=20).map("".join))
def test_patterns_written_to_start_with_a_class_find_what_they_did(text: str) -> None:
    """``NON_PROSE`` and the sentence openings, rewritten so the regex engine can skip to their first characters,
    find what the patterns as first written find."""
    assert NON_PROSE.sub(" ", text) == NON_PROSE_AS_WRITTEN.sub(" ", text)
    assert [m.span() for m in NON_PROSE.finditer(text)] == [m.span() for m in NON_PROSE_AS_WRITTEN.finditer(text)]
    assert sentence_openings(text) == [m.group(1) for m in SENTENCE_OPENING.finditer(text)]


def test_the_ascii_scan_is_used_only_where_every_word_and_mark_character_is_ascii() -> None:
    """``analyse`` scans with ASCII classes when the text's letters, digits, apostrophes and sentence marks are
    all ASCII: every non-ASCII character a word or a sentence end can hold must stop that."""
    for code in range(0x80, 0x30000):
        c = chr(code)
        if WORD.fullmatch(c) or SENTENCE_END.match(c + " ") or c == "\u2019":
            assert not _ascii_words(c), f"U+{code:04X}"
    assert _ascii_words("Great day 🌲🌲 on the ridge 👍🏽!")
