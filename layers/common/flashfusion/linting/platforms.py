"""What each social platform accepts: text length, hashtags, image, video and audio limits.

Limits as published by the platforms, compiled 2026-11 from their help centres and API references
(last verified against these sources as known up to 2025; re-check before relying on an edge):

- X: 280 weighted characters for non-Premium accounts, counted as twitter-text 3 does (X's own
  library and conformance suite, ``counting/x_weighted.py``: NFC first; code points up to U+10FF and
  some general punctuation weigh 1, others 2; each URL 23, bare domains included; each emoji
  sequence 2); media upload API:
  images JPEG/PNG/GIF/WEBP up to 5 MB; video 0.5 s to 140 s, aspect 1:3 to 3:1, 32x32 up to
  1920x1200 (landscape) / 1200x1900 (portrait). Premium allows longer posts and videos; not modelled.
- LinkedIn: post commentary 3,000 characters (Posts API ``commentary``; the help centre's "up to 3,000
  characters"), counted in code points: LinkedIn publishes no other unit; images (single-image
  Sponsored Content spec, the strictest) JPG/PNG/GIF, 5 MB, aspect 1:1.91 to 1.91:1; video 3 s to
  15 min, aspect 1:2.4 to 2.4:1, 256x144 to 4096x2304 ("Video sharing on LinkedIn" help article).
- Instagram: caption 2,200 characters (code points; Graph API ``caption``), 30 hashtags (help centre;
  Meta was reported in late 2025 to be moving to a 5-hashtag cap -- check before tightening); Graph
  API content publishing: images JPEG only, 8 MB, aspect 4:5 to 1.91:1; Reels 3 s to 15 min, aspect
  0.01:1 to 10:1, at most 1920 px wide.
- Facebook: post text 63,206 characters; photos JPEG/PNG/GIF/BMP/TIFF/WEBP up to 10 MB (no aspect
  limit for organic posts); video 1 s to 240 min, aspect 9:16 to 16:9 (Page video specs).
- TikTok: Content Posting API caption ("title") 2,200 UTF-16 code units (the app allows 4,000;
  the API is what a publisher uses); photos JPEG/WEBP up to 20 MB; video 3 s to 10 min (every
  creator may post 3 min; 5 and 10 min only for some: a warning above 3 min), 360 to 4096 px a side.
- YouTube: title 100 characters, description 5,000 bytes (Data API v3 videos resource); more than
  60 hashtags makes YouTube ignore all of them; thumbnails JPG/GIF/PNG, 2 MB, 16:9, at least
  640 px wide; video up to 12 h (15 min for unverified accounts: a warning above 15 min).
- Bluesky (publishing only: no brand-kit platform yet): 300 graphemes and 3,000 UTF-8 bytes of text
  (``app.bsky.feed.post`` lexicon: ``maxGraphemes`` 300, ``maxLength`` 3000).
- Mastodon (publishing only): 500 characters by default (an instance may allow more), URLs 23 each,
  remote mentions without their domain, counted in graphemes (``counting/mastodon.py``).
- Threads is not a platform here (no publisher, no kit target): not modelled.
- Audio: none of these platforms publishes audio alone; audio goes out as a video's sound track, so
  its limit is that platform's video duration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NamedTuple

from flashfusion.linting import findings
from flashfusion.linting.base import CheckResult
from flashfusion.linting.counting.graphemes import grapheme_count
from flashfusion.linting.counting.mastodon import mastodon_length
from flashfusion.linting.counting.x_prefix import PrefixWeights
from flashfusion.linting.counting.x_weighted import crossed_at, default_config, scaled_weight, weighted_length
from flashfusion.models import Fix, Severity, Violation

if TYPE_CHECKING:  # brandkit imports models, which re-exports brandkit: import it for types only
    from flashfusion.brandkit import Platform

Counter = Literal["codepoints", "utf16", "utf8", "x-weighted", "graphemes", "mastodon"]
Ratio = tuple[int, int]  # width:height, compared exactly with integers

ELLIPSIS = "…"


@dataclass(frozen=True)
class TextLimits:
    max_chars: int
    counter: Counter = "codepoints"
    max_hashtags: int | None = None
    hashtag_severity: Severity = "error"
    max_title_chars: int | None = None
    max_utf8_bytes: int | None = None
    """A second cap in bytes, checked apart (Bluesky: 300 graphemes but also 3,000 bytes)."""


@dataclass(frozen=True)
class ImageLimits:
    formats: frozenset[str]
    max_bytes: int
    min_aspect: Ratio | None = None
    max_aspect: Ratio | None = None
    min_width: int | None = None


@dataclass(frozen=True)
class VideoLimits:
    min_duration_s: float
    max_duration_s: float
    warn_duration_s: float | None = None
    warn_reason: str = ""
    min_aspect: Ratio | None = None
    max_aspect: Ratio | None = None
    min_side: int | None = None
    max_long_side: int | None = None
    max_short_side: int | None = None
    max_width: int | None = None


@dataclass(frozen=True)
class PlatformLimits:
    text: TextLimits
    image: ImageLimits
    video: VideoLimits
    notes: list[str] = field(default_factory=list)


MB = 1024 * 1024

LIMITS: dict[Platform, PlatformLimits] = {
    "x": PlatformLimits(
        text=TextLimits(max_chars=280, counter="x-weighted"),
        image=ImageLimits(formats=frozenset({"jpeg", "png", "gif", "webp"}), max_bytes=5 * MB),
        video=VideoLimits(
            min_duration_s=0.5,
            max_duration_s=140,
            min_aspect=(1, 3),
            max_aspect=(3, 1),
            min_side=32,
            max_long_side=1920,
            max_short_side=1200,
        ),
    ),
    "linkedin": PlatformLimits(
        text=TextLimits(max_chars=3000),
        image=ImageLimits(
            formats=frozenset({"jpeg", "png", "gif"}), max_bytes=5 * MB, min_aspect=(100, 191), max_aspect=(191, 100)
        ),
        video=VideoLimits(
            min_duration_s=3,
            max_duration_s=15 * 60,
            min_aspect=(5, 12),
            max_aspect=(12, 5),
            min_side=144,
            max_long_side=4096,
            max_short_side=2304,
        ),
    ),
    "instagram": PlatformLimits(
        text=TextLimits(max_chars=2200, max_hashtags=30),
        image=ImageLimits(formats=frozenset({"jpeg"}), max_bytes=8 * MB, min_aspect=(4, 5), max_aspect=(191, 100)),
        video=VideoLimits(
            min_duration_s=3, max_duration_s=15 * 60, min_aspect=(1, 100), max_aspect=(10, 1), max_width=1920
        ),
    ),
    "facebook": PlatformLimits(
        text=TextLimits(max_chars=63206),
        image=ImageLimits(formats=frozenset({"jpeg", "png", "gif", "bmp", "tiff", "webp"}), max_bytes=10 * MB),
        video=VideoLimits(min_duration_s=1, max_duration_s=240 * 60, min_aspect=(9, 16), max_aspect=(16, 9)),
    ),
    "tiktok": PlatformLimits(
        text=TextLimits(max_chars=2200, counter="utf16"),
        image=ImageLimits(formats=frozenset({"jpeg", "webp"}), max_bytes=20 * MB),
        video=VideoLimits(
            min_duration_s=3,
            max_duration_s=10 * 60,
            warn_duration_s=3 * 60,
            warn_reason="only some TikTok creators may post videos over 3 minutes",
            min_side=360,
            max_long_side=4096,
            max_short_side=4096,
        ),
    ),
    "youtube": PlatformLimits(
        text=TextLimits(
            max_chars=5000, counter="utf8", max_hashtags=60, hashtag_severity="warning", max_title_chars=100
        ),
        image=ImageLimits(
            formats=frozenset({"jpeg", "png", "gif"}),
            max_bytes=2 * MB,
            min_aspect=(16, 9),
            max_aspect=(16, 9),
            min_width=640,
        ),
        video=VideoLimits(
            min_duration_s=1,
            max_duration_s=12 * 3600,
            warn_duration_s=15 * 60,
            warn_reason="only verified YouTube accounts may upload videos over 15 minutes",
        ),
    ),
}

# Every platform whose text can be checked: the brand-kit platforms and the ones posts can only be
# published to (see the module docstring for the sources).
TEXT_LIMITS: dict[str, TextLimits] = {
    **{platform: limits.text for platform, limits in LIMITS.items()},
    "bluesky": TextLimits(max_chars=300, counter="graphemes", max_utf8_bytes=3000),
    "mastodon": TextLimits(max_chars=500, counter="mastodon"),
}

FORMAT_ALIASES = {"jpg": "jpeg", "jpe": "jpeg", "tif": "tiff"}


def normalise_format(fmt: str) -> str:
    """ "JPG", ".jpg", "image/jpeg" -> "jpeg"."""
    name = fmt.strip().lower().rsplit("/", 1)[-1].lstrip(".")
    return FORMAT_ALIASES.get(name, name)


# --- counting ---------------------------------------------------------------------------------

HASHTAG = re.compile(r"(?<![\w&#/])#(?=\w*[^\W\d_])\w+")


def x_weighted_length(text: str) -> int:
    """X's weighted length (twitter-text 3, v3 configuration): see ``counting/x_weighted.py``."""
    return weighted_length(text)


