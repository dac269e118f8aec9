"""X's weighted length against X's own conformance suite (twitter-text, tests/fixtures/twitter-text).

Every case of the three weighted-length sections of validate.yml is one test, checked on every field
twitter-text's ``parseTweet`` returns, with the configuration the suite's runner uses for it.
"""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting.counting import x_weighted
from flashfusion.linting.counting.x_weighted import WeightingConfig, crossed_at, parse_post, weighted_length
from tests.unit.lint.twitter_text_fixture import cases, suite, v3_config

WEIGHTED_SECTIONS = (
    "WeightedTweetsCounterTest",
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)
# The other sections of validate.yml check twitter-text's validators of a lone tweet, username, list,
# hashtag or URL (RFC 3986 syntax, ``isValidUrl``): none of them changes what a post weighs.
NOT_LENGTH_SECTIONS = {
    "tweets": "isValidTweetText: the v1 (140 code points) validity, superseded by the weighted sections",
    "usernames": "isValidUsername: not part of the length",
    "lists": "isValidList: not part of the length",
    "hashtags": "isValidHashtag: not part of the length",
    "urls": "isValidUrl: RFC 3986 validation of a lone URL, not the extraction the counter uses",
    "urls_without_protocol": "isValidUrl without a protocol: as above",
}
FIELDS = {
    "weightedLength": "weighted_length",
    "valid": "valid",
    "permillage": "permillage",
    "displayRangeStart": "display_range_start",
    "displayRangeEnd": "display_range_end",
    "validRangeStart": "valid_range_start",
    "validRangeEnd": "valid_range_end",
}


def config_for(section: str) -> WeightingConfig:
    """What the suite's runner passes: v2 for the first section, v3 for the others (v3 is also the
    default). v2 is v3 without emoji parsing (twitter-text config/v2.json)."""
    v3 = WeightingConfig.from_json(v3_config())
    return dataclasses.replace(v3, version=2, emoji_parsing=False) if section == WEIGHTED_SECTIONS[0] else v3


def test_every_section_is_run_or_listed_with_a_reason() -> None:
    assert set(suite("validate")) == set(WEIGHTED_SECTIONS) | set(NOT_LENGTH_SECTIONS)


@pytest.mark.parametrize(("section", "case"), cases("validate", *WEIGHTED_SECTIONS))
def test_conformance(section: str, case: dict[str, Any]) -> None:
    config = config_for(section)
    parsed = parse_post(case["text"], config)
    got = {name: getattr(parsed, attribute) for name, attribute in FIELDS.items()}
    assert got == case["expected"]
    assert weighted_length(case["text"], config) == case["expected"]["weightedLength"]  # the fast path
    assert crossed_at(case["text"], config) == parsed.limit_crossed_at  # the other fast path


def test_the_shipped_configuration_is_the_suites_v3() -> None:
    shipped = resources.files("flashfusion.linting").joinpath("data/twitter_text_v3.json").read_text("utf-8")
    assert json.loads(shipped) == v3_config()
    assert x_weighted.default_config() == WeightingConfig.from_json(v3_config())
    assert x_weighted.default_config().emoji_parsing


def test_the_shipped_tlds_are_the_suites() -> None:
    shipped = json.loads(
        resources.files("flashfusion.linting").joinpath("data/twitter_text_tlds.json").read_text("utf-8")
    )
    prefix = "https://twitter."
    for kind in ("generic", "country"):
        assert sorted(shipped[kind]) == sorted(case["text"].removeprefix(prefix) for case in suite("tlds")[kind])


# --- beyond the suite: the classes of posts the issue names ------------------------------------


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points, one emoji


@pytest.mark.parametrize(
    ("text", "length"),
    [
        (FAMILY * 140, 280),  # each ZWJ sequence weighs 2, not 2 per code point plus the joiners
        ("\U0001f44d\U0001f3fd" * 10, 20),  # skin-tone modifier sequences
        ("\U0001f1eb\U0001f1f7\U0001f1ef\U0001f1f5", 4),  # two flags
        ("1\ufe0f\u20e3 #\u20e3", 5),  # keycaps, qualified and not
        ("\u00a9 \u00a9\ufe0f", 4),  # a bare copyright sign weighs 1, with U+FE0F it is an emoji: 2
        ("Cafe\u0301", 4),  # NFC: e + combining acute is one character
        ("visit example.com today", 6 + 23 + 6),  # a bare domain is a URL
        ("visit example.invalidtld today", 30),  # no known TLD: no URL
        ("see https://example.com/path. Next", 4 + 23 + 6),  # the trailing dot is not part of the URL
        ("(https://example.com/a_(b))", 1 + 23 + 1),  # balanced parentheses stay in, the last one not
        ("http://localhost:8080/x", len("http://localhost:8080/x")),  # no TLD: every character counts
    ],
)
def test_weighted_length_of_post_classes(text: str, length: int) -> None:
    assert weighted_length(text) == length


