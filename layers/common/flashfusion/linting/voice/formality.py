"""Formality of a text against the kit's voice (formal, neutral, casual).

Formality is a heuristic, not a model. Per text it counts
  casual markers: contractions (we're, don't, it's...), slang and chatty words (gonna, awesome, hey,
  lol...), sentences opening with an imperative verb (Grab, Join, Check...), "!" and emoji (half weight);
  formal markers: formal connectives and diction (therefore, however, regarding, shall, pursuant...)
  and long words (13+ letters, half weight),
and scores ``(formal - casual) * 5 / max(words, 20)`` clipped to [-1, 1] (net markers per 20 words):
<= -0.35 reads casual, >= 0.35 formal, else neutral. A "formal" kit is warned when the score is
below -0.1 (any net casual tone); a "casual" kit when it reads formal; a "neutral" kit only at the
extremes (|score| >= 0.6).
"""

from __future__ import annotations

from typing import Final, Literal

from flashfusion.linting import findings
from flashfusion.linting.voice.common import WORD
from flashfusion.linting.voice.word_scan import WordScan, scan_words
from flashfusion.models import Severity, Violation

FORMALITY_RULE = "voice.formality"

FORMALITY_SCALE: Final = 5.0
FORMALITY_MIN_WORDS: Final = 20
"""Shorter texts are scored as if 20 words long: one marker in a 6-word post is not a verdict."""
CASUAL_AT: Final = -0.35
FORMAL_AT: Final = 0.35
FORMAL_KIT_MAX_CASUAL: Final = -0.1
NEUTRAL_KIT_LIMIT: Final = 0.6

Formality = Literal["casual", "neutral", "formal"]


def formality_markers(text: str) -> tuple[float, float, list[str]]:
    """(formal weight, casual weight, casual markers found) — see the module docstring."""
    scan = scan_words(text)
    return scan.formal, scan.casual, scan.found


def formality_of(
    text: str, words: int | None = None, emoji_count: int = 0, scan: WordScan | None = None
) -> tuple[float, Formality, list[str]]:
    """A formality score in [-1, 1] (negative: casual), its label and the casual markers found."""
    if scan is None:
        scan = scan_words(text)
    n = words if words is not None else len(WORD.findall(text))
    score, label = formality_score(scan.formal, scan.casual, emoji_count, n)
    return score, label, scan.found


def formality_score(formal: float, casual: float, emoji_count: int, words: int) -> tuple[float, Formality]:
    """The score (rounded) and label of a text of ``words`` words with these marker weights and emoji."""
    casual += 0.5 * emoji_count
    score = max(-1.0, min(1.0, (formal - casual) * FORMALITY_SCALE / max(words, FORMALITY_MIN_WORDS)))
    label: Formality = "casual" if score <= CASUAL_AT else "formal" if score >= FORMAL_AT else "neutral"
    return round(score, 3), label


def clashes(wanted: str, score: float, label: Formality) -> bool:
    """Whether a text of this score and label is off the kit's formality."""
    return (
        (wanted == "formal" and score < FORMAL_KIT_MAX_CASUAL)
        or (wanted == "casual" and label == "formal")
        or (wanted == "neutral" and abs(score) >= NEUTRAL_KIT_LIMIT)
    )


def formality_finding(score: float, found: list[str], wanted: str, severity: Severity) -> Violation:
    """The finding for a text whose score clashes with the kit's ``wanted`` formality; ``found``: its casual
    markers (named when it reads casual)."""
    reads = "casual" if score < 0 else "formal"
    detail = f" ({', '.join(dict.fromkeys(found))})" if score < 0 and found else ""
    return findings.violation(
        rule_id=FORMALITY_RULE,
        severity=severity,
        message=f"reads {reads} (formality {score:+.2f}){detail}; the brand kit's voice is {wanted}",
        suggestion=(
            "spell out contractions and drop slang and exclamations"
            if score < 0
            else "use plainer words and a more conversational tone"
        ),
    )
