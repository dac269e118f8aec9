"""Where a kit's term appears in a text, for every matcher (banned, required, preferred terms, claims,
trademarks, the Vale-style rules): in the normalised text (``linting.normalise``), reported in the
original's offsets.

- Any case. The words of a term (split at spaces and hyphens) match across spaces, hyphens, underscores
  or nothing: "double your money" is found in "double-your-money", "doubleyourmoney" and
  "#DoubleYourMoney" — never across sentence punctuation ("double. Your money") or a blank line.
- Whole words only: "win" is not in "window", "Darwin" or "twin". Two exceptions, both checked after the
  match (``boundaries_hold``): inside a hashtag a lower-to-upper change is a word boundary
  ("#BigWinToday"), and inside a joined spaced-letter run a term may stop before a last single "a"/"I"
  or start after a first one ("w i n a car", "a m i r a c l e").

The patterns stay linear: literal words, a separator class disjoint from letters, fixed-width look-arounds.

Every match starts with its term's first word, literally in any case (``first_run``), so a term is looked for only
in a text whose ``case_key`` holds that run: a kit's terms share one ``TermIndex``, which finds the runs a text holds
once, and each term's matches in the text being linted are kept (``matches_in``) for every matcher that asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

import ahocorasick

from flashfusion.linting.normalise import Normalised, normalise, normalise_term

SEP = r"(?:[^\S\n]|[-_]|\n(?![^\S\n]*\n))*"
"""Between the words of a term: blanks, hyphens, underscores, one line break, or nothing."""
BEFORE = r"(?:(?<!\w)|(?<=(?<!\w)[ai])|(?-i:(?<=[a-z])(?=[A-Z])))"
AFTER = r"(?:(?!\w)|(?=[ai](?!\w))|(?-i:(?<=[a-z])(?=[A-Z])))"
WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")


class Found(NamedTuple):
    """A match, in the original text: ``text == original[start:end]``."""

    start: int
    end: int
    text: str


def term_words(term: str) -> list[str]:
    return list(_term_words(term))


@lru_cache(maxsize=4096)  # a kit's terms are few and asked for on every post, by every matcher
def _term_words(term: str) -> tuple[str, ...]:
    return tuple(w for w in WORD_SPLIT.split(normalise_term(term)) if w)


def words_pattern(words: list[str]) -> str:
    return SEP.join(re.escape(w) for w in words)


def leading(first: str) -> str:
    """A look-ahead for a pattern's first character: positions that cannot start a match are left at
    once, before the boundary look-behinds are tried (the regex engine has no literal prefix to skip to)."""
    return f"(?={first})"


@lru_cache(maxsize=4096)  # a kit's terms are few and reused on every post
def term_regex(term: str) -> re.Pattern[str]:
    words = term_words(term)
    first = leading(re.escape(words[0][0])) if words else ""
    return re.compile(first + BEFORE + "(?:" + words_pattern(words) + ")" + AFTER, re.IGNORECASE)


@lru_cache(maxsize=4096)
def first_run(term: str) -> str | None:
    """The lowercase first word of an ASCII term (the pattern matches it literally, in any case, at the start of
    every match: "#1" for "#1", "double" for "double your money"), else None."""
    words = term_words(term)
    if not words or not words[0].isascii():
        return None
    return words[0].lower()


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _in_hashtag(text: str, position: int) -> bool:
    k = position
    while k > 0 and _word(text[k - 1]):
        k -= 1
    return k > 0 and text[k - 1] == "#"


def _camel(text: str, position: int) -> bool:
    return text[position - 1].islower() and text[position].isupper() and _in_hashtag(text, position)


def boundaries_hold(norm: Normalised, start: int, end: int) -> bool:
    """Whether a match of ``norm.text[start:end]`` that the patterns let in through an exception (see the
    module doc) is really at a word boundary."""
    text = norm.text
    # most matches stand between non-word characters: settled on the two neighbours alone
    if (start == 0 or not _word(text[start - 1])) and (end == len(text) or not _word(text[end])):
        return True
    if start > 0 and _word(text[start - 1]) and _word(text[start]):
        single_first = start == 1 or not _word(text[start - 2])
        if not (_camel(text, start) or (single_first and norm.joined_run_at(start - 1, start + 1))):
            return False
    if end < len(text) and _word(text[end]) and _word(text[end - 1]):
        single_last = end + 1 == len(text) or not _word(text[end + 1])
        if not (_camel(text, end) or (single_last and norm.joined_run_at(end - 1, end + 1))):
            return False
    return True


def found_in(norm: Normalised, start: int, end: int) -> Found:
    s, e = norm.span(start, end)
    return Found(s, e, norm.original[s:e])


@lru_cache(maxsize=4096)  # a kit's terms, on every post
def term_plan(term: str) -> tuple[str | None, re.Pattern[str]] | None:
    """``(first_run(term), term_regex(term))``, or None for a term without words (it matches nothing)."""
    if not _term_words(term):
        return None
    return first_run(term), term_regex(term)


def surely_absent(norm: Normalised, term: str) -> bool:
    """True when ``find_term(norm, term)`` is surely empty: the term has no words, or its first run is not in
    the text (one substring test, for the many terms a post does not mention)."""
    plan = term_plan(term)
    return plan is None or (plan[0] is not None and plan[0] not in norm.case_key)


def find_term(text: str | Normalised, term: str) -> list[Found]:
    """Every match of ``term`` in ``text`` (see the module doc)."""
    norm = text if isinstance(text, Normalised) else normalise(text)
    return list(matches_in(norm, term))


def has_term(text: str | Normalised, term: str) -> bool:
    """``bool(find_term(text, term))``."""
    norm = text if isinstance(text, Normalised) else normalise(text)
    plan = term_plan(term)
    if plan is None or (plan[0] is not None and plan[0] not in norm.case_key):
        return False  # (``surely_absent``: most texts do not name a given term, and nothing is kept for them)
    return bool(matches_in(norm, term))


_last_text: tuple[Normalised | None, dict[str, tuple[Found, ...]]] = (None, {})
"""The text looked at last and the matches found in it, by term."""


def matches_in(norm: Normalised, term: str) -> tuple[Found, ...]:
    """``find_term(norm, term)``, kept for the text being linted: its checks (required terms, the voice rules,
    trademarks, claims) read the same ``Normalised`` (``normalise`` caches it per text) and a kit often names one
    term in several lists ("Aurora Outdoor" required and capitalized, "GORE-TEX" capitalized and trademarked).
    The memo is replaced, never changed in place for another text, so a thread holding it sees its own text's."""
    global _last_text
    last = _last_text
    if last[0] is not norm:
        last = (norm, {})
        _last_text = last
    found = last[1].get(term)
    if found is None:
        found = last[1][term] = _find(norm, term)
    return found


