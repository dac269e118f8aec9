"""Platform limits: text length (with a trim fix) and hashtags, images, video, audio; at each boundary."""

from __future__ import annotations

import pytest

from flashfusion.linting import platforms as pf
from flashfusion.linting.base import CheckResult
from flashfusion.models import Violation


def rules(result: CheckResult) -> list[str]:
    return [v.rule_id for v in result.violations]


def apply_right_to_left(text: str, violations: list[Violation]) -> str:
    fixes = sorted((v.fix for v in violations if v.fix is not None), key=lambda f: f.span.start, reverse=True)
    for fix in fixes:
        assert text[fix.span.start : fix.span.end] == fix.span.text
        text = text[: fix.span.start] + fix.text + text[fix.span.end :]
    return text


def words(n: int) -> str:
    """Exactly n characters of "word word wor..." text."""
    return ("word " * (n // 5 + 1))[:n]


# --- text length: at, just over, well over each limit -------------------------------------------

TEXT_LIMITS = [("x", 280), ("linkedin", 3000), ("instagram", 2200), ("facebook", 63206), ("tiktok", 2200)]


@pytest.mark.parametrize(("platform", "limit"), TEXT_LIMITS)
@pytest.mark.parametrize("delta", [-1, 0, 1, 50])
def test_text_length_boundaries(platform: pf.Platform, limit: int, delta: int) -> None:
    text = words(limit + delta)
    result = pf.check_text_for_platforms(text, [platform])
    assert f"platform.{platform}.text-length" in result.rules_checked
    if delta <= 0:
        assert result.violations == []
        return
    (v,) = result.violations
    assert v.rule_id == f"platform.{platform}.text-length"
    assert v.severity == "error"
    assert v.fix is not None
    assert v.fix.kind == "trim"
    fixed = apply_right_to_left(text, [v])
    assert fixed.endswith(pf.ELLIPSIS)
    assert not fixed[:-1].endswith(" ")
    assert fixed[:-1] == text[: len(fixed) - 1]
    assert text[len(fixed) - 1] == " "  # cut at a word boundary
    assert pf.check_text_for_platforms(fixed, [platform]).violations == []


def test_youtube_description_counts_bytes() -> None:
    assert pf.check_text_for_platforms("é" * 2500, ["youtube"]).violations == []
    result = pf.check_text_for_platforms("é" * 2500 + "a", ["youtube"])
    assert rules(result) == ["platform.youtube.text-length"]
    fixed = apply_right_to_left("é" * 2500 + "a", result.violations)
    assert pf.check_text_for_platforms(fixed, ["youtube"]).violations == []


def test_tiktok_counts_utf16_units() -> None:
    emoji = "😀"  # two UTF-16 units
    assert pf.check_text_for_platforms(emoji * 1100, ["tiktok"]).violations == []
    assert rules(pf.check_text_for_platforms(emoji * 1100 + "a", ["tiktok"])) == ["platform.tiktok.text-length"]
    assert pf.check_text_for_platforms(emoji * 1100 + "a", ["instagram"]).violations == []


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("a" * 280, 280),
        ("日本" * 70, 280),
        ("😀" * 140, 280),
        ("see https://example.com/a/very/long/path/that/goes/on/and/on " + "a" * 10, 4 + 23 + 1 + 10),
        ("\u2014\u2019\u201c\u201d", 4),  # general punctuation counts 1
    ],
)
def test_x_weighted_length(text: str, length: int) -> None:
    assert pf.x_weighted_length(text) == length


def test_x_cjk_over_the_limit_is_trimmed_within_it() -> None:
    text = "日本 " * 100  # 2+2+1 = 5 per unit: 500
    result = pf.check_text_for_platforms(text, ["x"])
    fixed = apply_right_to_left(text, result.violations)
    assert pf.x_weighted_length(fixed) <= 280
    assert pf.check_text_for_platforms(fixed, ["x"]).violations == []


def test_trim_one_long_word_hard_cuts() -> None:
    text = "a" * 300
    (v,) = pf.check_text_for_platforms(text, ["x"]).violations
    fixed = apply_right_to_left(text, [v])
    assert fixed == "a" * 278 + pf.ELLIPSIS  # the ellipsis weighs 2 on X
    assert pf.check_text_for_platforms(fixed, ["x"]).violations == []


