"""Shortcuts taken for the compiled linter, against what they stand for (by hypothesis, on the characters each
depends on):

- the spaced-letter hints (``normalise.SPACED_HINTS``), rewritten to read forward first and look behind last, find
  something exactly where the hints as first written (``FIRST_HINTS``) do;
- the repeated-word pattern (``vale_rules.REPEATED_WORD``), rewritten to start with its letter class and to be
  possessive, makes the matches (spans and groups) the pattern as first written (``FIRST_REPEATED_WORD``) makes."""

# ruff: noqa: RUF001 - the alphabets hold look-alike and non-ASCII letters on purpose
from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashfusion.linting.normalise import SPACED_HINTS
from flashfusion.linting.voice.vale_rules import REPEATED_WORD

FIRST_HINTS = (
    re.compile(r" (?<=(?<![^\W_])[\w@$] )[\w@$] [\w@$](?![^\W_])"),
    re.compile(r"[.\-_*\u00b7\u2022](?:[^\W\d_](?![^\W_])|(?<=(?<![^\W_])[^\W\d_].)[\w@$](?![^\W_]))"),
)
"""``SPACED_HINTS`` as first written (what every joined run holds: see ``normalise.SPACED_HINTS``)."""

PIECES = [
    *["a", "I", "x", "1", "7", "²", "@", "$", "_", "é", "ß", "ж", "١", "ab", "12", "a1"],
    *[" ", "  ", ".", "-", "*", "·", "•", "\n", "\t", ",", "'", "#", "\u00a0", "\u200b", "!"],
]
spaced = st.lists(st.sampled_from(PIECES), max_size=16).map("".join)


@settings(max_examples=3000, deadline=None)
@given(spaced | st.text(alphabet=st.sampled_from("aI1_@$ .-*·•\nxé²"), max_size=12) | st.text(max_size=20))
@example("w i n")
@example("a b c")
@example("ab c d")
@example("a b cd")
@example("_ a b")
@example("m.i.r.a.c.l.e")
@example("e.g.")
@example("1-2.")
@example("x-1")
@example("1-x")
@example("ab.c")
@example("a.bc")
@example("² ² a")
def test_each_spaced_letter_hint_finds_something_where_it_did_as_first_written(text: str) -> None:
    for hint, first in zip(SPACED_HINTS, FIRST_HINTS, strict=True):
        assert (hint.search(text) is None) == (first.search(text) is None), (hint.pattern, text)


FIRST_REPEATED_WORD = re.compile(r"(?<![\w'\u2019])([^\W\d_]+)(?=(\s+)(\1)(?![\w'\u2019]))", re.IGNORECASE)
"""``REPEATED_WORD`` as first written."""

WORDS = [
    *["the", "The", "THE", "he", "a", "A", "I", "é", "É", "ß", "SS", "ǅ", "ǆ", "ſ", "s", "K", "K", "ab", "abc"],
    *["1", "x2", "_", "'", "’", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "-", ".", ",", "!", "#", "🌲"],
]
repeats = st.lists(st.sampled_from(WORDS), max_size=16).map("".join)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[object, ...]]:
    return [(m.span(), m.span(1), m.span(2), m.span(3), m.group(1), m.group(3)) for m in pattern.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(repeats | st.text(alphabet=st.sampled_from("aAbé '\u2019_1\n\t.ß"), max_size=14) | st.text(max_size=24))
@example("The the zip")
@example("the the the")
@example("the  \n THE.")
@example("the theme")
@example("a1 a1")
@example("_the the")
@example("don't t t")
@example("abc abc'")
@example("ß SS ß")
def test_the_repeated_word_pattern_matches_as_first_written(text: str) -> None:
    assert _matches(REPEATED_WORD, text) == _matches(FIRST_REPEATED_WORD, text)
