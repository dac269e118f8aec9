"""What the voice checks share: the word, sentence and prose patterns, spans and fixes, case matching."""

from __future__ import annotations

import re
from itertools import islice
from typing import Any, Final

WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
# URLs ("https?://" or "www." and what follows up to a blank), hashtags and mentions (a "#" or "@" not after a word
# character, "@" or "#", and the word after it). Written to start with one character class: the regex engine skips
# to those four characters instead of trying every position.
NON_PROSE = re.compile(r"[hw#@](?:(?<=h)ttps?://\S+|(?<=w)ww\.\S+|(?<=[#@])(?<![\w@#].)\w+)")
# Counted as readers see them (issue 12): the marks NFKC turns into "!" or "?" (fullwidth and small "!",
# "‼", "⁉", "⁈", fullwidth "?") end sentences and count as exclamations too.
EXCLAMATION_CHARS = "!\uff01\ufe57\u203c\u2049\u2048"
SENTENCE_END = re.compile(r"[.!?…\uff01\ufe57\u203c\u2049\u2048\uff1f\ufe56\u3002\uff0e]+(?=\s|$)|\n\s*\n")
EXCLAMATIONS = re.compile(f"[{EXCLAMATION_CHARS}]+")
NON_ASCII = re.compile(r"[^\x00-\x7f]")
SPACE = re.compile(r"\s")
r"""A character ``str.isspace`` holds true (``re``'s Unicode ``\s`` is that test)."""
WORD_KIND_CACHE_LIMIT: Final = 50_000
"""Tokens whose analysis is cached (word kinds, VADER's stripped tokens); past this a cache forgets its oldest
half (``forget_oldest_half``)."""


def forget_oldest_half(cache: dict[str, Any]) -> None:
    """Drop the older half of a full cache (a dict keeps insertion order): the words a stream of posts keeps
    using were mostly seen lately, and are kept, where clearing the whole cache would read them all again."""
    keep = list(islice(cache.items(), len(cache) // 2, None))
    cache.clear()
    cache.update(keep)  # rebuilt, not deleted from: the dict's table does not keep the dropped half's slots


def match_case(written: str, replacement: str) -> str:
    """``replacement`` in the capitalisation of ``written``: UPPER, Title (first letter) or as given."""
    letters = [c for c in written if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if written[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def in_written_shape(written: str, replacement: str) -> str:
    """``replacement`` shaped like ``written``: a phrase written as one word ("#auroraoutdoor",
    "aurora-outdoor") is replaced by one word too ("AuroraOutdoor" is not made "Aurora Outdoor" inside a
    hashtag), joined by the hyphen or underscore the written form used, else by nothing."""
    if SPACE.search(written) is not None or SPACE.search(replacement) is None:
        return replacement
    glue = next((c for c in written if c in "-_"), "")
    return glue.join(replacement.split())


def strip_non_prose(text: str) -> str:
    """The text without URLs, hashtags and @mentions, which are not words a reader parses."""
    return NON_PROSE.sub(" ", text) if ("#" in text or "@" in text or "http" in text or "www." in text) else text


def count_sentences(text: str) -> int:
    count = 0
    start = 0
    for end_match in SENTENCE_END.finditer(text):
        if WORD.search(text, start, end_match.start()):
            count += 1
        start = end_match.end()
    if WORD.search(text, start):
        count += 1
    return count


def removal_span(text: str, start: int, end: int, floor: int) -> tuple[int, int]:
    """What to delete to remove text[start:end] cleanly: with the whitespace before it (not before
    ``floor``), or at the start of the text with the whitespace after it."""
    before = start
    while before > floor and text[before - 1] in " \t":
        before -= 1
    if before < start:
        return before, end
    after = end
    if start == 0:
        while after < len(text) and text[after] in " \t":
            after += 1
    return start, after
