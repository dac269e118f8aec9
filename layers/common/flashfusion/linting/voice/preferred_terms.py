"""The kit's preferred terms, and the substitutions they share with the Vale-style substitution rule."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import TYPE_CHECKING

from flashfusion.linting import findings
from flashfusion.linting.base import CheckResult
from flashfusion.linting.findings import replacing, span_in
from flashfusion.linting.normalise import Normalised
from flashfusion.linting.voice.common import in_written_shape, match_case
from flashfusion.linting.voice.term_patterns import KitPatterns, Terms
from flashfusion.models import Violation, VoiceRules

if TYPE_CHECKING:
    # Annotations only: importing flashfusion.brandkit before flashfusion.models is a circular import.
    from flashfusion.brandkit import Level

PREFERRED_RULE = "voice.preferred-term"


@lru_cache(maxsize=4096)  # a kit's terms, in the few ways they are written, on every post that names one
def replacement_for(written: str, wanted: str) -> str:
    """``wanted`` in the case and shape of ``written`` (``match_case``, then ``in_written_shape``)."""
    return in_written_shape(written, match_case(written, wanted))


def substitutions(
    text: str,
    terms: Terms,
    wanted_for: Sequence[str],
    norm: Normalised,
    rule_id: str,
    level: Level,
    present: AbstractSet[str] | None = None,
) -> list[Violation]:
    matched = terms.matches(norm, present)
    if not matched:
        return []
    found: list[Violation] = []
    for index, match in matched:
        wanted = wanted_for[index]
        replacement = replacement_for(match.text, wanted)
        if match.text == replacement:
            continue
        found.append(
            findings.violation(
                rule_id=rule_id,
                severity=level,
                message=f'use "{wanted}" instead of "{match.text}"',
                location=span_in(text, match.start, match.end),
                suggestion=f'replace with "{replacement}"',
                fix=replacing(text, match.start, match.end, replacement),
            )
        )
    return found


def check_preferred_terms(
    text: str,
    voice: VoiceRules,
    patterns: KitPatterns,
    norm: Normalised,
    result: CheckResult,
    present: AbstractSet[str] | None = None,
) -> None:
    """``present``: ``patterns.present(norm)``, when known."""
    if not voice.preferred_terms:
        return
    result.rules_checked.append(PREFERRED_RULE)
    if present is not None and patterns.preferred.absent(present):
        return  # none of the terms' first runs is in the text: nothing to substitute
    result.violations += substitutions(
        text, patterns.preferred, patterns.preferred_wanted, norm, PREFERRED_RULE, "warning", present
    )
