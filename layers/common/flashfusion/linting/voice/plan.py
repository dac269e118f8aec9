"""What a kit's voice rules decide before any text is read: each built-in check's severity (None: off), its
range or allowance, and the rules every text is checked against. Worked out once per kit's ``VoiceRules`` (cached
by identity, like ``term_patterns.kit_patterns``), so ``check_voice`` does no per-text lookups of the kit."""

from __future__ import annotations

from flashfusion.linting.base import severity_of
from flashfusion.linting.voice.emojis import EMOJI_RULE
from flashfusion.linting.voice.exclamations import EXCLAMATION_RULE
from flashfusion.linting.voice.formality import FORMALITY_RULE
from flashfusion.linting.voice.person import PERSON_RULE
from flashfusion.linting.voice.reading_grade import GRADE_RULE
from flashfusion.linting.voice.sentiment import SENTIMENT_RULE
from flashfusion.models import Severity, VoiceRules


class VoicePlan:
    """The built-in voice checks of one kit, decided."""

    __slots__ = (
        "emoji",
        "emoji_allowed",
        "exclamations",
        "formality",
        "grade",
        "grade_range",
        "max_exclamations",
        "person",
        "person_index",
        "person_wanted",
        "rules_checked",
        "rules_checked_without_words",
        "sentiment",
        "sentiment_range",
        "wanted_formality",
    )

    def __init__(self, voice: VoiceRules) -> None:
        levels = voice.levels
        self.sentiment: Severity | None = severity_of(levels.sentiment)
        self.sentiment_range: tuple[float, float] = voice.sentiment_range
        self.grade: Severity | None = severity_of(levels.reading_grade)
        self.grade_range: tuple[float, float] = voice.reading_grade_range
        self.formality: Severity | None = severity_of(levels.formality)
        self.wanted_formality: str = voice.formality
        self.person: Severity | None = None if voice.person == "any" else severity_of(levels.person)
        self.person_wanted: str = voice.person
        self.person_index = ("first", "second", "third").index(voice.person) if self.person is not None else 0
        """The kit's person's place in ``TextFacts.persons``."""
        self.exclamations: Severity | None = severity_of(levels.exclamations)
        self.max_exclamations: int = voice.max_exclamations
        self.emoji: bool = levels.emoji != "off"
        self.emoji_allowed: float = (
            0 if voice.emoji == "none" else voice.max_emoji if voice.emoji == "limited" else float("inf")
        )
        """The emoji a text may hold without a finding (``emojis.emoji_findings``)."""
        # the built-in checks' rule ids, in the order check_voice runs them (the grade's only for a text with words)
        ran = [
            (SENTIMENT_RULE, self.sentiment is not None),
            (GRADE_RULE, self.grade is not None),
            (FORMALITY_RULE, self.formality is not None),
            (PERSON_RULE, self.person is not None),
            (EXCLAMATION_RULE, self.exclamations is not None),
            (EMOJI_RULE, self.emoji),
        ]
        self.rules_checked: tuple[str, ...] = tuple(rule for rule, runs in ran if runs)
        self.rules_checked_without_words: tuple[str, ...] = tuple(
            rule for rule, runs in ran if runs and rule != GRADE_RULE
        )


PLAN_CACHE_LIMIT = 64
_plans: dict[int, tuple[VoiceRules, VoicePlan]] = {}


def voice_plan(voice: VoiceRules) -> VoicePlan:
    """The plan of ``voice``, looked up by identity (the cache holds the object, so its id is not reused while
    cached). As with ``kit_patterns``, a kit's voice rules are not expected to change in place once linted."""
    cached = _plans.get(id(voice))
    if cached is not None and cached[0] is voice:
        return cached[1]
    if len(_plans) >= PLAN_CACHE_LIMIT:
        _plans.clear()
    plan = VoicePlan(voice)
    _plans[id(voice)] = (voice, plan)
    return plan
