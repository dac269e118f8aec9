"""The kit's Vale-style rules (``kit.voice.rules``): existence, substitution, occurrence, repetition,
capitalization, consistency and readability, each reported as ``voice.<rule id>``."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any

from flashfusion.linting import findings
from flashfusion.linting.base import CheckResult
from flashfusion.linting.findings import replacing, span_in
from flashfusion.linting.normalise import Normalised, normalise_term
from flashfusion.linting.term_match import Found
from flashfusion.linting.voice.common import in_written_shape
from flashfusion.linting.voice.preferred_terms import replacement_for, substitutions
from flashfusion.linting.voice.reading_grade import MIN_GRADE_WORDS
from flashfusion.linting.voice.term_patterns import KIT_CACHE_LIMIT, KitPatterns, RulePatterns
from flashfusion.models import NotChecked, Violation, VoiceRules

if TYPE_CHECKING:
    # Annotations only: importing flashfusion.brandkit before flashfusion.models is a circular import.
    from flashfusion.brandkit import (
        CapitalizationRule,
        ConsistencyRule,
        ExistenceRule,
        OccurrenceRule,
        ReadabilityRule,
        RepetitionRule,
    )

REPEATED_WORD = re.compile(r"([^\W\d_](?<![\w'\u2019].)[^\W\d_]*+)(?=(\s++)(\1)(?![\w'\u2019]))", re.IGNORECASE)
"""A word (letters, not after a word character or an apostrophe), whitespace, and the same word again (any case),
not followed by a word character or an apostrophe. Written to start with the letter class, with the look-behind
after the first letter (the regex engine skips to a letter in C, and leaves a position inside a word after one
step), and possessive (a shorter word or gap is never followed by the whitespace or the word the rest needs): ~2x
cheaper than the pattern as first written, with the same matches (``test_compiled_shortcuts``)."""


def check_rules(
    text: str,
    voice: VoiceRules,
    patterns: KitPatterns,
    norm: Normalised,
    grade: float | None,
    words: int,
    result: CheckResult,
    tokens: Sequence[str] | None = None,
    may_repeat: bool | Callable[[], bool] = True,
    present: AbstractSet[str] | None = None,
) -> None:
    """Every rule of ``voice.rules``, in order, with its compiled patterns (``patterns``, of ``voice``); ``tokens``:
    the text's ``WORD`` tokens when known (they let the repetition rule skip texts that cannot repeat a word);
    ``may_repeat``: False (or a function that says False) when the text is known not to repeat a word
    (``pieces.TextFacts.may_repeat``); ``present``: ``patterns.present(norm)``, when known.

    Only the rules that may report run (``RulePlan.for_text``): a rule of terms none of whose first runs the
    text holds finds nothing, so it is not called."""
    if present is None:
        present = patterns.present(norm)
    result.rules_checked += patterns.rule_ids
    given = RuleText(text, norm, present, result, grade, words, tokens, may_repeat)
    for step in rule_plan(patterns).for_text(present):
        step.check(given)


class RuleText:
    """The text the rules are checked on, with what ``check_rules`` was given about it, and the result each step
    adds its findings to: built once per text, read by every step."""

    def __init__(
        self,
        text: str,
        norm: Normalised,
        present: AbstractSet[str],
        result: CheckResult,
        grade: float | None,
        words: int,
        tokens: Sequence[str] | None,
        may_repeat: bool | Callable[[], bool],
    ) -> None:
        self.text = text
        self.norm = norm
        self.present = present
        self.result = result
        self.grade = grade
        self.words = words
        self.tokens = tokens
        self.may_repeat = may_repeat


class Step:
    """One rule of a kit, bound to its rule and patterns once per kit: ``check`` adds its findings to ``result``.
    One class per kind of rule (no dispatch on the rule's type per text); compiled, ``check`` is a native method,
    called without the argument parsing a closure's call takes."""

    def __init__(self, rule: Any, compiled: RulePatterns, rule_id: str) -> None:
        self.rule = rule
        self.compiled = compiled
        self.terms = compiled.terms
        self.rule_id = rule_id

    def anchored(self) -> bool:
        """Whether the rule can report only on a text holding one of its terms' first runs (a rule that reports an
        absence, a repetition or a grade runs on every text)."""
        return True

    def check(self, given: RuleText) -> None:
        """Add the rule's findings on ``given``'s text to its result."""
        raise NotImplementedError


class _Existence(Step):
    def check(self, given: RuleText) -> None:
        found = self.terms.matches(given.norm, given.present)
        if found:
            given.result.violations += _existence(given.text, self.rule, found, self.rule_id)


class _Capitalization(Step):
    def check(self, given: RuleText) -> None:
        found = self.terms.matches(given.norm, given.present)
        if found:
            given.result.violations += _capitalization(given.text, self.rule, found, self.rule_id)


class _Consistency(Step):
    def check(self, given: RuleText) -> None:
        given.result.violations += _consistency(
            given.text, self.rule, self.compiled, given.norm, self.rule_id, given.present
        )


class _Substitution(Step):
    def check(self, given: RuleText) -> None:
        terms = self.terms
        if terms.absent(given.present):
            return
        given.result.violations += substitutions(
            given.text, terms, self.compiled.wanted, given.norm, self.rule_id, self.rule.level, given.present
        )


class _Occurrence(Step):
    def anchored(self) -> bool:
        return not self.rule.min  # no match reports only a minimum above 0 (a maximum is at least 0)

    def check(self, given: RuleText) -> None:
        given.result.violations += _occurrence(
            given.text, self.rule, self.compiled, given.norm, self.rule_id, given.present
        )


class _Repetition(Step):
    def anchored(self) -> bool:
        return False

    def check(self, given: RuleText) -> None:
        may_repeat, tokens = given.may_repeat, given.tokens
        if (may_repeat() if callable(may_repeat) else may_repeat) and (tokens is None or _may_repeat_a_word(tokens)):
            given.result.violations += _repetition(given.text, self.rule, self.rule_id)


class _Readability(Step):
    def anchored(self) -> bool:
        return False

    def check(self, given: RuleText) -> None:
        _readability_rule(given.grade, given.words, self.rule, self.rule_id, given.result)


_STEPS: dict[str, type[Step]] = {
    "existence": _Existence,
    "capitalization": _Capitalization,
    "consistency": _Consistency,
    "substitution": _Substitution,
    "occurrence": _Occurrence,
    "repetition": _Repetition,
    "readability": _Readability,
}
"""The step of each kind of rule (a kind not listed is not checked)."""


class RulePlan:
    """A kit's rules as steps, decided once per kit: each rule's check bound to its rule and patterns (no
    dispatch on its type per text), and which rules need a text to hold one of their terms' first runs."""

    def __init__(self, patterns: KitPatterns) -> None:
        steps: list[Step] = []
        always: list[int] = []
        steps_of: dict[str, list[int]] = {}
        for rule, compiled, rule_id in zip(patterns.voice.rules, patterns.rules, patterns.rule_ids, strict=True):
            kind = _STEPS.get(rule.type)
            if kind is None:
                continue
            step = kind(rule, compiled, rule_id)
            index = len(steps)
            steps.append(step)
            if not step.anchored() or compiled.always:
                always.append(index)
            else:
                for run in compiled.runs:
                    steps_of.setdefault(run, []).append(index)
        self.steps = tuple(steps)
        self.always = tuple(steps[i] for i in always)
        """The steps that run on every text, in rule order."""
        self._always_index = frozenset(always)
        self._steps_of = {run: tuple(indices) for run, indices in steps_of.items()}
        self._chosen: dict[frozenset[str], tuple[Step, ...]] = {}
        """The steps for each set of present runs met so far: a kit's texts hold few distinct sets."""

    def for_text(self, present: AbstractSet[str]) -> Sequence[Step]:
        """The steps to run, in rule order, on a text holding the first runs ``present``."""
        if not present:
            return self.always
        runs = present if isinstance(present, frozenset) else frozenset(present)
        steps = self._chosen.get(runs)
        if steps is None:
            if len(self._chosen) >= CHOSEN_LIMIT:
                self._chosen.clear()
            chosen = set(self._always_index)
            for run in runs:
                chosen.update(self._steps_of.get(run, ()))
            steps = self._chosen[runs] = tuple(self.steps[i] for i in sorted(chosen))
        return steps


CHOSEN_LIMIT = 4096
"""Sets of present runs whose steps a plan keeps (at most 2 ** runs exist; past this it starts over)."""


@lru_cache(maxsize=KIT_CACHE_LIMIT)  # by identity: a kit's patterns are compiled once and cached
def rule_plan(patterns: KitPatterns) -> RulePlan:
    return RulePlan(patterns)


def _existence(text: str, rule: ExistenceRule, found: list[tuple[int, Found]], rule_id: str) -> list[Violation]:
    return [
        findings.violation(
            rule_id=rule_id,
            severity=rule.level,
            message=rule.message.replace("{match}", match.text),
            location=span_in(text, match.start, match.end),
            suggestion=f'remove or rephrase "{match.text}"',
        )
        for _, match in found
    ]


def _occurrence(
    text: str,
    rule: OccurrenceRule,
    compiled: RulePatterns,
    norm: Normalised,
    rule_id: str,
    present: AbstractSet[str] | None = None,
) -> list[Violation]:
    matches = [match for _, match in compiled.terms.matches(norm, present)]
    if rule.max is not None and len(matches) > rule.max:
        excess = matches[rule.max]
        return [
            findings.violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'"{rule.token}" appears {len(matches)} times; at most {rule.max} allowed',
                location=span_in(text, excess.start, excess.end),
                suggestion=f'use "{rule.token}" at most {rule.max} times',
            )
        ]
    if rule.min is not None and len(matches) < rule.min:
        return [
            findings.violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'"{rule.token}" appears {len(matches)} times; at least {rule.min} needed',
                suggestion=f'mention "{rule.token}"',
            )
        ]
    return []


