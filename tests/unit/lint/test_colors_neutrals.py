"""Neutrals in colors.palette: a soft weight instead of a hard chroma cut, a kit-level cap, stable re-encodes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pydantic import ValidationError

from flashfusion.brandkit import ColorRules
from flashfusion.linting.colors import check_colors, neutrality, srgb_to_lab
from flashfusion.models import BrandKit

BLUE, ORANGE, NAVY, GREEN = "#1E88E5", "#FB8C00", "#0D2B4E", "#43A047"
SIZE = 256


def kit(*colours: str, **rules: Any) -> BrandKit:
    palette = colours or (BLUE, ORANGE, NAVY)
    return BrandKit.model_validate(
        {
            "kitId": "k",
            "name": "K",
            "palette": [{"name": f"C{i}", "hex": h} for i, h in enumerate(palette)],
            "colors": rules,
        }
    )


def rgb(hex_: str) -> tuple[int, int, int]:
    return int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16)


def chroma(hex_: str) -> float:
    lab = srgb_to_lab(rgb(hex_))
    return float(np.hypot(lab[1], lab[2]))


def encoded(img: np.ndarray, fmt: str, **options: Any) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(img).save(buffer, format=fmt, **options)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def tinted_scene(tint: str, tint_share: float, seed: int = 0) -> np.ndarray:
    """Brand blue, a band of a pale tint, and 10% off-brand green, with a gentle gradient and sensor noise."""
    rng = np.random.default_rng(seed)
    img = np.zeros((SIZE, SIZE, 3))
    img[:] = rgb(BLUE)
    a, b = round(SIZE * (0.9 - tint_share)), round(SIZE * 0.9)
    img[:, a:b] = rgb(tint)
    img[:, b:] = rgb(GREEN)
    img += (np.linspace(-3.0, 3.0, SIZE))[None, :, None]
    return np.clip(img + rng.normal(0.0, 1.5, img.shape), 0, 255).astype(np.uint8)


def night_photo(seed: int = 7) -> np.ndarray:
    """A mostly near-black photograph: a dark, slightly blue scene (L* ~3-12) with a small orange light."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    img = np.stack([8 + 14 * x, 9 + 12 * y, 14 + 16 * (1 - x) * y], axis=2) + rng.normal(0.0, 2.5, (SIZE, SIZE, 3))
    img[round(SIZE * 0.55) : round(SIZE * 0.62), round(SIZE * 0.2) : round(SIZE * 0.32)] = rgb(ORANGE)
    return np.clip(img, 0, 255).astype(np.uint8)


# Pale tints whose chroma sits near the old hard cut (8): a light lavender like the one a JPEG re-encode
# flipped, a greyer lavender that JPEG moves by ~1.6 units of chroma, a cream, a mint, a cool grey, a stone.
TINTS = {"#EEEBFB": 8.3, "#D9D2E1": 8.3, "#EFE8DA": 7.6, "#DDEBE2": 6.9, "#E6E9F2": 4.8, "#C9C2B4": 7.9}

SCENES: dict[str, Callable[[], np.ndarray]] = {
    **{f"{tint} {share:.0%}": (lambda t=tint, s=share: tinted_scene(t, s)) for tint in TINTS for share in (0.2, 0.35)},
    "night photo": night_photo,
}

REENCODES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "jpeg50": lambda i: encoded(i, "JPEG", quality=50),
    "jpeg70": lambda i: encoded(i, "JPEG", quality=70),
    "jpeg85": lambda i: encoded(i, "JPEG", quality=85),
    "jpeg95": lambda i: encoded(i, "JPEG", quality=95),
    "png>webp80": lambda i: encoded(i, "WEBP", quality=80),
    "png>webp lossless": lambda i: encoded(i, "WEBP", lossless=True),
    "webp80>png": lambda i: encoded(encoded(i, "WEBP", quality=80), "PNG"),
    "jpeg85>webp75": lambda i: encoded(encoded(i, "JPEG", quality=85), "WEBP", quality=75),
}

# |score change| allowed under a re-encode, and how far from a kit's threshold a verdict must then hold.
MAX_SCORE_CHANGE = 0.05
CLEAR_MARGIN = 0.06


def share(img: np.ndarray, k: BrandKit) -> float:
    return check_colors(img, k).metrics["colors.compliantShare"]


# --- the weight ----------------------------------------------------------------------------------


def test_tints_are_where_the_old_hard_cut_was():
    for tint, expected in TINTS.items():
        assert chroma(tint) == pytest.approx(expected, abs=0.06)


def test_neutrality_is_a_bounded_ramp_in_chroma():
    rules = ColorRules()
    c = np.linspace(0.0, 20.0, 2001)
    lab = np.stack([np.full_like(c, 50.0), c, np.zeros_like(c)], axis=1)  # chroma = a*, at mid lightness
    w = neutrality(lab, rules)
    assert np.all(w[c <= 4.0] == 1.0)
    assert np.all(w[c >= 12.0] == 0.0)
    assert w[c == 8.0] == pytest.approx(0.5)
    assert np.all(np.diff(w) <= 0)  # never more neutral with more chroma
    assert np.max(np.abs(np.diff(w) / np.diff(c))) <= 1 / 8 + 1e-9  # no jump anywhere


