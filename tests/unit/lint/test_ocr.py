"""Text in images: Tesseract on rendered words, Rekognition DetectText via Stubber, legal/voice on the words.

Tesseract is required, not optional: ``make`` installs ``tesseract-ocr`` and ``fonts-dejavu-core``;
without them these tests fail with the install command rather than skip.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from PIL import Image, ImageDraw, ImageFont

from flashfusion.errors import AwsThrottled
from flashfusion.linting import legal, ocr, terms
from flashfusion.models import BrandKit, ImageBox, NotChecked
from flashfusion.vision.rekognition import RekognitionOcr
from flashfusion.vision.tesseract import TesseractOcr

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FAMILIES = {"sans": "DejaVuSans.ttf", "serif": "DejaVuSerif.ttf", "mono": "DejaVuSansMono.ttf"}
INSTALL = "apt-get install -y tesseract-ocr fonts-dejavu-core (as root; `make` does it) and pip install pytesseract"
WORDS = [
    "Spring",
    "campaign",
    "launch",
    "quality",
    "orchestra",
    "brand",
    "Fusion",
    "morning",
    "garden",
    "flavour",
    "journey",
    "wonderful",
    "Premium",
    "coffee",
    "weekend",
    "harbour",
]


@pytest.fixture(scope="module")
def tesseract() -> TesseractOcr:
    if shutil.which("tesseract") is None or not TesseractOcr.available():
        pytest.fail(f"tesseract is not installed: {INSTALL}", pytrace=False)
    return TesseractOcr()


def font_path(family: str) -> str:
    path = DEJAVU / FAMILIES[family]
    if not path.is_file():
        pytest.fail(f"{path} is missing: {INSTALL}", pytrace=False)
    return str(path)


def render(
    lines: list[tuple[str, str, int]], size: tuple[int, int] = (1100, 420), bg: str = "white", fg: str = "black"
) -> tuple[np.ndarray, dict[str, ImageBox]]:
    """An RGB image with each (text, family, px) on its own line, and each word's true ink box."""
    image = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(image)
    boxes: dict[str, ImageBox] = {}
    y = 20
    for text, family, px in lines:
        font = ImageFont.truetype(font_path(family), px)
        x = 30
        for word in text.split():
            left, top, right, bottom = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, font=font, fill=fg)
            boxes[word] = ImageBox(x=int(left), y=int(top), width=int(right - left), height=int(bottom - top))
            x = int(right + draw.textlength(" ", font=font))
        y += int(px * 1.6)
    return np.asarray(image), boxes


def iou(a: ImageBox, b: ImageBox) -> float:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.width, b.x + b.width), min(a.y + a.height, b.y + b.height)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / (a.width * a.height + b.width * b.height - inter)


def kit(**fields: Any) -> BrandKit:
    return BrandKit.model_validate({"kitId": "k", "name": "Test Kit", **fields})


# --- Tesseract -----------------------------------------------------------------------------------


def test_tesseract_reads_rendered_words_in_three_families(tesseract: TesseractOcr) -> None:
    expected = 0
    found = 0
    missed: list[tuple[str, int, str]] = []
    for family in FAMILIES:
        for sizes, fg, bg in (((18, 26, 34), "black", "white"), ((44, 60), "#f5f0e6", "#1b3a5c")):
            lines: list[tuple[str, str, int]] = []
            for i, px in enumerate(sizes):
                start = (i * 4 + len(lines)) % len(WORDS)
                lines.append((" ".join(WORDS[start : start + 3]), family, px))
            pixels, truth = render(lines, bg=bg, fg=fg)
            words = tesseract.words(pixels)
            by_text = {w.text: w for w in words}
            for word, box in truth.items():
                expected += 1
                if word in by_text and iou(by_text[word].box, box) > 0.5:
                    found += 1
                else:
                    missed.append((family, box.height, word))
    recall = found / expected
    print(f"\nOCR word recall (Tesseract, psm 11): {found}/{expected} = {recall:.1%}; missed {missed}")
    assert recall >= 0.9, missed


def test_tesseract_words_come_in_reading_order_with_lines(tesseract: TesseractOcr) -> None:
    pixels, _ = render([("Spring coffee launch", "sans", 40), ("journey harbour", "serif", 40)])
    words = tesseract.words(pixels)
    assert [w.text for w in words] == ["Spring", "coffee", "launch", "journey", "harbour"]
    assert [w.line for w in words] == [0, 0, 0, 1, 1]
    assert all(50 <= w.confidence <= 100 for w in words)
    text, _ = ocr.join_words(words)
    assert text == "Spring coffee launch\njourney harbour"