def _may_repeat_a_word(tokens: Sequence[str]) -> bool:
    """A cheap necessary condition for a ``REPEATED_WORD`` match, from the text's ``WORD`` tokens. A repeated
    word is the last hyphen part of one token (a word cannot start after an apostrophe) and the first hyphen
    part of the next, so in the tokens' hyphen parts, in order, two neighbours are equal ignoring case (in
    ASCII, ``re.IGNORECASE`` and ``str.lower`` agree; a text with other letters is always searched)."""
    joined = " ".join(tokens)
    if not joined.isascii():
        return True
    parts = joined.lower().replace("-", " ").split(" ")
    return any(map(operator.eq, parts, islice(parts, 1, None)))


def _repetition(text: str, rule: RepetitionRule, rule_id: str) -> list[Violation]:
    found: list[Violation] = []
    for match in REPEATED_WORD.finditer(text):
        start = match.start(1)
        gap_start, end = match.start(2), match.end(3)
        found.append(
            findings.violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'"{match.group(1)}" is repeated',
                location=span_in(text, start, end),
                suggestion=f'remove the second "{match.group(3)}"',
                fix=replacing(text, gap_start, end, ""),
            )
        )
    return found


def _capitalization(
    text: str, rule: CapitalizationRule, found: list[tuple[int, Found]], rule_id: str
) -> list[Violation]:
    violations: list[Violation] = []
    for index, match in found:
        term = rule.terms[index]
        if match.text == term or _spelling(match.text) == _spelling(term):
            continue
        shaped = _shaped(match.text, term)
        violations.append(
            findings.violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'write "{term}", not "{match.text}"',
                location=span_in(text, match.start, match.end),
                suggestion=f'replace with "{shaped}"',
                fix=replacing(text, match.start, match.end, shaped),
            )
        )
    return violations


