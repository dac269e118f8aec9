"""``check_voice``: every voice check of a text against a kit, over one shared reading of its whitespace pieces
(``pieces``)."""

from __future__ import annotations

from flashfusion.linting.base import CheckResult
from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice.emojis import _emoji_table, emoji_findings
from flashfusion.linting.voice.exclamations import exclamation_findings, marks_in
from flashfusion.linting.voice.formality import clashes, formality_finding, formality_score
from flashfusion.linting.voice.person import person_finding
from flashfusion.linting.voice.pieces import (
    BANGS,
    EMOJI,
    FIELD,
    FIRST,
    FORMAL_HALVES,
    SECOND,
    THIRD,
    TextFacts,
    text_facts,
)
from flashfusion.linting.voice.plan import voice_plan
from flashfusion.linting.voice.preferred_terms import check_preferred_terms
from flashfusion.linting.voice.reading_grade import (
    GRADE_RULE,
    MIN_GRADE_WORDS,
    NO_WORDS,
    _hyphenator,
    _readability,
    fk_grade,
    grade_finding,
    shrunk_grade,
)
from flashfusion.linting.voice.sentiment import _sentiment, sentiment_finding
from flashfusion.linting.voice.term_patterns import kit_patterns
from flashfusion.linting.voice.vale_rules import check_rules
from flashfusion.models import BrandKit, NotChecked, TextSpan, Violation


def check_voice(text: str, kit: BrandKit, channel: str | None = None) -> CheckResult:
    """Voice and tone of ``text`` against ``kit.voice``. ``channel`` is accepted for the engine's
    common check signature; no voice rule depends on it yet.

    The built-in checks (sentiment, reading grade, formality, person, exclamations, emoji) read the text's facts
    (``pieces``) against the kit's plan (``plan``); a finding is built only when one is due. Their plain forms,
    which this is tested against, are in ``tests/unit/lint/voice_reference.py``."""
    voice = kit.voice
    plan = voice_plan(voice)
    facts = text_facts(text)  # the words, sentences, syllables, word scan, VADER tokens and emoji every check shares
    words = facts.words
    total = facts.total  # the pieces' packed counts, read here rather than through the facts' properties
    violations: list[Violation] = []
    metrics = {"voice.words": float(words), "voice.sentences": float(facts.sentences)}
    result = CheckResult(
        violations, list(plan.rules_checked if words else plan.rules_checked_without_words), [], metrics
    )

    severity = plan.sentiment
    if severity is not None:
        compound = _compound(text, facts)
        metrics["voice.sentiment"] = compound
        low, high = plan.sentiment_range
        if not low <= compound <= high:
            violations.append(sentiment_finding(compound, low, high, severity))

    grade: float | None = None
    if words:
        low, high = plan.grade_range
        grade = shrunk_grade(fk_grade(words, facts.long_sentences, facts.syllables), words, low, high)
        metrics["voice.grade"] = grade
        metrics["voice.grade-estimated"] = 1.0 if words < MIN_GRADE_WORDS else 0.0
        metrics["voice.grade-cmudict"] = 1.0 if _readability().cmudict else 0.0
        severity = plan.grade
        if severity is not None and (grade > high or (grade < low and words >= MIN_GRADE_WORDS)):
            violations.append(grade_finding(grade, words, low, high, severity))
    else:
        result.not_checked.append(NotChecked(check=GRADE_RULE, reason=NO_WORDS))

    emoji = (total >> EMOJI) & FIELD
    severity = plan.formality
    if severity is not None:
        openings = facts.imperative_openings()
        score, label = formality_score(
            ((total >> FORMAL_HALVES) & FIELD) / 2, facts.casual_weight(openings), emoji, words
        )
        metrics["voice.formality"] = score
        if clashes(plan.wanted_formality, score, label):
            violations.append(formality_finding(score, facts.casual_found(openings), plan.wanted_formality, severity))

    first, second, third = (total >> FIRST) & FIELD, (total >> SECOND) & FIELD, (total >> THIRD) & FIELD
    metrics["voice.pronouns.first"] = float(first)
    metrics["voice.pronouns.second"] = float(second)
    metrics["voice.pronouns.third"] = float(third)
    severity = plan.person
    if severity is not None and (first or second or third):
        persons = [first, second, third]
        wanted = persons.pop(plan.person_index)
        others = max(persons)
        if others and (not wanted or others > wanted):  # what ``person_finding`` finds (None otherwise)
            counts = {"first": first, "second": second, "third": third}
            finding = person_finding(text, counts, plan.person_wanted, severity, facts.first_at)
            if finding is not None:
                violations.append(finding)

    severity = plan.exclamations
    if severity is not None:
        marks = marks_in(text) if (total >> BANGS) & FIELD else 0  # no run of marks: no mark
        metrics["voice.exclamations"] = float(marks)
        if marks > plan.max_exclamations:
            exclamation_findings(text, marks, plan.max_exclamations, severity, violations)

    if plan.emoji:
        metrics["voice.emoji"] = float(emoji)
        if emoji > plan.emoji_allowed:
            emoji_findings(text, voice, emoji, violations)

    patterns = kit_patterns(voice)
    norm = normalise(text)  # the same normalisation the legal checks use (cached per text)
    present = patterns.present(norm)  # the kit's terms' first words in the text, looked for once
    check_preferred_terms(text, voice, patterns, norm, result, present)
    check_rules(text, voice, patterns, norm, grade, words, result, may_repeat=facts.may_repeat, present=present)
    if len(violations) > 1:
        violations.sort(key=_position)
    return result


def _compound(text: str, facts: TextFacts) -> float:
    """VADER's compound score of ``text`` from its pieces' tokens: 0 when none may carry a valence."""
    tokens = facts.vader_tokens
    if tokens is None:
        return 0.0
    vader = _sentiment()
    # VADER reads the text only for its "!" and "?", which its emoji descriptions may add to
    described = facts.vader_emoji and any(map(text.__contains__, vader.punctuating_emoji))
    scored = vader._no_emoji(text).strip() if described else text
    return vader.compound(tokens, scored)


def _position(v: Violation) -> int:
    return v.location.start if isinstance(v.location, TextSpan) else -1


def warm_up() -> None:
    """Load every analyzer now (e.g. at a Lambda cold start) instead of on the first lint."""
    _readability().grade("Warm up the reading grade. It loads the dictionary once.")
    _hyphenator()
    _sentiment()("warm up")
    _emoji_table().find("warm up 👍")
