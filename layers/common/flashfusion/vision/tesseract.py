"""Tesseract OCR (the ``tesseract-ocr`` package through ``pytesseract``): the local engine of the image
text checks. An ``OcrAdapter``."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
from functools import cache
from typing import Any

from flashfusion.linting.ocr_types import Image, OcrUnavailable, OcrWord
from flashfusion.models import ImageBox


def _to_pil(image: Image) -> Any:
    from PIL import Image as PILImage

    if isinstance(image, bytes | bytearray):
        with PILImage.open(io.BytesIO(image)) as opened:
            return opened.convert("RGB")
    return PILImage.fromarray(image)


@cache
def _tesseract_runs() -> bool:
    # A subprocess each time; the answer cannot change within a process, so once is enough. Asked as
    # pytesseract.get_tesseract_version asks it (``tesseract --version``), without importing pytesseract
    # and Pillow (~0.5 s) into every process that wires its dependencies, text-only ones included.
    command = shutil.which("tesseract")  # where pytesseract's default command, "tesseract", is found
    if command is None or importlib.util.find_spec("pytesseract") is None:
        return False
    try:
        subprocess.run([command, "--version"], capture_output=True, check=True, timeout=30)  # noqa: S603  # a fixed argument list, no shell
    except (OSError, subprocess.SubprocessError):
        return False
    return True


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
        """Whether the binary runs here: ``tesseract --version``, asked once per process."""
        return _tesseract_runs()

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
