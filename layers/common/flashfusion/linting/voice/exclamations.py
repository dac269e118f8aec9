"""Exclamation marks in a text, limited to the kit's allowance, with fixes for the extra ones."""

from __future__ import annotations

from flashfusion.linting.base import CheckResult, severity_of
from flashfusion.linting.voice.common import EXCLAMATIONS, replace_with, text_span
from flashfusion.models import Violation, VoiceRules

EXCLAMATION_RULE = "voice.exclamations"


def check_exclamations(text: str, voice: VoiceRules, result: CheckResult) -> None:
    """Each "!" counts. Past the allowance, a run's extra marks go: the first mark of a run that
    starts past the allowance becomes "." (or is dropped after "?"), the rest of the run is removed."""
    severity = severity_of(voice.levels.exclamations)
    if severity is None:
        return
    result.rules_checked.append(EXCLAMATION_RULE)
    if "!" not in text:
        result.metrics["voice.exclamations"] = 0.0
        return
    allowed = voice.max_exclamations
    total = text.count("!")
    result.metrics["voice.exclamations"] = float(total)
    if total <= allowed:
        return
    seen = 0
    for run in EXCLAMATIONS.finditer(text):
        start, end = run.span()
        keep = max(0, min(end - start, allowed - seen))
        seen += end - start
        if keep == end - start:
            continue
        cut = start + keep
        after_question = text[start - 1 : start] in {"?", "."} if start else False
        replacement = "" if keep or after_question else "."
        result.violations.append(
            Violation(
                rule_id=EXCLAMATION_RULE,
                severity=severity,
                message=f"{total} exclamation marks; the brand kit allows {allowed}",
                location=text_span(text, cut, end),
                suggestion="end the sentence with a full stop" if replacement else "remove the extra exclamation marks",
                fix=replace_with(text, cut, end, replacement),
            )
        )
