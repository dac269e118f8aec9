"""The normalisation's shortcut for texts whose non-ASCII characters are all inert or dropped by step 2
(``normalise._without_dropped``: emoji with variation selectors, zero-width joiners and spaces, tags) gives the
normalisation every step gives character by character: the same text, spans back into the original, joined runs
and case key."""

# ruff: noqa: RUF001 - the pieces hold look-alike characters on purpose
from __future__ import annotations

from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashfusion.linting import normalise as normalise_module
from flashfusion.linting.normalise import Normalised, normalise
from tests.helpers import linter_sources

from .test_text_lint_shortcuts import PIECES, _in_full, _spans

with linter_sources():  # the module run from its source, where a patch of ``_without_dropped`` sees the calls to it
    from flashfusion.linting import normalise as SOURCE

EMOJI_PIECES = [
    "⛰\ufe0f",
    "⛰\ufe0e",
    "❄\ufe0f☀\ufe0f",
    "👍🏽",
    "👍\ufe0f🏽",
    "👨\u200d👩\u200d👧\u200d👦",
    "❤\ufe0f\u200d🔥",
    "🏳\ufe0f\u200d🌈",
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # a subdivision flag: tag characters
    "🇫🇷",
    "1\ufe0f\u20e3",  # keycap: an ASCII base, a selector, an enclosing mark
    "#\ufe0f",
    "©\ufe0f",
    "\ufe0f",
    "\ufe0f\ufe0f",
    "\u200d",
    "\u200d\ufe0f",
    "\u200d\u0301",
    "\u200b",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u034f",
    "\u180b",
    "\U000e0100",
    "\u3164",
    "\uffa0",
    "\u115f",
    "\u1160",
    "\u200e",
    "\u061c",
    "\U0001d173",
    "🌲\u0301",
    "🌲\u20dd",
    "🌲\u0336",
    "🌲\ufe0f\u0301",
    "a\ufe0f",
    "a\u0301\ufe0f",
    "w\ufe0fi\ufe0fn",
    "w \ufe0fi n",
    "w\u200b.i.n",
    "ѕ\ufe0fсаm",
    "\u2010\ufe0f",
    "İ\ufe0f",
    "Ⅸ",
    "🌲",
    " ",
    ".",
    "win",
    "Post 7-0.",
]
texts = st.lists(
    st.one_of(st.sampled_from(EMOJI_PIECES), st.sampled_from(PIECES), st.text(max_size=3)), max_size=20
).map("".join)


def _starts(norm: Normalised) -> list[int]:
    return list(range(len(norm.text)) if norm.starts is None else norm.starts)


def _ends(norm: Normalised) -> list[int]:
    return list(range(1, len(norm.text) + 1) if norm.ends is None else norm.ends)


def _assert_as_in_full(text: str) -> Normalised:
    fast = normalise_module._normalise.__wrapped__(text)
    full = _in_full(text)
    assert fast.original == text
    assert fast.text == full.text
    assert _spans(fast) == _spans(full)
    assert _starts(fast) == _starts(full)
    assert _ends(fast) == _ends(full)
    assert fast.runs == full.runs
    assert fast.case_key == full.case_key
    return fast


@settings(max_examples=1500, deadline=None)
@given(texts)
@example("See you out there. ⛰\ufe0f Post 3-1.")
@example("\ufe0fa")
@example("a\ufe0f\u200d\ufe0fb")
def test_a_text_of_kept_and_dropped_characters_is_normalised_as_by_every_step(text: str) -> None:
    _assert_as_in_full(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["⛰\ufe0f", "👨\u200d👩", "🌲", "a", " ", "\ufe0f", "\u200b", "w i n"]), max_size=12))
def test_the_shortcut_is_taken_for_such_texts(pieces: list[str]) -> None:
    """Texts of emoji with selectors and joiners take the shortcut (and so are held to the full steps above)."""
    text = "".join(pieces)
    with mock.patch.object(SOURCE, "_without_dropped", wraps=SOURCE._without_dropped) as shortcut:
        fast = SOURCE._normalise.__wrapped__(text)
    taken = not text.isascii() and any(ch in text for ch in "\ufe0f\u200b\u200d")
    assert shortcut.called == taken
    assert fast.text == _in_full(text).text


def test_a_selector_stretches_its_emoji_span_and_a_joiner_does_not() -> None:
    norm = normalise("Go ⛰\ufe0f\u200d🌲 now")
    assert norm.text == "Go ⛰🌲 now"
    assert norm.span(3, 4) == (3, 5)  # the mountain and its selector
    assert norm.span(4, 5) == (6, 7)  # the tree, after the joiner
    assert norm.span(3, 5) == (3, 7)


def test_every_dropped_character_is_one_step_2_drops() -> None:
    """Each default-ignorable character the shortcut drops makes nothing as a cluster's base (with or without a
    mark after it), and a dropped mark leaves its base as it is; an inert character is kept."""
    for lo, hi in normalise_module.DEFAULT_IGNORABLE:
        for code in range(lo, hi + 1):
            ch = chr(code)
            kind = normalise_module._char_kind(ch)
            if kind == normalise_module._DROPPED:
                assert normalise_module._cluster(ch) == "", hex(code)
                assert normalise_module._cluster(ch + "\u0301") == "", hex(code)
            elif kind == normalise_module._DROPPED_MARK:
                assert normalise_module._is_mark(ch), hex(code)
                assert normalise_module._cluster("a" + ch) == "a", hex(code)
                assert normalise_module._cluster("🌲" + ch) == "🌲", hex(code)
            else:
                assert kind == normalise_module._OTHER, hex(code)
                assert normalise_module._cluster(ch) != "", hex(code)
    for ch in "🌲⛰❄☀👍🏽🇫©日":
        assert normalise_module._char_kind(ch) == normalise_module._INERT
