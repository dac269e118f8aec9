"""Emoji sequences in a text: the spans that twitter-text's emoji parsing weighs as one emoji.

Reference: twitter-text 3 (``parseTweet`` with ``emojiParsingEnabled``; Java ``TwitterTextEmojiRegex``)
matches every emoji sequence of Unicode's emoji data (UTS #51: ZWJ sequences, modifier sequences,
flags, tag sequences, keycaps, presentation sequences with U+FE0F, in their fully-, minimally- and
unqualified forms) and weighs each as one character. A single code point is not a sequence: it keeps
its own weight, so a bare ``©`` still weighs 1 and ``©️`` (with U+FE0F) weighs 2.

The sequences come from the ``emoji`` package's table (``emoji.EMOJI_DATA``, kept current with
Unicode's emoji releases), read once, lazily: a text with no candidate character never loads it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A keycap starts with an ASCII character ("1", "#", "*"): it is the one kind of sequence whose first
# code point is ASCII, so it gets its own pattern and ASCII text can skip the table entirely.
_KEYCAP = "[#*0-9](?=\ufe0f?\u20e3)"


class _SequenceTable:
    """Every multi-code-point emoji sequence, with a longest-match lookup from each possible first
    character (like an alternation of all sequences, longest first, but without trying each one)."""

    def __init__(self, sequences: set[str]) -> None:
        self.known = frozenset(sequences)
        self.longest_from: dict[str, int] = {}
        for sequence in self.known:
            first = sequence[0]
            self.longest_from[first] = max(self.longest_from.get(first, 0), len(sequence))
        # Python's re tests a BMP-only class with a bitmap but an astral one range by range (~90 us per
        # post for the ~150 ranges of emoji starts): astral candidates are found by their plane's block
        # range and checked against the table in Python (astral characters in posts are nearly all emoji).
        bmp = "".join(re.escape(c) for c in sorted(self.longest_from) if not c.isascii() and ord(c) <= 0xFFFF)
        astral = [ord(c) for c in self.longest_from if ord(c) > 0xFFFF]
        low, high = re.escape(chr(min(astral))), re.escape(chr(max(astral)))
        self.candidate = re.compile(f"[{bmp}]|[{low}-{high}]|{_KEYCAP}")

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        position = 0
        length = len(text)
        while True:
            match = self.candidate.search(text, position)
            if match is None:
                return found
            start = match.start()
            longest = self.longest_from.get(text[start], 0)
            for end in range(min(length, start + longest), start + 1, -1):
                if text[start:end] in self.known:
                    found.append((start, end))
                    position = end
                    break
            else:
                position = start + 1


@lru_cache(maxsize=1)
def _table() -> _SequenceTable:
    import emoji  # the table is ~1 MB of Python: loaded only when a text needs it

    return _SequenceTable({e for e in emoji.EMOJI_DATA if len(e) > 1})


def emoji_sequence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code point indices of each emoji sequence of two or more code points, left to right,
    longest match first, never overlapping."""
    if text.isascii():  # every sequence has a non-ASCII code point (an emoji, U+FE0F or U+20E3)
        return []
    return _table().spans(text)
