"""Grammatical person of a text against the kit's (first, second, third or any).

Person counts first (I, we, our...), second (you, your...) and third (he, she, they, them...) person
pronouns; "it" is left out (it is as common in first-person copy as anywhere). When the kit's person
has no pronoun and another has some: the kit's level for person (``voice.levels.person``, warning by
default). When the kit's person is present but another person outnumbers it: one level softer (suggestion
by default).
"""

from __future__ import annotations

from collections.abc import Callable

from flashfusion.linting import findings
from flashfusion.linting.base import CheckResult, severity_of, softer
from flashfusion.linting.voice.common import text_span
from flashfusion.linting.voice.word_scan import WordScan
from flashfusion.models import Severity, Violation, VoiceRules

PERSON_RULE = "voice.person"
_METRIC = {person: f"voice.pronouns.{person}" for person in ("first", "second", "third")}


def check_person(text: str, voice: VoiceRules, scan: WordScan, result: CheckResult) -> None:
    counts = scan.counts
    metrics = result.metrics
    for person, count in counts.items():
        metrics[_METRIC[person]] = float(count)
    wanted = voice.person
    base_severity = severity_of(voice.levels.person)
    if wanted == "any" or base_severity is None:
        return
    result.rules_checked.append(PERSON_RULE)
    finding = person_finding(text, counts, wanted, base_severity, lambda: scan.first_at)
    if finding is not None:
        result.violations.append(finding)


def person_finding(
    text: str,
    counts: dict[str, int],
    wanted: str,
    base_severity: Severity,
    first_at: Callable[[], dict[str, tuple[int, int]]],
) -> Violation | None:
    """The finding, if any, for a text with these pronoun ``counts`` (first, second, third, in that order) when the
    kit's person is ``wanted``; ``first_at``: the text's first pronoun of each person, asked only for a finding."""
    others = {p: c for p, c in counts.items() if p != wanted and c > 0}
    if not others:
        return None
    dominant = max(others, key=lambda p: others[p])
    severity: Severity
    if counts[wanted] == 0:
        severity = base_severity
        message = f"written in the {dominant} person ({others[dominant]} pronouns); the brand speaks in the {wanted}"
    elif others[dominant] > counts[wanted]:
        severity = softer(base_severity)
        message = (
            f"mostly {dominant}-person pronouns ({others[dominant]} against {counts[wanted]} "
            f"{wanted}-person); the brand speaks in the {wanted}"
        )
    else:
        return None
    start, end = first_at()[dominant]
    return findings.violation(
        rule_id=PERSON_RULE,
        severity=severity,
        message=message,
        location=text_span(text, start, end),
        suggestion=f"rewrite in the {wanted} person",
    )
