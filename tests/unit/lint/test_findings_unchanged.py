"""Differential test: every case of the corpus (``findings_corpus``) is linted to exactly the report recorded
before the text lint was restructured for speed (tests/fixtures/lint-findings/README.md)."""

from __future__ import annotations

from tests.unit.lint.findings_corpus import corpus, recorded, report_of

CASES = corpus()
RECORDED = recorded()


def test_the_recording_covers_the_corpus() -> None:
    assert len(CASES) >= 1000
    assert {c.id for c in CASES} == set(RECORDED)


def test_every_report_as_recorded() -> None:
    """One test over the whole corpus (a thousand cases), naming every case that differs and showing the first."""
    differing = [case for case in CASES if report_of(case) != RECORDED[case.id]]
    if differing:
        first = differing[0]
        assert report_of(first) == RECORDED[first.id], f"{len(differing)} differ: {[c.id for c in differing][:20]}"


def test_reports_do_not_depend_on_what_was_linted_before() -> None:
    """Per-word and per-kit caches must not change a report: the corpus linted backwards gives the same."""
    differing = [case.id for case in reversed(CASES) if report_of(case) != RECORDED[case.id]]
    assert differing == []