COUNTERS: dict[Counter, Callable[[str], int]] = {
    "codepoints": len,
    "utf16": lambda s: len(s.encode("utf-16-le")) // 2,
    "utf8": lambda s: len(s.encode("utf-8")),
    "x-weighted": x_weighted_length,
    "graphemes": grapheme_count,
    "mastodon": mastodon_length,
}
UNITS: dict[Counter, str] = {
    "codepoints": "characters",
    "utf16": "UTF-16 units",
    "utf8": "bytes",
    "x-weighted": "weighted characters",
    "graphemes": "characters (graphemes)",
    "mastodon": "characters (URLs count 23, mentions without their domain)",
}


def text_length(text: str, counter: Counter) -> int:
    return COUNTERS[counter](text)


def hashtags(text: str) -> list[re.Match[str]]:
    return list(HASHTAG.finditer(text)) if "#" in text else []


def limit_crossed_at(text: str, limit: int, counter: Counter) -> int:
    """The index of the first character that takes ``text`` over ``limit`` (the start of the URL,
    emoji or cluster it belongs to); ``len(text)`` when the text is within the limit."""
    if counter == "x-weighted":
        weights = _x_prefix_weights(text)
        crossed = crossed_at(text) if weights is None else weights.crossed_at()
        return len(text) if crossed is None else crossed
    count = COUNTERS[counter]
    lo, hi = 0, len(text)  # the shortest prefix over the limit ends with the character sought
    if count(text) <= limit:
        return len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if count(text[: mid + 1]) > limit:
            hi = mid
        else:
            lo = mid + 1
    return lo


