"""One pass over the words of a text: the formality markers and the pronouns by person it holds."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, cast

from flashfusion.linting.voice.common import EXCLAMATIONS, WORD, WORD_KIND_CACHE_LIMIT, forget_oldest_half
from flashfusion.linting.voice.lexicon import (
    formal_words,
    imperative_verbs,
    person_of,
    pronoun_heads,
    pronoun_in_token_pattern,
    pronoun_pattern,
    slang_words,
)

CONTRACTION_ENDINGS = ("n't", "'re", "'ll", "'ve", "'m", "'d")
S_CONTRACTIONS = frozenset(
    f"{w}'s" for w in ("it", "that", "what", "there", "here", "he", "she", "who", "let", "where", "how")
) | {"y'all"}
SENTENCE_OPENING = re.compile(r"(?:^|[.!?]\s+|\n\s*)([^\W\d_]+(?:['\u2019][^\W\d_]+)?)")
_TEXT_OPENING = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_LATER_OPENING = re.compile(r"[.!?\n](?:(?<=[.!?])\s+|(?<=\n)\s*)([^\W\d_]+(?:['\u2019][^\W\d_]+)?)")
"""``SENTENCE_OPENING`` after the text's start, written to start with one character class: the regex engine
skips to the sentence marks and line breaks instead of trying the pattern at every position."""


def sentence_openings(text: str) -> list[str]:
    """The word opening each sentence, as ``SENTENCE_OPENING.finditer`` finds them (group 1): the text's start,
    then after each sentence mark or line break (which no opening word holds, so the two never overlap)."""
    first = _TEXT_OPENING.match(text)
    later = _LATER_OPENING.findall(text)
    return later if first is None else [first.group(0), *later]


LONG_WORD_LETTERS: Final = 13


class WordScan:
    """What one pass over the words of a text finds: formality markers and pronoun counts."""

    __slots__ = ("_first_at", "casual", "counts", "formal", "found", "locate")

    def __init__(self) -> None:
        self.casual = 0.0
        self.formal = 0.0
        self.found: list[str] = []
        self.counts = {"first": 0, "second": 0, "third": 0}
        self._first_at: dict[str, tuple[int, int]] = {}
        self.locate: Callable[[], dict[str, tuple[int, int]]] | None = None
        """Works out ``first_at`` when it is first read (it is needed only to report a finding)."""

    @property
    def first_at(self) -> dict[str, tuple[int, int]]:
        """(start, end) of each person's first pronoun, in the order they first occur."""
        if self.locate is not None:
            locate, self.locate = self.locate, None
            self._first_at.update(locate())
        return self._first_at

    def pronoun(self, person: str, start: int, end: int) -> None:
        self.counts[person] += 1
        if person not in self.first_at:
            self.first_at[person] = (start, end)


def _pronouns_in(text: str, word: str, start: int, end: int, scan: WordScan) -> None:
    """The pronouns ``pronoun_pattern()`` matches inside the ``WORD`` token ``text[start:end]``: it can only match
    at the token's start (unless an apostrophe or "_" comes before it) or just after a hyphen in it, and
    then matches the letters up to the next apostrophe or hyphen ("you're" counts "you"; "y'all" is
    one pronoun). ASCII tokens are looked up directly; others (where regex case folding and str.lower
    can differ) ask ``pronoun_pattern()`` at those positions."""
    persons = person_of()
    allowed_at_start = start == 0 or text[start - 1] not in "_'\u2019"
    if not word.isascii():
        positions = [start] if allowed_at_start else []
        positions += [start + i + 1 for i, c in enumerate(word) if c == "-"]
        for position in positions:
            match = pronoun_pattern().match(text, position)
            if match is not None:
                person = persons.get(match.group(1).lower().replace("\u2019", "'"))
                if person is not None:
                    scan.pronoun(person, match.start(1), match.end(1))
        return
    offset = 0
    for segment in word.split("-"):
        if offset or allowed_at_start:
            head = segment.split("'", 1)[0].lower()
            if head == "y" and segment[:5].lower() == "y'all" and segment[5:6] in ("", "'"):
                head = "y'all"
            person = persons.get(head)
            if person is not None:
                head_end = start + offset + len(head)
                if head_end != end or text[end : end + 1] != "_":
                    scan.pronoun(person, start + offset, head_end)
        offset += len(segment) + 1


OPENING_HEAD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
"""What ``SENTENCE_OPENING`` takes of a token that opens a sentence (every opening starts a ``WORD`` token)."""

