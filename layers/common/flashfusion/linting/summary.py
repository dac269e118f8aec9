"""Lint reports that stay small: repeats of one finding become one violation with a count, and the
summary the workflow carries is cut to a byte budget.

A post of 500 emoji is one ``voice.emoji`` finding with ``count`` 500 and its first locations, not 500
violations. The full report (every occurrence, every fix) is kept elsewhere (S3) and the summary points
at it; what the summary must keep whatever its size: whether the asset is compliant and fixable, and at
least one violation for every rule and severity that fired, so per-rule results stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable

from flashfusion.limits import json_bytes
from flashfusion.models import LintReport, Location, TextSpan, Violation

MAX_LOCATIONS = 10
"""Locations kept for a repeated finding."""
_SEVERITY_ORDER = {"error": 0, "warning": 1, "suggestion": 2}
_TIGHT_LOCATIONS = 3
_TIGHT_CHARS = 300


def aggregate(violations: Iterable[Violation], max_locations: int = MAX_LOCATIONS) -> list[Violation]:
    """One violation per distinct finding (rule, severity, message, suggestion), in first-seen order."""
    groups: dict[tuple[str, str, str, str | None], Violation] = {}
    for violation in violations:
        key = (violation.rule_id, violation.severity, violation.message, violation.suggestion)
        seen = groups.get(key)
        if seen is None:
            groups[key] = violation.model_copy(
                update={"locations": list(violation.locations) or _located(violation.location)}
            )
            continue
        added = list(violation.locations) or _located(violation.location)
        locations = (seen.locations + added)[:max_locations]
        groups[key] = seen.model_copy(update={"count": seen.count + violation.count, "locations": locations})
    return [v if v.count > 1 else v.model_copy(update={"locations": []}) for v in groups.values()]


def _located(location: Location | None) -> list[Location]:
    return [location] if location is not None else []


def summarize(report: LintReport, *, budget_bytes: int, report_key: str | None = None) -> LintReport:
    """The report as the workflow state carries it: aggregated, pointing at the full report, within budget."""
    findings = sum(v.count for v in report.violations)
    summary = report.model_copy(
        update={"violations": aggregate(report.violations), "report_key": report_key, "findings": findings}
    )
    if _size(summary) <= budget_bytes:
        return summary
    tight = [_tighten(v) for v in summary.violations]
    summary = summary.model_copy(update={"violations": tight})
    if _size(summary) <= budget_bytes:
        return summary
    return _fit(summary, budget_bytes)


def _size(report: LintReport) -> int:
    return json_bytes(report.model_dump(mode="json", by_alias=True, exclude_none=True))


def _cut(text: str | None, chars: int = _TIGHT_CHARS) -> str | None:
    if text is None or len(text) <= chars:
        return text
    return text[: chars - 1] + "…"


def _tighten(violation: Violation) -> Violation:
    """Fewer locations, no fix (it is in the full report), messages and quoted text cut."""
    location = violation.location
    if isinstance(location, TextSpan):
        location = location.model_copy(update={"text": _cut(location.text, 80) or ""})
    locations = [
        loc.model_copy(update={"text": _cut(loc.text, 80) or ""}) if isinstance(loc, TextSpan) else loc
        for loc in violation.locations[:_TIGHT_LOCATIONS]
    ]
    return violation.model_copy(
        update={
            "message": _cut(violation.message) or "",
            "suggestion": _cut(violation.suggestion),
            "location": location,
            "locations": locations,
            "fix": None,
        }
    )


def _fit(summary: LintReport, budget_bytes: int) -> LintReport:
    """Errors first, then warnings, then suggestions, while they fit; one per rule and severity always.

    The "always" part is bounded by the kit's rules (a few dozen), each violation by its tightened size.
    """
    ordered = sorted(
        enumerate(summary.violations), key=lambda item: (_SEVERITY_ORDER.get(item[1].severity, 9), item[0])
    )
    chosen: dict[int, Violation] = {}
    represented: set[tuple[str, str]] = set()
    for index, violation in ordered:
        if (violation.rule_id, violation.severity) not in represented:
            represented.add((violation.rule_id, violation.severity))
            chosen[index] = violation.model_copy(update={"locations": []})
    size = _size(summary.model_copy(update={"violations": list(chosen.values())}))
    for index, violation in ordered:
        if index in chosen:
            continue
        extra = json_bytes(violation.model_dump(mode="json", by_alias=True, exclude_none=True)) + 1
        if size + extra <= budget_bytes:
            chosen[index] = violation
            size += extra
    kept = [chosen[index] for index in sorted(chosen)]
    return summary.model_copy(update={"violations": kept, "omitted": len(summary.violations) - len(kept)})
