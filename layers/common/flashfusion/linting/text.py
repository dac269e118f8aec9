"""Lint a text asset against its brand kit."""

from __future__ import annotations

from flashfusion.linting import terms
from flashfusion.models import BrandKit, LintReport


def lint_text(text: str, kit: BrandKit) -> LintReport:
    violations = [
        *terms.banned_terms(text, kit.legal.banned_terms),
        *terms.required_terms(text, kit.voice.required_terms),
    ]
    return LintReport(
        compliant=not any(v.severity == "error" for v in violations),
        violations=violations,
        rules_checked=[terms.BANNED_RULE, terms.REQUIRED_RULE],
    )
