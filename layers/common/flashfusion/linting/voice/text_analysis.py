"""One analysis of a text for all the voice checks: its words found once (one tokenisation), counted by
sentence with their syllables, and scanned for formality markers and pronouns.

Every check used to tokenise the text itself; now ``analyse`` does it once. The words of the prose (the
text without URLs, hashtags and mentions: what the reading grade counts) are the words of the text when the
text has none of those, which is most posts; otherwise the text is tokenised a second time for the scan.
Per-word facts (kind, syllables) are cached across texts by their modules (``word_scan``, ``reading_grade``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from flashfusion.linting.voice.common import WORD, strip_non_prose
from flashfusion.linting.voice.reading_grade import counts_of, sentence_words
from flashfusion.linting.voice.word_scan import WordScan, scan_tokens


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


def analyse(text: str) -> VoiceAnalysis:
    prose = strip_non_prose(text)
    segments = sentence_words(prose)
    words, sentences, long_sentences, syllables = counts_of(segments)
    tokens = list(chain.from_iterable(segments)) if prose is text else WORD.findall(text)
    return VoiceAnalysis(words, sentences, long_sentences, syllables, tokens, scan_tokens(text, tokens))