def trim_point(text: str, limit: int, counter: Counter) -> int:
    """Where to cut so that ``text[:cut].rstrip() + ELLIPSIS`` fits: the last word boundary that fits,
    or a hard cut inside an overlong first word."""
    weights = _x_prefix_weights(text) if counter == "x-weighted" else None
    if weights is not None and weights.grows_past(_x_budget(limit)):
        return _plain_trim_point(text, limit, weights)
    fits = _fits(text, limit, counter)
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits (the count grows with the prefix)
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    hard = lo
    if hard < len(text) and not text[hard].isspace():
        # The last word boundary that fits. A URL or an emoji sequence cut short can weigh more than
        # whole (a URL is 23 whatever its length), so each boundary is checked, not assumed.
        for boundary in range(hard - 1, 0, -1):
            if text[boundary].isspace() and text[:boundary].strip() and fits(len(text[:boundary].rstrip())):
                return len(text[:boundary].rstrip())
    while hard > 0 and not fits(len(text[:hard].rstrip())):
        hard -= 1
    return len(text[:hard].rstrip())


def _plain_trim_point(text: str, limit: int, weights: PrefixWeights) -> int:
    """``trim_point`` for a text whose X weight grows with the prefix until it is over the budget and stays over
    (``PrefixWeights.grows_past``), with no weighing but the search's: whether a cut fits shrinks with the cut (a
    cut that ends past the point where the weight stops growing is over), so when the longest cut that fits fits
    at all (the empty text and the ellipsis do), every shorter cut fits too, and the first boundary the loop tries
    is the answer (or, with only spaces before it, the hard cut)."""
    hard = _longest_fitting_cut(text, limit, weights)
    if hard == 0:
        return 0
    if hard < len(text) and not text[hard].isspace():
        boundary = text.rfind(" ", 1, hard)  # the last space (str.isspace) from 1 to hard - 1, or -1
        other = _OTHER_WHITESPACE.search(text, max(boundary + 1, 1), hard)
        while other is not None:
            boundary = other.start()
            other = _OTHER_WHITESPACE.search(text, boundary + 1, hard)
        if boundary > 0:
            kept = text[:boundary].rstrip()
            if kept:
                return len(kept)
    return len(text[:hard].rstrip())


