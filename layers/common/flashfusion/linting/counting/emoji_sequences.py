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

KEYCAP_BASES = frozenset("#*0123456789")
KEYCAP_MARKS = frozenset("\ufe0f\u20e3")  # what follows a keycap's base: VS16 and/or the combining keycap
_GAP = 256
GLUE_CHARS = frozenset(
    "\u200d\ufe0f\u20e3"
    + "".join(chr(c) for c in [*range(0x1F3FB, 0x1F400), *range(0x1F1E6, 0x1F200), *range(0xE0020, 0xE0080)])
)
# spelled as ranges: a class listing the astral characters one by one is tested item by item (~25x slower)
GLUE = re.compile("[\u200d\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff\U000e0020-\U000e007f]")
"""What joins code points into an emoji sequence: ZWJ, VS16, the combining keycap, a skin-tone modifier, a
regional indicator (flags), a tag character (subdivision flags). Every sequence of Unicode's emoji data holds
one (checked when the table is built), so a text without any has no sequence: one C-level search instead of a
Python look-up at every emoji."""


class _SequenceTable:
    """Every multi-code-point emoji sequence, with a longest-match lookup from each possible first
    character (like an alternation of all sequences, longest first, but without trying each one)."""

    def __init__(self, sequences: set[str]) -> None:
        self.known = frozenset(sequences)
        self.longest_from: dict[str, int] = {}
        lengths: dict[str, set[int]] = {}
        for sequence in self.known:
            first = sequence[0]
            self.longest_from[first] = max(self.longest_from.get(first, 0), len(sequence))
            lengths.setdefault(first, set()).add(len(sequence))
        self.lengths_from = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}
        """The lengths of the sequences starting with each character, longest first: only those are tried."""
        # Candidates: non-ASCII characters outside the long stretches of the BMP where no sequence starts
        # (CJK, Hangul, most alphabets), each then looked up in Python. A keycap starts with an ASCII
        # character: it is found from its VS16 or U+20E3. One negated BMP class compiles to a bitmap; a
        # class listing the ~1,000 start characters (several astral) is tested item by item, ~100x slower.
        anchors = sorted({ord(c) for c in self.longest_from if 0x80 <= ord(c) <= 0xFFFF} | {0xFE0F, 0x20E3})
        skipped = [(a + 1, b - 1) for a, b in zip([0x7F, *anchors], [*anchors, 0x10000], strict=True) if b - a > _GAP]
        ranges = "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in skipped)
        self.candidate = re.compile(f"[^\\x00-\\x7f{ranges}]")
        self.glued = all(GLUE.search(sequence) is not None for sequence in self.known)
        """Every sequence holds a ``GLUE`` character (else, with a future table, ``GLUE`` is not consulted)."""

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        position = 0
        length = len(text)
        lengths_from = self.lengths_from
        known = self.known
        while True:
            match = self.candidate.search(text, position)
            if match is None:
                return found
            hit = match.start()
            start = hit
            if text[hit] in KEYCAP_MARKS and hit > position and text[hit - 1] in KEYCAP_BASES:
                start = hit - 1
            for size in lengths_from.get(text[start], ()):
                end = start + size
                if end <= length and text[start:end] in known:
                    found.append((start, end))
                    position = end
                    break
            else:
                position = hit + 1


@lru_cache(maxsize=1)
def _table() -> _SequenceTable:
    import emoji  # the table is ~1 MB of Python: loaded only when a text needs it

    return _SequenceTable({e for e in emoji.EMOJI_DATA if len(e) > 1})


def glue_decides() -> bool:
    """Whether a text without a ``GLUE`` character holds no sequence (true of Unicode's emoji data to date)."""
    return _table().glued


def known_sequences() -> frozenset[str]:
    """Every emoji sequence (two code points or more) a span of ``emoji_sequence_spans`` may hold."""
    return _table().known


def glued_sequence_spans(text: str) -> list[tuple[int, int]]:
    """``emoji_sequence_spans(text)`` for a text its caller has seen holds a ``GLUE`` character."""
    return _table().spans(text)


def emoji_sequence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code point indices of each emoji sequence of two or more code points, left to right,
    longest match first, never overlapping."""
    if text.isascii():  # every sequence has a non-ASCII code point (an emoji, U+FE0F or U+20E3)
        return []
    table = _table()
    if table.glued and GLUE.search(text) is None:
        return []
    return table.spans(text)
