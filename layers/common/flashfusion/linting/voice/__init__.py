"""Voice and tone of a text asset: sentiment, reading grade, formality, person, exclamations, emoji,
preferred terms and the kit's Vale-style rules.

Pure: takes the text and the kit, returns a CheckResult. The analyzers (VADER, the CMU pronouncing
dictionary's and the hyphenation patterns' tables, the emoji tables) load lazily on first use and once per
process; the kit's word patterns are compiled once per kit and cached.

Rule ids: ``voice.sentiment``, ``voice.reading-grade``, ``voice.formality``, ``voice.person``,
``voice.exclamations``, ``voice.emoji``, ``voice.preferred-term`` and ``voice.<rule id>`` for each rule
in ``kit.voice.rules``. Every span points into the original text (``text[start:end] == span.text``);
a Fix replaces its span with its text (an empty text removes the span).

One module per check, over shared helpers (``common``) and word lists kept as data (``lexicon``,
``data/``):

- ``check``: ``check_voice`` runs them all over one reading of the text (``pieces``: what each check counts,
  cached per whitespace piece and summed per text), as the kit's plan says (``plan``: each check's level, range
  and allowance, decided once per kit); each check module holds its finding (``tests/unit/lint/voice_reference.py``
  keeps each check's plain form, which ``check_voice`` is tested against);
- ``sentiment``: VADER's compound score against the kit's range;
- ``reading_grade``: the Flesch-Kincaid grade, syllables from the CMU dictionary;
- ``word_scan``, ``formality``, ``person``: one pass over the words, then the formality score and the
  grammatical person;
- ``exclamations``, ``emojis``: marks counted against the kit's allowance, with fixes;
- ``term_patterns``, ``preferred_terms``, ``vale_rules``: the kit's terms compiled once per kit, the
  preferred terms and the Vale-style rules.
"""

from __future__ import annotations

from flashfusion.linting.voice.check import check_voice, warm_up
from flashfusion.linting.voice.common import count_sentences, match_case
from flashfusion.linting.voice.emojis import EMOJI_RULE, emoji_spans
from flashfusion.linting.voice.exclamations import EXCLAMATION_RULE
from flashfusion.linting.voice.formality import FORMALITY_RULE, Formality, formality_markers, formality_of
from flashfusion.linting.voice.person import PERSON_RULE
from flashfusion.linting.voice.preferred_terms import PREFERRED_RULE
from flashfusion.linting.voice.reading_grade import (
    GRADE_RULE,
    MIN_GRADE_WORDS,
    _cmu_syllables,
    _readability,
    flesch_kincaid,
    grade_of,
    syllables,
)
from flashfusion.linting.voice.sentiment import SENTIMENT_RULE
from flashfusion.linting.voice.word_scan import scan_words

__all__ = [
    "EMOJI_RULE",
    "EXCLAMATION_RULE",
    "FORMALITY_RULE",
    "GRADE_RULE",
    "MIN_GRADE_WORDS",
    "PERSON_RULE",
    "PREFERRED_RULE",
    "SENTIMENT_RULE",
    "Formality",
    "_cmu_syllables",
    "_readability",
    "check_voice",
    "count_sentences",
    "emoji_spans",
    "flesch_kincaid",
    "formality_markers",
    "formality_of",
    "grade_of",
    "match_case",
    "scan_words",
    "syllables",
    "warm_up",
]