_OTHER_WHITESPACE = re.compile(r"[^\S ]")
r"""A ``str.isspace`` character but " " (``re``'s ``\s`` is ``str.isspace`` for a ``str`` pattern)."""


def _fits(text: str, limit: int, counter: Counter) -> Callable[[int], bool]:
    """Whether ``text[:cut].rstrip() + ELLIPSIS`` is within ``limit``, for a cut. X's weight of each prefix is
    taken from one reading of the text where it can be (``counting/x_prefix.py``, exact)."""
    weights = _x_prefix_weights(text) if counter == "x-weighted" else None
    if weights is not None:
        budget = _x_budget(limit)

        def fits_x(cut: int) -> bool:
            end = cut  # len(text[:cut].rstrip()), without copying the text
            while end and text[end - 1].isspace():
                end -= 1
            return weights.within(end, budget)

        return fits_x
    count = COUNTERS[counter]

    def fits(cut: int) -> bool:
        return count(text[:cut].rstrip() + ELLIPSIS) <= limit

    return fits


def _longest_fitting_cut(text: str, limit: int, weights: PrefixWeights) -> int:
    """What the binary search of ``trim_point`` finds, for a text whose X weight grows with the prefix until over the
    budget (``grows_past``): then whether a cut fits shrinks with it, and the search finds the longest cut that fits.
    A cut fits when its prefix without trailing spaces weighs at most ``budget``: so every cut up to the longest such
    prefix ``q``, and the spaces that follow it."""
    budget = _x_budget(limit)
    if budget < 0:
        return 0  # not even the ellipsis alone fits: the search ends at 0
    cut = weights.longest_within(budget)
    while cut < len(text) and text[cut].isspace():
        cut += 1
    return cut


@lru_cache(maxsize=8)
def _x_budget(limit: int) -> int:
    """The most a prefix may weigh (scaled) for it and the ellipsis to fit: ``(w + ellipsis) // scale <= limit``."""
    config = default_config()
    return (limit + 1) * config.scale - 1 - scaled_weight(ELLIPSIS, config)


@lru_cache(maxsize=8)  # a post over X's limit asks where it crosses it and where to trim it
def _x_prefix_weights(text: str) -> PrefixWeights | None:
    return PrefixWeights.of(text, default_config())


def _trim_fix(text: str, limit: int, counter: Counter) -> Fix:
    cut = trim_point(text, limit, counter)
    return findings.fix(kind="trim", span=findings.text_span(start=cut, end=len(text), text=text[cut:]), text=ELLIPSIS)


# --- checks -----------------------------------------------------------------------------------


def _rule(platform: str, what: str) -> str:
    return f"platform.{platform}.{what}"


class _TextPlan(NamedTuple):
    """What checking a post against one platform's text limits names and counts, made once per platform."""

    platform: str
    limits: TextLimits
    length_rule: str
    metric: str
    hashtag_rule: str
    count: Callable[[str], int]


@lru_cache(maxsize=64)
def _text_plan(platform: str) -> _TextPlan:
    limits = TEXT_LIMITS[platform]
    return _TextPlan(
        platform,
        limits,
        _rule(platform, "text-length"),
        f"{platform}.text_length",
        _rule(platform, "hashtags"),
        weighted_length if limits.counter == "x-weighted" else COUNTERS[limits.counter],
    )