_CASUAL: Final = 1
_FORMAL: Final = 2
_LONG: Final = 4
_PRONOUN: Final = 8
_IMPERATIVE: Final = 16
# per kind (every combination of the flags above), read by ``map`` in C: its formal weight, whether it may hold
# a pronoun
_FORMAL_WEIGHT = tuple(1.0 if kind & _FORMAL else 0.5 if kind & _LONG else 0.0 for kind in range(32))
_MAY_HOLD_PRONOUN = tuple(1 if kind & _PRONOUN else 0 for kind in range(32))
_word_kinds: dict[str, int] = {}


def _word_kind(word: str) -> int:
    """What ``scan_words`` needs to know of one ``WORD`` token (bit flags), cached per token."""
    lower = word.lower().replace("\u2019", "'")
    kind = 0
    if lower in slang_words() or ("'" in lower and (lower.endswith(CONTRACTION_ENDINGS) or lower in S_CONTRACTIONS)):
        kind |= _CASUAL
    elif lower in formal_words():
        kind |= _FORMAL
    elif len(lower) >= LONG_WORD_LETTERS:
        kind |= _LONG
    # what ``_pronouns_in`` looks up: the head (up to an apostrophe) of each hyphen part of an ASCII token; in
    # any other, ``pronoun_pattern()`` at its start or after a hyphen (asked of the token alone first)
    if word.isascii():
        heads = pronoun_heads()
        if any(part.split("'", 1)[0] in heads for part in lower.split("-")):
            kind |= _PRONOUN
    else:
        pronoun = pronoun_in_token_pattern().match
        if pronoun(word) is not None or any(pronoun(word, i + 1) for i, c in enumerate(word) if c == "-"):
            kind |= _PRONOUN
    head = OPENING_HEAD.match(word)
    if head is not None and head.group(0).lower().replace("\u2019", "'") in imperative_verbs():
        kind |= _IMPERATIVE  # could open a sentence with an imperative: only then are openings looked for
    if len(_word_kinds) >= WORD_KIND_CACHE_LIMIT:
        forget_oldest_half(_word_kinds)
    _word_kinds[word] = kind
    return kind


def scan_words(text: str) -> WordScan:
    """One pass over the words: casual and formal markers (see ``formality``) and the pronouns
    by person, then one over sentence openings and one count of "!" runs."""
    return scan_tokens(text, WORD.findall(text))


def scan_tokens(text: str, tokens: list[str]) -> WordScan:
    """``scan_words`` of ``text`` whose ``WORD`` tokens, in order, are ``tokens``."""
    scan = WordScan()
    found = scan.found
    known = _word_kinds.get
    cached = list(map(known, tokens))
    kinds = (
        [_word_kind(word) if kind is None else kind for word, kind in zip(tokens, cached, strict=True)]
        if None in cached
        else cast("list[int]", cached)
    )
    seen = 0
    for kind in set(kinds):
        seen |= kind
    # a word is at most one of casual, formal and long (``_word_kind``); sums of 1s and halves are exact in any order
    if seen & _CASUAL:
        found += [word for word, kind in zip(tokens, kinds, strict=True) if kind & _CASUAL]
    casual = float(len(found))
    formal = 0.0
    if seen & (_FORMAL | _LONG):
        formal = sum(map(_FORMAL_WEIGHT.__getitem__, kinds))  # 1s, halves and 0s: exact in any order
    if seen & _PRONOUN:
        # the tokens in order (up to the last that may hold a pronoun): each starts with a letter or digit,
        # which no gap between tokens holds, so the first occurrence of a token after the previous one's end
        # is where it was matched
        may_hold = list(map(_MAY_HOLD_PRONOUN.__getitem__, kinds))
        may_hold.reverse()
        last = len(kinds) - 1 - may_hold.index(1)
        position = 0
        for word, kind in zip(tokens[: last + 1], kinds, strict=False):
            start = text.find(word, position)
            position = start + len(word)
            if kind & _PRONOUN:
                _pronouns_in(text, word, start, position, scan)
    imperatives = imperative_verbs()
    openings = sentence_openings(text) if seen & _IMPERATIVE else ()
    for opening in openings:
        if opening.lower().replace("\u2019", "'") in imperatives:
            casual += 0.5
            found.append(opening)
    # every exclamation character but "!" is non-ASCII
    bangs = len(EXCLAMATIONS.findall(text)) if "!" in text or not text.isascii() else 0
    if bangs:
        casual += 0.5 * bangs
        found.append("!" * min(bangs, 3))
    scan.casual = casual
    scan.formal = formal
    return scan
