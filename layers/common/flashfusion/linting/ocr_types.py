"""What an OCR engine gives the image text checks: words with pixel boxes, in reading order.

Shared by ``ocr`` (legal and voice checks on the words) and ``fonts`` (the brand font on the same
words); the engines themselves are adapters in ``flashfusion.vision``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from flashfusion.models import ImageBox

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
