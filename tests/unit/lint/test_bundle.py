"""The bundle linter: what only a post's parts together can get wrong (flashfusion.linting.bundle)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from flashfusion.brandkit import BrandKit
from flashfusion.linting.bundle import (
    BANNED,
    CAROUSEL_ASPECT,
    CONTRADICTION,
    DISCLOSURE,
    UNSUPPORTED,
    BundleContent,
    ImagePart,
    dates,
    lint_bundle,
    percentages,
    prices,
)

CAPTION = "Our spring trail shoes are here: 30% off until May 5, now $89.99. Find your next path."


@pytest.fixture
def kit(sample_kit: dict[str, Any]) -> BrandKit:
    return BrandKit.model_validate(sample_kit)


def image(text: str | None, width: int = 1080, height: int = 1080, part_id: str = "image") -> ImagePart:
    return ImagePart(part_id=part_id, width=width, height=height, text=text)


def rules(content: BundleContent, kit: BrandKit) -> dict[str, str]:
    return {v.rule_id: v.severity for v in lint_bundle(content, kit).violations}


def test_claims_are_read_as_written() -> None:
    assert prices("Now $89.99, was 1,299 EUR, or 19,99 €") == {Decimal("89.99"), Decimal(1299), Decimal("19.99")}
    assert prices("FREE for members") == {Decimal(0)}
    assert prices("free shipping on every order") == set()
    assert percentages("30% off, 12.5 percent back") == {Decimal(30), Decimal("12.5")}
    assert dates("until May 5th, or the 6th of June") == {(5, 5), (6, 6)}


def test_an_image_and_caption_that_agree_pass(kit: BrandKit) -> None:
    content = BundleContent(caption=CAPTION, images=[image("30% OFF\nUntil May 5")], channel="instagram")
    report = lint_bundle(content, kit)
    assert report.compliant, report.violations
    assert {CONTRADICTION, BANNED} <= set(report.rules_checked)


@pytest.mark.parametrize(
    ("on_image", "kind"),
    [("40% OFF", "percentage"), ("Now $79.99", "price"), ("Until May 12", "date"), ("FREE", "price")],
)
def test_a_claim_on_the_image_the_caption_contradicts_is_an_error(kit: BrandKit, on_image: str, kind: str) -> None:
    report = lint_bundle(BundleContent(caption=CAPTION, images=[image(on_image)], channel="instagram"), kit)
    (finding,) = [v for v in report.violations if v.rule_id == CONTRADICTION]
    assert finding.severity == "error"
    assert kind in finding.message
    assert not report.compliant


def test_a_claim_only_on_the_image_is_a_warning(kit: BrandKit) -> None:
    content = BundleContent(caption="Meet the spring trail shoes.", images=[image("50% OFF")], channel="instagram")
    assert rules(content, kit) == {UNSUPPORTED: "warning"}


def test_a_banned_term_on_the_image_only_is_found_and_named(kit: BrandKit) -> None:
    content = BundleContent(caption=CAPTION, images=[image("Guaranteed dry feet")], channel="instagram")
    report = lint_bundle(content, kit)
    (finding,) = [v for v in report.violations if v.rule_id == BANNED]
    assert "image" in finding.message
    assert "guaranteed" in finding.message
    assert not report.compliant


def test_a_sponsored_bundle_needs_its_disclosure_in_the_caption(kit: BrandKit) -> None:
    content = BundleContent(caption=CAPTION, images=[image("#ad")], channel="instagram", sponsored=True)
    report = lint_bundle(content, kit)
    (finding,) = [v for v in report.violations if v.rule_id == DISCLOSURE]
    assert "the image shows one" in finding.message
    disclosed = BundleContent(caption="#ad " + CAPTION, images=[image(None)], channel="instagram", sponsored=True)
    assert DISCLOSURE not in rules(disclosed, kit)
    unsponsored = BundleContent(caption=CAPTION, images=[image(None)], channel="instagram")
    assert DISCLOSURE not in lint_bundle(unsponsored, kit).rules_checked


def test_an_image_of_the_wrong_aspect_for_the_platform_is_an_error(kit: BrandKit) -> None:
    tall = BundleContent(caption=CAPTION, images=[image(None, 1080, 1920)], channel="instagram")  # 9:16 < 4:5
    assert rules(tall, kit) == {"bundle.fit.platform.instagram.image-aspect": "error"}
    square = BundleContent(caption=CAPTION, images=[image(None, 1080, 1080)], channel="instagram")
    assert lint_bundle(square, kit).compliant


def test_a_caption_too_long_for_the_platform_is_an_error(kit: BrandKit) -> None:
    long_caption = "Trail season is here. " * 15  # 330 characters: fine on Instagram, not on X
    on_x = BundleContent(caption=long_caption, images=[image(None, 1200, 675)], channel="x")
    assert rules(on_x, kit) == {"bundle.fit.platform.x.text-length": "error"}
    on_instagram = BundleContent(caption=long_caption, images=[image(None)], channel="instagram")
    assert lint_bundle(on_instagram, kit).compliant


def test_a_carousel_keeps_one_aspect_for_every_slide(kit: BrandKit) -> None:
    slides = [image(None, 1080, 1080, "image-1"), image(None, 1080, 1350, "image-2")]
    mixed = BundleContent(caption=CAPTION, images=slides, channel="instagram", carousel=True)
    (finding,) = [v for v in lint_bundle(mixed, kit).violations if v.rule_id == CAROUSEL_ASPECT]
    assert "image-2" in finding.message
    same = BundleContent(caption=CAPTION, images=[slides[0], slides[0]], channel="instagram", carousel=True)
    assert lint_bundle(same, kit).compliant


def test_an_unread_image_is_reported_not_checked_never_passed(kit: BrandKit) -> None:
    report = lint_bundle(BundleContent(caption=CAPTION, images=[image(None)], channel="instagram"), kit)
    assert [n.check for n in report.not_checked] == [CONTRADICTION]
