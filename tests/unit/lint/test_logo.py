"""Logo detection and placement: the sample logo pasted on synthetic backgrounds, resized, JPEG re-encoded."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from flashfusion.linting import logo
from flashfusion.linting.base import CheckResult
from flashfusion.models import BrandKit

ROOT = Path(__file__).resolve().parents[3]
LOGO_FILE = "events/brand/aurora-logo.png"
LOGO = np.asarray(Image.open(ROOT / LOGO_FILE).convert("RGBA"))
TEAL, ORANGE, OFF_WHITE = (17, 111, 111), (240, 140, 40), (245, 245, 240)
BASE = (1000, 750)  # before the resize: a 5 % logo is then >= 25 px wide at 0.5x


def gradient(w: int, h: int, seed: int = 0) -> np.ndarray:
    x = np.linspace(0, 1, w)[None, :]
    y = np.linspace(0, 1, h)[:, None]
    return np.stack([x * 200 + 30 + 0 * y, y * 180 + 40 + 0 * x, (1 - x) * 150 + 60 + 0 * y], axis=2).astype(np.uint8)


def noise(w: int, h: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def scene(w: int, h: int, seed: int = 0) -> np.ndarray:
    """Photo-like: a sky-ish gradient, many overlapping coloured shapes, sensor noise."""
    rng = np.random.default_rng(seed)
    im = Image.fromarray(gradient(w, h))
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(10, w // 6))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + r, y + r], fill=colour)
        else:
            draw.rectangle([x, y, x + r, y + r // 2], fill=colour)
    pixels = np.asarray(im).astype(np.float32) + rng.normal(0, 8, (h, w, 3))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def shapes(w: int, h: int, seed: int = 0) -> np.ndarray:
    """The palette without the logo: teal badges, orange triangles, white bars, and logo look-alikes."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (w, h), OFF_WHITE)
    draw = ImageDraw.Draw(im)
    for _ in range(25):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(20, w // 4))
        kind = int(rng.integers(0, 4))
        if kind in (0, 3):
            draw.rounded_rectangle([x, y, x + r, y + int(r / 2.5)], radius=max(1, r // 20), fill=TEAL)
        if kind == 1:
            draw.polygon([(x, y + r), (x + r // 2, y), (x + r, y + r)], fill=ORANGE)
        if kind == 2:
            draw.rectangle([x, y, x + r, y + r // 6], fill=(250, 250, 250))
        if kind == 3:  # a badge with a triangle and a bar where the word would be
            hh = int(r / 2.5)
            draw.polygon([(x + r // 10, y + hh - 4), (x + r // 5, y + 4), (x + 3 * r // 10, y + hh - 4)], fill=ORANGE)
            draw.rectangle([x + 4 * r // 10, y + r // 8, x + 9 * r // 10, y + r // 5], fill=(240, 240, 240))
    return np.asarray(im)


BACKGROUNDS = {"gradient": gradient, "noise": noise, "scene": scene, "shapes": shapes}


def paste(bg: np.ndarray, share: float, cx: float, cy: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Alpha-composite the logo ``share`` of the width wide, centred at (cx, cy) in 0..1 image coordinates."""
    h, w = bg.shape[:2]
    lw = round(share * w)
    lh = round(lw * LOGO.shape[0] / LOGO.shape[1])
    sized = Image.fromarray(LOGO).resize((lw, lh), Image.Resampling.LANCZOS)
    x, y = round(cx * w - lw / 2), round(cy * h - lh / 2)
    im = Image.fromarray(bg).convert("RGBA")
    im.alpha_composite(sized, (x, y))
    return np.asarray(im.convert("RGB")), (x, y, lw, lh)


def degrade(pixels: np.ndarray, factor: float, quality: int = 75) -> np.ndarray:
    im = Image.fromarray(pixels)
    im = im.resize((round(im.width * factor), round(im.height * factor)), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def kit(logos: list[dict[str, Any]] | None = None) -> BrandKit:
    default = [{"logoId": "aurora", "file": LOGO_FILE, "required": True}]
    return BrandKit.model_validate({"kitId": "k", "name": "Aurora", "logos": default if logos is None else logos})


def load(path: str) -> np.ndarray:
    return np.asarray(Image.open(ROOT / path).convert("RGBA"))


# (background, width share, centre, resize factor): every background, 5 %..35 %, corners and centre,
# 0.5x / 0.75x / 1.5x, all JPEG q75. Kept to 16 cases so the module runs in a few seconds.
POSITIVES = [
    ("gradient", 0.05, (0.10, 0.10), 0.5),
    ("gradient", 0.20, (0.50, 0.50), 1.5),
    ("gradient", 0.35, (0.75, 0.80), 0.75),
    ("noise", 0.05, (0.85, 0.90), 0.75),
    ("noise", 0.10, (0.15, 0.85), 1.5),
    ("noise", 0.35, (0.50, 0.30), 0.5),
    ("scene", 0.05, (0.50, 0.50), 1.5),
    ("scene", 0.10, (0.85, 0.10), 0.5),
    ("scene", 0.20, (0.20, 0.20), 0.75),
    ("scene", 0.35, (0.70, 0.85), 1.5),
    ("shapes", 0.05, (0.90, 0.92), 1.5),
    ("shapes", 0.10, (0.50, 0.50), 0.75),
    ("shapes", 0.20, (0.80, 0.15), 0.5),
    ("shapes", 0.35, (0.25, 0.75), 1.5),
    ("scene", 0.15, (0.30, 0.60), 1.0),
    ("gradient", 0.10, (0.92, 0.92), 0.5),
]
NEGATIVES = [
    ("plain", 1.0),
    ("gradient", 0.5),
    ("noise", 1.0),
    ("scene", 0.5),
    ("scene", 1.0),
    ("scene", 1.5),
    ("shapes", 0.5),
    ("shapes", 1.0),
]


@functools.cache
def positive(case: tuple[str, float, tuple[float, float], float]) -> tuple[np.ndarray, tuple[float, ...]]:
    name, share, (cx, cy), factor = case
    image, (x, y, lw, lh) = paste(BACKGROUNDS[name](*BASE, seed=7), share, cx, cy)
    return degrade(image, factor), ((x + lw / 2) * factor, (y + lh / 2) * factor, share)


@functools.cache
def negative(case: tuple[str, float]) -> np.ndarray:
    name, factor = case
    if name == "plain":
        return degrade(np.full((BASE[1], BASE[0], 3), TEAL, dtype=np.uint8), factor)
    return degrade(BACKGROUNDS[name](*BASE, seed=11), factor)


@functools.cache
def search_positive(case: tuple[str, float, tuple[float, float], float]) -> logo.LogoMatch | None:
    # Cached: the accuracy summary reuses the per-case searches instead of running them twice.
    return logo.find_logo(positive(case)[0], LOGO)


@functools.cache
def search_negative(case: tuple[str, float]) -> logo.LogoMatch | None:
    return logo.find_logo(negative(case), LOGO)


@pytest.mark.parametrize("case", POSITIVES, ids=lambda c: f"{c[0]}-{c[1]:.0%}-x{c[3]}")
def test_finds_the_logo_after_resize_and_jpeg(case: tuple[str, float, tuple[float, float], float]) -> None:
    image, (cx, cy, share) = positive(case)
    match = search_positive(case)
    assert match is not None
    h, w = image.shape[:2]
    box = match.box
    assert abs(box.x + box.width / 2 - cx) / w < 0.02
    assert abs(box.y + box.height / 2 - cy) / h < 0.02
    assert abs(match.scale / share - 1) < 0.10
    assert abs(box.width / w - share) / share < 0.10
    assert logo.THRESHOLD <= match.confidence <= 1


@pytest.mark.parametrize("case", NEGATIVES, ids=lambda c: f"{c[0]}-x{c[1]}")
def test_no_logo_no_match(case: tuple[str, float]) -> None:
    assert search_negative(case) is None


def test_accuracy_over_all_cases() -> None:
    """Right verdicts / cases, printed for the record (run with -s); every case must be right."""
    right = 0
    for case in POSITIVES:
        share = positive(case)[1][2]
        match = search_positive(case)
        right += match is not None and abs(match.scale / share - 1) < 0.10
    for neg in NEGATIVES:
        right += search_negative(neg) is None
    total = len(POSITIVES) + len(NEGATIVES)
    print(f"logo accuracy: {right}/{total}")
    assert right == total


def placed(share: float, cx: float, cy: float) -> np.ndarray:
    image, _ = paste(scene(*BASE, seed=3), share, cx, cy)
    return degrade(image, 1.0)


def rule_ids(result: CheckResult) -> list[str]:
    return sorted(v.rule_id for v in result.violations)


def test_well_placed_logo_passes() -> None:
    result = logo.check_logos(placed(0.15, 0.85, 0.88), kit(), load)
    assert result.violations == []
    assert set(result.rules_checked) == {"logo.missing", "logo.placement", "logo.size", "logo.clear-space"}
    assert result.metrics["logo.aurora.found"] == 1.0
    assert result.metrics["logo.aurora.confidence"] >= logo.THRESHOLD
    assert result.metrics["logo.aurora.scale"] == pytest.approx(0.15, rel=0.1)


def test_wrong_region() -> None:
    only_bottom_right = [{"logoId": "aurora", "file": LOGO_FILE, "placement": {"allowedRegions": ["bottom-right"]}}]
    result = logo.check_logos(placed(0.15, 0.15, 0.12), kit(only_bottom_right), load)
    assert rule_ids(result) == ["logo.placement"]
    v = result.violations[0]
    assert v.severity == "error"
    assert "top-left" in v.message
    assert "bottom-right" in (v.suggestion or "")
    assert v.location is not None


def test_centre_is_not_a_corner() -> None:
    result = logo.check_logos(placed(0.15, 0.5, 0.5), kit(), load)
    assert rule_ids(result) == ["logo.placement"]
    assert "center" in result.violations[0].message


def test_too_small() -> None:
    rules = [{"logoId": "aurora", "file": LOGO_FILE, "placement": {"minWidthShare": 0.1}}]
    result = logo.check_logos(placed(0.06, 0.9, 0.9), kit(rules), load)
    assert rule_ids(result) == ["logo.size"]
    assert "minimum" in result.violations[0].message


def test_too_big() -> None:
    result = logo.check_logos(placed(0.35, 0.75, 0.8), kit(), load)  # default max is 30 %
    assert rule_ids(result) == ["logo.size"]
    assert "maximum" in result.violations[0].message


def test_too_close_to_the_edge() -> None:
    # 0.5 % of the width from the right edge; the default clear space is 2 %.
    image, _ = paste(scene(*BASE, seed=3), 0.15, 1 - 0.005 - 0.075, 0.85)
    result = logo.check_logos(image, kit(), load)
    assert rule_ids(result) == ["logo.clear-space"]


def test_required_logo_missing_is_an_error() -> None:
    result = logo.check_logos(negative(("scene", 1.0)), kit(), load)
    assert rule_ids(result) == ["logo.missing"]
    assert result.violations[0].severity == "error"
    assert result.metrics["logo.aurora.found"] == 0.0
    assert result.rules_checked == ["logo.missing"]


def test_optional_logo_missing_is_only_a_suggestion() -> None:
    optional = [{"logoId": "aurora", "file": LOGO_FILE, "required": False}]
    result = logo.check_logos(negative(("gradient", 1.0)), kit(optional), load)
    assert [v.severity for v in result.violations] == ["suggestion"]


def test_no_logo_in_the_kit_is_not_checked() -> None:
    result = logo.check_logos(negative(("plain", 1.0)), kit([]), load)
    assert result.violations == []
    assert [(n.check, n.reason) for n in result.not_checked] == [("logo", "the brand kit defines no logo")]


@pytest.mark.parametrize(
    "loader",
    [
        pytest.param(lambda _: (_ for _ in ()).throw(FileNotFoundError("no such key")), id="raises"),
        pytest.param(lambda _: None, id="none"),
        pytest.param(lambda _: np.zeros((10, 10, 3), dtype=np.float64), id="wrong-dtype"),
    ],
)
def test_unloadable_logo_is_not_checked(loader: object) -> None:
    result = logo.check_logos(negative(("plain", 1.0)), kit(), loader)
    assert result.violations == []
    assert len(result.not_checked) == 1
    assert result.not_checked[0].check == "logo"
    assert "aurora" in result.not_checked[0].reason


def test_region_grid() -> None:
    from flashfusion.models import ImageBox

    assert logo.region_of(ImageBox(x=0, y=0, width=10, height=10), 300, 300) == "top-left"
    assert logo.region_of(ImageBox(x=140, y=140, width=20, height=20), 300, 300) == "center"
    assert logo.region_of(ImageBox(x=280, y=140, width=20, height=20), 300, 300) == "right"
    assert logo.region_of(ImageBox(x=250, y=250, width=50, height=50), 300, 300) == "bottom-right"
