"""Brand fonts on images: render-and-compare font matching, and the ``fonts.brand`` check.

The accuracy figure is measured on words rendered here in DejaVu Sans / Serif / Mono at several
sizes and colours, matched against those three plus Pillow's default font; the word list and sizes
were picked before the method was run, not tuned to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from flashfusion.linting import fonts, ocr
from flashfusion.models import BrandKit, ImageBox
from flashfusion.vision.tesseract import TesseractOcr

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FILES = {"DejaVu Sans": "DejaVuSans.ttf", "DejaVu Serif": "DejaVuSerif.ttf", "DejaVu Sans Mono": "DejaVuSansMono.ttf"}
INSTALL = "apt-get install -y tesseract-ocr fonts-dejavu-core (as root; `make` does it) and pip install pytesseract"
WORDS = ["Spring", "campaign", "launch", "quality", "orchestra", "brand", "morning", "flavour", "journey", "weekend"]
SIZES = [14, 20, 28, 40, 64]
COLOURS = [("black", "white"), ("#f5f0e6", "#1b3a5c")]


def path(family: str) -> str:
    p = DEJAVU / FILES[family]
    if not p.is_file():
        pytest.fail(f"{p} is missing: {INSTALL}", pytrace=False)
    return str(p)


def crop_of(word: str, family: str, px: int, fg: str = "black", bg: str = "white") -> np.ndarray:
    font = ImageFont.truetype(path(family), px)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), word, font=font)
    pad = 3
    image = Image.new("RGB", (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad), bg)
    ImageDraw.Draw(image).text((pad - left, pad - top), word, font=font, fill=fg)
    return np.asarray(image)


def render_line(text: str, family: str, px: int, size: tuple[int, int] = (1000, 260)) -> np.ndarray:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((30, 40), text, font=ImageFont.truetype(path(family), px), fill="#222222")
    return np.asarray(image)


def kit(*brand: tuple[str, str | None]) -> BrandKit:
    return BrandKit.model_validate(
        {"kitId": "k", "name": "Test Kit", "fonts": [{"family": f, "role": "heading", "file": p} for f, p in brand]}
    )


def candidates() -> dict[str, Any]:
    return {**{family: path(family) for family in FILES}, fonts.PILLOW_DEFAULT: None}


# --- match_font --------------------------------------------------------------------------------


def test_font_match_accuracy_over_rendered_words() -> None:
    fonts_to_try = candidates()
    right = 0
    total = 0
    wrong: list[tuple[str, int, str, str]] = []
    for family in FILES:
        for px in SIZES:
            for i, word in enumerate(WORDS):
                fg, bg = COLOURS[i % 2]
                ranked = fonts.match_font(crop_of(word, family, px, fg, bg), word, fonts_to_try)
                assert len(ranked) == len(fonts_to_try)
                assert [d for _, d in ranked] == sorted(d for _, d in ranked)
                total += 1
                if ranked[0][0] == family:
                    right += 1
                else:
                    wrong.append((family, px, word, ranked[0][0]))
    accuracy = right / total
    print(f"\nfont top-1 accuracy: {right}/{total} = {accuracy:.1%}; wrong: {wrong}")
    assert accuracy >= 0.85, wrong


def test_match_font_takes_font_bytes_and_skips_unreadable_fonts() -> None:
    crop = crop_of("harbour", "DejaVu Serif", 36)
    ranked = fonts.match_font(
        crop, "harbour", {"Serif bytes": Path(path("DejaVu Serif")).read_bytes(), "Broken": b"not a font"}
    )
    assert [family for family, _ in ranked] == ["Serif bytes"]
    assert ranked[0][1] < 0.2


def test_blank_crop_matches_nothing() -> None:
    assert fonts.match_font(np.full((30, 80, 3), 255, dtype=np.uint8), "word", candidates()) == []


def test_reference_fonts_are_found_on_this_system() -> None:
    assert set(fonts.reference_fonts()) == set(FILES), INSTALL


# --- check_fonts -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tesseract() -> TesseractOcr:
    if shutil.which("tesseract") is None or not TesseractOcr.available():
        pytest.fail(f"tesseract is not installed: {INSTALL}", pytrace=False)
    return TesseractOcr()


def test_text_in_a_non_brand_font_warns_at_the_largest_word(tesseract: TesseractOcr) -> None:
    pixels = render_line("Spring launch weekend", "DejaVu Sans", 56)
    words = tesseract.words(pixels)
    result = fonts.check_fonts(pixels, words, kit(("DejaVu Serif", path("DejaVu Serif"))), lambda p: p)
    [warning] = result.violations
    assert warning.rule_id == fonts.FONT_RULE
    assert warning.severity == "warning"
    assert "DejaVu Sans" in warning.message
    assert isinstance(warning.location, ImageBox)
    assert warning.location in [w.box for w in words]
    assert result.metrics["fonts.bestIsBrand"] == 0.0
    assert result.metrics["fonts.wordsCompared"] == 3
    assert result.metrics["fonts.brandDistance"] > result.metrics["fonts.bestDistance"]
    assert result.rules_checked == [fonts.FONT_RULE]


def test_text_in_the_brand_font_passes(tesseract: TesseractOcr) -> None:
    pixels = render_line("Spring launch weekend", "DejaVu Serif", 56)
    words = tesseract.words(pixels)
    brand = Path(path("DejaVu Serif")).read_bytes()
    result = fonts.check_fonts(pixels, words, kit(("Acme Serif", "s3://fonts/acme.ttf")), lambda _: brand)
    assert result.violations == []
    assert result.metrics["fonts.bestIsBrand"] == 1.0
    assert result.metrics["fonts.distance.Acme Serif"] == result.metrics["fonts.bestDistance"]


def test_mono_text_against_a_sans_brand_warns(tesseract: TesseractOcr) -> None:
    pixels = render_line("quality journey", "DejaVu Sans Mono", 44)
    words = tesseract.words(pixels)
    result = fonts.check_fonts(pixels, words, kit(("DejaVu Sans", path("DejaVu Sans"))), lambda p: p)
    assert [v.rule_id for v in result.violations] == [fonts.FONT_RULE]
    assert "DejaVu Sans Mono" in result.violations[0].message


def word(text: str, h: int = 30, confidence: float = 95.0) -> ocr.OcrWord:
    return ocr.OcrWord(text=text, box=ImageBox(x=0, y=0, width=100, height=h), confidence=confidence)


PIXELS = np.full((40, 120, 3), 255, dtype=np.uint8)


def test_kits_without_font_files_are_not_checked() -> None:
    no_files = fonts.check_fonts(PIXELS, [word("Spring")], kit(("Acme", None)), lambda p: p)
    assert [n.check for n in no_files.not_checked] == [fonts.FONT_RULE]
    assert "no files" in no_files.not_checked[0].reason
    assert no_files.rules_checked == []
    unreadable = fonts.check_fonts(PIXELS, [word("Spring")], kit(("Acme", "a.ttf")), None)
    assert unreadable.not_checked[0].reason == "font files cannot be read here"

    def missing(_: str) -> bytes:
        raise OSError("no such key")

    assert fonts.check_fonts(PIXELS, [word("Spring")], kit(("Acme", "a.ttf")), missing).not_checked


def test_no_brand_fonts_means_no_font_rule_and_no_usable_words_passes() -> None:
    assert fonts.check_fonts(PIXELS, [word("Spring")], kit(), None) == fonts.CheckResult()
    tiny = [word("ab"), word("Spring", h=4), word("Spring", confidence=20.0)]
    result = fonts.check_fonts(PIXELS, tiny, kit(("DejaVu Sans", path("DejaVu Sans"))), lambda p: p)
    assert result.rules_checked == [fonts.FONT_RULE]
    assert result.violations == []
    assert result.metrics == {"fonts.wordsCompared": 0.0}
