"""The URLs X counts as 23 each, against X's conformance suite (extract.yml, tlds.yml)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting.counting import x_urls
from flashfusion.linting.counting.x_urls import extract_urls, extract_urls_with_indices
from tests.unit.lint.twitter_text_fixture import cases, suite

URL_SECTIONS = ("urls", "urls_with_indices", "urls_with_directional_markers", "tco_urls_with_params")
# extract.yml's other sections extract entities that weigh what their characters weigh on X.
NOT_URL_SECTIONS = {
    "mentions": "@mentions count character by character",
    "mentions_with_indices": "as above",
    "mentions_or_lists_with_indices": "as above",
    "replies": "a reply's leading @mention counts like any text",
    "hashtags": "#hashtags count character by character",
    "hashtags_from_astral": "as above",
    "hashtags_with_indices": "as above",
    "cashtags": "$cashtags count character by character",
    "cashtags_with_indices": "as above",
}


def test_every_section_is_run_or_listed_with_a_reason() -> None:
    assert set(suite("extract")) == set(URL_SECTIONS) | set(NOT_URL_SECTIONS)


@pytest.mark.parametrize(("section", "case"), cases("extract", *URL_SECTIONS))
def test_extraction_conformance(section: str, case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected and isinstance(expected[0], dict):  # with indices (code points)
        got: list[Any] = [{"url": u.url, "indices": [u.start, u.end]} for u in extract_urls_with_indices(case["text"])]
    else:
        got = extract_urls(case["text"])
    assert got == expected


@pytest.mark.parametrize(("section", "case"), cases("tlds", "generic", "country"))
def test_every_tld(section: str, case: dict[str, Any]) -> None:
    assert extract_urls(case["text"]) == case["expected"]


# The extraction attempts a match only where one can succeed (a speed-up: the plain scan is quadratic
# in CJK text). It must find exactly what the plain scan of the same expression finds.
PIECES = [
    "a",
    "b",
    "\u6545",
    "\u3042",
    ".",
    "com",
    "co",
    "jp",
    "xn--p1ai",
    "-",
    "_",
    "/",
    ":",
    "@",
    "#",
    " ",
    "http://",
    "https://",
    "HTTP://",
    "t.co/",
    "?",
    "=",
    "(",
    ")",
    "\u202a",
    "\u00e9",
    "\U0001f600",
    "1",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_pruned_scan_finds_what_the_plain_scan_finds(text: str) -> None:
    plain = [m.span() for m in x_urls._extract().finditer(text)]
    assert [m.span() for m in x_urls._url_matches(text)] == plain


def _run_start_walked(text: str, end: int) -> int:
    """The run of host characters and dots ending at ``end``, walked back one character at a time."""
    start = end
    while start > 0 and x_urls._HOST_OR_DOT.match(text, start - 1):
        start -= 1
    return start


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES, "a" * 100, "b-" * 90, "\u3042" * 130]), max_size=12).map("".join),
    st.integers(0, 2000),
)
def test_a_host_run_starts_where_walking_back_finds_it(text: str, end: int) -> None:
    """``_run_start`` matches the run in the reversed text before ``end``, within a window: it starts where the
    character-by-character walk back ends, for runs shorter and longer than the window."""
    end = min(end, len(text))
    assert x_urls._run_start(text, end) == _run_start_walked(text, end)


@pytest.mark.parametrize("length", [0, 1, 255, 256, 257, 600])
def test_a_host_run_longer_than_the_window_is_walked_to_its_start(length: int) -> None:
    text = "go to " + "a" * length + ".com"
    assert x_urls._run_start(text, len(text) - 4) == 6 == _run_start_walked(text, len(text) - 4)
