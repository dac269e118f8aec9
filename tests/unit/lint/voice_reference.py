"""The whole-text reference of what ``flashfusion.linting.voice.pieces`` computes piece by piece: a text's words
found once, counted by sentence with their syllables, and scanned for formality markers and pronouns.

``check_voice`` reads these counts from ``pieces`` (facts cached per whitespace piece); this plain analysis of
the whole text is what those are tested against (``test_voice_pieces``, ``test_lint_shortcuts``). The words of
the prose (the text without URLs, hashtags and mentions: what the reading grade counts) are the words of the text
when the text has none of those; otherwise the text is tokenised a second time for the scan.

``check_voice_plain`` is ``check_voice`` composed of each check's plain form over this analysis: what its per-kit
plan and its shortcuts are tested against (``test_voice_plan``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flashfusion.linting.base import CheckResult, severity_of
from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice.common import NON_ASCII, SENTENCE_END, WORD, strip_non_prose
from flashfusion.linting.voice.emojis import EMOJI_RULE, emoji_findings, emoji_spans
from flashfusion.linting.voice.exclamations import EXCLAMATION_RULE, exclamation_findings, marks_in
from flashfusion.linting.voice.formality import (
    FORMALITY_RULE,
    clashes,
    formality_finding,
    formality_of,
)
from flashfusion.linting.voice.person import PERSON_RULE, person_finding
from flashfusion.linting.voice.preferred_terms import check_preferred_terms
from flashfusion.linting.voice.reading_grade import (
    GRADE_RULE,
    MIN_GRADE_WORDS,
    NO_WORDS,
    _cached_syllables,
    _readability,
    _syllable_cache,
    fk_grade,
    grade_finding,
    shrunk_grade,
)
from flashfusion.linting.voice.sentiment import SENTIMENT_RULE, _sentiment, sentiment_finding
from flashfusion.linting.voice.term_patterns import kit_patterns
from flashfusion.linting.voice.vale_rules import check_rules
from flashfusion.linting.voice.word_scan import WordScan, scan_tokens
from flashfusion.models import BrandKit, NotChecked, TextSpan, VoiceRules


@dataclass(frozen=True, slots=True)
class VoiceAnalysis:
    words: int
    """Words of the prose."""
    sentences: int
    long_sentences: int
    """Sentences of three or more words (the reading grade's sentences)."""
    syllables: int
    tokens: list[str]
    """The ``WORD`` tokens of the whole text, in order."""
    scan: WordScan


WORD_OR_SENTENCE_END = re.compile(f"({WORD.pattern})|(?:{SENTENCE_END.pattern})")
"""A ``WORD`` (group 1) or a ``SENTENCE_END`` (no group: found as ""), in one scan. No character can be in both
(an end holds no letter or digit, a word no blank or sentence mark), so the words are ``WORD.findall`` and the
ends ``SENTENCE_END.finditer``, each as they would be alone."""
ASCII_WORD_OR_SENTENCE_END = re.compile(r"([A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*)|[.!?]+(?=\s|$)|\n\s*\n")
"""``WORD_OR_SENTENCE_END`` for a text whose letters, digits and sentence marks are all ASCII (``_ascii_words``):
there ``[^\\W_]`` is ``[A-Za-z0-9]``, and the non-ASCII apostrophe and marks are absent. An ASCII class is ~25 %
cheaper to test than a Unicode category."""
ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")
"""``WORD`` for such a text."""
_NON_ASCII_MARKS = frozenset("\u2019\u2026\uff01\ufe57\u203c\u2049\u2048\uff1f\ufe56\u3002\uff0e")
"""The non-ASCII characters of ``WORD`` (the apostrophe) and of ``SENTENCE_END`` (its marks)."""


def _ascii_words(text: str) -> bool:
    """Whether every letter, digit, apostrophe and sentence mark of ``text`` is ASCII (emoji and other symbols
    may not be)."""
    if text.isascii():
        return True
    return not any(c.isalnum() or c in _NON_ASCII_MARKS for c in NON_ASCII.findall(text))


def analyse(text: str) -> VoiceAnalysis:
    prose = strip_non_prose(text)
    found = (ASCII_WORD_OR_SENTENCE_END if _ascii_words(prose) else WORD_OR_SENTENCE_END).findall(prose)
    tokens = list(filter(None, found))  # the words of the prose, in order
    # each sentence's words as a run of 1s (``sentence_words``'s segments, counted in C): the sentences with a
    # word, and those with three or more (the reading grade's)
    runs = bytes(map(bool, found)).split(b"\x00")
    sentences = len(runs) - runs.count(b"")
    long_sentences = sentences - runs.count(b"\x01") - runs.count(b"\x01\x01")
    counts = list(map(_syllable_cache.get, tokens))
    if None in counts:
        counts = [
            _cached_syllables(word) if count is None else count for word, count in zip(tokens, counts, strict=True)
        ]
    words = len(tokens)
    syllables = sum(counts)
    if prose is not text:
        tokens = (ASCII_WORD if _ascii_words(text) else WORD).findall(text)
    return VoiceAnalysis(words, sentences, long_sentences, syllables, tokens, scan_tokens(text, tokens))


def check_voice_plain(text: str, kit: BrandKit, compound_of: Callable[[str], float]) -> CheckResult:
    """``check_voice`` as it was before its per-kit plan: each module's plain ``check_*`` in turn, over this
    module's whole-text analysis and ``compound_of`` (vaderSentiment's own compound score), with the kit-term
    checks run as ``check_voice`` runs them but with no repetition pre-check."""
    voice = kit.voice
    result = CheckResult()
    analysis = analyse(text)
    words = analysis.words
    result.metrics["voice.words"] = float(words)
    result.metrics["voice.sentences"] = float(analysis.sentences)
    check_sentiment(text, voice, result, compound_of)
    grade = check_grade(fk_grade(words, analysis.long_sentences, analysis.syllables), words, voice, result)
    emoji = len(emoji_spans(text))
    check_formality(text, words, voice, analysis.scan, emoji, result)
    check_person(text, voice, analysis.scan, result)
    check_exclamations(text, voice, result)
    check_emoji(text, voice, emoji, result)
    patterns = kit_patterns(voice)
    norm = normalise(text)
    present = patterns.present(norm)
    check_preferred_terms(text, voice, patterns, norm, result, present)
    check_rules(text, voice, patterns, norm, grade, words, result, present=present)
    result.violations.sort(key=lambda v: v.location.start if isinstance(v.location, TextSpan) else -1)
    return result


# Each built-in voice check's plain form: ``check_voice_plain`` composes them (the product's ``check_voice`` decides
# the same per kit with its plan, ``voice/plan.py``).


def check_sentiment(
    text: str, voice: VoiceRules, result: CheckResult, compound_of: Callable[[str], float] | None = None
) -> None:
    """``compound_of``: the text's compound score when it is known more cheaply than by scoring the text."""
    severity = severity_of(voice.levels.sentiment)
    if severity is None:
        return
    result.rules_checked.append(SENTIMENT_RULE)
    compound = float(_sentiment()(text)["compound"]) if compound_of is None else compound_of(text)
    result.metrics["voice.sentiment"] = compound
    low, high = voice.sentiment_range
    if not low <= compound <= high:
        result.violations.append(sentiment_finding(compound, low, high, severity))


def check_grade(raw_grade: float, words: int, voice: VoiceRules, result: CheckResult) -> float | None:
    """The grade (estimated for a short text; None without words); a finding only when the kit's level for
    the range is not off. The grade is returned either way: the kit's readability rules use it."""
    severity = severity_of(voice.levels.reading_grade)
    if not words:
        result.not_checked.append(NotChecked(check=GRADE_RULE, reason=NO_WORDS))
        return None
    readability = _readability()
    low, high = voice.reading_grade_range
    estimated = words < MIN_GRADE_WORDS
    grade = shrunk_grade(raw_grade, words, low, high)
    result.metrics["voice.grade"] = grade
    result.metrics["voice.grade-estimated"] = 1.0 if estimated else 0.0
    result.metrics["voice.grade-cmudict"] = 1.0 if readability.cmudict else 0.0
    if severity is None:
        return grade
    result.rules_checked.append(GRADE_RULE)
    if grade > high or (grade < low and not estimated):
        result.violations.append(grade_finding(grade, words, low, high, severity))
    return grade


def check_formality(
    text: str, words: int, voice: VoiceRules, scan: WordScan, emoji_count: int, result: CheckResult
) -> None:
    severity = severity_of(voice.levels.formality)
    if severity is None:
        return
    result.rules_checked.append(FORMALITY_RULE)
    score, label, found = formality_of(text, words, emoji_count, scan)
    result.metrics["voice.formality"] = score
    if clashes(voice.formality, score, label):
        result.violations.append(formality_finding(score, found, voice.formality, severity))


_METRIC = {person: f"voice.pronouns.{person}" for person in ("first", "second", "third")}


def check_person(text: str, voice: VoiceRules, scan: WordScan, result: CheckResult) -> None:
    counts = scan.counts
    metrics = result.metrics
    for person, count in counts.items():
        metrics[_METRIC[person]] = float(count)
    wanted = voice.person
    base_severity = severity_of(voice.levels.person)
    if wanted == "any" or base_severity is None:
        return
    result.rules_checked.append(PERSON_RULE)
    finding = person_finding(text, counts, wanted, base_severity, lambda: scan.first_at)
    if finding is not None:
        result.violations.append(finding)


def check_exclamations(text: str, voice: VoiceRules, result: CheckResult) -> None:
    """Each exclamation mark counts, after NFKC ("‼" is two). Past the allowance, a run's extra marks go:
    the first mark of a run that starts past the allowance becomes "." (or is dropped after "?"), the rest
    of the run is removed; a "‼" half inside the allowance becomes "!"."""
    severity = severity_of(voice.levels.exclamations)
    if severity is None:
        return
    result.rules_checked.append(EXCLAMATION_RULE)
    total = marks_in(text)
    result.metrics["voice.exclamations"] = float(total)
    if total > voice.max_exclamations:
        exclamation_findings(text, total, voice.max_exclamations, severity, result.violations)


def check_emoji(text: str, voice: VoiceRules, count: int, result: CheckResult) -> None:
    """Emoji past the kit's allowance, ``count`` being ``len(emoji_spans(text))`` (the spans are found only to
    report them). The level is the kit's (``voice.levels.emoji``); unset, it is what it always was: error when
    the kit allows no emoji, warning past ``max_emoji``."""
    level = voice.levels.emoji
    if level == "off":
        return
    result.rules_checked.append(EMOJI_RULE)
    result.metrics["voice.emoji"] = float(count)
    if voice.emoji == "allowed" or not count:
        return
    emoji_findings(text, voice, count, result.violations)
