"""The kit's preferred terms, and the substitutions they share with the Vale-style substitution rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flashfusion.linting.base import CheckResult
from flashfusion.linting.voice.common import match_case, replace_with, text_span
from flashfusion.linting.voice.term_patterns import KitPatterns, Terms
from flashfusion.models import Violation, VoiceRules

if TYPE_CHECKING:
    # Annotations only: importing flashfusion.brandkit before flashfusion.models is a circular import.
    from flashfusion.brandkit import Level

PREFERRED_RULE = "voice.preferred-term"


def substitutions(
    text: str, terms: Terms, wanted_for: Sequence[str], runs: frozenset[str] | None, rule_id: str, level: Level
) -> list[Violation]:
    found: list[Violation] = []
    for index, match in terms.matches(text, runs):
        wanted = wanted_for[index]
        replacement = match_case(match.group(0), wanted)
        if match.group(0) == replacement:
            continue
        found.append(
            Violation(
                rule_id=rule_id,
                severity=level,
                message=f'use "{wanted}" instead of "{match.group(0)}"',
                location=text_span(text, match.start(), match.end()),
                suggestion=f'replace with "{replacement}"',
                fix=replace_with(text, match.start(), match.end(), replacement),
            )
        )
    return found


def check_preferred_terms(
    text: str, voice: VoiceRules, patterns: KitPatterns, runs: frozenset[str] | None, result: CheckResult
) -> None:
    if not voice.preferred_terms:
        return
    result.rules_checked.append(PREFERRED_RULE)
    result.violations += substitutions(
        text, patterns.preferred, patterns.preferred_wanted, runs, PREFERRED_RULE, "warning"
    )