def test_near_black_and_near_white_ramp_by_lightness_whatever_the_chroma():
    rules = ColorRules()
    lightness = np.array([2.0, 3.0, 5.5, 8.0, 50.0, 95.0, 97.0, 99.0, 100.0])
    lab = np.stack([lightness, np.full_like(lightness, 30.0), np.zeros_like(lightness)], axis=1)
    np.testing.assert_allclose(neutrality(lab, rules), [1.0, 1.0, 0.5, 0.0, 0.0, 0.0, 0.5, 1.0, 1.0])


def test_no_neutrals_when_the_kit_refuses_them():
    lab = np.array([[50.0, 0.0, 0.0], [2.0, 0.0, 0.0], [100.0, 0.0, 0.0]])
    assert neutrality(lab, ColorRules(neutrals_allowed=False)).tolist() == [0.0, 0.0, 0.0]


def test_the_chroma_band_is_the_kits():
    lavender = srgb_to_lab(rgb("#EEEBFB"))
    assert float(neutrality(lavender, ColorRules(neutral_chroma=(1.0, 2.0)))) == 0.0
    assert float(neutrality(lavender, ColorRules(neutral_chroma=(9.0, 20.0)))) == 1.0
    assert 0.0 < float(neutrality(lavender, ColorRules())) < 1.0


@pytest.mark.parametrize("band", [[12, 4], [5, 5], [-1, 3], [10, 60]])
def test_a_chroma_band_out_of_order_is_refused(band):
    with pytest.raises(ValidationError, match="neutralChroma"):
        kit(neutralChroma=band)


# --- the cap -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "palette", [(BLUE, ORANGE, NAVY), ("#2E7D32", "#A5D6A7"), ("#C62828",), ("#0F6E6E", "#F28C28", "#E8F1F2")]
)
def test_a_mostly_near_black_photo_no_longer_passes_every_colour_kit(palette):
    result = check_colors(night_photo(), kit(*palette))
    metrics = result.metrics
    assert metrics["colors.neutralShare"] > 0.9
    assert metrics["colors.compliantShare"] == pytest.approx(metrics["colors.brandShare"] + 0.5, abs=1e-3)
    [error] = [v for v in result.violations if v.severity == "error"]
    assert "cover" in error.message
    assert "count for at most 50%" in error.message
    assert error.suggestion is not None
    assert error.suggestion.startswith("give brand colours more of the image")


def test_the_cap_is_the_kits_and_lifting_it_counts_every_neutral():
    photo = night_photo()
    lifted = check_colors(photo, kit(maxNeutralShare=1.0))
    assert lifted.metrics["colors.compliantShare"] > 0.95
    assert not [v for v in lifted.violations if v.severity == "error"]
    tight = check_colors(photo, kit(maxNeutralShare=0.2)).metrics
    assert tight["colors.compliantShare"] == pytest.approx(tight["colors.brandShare"] + 0.2, abs=1e-3)


def test_neutrals_under_the_cap_count_in_full():
    # brand blue on a white background, half and half: white counts, the cap is not reached
    img = np.zeros((SIZE, SIZE, 3), np.uint8)
    img[:] = rgb(BLUE)
    img[:, SIZE // 2 :] = 255
    result = check_colors(img, kit())
    assert result.metrics["colors.compliantShare"] == 1.0
    assert result.violations == []


# --- stability under re-encoding -----------------------------------------------------------------


@pytest.fixture(scope="module")
def scores() -> dict[tuple[str, str], float]:
    k = kit()
    out = {}
    for name, make in SCENES.items():
        img = make()
        out[name, "original"] = share(img, k)
        for variant, reencode in REENCODES.items():
            out[name, variant] = share(reencode(img), k)
    return out


@pytest.mark.parametrize("scene", list(SCENES))
def test_a_reencode_moves_the_score_little(scores, scene):
    original = scores[scene, "original"]
    moved = {v: round(scores[scene, v] - original, 4) for v in REENCODES}
    assert max(abs(d) for d in moved.values()) <= MAX_SCORE_CHANGE, moved


@pytest.mark.parametrize("threshold", [0.6, 0.7, 0.8, 0.9])
def test_verdicts_away_from_the_threshold_do_not_flip(scores, threshold):
    clear = [s for s in SCENES if abs(scores[s, "original"] - threshold) >= CLEAR_MARGIN]
    assert clear  # the scenes span the thresholds
    flipped = [
        (s, v, scores[s, "original"], scores[s, v])
        for s in clear
        for v in REENCODES
        if (scores[s, v] >= threshold) != (scores[s, "original"] >= threshold)
    ]
    assert flipped == []


def test_tints_in_the_band_count_partly(scores):
    # the lavender at chroma 8.3 is about half neutral, neither all on-brand nor all off-brand
    k = kit()
    result = check_colors(tinted_scene("#EEEBFB", 0.35), k).metrics
    lavender_share = 0.35
    counted = result["colors.compliantShare"] - result["colors.brandShare"]
    assert 0.3 * lavender_share < counted < 0.7 * lavender_share
