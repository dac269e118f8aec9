"""X's weighted length of a post: what X's composer counts against its 280 limit.

Reference: twitter-text 3 (twitter/twitter-text, Apache-2.0), ``parseTweet`` of its JavaScript
implementation (and ``TwitterTextParser`` in Java), with the weighting of ``config/v3.json``, shipped as
``data/twitter_text_v3.json``; conformance cases ``validate.yml`` (``WeightedTweetsCounterTest``,
``WeightedTweetsWithDiscountedEmojiCounterTest``, ``UnicodeDirectionalMarkerCounterTest``). Documented
at https://docs.x.com/resources/fundamentals/counting-characters. The rules:

1. The text is normalised to NFC first (``A`` + combining acute is one character, ``Á``).
2. Each URL (``x_urls``: with or without a protocol, valid host and TLD) weighs 23, whatever its length.
3. With emoji parsing on (v3), each emoji sequence (``emoji_sequences``: a family, a flag, a skin-toned
   emoji, a keycap) weighs 2, however many code points it joins.
4. Every other code point weighs what its range says (v3: U+0000-U+10FF, U+2000-U+200D,
   U+2010-U+201F and U+2032-U+2037 weigh 1) or the default weight (2).

Weights are scaled by 100 in the configuration (1 = 100); the weighted length is the scaled sum over 100.
A post is valid when it weighs 1 to 280 and holds none of U+FFFE, U+FEFF, U+FFFF.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from flashfusion.linting.counting.emoji_sequences import (
    GLUE_CHARS,
    emoji_sequence_spans,
    glue_decides,
    glued_sequence_spans,
    known_sequences,
)
from flashfusion.linting.counting.x_urls import extract_urls_with_indices, may_hold_url

_INVALID_CHARS = re.compile("[\ufffe\ufeff\uffff]")


def _class(ranges: list[tuple[int, int]]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges) + "]")


@dataclass(frozen=True)
class WeightRange:
    start: int
    end: int
    weight: int


@dataclass(frozen=True)
class WeightingConfig:
    """A twitter-text configuration (``config/v*.json``)."""

    version: int
    max_weighted_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    ranges: tuple[WeightRange, ...]
    emoji_parsing: bool = False
    # One pattern per weight that differs from the default: counting matches is ~50x faster than a
    # Python loop over the characters.
    _classes: tuple[tuple[int, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)
    _ascii_weight: int | None = field(init=False, repr=False, compare=False)
    _outside: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _heavy_glue: frozenset[str] = field(init=False, repr=False, compare=False)
    """The emoji ``GLUE`` characters ``_outside`` finds;"""
    _light_glue: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """the others (ZWJ in v3), looked for apart."""
    _sequence_adjustments: dict[str, int] = field(init=False, repr=False, compare=False)
    """What each emoji sequence of the table weighs less (or more) as one than its code points: made once, at the
    first text holding one."""

    def __post_init__(self) -> None:
        spans = sorted((r.start, r.end) for r in self.ranges)
        if any(a[1] >= b[0] for a, b in itertools.pairwise(spans)):
            raise ValueError("twitter-text weight ranges must not overlap")
        by_weight: dict[int, list[tuple[int, int]]] = {}
        for r in self.ranges:
            if r.weight != self.default_weight:
                by_weight.setdefault(r.weight, []).append((r.start, r.end))
        object.__setattr__(self, "_classes", tuple((w, _class(rs)) for w, rs in sorted(by_weight.items())))
        # With one non-default weight (v3), count the characters outside its ranges instead: in a post they
        # are the few (CJK, emoji), and findall builds a list of what it counts.
        outside = None
        if len(by_weight) == 1:
            (rs,) = by_weight.values()
            outside = re.compile(_class(rs).pattern.replace("[", "[^", 1))
        object.__setattr__(self, "_outside", outside)
        heavy_glue = frozenset(c for c in GLUE_CHARS if outside is not None and outside.match(c))
        object.__setattr__(self, "_heavy_glue", heavy_glue)
        object.__setattr__(self, "_light_glue", tuple(sorted(GLUE_CHARS - heavy_glue)))
        object.__setattr__(self, "_sequence_adjustments", {})
        ascii_weights = {self.weight_of(c) for c in range(128)}
        object.__setattr__(self, "_ascii_weight", ascii_weights.pop() if len(ascii_weights) == 1 else None)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WeightingConfig:
        return cls(
            version=int(data["version"]),
            max_weighted_length=int(data["maxWeightedTweetLength"]),
            scale=int(data["scale"]),
            default_weight=int(data["defaultWeight"]),
            transformed_url_length=int(data["transformedURLLength"]),
            ranges=tuple(WeightRange(int(r["start"]), int(r["end"]), int(r["weight"])) for r in data["ranges"]),
            emoji_parsing=bool(data.get("emojiParsingEnabled", False)),
        )

    def weight_of(self, code_point: int) -> int:
        for r in self.ranges:
            if r.start <= code_point <= r.end:
                return r.weight
        return self.default_weight

    def char_classes(self) -> tuple[int, int, re.Pattern[str]] | None:
        """(the weight of the characters in the ranges, the default weight, a pattern finding the characters
        outside the ranges) for a configuration with one non-default weight (v2, v3); None for another."""
        if self._outside is None:
            return None
        ((weight, _),) = self._classes
        return weight, self.default_weight, self._outside

    def _holds_light_glue(self, text: str) -> bool:
        # a loop, not any() of a generator (a frame per call): in v3 the one light glue character is ZWJ
        for char in self._light_glue:  # noqa: SIM110 - as above
            if char in text:
                return True
        return False

    def ascii_weight(self) -> int | None:
        """What every ASCII character weighs, when they all weigh the same."""
        return self._ascii_weight

    def plain_weight(self, text: str) -> int:
        """The scaled weight of ``text`` counted code point by code point (no URLs, no emoji)."""
        if self._ascii_weight is not None and text.isascii():
            return len(text) * self._ascii_weight
        if self._outside is not None:
            ((weight, _),) = self._classes
            return len(text) * weight + (self.default_weight - weight) * len(self._outside.findall(text))
        total = len(text) * self.default_weight
        for weight, pattern in self._classes:
            total += (weight - self.default_weight) * len(pattern.findall(text))
        return total

    def sequence_spans(self, text: str, heavy: list[str]) -> list[tuple[int, int]]:
        """``emoji_sequence_spans(text)`` (none without emoji parsing), given the characters of ``text`` that
        ``char_classes``'s pattern finds: none when no glue is among them (nor a glue character of the ranges)."""
        if not self.emoji_parsing:
            return []
        if self._outside is not None and glue_decides():
            if self._heavy_glue.isdisjoint(heavy) and not self._holds_light_glue(text):
                return []
            return glued_sequence_spans(text)
        return emoji_sequence_spans(text)

    def _adjustments(self) -> dict[str, int]:
        """``default_weight - plain_weight(sequence)`` for every sequence of the emoji table (~3,700): what a
        sequence found in a text adds to its code points' weight, without weighing its code points each time."""
        table = {sequence: self.default_weight - self.plain_weight(sequence) for sequence in known_sequences()}
        self._sequence_adjustments.update(table)  # whole, in one step: another thread never sees it part-filled
        return self._sequence_adjustments

    def weight_without_urls(self, text: str) -> int:
        """The scaled weight of ``text``, which holds no URL: its code points' weights, with each emoji sequence
        weighing ``default_weight`` instead of its code points (as ``weighted_length`` counts, in one scan for a
        text without a sequence: in v3 the characters ``plain_weight`` finds are the emoji themselves, and the
        sequences' glue is looked for among them)."""
        ascii_weight = self._ascii_weight
        if ascii_weight is not None and text.isascii():
            return len(text) * ascii_weight  # no emoji sequence without a non-ASCII character
        if self._outside is not None and self.emoji_parsing and glue_decides():
            ((weight, _),) = self._classes
            heavy = self._outside.findall(text)
            total = len(text) * weight + (self.default_weight - weight) * len(heavy)
            if self._heavy_glue.isdisjoint(heavy) and not self._holds_light_glue(text):
                return total
            adjustments = self._sequence_adjustments or self._adjustments()
            for start, end in glued_sequence_spans(text):
                total += adjustments[text[start:end]]  # each span is a sequence of the table
            return total
        else:
            total = self.plain_weight(text)
            spans = emoji_sequence_spans(text) if self.emoji_parsing else []
        # the weight is a sum over code points: each sequence's own is taken out and its weight as one put in
        for start, end in spans:
            total += self.default_weight - self.plain_weight(text[start:end])
        return total