def test_tesseract_takes_encoded_bytes(tesseract: TesseractOcr) -> None:
    pixels, _ = render([("Premium weekend", "mono", 48)])
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    assert [w.text for w in tesseract.words(buffer.getvalue())] == ["Premium", "weekend"]


def test_banned_word_on_the_image_is_an_error_at_its_box(tesseract: TesseractOcr) -> None:
    pixels, truth = render([("Our miracle coffee", "serif", 52), ("fresh every morning", "sans", 30)])
    result = ocr.check_image_text(pixels, kit(legal={"bannedTerms": ["miracle"]}), "instagram", tesseract)
    banned = [v for v in result.violations if v.rule_id == terms.BANNED_RULE]
    assert len(banned) == 1
    violation = banned[0]
    assert violation.severity == "error"
    assert isinstance(violation.location, ImageBox)
    assert iou(violation.location, truth["miracle"]) > 0.6
    assert violation.fix is None
    assert violation.message.startswith("on the image: ")
    assert terms.BANNED_RULE in result.rules_checked
    assert result.metrics[ocr.WORDS_METRIC] == 6


def test_clean_image_passes_and_no_text_is_zero_words(tesseract: TesseractOcr) -> None:
    pixels, _ = render([("fresh every morning", "sans", 40)])
    result = ocr.check_image_text(pixels, kit(legal={"bannedTerms": ["miracle"]}), None, tesseract)
    assert [v for v in result.violations if v.severity == "error"] == []
    blank = np.full((200, 300, 3), 255, dtype=np.uint8)
    empty = ocr.check_image_text(blank, kit(legal={"bannedTerms": ["miracle"]}), None, tesseract)
    assert empty.metrics[ocr.WORDS_METRIC] == 0
    assert empty.violations == []


# --- the check, with a fake adapter ------------------------------------------------------------


class FakeOcr:
    def __init__(self, words: list[ocr.OcrWord]) -> None:
        self._words = words
        self.calls = 0

    def words(self, image: Any) -> list[ocr.OcrWord]:
        self.calls += 1
        return self._words


def word(text: str, x: int, y: int, line: int = 0, w: int = 50, h: int = 20) -> ocr.OcrWord:
    return ocr.OcrWord(text=text, box=ImageBox(x=x, y=y, width=w, height=h), confidence=95.0, line=line)


PIXELS = np.zeros((10, 10, 3), dtype=np.uint8)


def test_no_engine_is_not_checked_never_passed() -> None:
    result = ocr.check_image_text(PIXELS, kit(legal={"bannedTerms": ["miracle"]}), None, None)
    assert result.not_checked == [NotChecked(check="image.text", reason="no OCR engine here")]
    assert result.rules_checked == []
    assert result.violations == []


def test_a_phrase_across_words_and_lines_gets_the_union_box() -> None:
    words = [word("Totally", 10, 10), word("risk", 70, 10), word("free", 10, 40, line=1), word("now", 70, 40, line=1)]
    result = ocr.check_image_text(PIXELS, kit(legal={"bannedTerms": ["risk-free"]}), None, FakeOcr(words))
    [violation] = [v for v in result.violations if v.rule_id == terms.BANNED_RULE]
    assert violation.location == ImageBox(x=10, y=10, width=110, height=50)


def test_disclaimers_belong_to_the_caption_not_the_image() -> None:
    rules = {"requiredDisclaimers": [{"text": "Ad"}], "trademarks": [{"term": "FlashFusion"}]}
    words = [word("Try", 0, 0), word("FlashFusion", 60, 0, w=120), word("today", 200, 0)]
    result = ocr.check_image_text(PIXELS, kit(legal=rules), None, FakeOcr(words))
    assert legal.DISCLAIMER_RULE not in result.rules_checked
    assert all(v.rule_id != legal.DISCLAIMER_RULE for v in result.violations)
    [trademark] = [v for v in result.violations if v.rule_id == legal.TRADEMARK_RULE]
    assert trademark.location == ImageBox(x=60, y=0, width=120, height=20)


