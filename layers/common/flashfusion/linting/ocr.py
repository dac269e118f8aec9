"""Text in images: read the words on an image (OCR), then lint them like text.

The OCR engine is an adapter (``OcrAdapter``) passed in: ``TesseractOcr`` locally (the
``tesseract-ocr`` package and ``pytesseract``), ``RekognitionOcr`` in AWS (Amazon Rekognition
DetectText with an injected boto3 client). With no engine the check reports ``not_checked``.

The on-image words are joined into a text (one line per OCR line) and go through
``legal.check_legal`` and ``voice.check_voice``. Violations keep their rule ids; a violation whose
text span covers words gets the union of those words' boxes (an ``ImageBox``, in pixels) as its
location instead of the span. Decisions:

- ``legal.disclaimer`` is not checked on image text: a disclaimer belongs in the post's caption,
  which is linted as text; demanding it on every image would fail every image;
- text fixes are dropped (``fix=None``): they edit a text, and there is no text to edit here; the
  suggestion stays;
- the voice metrics are prefixed ``image.text.`` so they never overwrite a text asset's metrics.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from flashfusion.brandkit import BrandKit
from flashfusion.linting.base import CheckResult
from flashfusion.models import ImageBox, NotChecked, TextSpan, Violation

if TYPE_CHECKING:
    import numpy as np

IMAGE_TEXT_CHECK = "image.text"
WORDS_METRIC = "image.ocrWords"
CONFIDENCE_METRIC = "image.ocrMeanConfidence"
NO_ENGINE_REASON = "no OCR engine here"
REKOGNITION_MAX_BYTES = 5 * 1024 * 1024  # DetectText Image.Bytes limit
REKOGNITION_IMAGE_ERRORS = {"InvalidImageFormatException", "ImageTooLargeException", "InvalidParameterException"}

Image = Any
"""An image as the adapters take it: encoded bytes (PNG/JPEG) or an RGB/grey ``numpy`` array."""


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: ImageBox
    confidence: float
    """0-100, as both Tesseract and Rekognition report it."""
    line: int = 0
    """Words with the same number are on the same line; lines and words come in reading order."""


class OcrAdapter(Protocol):
    def words(self, image: Image) -> list[OcrWord]:
        """The words on ``image`` (bytes or array), in reading order, with pixel boxes."""
        ...


class OcrUnavailable(Exception):
    """This image cannot be read here (engine missing, image refused): it is not checked, never passed."""


# --- image helpers -----------------------------------------------------------------------------


def _to_pil(image: Image) -> Any:
    from PIL import Image as PILImage

    if isinstance(image, bytes | bytearray):
        with PILImage.open(io.BytesIO(image)) as opened:
            return opened.convert("RGB")
    return PILImage.fromarray(image)


def _encoded(image: Image) -> tuple[bytes, int, int]:
    """PNG/JPEG bytes and the pixel size (width, height) of ``image``."""
    from PIL import Image as PILImage

    if isinstance(image, bytes | bytearray):
        with PILImage.open(io.BytesIO(image)) as opened:
            width, height = opened.size
        return bytes(image), width, height
    pil = PILImage.fromarray(image)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue(), pil.width, pil.height


# --- Tesseract (local) -------------------------------------------------------------------------


class TesseractOcr:
    """Tesseract through ``pytesseract.image_to_data``.

    ``psm`` 11 (sparse text) finds words scattered over a picture; 6 reads one uniform block.
    Words under ``min_confidence`` (0-100) and empty tokens are dropped.
    """

    def __init__(self, psm: int = 11, min_confidence: float = 50.0, lang: str = "eng", timeout_s: float = 30) -> None:
        self.psm = psm
        self.min_confidence = min_confidence
        self.lang = lang
        self.timeout_s = timeout_s

    @staticmethod
    def available() -> bool:
        try:
            import pytesseract

            pytesseract.get_tesseract_version()
        except Exception:
            return False
        return True

    def words(self, image: Image) -> list[OcrWord]:
        try:
            import pytesseract
        except ImportError as exc:
            raise OcrUnavailable("pytesseract is not installed") from exc
        pil = _to_pil(image)
        try:
            data = pytesseract.image_to_data(
                pil,
                lang=self.lang,
                config=f"--psm {self.psm}",
                output_type=pytesseract.Output.DICT,
                timeout=self.timeout_s,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrUnavailable("the tesseract binary is not installed") from exc
        rows = []
        for i, raw in enumerate(data["text"]):
            text = str(raw).strip()
            confidence = float(data["conf"][i])
            if not text or confidence < self.min_confidence:
                continue
            key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            box = ImageBox(
                x=int(data["left"][i]),
                y=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
            )
            rows.append((key, int(data["word_num"][i]), text, box, confidence))
        rows.sort(key=lambda r: (r[0], r[1]))
        lines: dict[tuple[int, int, int], int] = {}
        return [
            OcrWord(text=text, box=box, confidence=conf, line=lines.setdefault(key, len(lines)))
            for key, _, text, box, conf in rows
        ]


# --- Amazon Rekognition (AWS) ------------------------------------------------------------------


def _error_code(exc: Exception) -> tuple[str, str]:
    response: Any = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", "")), str(error.get("Message", ""))


def _pixels(ratio: float, size: int) -> int:
    return min(max(round(float(ratio) * size), 0), size)


class RekognitionOcr:
    """Amazon Rekognition DetectText, with an injected boto3 ``rekognition`` client.

    Keeps the ``WORD`` detections; their ``Geometry.BoundingBox`` ratios become pixel boxes, their
    ``ParentId`` (the LINE) the line number. Image errors (bad format, too large) raise
    ``OcrUnavailable``; throttling raises ``AwsThrottled`` and other service errors propagate, so the
    state machine's Retry can handle them. DetectText returns at most 100 words per image.
    """

    def __init__(self, client: Any, min_confidence: float = 80.0) -> None:
        self.client = client
        self.min_confidence = min_confidence

    def words(self, image: Image) -> list[OcrWord]:
        data, width, height = _encoded(image)
        if len(data) > REKOGNITION_MAX_BYTES:
            raise OcrUnavailable("ImageTooLargeException: image bytes over 5 MB; pass an S3 object instead")
        from flashfusion.aws.throttling import typed_throttling  # botocore only where Rekognition is used

        try:
            with typed_throttling("rekognition"):
                response = self.client.detect_text(
                    Image={"Bytes": data}, Filters={"WordFilter": {"MinConfidence": float(self.min_confidence)}}
                )
        except Exception as exc:
            code, message = _error_code(exc)
            if code in REKOGNITION_IMAGE_ERRORS:
                raise OcrUnavailable(f"{code}: {message}") from exc
            raise
        lines: dict[int, int] = {}
        found: list[OcrWord] = []
        for detection in response.get("TextDetections", []):
            if detection.get("Type") != "WORD":
                continue
            confidence = float(detection.get("Confidence", 0.0))
            text = str(detection.get("DetectedText", "")).strip()
            if not text or confidence < self.min_confidence:
                continue
            bbox = detection.get("Geometry", {}).get("BoundingBox", {})
            x = _pixels(bbox.get("Left", 0.0), width)
            y = _pixels(bbox.get("Top", 0.0), height)
            right = _pixels(float(bbox.get("Left", 0.0)) + float(bbox.get("Width", 0.0)), width)
            bottom = _pixels(float(bbox.get("Top", 0.0)) + float(bbox.get("Height", 0.0)), height)
            parent = int(detection.get("ParentId", detection.get("Id", 0)))
            box = ImageBox(x=x, y=y, width=right - x, height=bottom - y)
            found.append(OcrWord(text=text, box=box, confidence=confidence, line=lines.setdefault(parent, len(lines))))
        return found


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
            reason = f"the OCR engine could not read this image ({exc}); not checked is not passed"
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
    """OCR once, then the text check and the font check on the same words (for ``engine.image_checks``).

    ``image_bytes``: the encoded image, sent to the OCR engine instead of re-encoding ``pixels``.
    """
    from flashfusion.linting import fonts

    if ocr is None:
        return [
            check_image_text(pixels, kit, channel, None),
            CheckResult(not_checked=[NotChecked(check=fonts.FONT_RULE, reason=NO_ENGINE_REASON)]),
        ]
    try:
        words = ocr.words(image_bytes if image_bytes is not None else pixels)
    except OcrUnavailable as exc:
        reason = f"the OCR engine could not read this image ({exc}); not checked is not passed"
        return [
            CheckResult(not_checked=[NotChecked(check=IMAGE_TEXT_CHECK, reason=reason)]),
            CheckResult(not_checked=[NotChecked(check=fonts.FONT_RULE, reason=reason)]),
        ]
    return [check_image_text(pixels, kit, channel, ocr, words), fonts.check_fonts(pixels, words, kit, load_font)]
