"""Banned and required terms in text, as ``linting.term_match`` finds them: whole words, any case, through
Unicode disguises, phrase words across spaces, hyphens or nothing. (``legal.find_banned`` adds inflections
and l33t spellings for the banned terms of the legal check.)"""

from __future__ import annotations

import re

from flashfusion.linting import findings
from flashfusion.linting.term_match import find_term, has_term, term_regex
from flashfusion.models import Violation

BANNED_RULE = "legal.banned-term"
REQUIRED_RULE = "voice.required-term"


def term_pattern(term: str) -> re.Pattern[str]:
    """The pattern of ``term`` over *normalised* text (``normalise(text).text``); ``find_term`` also checks
    the boundary exceptions and maps spans back. Kept for callers that only ask whether plain text has it."""
    return term_regex(term)


def banned_terms(text: str, terms: list[str]) -> list[Violation]:
    found: list[Violation] = []
    for term in terms:
        for match in find_term(text, term):
            found.append(
                findings.violation(
                    rule_id=BANNED_RULE,
                    severity="error",
                    message=f'"{match.text}" is a banned term in this brand kit',
                    location=findings.text_span(start=match.start, end=match.end, text=match.text),
                    suggestion=f'remove or rephrase "{match.text}"',
                )
            )
    return sorted(found, key=lambda v: v.location.start if v.location else 0)


def required_terms(text: str, terms: list[str]) -> list[Violation]:
    return [
        findings.violation(
            rule_id=REQUIRED_RULE,
            severity="error",
            message=f'the required term "{term}" does not appear',
            suggestion=f'mention "{term}"',
        )
        for term in terms
        if not has_term(text, term)
    ]
