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

from flashfusion.linting.base import CheckResult
from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice.common import NON_ASCII, SENTENCE_END, WORD, strip_non_prose
from flashfusion.linting.voice.emojis import check_emoji, emoji_spans
from flashfusion.linting.voice.exclamations import check_exclamations
from flashfusion.linting.voice.formality import check_formality
from flashfusion.linting.voice.person import check_person
from flashfusion.linting.voice.preferred_terms import check_preferred_terms
from flashfusion.linting.voice.reading_grade import _cached_syllables, _syllable_cache, check_grade, fk_grade
from flashfusion.linting.voice.sentiment import check_sentiment
from flashfusion.linting.voice.term_patterns import kit_patterns
from flashfusion.linting.voice.vale_rules import check_rules
from flashfusion.linting.voice.word_scan import WordScan, scan_tokens
from flashfusion.models import BrandKit, TextSpan


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
