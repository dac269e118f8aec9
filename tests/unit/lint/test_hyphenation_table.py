"""The reading grade's precomputed en_US hyphenation patterns: the same patterns and hyphenation points as the
pinned pyphen package (a test dependency only), so a word missing from the CMU table counts as it always did."""

from __future__ import annotations

import random

import pyphen
import pytest

from flashfusion.linting.voice import hyphenation, reading_grade, syllable_table


def test_shipped_table_is_the_pinned_pyphen() -> None:
    # Fails after a pyphen upgrade until `make hyphenation` rebuilds the table.
    shipped = hyphenation.load().patterns
    assert shipped == hyphenation.patterns_from_pyphen()
    assert len(shipped) > 4000


def test_the_table_file_round_trips() -> None:
    patterns = hyphenation.patterns_from_pyphen()
    assert hyphenation.decode(hyphenation.encode(patterns)) == patterns


WORDS = ["zzyzxvarq", "GORE-TEX", "explorers", "hyphenation", "o'clock", "x1-2y", "a", "ab", "Ünïcödé", "naïve"]


@pytest.mark.parametrize("word", WORDS)
def test_points_are_pyphens(word: str) -> None:
    assert hyphenation.load().positions(word) == pyphen.Pyphen(lang="en_US").positions(word)


def test_points_are_pyphens_over_dictionary_words() -> None:
    table = syllable_table.load()
    assert table is not None
    words = sorted(table)
    sample = random.Random(16).sample(words, 5000)
    ours, theirs = hyphenation.load(), pyphen.Pyphen(lang="en_US")
    assert [w for w in sample if ours.positions(w) != theirs.positions(w)] == []


def test_the_reading_grade_uses_the_table() -> None:
    assert isinstance(reading_grade._hyphenator(), hyphenation.Hyphenator)