_new_found = tuple.__new__  # ``Found(...)`` without namedtuple's Python-level ``__new__``


def _find(norm: Normalised, term: str) -> tuple[Found, ...]:
    """Every match of ``term``: ``finditer`` of its pattern, tried only where its first run occurs in ``case_key``
    (which has the text's offsets: its one length-changing lowercase, dotted capital I, is mapped first; and
    ``match`` at a position sees the text before it, for the boundary look-behinds), resuming after each match as
    ``finditer`` does. A match standing between non-word characters is kept without ``boundaries_hold`` (its first
    test, inlined), and the spans of a text that is its own normalisation are not mapped (``found_in``)."""
    plan = term_plan(term)
    if plan is None:
        return ()
    run, regex = plan
    text = norm.text
    spans: list[tuple[int, int]]
    if run is None:
        spans = [m.span() for m in regex.finditer(text)]
    else:
        key = norm.case_key
        at = key.find(run)
        if at < 0:
            return ()
        spans = []
        match_at = regex.match
        while at >= 0:
            match = match_at(text, at)
            if match is None:
                at = key.find(run, at + 1)
            else:
                span = match.span()
                spans.append(span)
                # the next match starts after this one (finditer's matches do not overlap)
                at = key.find(run, span[1] if span[1] > at else at + 1)
    if not spans:
        return ()
    found = []
    size = len(text)
    original = norm.original
    starts, ends = norm.starts, norm.ends
    for start, end in spans:
        if end <= start:
            continue
        before = text[start - 1] if start else " "
        after = text[end] if end < size else " "
        if (before.isalnum() or before == "_" or after.isalnum() or after == "_") and not boundaries_hold(
            norm, start, end
        ):
            continue
        if starts is not None and ends is not None:  # ``found_in``, inlined
            start, end = starts[start], ends[end - 1]
        found.append(_new_found(Found, (start, end, original[start:end])))
    return tuple(found)


class TermIndex:
    """A kit's terms, looked for together: which of their first runs (``first_run``) a text holds is found once
    per text (``present``), so each matcher visits only the terms that may match and a text that holds none costs
    one substring test per distinct run, or one Aho-Corasick pass for an index of ``AUTOMATON_RUNS`` runs or more.
    Matches are ``matches_in``'s, exactly: a term whose run is not in ``case_key`` has none (see ``surely_absent``)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(dict.fromkeys(terms))
        terms_of: dict[str, list[str]] = {}
        unanchored: list[str] = []
        for term in self.terms:
            plan = term_plan(term)
            if plan is None:
                continue  # no words: it matches nothing
            if plan[0] is None:
                unanchored.append(term)
            else:
                terms_of.setdefault(plan[0], []).append(term)
        self.runs = tuple(terms_of)
        """The distinct first runs of the terms."""
        self._automaton = _automaton(self.runs) if len(self.runs) >= AUTOMATON_RUNS else None
        self.terms_of = {run: tuple(terms) for run, terms in terms_of.items()}
        self.unanchored = tuple(unanchored)
        """The terms without a first run (a non-ASCII first word): looked for in every text."""
        self._last: tuple[Normalised | None, frozenset[str]] = (None, frozenset())

    def present(self, norm: Normalised) -> frozenset[str]:
        """Which of ``runs`` occur in the text's ``case_key`` (kept for the last text: several matchers ask)."""
        last = self._last
        if last[0] is norm:
            return last[1]
        automaton = self._automaton
        key = norm.case_key
        if automaton is None:
            found = frozenset([run for run in self.runs if run in key])  # compiled: a C loop of substring tests
        else:
            found = frozenset(map(_value, automaton.iter(key)))
        self._last = (norm, found)
        return found


AUTOMATON_RUNS = 10
"""An index of at least this many first runs finds them with one Aho-Corasick pass over ``case_key`` (pyahocorasick,
in C: its cost grows with the text, not with the kit) instead of one substring test per run (each a pass over the
text). On the bench's posts: 3 runs ~0.7 us against ~1.1 for the automaton, 10 runs ~1.7 against ~1.7, 12 runs ~2.0
against ~1.7, 200 runs ~33 against ~2.1."""
_value = itemgetter(1)


def _automaton(runs: tuple[str, ...]) -> Any:
    """An automaton that reports every occurrence of each of ``runs`` in a string, as (end, run): exact substring
    search, so ``{run for _, run in automaton.iter(key)}`` is ``{run for run in runs if run in key}``."""
    automaton = ahocorasick.Automaton()
    for run in runs:
        automaton.add_word(run, run)
    automaton.make_automaton()
    return automaton
