"""American English hyphenation points (Liang's patterns, ``hyph_en_US.dic``), precomputed into package data:
the reading grade's syllable count for a word the CMU table lacks.

The reading grade used ``pyphen.Pyphen(lang="en_US").positions(word)``; pyphen parses the 11k-line pattern file
(~100 ms) on first use, in every process that grades an unknown word, and ships 6 MB of dictionaries for
forty languages. The parsed patterns are stored here instead, and ``positions`` is pyphen's algorithm (the
pinned pyphen 0.18.1's ``HyphDict.positions`` with ``Pyphen``'s default margins, two letters each side).

Format of ``data/hyph_en_US.txt.gz`` (gzip, UTF-8): one pattern a line, its letters, a space, the offset of
its first non-zero value, a space, its values from there (one digit each: Liang's values are 0 to 9).

Built from the installed pyphen by ``make hyphenation`` (``build``); a unit test fails when the shipped table
and the pinned package disagree. The patterns' licence (BSD-style, from the dictionary's README) ships beside
them: ``data/hyph_en_US.LICENSE``.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

PACKAGE = "flashfusion.linting.voice"
TABLE = "data/hyph_en_US.txt.gz"
LICENCE = "data/hyph_en_US.LICENSE"
MARGIN = 2
"""``Pyphen``'s default ``left`` and ``right``: no hyphen within two letters of either end."""

Patterns = dict[str, tuple[int, tuple[int, ...]]]
"""pattern letters -> (offset of the first non-zero value, the values from there)."""


class _Node:
    """A trie node: the next node by letter, and the non-zero values of the pattern spelt up to it (if any)."""

    __slots__ = ("children", "values")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.values: tuple[tuple[int, int], ...] = ()
        """Each non-zero value with its position from the pattern's first letter (zeros never raise one)."""


class Hyphenator:
    def __init__(self, patterns: Patterns) -> None:
        self.patterns = patterns
        self.longest = max(len(key) for key in patterns)
        self.trie = _trie(patterns)
        """The patterns letter by letter (``_Node``): a walk from one letter of the word meets every pattern that
        starts there, and stops at the first letter no pattern continues with (a walk of letters, not of sliced
        pieces looked up: ~3x faster than pyphen's loop, for ~10 ms more load). Typed nodes rather than nested
        dicts: compiled (mypyc), each step is a typed dict lookup and a field read."""

    def positions(self, word: str) -> list[int]:
        """Where ``word`` may be hyphenated (as ``pyphen.Pyphen(lang="en_US").positions``)."""
        word = word.lower()
        dotted = f".{word}."
        size = len(dotted)
        values = [0] * (size + 1)
        trie = self.trie
        longest = self.longest
        for i in range(size - 1):
            node = trie
            for j in range(i, min(size, i + longest)):
                child = node.children.get(dotted[j])
                if child is None:
                    break
                node = child
                for at, value in node.values:
                    if value > values[i + at]:
                        values[i + at] = value
        last = len(word) - MARGIN
        return [i - 1 for i, value in enumerate(values) if value % 2 and MARGIN <= i - 1 <= last]


def _trie(patterns: Patterns) -> _Node:
    root = _Node()
    for letters, pattern in patterns.items():
        node = root
        for letter in letters:
            child = node.children.get(letter)
            if child is None:
                child = node.children[letter] = _Node()
            node = child
        offset, values = pattern
        # over half the patterns hold one value
        if len(values) == 1:
            node.values = ((offset, values[0]),)
        else:
            node.values = tuple((offset + k, value) for k, value in enumerate(values) if value)
    return root


def encode(patterns: Mapping[str, tuple[int, tuple[int, ...]]]) -> bytes:
    """The table file's bytes; gzip without a timestamp, so the same patterns always give the same file."""
    lines = []
    for letters, (offset, values) in sorted(patterns.items()):
        if not letters or " " in letters or any(not 0 <= v <= 9 for v in values):
            raise ValueError(f"cannot store the pattern {letters!r} in the hyphenation table")
        lines.append(f"{letters} {offset} {''.join(map(str, values))}\n")
    return gzip.compress("".join(lines).encode("utf-8"), compresslevel=9, mtime=0)


def decode(data: bytes) -> Patterns:
    patterns: Patterns = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        letters, offset, values = line.split(" ")
        patterns[letters] = (int(offset), tuple(map(int, values)))
    return patterns


def load() -> Hyphenator:
    return Hyphenator(decode(resources.files(PACKAGE).joinpath(TABLE).read_bytes()))


def patterns_from_pyphen() -> Patterns:
    """The patterns as the installed pyphen parses them (a build and test dependency, not a runtime one)."""
    import pyphen

    parsed = pyphen.HyphDict(pyphen.LANGUAGES["en_US"]).patterns
    return {letters: (offset, tuple(int(v) for v in values)) for letters, (offset, values) in parsed.items()}


def build(out_dir: Path) -> Path:
    """Write the table (and the patterns' licence) from the installed pyphen."""
    import pyphen

    table = out_dir / TABLE
    table.write_bytes(encode(patterns_from_pyphen()))
    readme = Path(pyphen.LANGUAGES["en_US"]).with_name("README_hyph_en_US.txt").read_text("utf-8")
    (out_dir / LICENCE).write_text(
        f"The patterns in {Path(TABLE).name} are parsed from hyph_en_US.dic as shipped by pyphen "
        f"{getattr(pyphen, '__version__', '')}; its README follows.\n\n{readme}",
        encoding="utf-8",
    )
    return table
