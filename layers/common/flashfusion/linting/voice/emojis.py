"""Emoji in a text: found with the emoji package's table (loaded lazily), limited as the kit says."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from flashfusion.linting import findings
from flashfusion.linting.base import severity_of
from flashfusion.linting.findings import replacing, span_in
from flashfusion.linting.voice.common import NON_ASCII, removal_span

if TYPE_CHECKING:
    from flashfusion.models import Violation, VoiceRules

EMOJI_RULE = "voice.emoji"
KEYCAP_BASE = frozenset("#*0123456789")
KEYCAP_TAIL = frozenset("\ufe0f\u20e3")
LEGAL_MARKS = frozenset({"©", "®", "™"})
"""The emoji tables list these, but in brand copy they are trademark and copyright signs."""


class _EmojiTable:
    """The emoji package's table (``emoji.EMOJI_DATA``: every RGI emoji and sequence) as a candidate
    non-ASCII scan plus a longest-match lookup: ~20x faster than ``emoji.emoji_list``, which tokenizes every
    character of the text."""

    def __init__(self, table: Iterable[str]) -> None:
        self.known = frozenset(table)
        self.longest = max(len(e) for e in self.known)
        self.starts = frozenset(e[0] for e in self.known)
        self.longest_from: dict[str, int] = {}  # the longest emoji starting with each character
        for e in self.known:
            self.longest_from[e[0]] = max(self.longest_from.get(e[0], 0), len(e))

    def find(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        position = 0
        while True:
            candidate = NON_ASCII.search(text, position)
            if candidate is None:
                return found
            start = candidate.start()
            if start > position and text[start] in KEYCAP_TAIL and text[start - 1] in KEYCAP_BASE:
                start -= 1  # a keycap: "1" + VS16 + U+20E3
            elif text[start] not in self.starts:
                position = start + 1
                continue
            for end in range(min(len(text), start + self.longest_from.get(text[start], 0)), start, -1):
                if text[start:end] in self.known:
                    found.append((start, end))
                    position = end
                    break
            else:
                position = candidate.start() + 1


@lru_cache(maxsize=1)
def _emoji_table() -> _EmojiTable:
    import emoji

    return _EmojiTable(emoji.EMOJI_DATA)


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every emoji in ``text``, trademark and copyright signs left out."""
    if text.isascii():
        return []
    return [(start, end) for start, end in _emoji_table().find(text) if text[start:end] not in LEGAL_MARKS]


def emoji_findings(text: str, voice: VoiceRules, count: int, violations: list[Violation]) -> None:
    """The findings for ``text`` holding ``count`` (> 0) emoji, when the kit's emoji level is not off and its
    emoji are not "allowed"."""
    level = voice.levels.emoji
    if voice.emoji == "none":
        spans = emoji_spans(text)
        extra, default = spans, "error"
        message = "the brand kit allows no emoji"
    elif count > voice.max_emoji:
        spans = emoji_spans(text)
        extra, default = spans[voice.max_emoji :], "warning"
        message = f"{len(spans)} emoji; the brand kit allows {voice.max_emoji}"
    else:
        return
    severity = severity_of(level or default)
    assert severity is not None  # "off" returned above
    floor = 0
    for start, end in extra:
        cut_start, cut_end = removal_span(text, start, end, floor)
        floor = cut_end
        violations.append(
            findings.violation(
                rule_id=EMOJI_RULE,
                severity=severity,
                message=f"{message}: {text[start:end]}",
                location=span_in(text, start, end),
                suggestion="remove the emoji",
                fix=replacing(text, cut_start, cut_end, ""),
            )
        )
