"""The findings the text checks build (``TextSpan``, ``Fix``, ``Violation``) and the report they merge into,
made without pydantic re-validating values the checks made themselves.

Each function returns what the model's constructor would build from the same arguments: the same field values
(defaults included), in field order, and the same fields set (the arguments given; an argument left at None is
not given). Validation was a tenth of a short post's lint. The arguments must already be of their fields'
types (ints for offsets, a ``Severity`` for the severity): the callers are the checks, which make them so.
``tests/unit/lint/test_findings_built.py`` holds every finding of the findings corpus to the validated models.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from flashfusion.models import Fix, LintReport, NotChecked, Severity, TextSpan, Violation

_Model = TypeVar("_Model", TextSpan, Fix, Violation, LintReport)
# ``Final``: compiled, each of these is read from a C static, not looked up in the module's dict on every use
_new: Final = object.__new__
_TEXT_SPAN: Final = TextSpan
_VIOLATION: Final = Violation
_LINT_REPORT: Final = LintReport
_SPAN_FIELDS: Final = frozenset({"start", "end", "text"})
_FIX_FIELDS: Final = frozenset({"kind", "span", "text"})
_REPORT_FIELDS: Final = frozenset(
    {"compliant", "auto_fixable", "violations", "rules_checked", "not_checked", "metrics"}
)


# BaseModel's slots, set through their descriptors (``object.__setattr__`` looks each up on the class first)
_set_dict: Final = vars(BaseModel)["__dict__"].__set__
_set_fields_set: Final = vars(BaseModel)["__pydantic_fields_set__"].__set__
_set_extra: Final = vars(BaseModel)["__pydantic_extra__"].__set__
_set_private: Final = vars(BaseModel)["__pydantic_private__"].__set__


def _trusted(cls: type[_Model], values: dict[str, Any], fields_set: set[str]) -> _Model:
    model = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


def text_span(start: int, end: int, text: str) -> TextSpan:
    """``TextSpan(start=start, end=end, text=text)``."""
    # _trusted, inlined: a span is built for most findings
    model = _new(_TEXT_SPAN)
    _set_dict(model, {"start": start, "end": end, "text": text})
    _set_fields_set(model, set(_SPAN_FIELDS))
    _set_extra(model, None)
    _set_private(model, None)
    return model


def span_in(text: str, start: int, end: int) -> TextSpan:
    """The span ``text[start:end]``."""
    return text_span(start, end, text[start:end])


def replacing(text: str, start: int, end: int, replacement: str) -> Fix:
    """A fix replacing ``text[start:end]`` with ``replacement``."""
    return fix("replace", span_in(text, start, end), replacement)


def fix(kind: str, span: TextSpan, text: str) -> Fix:
    """``Fix(kind=kind, span=span, text=text)`` (``kind``: "replace", "insert" or "trim")."""
    return _trusted(Fix, {"kind": kind, "span": span, "text": text}, set(_FIX_FIELDS))


_OPTIONAL = ("location", "suggestion", "fix")
_VIOLATION_FIELDS_SET: Final = tuple(
    frozenset({"rule_id", "severity", "message"} | {name for bit, name in enumerate(_OPTIONAL) if given >> bit & 1})
    for given in range(8)
)
"""The fields set of a violation, by which of its optional fields are given (bit 0: location, 1: suggestion,
2: fix)."""


def violation(
    rule_id: str,
    severity: Severity,
    message: str,
    location: TextSpan | None = None,
    suggestion: str | None = None,
    fix: Fix | None = None,
) -> Violation:
    """``Violation(rule_id=..., severity=..., message=...)`` with the optional fields that are not None."""
    given = (location is not None) + 2 * (suggestion is not None) + 4 * (fix is not None)
    # _trusted, inlined: every check builds its violations here
    model = _new(_VIOLATION)
    _set_dict(
        model,
        {
            "rule_id": rule_id,
            "severity": severity,
            "message": message,
            "location": location,
            "suggestion": suggestion,
            "fix": fix,
            "count": 1,
            "locations": [],
        },
    )
    _set_fields_set(model, set(_VIOLATION_FIELDS_SET[given]))
    _set_extra(model, None)
    _set_private(model, None)
    return model


def lint_report(
    compliant: bool,
    auto_fixable: bool,
    violations: list[Violation],
    rules_checked: list[str],
    not_checked: list[NotChecked],
    metrics: dict[str, float],
) -> LintReport:
    """``LintReport(compliant=..., auto_fixable=..., violations=..., rules_checked=..., not_checked=...,
    metrics=...)``; validated as usual when a metric is not a float (validation would make it one). The report
    holds the lists and the dict given (as validation would hold copies): the caller makes them for it."""
    if not _all_floats(metrics.values()):
        return LintReport(
            compliant=compliant,
            auto_fixable=auto_fixable,
            violations=violations,
            rules_checked=rules_checked,
            not_checked=not_checked,
            metrics=dict(metrics),
        )
    # _trusted, inlined: one report per lint
    model = _new(_LINT_REPORT)
    values = {
        "compliant": compliant,
        "violations": violations,
        "rules_checked": rules_checked,
        "not_checked": not_checked,
        "metrics": metrics,
        "auto_fixable": auto_fixable,
        "checked_at": datetime.now(UTC),  # ``models.utcnow()``, the field's default, without its Python call
        "report_key": None,
        "findings": None,
        "omitted": 0,
    }
    _set_dict(model, values)
    _set_fields_set(model, set(_REPORT_FIELDS))
    _set_extra(model, None)
    _set_private(model, None)
    return model


def _all_floats(values: Iterable[object]) -> bool:
    """Whether every one of a report's metrics is a float itself (not a subclass, not an int): what validation keeps.
    (``object``, not ``float``: compiled, a ``float`` would be unboxed, an int converted, and the test lost.)"""
    for value in values:  # noqa: SIM110 - a loop: as cheap run as Python as all() of a generator, and compiled a C loop
        if type(value) is not float:
            return False
    return True
