"""What every check returns, and how check results become one lint report.

A check is a function taking the asset (text, an RGB image array, audio samples...) and the brand kit
and returning a CheckResult. It never raises for a non-compliant asset; it reports violations. What it
cannot check here (no OCR engine, no moderation service offline) goes in ``not_checked``, never
counted as passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flashfusion.linting.findings import lint_report
from flashfusion.models import LintReport, NotChecked, Severity, Violation

SEVERITIES: dict[str, Severity] = {"error": "error", "warning": "warning", "suggestion": "suggestion"}


def severity_of(level: str) -> Severity | None:
    """The severity a kit's rule level gives its findings; None for "off" (the rule does not run)."""
    return SEVERITIES.get(level)


def softer(severity: Severity) -> Severity:
    """One level down: error -> warning -> suggestion (which stays)."""
    return "warning" if severity == "error" else "suggestion"


@dataclass
class CheckResult:
    violations: list[Violation] = field(default_factory=list)
    rules_checked: list[str] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    def __init__(
        self,
        violations: list[Violation] | None = None,
        rules_checked: list[str] | None = None,
        not_checked: list[NotChecked] | None = None,
        metrics: dict[str, float] | None = None,
    ) -> None:
        # the dataclass's own ``__init__``, written out (``dataclass`` keeps a class's own): compiled, it is native
        # code, where the generated one runs as Python (~0.3 us per result, several results per lint)
        self.violations = [] if violations is None else violations
        self.rules_checked = [] if rules_checked is None else rules_checked
        self.not_checked = [] if not_checked is None else not_checked
        self.metrics = {} if metrics is None else metrics


_WITHOUT_REPEATS: dict[tuple[str, ...], bool] = {}
"""Whether each list of rules a report merged had no repeat: a kit's checks list the same rules post after post,
and looking the list up costs less than a set of it. Bounded: cleared when full."""
_WITHOUT_REPEATS_MAX = 1024


def _without_repeats(rules: list[str]) -> bool:
    key = tuple(rules)
    known = _WITHOUT_REPEATS.get(key)
    if known is None:
        if len(_WITHOUT_REPEATS) >= _WITHOUT_REPEATS_MAX:
            _WITHOUT_REPEATS.clear()
        known = _WITHOUT_REPEATS[key] = len(set(rules)) == len(rules)
    return known


def report(results: Iterable[CheckResult]) -> LintReport:
    results = results if type(results) is list else list(results)
    violations: list[Violation] = []
    rules: list[str] = []
    not_checked: list[NotChecked] = []
    metrics: dict[str, float] = {}
    for result in results:
        if result.violations:
            violations += result.violations
        rules += result.rules_checked
        if result.not_checked:
            not_checked += result.not_checked
        if result.metrics:
            metrics.update(result.metrics)
    if not _without_repeats(rules):  # rare: some rule is listed twice
        rules = _rules_without_repeats(results)
    return _merged(violations, rules, not_checked, metrics)


def text_report(
    first: CheckResult,
    violations: list[Violation],
    rules_checked: tuple[str, ...],
    third: CheckResult,
    fourth: CheckResult,
) -> LintReport:
    """``report([first, CheckResult(violations, list(rules_checked)), third, fourth])``, merged in one step each
    (the text lint's four checks: one of them returns only violations, of one rule)."""
    merged = [*first.violations, *violations, *third.violations, *fourth.violations]
    rules = [*first.rules_checked, *rules_checked, *third.rules_checked, *fourth.rules_checked]
    if not _without_repeats(rules):  # rare: some rule is listed twice
        second = CheckResult(violations, list(rules_checked))
        rules = _rules_without_repeats([first, second, third, fourth])
    return _merged(
        merged,
        rules,
        [*first.not_checked, *third.not_checked, *fourth.not_checked],
        {**first.metrics, **third.metrics, **fourth.metrics},
    )


def _merged(
    violations: list[Violation], rules: list[str], not_checked: list[NotChecked], metrics: dict[str, float]
) -> LintReport:
    """The report of merged results: compliant without an error, auto-fixable when not and some finding has a fix."""
    compliant = True
    fixable = False
    for v in violations:
        if v.severity == "error":
            compliant = False
        if v.fix is not None:
            fixable = True
    # the results' findings are the checks' own, already valid: the report is not validated again
    return lint_report(compliant, not compliant and fixable, violations, rules, not_checked, metrics)


def _rules_without_repeats(results: list[CheckResult]) -> list[str]:
    """The results' rules in order: repeats within one result stay; a rule an earlier result checked is not
    listed again."""
    rules: list[str] = []
    seen: set[str] = set()
    for result in results:
        checked = result.rules_checked
        added = checked if seen.isdisjoint(checked) else [r for r in checked if r not in seen]
        rules += added
        seen.update(added)
    return rules
