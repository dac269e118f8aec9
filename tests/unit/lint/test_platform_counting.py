"""Each platform's own way of counting a post: X's weights, Mastodon's URLs and mentions, Bluesky's
graphemes; and a too-long post's report points at where the limit is crossed."""

from __future__ import annotations

import json

import pytest

from flashfusion.app.publishing import NotPublishable, _check_platform
from flashfusion.linting import platforms as pf
from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.models import BrandKit, TextSpan, Violation
from tests.helpers import ROOT

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji of 7 code points
THUMB = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone: one grapheme, 8 UTF-8 bytes
LONG_URL = "https://example.com/" + "a" * 100


def length_violation(text: str, platform: str) -> Violation:
    (violation,) = [v for v in pf.check_text_for_platforms(text, [platform]).violations if "length" in v.rule_id]
    return violation


def fixed(text: str, violation: Violation) -> str:
    assert violation.fix is not None
    span = violation.fix.span
    assert text[span.start : span.end] == span.text
    return text[: span.start] + violation.fix.text + text[span.end :]


# --- X --------------------------------------------------------------------------------------------


def test_x_140_family_emoji_fit_and_141_do_not() -> None:
    assert pf.check_text_for_platforms(FAMILY * 140, ["x"]).violations == []
    assert pf.check_text_for_platforms(FAMILY * 140, ["x"]).metrics["x.text_length"] == 280
    violation = length_violation(FAMILY * 141, "x")
    assert violation.message == "x takes at most 280 weighted characters; this has 282"
    assert violation.location == TextSpan(start=140 * len(FAMILY), end=141 * len(FAMILY), text=FAMILY)


@pytest.mark.parametrize(
    ("text", "crossing"),
    [
        ("word " * 60, "w"),
        ("\u65e5\u672c " * 100, "\u65e5"),
        ("see " + LONG_URL + " " + "b" * 270, "b"),
        ("Cafe\u0301 " * 60, "C"),  # decomposed: counted after NFC, located in the text as written
        ("a" * 270 + " example.com " + "c" * 20, "example.com"),  # the URL as a whole goes over
        ("\U0001f1eb\U0001f1f7" * 150, "\U0001f1eb\U0001f1f7"),  # so does a flag
    ],
)
def test_x_report_points_where_the_limit_is_crossed(text: str, crossing: str) -> None:
    violation = length_violation(text, "x")
    assert isinstance(violation.location, TextSpan)
    start = violation.location.start
    assert (violation.location.text, violation.location.end) == (text[start:], len(text))
    assert text[start:].startswith(crossing)
    assert pf.x_weighted_length(text[:start]) <= 280 < pf.x_weighted_length(text[: start + len(crossing)])
    assert pf.check_text_for_platforms(fixed(text, violation), ["x"]).violations == []


def test_x_trim_never_cuts_a_url_into_something_heavier() -> None:
    text = "a " * 120 + LONG_URL + " tail words here"  # 240 + 23 + 16 = 279: fits
    assert pf.check_text_for_platforms(text, ["x"]).violations == []
    text = "a " * 125 + LONG_URL + " more words to go over"
    violation = length_violation(text, "x")
    assert pf.check_text_for_platforms(fixed(text, violation), ["x"]).violations == []


# --- Mastodon ---------------------------------------------------------------------------------------


def test_mastodon_counts_each_url_as_23() -> None:
    text = LONG_URL + " " + "a" * 476  # 23 + 1 + 476 = 500, though 597 characters
    assert pf.text_length(text, "mastodon") == 500
    assert pf.check_text_for_platforms(text, ["mastodon"]).violations == []
    assert length_violation(text + "a", "mastodon").message.endswith("this has 501")


def test_mastodon_counts_a_bare_domain_as_text() -> None:
    assert pf.text_length("example.com", "mastodon") == len("example.com")


def test_mastodon_counts_a_remote_mention_without_its_domain() -> None:
    mention = "@alice@a-long-instance-name.example.social"
    text = (mention + " ") * 70 + "b" * 80  # counted as "@alice " (7) x 70 + 80 = 570
    assert pf.text_length(text, "mastodon") == 7 * 70 + 80
    assert length_violation(text, "mastodon").message.startswith("mastodon takes at most 500 characters")
    assert pf.text_length("mail alice@example.com", "mastodon") == len("mail alice@example.com")  # no mention


def test_mastodon_counts_graphemes() -> None:
    assert pf.check_text_for_platforms(FAMILY * 500, ["mastodon"]).violations == []
    violation = length_violation(FAMILY * 501, "mastodon")
    assert violation.location == TextSpan(start=500 * len(FAMILY), end=501 * len(FAMILY), text=FAMILY)
    assert pf.check_text_for_platforms(fixed(FAMILY * 501, violation), ["mastodon"]).violations == []


# --- Bluesky ----------------------------------------------------------------------------------------


def test_bluesky_counts_graphemes() -> None:
    assert pf.check_text_for_platforms(THUMB * 300, ["bluesky"]).violations == []
    violation = length_violation(THUMB * 301, "bluesky")
    assert violation.rule_id == "platform.bluesky.text-length"
    assert violation.location is not None
    assert violation.location.start == 300 * len(THUMB)


def test_bluesky_also_caps_bytes() -> None:
    text = FAMILY * 121  # 121 graphemes but 121 * 25 = 3,025 bytes
    (violation,) = pf.check_text_for_platforms(text, ["bluesky"]).violations
    assert violation.rule_id == "platform.bluesky.text-bytes"
    assert pf.check_text_for_platforms(fixed(text, violation), ["bluesky"]).violations == []


# --- publishing checks what it publishes -------------------------------------------------------------


@pytest.mark.parametrize(("platform", "text"), [("mastodon", "a" * 501), ("bluesky", THUMB * 301)])
def test_publishing_refuses_text_over_the_platforms_limit(platform: str, text: str) -> None:
    with pytest.raises(NotPublishable, match=platform):
        _check_platform(platform, text, None, "text/plain")
    _check_platform(platform, text[: -len(THUMB)] if platform == "bluesky" else text[:-1], None, "text/plain")


# --- the lint engine: a Bluesky or Mastodon channel is linted against that platform's text limits -----


def sample_kit() -> BrandKit:
    return BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))


@pytest.mark.parametrize(("channel", "text"), [("mastodon", "a" * 501), ("bluesky", THUMB * 301)])
def test_a_publishing_channel_is_linted_against_its_limits(channel: str, text: str) -> None:
    report = lint_text(text, LintContext(kit=sample_kit(), channel=channel))
    assert f"platform.{channel}.text-length" in [v.rule_id for v in report.violations]
    assert not report.compliant


def test_text_only_platforms_have_no_media_rules() -> None:
    assert pf.check_image_for_platforms(100, 100, "png", 10, ["mastodon", "bluesky"]).rules_checked == []
    assert pf.check_video_for_platforms(10, 100, 100, ["mastodon"]).rules_checked == []
    assert pf.check_audio_for_platforms(10, ["bluesky"]).rules_checked == []
