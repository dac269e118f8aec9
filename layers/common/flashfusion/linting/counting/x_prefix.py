"""X's weighted length of every prefix of one post, from one reading of it: what trimming an over-long post asks.

``platforms.trim_point`` searches for the longest prefix that, cut at a word and followed by "…", fits in 280:
~12 prefixes weighed, each by a whole twitter-text parse (``weighted_length``), ~100 us a post. Here the post is
read once (where its heavy characters, URLs and emoji sequences are) and a prefix is weighed from that, with
only its last word parsed. Exact, by three facts of the reference's rules (``x_weighted``'s module doc), each
held by ``tests/unit/lint/test_x_prefix.py`` on awkward Unicode:

1. Weights add up across a twitter-text space ``s`` (``x_urls.SPACES``): ``W(a + s + b) == W(a) + W(s + b)``.
   No URL holds a space (every part's class excludes them), a URL at the end of ``a`` ends there as at the end
   of a text, and one at the start of ``b`` follows ``s`` in both (not so at the start of a text, where the first
   character may be taken as the one before a URL: so ``s`` is weighed with ``b``); no emoji sequence holds a
   space (checked on the emoji data); a space is an NFC starter that composes with nothing and blocks every
   composition across it.
2. A prefix of an NFC text is NFC (a composition it allowed the whole text would allow too), so a prefix that
   ends at a space weighs what the whole text's units before it weigh.
3. ``W(p + "…") == W(p) + W("…")`` for every ``p``: "…" is in no URL (no TLD or path character, and nothing
   follows it), in no emoji sequence, and composes with nothing; after a URL it ends the host or path as the
   end of the text does.

So ``W(text[:end]) == W(text[:j]) + W(text[j:end])`` with ``j`` at the last space before ``end``: the first from
the whole text's units (arithmetic on sorted positions), the second by the reference on a few characters (or by
the arithmetic too when they hold no "." and no emoji glue, so no URL or sequence).

Where the prefixes' weights grow until they are past the budget (no URL or emoji sequence before the crossing:
``grows_past``), the search is not run at all: its answer follows from the longest prefix within the budget, found
by arithmetic (``platforms._plain_trim_point``). Elsewhere a cut's last word is parsed only when bounds on its
weight (nothing, or for an ASCII word the lesser of its characters and a URL; its characters and a URL per dot)
leave the answer open (``within``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from itertools import accumulate

from flashfusion.linting.counting.emoji_sequences import GLUE, glue_decides
from flashfusion.linting.counting.x_urls import DOT_THEN_LETTER, SPACES, may_hold_url
from flashfusion.linting.counting.x_weighted import WeightingConfig, entities, scaled_weight

_OTHER_SPACE = re.compile(f"[{SPACES.replace(' ', '')}]")
"""Every space but " ", which is looked for with ``str.rfind``."""


class PrefixWeights:
    """The scaled weights (``x_weighted.scaled_weight``) of the prefixes of one NFC text."""

    __slots__ = (
        "_adjust",
        "_ascii_weight",
        "_bounded",
        "_config",
        "_ends",
        "_entities",
        "_extra",
        "_heavy",
        "_light",
        "_url_weight",
        "plain",
        "plain_until",
        "text",
    )

    def __init__(self, text: str, config: WeightingConfig, classes: tuple[int, int, re.Pattern[str]]) -> None:
        self.text = text
        self._config = config
        light, heavy, outside = classes
        self._light = light
        self._extra = heavy - light
        self._url_weight = config.transformed_url_length * config.scale
        self._ascii_weight = config.ascii_weight()
        self._bounded = not config.emoji_parsing or config.default_weight <= 2 * light
        """Whether an emoji sequence (two code points or more) weighs no more than its code points."""
        # where the characters weighing the default (not the ranges') weight are
        if text.isascii() and config.ascii_weight() == light:
            self._heavy: list[int] = []  # no heavy character, and no emoji sequence without a non-ASCII one
            sequences: list[tuple[int, int]] = []
        else:
            self._heavy = [m.start() for m in outside.finditer(text)]
            sequences = config.sequence_spans(text, [text[at] for at in self._heavy])
        urls = may_hold_url(text)
        self._entities = entities(text, config, sequences) if urls or sequences else []
        self.plain = not sequences and not urls
        """No emoji sequence and no URL in any prefix (a prefix's sequences are the text's, as the scanner reads
        them; a URL needs a "." and a letter after it): each character adds its weight, so the weight grows with
        the prefix."""
        self.plain_until = len(text)
        """Where the first word that may hold a URL or an emoji sequence starts (a "." and a letter after it, or
        emoji glue): up to there, the weight grows with the prefix."""
        if not self.plain:
            first = len(text)
            dot = DOT_THEN_LETTER.search(text)
            if dot is not None:
                first = dot.start()
            glue = None if text.isascii() else GLUE.search(text, 0, first)
            if glue is not None:
                first = glue.start()
            self.plain_until = self._word_start(first)
        if not self._entities:  # most texts: nothing to sum
            self._ends: list[int] = []
            self._adjust = [0]
            return
        self._ends = [end for _, end, _ in self._entities]
        # each URL or sequence weighs its own weight instead of its characters': the difference, summed in order
        self._adjust = [
            0,
            *accumulate([weight - config.plain_weight(text[start:end]) for start, end, weight in self._entities]),
        ]

    @classmethod
    def of(cls, text: str, config: WeightingConfig) -> PrefixWeights | None:
        """None where the facts above do not apply: a text that is not NFC, a configuration of several weights (or
        of weightless characters, or ranges heavier than the default: the searches' bounds assume neither)."""
        classes = config.char_classes()
        if (
            classes is None
            or not 0 < classes[0] <= classes[1]
            or not (text.isascii() or unicodedata.is_normalized("NFC", text))
        ):
            return None
        if config.emoji_parsing and not glue_decides():
            return None  # a sequence without glue (a future emoji table): pieces are not told apart by their glue
        return cls(text, config, classes)

    def at_unit_end(self, end: int) -> int:
        """The scaled weight of ``text[:end]``, for an ``end`` no URL or emoji sequence straddles."""
        heavy = bisect_left(self._heavy, end)
        return self._light * end + self._extra * heavy + self._adjust[bisect_right(self._ends, end)]

    def prefix(self, end: int) -> int:
        """The scaled weight of ``text[:end]``: the units before the last space, and the rest parsed (fact 1)."""
        start = self._word_start(end)
        if start == end or self._holds_no_entity(start, end):
            return self.at_unit_end(end)
        return self._parsed(start, end)

    def within(self, end: int, budget: int) -> bool:
        """``prefix(end) <= budget``, with the last word parsed only when bounds leave it open: it weighs at
        least nothing (an ASCII word: the lesser of its characters and one URL) and at most its characters and
        one URL per dot (an emoji sequence weighs no more than its characters; a URL weighs its weight instead of
        its characters')."""
        start = self._word_start(end)
        if start == end or self._holds_no_entity(start, end):
            return self.at_unit_end(end) <= budget
        before = self.at_unit_end(start)  # start is 0 or just after a space: a unit end
        if before > budget:
            return False
        ascii_weight = self._ascii_weight
        if (
            ascii_weight is not None
            and before + min(self._url_weight, ascii_weight * (end - start)) > budget
            and self.text[start:end].isascii()
        ):
            # An ASCII word weighs its characters when it holds no URL, and at least a URL's weight when it holds
            # one: at least the lesser (a word cut inside a URL over the budget, as a post's trim tries, is settled
            # without parsing it).
            return False
        if self._bounded:
            heavy = bisect_left(self._heavy, end) - bisect_left(self._heavy, start)
            most = (
                self._light * (end - start) + self._extra * heavy + self._url_weight * self.text.count(".", start, end)
            )
            if before + most <= budget:
                return True
        return self._parsed(start, end) <= budget

    def _word_start(self, end: int) -> int:
        """Just after the last space (``x_urls.SPACES``) before ``end``, or 0."""
        text = self.text
        start = text.rfind(" ", 0, end) + 1
        other = _OTHER_SPACE.search(text, start, end)
        while other is not None:  # rare: a tab, a line break, a no-break space after the last " "
            start = other.end()
            other = _OTHER_SPACE.search(text, start, end)
        return start

    def _holds_no_entity(self, start: int, end: int) -> bool:
        """No URL (a host has a dot) nor emoji sequence (glue) in ``text[start:end]``, nor one of the text's inside
        it: it weighs its characters, and ``at_unit_end(end)`` counts it so."""
        piece = self.text[start:end]
        return "." not in piece and (piece.isascii() or GLUE.search(piece) is None)

    def _parsed(self, start: int, end: int) -> int:
        """``prefix(end)``, the word from ``start`` weighed by the reference: with the space before it, which may
        precede a URL as the start of a text may not (fact 1)."""
        if start == 0:
            return scaled_weight(self.text[:end], self._config)
        return self.at_unit_end(start - 1) + scaled_weight(self.text[start - 1 : end], self._config)

    def crossed_at(self) -> int | None:
        """``x_weighted.crossed_at(text)``: where the text's weight first goes over the configuration's limit."""
        config = self._config
        limit = config.max_weighted_length * config.scale
        position = 0
        for start, end, weight in [*self._entities, (len(self.text), len(self.text), 0)]:
            before = self.at_unit_end(start)
            if before > limit:  # crossed in the stretch before: at the end of its longest prefix within the limit
                return self._longest_within(position, start, limit)
            if end > start and before + weight > limit:
                return start
            position = end
        return None

    def grows_past(self, budget: int) -> bool:
        """Whether the prefixes' weights grow until they are over ``budget``, and stay over: the text is plain, or
        its first word that may hold a URL or a sequence starts over it (a longer prefix weighs at least the words
        before its last one, see ``within``)."""
        return self.plain or self.at_unit_end(self.plain_until) > budget

    def longest_within(self, budget: int) -> int:
        """The longest prefix weighing at most ``budget`` (>= 0), when ``grows_past(budget)``."""
        return self._longest_within(0, self.plain_until, budget)

    def _longest_within(self, first: int, last: int, budget: int) -> int:
        """The longest prefix, from ``text[:first]`` (within ``budget``) to ``text[:last]``, weighing at most
        ``budget``; no URL or emoji sequence between ``first`` and ``last``, so the weight grows with the prefix
        and each character adds from the lighter to the heavier weight: the search starts between those bounds
        (one point when the stretch has no heavy character)."""
        left = budget - self.at_unit_end(first)
        heavy = bisect_left(self._heavy, last) - bisect_left(self._heavy, first)
        lo = min(last, first + max(0, left - self._extra * heavy) // self._light)
        hi = min(last, first + left // self._light)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.at_unit_end(mid) <= budget:
                lo = mid
            else:
                hi = mid - 1
        return lo