def test_youtube_title() -> None:
    assert pf.check_text_for_platforms("t" * 100, ["youtube"], kind="title").violations == []
    result = pf.check_text_for_platforms(words(101), ["youtube", "x"], kind="title")
    assert rules(result) == ["platform.youtube.title-length"]
    assert result.rules_checked == ["platform.youtube.title-length"]
    fixed = apply_right_to_left(words(101), result.violations)
    assert len(fixed) <= 100


# --- hashtags -----------------------------------------------------------------------------------


def tags(n: int) -> str:
    return "Trail day " + " ".join(f"#tag{i}" for i in range(n))


@pytest.mark.parametrize(("n", "bad"), [(29, False), (30, False), (31, True), (40, True)])
def test_instagram_hashtags(n: int, bad: bool) -> None:
    result = pf.check_text_for_platforms(tags(n), ["instagram"])
    assert rules(result) == (["platform.instagram.hashtags"] if bad else [])
    if bad:
        assert result.violations[0].severity == "error"
        assert result.violations[0].location is not None


@pytest.mark.parametrize(("n", "bad"), [(60, False), (61, True)])
def test_youtube_hashtags_warning(n: int, bad: bool) -> None:
    result = pf.check_text_for_platforms(tags(n), ["youtube"])
    assert [(v.rule_id, v.severity) for v in result.violations] == (
        [("platform.youtube.hashtags", "warning")] if bad else []
    )


def test_hashtag_parsing() -> None:
    text = "#one #two2 #3 a#b C# &#39; http://x.com/#frag #über"
    assert [m.group(0) for m in pf.hashtags(text)] == ["#one", "#two2", "#über"]


def test_many_platforms_at_once() -> None:
    text = words(2500) + " " + " ".join(f"#t{i}" for i in range(31))
    result = pf.check_text_for_platforms(text, ["x", "linkedin", "instagram", "tiktok", "facebook"])
    assert sorted(rules(result)) == sorted(
        [
            "platform.x.text-length",
            "platform.instagram.text-length",
            "platform.instagram.hashtags",
            "platform.tiktok.text-length",
        ]
    )


# --- images -------------------------------------------------------------------------------------

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("width", "height", "ok"),
    [
        (1080, 1350, True),  # 4:5 exactly
        (1080, 1351, False),
        (1080, 1080, True),
        (1910, 1000, True),  # 1.91:1 exactly
        (1911, 1000, False),
        (1080, 1920, False),  # 9:16
    ],
)
def test_instagram_image_aspect(width: int, height: int, ok: bool) -> None:
    result = pf.check_image_for_platforms(width, height, "image/jpeg", MB, ["instagram"])
    assert rules(result) == ([] if ok else ["platform.instagram.image-aspect"])


@pytest.mark.parametrize(
    ("fmt", "size", "expected"),
    [
        ("jpg", 8 * MB, []),
        ("JPEG", 8 * MB + 1, ["platform.instagram.image-size"]),
        ("png", MB, ["platform.instagram.image-format"]),
        (".webp", 9 * MB, ["platform.instagram.image-format", "platform.instagram.image-size"]),
    ],
)
def test_instagram_image_format_and_size(fmt: str, size: int, expected: list[str]) -> None:
    assert rules(pf.check_image_for_platforms(1080, 1080, fmt, size, ["instagram"])) == expected


@pytest.mark.parametrize(
    ("platform", "width", "height", "fmt", "size", "expected"),
    [
        ("x", 4000, 1000, "png", 5 * MB, []),
        ("x", 1000, 1000, "png", 5 * MB + 1, ["platform.x.image-size"]),
        ("x", 1000, 1000, "bmp", MB, ["platform.x.image-format"]),
        ("linkedin", 1910, 1000, "png", 5 * MB, []),
        ("linkedin", 1000, 1910, "png", MB, []),
        ("linkedin", 1000, 1911, "png", MB, ["platform.linkedin.image-aspect"]),
        ("facebook", 4000, 500, "tif", 10 * MB, []),
        ("facebook", 100, 100, "png", 10 * MB + 1, ["platform.facebook.image-size"]),
        ("tiktok", 1080, 1920, "webp", 20 * MB, []),
        ("tiktok", 1080, 1920, "png", MB, ["platform.tiktok.image-format"]),
        ("youtube", 1280, 720, "jpg", 2 * MB, []),
        ("youtube", 640, 360, "png", MB, []),
        ("youtube", 639, 360, "png", MB, ["platform.youtube.image-dimensions", "platform.youtube.image-aspect"]),
        ("youtube", 1280, 721, "png", MB, ["platform.youtube.image-aspect"]),
        ("youtube", 1280, 720, "webp", 2 * MB + 1, ["platform.youtube.image-format", "platform.youtube.image-size"]),
    ],
)
def test_image_limits(platform: pf.Platform, width: int, height: int, fmt: str, size: int, expected: list[str]) -> None:
    assert rules(pf.check_image_for_platforms(width, height, fmt, size, [platform])) == expected


