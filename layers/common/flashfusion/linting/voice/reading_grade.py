"""Reading grade of a text: Flesch-Kincaid, offline.

Reading grade: Flesch-Kincaid, ``0.39 * words/sentences + 11.8 * syllables/words - 15.59``, computed
here (no textstat, no NLTK, never the network). Syllables come from the first pronunciation in the
CMU Pronouncing Dictionary (stress digits), read from a precomputed table shipped with the package
(``syllable_table``: ~40 ms to load instead of ~1 s to parse the dictionary), else pyphen's en_US
hyphenation (its patterns precomputed too: ``hyphenation``), cached per word. Without the table every
word falls back to hyphenation and the metrics say so (``voice.grade-cmudict`` = 0). Sentences of one or
two words are not counted as sentences (as textstat did), so the grades match the textstat 0.7.13 +
cmudict values this replaced.

Short texts (under 15 words) get an estimated grade (``voice.grade-estimated`` = 1): the formula swings
on a few words (one three-syllable word is grade 20), so the text's Flesch-Kincaid grade is shrunk
towards the middle of the kit's range as if the missing words up to 15 were of the middle grade:
``(words * fk + (15 - words) * middle) / 15``. Six words at grade 44 still estimate far above any range;
a one-word post does not. A short text is judged only when the estimate is above the range (never told
to "add substance"). A text without words has no grade (``not_checked``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from flashfusion.linting import findings
from flashfusion.linting.voice import hyphenation, syllable_table
from flashfusion.linting.voice.common import SENTENCE_END, WORD, forget_oldest_half, strip_non_prose

if TYPE_CHECKING:
    from flashfusion.models import Severity, Violation

GRADE_RULE = "voice.reading-grade"

MIN_GRADE_WORDS: Final = 15
"""Below this many words the Flesch-Kincaid grade is an estimate: judged only when too high."""


class _Readability:
    def __init__(self, grade: Callable[[str], float], cmudict: bool) -> None:
        self.grade = grade
        self.cmudict = cmudict


@lru_cache(maxsize=1)
def _cmu_syllables() -> dict[str, int] | None:
    """word (lowercase) -> syllables of its first CMU pronunciation; loaded once per process, on first use."""
    return syllable_table.load()


@lru_cache(maxsize=1)
def _hyphenator() -> hyphenation.Hyphenator:
    """pyphen's en_US hyphenation, from the precomputed patterns (``hyphenation``: ~20 ms to load, not ~100)."""
    return hyphenation.load()


ASCII_LETTER = re.compile("[a-z]")
"""In lowercase ASCII, what ``str.isalpha`` holds true for."""
SYLLABLE_CACHE_LIMIT = 200_000
"""Words (lowercase) whose syllable count is kept; past this the cache forgets its oldest half (bounded memory)."""
_syllable_cache: dict[str, int] = {}


def _count_syllables(lower: str, dictionary: dict[str, int] | None) -> int:
    if "-" in lower and (dictionary is None or lower not in dictionary):
        lower = lower.replace("-", "")  # as textstat did: "5-day" is looked up as "5day"
    if dictionary is not None:
        count = dictionary.get(lower)
        if count is not None:
            return count
    return len(_hyphenator().positions(lower)) + 1


def syllables(word: str) -> int:
    """Syllables in ``word``: stress digits of its first CMU pronunciation, else pyphen (en_US)
    hyphenation points + 1. Cached per lowercase word."""
    lower = word.lower().replace("\u2019", "'")
    count = _syllable_cache.get(lower)
    if count is None:
        if (ASCII_LETTER.search(lower) is None) if lower.isascii() else not any(c.isalpha() for c in lower):
            return 1  # numbers ("2026", "7-245"): pyphen's letter patterns never split them; not cached
        if len(_syllable_cache) >= SYLLABLE_CACHE_LIMIT:
            forget_oldest_half(_syllable_cache)
        count = _syllable_cache[lower] = _count_syllables(lower, _cmu_syllables())
    return count