def test_voice_rules_run_on_the_image_words_with_boxes_and_prefixed_metrics() -> None:
    voice = {"preferredTerms": {"utilize": "use"}}
    words = [word("Utilize", 5, 5, w=80), word("our", 90, 5), word("app", 150, 5)]
    result = ocr.check_image_text(PIXELS, kit(voice=voice), None, FakeOcr(words))
    [preferred] = [v for v in result.violations if v.rule_id == "voice.preferred-term"]
    assert preferred.location == ImageBox(x=5, y=5, width=80, height=20)
    assert preferred.fix is None
    assert "voice.preferred-term" in result.rules_checked
    assert result.metrics["image.text.voice.words"] == 3
    assert "voice.words" not in result.metrics


def test_words_read_once_feed_both_checks() -> None:
    fake = FakeOcr([word("miracle", 0, 0)])
    results = ocr.image_text_checks(PIXELS, kit(legal={"bannedTerms": ["miracle"]}), None, fake, None)
    assert fake.calls == 1
    assert [v.rule_id for v in results[0].violations] == [terms.BANNED_RULE]
    assert results[1].violations == []  # the kit has no fonts: no font rule
    offline = ocr.image_text_checks(PIXELS, kit(legal={"bannedTerms": ["miracle"]}), None, None, None)
    assert [n.check for r in offline for n in r.not_checked] == ["image.text", "fonts.brand"]


# --- OCR only for kits whose rules read image text ---------------------------------------------


@pytest.mark.parametrize(
    ("fields", "needs"),
    [
        ({}, []),
        ({"palette": [{"name": "Blue", "hex": "#1E88E5"}], "colors": {"tolerance": 6}}, []),
        ({"voice": {"brandName": "Acme", "requiredTerms": ["Acme"]}}, []),  # caption rules, not image rules
        ({"legal": {"requiredDisclaimers": [{"text": "#ad"}]}}, []),  # disclaimers belong to the caption
        ({"legal": {"bannedTerms": ["miracle"]}}, [terms.BANNED_RULE]),
        ({"legal": {"trademarks": [{"term": "Acme"}]}}, [legal.TRADEMARK_RULE]),
        ({"legal": {"claims": [{"phrase": "best in class"}]}}, [legal.CLAIM_RULE]),
        ({"fonts": [{"family": "Inter", "file": "inter.ttf"}]}, ["fonts.brand"]),
        ({"voice": {"maxExclamations": 0}}, ["voice"]),
        ({"voice": {"preferredTerms": {"utilize": "use"}}}, ["voice"]),
        ({"voice": {"rules": [{"type": "repetition", "id": "rep"}]}}, ["voice"]),
    ],
)
def test_the_kit_decides_which_rules_need_image_text(fields: dict[str, Any], needs: list[str]) -> None:
    brand_kit = kit(**fields)
    assert ocr.image_text_rules(brand_kit) == needs
    # the same answer for the kit read back from storage, every default written out
    stored = BrandKit.model_validate(brand_kit.model_dump(mode="json", by_alias=True))
    assert ocr.image_text_rules(stored) == needs


def test_a_kit_without_image_text_rules_never_calls_the_ocr_engine() -> None:
    fake = FakeOcr([word("miracle", 0, 0)])
    colours_only = kit(palette=[{"name": "Blue", "hex": "#1E88E5"}])
    assert ocr.image_text_checks(PIXELS, colours_only, None, fake, None) == []
    assert fake.calls == 0
    assert ocr.image_text_checks(PIXELS, colours_only, None, None, None) == []  # nothing to report as not checked


def test_tesseract_version_is_asked_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.vision import tesseract as module

    calls: list[list[str]] = []
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(module.subprocess, "run", lambda args, **_: calls.append(args))
    module._tesseract_runs.cache_clear()
    try:
        assert all(TesseractOcr.available() for _ in range(5))
        assert calls == [["/usr/bin/tesseract", "--version"]]
    finally:
        module._tesseract_runs.cache_clear()


def test_tesseract_is_unavailable_when_its_binary_fails_or_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from flashfusion.vision import tesseract as module

    def fails(args: list[str], **_: object) -> None:
        raise subprocess.CalledProcessError(1, args)

    try:
        monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")
        monkeypatch.setattr(module.subprocess, "run", fails)
        module._tesseract_runs.cache_clear()
        assert not TesseractOcr.available()
        monkeypatch.setattr(module.shutil, "which", lambda name: None)
        module._tesseract_runs.cache_clear()
        assert not TesseractOcr.available()
    finally:
        module._tesseract_runs.cache_clear()


