"""Trimming a post over X's limit weighs its prefixes from one reading of it (``counting/x_prefix.py``): exact.

Each fact the shortcut rests on is held here on awkward Unicode (URLs whole and cut, bare domains, t.co links,
emoji sequences whole and cut, keycaps, flags, tags, every twitter-text space, combining marks, CJK, "…"), and
the results are held to the plain computations: every prefix's weight to ``weighted_length``'s, where the limit is
crossed to ``x_weighted.crossed_at``, and the trim point to the search that weighs each prefix whole (the code
before the shortcut, kept below as the reference).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting import platforms as pf
from flashfusion.linting.counting.x_prefix import PrefixWeights
from flashfusion.linting.counting.x_urls import SPACES
from flashfusion.linting.counting.x_weighted import (
    WeightingConfig,
    crossed_at,
    default_config,
    scaled_weight,
    weighted_length,
)

V3 = default_config()
V2 = dataclasses.replace(V3, version=2, emoji_parsing=False)
SPACE_CHARS = [
    "\t",
    "\n",
    "\x0b",
    "\x0c",
    "\r",
    " ",
    "\x85",
    "\xa0",
    "\u1680",
    "\u180e",
    "\u2000",
    "\u2001",
    "\u2007",
    "\u200a",
    "\u2028",
    "\u2029",
    "\u202f",
    "\u205f",
    "\u3000",
]
PIECES = [
    "word",
    "x",
    "Post 7-0.",
    "e.g.",
    "foo.items",
    "foo.it",
    "a.co",
    "example.com",
    "example.com/shop",
    "https://example.com/a_(b)",
    "http://t.co/abcdef?x=1",
    "t.co/",
    "https://",
    "xn--80ak6aa92e.com",
    "例子.com",
    "www.例え.jp",
    "@user",
    "#tag",
    "café",
    "e\u0301",
    "\u0301",
    "日本",
    "€",
    "\u2019",
    "\u2014",
    "\u200d",
    "\u200f",
    "\ufe0f",
    "\u20e3",
    "1\ufe0f\u20e3",
    "#\u20e3",
    "🌲",
    "👍🏽",
    "\U0001f3fd",
    "⛰\ufe0f",
    "❄️☀️",
    "👨\u200d👩\u200d👧",
    "👨\u200d👩\u200d",
    "🇫🇷",
    "🇫",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "…",
    ".",
    "-",
    "/",
    "(",
    ")",
    "!",
    *SPACE_CHARS,
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=3)), min_size=0, max_size=40).map(
    "".join
)
long_texts = st.tuples(texts, st.integers(0, 300), st.sampled_from(["a", "word ", "日", "🌲 ", "é"])).map(
    lambda t: t[1] // len(t[2]) * t[2] + t[0] * 3
)


def reference_trim_point(text: str, limit: int, counter: pf.Counter) -> int:
    """``trim_point`` as it was: every cut the search tries weighed whole."""
    count = pf.COUNTERS[counter]

    def fits(cut: int) -> bool:
        return count(text[:cut].rstrip() + pf.ELLIPSIS) <= limit

    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    hard = lo
    if hard < len(text) and not text[hard].isspace():
        for boundary in (i for i in range(hard - 1, 0, -1) if text[i].isspace()):
            if text[:boundary].strip() and fits(len(text[:boundary].rstrip())):
                return len(text[:boundary].rstrip())
    while hard > 0 and not fits(len(text[:hard].rstrip())):
        hard -= 1
    return len(text[:hard].rstrip())


def nfc_texts() -> st.SearchStrategy[str]:
    return texts.map(lambda t: unicodedata.normalize("NFC", t))


def test_no_emoji_sequence_holds_a_space_or_the_ellipsis() -> None:
    import emoji

    spaces = [chr(c) for c in range(0x3001) if re.fullmatch(f"[{SPACES}]", chr(c))]
    assert set(SPACE_CHARS) <= set(spaces)
    sequences = [e for e in emoji.EMOJI_DATA if len(e) > 1]
    assert sequences
    assert not any(c in sequence for sequence in sequences for c in [*spaces, pf.ELLIPSIS])


@settings(max_examples=600, deadline=None)
@given(texts, st.sampled_from(SPACE_CHARS), texts)
def test_weights_add_up_across_a_space(before: str, space: str, after: str) -> None:
    """Fact 1: ``W(a + s + b) == W(a) + W(s + b)`` for a twitter-text space ``s``."""
    for config in (V3, V2):
        assert scaled_weight(before + space + after, config) == scaled_weight(before, config) + scaled_weight(
            space + after, config
        )


@settings(max_examples=600, deadline=None)
@given(texts)
def test_the_ellipsis_adds_its_own_weight(text: str) -> None:
    """Fact 3: ``W(p + "…") == W(p) + W("…")``."""
    for config in (V3, V2):
        assert scaled_weight(text + pf.ELLIPSIS, config) == scaled_weight(text, config) + scaled_weight(
            pf.ELLIPSIS, config
        )


@settings(max_examples=400, deadline=None)
@given(nfc_texts())
def test_a_prefix_of_an_nfc_text_is_nfc(text: str) -> None:
    """Fact 2."""
    assert all(unicodedata.is_normalized("NFC", text[:end]) for end in range(len(text) + 1))


def weights_of(text: str, config: WeightingConfig) -> PrefixWeights:
    weights = PrefixWeights.of(text, config)
    assert weights is not None
    return weights


@settings(max_examples=500, deadline=None)
@given(nfc_texts())
def test_every_prefix_weighs_what_the_reference_weighs(text: str) -> None:
    for config in (V3, V2):
        weights = weights_of(text, config)
        for end in range(len(text) + 1):
            weight = scaled_weight(text[:end], config)
            assert weights.prefix(end) == weight, (text[:end], config.version)
            for budget in (weight - 1, weight, weight + 50, weight + 2300):
                assert weights.within(end, budget) == (weight <= budget), (text[:end], budget, config.version)


@settings(max_examples=300, deadline=None)
@given(nfc_texts())
def test_a_plain_texts_weight_grows_with_its_prefix(text: str) -> None:
    for config in (V3, V2):
        weights = weights_of(text, config)
        if weights.plain:
            prefix_weights = [scaled_weight(text[:end], config) for end in range(len(text) + 1)]
            assert prefix_weights == sorted(prefix_weights)
            for budget in (0, 150, 1000, 28_000):
                longest = weights.longest_within(budget)
                assert prefix_weights[longest] <= budget
                assert longest == len(text) or prefix_weights[longest + 1] > budget


@settings(max_examples=500, deadline=None)
@given(long_texts)
def test_where_the_limit_is_crossed_is_where_the_reference_finds_it(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    for config in (V3, V2):
        assert weights_of(text, config).crossed_at() == crossed_at(text, config)


@settings(max_examples=500, deadline=None)
@given(long_texts, st.sampled_from([280, 279, 30, 1, 0]))
def test_the_trim_point_is_the_one_the_whole_prefix_search_finds(text: str, limit: int) -> None:
    for candidate in (text, unicodedata.normalize("NFC", text)):  # the first may not be NFC: the plain search
        assert pf.trim_point(candidate, limit, "x-weighted") == reference_trim_point(candidate, limit, "x-weighted")
        if weighted_length(candidate) > 280:
            crossed = crossed_at(candidate)
            assert pf.limit_crossed_at(candidate, limit, "x-weighted") == crossed


def test_a_text_that_is_not_nfc_is_weighed_the_plain_way() -> None:
    assert PrefixWeights.of("Cafe\u0301 " * 80, V3) is None
    text = "Cafe\u0301 " * 80
    assert pf.trim_point(text, 280, "x-weighted") == reference_trim_point(text, 280, "x-weighted")


def test_re_whitespace_is_str_isspace() -> None:
    """The plain trim point finds the last space with ``re``'s ``\\s``, which must be ``str.isspace``."""
    space = re.compile(r"\s")
    assert all((space.match(chr(c)) is not None) == chr(c).isspace() for c in range(0x110000))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["word", "a", "日本", "é", "🌲", "x" * 30, *SPACE_CHARS, "\x1c", "\x1f"]), max_size=120)
)
def test_the_plain_trim_point_is_the_searchs(pieces: list[str]) -> None:
    """Plain texts (no URL, no emoji sequence) with every kind of blank, long words and spaces in a row."""
    text = "".join(pieces)
    for limit in (280, 100, 1, 0):
        assert pf.trim_point(text, limit, "x-weighted") == reference_trim_point(text, limit, "x-weighted")