class _PostPlan:
    """Checking a post against a set of platforms: each platform's plan, the rules listed, and what may be over.
    (A class, not a named tuple: compiled, its attributes are read natively.)"""

    def __init__(
        self,
        plans: tuple[_TextPlan, ...],
        rules: tuple[str, ...],
        lengths: tuple[tuple[Counter, str, int], ...],
        max_hashtags: int | None,
        checks_bytes: bool,
    ) -> None:
        self.plans = plans
        self.rules = rules
        self.lengths = lengths
        """Each plan's (counter, metric, limit): what every post is measured by (``_length``)."""
        self.max_hashtags = max_hashtags
        """The fewest hashtags a platform allows (None: no platform caps them)."""
        self.checks_bytes = checks_bytes


@lru_cache(maxsize=256)  # a kit's platforms (or a channel's one), on every post
def _post_plans(platforms: tuple[str, ...]) -> _PostPlan:
    plans = tuple(_text_plan(platform) for platform in platforms)
    rules: list[str] = []
    for plan in plans:
        rules.append(plan.length_rule)
        if plan.limits.max_utf8_bytes is not None:
            rules.append(_rule(plan.platform, "text-bytes"))
        if plan.limits.max_hashtags is not None:
            rules.append(plan.hashtag_rule)
    caps = [plan.limits.max_hashtags for plan in plans if plan.limits.max_hashtags is not None]
    return _PostPlan(
        plans,
        tuple(rules),
        tuple((plan.limits.counter, plan.metric, plan.limits.max_chars) for plan in plans),
        min(caps) if caps else None,
        any(plan.limits.max_utf8_bytes is not None for plan in plans),
    )


def _length(counter: Counter, text: str) -> int:
    """``COUNTERS[counter](text)``: the common counters called directly (compiled, C calls; a counter read from the
    table is called as a Python object)."""
    if counter == "x-weighted":
        return weighted_length(text)
    if counter == "codepoints":
        return len(text)
    if counter == "utf16":
        return len(text.encode("utf-16-le")) // 2
    return COUNTERS[counter](text)


def check_text_for_platforms(
    text: str, platforms: Iterable[Platform | str], *, kind: Literal["post", "title"] = "post"
) -> CheckResult:
    """Post text (YouTube: the description) or, with ``kind="title"``, a title (YouTube only)."""
    if kind == "title":
        return _check_titles(text, platforms)
    post = _post_plans(platforms if type(platforms) is tuple else tuple(platforms))
    metrics: dict[str, float] = {}
    over = False
    for counter, metric, max_chars in post.lengths:
        length = _length(counter, text)
        metrics[metric] = float(length)
        if length > max_chars:
            over = True
    if not over and not post.checks_bytes and (post.max_hashtags is None or text.count("#") <= post.max_hashtags):
        return CheckResult([], list(post.rules), [], metrics)  # positional: ~1/3 cheaper than by keyword
    violations: list[Violation] = []
    hashes = -1  # counted when a platform caps hashtags
    for plan in post.plans:
        limits = plan.limits
        length = int(metrics[plan.metric])  # a count, exact as a float (far below 2**53)
        if length > limits.max_chars:
            violations.append(_too_long(text, plan, length))
        if limits.max_utf8_bytes is not None:
            size = len(text.encode("utf-8"))
            if size > limits.max_utf8_bytes:
                violations.append(_too_many_bytes(text, plan, size))
        if limits.max_hashtags is not None:
            if hashes < 0:
                hashes = text.count("#")
            if hashes > limits.max_hashtags:  # every hashtag starts with "#": fewer cannot be too many
                tags = hashtags(text)
                if len(tags) > limits.max_hashtags:
                    violations.append(_too_many_hashtags(text, plan, tags))
    return CheckResult(violations, list(post.rules), [], metrics)


def _too_long(text: str, plan: _TextPlan, length: int) -> Violation:
    platform, limits = plan.platform, plan.limits
    unit = UNITS[limits.counter]
    crossed = limit_crossed_at(text, limits.max_chars, limits.counter)
    return findings.violation(
        rule_id=plan.length_rule,
        severity="error",
        message=f"{platform} takes at most {limits.max_chars} {unit}; this has {length}",
        location=findings.text_span(start=crossed, end=len(text), text=text[crossed:]),
        suggestion=f"shorten by {length - limits.max_chars} {unit}",
        fix=_trim_fix(text, limits.max_chars, limits.counter),
    )


