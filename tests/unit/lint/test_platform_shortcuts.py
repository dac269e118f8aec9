"""Differential tests of the platform length checks' shortcuts against the plain reference.

- ``weighted_length`` of a text holding URLs (ASCII texts: each URL's weight put in for its characters', without
  the entity walk) is what twitter-text's unit-by-unit walk (``parse_post``) sums, for URLs of every shape the
  reference knows: with and without a protocol, IDN and punycode hosts, t.co links, ports, paths with parentheses,
  queries, trailing punctuation, emoji and directional marks around them, and whatever random Unicode is near.
- ``check_text_for_platforms`` measures every platform by its plain counter (``COUNTERS``) and finds a length
  violation exactly where that count is over the limit.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting import platforms as pf
from flashfusion.linting.counting.x_weighted import WeightingConfig, default_config, parse_post, weighted_length
from tests.unit.lint.test_x_weighted_length import WEIGHTED_SECTIONS, config_for

BEFORE = ["", " ", "\n", "a", "@", "#", "$", "(", "-", "_", "/", ".", "🌲", "\u200f", "。", "é", "日"]
SCHEMES = ["", "http://", "https://", "HTTPS://", "hTtP://", "ftp://", "https:/"]
HOSTS = [
    "example.com",
    "www.example.co.uk",
    "EXAMPLE.COM",
    "sub-domain.example.io",
    "ex_ample.com",
    "-bad.com",
    "a.b",
    "x.com",
    "t.co",
    "xn--bcher-kva.de",
    "xn--fsq.xn--0zwm56d",
    "bücher.de",
    "例子.com",
    "例子.测试",
    "domain.рф",
    "a" * 64 + ".com",
    "a" * 63 + ".com",
    "1.2.3.4",
    "localhost",
    "e.g",
    "example.comm",
    "example.com.",
    "example..com",
]
PORTS = ["", ":8080", ":"]
PATHS = [
    "",
    "/",
    "/shop",
    "/a/b.html",
    "/a.",
    "/path(with)parens",
    "/a)",
    "/é",
    "/Русский",
    "/a_b-c~d",
    "/@user/",
    "?q=1&x=y",
    "/?q=1!",
    "#frag",
    "/abc123?foo=bar",
    "/" + "x" * 41,
]
AFTER = ["", " ", ".", ",", "!", "?", ")", "…", "🌲", "👍🏽", "\u200f", ":", "'", '"', "/", "-", "日本", "\ufe0f"]


@st.composite
def urls(draw: st.DrawFn) -> str:
    return (
        draw(st.sampled_from(BEFORE))
        + draw(st.sampled_from(SCHEMES))
        + draw(st.sampled_from(HOSTS))
        + draw(st.sampled_from(PORTS))
        + draw(st.sampled_from(PATHS))
        + draw(st.sampled_from(AFTER))
    )


AROUND = st.one_of(
    st.sampled_from(["", " ", "word ", ". ", "e.g. ", "Café ", "👍🏽 ", "❄️☀️", "👨‍👩‍👧", "€", "\u2019", "\r\n"]),
    st.text(min_size=1, max_size=4),
)
ASCII_AROUND = st.one_of(
    st.sampled_from(["", " ", "word ", ". ", "e.g. ", "a.b ", "#tag ", "@user ", "\r\n"]),
    st.text(st.characters(max_codepoint=0x7F), min_size=1, max_size=4),
)


CONFIGS: list[WeightingConfig] = [default_config(), *(config_for(section) for section in WEIGHTED_SECTIONS[:2])]
"""v3 as shipped, and the suite's configurations with and without emoji parsing."""


@settings(max_examples=700, deadline=None)
@given(st.lists(st.one_of(urls(), AROUND), min_size=0, max_size=12))
def test_the_weight_of_a_text_with_urls_is_the_unit_walks(pieces: list[str]) -> None:
    text = "".join(pieces)
    for config in CONFIGS:
        assert weighted_length(text, config) == parse_post(text, config).weighted_length


@settings(max_examples=700, deadline=None)
@given(st.lists(st.one_of(urls(), ASCII_AROUND), min_size=0, max_size=12))
def test_the_weight_of_an_ascii_text_with_urls_is_the_unit_walks(pieces: list[str]) -> None:
    """The ASCII shortcut (each URL's weight for its characters', no entity walk), on ASCII URLs of every shape."""
    text = "".join(piece for piece in pieces if piece.isascii())
    for config in CONFIGS:
        assert weighted_length(text, config) == parse_post(text, config).weighted_length


def reference_lengths(text: str, names: tuple[str, ...]) -> dict[str, float]:
    return {f"{name}.text_length": float(pf.COUNTERS[pf.TEXT_LIMITS[name].counter](text)) for name in names}


PLATFORM_SETS = st.lists(st.sampled_from(sorted(pf.TEXT_LIMITS)), min_size=0, max_size=4).map(tuple)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(urls(), AROUND), min_size=0, max_size=60), st.integers(0, 3), PLATFORM_SETS)
def test_every_platform_is_measured_by_its_plain_counter(
    pieces: list[str], repeat: int, names: tuple[str, ...]
) -> None:
    """The metrics are each platform's plain count, and a length violation is raised exactly where it is over."""
    text = "".join(pieces) * (1 + repeat * 4)  # some texts over X's, Bluesky's and Mastodon's limits
    result = pf.check_text_for_platforms(text, names)
    assert result.metrics == reference_lengths(text, names)
    over = [
        f"platform.{name}.text-length"
        for name in dict.fromkeys(names)
        if pf.COUNTERS[pf.TEXT_LIMITS[name].counter](text) > pf.TEXT_LIMITS[name].max_chars
    ]
    found = list(dict.fromkeys(v.rule_id for v in result.violations if v.rule_id.endswith(".text-length")))
    assert found == over
