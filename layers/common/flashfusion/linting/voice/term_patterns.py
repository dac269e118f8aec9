"""Whole-word, any-case matching of a kit's terms: compiled once per kit and cached."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from flashfusion.linting.terms import term_pattern
from flashfusion.models import VoiceRules


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    return term_pattern(term)


COMBINABLE_TERM = re.compile(r"[A-Za-z0-9]+(?:[^\w\s]+[A-Za-z0-9]+)*")
"""One word of a term that may join an alternation: ASCII letters and digits, inner punctuation only."""
ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def _runs_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether matches of two terms (as their lowercase letter-digit runs) could share text: one's runs
    inside the other's, or a suffix of one equal to a prefix of the other."""
    if len(a) > len(b):
        a, b = b, a
    if any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1)):
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(1, len(a) + 1))


def _alternation(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern whose group i+1 matches ``terms[i]`` exactly where ``_pattern(terms[i])`` does, or None
    when that cannot be guaranteed.

    Every word of every term must be ASCII letters and digits (inner punctuation allowed, e.g. GORE-TEX).
    A match of such a term then consists of whole maximal runs of word characters, so two terms' matches
    can only overlap if their run sequences overlap; when no pair can, the alternation finds at each
    position the one term that matches there and skips no match of any term: the same spans as one
    ``finditer`` per term."""
    if len(terms) < 2:
        return None
    runs: list[tuple[str, ...]] = []
    for term in terms:
        words = term.split()
        if not words or not all(w.isascii() and COMBINABLE_TERM.fullmatch(w) for w in words):
            return None
        runs.append(tuple(ALNUM_RUN.findall(term.lower())))
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            if _runs_overlap(a, b):
                return None
    alternatives = "|".join("(" + r"\s+".join(re.escape(w) for w in term.split()) + ")" for term in terms)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)


class Terms:
    """Whole-word, any-case matches of a list of terms: one alternation when it is exact (see
    ``_alternation``), else one pattern per term."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self.combined = _alternation(self.terms)
        self.patterns = () if self.combined is not None else tuple(_pattern(t) for t in self.terms)
        self.first_runs: frozenset[str] | None = None
        if all(t.split() and all(w.isascii() and COMBINABLE_TERM.fullmatch(w) for w in t.split()) for t in terms):
            self.first_runs = frozenset(ALNUM_RUN.findall(t.lower())[0] for t in terms)

    def matches(self, text: str, runs: frozenset[str] | None = None) -> list[tuple[int, re.Match[str]]]:
        """(index of the term, match) for every match of every term; in text order when combined, else
        term by term (callers sort by position; the two orders agree after a stable sort, since no two
        terms then match at the same position).

        ``runs``: the lowercase letter-digit runs of an ASCII text (``text_runs``). A match of a term of
        ASCII words starts with a whole run equal to the term's first run, so when none of the terms'
        first runs is among them there is nothing to scan for."""
        if runs is not None and self.first_runs is not None and runs.isdisjoint(self.first_runs):
            return []
        if self.combined is not None:
            return [(m.lastindex - 1, m) for m in self.combined.finditer(text) if m.lastindex]
        return [(i, m) for i, pattern in enumerate(self.patterns) for m in pattern.finditer(text)]


TEXT_RUN = re.compile(r"[^\W_]+")


NON_ASCII_WORD_CHAR = re.compile(r"[^\W\x00-\x7f]")


def text_runs(text: str) -> frozenset[str] | None:
    """The lowercase letter-digit runs of ``text`` if all its word characters are ASCII (else None:
    regex case folding and ``str.lower`` agree only there), for ``Terms.matches`` to skip terms that
    cannot match. Non-ASCII non-word characters (emoji, symbols, spaces) match no term letter, and
    ``str.lower`` never turns one into a word character, so the runs stay exact next to them."""
    if text.isascii() or NON_ASCII_WORD_CHAR.search(text) is None:
        return frozenset(TEXT_RUN.findall(text.lower()))
    return None


class RulePatterns:
    def __init__(self, rule: Any) -> None:
        self.terms = Terms(())
        self.wanted: tuple[str, ...] = ()
        self.groups: tuple[Terms, ...] = ()
        if rule.type == "existence":
            self.terms = Terms(rule.tokens)
        elif rule.type == "substitution":
            self.terms = Terms(list(rule.swap))
            self.wanted = tuple(rule.swap.values())
        elif rule.type == "capitalization":
            self.terms = Terms(rule.terms)
            self.wanted = tuple(rule.terms)
        elif rule.type == "consistency":
            self.groups = tuple(Terms(group) for group in rule.either)
        elif rule.type == "occurrence":
            self.terms = Terms([rule.token])


class KitPatterns:
    """Every pattern derived from a kit's voice rules, compiled once per kit."""

    def __init__(self, voice: VoiceRules) -> None:
        self.preferred = Terms(list(voice.preferred_terms))
        self.preferred_wanted = tuple(voice.preferred_terms.values())
        self.rules = tuple(RulePatterns(rule) for rule in voice.rules)


@lru_cache(maxsize=64)
def _kit_patterns_for(voice_json: str) -> KitPatterns:
    return KitPatterns(VoiceRules.model_validate_json(voice_json))


KIT_CACHE_LIMIT = 64
_kit_cache: dict[int, tuple[VoiceRules, KitPatterns]] = {}


def kit_patterns(voice: VoiceRules) -> KitPatterns:
    """The compiled patterns of ``voice``: looked up by identity (the cache holds the object, so its id
    is not reused while cached), compiled once per distinct kit content (keyed by its JSON). A kit's voice
    rules are not expected to change in place once it has been linted."""
    cached = _kit_cache.get(id(voice))
    if cached is not None and cached[0] is voice:
        return cached[1]
    if len(_kit_cache) >= KIT_CACHE_LIMIT:
        _kit_cache.clear()
    patterns = _kit_patterns_for(voice.model_dump_json(by_alias=True))
    _kit_cache[id(voice)] = (voice, patterns)
    return patterns
