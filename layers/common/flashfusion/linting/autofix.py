"""Apply the mechanical fixes a lint report carries: substitutions, disclaimer insertion, trimming."""

from __future__ import annotations

from dataclasses import dataclass

from flashfusion.models import Violation


@dataclass(frozen=True)
class FixOutcome:
    text: str
    applied: list[str]
    """Rule ids of the fixes applied, in text order."""
    skipped: list[str]
    """Rule ids of fixes left out because they overlapped one applied first."""


def apply_fixes(text: str, violations: list[Violation]) -> FixOutcome:
    """Apply every fix whose span still matches the text, right to left so earlier spans stay valid.

    Overlapping fixes: the one starting first wins (a trim to a platform limit spans the text's tail,
    so it goes last and does not fight a substitution inside it); the others wait for the next lint.
    """
    fixes = sorted(
        (v for v in violations if v.fix is not None and text[v.fix.span.start : v.fix.span.end] == v.fix.span.text),
        key=lambda v: (v.fix.span.start, v.fix.span.end) if v.fix else (0, 0),
    )
    chosen: list[Violation] = []
    skipped: list[str] = []
    last_end = -1
    for violation in fixes:
        assert violation.fix is not None  # filtered above
        span = violation.fix.span
        if span.start < last_end:
            skipped.append(violation.rule_id)
            continue
        chosen.append(violation)
        last_end = max(last_end, span.end)
    for violation in reversed(chosen):
        assert violation.fix is not None
        span = violation.fix.span
        text = text[: span.start] + violation.fix.text + text[span.end :]
    return FixOutcome(text=text, applied=[v.rule_id for v in chosen], skipped=skipped)
