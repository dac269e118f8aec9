"""Exclamation marks in a text, limited to the kit's allowance, with fixes for the extra ones."""

from __future__ import annotations

import re
import unicodedata

from flashfusion.linting import findings
from flashfusion.linting.findings import replacing, span_in
from flashfusion.linting.voice.common import EXCLAMATION_CHARS, EXCLAMATIONS
from flashfusion.models import Severity, Violation

EXCLAMATION_RULE = "voice.exclamations"


MARKS = {c: unicodedata.normalize("NFKC", c).count("!") for c in EXCLAMATION_CHARS}
"""Exclamation marks per character, as NFKC reads them: fullwidth and small "!" are one, "‼" two, "⁉" and "⁈" one."""


_OTHER_MARKS = re.compile("[" + "".join(c for c in MARKS if c != "!") + "]")
"""The exclamation characters other than "!" (all non-ASCII)."""


def marks_in(text: str) -> int:
    if text.isascii() or _OTHER_MARKS.search(text) is None:
        return text.count("!")
    return sum(text.count(c) * marks for c, marks in MARKS.items())


def exclamation_findings(text: str, total: int, allowed: int, severity: Severity, violations: list[Violation]) -> None:
    """The findings for ``text`` holding ``total`` exclamation marks (``marks_in``: each counts after NFKC, "‼" is
    two), more than ``allowed``. Past the allowance, a run's extra marks go: the first mark of a run that starts
    past the allowance becomes "." (or is dropped after "?"), the rest of the run is removed; a "‼" half inside the
    allowance becomes "!"."""
    message = f"{total} exclamation marks; the brand kit allows {allowed}"
    seen = 0
    for run in EXCLAMATIONS.finditer(text):
        start, end = run.span()
        cut = start
        while cut < end and seen + MARKS[text[cut]] <= allowed:
            seen += MARKS[text[cut]]
            cut += 1
        if cut == end:
            continue
        partial = allowed - seen if seen < allowed else 0  # a "‼" with one mark still allowed
        seen = allowed
        after_question = text[start - 1 : start] in {"?", "."} if start else False
        replacement = "!" * partial if partial else ("" if cut > start or after_question else ".")
        violations.append(
            findings.violation(
                rule_id=EXCLAMATION_RULE,
                severity=severity,
                message=message,
                location=span_in(text, cut, end),
                suggestion="end the sentence with a full stop"
                if replacement == "."
                else "remove the extra exclamation marks",
                fix=replacing(text, cut, end, replacement),
            )
        )
