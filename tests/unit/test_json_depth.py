"""json_depth (the API's nesting guard, run on every request body before anything parses it) against a plainly
written reference: a character-by-character scan that skips strings and their escapes."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.http.identity import MAX_JSON_DEPTH, json_depth


def reference_depth(text: str) -> int:
    """Brackets outside strings, counted one character at a time; a string ends at an unescaped quote. An
    unterminated string is not a string (the guard's regex finds no match there), so its brackets count."""
    depth = deepest = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = _string_end(text, i)
            if end is not None:
                i = end + 1
                continue
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
        i += 1
    return deepest


def _string_end(text: str, start: int) -> int | None:
    """The index of the quote closing the string opened at ``start``, or None (a backslash escapes any
    character but a newline, as the guard's regex's ``.`` does)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            if i + 1 < len(text) and text[i + 1] != "\n":
                i += 2
                continue
            return None
        if text[i] == '"':
            return i
        i += 1
    return None


def test_depths_of_plain_documents() -> None:
    assert json_depth("") == 0
    assert json_depth('{"a": 1}') == 1
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert json_depth('{"a": "[[[[{{{{"}') == 1  # brackets in strings do not count
    assert json_depth('{"a": "say \\"[[\\" twice"}') == 1  # nor after an escaped quote
    assert json_depth("]]][[") == 0  # the running sum, never above zero here (not JSON: the parser refuses it)
    assert json_depth("[" * 100_000 + "]" * 100_000) == 100_000


def test_a_hostile_body_is_over_the_limit() -> None:
    assert json_depth("[" * (MAX_JSON_DEPTH + 1)) > MAX_JSON_DEPTH
    assert json_depth(json.dumps(_nested(MAX_JSON_DEPTH))) == MAX_JSON_DEPTH


def _nested(levels: int) -> object:
    value: object = 0
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


ALPHABET = st.sampled_from(list('[]{}"\\\n a,:1'))


@settings(max_examples=150, derandomize=True, database=None)
@given(st.lists(ALPHABET, max_size=80).map("".join))
def test_matches_the_reference_on_bracket_and_quote_soup(text: str) -> None:
    assert json_depth(text) == reference_depth(text)


def test_matches_the_reference_on_random_json() -> None:
    rng = random.Random(16)

    def document(level: int) -> object:
        kind = rng.randrange(5 if level < 12 else 2)
        if kind == 0:
            return rng.choice(["[{", '"}]', "\\", 'a"b', "", "\n"]) * rng.randrange(3)
        if kind == 1:
            return rng.randrange(100)
        if kind in (2, 3):
            return [document(level + 1) for _ in range(rng.randrange(4))]
        return {str(document(level + 1)): document(level + 1) for _ in range(rng.randrange(4))}

    for _ in range(300):
        text = json.dumps(document(0))
        assert json_depth(text) == reference_depth(text), text