def _too_many_bytes(text: str, plan: _TextPlan, size: int) -> Violation:
    platform, limits = plan.platform, plan.limits
    assert limits.max_utf8_bytes is not None
    crossed = limit_crossed_at(text, limits.max_utf8_bytes, "utf8")
    return findings.violation(
        rule_id=_rule(platform, "text-bytes"),
        severity="error",
        message=f"{platform} takes at most {limits.max_utf8_bytes} bytes of text; this has {size}",
        location=findings.text_span(start=crossed, end=len(text), text=text[crossed:]),
        suggestion=f"shorten by {size - limits.max_utf8_bytes} bytes",
        fix=_trim_fix(text, limits.max_utf8_bytes, "utf8"),
    )


def _too_many_hashtags(text: str, plan: _TextPlan, tags: list[re.Match[str]]) -> Violation:
    platform, limits = plan.platform, plan.limits
    assert limits.max_hashtags is not None
    first_extra = tags[limits.max_hashtags]
    return findings.violation(
        rule_id=plan.hashtag_rule,
        severity=limits.hashtag_severity,
        message=f"{platform} allows at most {limits.max_hashtags} hashtags; this has {len(tags)}",
        location=findings.text_span(
            start=first_extra.start(),
            end=tags[-1].end(),
            text=text[first_extra.start() : tags[-1].end()],
        ),
        suggestion=f"remove {len(tags) - limits.max_hashtags} hashtags",
    )


def _check_titles(text: str, platforms: Iterable[Platform | str]) -> CheckResult:
    result = CheckResult()
    for platform in platforms:
        limits = TEXT_LIMITS[platform]
        if limits.max_title_chars is None:
            continue
        rule = _rule(platform, "title-length")
        result.rules_checked.append(rule)
        length = len(text)
        if length > limits.max_title_chars:
            result.violations.append(
                findings.violation(
                    rule_id=rule,
                    severity="error",
                    message=f"{platform} titles take at most {limits.max_title_chars} characters; it has {length}",
                    suggestion=f"shorten the title by {length - limits.max_title_chars} characters",
                    fix=_trim_fix(text, limits.max_title_chars, "codepoints"),
                )
            )
    return result


def _ratio_text(r: Ratio) -> str:
    return f"{r[0]}:{r[1]}"


def _aspect_violation(
    platform: str, what: str, width: int, height: int, lo: Ratio | None, hi: Ratio | None
) -> Violation | None:
    """Exact integer comparison: width/height within [lo, hi]."""
    too_narrow = lo is not None and width * lo[1] < lo[0] * height
    too_wide = hi is not None and width * hi[1] > hi[0] * height
    if not (too_narrow or too_wide):
        return None
    allowed = (
        f"exactly {_ratio_text(lo)}"
        if lo is not None and lo == hi
        else f"from {_ratio_text(lo) if lo else 'any'} to {_ratio_text(hi) if hi else 'any'}"
    )
    return Violation(
        rule_id=_rule(platform, f"{what}-aspect"),
        severity="error",
        message=f"{platform} {what} aspect ratio must be {allowed}; this is {width}x{height} ({width / height:.3f}:1)",
        suggestion="crop or pad to an allowed aspect ratio",
    )


