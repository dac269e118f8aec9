"""Is the text on an image set in a brand font? Render-and-compare against the OCR'd words.

For each of the largest words OCR found, the word is rendered (Pillow ``ImageFont.truetype``) in
every candidate font: the kit's brand fonts and a few non-brand reference fonts found on the
system (DejaVu Sans / Serif / Mono, Pillow's bundled default), so "not a brand font" is a
measurable answer rather than "far from every brand font". Crop and rendering are binarised
(ink = the side of an Otsu threshold away from the crop's border colour), trimmed to their ink,
resized to the same size and compared:

    distance = 1 - NCC(crop ink, rendered ink) + ASPECT_WEIGHT * |log(aspect ratio ratio)|

(NCC on lightly blurred ink masks, so a one-pixel shift does not dominate; the aspect term keeps
the width a font gives a word, which the resize would otherwise erase.) Distances are averaged over
the compared words per family. When the best family is a reference font and beats the best brand
font by more than ``margin``, ``fonts.brand`` warns. It is a warning, never an error: OCR misreads
and look-alike fonts make this a heuristic.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from flashfusion.brandkit import BrandKit
from flashfusion.linting.base import CheckResult
from flashfusion.linting.ocr_words import OcrWord
from flashfusion.models import NotChecked, Violation

FONT_RULE = "fonts.brand"
COMPARE_HEIGHT = 48
ASPECT_WEIGHT = 0.5
MAX_WORDS = 5
MIN_LETTERS = 3
MIN_CONFIDENCE = 60.0
MIN_HEIGHT_PX = 8
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")
REFERENCE_FILES = {
    "DejaVu Sans": "DejaVuSans.ttf",
    "DejaVu Serif": "DejaVuSerif.ttf",
    "DejaVu Sans Mono": "DejaVuSansMono.ttf",
}
PILLOW_DEFAULT = "Pillow default (Aileron)"

FontSource = str | Path | bytes
"""A font as ``ImageFont.truetype`` can open it: a path, or the TTF/OTF file's bytes."""


def reference_fonts() -> dict[str, FontSource]:
    """Non-brand fonts to compare against: the DejaVu families found on this system."""
    found: dict[str, FontSource] = {}
    for family, name in REFERENCE_FILES.items():
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                found[family] = str(path)
                break
    return found


def _font(source: FontSource | None, size: int) -> Any:
    from PIL import ImageFont

    if source is None:
        return ImageFont.load_default(size=size)
    if isinstance(source, bytes):
        return ImageFont.truetype(io.BytesIO(source), size=size)
    return ImageFont.truetype(str(source), size=size)


