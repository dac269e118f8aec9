"""Banned and required terms in text, as ``linting.term_match`` finds them: whole words, any case, through
Unicode disguises, phrase words across spaces, hyphens or nothing. (``legal.find_banned`` adds inflections
and l33t spellings for the banned terms of the legal check.)"""

from __future__ import annotations

import re
from functools import lru_cache

from flashfusion.linting import findings
from flashfusion.linting.normalise import normalise
from flashfusion.linting.term_match import find_term, matches_in, term_plan, term_regex
from flashfusion.models import TextSpan, Violation

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
    return sorted(found, key=lambda v: v.location.start if isinstance(v.location, TextSpan) else 0)


def required_terms(text: str, terms: list[str]) -> list[Violation]:
    """A finding for each of ``terms`` that ``has_term`` does not find in ``text``."""
    if not terms:
        return []
    norm = normalise(text)
    key = norm.case_key
    return [
        findings.violation(rule_id=REQUIRED_RULE, severity="error", message=message, suggestion=suggestion)
        for term, run, message, suggestion in _required(tuple(terms))
        # ``has_term``, inlined: a term without words is never found, one whose first run the text lacks is absent
        if run == "" or (run is not None and run not in key) or not matches_in(norm, term)
    ]


@lru_cache(maxsize=256)  # a kit's required terms, on every post
def _required(terms: tuple[str, ...]) -> tuple[tuple[str, str | None, str, str], ...]:
    """Each term with its first run ("": a term without words, never found; None: looked for in every text) and
    its finding's message and suggestion."""
    out = []
    for term in terms:
        plan = term_plan(term)
        run = "" if plan is None else plan[0]
        out.append((term, run, f'the required term "{term}" does not appear', f'mention "{term}"'))
    return tuple(out)