@lru_cache(maxsize=1)
def default_config() -> WeightingConfig:
    """The v3 configuration X applies today (280, emoji sequences weigh 2), read once."""
    source = resources.files("flashfusion.linting").joinpath("data/twitter_text_v3.json")
    return WeightingConfig.from_json(json.loads(source.read_text("utf-8")))


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _entities(
    normalized: str, config: WeightingConfig, sequences: list[tuple[int, int]] | None = None
) -> list[tuple[int, int, int]]:
    """(start, end, scaled weight) of the URLs and emoji sequences, in the order the reference walks
    them: at one position a URL wins, and whatever starts inside an earlier entity is skipped. ``sequences``:
    the emoji sequences' spans, when the caller has them."""
    found: list[tuple[int, int, int, int]] = []
    if "." in normalized:  # every URL has a dot in its host
        url_weight = config.transformed_url_length * config.scale
        found += [(u.start, 0, u.end, url_weight) for u in extract_urls_with_indices(normalized)]
    if config.emoji_parsing:
        if sequences is None:
            sequences = emoji_sequence_spans(normalized)
        found += [(start, 1, end, config.default_weight) for start, end in sequences]
    if len(found) > 1:
        found.sort()
    entities: list[tuple[int, int, int]] = []
    position = 0
    for start, _, end, weight in found:
        if start >= position:
            entities.append((start, end, weight))
            position = end
    return entities


