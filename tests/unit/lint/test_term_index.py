"""The kit's term index is exact: the voice rules, the preferred terms, the required terms, trademarks and claims
report what they report when every term is looked for on its own with its plain pattern (``term_regex`` over the
whole normalised text, then ``boundaries_hold``), every rule is run on every text and no match is remembered.
Checked by hypothesis on texts built from the kit's own terms in disguise (any case, hyphens, joined words,
hashtag camel case, spaced letters, confusable and fullwidth letters, zero-width characters) among the pieces
that sit next to them (single "a"/"I", suffixes, punctuation, blank lines, emoji)."""

# ruff: noqa: RUF001 - the disguises hold look-alike letters on purpose
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashfusion.linting import legal, term_match, terms
from flashfusion.linting.base import CheckResult
from flashfusion.linting.normalise import Normalised, normalise
from flashfusion.linting.term_match import Found, TermIndex, find_term
from flashfusion.linting.voice import term_patterns
from flashfusion.linting.voice.preferred_terms import check_preferred_terms
from flashfusion.linting.voice.term_patterns import KitPatterns, Terms
from flashfusion.linting.voice.vale_rules import check_rules
from flashfusion.models import BrandKit, VoiceRules
from tests.helpers import ROOT, linter_sources

with linter_sources():  # the plain path: this copy's shortcuts patched off (``_plain_path``)
    from flashfusion.linting import legal as plain_legal
    from flashfusion.linting import term_match as plain_term_match
    from flashfusion.linting import terms as plain_terms
    from flashfusion.linting.base import CheckResult as PlainCheckResult
    from flashfusion.linting.normalise import normalise as plain_normalise
    from flashfusion.linting.voice import term_patterns as plain_term_patterns
    from flashfusion.linting.voice.preferred_terms import check_preferred_terms as plain_check_preferred_terms
    from flashfusion.linting.voice.term_patterns import Terms as PlainTerms
    from flashfusion.linting.voice.vale_rules import RulePlan as PlainRulePlan
    from flashfusion.linting.voice.vale_rules import check_rules as plain_check_rules

VOICE = VoiceRules.model_validate(
    {
        "requiredTerms": ["Aurora Outdoor", "#1", "win"],
        "preferredTerms": {"customers": "explorers", "cheap": "affordable", "win": "earn", "café": "coffee shop"},
        "rules": [
            {"type": "capitalization", "id": "caps", "terms": ["Aurora Outdoor", "GORE-TEX", "a1"]},
            {"type": "repetition", "id": "repeats"},
            {
                "type": "consistency",
                "id": "spelling",
                "either": [["colour", "color"], ["trekking pole", "hiking pole"], ["win", "win big"], ["aa", "aaa"]],
            },
            {
                "type": "existence",
                "id": "filler",
                "tokens": ["very", "really", "win big", "#1"],
                "message": "cut {match}",
            },
            {"type": "substitution", "id": "swap", "swap": {"double your money": "grow it", "the end": "the finish"}},
            {"type": "occurrence", "id": "few-go", "token": "go", "max": 1},
            {"type": "occurrence", "id": "some-kit", "token": "kit", "min": 1},
            {"type": "occurrence", "id": "no-sale", "token": "sale", "max": 0, "min": 0},
            {"type": "existence", "id": "accented", "tokens": ["straße", "éclair"], "message": "no {match}"},
            {"type": "readability", "id": "plain", "maxGrade": 10},
        ],
    }
)
KIT_TERMS = sorted(
    {
        *VOICE.required_terms,
        *VOICE.preferred_terms,
        "GORE-TEX",
        "a1",
        "colour",
        "color",
        "trekking pole",
        "hiking pole",
        "win big",
        "aa",
        "aaa",
        "very",
        "really",
        "double your money",
        "the end",
        "go",
        "kit",
        "sale",
        "straße",
        "éclair",
        "waterproof",
    }
)
LOOK_ALIKES = {"a": "а", "o": "о", "e": "е", "i": "і", "c": "с", "p": "р"}  # Cyrillic
FOLDING = {"i": "İ", "s": "ſ", "k": "\u212a"}  # the letters re.IGNORECASE folds to ASCII