@lru_cache(maxsize=4096)  # the kit's terms and their few written forms, on every post that miswrites one
def _shaped(written: str, term: str) -> str:
    return in_written_shape(written, term)


@lru_cache(maxsize=4096)  # the kit's terms and their few written forms, on every post
def _spelling(written: str) -> str:
    """What a capitalization rule compares: the letters as a reader sees them, without the spaces, hyphens
    or underscores between words (a hashtag "#AuroraOutdoor" spells "Aurora Outdoor" right)."""
    return "".join(c for c in normalise_term(written) if c.isalnum())


def _consistency(
    text: str,
    rule: ConsistencyRule,
    compiled: RulePatterns,
    norm: Normalised,
    rule_id: str,
    present: AbstractSet[str] | None = None,
) -> list[Violation]:
    """Per group: every occurrence of a variant other than the first one used is reported, with a fix
    to the first one used."""
    found: list[Violation] = []
    groups = compiled.groups  # (one per group of ``rule.either``, in order)
    for g, group in enumerate(rule.either):  # (compiled, ``zip(..., strict=True)`` is a Python-level call)
        terms = groups[g]
        if present is not None and (terms.absent(present) or terms.at_most_one_match(norm, present)):
            continue
        matched = terms.matches(norm, present)
        if len(matched) < 2:
            continue  # one match is one variant: nothing inconsistent
        uses = sorted([(match.start, match.end, group[index]) for index, match in matched])
        used = list(dict.fromkeys([variant for _, _, variant in uses]))
        if len(used) < 2:
            continue
        chosen = used[0]
        names = ", ".join(f'"{v}"' for v in used)
        for start, end, variant in uses:
            if variant == chosen:
                continue
            replacement = replacement_for(text[start:end], chosen)
            found.append(
                findings.violation(
                    rule_id=rule_id,
                    severity=rule.level,
                    message=f"inconsistent: {names} are all used",
                    location=span_in(text, start, end),
                    suggestion=f'use "{chosen}" (used first) throughout',
                    fix=replacing(text, start, end, replacement),
                )
            )
    return found


def _estimate(words: int) -> str:
    return f", estimated over {words} words" if words < MIN_GRADE_WORDS else ""


def _readability_rule(
    grade: float | None, words: int, rule: ReadabilityRule, rule_id: str, result: CheckResult
) -> None:
    if grade is None:
        result.rules_checked.remove(rule_id)
        result.not_checked.append(NotChecked(check=rule_id, reason="no words: no reading grade"))
        return
    if grade > rule.max_grade:
        result.violations.append(
            findings.violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f"reading grade {grade:.1f} (Flesch-Kincaid{_estimate(words)}) is above {rule.max_grade:g}",
                suggestion="use shorter sentences and simpler words",
            )
        )
