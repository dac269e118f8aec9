"""The text checks build their findings and report without validating them (``linting.findings``): each must be
what pydantic builds from the same given values, field for field (equal, the same fields set, the same JSON),
over the whole findings corpus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.linting.findings import fix, lint_report, text_span, violation
from flashfusion.models import Fix, LintReport, TextSpan, Violation
from tests.unit.lint.findings_corpus import corpus, kits


def _validated(model: BaseModel) -> BaseModel:
    """The model pydantic validates from the fields ``model`` was given (nested models validated too)."""
    given: dict[str, Any] = {}
    for name in model.model_fields_set:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            value = _validated(value)
        elif isinstance(value, list):
            value = [_validated(v) if isinstance(v, BaseModel) else v for v in value]
        given[name] = value
    return type(model)(**given)


def _assert_as_validated(model: BaseModel) -> None:
    again = _validated(model)
    assert model == again
    assert model.model_fields_set == again.model_fields_set
    assert model.model_dump_json(by_alias=True) == again.model_dump_json(by_alias=True)
    assert list(model.__dict__) == list(again.__dict__)  # field order, as repr and iteration show it
    for _, value in model:
        if isinstance(value, BaseModel):
            _assert_as_validated(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _assert_as_validated(item)


def test_every_finding_of_the_corpus_is_the_validated_model() -> None:
    checked = 0
    for case in corpus():
        context = LintContext(kit=kits()[case.kit], channel=case.channel, sponsored=case.sponsored, locale=case.locale)
        report = lint_text(case.text, context)
        for found in report.violations:
            _assert_as_validated(found)
            checked += 1
        # the report's time is made when it is built: compare the rest, and its type
        assert isinstance(report.checked_at, datetime)
        assert report.checked_at.tzinfo is not None
        rest = report.model_copy(update={"checked_at": datetime(2026, 1, 1).astimezone()})
        _assert_as_validated(rest)
    assert checked > 1000


def test_each_factory_gives_what_the_constructor_gives() -> None:
    span = text_span(3, 7, "word")
    assert span == TextSpan(start=3, end=7, text="word")
    _assert_as_validated(span)
    made = fix("replace", span, "")
    assert made == Fix(kind="replace", span=TextSpan(start=3, end=7, text="word"), text="")
    _assert_as_validated(made)
    bare = violation("voice.x", "warning", "a message")
    assert (
        bare.model_fields_set == Violation(rule_id="voice.x", severity="warning", message="a message").model_fields_set
    )
    _assert_as_validated(bare)
    full = violation("voice.x", "error", "m", location=span, suggestion="s", fix=made)
    _assert_as_validated(full)
    assert full.locations == []
    assert full.count == 1
    assert bare.locations is not full.locations  # each violation has its own list


def test_a_report_with_a_metric_that_is_not_a_float_is_validated() -> None:
    report = lint_report(True, False, [], ["a"], [], {"n": 3})
    assert type(report.metrics["n"]) is float
    assert report == LintReport(
        compliant=True,
        auto_fixable=False,
        rules_checked=["a"],
        not_checked=[],
        violations=[],
        metrics={"n": 3.0},
        checked_at=report.checked_at,
    )
