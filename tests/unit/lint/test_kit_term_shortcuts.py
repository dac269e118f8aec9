"""The second pass's kit-term shortcuts against the plain searches they stand for, by hypothesis on the kit's terms
in disguise (``test_term_index``'s texts):

- ``TermIndex.present`` by Aho-Corasick (an index of ``AUTOMATON_RUNS`` runs or more) is the set of runs ``in`` the
  text's ``case_key``, runs that overlap or hold one another included;
- a short reduced text is searched once for any banned key (``legal._any_key``): the banned terms found are those
  of the keys searched one by one, and those of every term's plain pattern."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashfusion.linting import legal
from flashfusion.linting.normalise import normalise
from flashfusion.linting.term_match import AUTOMATON_RUNS, TermIndex
from tests.unit.lint.test_term_index import BANNED_DISGUISED, DISGUISED, FILLERS, KIT_TERMS, legal_texts

OVERLAPPING = ["a", "aa", "aaa", "win", "window", "dow", "#1", "1", "x-ray", "ray", "straße", "go", "good", "ok"]
INDEXED = sorted({*KIT_TERMS, *OVERLAPPING})
BANNED = ["guaranteed", "miracle", "risk-free", "cheapest", "best in the world", "ok", "zz top"]
MANY_BANNED = [
    *BANNED,
    *(f"{word}{n}" for n in range(6) for word in ("lorem", "ipsum", "dolor")),
    "sale",
    "free",
    "win",
    "x",
]
"""Enough banned terms that a short text's one search of them all is cheaper than one search per key."""
short_texts = st.lists(st.sampled_from(BANNED_DISGUISED) | st.sampled_from(FILLERS), max_size=4).map("".join)


def test_the_index_of_the_kit_terms_uses_the_automaton() -> None:
    assert len(TermIndex(INDEXED).runs) >= AUTOMATON_RUNS
    assert len(TermIndex(INDEXED[:3]).runs) < AUTOMATON_RUNS  # (and a small one the substring tests)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(DISGUISED) | st.sampled_from(OVERLAPPING) | st.sampled_from(FILLERS)).map("".join))
@example("aaa window #1 x-ray")
@example("")
def test_the_automaton_finds_the_runs_the_substring_tests_find(text: str) -> None:
    norm = normalise(text)
    for terms in (INDEXED, OVERLAPPING, KIT_TERMS):
        index = TermIndex(terms)
        assert index.present(norm) == {run for run in index.runs if run in norm.case_key}


def _one_by_one(text: str, terms: list[str]) -> tuple[list[str], list[dict[str, object]]]:
    norm = normalise(text)
    keys = legal._banned_keys(tuple(terms))
    assert keys is not None
    reduced = legal._reduce(norm.text)
    hits = [term for term, key in keys if key.search(reduced) is not None]
    found = legal._find_banned(norm, terms, keys)
    return hits, [v.model_dump() for v in found]


def _at_once(text: str, terms: list[str]) -> tuple[bool, list[dict[str, object]]]:
    norm = normalise(text)
    keys = legal._banned_keys(tuple(terms))
    any_key = legal._any_key(keys)
    assert any_key is not None
    reduced = legal._reduce(norm.text)
    return any_key.search(reduced) is not None, [v.model_dump() for v in legal._find_banned(norm, terms, keys, any_key)]


def _plain(text: str, terms: list[str]) -> list[dict[str, object]]:
    return [v.model_dump() for v in legal._find_banned(normalise(text), terms, None)]


def test_each_disguise_alone_is_found_through_the_one_search() -> None:
    for terms in (BANNED, MANY_BANNED, MANY_BANNED[::-1]):
        for text in BANNED_DISGUISED:
            hits, expected = _one_by_one(text, terms)
            found_any, found = _at_once(text, terms)
            assert found_any == bool(hits), text
            assert found == expected == _plain(text, terms), text


@settings(max_examples=500, deadline=None)
@given(short_texts | legal_texts, st.sampled_from([BANNED, MANY_BANNED, MANY_BANNED[::-1]]))
@example("zz top", BANNED)
@example("Hi.", MANY_BANNED)
def test_the_one_search_finds_what_the_keys_find_one_by_one(text: str, terms: list[str]) -> None:
    hits, expected = _one_by_one(text, terms)
    found_any, found = _at_once(text, terms)
    assert found_any == bool(hits)
    assert found == expected == _plain(text, terms)
