"""``check_voice``: every voice check of a text against a kit, over one shared analysis (``text_analysis``)."""

from __future__ import annotations

from flashfusion.linting.base import CheckResult
from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice.emojis import _emoji_table, check_emoji, emoji_spans
from flashfusion.linting.voice.exclamations import check_exclamations
from flashfusion.linting.voice.formality import check_formality
from flashfusion.linting.voice.person import check_person
from flashfusion.linting.voice.preferred_terms import check_preferred_terms
from flashfusion.linting.voice.reading_grade import _hyphenator, _readability, check_grade, fk_grade
from flashfusion.linting.voice.sentiment import _sentiment, check_sentiment
from flashfusion.linting.voice.term_patterns import kit_patterns
from flashfusion.linting.voice.text_analysis import analyse
from flashfusion.linting.voice.vale_rules import check_rules
from flashfusion.models import BrandKit, TextSpan, Violation


def check_voice(text: str, kit: BrandKit, channel: str | None = None) -> CheckResult:
    """Voice and tone of ``text`` against ``kit.voice``. ``channel`` is accepted for the engine's
    common check signature; no voice rule depends on it yet."""
    voice = kit.voice
    result = CheckResult()
    analysis = analyse(text)  # the words, sentences, syllables and word scan every check below shares
    words = analysis.words
    result.metrics["voice.words"] = float(words)
    result.metrics["voice.sentences"] = float(analysis.sentences)

    check_sentiment(text, voice, result)
    grade = check_grade(fk_grade(words, analysis.long_sentences, analysis.syllables), words, voice, result)
    emoji = emoji_spans(text)
    check_formality(text, words, voice, analysis.scan, len(emoji), result)
    check_person(text, voice, analysis.scan, result)
    check_exclamations(text, voice, result)
    check_emoji(text, voice, emoji, result)
    patterns = kit_patterns(voice)
    norm = normalise(text)  # the same normalisation the legal checks use (cached per text)
    check_preferred_terms(text, voice, patterns, norm, result)
    check_rules(text, voice, patterns, norm, grade, words, result, analysis.tokens)
    if len(result.violations) > 1:
        result.violations.sort(key=_position)
    return result


def _position(v: Violation) -> int:
    return v.location.start if isinstance(v.location, TextSpan) else -1


def warm_up() -> None:
    """Load every analyzer now (e.g. at a Lambda cold start) instead of on the first lint."""
    _readability().grade("Warm up the reading grade. It loads the dictionary once.")
    _hyphenator()
    _sentiment()("warm up")
    _emoji_table().find("warm up 👍")