def _disguises(term: str) -> list[str]:
    words = term.replace("-", " ").split()
    letters = [c for c in term if c.isalnum()]
    return [
        term,
        term.upper(),
        term.title(),
        "-".join(words),
        "".join(words),
        "_".join(w.upper() for w in words),
        "#" + "".join(w.capitalize() for w in words),
        "#" + "".join(w.capitalize() for w in words) + "Today",
        " ".join(letters),
        ".".join(letters),
        "".join(LOOK_ALIKES.get(c, c) for c in term),
        "".join(FOLDING.get(c, c) for c in term),
        "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in term),
        term[:1] + "\u200b" + term[1:],
        term + "s",
        "a" + term,
        term + "a",
    ]


DISGUISED = sorted({d for term in KIT_TERMS for d in _disguises(term)})
FILLERS = [" ", "  ", "-", "_", ".", ", ", "\n", "\n\n", "#", "a ", "I ", " i", "x", "big", "ed", "🌲", "é", "1", "®"]
kit_texts = st.lists(st.sampled_from(DISGUISED) | st.sampled_from(FILLERS), max_size=10).map("".join)


def _plain(norm: Normalised, term: str, matching: Any = term_match) -> tuple[Found, ...]:
    """The reference: the term's pattern over the whole text, no run, no index, no memo (by ``matching``'s
    functions: the compiled module's, or the source copy's for its own normalisations)."""
    return tuple(
        matching.found_in(norm, m.start(), m.end())
        for m in matching.term_regex(term).finditer(norm.text)
        if m.end() > m.start() and matching.boundaries_hold(norm, m.start(), m.end())
    )


def _plain_source(norm: Any, term: str) -> tuple[Any, ...]:
    return _plain(norm, term, plain_term_match)


def _plain_legal_plan(rules: Any) -> Any:
    """The source copy's plan without keys, built without ``_banned_keys`` (whose cache must not keep the patched
    keys)."""
    plan = object.__new__(plain_legal.LegalPlan)
    plan.banned = tuple(rules.banned_terms)
    plan.banned_keys = None
    plan.any_banned_key = None
    plan.may_mark_or_claim = lambda norm: True
    return plan


_REQUIRED = plain_terms._required


def _required_searched(listed: tuple[str, ...]) -> tuple[tuple[str, str | None, str, str], ...]:
    """``terms._required`` with no first run: every required term searched in every text."""
    return tuple((term, None, message, suggestion) for term, _, message, suggestion in _REQUIRED(listed))


@contextmanager
def _plain_path() -> Iterator[None]:
    """Every shortcut of the source copy off: each term is searched with ``_plain``, every rule runs, no group is
    skipped, every banned term's pattern runs (no reduced-text key). The compiled modules keep theirs."""
    with (
        patch.object(plain_legal, "legal_plan", _plain_legal_plan),
        patch.object(plain_legal, "_term_key", lambda term: None),
        patch.object(plain_term_match, "matches_in", _plain_source),
        patch.object(plain_term_patterns, "matches_in", _plain_source),
        patch.object(plain_terms, "matches_in", _plain_source),
        patch.object(plain_terms, "_required", _required_searched),
        patch.object(PlainRulePlan, "for_text", lambda self, present: self.steps),
        patch.object(PlainTerms, "absent", lambda self, present: False),
        patch.object(PlainTerms, "at_most_one_match", lambda self, norm, present: False),
        patch.object(plain_legal, "surely_absent", lambda norm, term: False),
    ):
        yield


def _voice_terms(text: str, voice: VoiceRules, present: bool, plain: bool = False) -> tuple[Any, ...]:
    """The preferred terms' and the rules' findings: compiled (where built), or ``plain`` by the source copy."""
    if plain:
        patterns = plain_term_patterns.kit_patterns(voice)
        norm = plain_normalise(text)
        runs = patterns.present(norm) if present else None
        result = PlainCheckResult()
        plain_check_preferred_terms(text, voice, patterns, norm, result, runs)
        plain_check_rules(text, voice, patterns, norm, 7.5, len(text.split()), result, present=runs)
    else:
        patterns = term_patterns.kit_patterns(voice)
        norm = normalise(text)
        runs = patterns.present(norm) if present else None
        result = CheckResult()
        check_preferred_terms(text, voice, patterns, norm, result, runs)
        check_rules(text, voice, patterns, norm, 7.5, len(text.split()), result, present=runs)
    return [v.model_dump() for v in result.violations], result.rules_checked, result.not_checked


