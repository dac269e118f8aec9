"""The word lists of the voice checks, kept as data in ``data/`` and read once, on first use.

- ``slang_words.txt``: slang and chatty words (casual markers);
- ``formal_words.txt``: formal connectives and diction (formal markers);
- ``imperative_verbs.txt``: verbs that make a sentence opening read as a casual call to action;
- ``pronouns_first.txt``, ``pronouns_second.txt``, ``pronouns_third.txt``: the pronouns of each person
  ("it" is left out: it is as common in first-person copy as anywhere).

One entry a line in the ``.txt`` files (lowercase, blank lines ignored).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

PERSONS = ("first", "second", "third")


def _data(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The entries of ``data/<name>.txt``, in file order."""
    return tuple(word for line in _data(f"{name}.txt").splitlines() if (word := line.strip()))


@cache
def slang_words() -> frozenset[str]:
    return frozenset(word_list("slang_words"))


@cache
def formal_words() -> frozenset[str]:
    return frozenset(word_list("formal_words"))


@cache
def imperative_verbs() -> frozenset[str]:
    return frozenset(word_list("imperative_verbs"))


@cache
def person_of() -> dict[str, str]:
    """Each pronoun (lowercase) and its person: ``"first"``, ``"second"`` or ``"third"``."""
    return {word: person for person in PERSONS for word in word_list(f"pronouns_{person}")}


@cache
def pronoun_heads() -> frozenset[str]:
    """What a plain ASCII word starts with (up to an apostrophe) when it may hold a pronoun ("y" for y'all)."""
    return frozenset(person_of()) | {"y"}


@cache
def pronoun_pattern() -> re.Pattern[str]:
    """Any pronoun as a whole word (not after a letter or an apostrophe), longest first, any case."""
    return re.compile(
        r"(?<![\w'\u2019])(" + "|".join(sorted(person_of(), key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )


@cache
def pronoun_in_token_pattern() -> re.Pattern[str]:
    """``pronoun_pattern()`` without its look-behind: matched in a ``WORD`` token alone (at its start or after a
    hyphen), it finds every pronoun ``pronoun_pattern()`` finds there in the text and more (a pronoun lies
    within its token; only the character after the token, which ends the token alone, can stop a match in the
    text), so a token where it finds none holds none."""
    return re.compile(
        "(?:" + "|".join(sorted(person_of(), key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