def weighted_length(text: str, config: WeightingConfig | None = None) -> int:
    """The weighted length of ``text`` (v3 unless another configuration is given)."""
    config = config or default_config()
    if text.isascii():  # its own NFC; most posts: weighed here, with no call
        ascii_weight = config._ascii_weight
        if ascii_weight is not None:
            if not may_hold_url(text):
                return len(text) * ascii_weight // config.scale  # no URL, no emoji
            # no emoji sequence in ASCII: each URL weighs its weight instead of its characters'
            total = len(text) * ascii_weight
            url_weight = config.transformed_url_length * config.scale
            for url in extract_urls_with_indices(text):
                total += url_weight - (url.end - url.start) * ascii_weight
            return total // config.scale
        normalized = text
    else:
        normalized = unicodedata.normalize("NFC", text)
        if not may_hold_url(normalized):
            return config.weight_without_urls(normalized) // config.scale
    return _weight_with_urls(normalized, config) // config.scale


def scaled_weight(text: str, config: WeightingConfig) -> int:
    """The weight of ``text`` before it is divided by the scale (``weighted_length`` is this // scale)."""
    normalized = _nfc(text)
    if not may_hold_url(normalized):
        return config.weight_without_urls(normalized)
    return _weight_with_urls(normalized, config)


def _weight_with_urls(normalized: str, config: WeightingConfig) -> int:
    classes = config.char_classes()
    if classes is not None and glue_decides():
        # The code points' weights summed in one scan (as ``weight_without_urls``), then each URL and emoji
        # sequence its own weight for its code points': the weight is a sum over code points, so this is the
        # stretches' weights plus the entities'. Sequences are looked for only where their glue is.
        light, default, outside = classes
        heavy = outside.findall(normalized)
        total = len(normalized) * light + (default - light) * len(heavy)
        sequences: list[tuple[int, int]] = []
        if config.emoji_parsing and not (
            config._heavy_glue.isdisjoint(heavy) and not config._holds_light_glue(normalized)
        ):
            sequences = glued_sequence_spans(normalized)
        if not sequences:  # most texts: the URLs alone, which never overlap (no entity walk)
            url_weight = config.transformed_url_length * config.scale
            for _, start, end in extract_urls_with_indices(normalized):
                total += url_weight - config.plain_weight(normalized[start:end])
            return total
        for start, end, weight in _entities(normalized, config, sequences):
            total += weight - config.plain_weight(normalized[start:end])
        return total
    total = 0
    position = 0
    for start, end, weight in _entities(normalized, config):
        total += config.plain_weight(normalized[position:start]) + weight
        position = end
    return total + config.plain_weight(normalized[position:])