@settings(max_examples=600, deadline=None)
@given(kit_texts)
@example("win big")
@example("aaa aa")
@example("#WinBigToday a m i r a c l e")
@example("Aurora-outdoor #AuroraOutdoor aurora outdoor")
def test_the_voice_rules_report_what_the_plain_search_reports(text: str) -> None:
    with _plain_path():
        expected = _voice_terms(text, VOICE, present=False, plain=True)
    assert _voice_terms(text, VOICE, present=True) == expected
    assert _voice_terms(text, VOICE, present=False) == expected  # the runs found by each list
    assert _voice_terms(text, VOICE, present=True) == expected  # the matches remembered for this text


@settings(max_examples=600, deadline=None)
@given(kit_texts)
def test_each_term_is_found_where_its_plain_pattern_finds_it(text: str) -> None:
    norm = normalise(text)
    index = TermIndex(KIT_TERMS)
    present = index.present(norm)
    assert present == {run for run in index.runs if run in norm.case_key}
    for term in KIT_TERMS:
        expected = list(_plain(norm, term))
        assert find_term(norm, term) == expected
        assert term_match.has_term(text, term) == bool(expected)
        if expected:  # a term found has its run in the text, or none to look for
            plan = term_match.term_plan(term)
            assert plan is not None
            assert plan[0] is None or plan[0] in present


@settings(max_examples=300, deadline=None)
@given(kit_texts, st.permutations(KIT_TERMS).map(lambda t: t[:5]))
def test_a_list_of_terms_matches_term_by_term(text: str, chosen: list[str]) -> None:
    norm = normalise(text)
    listed = Terms(chosen)
    expected = [(i, f) for i, term in enumerate(chosen) for f in _plain(norm, term)]
    assert listed.matches(norm) == expected
    present = KitPatterns(VoiceRules.model_validate({"preferredTerms": dict.fromkeys(chosen, "x")})).present(norm)
    assert listed.matches(norm, present) == expected
    if listed.absent(present):
        assert expected == []
    if listed.at_most_one_match(norm, present):
        assert len(expected) <= 1


LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "t": "7", "l": "1"}


def _banned_disguises(term: str) -> list[str]:
    return [
        *_disguises(term),
        "".join(LEET.get(c, c) for c in term),
        "".join(c * 3 if c in "aeiou" else c for c in term),
        term + "ing",
        term + "ly",
        term.rstrip("e") + "ing",
        term[:-1],
        " ".join(term.upper()),
        "*".join(term),
    ]


BANNED_DISGUISED = sorted(
    {
        d
        for term in ["guaranteed", "miracle", "risk-free", "cheapest", "best in the world", "ok", "zz top"]
        for d in _banned_disguises(term)
    }
)
legal_texts = st.lists(
    st.sampled_from(DISGUISED) | st.sampled_from(BANNED_DISGUISED) | st.sampled_from(FILLERS), max_size=10
).map("".join)

LEGAL_KIT = BrandKit.model_validate_json((ROOT / "events/brand-kit.sample.json").read_text(encoding="utf-8"))
LEGAL_KIT.legal.trademarks.append(LEGAL_KIT.legal.trademarks[0].model_copy(update={"term": "Aurora Outdoor"}))
LEGAL_KIT.legal.claims.append(LEGAL_KIT.legal.claims[0].model_copy(update={"phrase": "double your money"}))
LEGAL_KIT.legal.banned_terms += ["ok", "zz top"]
ACCENTED_KIT = LEGAL_KIT.model_copy(deep=True)
ACCENTED_KIT.legal.claims.append(LEGAL_KIT.legal.claims[0].model_copy(update={"phrase": "éclair"}))
"""A claim without a first run: looked for in every text."""


@settings(max_examples=500, deadline=None)
@given(legal_texts, st.sampled_from([LEGAL_KIT, ACCENTED_KIT]))
@example("gu4r4nt33d m i i r a c l e", LEGAL_KIT)
@example("RISK FREE zztop", LEGAL_KIT)
@example("GORE-TEX shell", LEGAL_KIT)
@example("an Éclair", ACCENTED_KIT)
def test_required_terms_banned_terms_trademarks_and_claims_report_what_the_plain_search_reports(
    text: str, kit: BrandKit
) -> None:
    def lint(required: Any = terms.required_terms, check_legal: Any = legal.check_legal) -> tuple[list[Any], ...]:
        return (
            [v.model_dump() for v in required(text, VOICE.required_terms)],
            [v.model_dump() for v in check_legal(text, kit, None).violations],
        )

    with _plain_path():
        expected = lint(plain_terms.required_terms, plain_legal.check_legal)
    assert lint() == expected
    assert lint() == expected  # the matches remembered for this text
