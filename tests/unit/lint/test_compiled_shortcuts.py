"""Shortcuts taken for the compiled linter, against what they stand for (by hypothesis, on the characters each
depends on):

- the spaced-letter hints (``normalise.SPACED_HINTS``), rewritten to read forward first and look behind last, find
  something exactly where the hints as first written (``FIRST_HINTS``) do."""

# ruff: noqa: RUF001 - the alphabets hold look-alike and non-ASCII letters on purpose
from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashfusion.linting.normalise import SPACED_HINTS

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
