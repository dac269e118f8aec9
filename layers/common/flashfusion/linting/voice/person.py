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
from flashfusion.linting.base import softer
from flashfusion.linting.findings import span_in
from flashfusion.models import Severity, Violation

PERSON_RULE = "voice.person"


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
        location=span_in(text, start, end),
        suggestion=f"rewrite in the {wanted} person",
    )
