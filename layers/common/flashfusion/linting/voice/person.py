"""Grammatical person of a text against the kit's (first, second, third or any).

Person counts first (I, we, our...), second (you, your...) and third (he, she, they, them...) person
pronouns; "it" is left out (it is as common in first-person copy as anywhere). When the kit's person
has no pronoun and another has some: the kit's level for person (``voice.levels.person``, warning by
default). When the kit's person is present but another person outnumbers it: one level softer (suggestion
by default).
"""

from __future__ import annotations

from flashfusion.linting import findings
from flashfusion.linting.base import CheckResult, severity_of, softer
from flashfusion.linting.voice.common import text_span
from flashfusion.linting.voice.word_scan import WordScan
from flashfusion.models import Severity, VoiceRules

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
    others = {p: c for p, c in counts.items() if p != wanted and c > 0}
    if not others:
        return
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
        return
    start, end = scan.first_at[dominant]
    result.violations.append(
        findings.violation(
            rule_id=PERSON_RULE,
            severity=severity,
            message=message,
            location=text_span(text, start, end),
            suggestion=f"rewrite in the {wanted} person",
        )
    )
