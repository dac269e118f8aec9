"""Lint any asset: pick the checks for its medium, run them, merge their results into one report.

The text checks are imported with the engine; the image, video and audio checks' modules per medium, so linting
text never loads numpy, Pillow or PyAV.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flashfusion.brandkit import BrandKit
from flashfusion.errors import UnsupportedMedia
from flashfusion.linting.base import CheckResult, report, text_report

# The text checks, imported with the engine (none of them loads numpy, Pillow or PyAV): compiled, a call of a
# function imported here is a C call, where one looked up on a module imported at the first text is a Python-level
# call (its arguments parsed) and an attribute look-up
from flashfusion.linting.legal import check_legal
from flashfusion.linting.platforms import check_text_for_platforms
from flashfusion.linting.terms import REQUIRED_RULE, required_terms
from flashfusion.linting.voice.check import check_voice
from flashfusion.models import ContentType, LintReport, NotChecked, Violation

# A channel that names one of these is linted against that platform's limits; Bluesky and Mastodon have
# text limits only (linting/platforms.py TEXT_LIMITS): their posts can be published, not targeted by a kit.
PLATFORMS = frozenset({"x", "linkedin", "instagram", "facebook", "tiktok", "youtube", "bluesky", "mastodon"})


@dataclass
class LintContext:
    kit: BrandKit
    channel: str | None = None
    load_logo: Callable[[str], Any] | None = None
    """logo file reference (S3 key or path) -> RGBA array; None where logos cannot be read."""
    moderation: Any | None = None
    """An image moderation adapter (Rekognition in AWS); None offline: reported as not checked."""
    ocr: Any | None = None
    """An OCR adapter (Rekognition DetectText in AWS, Tesseract locally); None: image text not checked."""
    load_font: Callable[[str], Any] | None = None
    """font file reference -> bytes or path, for the font check."""
    locale: str | None = None
    """The copy's locale (translations); None: the kit's own language."""
    sponsored: bool = False
    """The post is paid or sponsored: its copy must carry a disclosure the kit accepts (linting.disclosures)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        kit: BrandKit,
        channel: str | None = None,
        load_logo: Callable[[str], Any] | None = None,
        moderation: Any | None = None,
        ocr: Any | None = None,
        load_font: Callable[[str], Any] | None = None,
        locale: str | None = None,
        sponsored: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        # the dataclass's own ``__init__``, written out (``dataclass`` keeps a class's own): compiled, it is native
        # code, where the generated one runs as Python (a context is made for every asset linted)
        self.kit = kit
        self.channel = channel
        self.load_logo = load_logo
        self.moderation = moderation
        self.ocr = ocr
        self.load_font = load_font
        self.locale = locale
        self.sponsored = sponsored
        self.extra = {} if extra is None else extra

    @property
    def platforms(self) -> list[str]:
        """The channel when it is a platform, else the kit's target platforms."""
        if self.channel and self.channel.lower() in PLATFORMS:
            return [self.channel.lower()]
        return list(self.kit.target_platforms)


def medium_of(mime_type: str) -> ContentType:
    kind = mime_type.split(";")[0].strip().lower()
    if kind.startswith("text/"):
        return ContentType.TEXT
    if kind.startswith("image/"):
        return ContentType.IMAGE
    if kind.startswith("video/"):
        return ContentType.VIDEO
    if kind.startswith("audio/"):
        return ContentType.MUSIC
    raise ValueError(f"cannot lint {mime_type!r}: not text, image, video or audio")


MEDIA_RULE = "media.decodable"


def lint_asset(data: bytes, mime_type: str, ctx: LintContext) -> LintReport:
    """The merged report; ``UnsupportedMedia`` for media that cannot be decoded within the memory bound
    (see ``unsupported_report`` for that outcome as a report)."""
    medium = medium_of(mime_type)
    if medium == ContentType.TEXT:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnsupportedMedia(f"the text is not UTF-8 (byte {error.start}: {error.reason})") from error
        return lint_text(text, ctx)
    if medium == ContentType.IMAGE:
        return report([*image_checks(data, ctx), _caption_disclosure(ctx)])
    if medium == ContentType.VIDEO:
        return report([*video_checks(data, ctx), _caption_disclosure(ctx)])
    return report([*audio_checks(data, mime_type, ctx), _caption_disclosure(ctx)])


def _caption_disclosure(ctx: LintContext) -> CheckResult:
    """A sponsored image, video or track is disclosed in its post's caption, which is not this file: the report
    says the disclosure was not checked here rather than letting it pass."""
    if not ctx.sponsored:
        return CheckResult()
    from flashfusion.linting.disclosures import DISCLOSURE_RULE

    reason = "a sponsored post's disclosure belongs in its caption: lint the caption as text with sponsored set"
    return CheckResult(not_checked=[NotChecked(check=DISCLOSURE_RULE, reason=reason)])


def unsupported_report(error: Exception) -> LintReport:
    """What the workflow records for an asset it cannot decode: an error (so not compliant and not auto-fixable:
    a person decides), and every other check not run."""
    from flashfusion.linting.media import describe_error

    return LintReport(
        compliant=False,
        auto_fixable=False,
        violations=[
            Violation(
                rule_id=MEDIA_RULE,
                severity="error",
                message=f"the asset could not be linted: {describe_error(error)}",
                suggestion="replace it with a smaller or re-encoded file",
            )
        ],
        rules_checked=[MEDIA_RULE],
        not_checked=[NotChecked(check="brand", reason="the asset could not be decoded: no other check ran")],
    )


