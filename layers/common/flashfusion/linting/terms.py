"""Banned and required terms in text: whole words, any case, any run of spaces inside a phrase."""

from __future__ import annotations

import re
from functools import lru_cache

from flashfusion.models import TextSpan, Violation

BANNED_RULE = "legal.banned-term"
REQUIRED_RULE = "voice.required-term"


@lru_cache(maxsize=4096)  # a kit's terms are few and reused on every post
def term_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    # \b fails next to non-word characters (e.g. "C++"), so use look-arounds on word characters instead.
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def banned_terms(text: str, terms: list[str]) -> list[Violation]:
    found: list[Violation] = []
    for term in terms:
        for match in term_pattern(term).finditer(text):
            found.append(
                Violation(
                    rule_id=BANNED_RULE,
                    severity="error",
                    message=f'"{match.group(0)}" is a banned term in this brand kit',
                    location=TextSpan(start=match.start(), end=match.end(), text=match.group(0)),
                    suggestion=f'remove or rephrase "{match.group(0)}"',
                )
            )
    return sorted(found, key=lambda v: v.location.start if v.location else 0)


def required_terms(text: str, terms: list[str]) -> list[Violation]:
    return [
        Violation(
            rule_id=REQUIRED_RULE,
            severity="error",
            message=f'the required term "{term}" does not appear',
            suggestion=f'mention "{term}"',
        )
        for term in terms
        if not term_pattern(term).search(text)
    ]