def sentence_words(prose: str) -> list[list[str]]:
    """The ``WORD`` tokens of each sentence of ``prose`` that has any (sentences split as in
    ``count_sentences``). No token crosses a sentence end (an end holds no letter or digit), so together
    they are ``WORD.findall(prose)``."""
    segments: list[list[str]] = []
    start = 0
    ends = [m.span() for m in SENTENCE_END.finditer(prose)]
    ends.append((len(prose), len(prose)))
    for stop, next_start in ends:
        segment = WORD.findall(prose, start, stop)
        start = next_start
        if segment:
            segments.append(segment)
    return segments


def prose_counts(prose: str, syllables_too: bool = True) -> tuple[int, int, int, int]:
    """(words, sentences, sentences of three or more words, syllables) of ``prose`` in one pass: words
    are ``WORD`` matches, sentences are split as in ``count_sentences``. Syllables are 0 unless asked."""
    return counts_of(sentence_words(prose), syllables_too)


def counts_of(segments: list[list[str]], syllables_too: bool = True) -> tuple[int, int, int, int]:
    """``prose_counts`` of the sentences' words (``sentence_words``)."""
    cache = _syllable_cache
    words = 0
    syllable_total = 0
    sentences = 0
    long_sentences = 0
    for segment in segments:
        sentences += 1
        if len(segment) > 2:
            long_sentences += 1
        words += len(segment)
        if syllables_too:
            for word in segment:
                count = cache.get(word)
                syllable_total += count if count is not None else _cached_syllables(word)
    return words, sentences, long_sentences, syllable_total


def fk_grade(words: int, long_sentences: int, syllable_total: int) -> float:
    if not words:
        return 0.0
    return 0.39 * words / max(1, long_sentences) + 11.8 * syllable_total / words - 15.59


def flesch_kincaid(prose: str) -> float:
    """Flesch-Kincaid grade: 0.39 * words/sentence + 11.8 * syllables/word - 15.59. Words are ``WORD``
    matches; sentences are split as in ``count_sentences``, and (as textstat did) sentences of one or
    two words ("Results guaranteed!", "Post 7-1.") are not counted, though their words are."""
    words, _, long_sentences, syllable_total = prose_counts(prose)
    return fk_grade(words, long_sentences, syllable_total)


def _cached_syllables(word: str) -> int:
    """Miss path: count under the lowercase key, and remember the word as written too."""
    count = syllables(word)
    if word in _syllable_cache or word.lower() in _syllable_cache:
        _syllable_cache[word] = count
    return count


@lru_cache(maxsize=1)
def _readability() -> _Readability:
    """The Flesch-Kincaid grade with syllables from the CMU dictionary's table (no NLTK, no network);
    without it, hyphenation-based counts (``voice.grade-cmudict`` = 0)."""
    return _Readability(grade=flesch_kincaid, cmudict=_cmu_syllables() is not None)


def grade_of(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (URLs, hashtags and mentions left out), offline."""
    return float(_readability().grade(strip_non_prose(text)))


NO_WORDS = "no words: no reading grade"


def shrunk_grade(raw_grade: float, words: int, low: float, high: float) -> float:
    """The reported grade of a text of ``words`` words (> 0) whose Flesch-Kincaid grade is ``raw_grade``: under
    ``MIN_GRADE_WORDS`` words, shrunk towards the middle of ``low`` to ``high``; rounded to 2 places."""
    if words < MIN_GRADE_WORDS:
        raw_grade = (words * raw_grade + (MIN_GRADE_WORDS - words) * (low + high) / 2) / MIN_GRADE_WORDS
    return round(raw_grade, 2)


def grade_finding(grade: float, words: int, low: float, high: float, severity: Severity) -> Violation:
    """The finding for a grade above ``high``, or below ``low`` when not estimated."""
    method = (
        f"estimated: Flesch-Kincaid over {words} word{'s' if words > 1 else ''},"
        f" shrunk towards the range's middle as if it had {MIN_GRADE_WORDS}"
        if words < MIN_GRADE_WORDS
        else "Flesch-Kincaid"
    )
    return findings.violation(
        rule_id=GRADE_RULE,
        severity=severity,
        message=f"reading grade {grade:.1f} ({method}) is outside the brand's {low:g} to {high:g}",
        suggestion="use shorter sentences and simpler words" if grade > high else "add some substance",
    )
