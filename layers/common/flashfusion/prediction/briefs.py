"""Briefs as the cache and the forecast compare them.

``normalise_brief`` (the exact cache's text): Unicode NFKC (full-width and compatibility forms fold to
their plain letters), ``str.casefold`` (ß -> ss, not only lower case), every run of whitespace collapsed to
one space, leading and trailing whitespace removed. Punctuation is kept: "#ad", "50%" and "?" change what
a brief asks for, so two briefs that differ in them are different requests.

``similarity`` (a pre-generated candidate's "close enough"): the briefs' word sets after the same
normalisation. Words are runs of letters and digits (with a leading ``#``/``@`` and a trailing ``%`` kept
on them). Two briefs are close enough when

* their *marked* words agree exactly: every word with a digit, a ``#`` or an ``@`` (prices, dates,
  discounts, hashtags, handles: what a near-miss would get wrong), and
* the Jaccard index of the other words (shared / in either) is at least ``CLOSE_ENOUGH`` (0.75):
  word order, case, spacing and punctuation do not matter; one changed word in eight does not sink it,
  one in four does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

CLOSE_ENOUGH = 0.75
"""Jaccard index of the unmarked words at or above which a candidate may serve a brief."""

_WORD = re.compile(r"[#@]?\w+%?")
_DIGIT = re.compile(r"\d")


def normalise_brief(brief: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", brief).casefold().split())


def words(brief: str) -> frozenset[str]:
    """The brief's word set (the underscore counts as a separator, not a letter)."""
    return frozenset(w for w in _WORD.findall(normalise_brief(brief).replace("_", " ")))


def _marked(word: str) -> bool:
    return word[0] in "#@" or _DIGIT.search(word) is not None


@lru_cache(maxsize=8192)  # the forecast compares each brief with many others
def split_words(brief: str) -> tuple[frozenset[str], frozenset[str]]:
    """(marked words, other words)."""
    every = words(brief)
    marked = frozenset(w for w in every if _marked(w))
    return marked, every - marked


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    first, second = set(a), set(b)
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def similarity(a: str, b: str) -> float:
    """0 when the marked words differ; else the Jaccard index of the other words."""
    marked_a, plain_a = split_words(a)
    marked_b, plain_b = split_words(b)
    if marked_a != marked_b:
        return 0.0
    return jaccard(plain_a, plain_b)


def close_enough(a: str, b: str, threshold: float = CLOSE_ENOUGH) -> bool:
    return similarity(a, b) >= threshold
