"""Shortcuts taken for the compiled linter, against what they stand for (by hypothesis, on the characters each
depends on):

- the spaced-letter hints (``normalise.SPACED_HINTS``), rewritten to read forward first and look behind last, find
  something exactly where the hints as first written (``FIRST_HINTS``) do;
- a banned term's key (``legal._term_key``) finds something only in a reduced text holding each of its pairs
  (``legal._key_pairs``), so the banned terms found with the pairs' pre-check are those found without it (on the
  kit's banned terms in disguise, ``test_term_index``'s texts)."""

# ruff: noqa: RUF001 - the alphabets hold look-alike and non-ASCII letters on purpose
from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashfusion.linting import legal
from flashfusion.linting.normalise import SPACED_HINTS, normalise
from tests.unit.lint.test_kit_term_shortcuts import BANNED, MANY_BANNED, short_texts
from tests.unit.lint.test_term_index import BANNED_DISGUISED, legal_texts

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


PAIRED = [*MANY_BANNED, "aab", "baa", "x-ray", "a", "zz", "##1", "ok!", "café", "c a f e"]
"""Banned lists and terms: repeated letters at either end, one letter, a symbol, a non-ASCII term (no key)."""


@settings(max_examples=1500, deadline=None)
@given(short_texts | legal_texts | st.text(alphabet=st.sampled_from("aabzoOk0!#1 -.ryx€"), max_size=12))
@example("guarantee")
@example("GUUUUARANTEEED")
@example("m1r4cl3")
@example("b.e.s.t in the w0rld")
def test_a_key_finds_something_only_where_its_pairs_all_are(text: str) -> None:
    reduced = legal._reduce(normalise(text).text)
    for term in PAIRED:
        key = legal._term_key(term)
        if key is not None and key.search(reduced) is not None:
            assert legal._holds_all(reduced, legal._key_pairs(term)), (term, reduced)


@settings(max_examples=800, deadline=None)
@given(short_texts | legal_texts, st.sampled_from([BANNED, MANY_BANNED, MANY_BANNED[::-1], PAIRED]))
@example("GUUUARANTEED!", BANNED)
@example(" ".join(BANNED_DISGUISED), MANY_BANNED)
def test_the_banned_terms_found_with_the_pairs_are_those_found_without(text: str, terms: list[str]) -> None:
    norm = normalise(text)
    plan = legal._plan_for(tuple(terms), ())
    assert plan.banned_keys is None or plan.banned_pairs is not None
    with_pairs = legal._find_banned(norm, terms, plan.banned_keys, plan.any_banned_key, plan.banned_pairs)
    without = legal._find_banned(norm, terms, plan.banned_keys, plan.any_banned_key)
    plain = legal._find_banned(norm, terms, None)
    assert [v.model_dump() for v in with_pairs] == [v.model_dump() for v in without] == [v.model_dump() for v in plain]
