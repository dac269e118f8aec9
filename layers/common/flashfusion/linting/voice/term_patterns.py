"""A kit's terms (preferred terms, Vale-style rules) matched as ``linting.term_match`` matches every term
(normalised text, whole words, phrase words across spaces, hyphens or nothing): compiled once per kit
and cached."""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any

from flashfusion.linting.normalise import Normalised, normalise
from flashfusion.linting.term_match import (
    AFTER,
    BEFORE,
    Found,
    boundaries_hold,
    finditer_at_runs,
    found_in,
    leading,
    term_regex,
    term_words,
    words_pattern,
)
from flashfusion.models import VoiceRules

ALNUM_RUN = re.compile(r"[^\W_]+")


def _letters(term: str) -> str | None:
    """The term's letters and digits, lowercase, when every word is ASCII letters, digits and inner
    punctuation; else None."""
    words = term_words(term)
    if not words or not all(w.isascii() and ALNUM_RUN.match(w) and ALNUM_RUN.search(w[-1]) for w in words):
        return None
    return "".join(ALNUM_RUN.findall(" ".join(words).lower()))


def _could_share_text(a: str, b: str) -> bool:
    """Whether matches of two terms (as their letters) could share text: one inside the other, or a
    suffix of one equal to a prefix of the other (words may join with nothing between them)."""
    if a in b or b in a:
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(1, min(len(a), len(b))))


def _alternation(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern whose group i+1 matches ``terms[i]`` where ``term_regex(terms[i])`` does, or None when
    that cannot be guaranteed: every term must be ASCII letters and digits (inner punctuation allowed, e.g.
    GORE-TEX), and no two terms may be able to match overlapping text; then at each position at most one
    term matches, and one scan finds what one scan per term would."""
    if len(terms) < 2:
        return None
    letters = [_letters(t) for t in terms]
    if any(x is None for x in letters):
        return None
    known = [x for x in letters if x is not None]
    for i, a in enumerate(known):
        for b in known[i + 1 :]:
            if _could_share_text(a, b):
                return None
    alternatives = "|".join("(" + words_pattern(term_words(t)) + ")" for t in terms)
    firsts = "".join(sorted({re.escape(term_words(t)[0][0].lower()) for t in terms}))
    return re.compile(leading(f"[{firsts}]") + BEFORE + "(?:" + alternatives + ")" + AFTER, re.IGNORECASE)


class Terms:
    """Matches of a list of terms: one alternation when it is exact (see ``_alternation``), else one
    pattern per term."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self.combined = _alternation(self.terms)
        self.patterns = () if self.combined is not None else tuple(term_regex(t) for t in self.terms)
        firsts = [_letters(t) and ALNUM_RUN.findall(" ".join(term_words(t)).lower())[0] for t in self.terms]
        self.first_runs: tuple[str, ...] | None = tuple(f for f in firsts if f) if all(firsts) else None
        self.distinct_runs = tuple(dict.fromkeys(self.first_runs or ()))
        self.any_first_run = (
            None if self.first_runs is None else re.compile("|".join(map(re.escape, sorted(set(self.first_runs)))))
        )
        """Finds any of ``first_runs`` (one search, not one per run)."""

    def at_most_one_match(self, norm: Normalised, present: AbstractSet[str]) -> bool:
        """Whether the terms can match the text once at most (False: unknown), counting their first runs in
        ``case_key``: every match starts with one of them, and two matches starting with the same run cover
        two occurrences of it that do not overlap (a match holds its whole first run, and matches do not
        overlap), which ``str.count`` (the most such occurrences) counts."""
        if self.first_runs is None:
            return False
        key = norm.case_key
        occurrences = 0
        for run in self.distinct_runs:
            if run in present:
                occurrences += key.count(run)
                if occurrences > 1:
                    return False
        return True

    def matches(self, text: str | Normalised, present: AbstractSet[str] | None = None) -> list[tuple[int, Found]]:
        """(index of the term, match in the original text) for every match of every term; in text order
        when combined, else term by term (callers sort by position).

        A match of a term of ASCII words holds its first letter-digit run, so in a text where none of the
        terms' first runs appears (``Normalised.case_key``) there is nothing to scan for. ``present``: the runs
        of ``KitPatterns.runs`` that appear in the text's ``case_key``, when known (``KitPatterns.present``)."""
        norm = text if isinstance(text, Normalised) else normalise(text)
        if not self.terms:
            return []
        runs = self.first_runs
        if runs is not None and present is not None:
            # only the runs the text holds can start a match: the others need no search
            if self.combined is not None:
                here = [run for run in self.distinct_runs if run in present]
                if not here:
                    return []
                return [
                    (m.lastindex - 1, found_in(norm, m.start(), m.end()))
                    for m in finditer_at_runs(self.combined, norm, here)
                    if m.lastindex and m.end() > m.start() and boundaries_hold(norm, m.start(), m.end())
                ]
            if present.isdisjoint(runs):
                return []
            return [
                (i, found_in(norm, m.start(), m.end()))
                for i, pattern in enumerate(self.patterns)
                if runs[i] in present
                for m in finditer_at_runs(pattern, norm, (runs[i],))
                if m.end() > m.start() and boundaries_hold(norm, m.start(), m.end())
            ]
        if self.any_first_run is not None and self.any_first_run.search(norm.case_key) is None:
            return []
        if self.combined is not None:
            combined = (
                self.combined.finditer(norm.text) if runs is None else finditer_at_runs(self.combined, norm, runs)
            )
            return [
                (m.lastindex - 1, found_in(norm, m.start(), m.end()))
                for m in combined
                if m.lastindex and m.end() > m.start() and boundaries_hold(norm, m.start(), m.end())
            ]
        return [
            (i, found_in(norm, m.start(), m.end()))
            for i, pattern in enumerate(self.patterns)
            for m in (pattern.finditer(norm.text) if runs is None else finditer_at_runs(pattern, norm, (runs[i],)))
            if m.end() > m.start() and boundaries_hold(norm, m.start(), m.end())
        ]


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
        self.rule_ids = tuple(f"voice.{rule.id}" for rule in voice.rules)
        every = [self.preferred, *(r.terms for r in self.rules), *(g for r in self.rules for g in r.groups)]
        self.runs = tuple(sorted({run for terms in every for run in terms.first_runs or ()}))
        """The first runs of every term list of the kit that has them (``Terms.first_runs``)."""

    def present(self, norm: Normalised) -> frozenset[str]:
        """Which of ``runs`` appear in the text's ``case_key``: one substring test each, once per text, instead of
        one search per term list."""
        key = norm.case_key
        return frozenset([run for run in self.runs if run in key])


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
