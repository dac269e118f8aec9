"""A word read off an image by an OCR engine: what the OCR adapters return and the image text checks
(``ocr``, ``fonts``) take. Its own module so that ``fonts`` need not import ``ocr``."""

from __future__ import annotations

from dataclasses import dataclass

from flashfusion.models import ImageBox


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: ImageBox
    confidence: float
    """0-100, as both Tesseract and Rekognition report it."""
    line: int = 0
    """Words with the same number are on the same line; lines and words come in reading order."""