def test_limit_crossed_at_points_into_the_text_given() -> None:
    text = "Cafe\u0301 " + "x" * 280  # normalised, the 281st weighted character is the 276th "x"
    parsed = parse_post(text)
    assert parsed.weighted_length == 285
    assert parsed.limit_crossed_at is not None
    assert weighted_length(text[: parsed.limit_crossed_at]) == 280
    assert weighted_length(text[: parsed.limit_crossed_at + 1]) == 281
    assert parse_post("x" * 280).limit_crossed_at is None
    emoji = parse_post("a" * 279 + FAMILY)  # 281: the family emoji is what crosses, as a whole
    assert emoji.limit_crossed_at == 279


LONG_PIECES = [
    "x",
    "word ",
    "Café ",
    "e\u0301",
    "日本",
    "👍🏽",
    "🌲",
    "https://example.com/a ",
    "t.co ",
    "\u200f",
    "👨‍👩‍👧",
    "€",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LONG_PIECES), min_size=1, max_size=40), st.integers(0, 300))
def test_where_the_limit_is_crossed_is_where_the_unit_walk_crosses_it(pieces: list[str], padding: int) -> None:
    """``crossed_at`` weighs whole stretches between URLs and emoji and computes the ASCII character: it points
    where ``parse_post``'s unit-by-unit walk does, with the limit falling in every kind of stretch."""
    for text in ("a" * padding + "".join(pieces), "".join(pieces) + "b" * padding, "".join(pieces) * 8):
        for config in (config_for(WEIGHTED_SECTIONS[0]), config_for(WEIGHTED_SECTIONS[1])):
            assert crossed_at(text, config) == parse_post(text, config).limit_crossed_at


SHORTCUT_PIECES = [
    *LONG_PIECES,
    " ",
    ". ",
    "a.b",
    "e.g.",
    "x.com",
    "⛰\ufe0f",
    "❄️☀️",
    "\u2764",
    "\ufe0f",
    "\u200d",
    "\u20e3",
    "1\ufe0f\u20e3",
    "#\u20e3",
    "🇫🇷",
    "🇫",
    "\U0001f3fd",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "👁\u200d🗨",
    "©",
    "\u2019",
    "\u2014",
    "\uff57",
    "Ω",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SHORTCUT_PIECES), st.text(min_size=1, max_size=3)), min_size=0, max_size=30))
def test_the_weighted_length_is_the_unit_walks(pieces: list[str]) -> None:
    """``weighted_length`` weighs a text without URLs in one scan (emoji sequences only where their glue is):
    it is what ``parse_post``'s unit-by-unit walk sums, with and without emoji parsing, on texts of every kind
    (emoji with and without their glue, lone glue characters, flags, keycaps, tags, URLs, random Unicode)."""
    text = "".join(pieces)
    for config in (config_for(WEIGHTED_SECTIONS[0]), config_for(WEIGHTED_SECTIONS[1])):
        assert weighted_length(text, config) == parse_post(text, config).weighted_length


def test_every_emoji_sequence_holds_a_glue_character() -> None:
    """The glue pre-check is exact for the emoji data shipped: a text without glue holds no sequence."""
    import emoji

    from flashfusion.linting.counting.emoji_sequences import GLUE, GLUE_CHARS, glue_decides

    sequences = [e for e in emoji.EMOJI_DATA if len(e) > 1]
    assert sequences
    assert all(GLUE.search(e) for e in sequences)
    assert all(not GLUE_CHARS.isdisjoint(e) for e in sequences)
    assert glue_decides()
    glue_block = [chr(c) for c in [*range(0x2000, 0x2100), *range(0xFE00, 0xFE10), *range(0x1F000, 0x1F400)]]
    tags = [chr(c) for c in range(0xE0000, 0xE0100)]
    assert {c for c in [*glue_block, *tags] if GLUE.match(c)} == GLUE_CHARS  # the pattern is the set
