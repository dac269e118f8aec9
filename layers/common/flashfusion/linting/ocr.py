"""Text in images: read the words on an image (OCR), then lint them like text.

The OCR engine is an adapter (``OcrAdapter``) passed in: ``flashfusion.vision.tesseract`` locally,
``flashfusion.vision.rekognition`` in AWS (DetectText). With no engine the check reports ``not_checked``.

The on-image words are joined into a text (one line per OCR line) and go through
``legal.check_legal`` and ``voice.check_voice``. Violations keep their rule ids; a violation whose
text span covers words gets the union of those words' boxes (an ``ImageBox``, in pixels) as its
location instead of the span. Decisions:

- ``legal.disclaimer`` is not checked on image text: a disclaimer belongs in the post's caption,
  which is linted as text; demanding it on every image would fail every image;
- text fixes are dropped (``fix=None``): they edit a text, and there is no text to edit here; the
  suggestion stays;
- the voice metrics are prefixed ``image.text.`` so they never overwrite a text asset's metrics;
- OCR runs only when the kit has a rule that reads image text (``image_text_rules``): banned terms,
  trademarks, claims, brand fonts, or voice rules the kit set itself. A kit of colours and logos only
  costs no OCR call (0.8-2 s an image with Tesseract); its report lists no image text check, as there
  is nothing to check. The voice defaults alone do not ask for OCR: every kit has them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flashfusion.brandkit import BrandKit, VoiceRules
from flashfusion.linting import fonts
from flashfusion.linting.base import CheckResult
from flashfusion.linting.media import describe_error
from flashfusion.linting.ocr_types import Image, OcrAdapter, OcrUnavailable, OcrWord
from flashfusion.models import ImageBox, NotChecked, TextSpan, Violation

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Image",
    "OcrAdapter",
    "OcrUnavailable",
    "OcrWord",
    "check_image_text",
    "image_text_checks",
    "image_text_rules",
]

IMAGE_TEXT_CHECK = "image.text"
WORDS_METRIC = "image.ocrWords"
CONFIDENCE_METRIC = "image.ocrMeanConfidence"
NO_ENGINE_REASON = "no OCR engine here"


# --- which kits need it ------------------------------------------------------------------------

_DEFAULT_VOICE = VoiceRules()
# Voice fields that never apply to image text: the brand name is a generation hint, and required terms
# are checked on the caption (lint_text), not on every image.
_VOICE_NOT_ON_IMAGES = {"brand_name": "", "required_terms": []}


def image_text_rules(kit: BrandKit) -> list[str]:
    """The kit's rules that read the words on an image; empty: no OCR is needed for this kit.

    Voice rules count when the kit sets them (differing from ``VoiceRules()``'s defaults), compared by
    value so a kit read back from storage, with every default written out, decides the same way.
    """
    from flashfusion.linting import legal, terms

    needs = [
        rule
        for rule, present in (
            (terms.BANNED_RULE, kit.legal.banned_terms),
            (legal.TRADEMARK_RULE, kit.legal.trademarks),
            (legal.CLAIM_RULE, kit.legal.claims),
            (fonts.FONT_RULE, kit.fonts),
        )
        if present
    ]
    if kit.voice.model_copy(update=_VOICE_NOT_ON_IMAGES) != _DEFAULT_VOICE:
        needs.append("voice")
    return needs


# --- the check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    word: OcrWord
    start: int
    end: int


def join_words(words: list[OcrWord]) -> tuple[str, list[_Placed]]:
    """The on-image text (words joined by spaces, lines by newlines) and where each word sits in it."""
    parts: list[str] = []
    placed: list[_Placed] = []
    at = 0
    previous: int | None = None
    for word in words:
        if previous is not None:
            parts.append("\n" if word.line != previous else " ")
            at += 1
        placed.append(_Placed(word, at, at + len(word.text)))
        parts.append(word.text)
        at += len(word.text)
        previous = word.line
    return "".join(parts), placed


def union_box(boxes: list[ImageBox]) -> ImageBox:
    left = min(b.x for b in boxes)
    top = min(b.y for b in boxes)
    right = max(b.x + b.width for b in boxes)
    bottom = max(b.y + b.height for b in boxes)
    return ImageBox(x=left, y=top, width=right - left, height=bottom - top)


def _on_image(violation: Violation, placed: list[_Placed]) -> Violation:
    location: TextSpan | ImageBox | Any = violation.location
    if isinstance(location, TextSpan):
        end = max(location.end, location.start + 1)  # an insertion point still names its word
        hit = [p.word.box for p in placed if p.start < end and location.start < p.end]
        location = union_box(hit) if hit else None
    return violation.model_copy(
        update={"location": location, "fix": None, "message": f"on the image: {violation.message}"}
    )


def check_image_text(
    pixels: Image,
    kit: BrandKit,
    channel: str | None,
    ocr: OcrAdapter | None,
    words: list[OcrWord] | None = None,
) -> CheckResult:
    """Legal and voice checks on the words in the image. ``words``: already read (skips the OCR call)."""
    from flashfusion.linting import legal, voice

    if ocr is None and words is None:
        return CheckResult(not_checked=[NotChecked(check=IMAGE_TEXT_CHECK, reason=NO_ENGINE_REASON)])
    if words is None:
        assert ocr is not None
        try:
            words = ocr.words(pixels)
        except OcrUnavailable as exc:
            reason = f"the OCR engine could not read this image ({describe_error(exc)}); not checked is not passed"
            return CheckResult(not_checked=[NotChecked(check=IMAGE_TEXT_CHECK, reason=reason)])
    text, placed = join_words(words)
    result = CheckResult(metrics={WORDS_METRIC: float(len(words))})
    if words:
        result.metrics[CONFIDENCE_METRIC] = sum(w.confidence for w in words) / len(words)
    legal_result = legal.check_legal(text, kit, channel)
    voice_result = voice.check_voice(text, kit, channel)
    for part in (legal_result, voice_result):
        result.violations += [_on_image(v, placed) for v in part.violations if v.rule_id != legal.DISCLAIMER_RULE]
        result.rules_checked += [r for r in part.rules_checked if r != legal.DISCLAIMER_RULE]
        result.not_checked += part.not_checked
    result.metrics.update({f"image.text.{k}": v for k, v in voice_result.metrics.items()})
    return result


def image_text_checks(
    pixels: np.ndarray,
    kit: BrandKit,
    channel: str | None,
    ocr: OcrAdapter | None,
    load_font: Callable[[str], Any] | None,
    image_bytes: bytes | None = None,
) -> list[CheckResult]:
    """OCR once, then the text check and the font check on the same words (for ``engine.image_checks``);
    nothing at all, and no OCR call, when no rule of the kit reads image text.

    ``image_bytes``: the encoded image, sent to the OCR engine instead of re-encoding ``pixels``.
    """
    if not image_text_rules(kit):
        return []
    if ocr is None:
        return [
            check_image_text(pixels, kit, channel, None),
            CheckResult(not_checked=[NotChecked(check=fonts.FONT_RULE, reason=NO_ENGINE_REASON)]),
        ]
    try:
        words = ocr.words(image_bytes if image_bytes is not None else pixels)
    except OcrUnavailable as exc:
        reason = f"the OCR engine could not read this image ({describe_error(exc)}); not checked is not passed"
        return [
            CheckResult(not_checked=[NotChecked(check=IMAGE_TEXT_CHECK, reason=reason)]),
            CheckResult(not_checked=[NotChecked(check=fonts.FONT_RULE, reason=reason)]),
        ]
    return [check_image_text(pixels, kit, channel, ocr, words), fonts.check_fonts(pixels, words, kit, load_font)]
