"""Lint summaries: repeats aggregated, a byte budget kept, and nothing a decision needs lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.limits import LINT_SUMMARY_BYTES, json_bytes
from flashfusion.linting.base import CheckResult, report
from flashfusion.linting.summary import MAX_LOCATIONS, aggregate, summarize
from flashfusion.models import Fix, LintReport, TextSpan, Violation


def emoji_violation(at: int) -> Violation:
    return Violation(
        rule_id="voice.emoji",
        severity="error",
        message="more emoji than the kit allows",
        location=TextSpan(start=at, end=at + 1, text="😀"),
    )


def size(summary: LintReport) -> int:
    return json_bytes(summary.model_dump(mode="json", by_alias=True, exclude_none=True))


def test_repeats_of_one_finding_are_one_violation_with_a_count_and_the_first_locations() -> None:
    aggregated = aggregate([emoji_violation(i) for i in range(498)])
    assert len(aggregated) == 1
    (only,) = aggregated
    assert only.count == 498
    assert [loc.start for loc in only.locations if isinstance(loc, TextSpan)] == list(range(MAX_LOCATIONS))
    assert only.location == TextSpan(start=0, end=1, text="😀")


def test_different_findings_of_one_rule_stay_apart() -> None:
    banned = [
        Violation(rule_id="legal.banned-term", severity="error", message=f'"{term}" is banned')
        for term in ("free", "miracle", "free")
    ]
    aggregated = aggregate(banned)
    assert [(v.message, v.count) for v in aggregated] == [('"free" is banned', 2), ('"miracle" is banned', 1)]
    assert all(v.locations == [] for v in aggregated if v.count == 1)


def test_the_summary_points_at_the_full_report_and_counts_every_finding() -> None:
    full = report([CheckResult(violations=[emoji_violation(i) for i in range(40)], rules_checked=["voice.emoji"])])
    summary = summarize(full, budget_bytes=LINT_SUMMARY_BYTES, report_key="staging/o/r/a.v1.r0.lint.json")
    assert summary.report_key == "staging/o/r/a.v1.r0.lint.json"
    assert summary.findings == 40
    assert summary.omitted == 0
    assert summary.compliant is False


def violation_strategy() -> st.SearchStrategy[Violation]:
    rules = st.sampled_from([f"rule.{n}" for n in range(30)])
    text = st.text(min_size=0, max_size=3000)
    span = st.builds(lambda s, t: TextSpan(start=s, end=s + len(t), text=t), st.integers(0, 5000), text)
    fix = st.builds(lambda sp, t: Fix(kind="replace", span=sp, text=t), span, text)
    return st.builds(
        lambda **fields: Violation(**fields),
        rule_id=rules,
        severity=st.sampled_from(["error", "warning", "suggestion"]),
        message=text,
        location=st.one_of(st.none(), span),
        suggestion=st.one_of(st.none(), text),
        fix=st.one_of(st.none(), fix),
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(violation_strategy(), max_size=400), st.integers(min_value=4_096, max_value=LINT_SUMMARY_BYTES))
def test_any_report_fits_the_budget_and_keeps_every_failing_rule(violations: list[Violation], budget: int) -> None:
    full = report([CheckResult(violations=violations, rules_checked=sorted({v.rule_id for v in violations}))])
    summary = summarize(full, budget_bytes=budget, report_key="k")
    assert size(summary) <= budget
    assert summary.compliant == full.compliant
    assert summary.auto_fixable == full.auto_fixable
    assert summary.result_per_rule() == full.result_per_rule()
    assert {(v.rule_id, v.severity) for v in summary.violations} == {(v.rule_id, v.severity) for v in violations}
    assert summary.findings == len(violations)
    assert summary.omitted == len(aggregate(violations)) - len(summary.violations)