def entities(
    normalized: str, config: WeightingConfig, sequences: list[tuple[int, int]] | None = None
) -> list[tuple[int, int, int]]:
    """(start, end, scaled weight) of the URLs and emoji sequences of an NFC text, as ``weighted_length`` weighs
    them (see ``_entities``)."""
    return _entities(normalized, config, sequences)


@dataclass(frozen=True)
class ParsedPost:
    """twitter-text's ``parseTweet`` result, plus where the limit is crossed in the text given."""

    weighted_length: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    """The last UTF-16 unit of the valid part, inclusive, as twitter-text reports it."""
    display_range_start: int
    display_range_end: int
    limit_crossed_at: int | None
    """The index (code points, into the text given) of the first character, URL or emoji that goes over
    the limit; None when the text is within it."""


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _units(normalized: str, config: WeightingConfig) -> list[tuple[int, int, int]]:
    """The text as the reference walks it: each URL, each emoji sequence, each other code point, with
    its scaled weight."""
    units: list[tuple[int, int, int]] = []
    position = 0
    for start, end, weight in [*_entities(normalized, config), (len(normalized), len(normalized), 0)]:
        units += [(i, i + 1, config.weight_of(ord(normalized[i]))) for i in range(position, start)]
        if end > start:
            units.append((start, end, weight))
        position = end
    return units


def original_index(text: str, normalized: str, index: int) -> int:
    """The index in ``text`` of the character that became ``normalized[index]`` under NFC."""
    if text == normalized:
        return index
    # NFC of a prefix grows with the prefix: the first prefix whose NFC is longer than ``index`` ends
    # with the character sought.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(unicodedata.normalize("NFC", text[: mid + 1])) > index:
            hi = mid
        else:
            lo = mid + 1
    return lo


def crossed_at(text: str, config: WeightingConfig | None = None) -> int | None:
    """``parse_post(text, config).limit_crossed_at``, without walking the text unit by unit: each stretch between
    URLs and emoji is weighed whole (``plain_weight``) and walked only where the limit falls inside it (in
    ASCII, where every character weighs the same, the character is computed)."""
    config = config or default_config()
    normalized = _nfc(text)
    limit = config.max_weighted_length * config.scale
    total = 0
    position = 0
    for start, end, weight in [*_entities(normalized, config), (len(normalized), len(normalized), 0)]:
        stretch = normalized[position:start]
        stretch_weight = config.plain_weight(stretch)
        if total + stretch_weight > limit:
            ascii_weight = config._ascii_weight
            if ascii_weight is not None and stretch.isascii():
                return original_index(text, normalized, position + (limit - total) // ascii_weight)
            for i in range(position, start):
                total += config.weight_of(ord(normalized[i]))
                if total > limit:
                    return original_index(text, normalized, i)
        total += stretch_weight
        if end > start:
            total += weight
            if total > limit:
                return original_index(text, normalized, start)
        position = end
    return None


def parse_post(text: str, config: WeightingConfig | None = None) -> ParsedPost:
    """twitter-text's ``parseTweet``: weighted length, validity, permillage and the valid range."""
    config = config or default_config()
    normalized = _nfc(text)
    limit = config.max_weighted_length * config.scale
    total = 0
    valid = True
    valid_display_index = 0  # the last UTF-16 unit of the last unit that fits (reference semantics)
    utf16_end = 0
    crossed: int | None = None
    for start, end, weight in _units(normalized, config):
        piece = normalized[start:end]
        total += weight
        utf16_end += _utf16_length(piece)
        if valid:
            valid = _INVALID_CHARS.search(piece) is None
        if valid and total <= limit:
            valid_display_index = utf16_end - 1
        if crossed is None and total > limit:
            crossed = original_index(text, normalized, start)
    length = total // config.scale
    return ParsedPost(
        weighted_length=length,
        valid=valid and total > 0 and length <= config.max_weighted_length,
        permillage=math.floor(total / config.scale / config.max_weighted_length * 1000),
        valid_range_start=0,
        valid_range_end=valid_display_index + _utf16_length(text) - _utf16_length(normalized),
        display_range_start=0,
        display_range_end=max(_utf16_length(text) - 1, 0),
        limit_crossed_at=crossed,
    )
