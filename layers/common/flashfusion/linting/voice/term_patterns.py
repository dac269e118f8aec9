"""A kit's terms (preferred terms, Vale-style rules) matched as ``linting.term_match`` matches every term
(normalised text, whole words, phrase words across spaces, hyphens or nothing), each term on its own (a
whole-list alternation is exact only where no two terms can share text): compiled once per kit and cached,
with one ``TermIndex`` of all of them."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any

from flashfusion.linting.normalise import Normalised, normalise
from flashfusion.linting.term_match import Found, TermIndex, matches_in, term_plan
from flashfusion.models import VoiceRules


class Terms:
    """Matches of a list of terms: ``term_match.matches_in`` of each, term by term, visiting only the terms whose
    first run the text holds (``TermIndex.present``)."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        looked_for: list[tuple[int, str, str | None]] = []
        for index, term in enumerate(self.terms):
            plan = term_plan(term)
            if plan is not None:  # (a term without words matches nothing)
                looked_for.append((index, term, plan[0]))
        self.looked_for = tuple(looked_for)
        """(index, term, its first run or None: looked for in every text) of every term with words."""
        self.always = any(run is None for _, _, run in looked_for)
        """Some term has no first run: the list is searched whatever the text holds."""
        self.runs = frozenset(run for _, _, run in looked_for if run is not None)
        self.term_runs = tuple(run for _, _, run in looked_for if run is not None)
        """The first run of each term that has one, in order (a run twice for two terms that share it)."""

    def absent(self, present: AbstractSet[str]) -> bool:
        """Whether no term can match a text whose present runs are ``present``."""
        return not self.always and self.runs.isdisjoint(present)

    def at_most_one_match(self, norm: Normalised, present: AbstractSet[str]) -> bool:
        """Whether the terms can match the text once at most (False: unknown), counting their first runs in
        ``case_key``: a term's matches do not overlap and each starts with the term's run, so a term matches at
        most as often as ``str.count`` (the most non-overlapping occurrences) counts its run; the terms' bounds add
        up (two terms with one first run may both match at one occurrence: "win" and "win big")."""
        if self.always:
            return False
        key = norm.case_key
        occurrences = 0
        for run in self.term_runs:
            if run in present:
                occurrences += key.count(run)
                if occurrences > 1:
                    return False
        return True

    def matches(self, text: str | Normalised, present: AbstractSet[str] | None = None) -> list[tuple[int, Found]]:
        """(index of the term, match in the original text) for every match of every term, term by term (callers
        sort by position). ``present``: the runs of ``KitPatterns.runs`` that appear in the text's ``case_key``,
        when known (``KitPatterns.present``)."""
        norm = text if isinstance(text, Normalised) else normalise(text)
        if present is None:
            present = frozenset(filter(norm.case_key.__contains__, self.runs))
        if not self.always and self.runs.isdisjoint(present):
            return []
        return [
            (index, match)
            for index, term, run in self.looked_for
            if run is None or run in present
            for match in matches_in(norm, term)
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
        every = (self.terms, *self.groups)
        self.always = any(terms.always for terms in every)
        self.runs = frozenset(run for terms in every for run in terms.runs)
        """The first runs of the rule's terms: a text holding none of them (and no term is ``always``) gives
        its terms no match."""


class KitPatterns:
    """Every pattern derived from a kit's voice rules, compiled once per kit."""

    def __init__(self, voice: VoiceRules) -> None:
        self.voice = voice
        self.preferred = Terms(list(voice.preferred_terms))
        self.preferred_wanted = tuple(voice.preferred_terms.values())
        self.rules = tuple(RulePatterns(rule) for rule in voice.rules)
        self.rule_ids = tuple(f"voice.{rule.id}" for rule in voice.rules)
        every = [self.preferred, *[r.terms for r in self.rules], *[g for r in self.rules for g in r.groups]]
        self.index = TermIndex([term for terms in every for term in terms.terms])
        """One index of every term of the kit's voice: their first runs are looked for once per text."""
        self.runs = self.index.runs
        """The first runs of every term of the kit's voice (``TermIndex.runs``)."""

    def present(self, norm: Normalised) -> frozenset[str]:
        """Which of ``runs`` appear in the text's ``case_key`` (``TermIndex.present``)."""
        return self.index.present(norm)


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
