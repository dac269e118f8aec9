"""``check_voice``: every voice check of a text against a kit, over one shared reading of its whitespace pieces
(``pieces``)."""

from __future__ import annotations

from flashfusion.linting.base import CheckResult
from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice.emojis import _emoji_table, check_emoji
from flashfusion.linting.voice.exclamations import check_exclamations
from flashfusion.linting.voice.formality import check_formality
from flashfusion.linting.voice.person import check_person
from flashfusion.linting.voice.pieces import TextFacts, text_facts
from flashfusion.linting.voice.preferred_terms import check_preferred_terms
from flashfusion.linting.voice.reading_grade import _hyphenator, _readability, check_grade, fk_grade
from flashfusion.linting.voice.sentiment import _sentiment, check_sentiment
from flashfusion.linting.voice.term_patterns import kit_patterns
from flashfusion.linting.voice.vale_rules import check_rules
from flashfusion.models import BrandKit, TextSpan, Violation


def check_voice(text: str, kit: BrandKit, channel: str | None = None) -> CheckResult:
    """Voice and tone of ``text`` against ``kit.voice``. ``channel`` is accepted for the engine's
    common check signature; no voice rule depends on it yet."""
    voice = kit.voice
    result = CheckResult()
    facts = text_facts(text)  # the words, sentences, syllables, word scan, VADER tokens and emoji every check shares
    words = facts.words
    result.metrics["voice.words"] = float(words)
    result.metrics["voice.sentences"] = float(facts.sentences)

    check_sentiment(text, voice, result, lambda _: _compound(text, facts))
    grade = check_grade(fk_grade(words, facts.long_sentences, facts.syllables), words, voice, result)
    check_formality(text, words, voice, facts.scan, facts.emoji, result)
    check_person(text, voice, facts.scan, result)
    check_exclamations(text, voice, result)
    check_emoji(text, voice, facts.emoji, result)
    patterns = kit_patterns(voice)
    norm = normalise(text)  # the same normalisation the legal checks use (cached per text)
    present = patterns.present(norm)  # the kit's terms' first words in the text, looked for once
    check_preferred_terms(text, voice, patterns, norm, result, present)
    check_rules(text, voice, patterns, norm, grade, words, result, may_repeat=facts.may_repeat, present=present)
    if len(result.violations) > 1:
        result.violations.sort(key=_position)
    return result


def _compound(text: str, facts: TextFacts) -> float:
    """VADER's compound score of ``text`` from its pieces' tokens: 0 when none may carry a valence."""
    if facts.vader_tokens is None:
        return 0.0
    vader = _sentiment()
    # VADER reads the text only for its "!" and "?", which its emoji descriptions may add to
    scored = vader._no_emoji(text).strip() if facts.vader_emoji else text
    return vader.compound(facts.vader_tokens, scored)


def _position(v: Violation) -> int:
    return v.location.start if isinstance(v.location, TextSpan) else -1


def warm_up() -> None:
    """Load every analyzer now (e.g. at a Lambda cold start) instead of on the first lint."""
    _readability().grade("Warm up the reading grade. It loads the dictionary once.")
    _hyphenator()
    _sentiment()("warm up")
    _emoji_table().find("warm up 👍")