# --- video --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "duration", "expected"),
    [
        ("x", 0.5, []),
        ("x", 0.4, [("platform.x.video-duration", "error")]),
        ("x", 140, []),
        ("x", 140.1, [("platform.x.video-duration", "error")]),
        ("linkedin", 3, []),
        ("linkedin", 2.9, [("platform.linkedin.video-duration", "error")]),
        ("linkedin", 900, []),
        ("linkedin", 901, [("platform.linkedin.video-duration", "error")]),
        ("instagram", 900, []),
        ("instagram", 900.5, [("platform.instagram.video-duration", "error")]),
        ("instagram", 2.99, [("platform.instagram.video-duration", "error")]),
        ("facebook", 14400, []),
        ("facebook", 14401, [("platform.facebook.video-duration", "error")]),
        ("tiktok", 180, []),
        ("tiktok", 181, [("platform.tiktok.video-duration", "warning")]),
        ("tiktok", 600, [("platform.tiktok.video-duration", "warning")]),
        ("tiktok", 601, [("platform.tiktok.video-duration", "error")]),
        ("youtube", 900, []),
        ("youtube", 901, [("platform.youtube.video-duration", "warning")]),
        ("youtube", 43200, [("platform.youtube.video-duration", "warning")]),
        ("youtube", 43201, [("platform.youtube.video-duration", "error")]),
    ],
)
def test_video_duration(platform: pf.Platform, duration: float, expected: list[tuple[str, str]]) -> None:
    result = pf.check_video_for_platforms(duration, 1080, 1080, [platform])
    assert [(v.rule_id, v.severity) for v in result.violations] == expected


@pytest.mark.parametrize(
    ("platform", "width", "height", "expected"),
    [
        ("x", 1920, 1080, []),
        ("x", 1200, 1900, []),
        ("x", 1920, 1201, ["platform.x.video-dimensions"]),
        ("x", 600, 200, []),  # 3:1
        ("x", 601, 200, ["platform.x.video-aspect"]),
        ("x", 31, 40, ["platform.x.video-dimensions"]),
        ("linkedin", 2400, 1000, []),  # 2.4:1
        ("linkedin", 2401, 1000, ["platform.linkedin.video-aspect"]),
        ("linkedin", 256, 144, []),
        ("linkedin", 4097, 2304, ["platform.linkedin.video-dimensions"]),
        ("instagram", 1080, 1920, []),
        ("instagram", 1921, 1080, ["platform.instagram.video-dimensions"]),
        ("facebook", 1080, 1920, []),  # 9:16
        ("facebook", 1079, 1920, ["platform.facebook.video-aspect"]),
        ("facebook", 1920, 1080, []),
        ("facebook", 1921, 1080, ["platform.facebook.video-aspect"]),
        ("tiktok", 360, 640, []),
        ("tiktok", 359, 640, ["platform.tiktok.video-dimensions"]),
        ("youtube", 7680, 4320, []),
    ],
)
def test_video_dimensions_and_aspect(platform: pf.Platform, width: int, height: int, expected: list[str]) -> None:
    assert rules(pf.check_video_for_platforms(10, width, height, [platform])) == expected


# --- audio --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "duration", "expected"),
    [
        ("x", 140, []),
        ("x", 141, ["platform.x.audio-duration"]),
        ("instagram", 2, ["platform.instagram.audio-duration"]),
        ("tiktok", 30, []),
        ("youtube", 3600, ["platform.youtube.audio-duration"]),  # a warning: unverified accounts
    ],
)
def test_audio_duration(platform: pf.Platform, duration: float, expected: list[str]) -> None:
    result = pf.check_audio_for_platforms(duration, [platform])
    assert rules(result) == expected
    assert result.rules_checked == [f"platform.{platform}.audio-duration"]


def test_every_platform_has_limits() -> None:
    assert set(pf.LIMITS) == {"x", "linkedin", "instagram", "facebook", "tiktok", "youtube"}


def test_empty_platform_list_checks_nothing() -> None:
    result = pf.check_text_for_platforms("x" * 100000, [])
    assert result.violations == []
    assert result.rules_checked == []