def _otsu(grey: np.ndarray) -> float:
    hist = np.bincount(grey.ravel().astype(np.uint8), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 127.5
    levels = np.arange(256, dtype=np.float64)
    weight0 = np.cumsum(hist)
    weight1 = total - weight0
    sum0 = np.cumsum(hist * levels)
    mean0 = np.divide(sum0, weight0, out=np.zeros(256), where=weight0 > 0)
    mean1 = np.divide(sum0[-1] - sum0, weight1, out=np.zeros(256), where=weight1 > 0)
    between = weight0 * weight1 * (mean0 - mean1) ** 2
    return float(np.argmax(between)) + 0.5


def _grey(pixels: np.ndarray) -> np.ndarray:
    array = np.asarray(pixels, dtype=np.float64)
    if array.ndim == 3:
        array = array[..., :3] @ np.array([0.299, 0.587, 0.114])
    return array


def binarise(crop: np.ndarray, border: np.ndarray | None = None) -> np.ndarray:
    """Ink mask of ``crop``: pixels on the other side of the Otsu threshold from the border colour.

    ``border``: the grey pixels around the word (defaults to the crop's own edge pixels).
    """
    grey = _grey(crop)
    if grey.size == 0:
        return np.zeros(grey.shape, dtype=bool)
    threshold = _otsu(np.clip(grey, 0, 255))
    if border is None:
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    dark_background = float(np.median(border)) < threshold
    return grey > threshold if dark_background else grey < threshold


def _trim(mask: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return mask[:0, :0]
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _resized(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    from PIL import Image, ImageFilter

    image = Image.fromarray((mask * 255).astype(np.uint8)).resize((width, height), Image.Resampling.BILINEAR)
    image = image.filter(ImageFilter.GaussianBlur(radius=1))
    return np.asarray(image, dtype=np.float64) / 255.0


def render_word(word: str, source: FontSource | None, height: int) -> np.ndarray:
    """Ink mask of ``word`` in ``source`` (None: Pillow's default font) at ``height`` px, trimmed."""
    from PIL import Image, ImageDraw

    size = max(int(height), MIN_HEIGHT_PX)
    font = _font(source, size)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), word, font=font)
    pad = size // 4 + 2
    canvas = Image.new("L", (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), word, font=font, fill=255)
    return _trim(np.asarray(canvas) >= 128)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    norm = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
    return float((a * b).sum()) / norm if norm > 0 else 0.0


def _distance(ink: np.ndarray, rendered: np.ndarray) -> float:
    if rendered.size == 0:
        return math.inf
    height = COMPARE_HEIGHT
    width = max(round(height * ink.shape[1] / ink.shape[0]), 1)
    aspect = math.log((rendered.shape[1] / rendered.shape[0]) / (ink.shape[1] / ink.shape[0]))
    return 1.0 - _ncc(_resized(ink, width, height), _resized(rendered, width, height)) + ASPECT_WEIGHT * abs(aspect)


def match_ink(ink: np.ndarray, word: str, fonts: Mapping[str, FontSource | None]) -> list[tuple[str, float]]:
    """Families ranked by distance (best first) for an ink mask already trimmed to the word."""
    ink = _trim(ink)
    if ink.size == 0 or not word.strip():
        return []
    ranked: list[tuple[str, float]] = []
    for family, source in fonts.items():
        try:
            rendered = render_word(word, source, ink.shape[0])
        except OSError:
            continue  # an unreadable font file: that family is not compared
        ranked.append((family, _distance(ink, rendered)))
    return sorted(ranked, key=lambda r: r[1])


def match_font(crop: np.ndarray, word: str, fonts: Mapping[str, FontSource | None]) -> list[tuple[str, float]]:
    """Rank ``fonts`` (family -> path or bytes; None: Pillow's default) by how well ``word``
    rendered in each matches ``crop`` (the word's pixels, RGB or grey). Best (smallest) first."""
    return match_ink(binarise(crop), word, fonts)


def _word_ink(pixels: np.ndarray, word: OcrWord) -> np.ndarray:
    """The word's ink mask, with the background told from a padded ring around its box."""
    grey = _grey(pixels)
    h, w = grey.shape[:2]
    box = word.box
    pad = max(box.height // 4, 2)
    x0, y0 = max(box.x - pad, 0), max(box.y - pad, 0)
    x1, y1 = min(box.x + box.width + pad, w), min(box.y + box.height + pad, h)
    padded = grey[y0:y1, x0:x1]
    if padded.size == 0:
        return padded.astype(bool)
    border = np.concatenate([padded[0], padded[-1], padded[:, 0], padded[:, -1]])
    mask = binarise(padded, border)
    bx0, by0 = box.x - x0, box.y - y0
    return mask[by0 : by0 + box.height, bx0 : bx0 + box.width]


def _candidates(words: list[OcrWord]) -> list[OcrWord]:
    usable = [
        w
        for w in words
        if sum(c.isalpha() for c in w.text) >= MIN_LETTERS
        and w.confidence >= MIN_CONFIDENCE
        and w.box.height >= MIN_HEIGHT_PX
    ]
    return sorted(usable, key=lambda w: w.box.height, reverse=True)[:MAX_WORDS]


def check_fonts(
    pixels: np.ndarray,
    words: list[OcrWord],
    kit: BrandKit,
    load_font: Callable[[str], FontSource] | None,
    references: Mapping[str, FontSource | None] | None = None,
    margin: float = 0.0,
) -> CheckResult:
    """``fonts.brand`` on the largest OCR'd words. ``load_font``: a kit font's file reference (path
    or S3 key) -> path or bytes. ``references``: non-brand fonts (default: DejaVu on this system
    and Pillow's default font)."""
    if not kit.fonts:
        return CheckResult()  # no brand fonts, no font rule
    with_files = [f for f in kit.fonts if f.file]
    if not with_files:
        return _not_checked("the brand kit's fonts have no files to compare against")
    if load_font is None:
        return _not_checked("font files cannot be read here")
    brand: dict[str, FontSource | None] = {}
    for font in with_files:
        try:
            brand.setdefault(font.family, load_font(str(font.file)))
        except (OSError, KeyError, ValueError):
            continue
    if not brand:
        return _not_checked("none of the brand kit's font files could be read")
    if references is None:
        references = {**reference_fonts(), PILLOW_DEFAULT: None}
    lowered = {b.lower() for b in brand}
    others = {k: v for k, v in references.items() if k.lower() not in lowered}
    candidates = _candidates(words)
    result = CheckResult(rules_checked=[FONT_RULE], metrics={"fonts.wordsCompared": 0.0})
    if not candidates:
        return result
    fonts = {**brand, **others}
    totals: dict[str, list[float]] = {}
    compared = 0
    for word in candidates:
        ranked = match_ink(_word_ink(pixels, word), word.text, fonts)
        if not ranked:
            continue
        compared += 1
        for family, distance in ranked:
            totals.setdefault(family, []).append(distance)
    result.metrics["fonts.wordsCompared"] = float(compared)
    if not compared:
        return result
    mean = {family: sum(d) / len(d) for family, d in totals.items() if len(d) == compared}
    best_family = min(mean, key=lambda f: mean[f])
    brand_means = {f: d for f, d in mean.items() if f in brand}
    best_brand = min(brand_means, key=lambda f: brand_means[f]) if brand_means else None
    result.metrics.update(
        {
            "fonts.bestDistance": mean[best_family],
            "fonts.bestIsBrand": 1.0 if best_family in brand else 0.0,
            **({"fonts.brandDistance": brand_means[best_brand]} if best_brand else {}),
            **{f"fonts.distance.{family}": distance for family, distance in mean.items()},
        }
    )
    brand_distance = brand_means[best_brand] if best_brand else math.inf
    if best_family not in brand and brand_distance - mean[best_family] > margin:
        largest = candidates[0]
        nearest = f"; nearest brand font {best_brand} at {brand_distance:.3f}" if best_brand else ""
        result.violations.append(
            Violation(
                rule_id=FONT_RULE,
                severity="warning",
                message=(
                    f"the largest text on the image looks set in {best_family} (distance {mean[best_family]:.3f}), "
                    f"not a brand font{nearest}"
                ),
                location=largest.box,
                suggestion=f"set the text in {' or '.join(brand)}",
            )
        )
    return result


def _not_checked(reason: str) -> CheckResult:
    return CheckResult(not_checked=[NotChecked(check=FONT_RULE, reason=reason)])