def check_image_for_platforms(
    width: int, height: int, fmt: str, size_bytes: int, platforms: Iterable[Platform | str]
) -> CheckResult:
    result = CheckResult()
    name = normalise_format(fmt)
    for platform in platforms:
        if platform not in LIMITS:  # a text-only platform (Bluesky, Mastodon)
            continue
        limits = LIMITS[platform].image
        result.rules_checked += [_rule(platform, w) for w in ("image-format", "image-size", "image-aspect")]
        if name not in limits.formats:
            result.violations.append(
                Violation(
                    rule_id=_rule(platform, "image-format"),
                    severity="error",
                    message=f"{platform} takes {', '.join(sorted(limits.formats))} images, not {name}",
                    suggestion=f"convert to {sorted(limits.formats)[0]}",
                )
            )
        if size_bytes > limits.max_bytes:
            result.violations.append(
                Violation(
                    rule_id=_rule(platform, "image-size"),
                    severity="error",
                    message=f"{platform} images may be at most {limits.max_bytes / MB:g} MB; got {size_bytes / MB:.2f}",
                    suggestion="recompress or downscale",
                )
            )
        if limits.min_width is not None:
            result.rules_checked.append(_rule(platform, "image-dimensions"))
            if width < limits.min_width:
                result.violations.append(
                    Violation(
                        rule_id=_rule(platform, "image-dimensions"),
                        severity="error",
                        message=f"{platform} images must be at least {limits.min_width} px wide; this is {width}",
                        suggestion=f"regenerate at {limits.min_width} px wide or more",
                    )
                )
        if width <= 0 or height <= 0:
            continue
        violation = _aspect_violation(platform, "image", width, height, limits.min_aspect, limits.max_aspect)
        if violation is not None:
            result.violations.append(violation)
    return result


def check_video_for_platforms(
    duration_s: float, width: int, height: int, platforms: Iterable[Platform | str]
) -> CheckResult:
    result = CheckResult()
    for platform in platforms:
        if platform not in LIMITS:  # a text-only platform (Bluesky, Mastodon)
            continue
        limits = LIMITS[platform].video
        result.violations += _duration_violations(platform, "video", duration_s, limits)
        result.rules_checked += [_rule(platform, "video-duration"), _rule(platform, "video-aspect")]
        if width > 0 and height > 0:
            violation = _aspect_violation(platform, "video", width, height, limits.min_aspect, limits.max_aspect)
            if violation is not None:
                result.violations.append(violation)
        problems = []
        short, long = sorted((width, height))
        if limits.min_side is not None and short < limits.min_side:
            problems.append(f"each side must be at least {limits.min_side} px")
        if limits.max_long_side is not None and long > limits.max_long_side:
            problems.append(f"the long side may be at most {limits.max_long_side} px")
        if limits.max_short_side is not None and short > limits.max_short_side:
            problems.append(f"the short side may be at most {limits.max_short_side} px")
        if limits.max_width is not None and width > limits.max_width:
            problems.append(f"the width may be at most {limits.max_width} px")
        if any(x is not None for x in (limits.min_side, limits.max_long_side, limits.max_short_side, limits.max_width)):
            result.rules_checked.append(_rule(platform, "video-dimensions"))
        if problems:
            result.violations.append(
                Violation(
                    rule_id=_rule(platform, "video-dimensions"),
                    severity="error",
                    message=f"{platform} video is {width}x{height}: " + "; ".join(problems),
                    suggestion="re-encode at an accepted resolution",
                )
            )
    return result


def check_audio_for_platforms(duration_s: float, platforms: Iterable[Platform | str]) -> CheckResult:
    """Audio goes out as a video's sound track, so the video duration limits apply."""
    result = CheckResult()
    for platform in platforms:
        if platform not in LIMITS:
            continue
        result.rules_checked.append(_rule(platform, "audio-duration"))
        result.violations += _duration_violations(platform, "audio", duration_s, LIMITS[platform].video)
    return result


def _fmt_duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"
    return f"{seconds:g} s"


def _duration_violations(platform: str, what: str, duration_s: float, limits: VideoLimits) -> list[Violation]:
    rule = _rule(platform, f"{what}-duration")
    if duration_s < limits.min_duration_s or duration_s > limits.max_duration_s:
        return [
            Violation(
                rule_id=rule,
                severity="error",
                message=(
                    f"{platform} {what} must last {_fmt_duration(limits.min_duration_s)} to "
                    f"{_fmt_duration(limits.max_duration_s)}; this lasts {duration_s:g} s"
                ),
                suggestion="trim it" if duration_s > limits.max_duration_s else "extend it",
            )
        ]
    if limits.warn_duration_s is not None and duration_s > limits.warn_duration_s:
        return [
            Violation(
                rule_id=rule,
                severity="warning",
                message=f"{limits.warn_reason}; this lasts {duration_s:g} s",
                suggestion=f"keep it within {_fmt_duration(limits.warn_duration_s)} to be safe",
            )
        ]
    return []