@settings(max_examples=200, deadline=None)
@given(long_texts, st.sampled_from([0, 150, 2_000, 5_000, 27_900]))
def test_a_text_grows_past_a_budget_where_it_says(text: str, budget: int) -> None:
    """``grows_past``: every prefix up to ``longest_within`` weighs at most the budget, every longer one more (a
    URL or emoji sequence after the crossing does not make the search's answer any other)."""
    text = unicodedata.normalize("NFC", text)
    for config in (V3, V2):
        weights = weights_of(text, config)
        if weights.grows_past(budget):
            prefix_weights = [scaled_weight(text[:end], config) for end in range(len(text) + 1)]
            longest = weights.longest_within(budget)
            assert all(weight <= budget for weight in prefix_weights[: longest + 1])
            assert all(weight > budget for weight in prefix_weights[longest + 1 :])


FAMILY = "👨\u200d👩\u200d👧"


@pytest.mark.parametrize("budget", range(27_000, 27_800, 50))
def test_a_sequence_before_the_budget_is_no_plain_stretch(budget: int) -> None:
    """A family emoji's first code points weigh more than the whole (2+1+2+1 before it weighs 2): where the budget
    falls among them, the prefixes' weights do not grow past it, and ``grows_past`` must not say they do."""
    text = "x" * 270 + " " + FAMILY + " " + "y" * 20
    weights = weights_of(text, V3)
    prefix_weights = [scaled_weight(text[:end], V3) for end in range(len(text) + 1)]
    within = [weight <= budget for weight in prefix_weights]
    grows = within == sorted(within, reverse=True)
    if weights.grows_past(budget):  # it may say no where they do grow (the sequence's word is not weighed)
        assert grows
        assert within.count(True) == weights.longest_within(budget) + 1
    assert weights.grows_past(27_000)  # the budget falls in the x's: the family comes after
    for limit in range(272, 282):
        assert pf.trim_point(text, limit, "x-weighted") == reference_trim_point(text, limit, "x-weighted")