def lint_text(text: str, ctx: LintContext) -> LintReport:
    kit = ctx.kit
    channel = ctx.channel
    required = required_terms(text, kit.voice.required_terms)
    if ctx.locale and not ctx.locale.lower().startswith("en"):
        # Sentiment (VADER), reading grade (Flesch-Kincaid, CMU syllables) and formality are English
        # models: on other languages they would give confident, wrong scores.
        voice_result = CheckResult(
            not_checked=[
                NotChecked(
                    check="voice", reason=f"the voice analyzers are English-only; {ctx.locale} copy is not scored"
                )
            ]
        )
    else:
        voice_result = check_voice(text, kit, channel)
    # the four results merged as ``report`` merges them, the required terms' as the result of their one rule
    return text_report(
        check_legal(text, kit, channel, sponsored=ctx.sponsored),
        required,
        (REQUIRED_RULE,),
        voice_result,
        check_text_for_platforms(text, _text_platforms(ctx)),
    )


def _text_platforms(ctx: LintContext) -> tuple[str, ...]:
    """``ctx.platforms`` as the tuple the platform checks take (they make one of any other iterable)."""
    channel = ctx.channel
    if channel and channel.lower() in PLATFORMS:
        return (channel.lower(),)
    return tuple(ctx.kit.target_platforms)


def frame_checks(frame: Any, ctx: LintContext) -> CheckResult:
    """The checks every image, and every sampled video frame, goes through."""
    from flashfusion.linting import colors

    merged = report([colors.check_colors(frame, ctx.kit), _logo_check(frame, ctx)])
    return CheckResult(merged.violations, merged.rules_checked, merged.not_checked, merged.metrics)


def _logo_check(frame: Any, ctx: LintContext) -> CheckResult:
    from flashfusion.linting import logo

    if ctx.load_logo is None:
        if not ctx.kit.logos:
            return logo.check_logos(frame, ctx.kit, lambda _: None)
        return CheckResult(not_checked=[NotChecked(check="logo", reason="logo files cannot be read here")])
    return logo.check_logos(frame, ctx.kit, ctx.load_logo)


def image_checks(data: bytes, ctx: LintContext) -> list[CheckResult]:
    """``UnsupportedMedia`` for an image that cannot be decoded within the memory bound (see linting.media)."""
    from flashfusion.linting import legal, media, ocr, platforms

    image = media.decode_image(data)
    pixels = image.pixels
    reduced = image.scale > 1.0
    # the OCR engine reads the encoded file when the checks see it at full size; a reduced image's text is
    # read from the reduced pixels, so word boxes and pixels agree
    checks = [
        frame_checks(pixels, ctx),
        legal.check_moderation(data, ctx.moderation),
        *ocr.image_text_checks(
            pixels, ctx.kit, ctx.channel, ctx.ocr, ctx.load_font, image_bytes=None if reduced else data
        ),
    ]
    if reduced:
        checks = [_full_size(check, image.scale) for check in checks]
        checks.append(CheckResult(metrics={"image.decodeScale": round(image.scale, 3)}))
    return [
        *checks,
        platforms.check_image_for_platforms(image.width, image.height, image.format, len(data), ctx.platforms),
    ]


def _full_size(result: CheckResult, scale: float) -> CheckResult:
    """Boxes found on a reduced image, in the full image's pixels."""
    from flashfusion.models import ImageBox

    def grow(box: ImageBox) -> ImageBox:
        return ImageBox(
            x=round(box.x * scale),
            y=round(box.y * scale),
            width=round(box.width * scale),
            height=round(box.height * scale),
        )

    result.violations = [
        v.model_copy(update={"location": grow(v.location)}) if isinstance(v.location, ImageBox) else v
        for v in result.violations
    ]
    return result


def video_checks(data: bytes, ctx: LintContext) -> list[CheckResult]:
    from flashfusion.linting import platforms, video

    each_frame = replace(ctx, load_logo=_loaded_once(ctx.load_logo, [logo.file for logo in ctx.kit.logos]))
    checked = video.check_video(data, ctx.kit, lambda frame: frame_checks(frame, each_frame))
    if video.DECODE_RULE in checked.rules_checked:  # not a video: the decode violation says so
        return [checked]
    info = video.probe_video(data)
    return [checked, platforms.check_video_for_platforms(info.duration_s, info.width, info.height, ctx.platforms)]


def _loaded_once(load: Callable[[str], Any] | None, refs: list[str]) -> Callable[[str], Any] | None:
    """A loader answering from the logos read here, once, in the calling thread: every sampled frame of a
    video checks the same logos, and the frames may be checked on worker threads. A failed read fails the
    same way for every frame."""
    if load is None:
        return None
    read: dict[str, tuple[Any, Exception | None]] = {}
    for ref in dict.fromkeys(refs):
        try:
            read[ref] = (load(ref), None)
        except Exception as error:  # the logo check reports any loader failure as "not checked"
            read[ref] = (None, error)

    def loaded(ref: str) -> Any:
        if ref not in read:
            return load(ref)
        value, error = read[ref]
        if error is not None:
            raise error
        return value

    return loaded


def audio_checks(data: bytes, mime_type: str, ctx: LintContext) -> list[CheckResult]:
    from flashfusion.linting import audio, platforms

    result = audio.check_audio(data, mime_type, ctx.kit)
    seconds = result.metrics.get("audio.durationSeconds", 0.0)
    return [result, platforms.check_audio_for_platforms(seconds, ctx.platforms)]