def test_asking_whether_tesseract_runs_imports_neither_pytesseract_nor_pillow() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from flashfusion.vision.tesseract import TesseractOcr\n"
        "TesseractOcr.available()\n"
        "assert 'pytesseract' not in sys.modules and 'PIL' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)


# --- Rekognition DetectText via Stubber --------------------------------------------------------


def rekognition() -> Any:
    return boto3.client("rekognition", region_name="us-east-1")


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def detection(
    text: str, kind: str, ident: int, box: tuple[float, float, float, float], parent: int | None = None
) -> Any:
    left, top, width, height = box
    item: dict[str, Any] = {
        "DetectedText": text,
        "Type": kind,
        "Id": ident,
        "Confidence": 99.1,
        "Geometry": {
            "BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top},
            "Polygon": [{"X": left, "Y": top}, {"X": left + width, "Y": top + height}],
        },
    }
    if parent is not None:
        item["ParentId"] = parent
    return item


DETECTIONS = {
    "TextDetections": [
        detection("Our miracle coffee", "LINE", 0, (0.1, 0.1, 0.6, 0.1)),
        detection("Now open", "LINE", 1, (0.1, 0.5, 0.3, 0.1)),
        detection("Our", "WORD", 2, (0.1, 0.1, 0.1, 0.1), parent=0),
        detection("miracle", "WORD", 3, (0.25, 0.1, 0.2, 0.1), parent=0),
        detection("coffee", "WORD", 4, (0.5, 0.1, 0.2, 0.1), parent=0),
        detection("Now", "WORD", 5, (0.1, 0.5, 0.1, 0.1), parent=1),
        detection("open", "WORD", 6, (0.25, 0.5, 0.15, 0.1), parent=1),
    ],
    "TextModelVersion": "3.0",
}


def test_rekognition_words_become_pixel_boxes() -> None:
    client = rekognition()
    image = png(400, 200)
    with Stubber(client) as stub:
        stub.add_response(
            "detect_text",
            DETECTIONS,
            {"Image": {"Bytes": image}, "Filters": {"WordFilter": {"MinConfidence": 80.0}}},
        )
        words = RekognitionOcr(client).words(image)
        stub.assert_no_pending_responses()
    assert [w.text for w in words] == ["Our", "miracle", "coffee", "Now", "open"]
    assert [w.line for w in words] == [0, 0, 0, 1, 1]
    assert words[1].box == ImageBox(x=100, y=20, width=80, height=20)
    assert words[1].confidence == pytest.approx(99.1)


def test_rekognition_feeds_the_banned_term_check_from_an_array() -> None:
    client = rekognition()
    pixels = np.full((200, 400, 3), 255, dtype=np.uint8)
    with Stubber(client) as stub:
        stub.add_response("detect_text", DETECTIONS)
        result = ocr.check_image_text(pixels, kit(legal={"bannedTerms": ["miracle"]}), None, RekognitionOcr(client))
    [banned] = [v for v in result.violations if v.rule_id == terms.BANNED_RULE]
    assert banned.location == ImageBox(x=100, y=20, width=80, height=20)


def test_rekognition_image_errors_are_not_checked() -> None:
    client = rekognition()
    with Stubber(client) as stub:
        stub.add_client_error("detect_text", service_error_code="InvalidImageFormatException", service_message="bad")
        result = ocr.check_image_text(png(10, 10), kit(), None, RekognitionOcr(client))
    assert result.rules_checked == []
    [not_checked] = result.not_checked
    assert not_checked.check == "image.text"
    assert "InvalidImageFormatException" in not_checked.reason


def test_rekognition_throttling_is_typed_for_retry() -> None:
    client = rekognition()
    with Stubber(client) as stub:
        stub.add_client_error("detect_text", service_error_code="ThrottlingException", http_status_code=400)
        with pytest.raises(AwsThrottled, match="ThrottlingException") as caught:
            RekognitionOcr(client).words(png(10, 10))
    assert isinstance(caught.value.__cause__, ClientError)
    assert (caught.value.service, caught.value.code) == ("rekognition", "ThrottlingException")


def test_rekognition_refuses_over_5_mb_without_calling() -> None:
    noise = np.random.default_rng(0).integers(0, 256, size=(1400, 1400, 3), dtype=np.uint8)
    with pytest.raises(ocr.OcrUnavailable, match="5 MB"):
        RekognitionOcr(object()).words(noise)
