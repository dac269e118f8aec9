"""Brand style transfer (flashfusion.imaging.brand_style): the photo moves toward the kit's palette by the kit's
own colour check, keeps its structure (SSIM), spares skin, and gets the kit's logo where the kit allows it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import structural_similarity

from flashfusion.imaging.brand_style import (
    StyleInputError,
    StyleOptions,
    brand_style,
    compliant_share,
    logo_box,
    recolour,
    skin_weight,
)
from flashfusion.linting.colors import ciede2000, srgb_to_lab
from flashfusion.linting.logo import check_logos, find_logo, region_of
from flashfusion.models import BrandKit, ImageBox
from tests.photos import scene

ROOT = Path(__file__).resolve().parents[3]
KIT = BrandKit.model_validate(json.loads((ROOT / "events/brand-kit.sample.json").read_text("utf-8")))
LOGO = Image.open(ROOT / "events/brand/aurora-logo.png").convert("RGBA")


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(a.mean(axis=2), b.mean(axis=2), data_range=255.0))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_off_brand_scene_passes_the_kits_colour_check_after_and_stays_the_same_picture(seed: int) -> None:
    source = scene(seed)
    before = compliant_share(source, KIT)
    assert before < KIT.colors.min_compliant_share  # the check fails before: the case under test
    result, strength, _ = recolour(source, KIT)
    after = compliant_share(result, KIT)
    assert after >= KIT.colors.min_compliant_share > before
    assert 0 < strength <= 1
    assert ssim(source, result) > 0.6


def test_an_image_already_on_brand_changes_little() -> None:
    teal, glacier = (15, 110, 110), (232, 241, 242)
    source = np.zeros((120, 160, 3), dtype=np.uint8)
    source[:, :80], source[:, 80:] = teal, glacier
    source = np.clip(source + np.random.default_rng(0).normal(0, 2, source.shape), 0, 255).astype(np.uint8)
    result, strength, _ = recolour(source, KIT)
    assert strength == pytest.approx(0.4)  # the least step already passes
    change = ciede2000(srgb_to_lab(source).reshape(-1, 3), srgb_to_lab(result).reshape(-1, 3))
    assert float(np.median(change)) < 3.0


def test_skin_is_spared_while_the_rest_moves() -> None:
    source = scene(4)
    skin_rgb = (224, 172, 140)  # a light skin tone
    source[60:120, 120:190] = skin_rgb
    assert skin_weight(srgb_to_lab(np.array(skin_rgb, dtype=np.float64)))[()] > 0.9
    result, _, _ = recolour(source, KIT, strength=1.0)
    lab_src, lab_out = srgb_to_lab(source), srgb_to_lab(result)
    face = ciede2000(lab_src[70:110, 130:180].reshape(-1, 3), lab_out[70:110, 130:180].reshape(-1, 3))
    rest = ciede2000(lab_src[:40].reshape(-1, 3), lab_out[:40].reshape(-1, 3))
    assert float(np.median(face)) < 2.0 < float(np.median(rest))


def test_a_fixed_strength_is_used_as_given_and_a_weaker_one_changes_less() -> None:
    source = scene(5)
    weak, used, _ = recolour(source, KIT, strength=0.3)
    strong, _, _ = recolour(source, KIT, strength=1.0)
    assert used == 0.3
    lab = srgb_to_lab(source).reshape(-1, 3)
    weak_change = ciede2000(lab, srgb_to_lab(weak).reshape(-1, 3)).mean()
    strong_change = ciede2000(lab, srgb_to_lab(strong).reshape(-1, 3)).mean()
    assert weak_change < strong_change


def test_the_logo_lands_in_an_allowed_region_with_its_clear_space_and_the_linter_agrees() -> None:
    source = scene(6, 480, 640)
    outcome = brand_style(source, KIT, StyleOptions(), load_logo=lambda _: LOGO)
    assert "logo" in outcome.placed
    box = ImageBox(**outcome.notes["logoBox"])
    assert region_of(box, 640, 480) in KIT.logos[0].placement.allowed_regions
    pixels = np.asarray(outcome.image)
    found = find_logo(pixels, np.asarray(LOGO))
    assert found is not None
    report = check_logos(pixels, KIT, lambda _: np.asarray(LOGO))
    assert [v.rule_id for v in report.violations if v.severity == "error"] == []


def test_logo_box_honours_clear_space_for_every_region() -> None:
    placement = KIT.logos[0].placement.model_copy(
        update={"allowed_regions": ["top-left", "top", "center", "right", "bottom-right"], "clear_space_share": 0.05}
    )
    for region in placement.allowed_regions:
        box = logo_box(region, placement, LOGO.size, (1000, 600))
        assert box is not None
        x, y, w, h = box
        assert min(x, y, 1000 - x - w, 600 - y - h) >= 50
        assert region_of(ImageBox(x=x, y=y, width=w, height=h), 1000, 600) == region


def test_a_headline_is_set_and_the_font_fallback_is_said() -> None:
    source = scene(7)
    plain = brand_style(source, KIT, StyleOptions(place_logo=False))
    titled = brand_style(source, KIT, StyleOptions(place_logo=False, headline="Into the wild"))
    assert titled.placed == ["headline"]
    assert "fallback" in titled.notes["headlineFont"]  # the sample kit's fonts name no file
    assert not np.array_equal(np.asarray(plain.image), np.asarray(titled.image))


def test_an_unreadable_logo_is_reported_not_fatal() -> None:
    def broken(_: str) -> Image.Image:
        raise FileNotFoundError("gone")

    outcome = brand_style(scene(8), KIT, StyleOptions(), load_logo=broken)
    assert outcome.placed == []
    assert "could not be loaded" in outcome.notes["logo"]


@pytest.mark.parametrize(
    ("image", "strength", "problem"),
    [
        (np.zeros((10, 10), dtype=np.uint8), None, "expected"),
        (np.zeros((10, 10, 3), dtype=np.float64), None, "expected"),
        (np.zeros((0, 10, 3), dtype=np.uint8), None, "expected"),
        (np.zeros((10, 10, 3), dtype=np.uint8), 1.5, "strength"),
        (np.zeros((10, 10, 3), dtype=np.uint8), 0.0, "strength"),
    ],
)
def test_bad_input_is_refused(image: np.ndarray, strength: float | None, problem: str) -> None:
    with pytest.raises(StyleInputError, match=problem):
        recolour(image, KIT, strength)


def test_a_kit_without_a_palette_has_no_look_to_transfer() -> None:
    with pytest.raises(StyleInputError, match="palette"):
        recolour(scene(9), KIT.model_copy(update={"palette": []}))


def test_a_black_and_white_photo_takes_brand_colours_past_the_neutral_allowance() -> None:
    grey = scene(10).mean(axis=2).astype(np.uint8)
    source = np.repeat(grey[..., None], 3, axis=2)
    before = compliant_share(source, KIT)
    assert before < KIT.colors.min_compliant_share  # all neutral: counted only up to maxNeutralShare
    result, _, _ = recolour(source, KIT)
    assert compliant_share(result, KIT) >= KIT.colors.min_compliant_share
    assert ssim(source, result) > 0.6
