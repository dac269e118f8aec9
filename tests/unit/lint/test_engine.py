"""The lint engine picks each medium's checks and merges them; auto-fixes apply cleanly."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest
from PIL import Image

from flashfusion.linting.autofix import apply_fixes
from flashfusion.linting.engine import LintContext, lint_asset, medium_of
from flashfusion.models import BrandKit, ContentType, Fix, TextSpan, Violation
from tests.helpers import ROOT

KIT = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text()))
LOGO = np.asarray(Image.open(ROOT / "events" / "brand" / "aurora-logo.png").convert("RGBA"))


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def brand_scene(width: int = 800, height: int = 800, with_logo: bool = True) -> np.ndarray:
    image = Image.new("RGB", (width, height), "#E8F1F2")
    image.paste(Image.new("RGB", (width, height // 3), "#0F6E6E"), (0, 0))
    if with_logo:
        logo = Image.fromarray(LOGO).resize((int(width * 0.2), int(width * 0.2 * LOGO.shape[0] / LOGO.shape[1])))
        image.paste(logo, (width - logo.width - 40, height - logo.height - 40), logo)
    return np.asarray(image)


@pytest.mark.parametrize(
    ("mime", "medium"),
    [("text/plain; charset=utf-8", ContentType.TEXT), ("image/png", ContentType.IMAGE),
     ("video/mp4", ContentType.VIDEO), ("audio/wav", ContentType.MUSIC)],
)  # fmt: skip
def test_medium_of_a_mime_type(mime: str, medium: ContentType) -> None:
    assert medium_of(mime) == medium


def test_an_unknown_mime_type_is_refused() -> None:
    with pytest.raises(ValueError, match="application/pdf"):
        medium_of("application/pdf")


def test_text_runs_legal_voice_required_and_platform_checks() -> None:
    text = "Our cheap tents are guaranteed to please customers!!"
    report = lint_asset(text.encode(), "text/plain", LintContext(kit=KIT, channel="instagram", sponsored=True))

    rules = {v.rule_id for v in report.violations}
    assert {"legal.banned-term", "legal.sponsored-disclosure", "voice.required-term", "voice.preferred-term"} <= rules
    assert not report.compliant
    assert report.auto_fixable  # the disclosure and the preferred terms carry fixes
    assert any(r.startswith("platform.instagram") for r in report.rules_checked)
    banned = next(v for v in report.violations if v.rule_id == "legal.banned-term")
    assert banned.location is not None
    assert text[banned.location.start : banned.location.end] == "guaranteed"


def test_fixes_remove_what_they_fix_and_the_rest_stays() -> None:
    text = "Aurora Outdoor tents are cheap and loved by customers."
    ctx = LintContext(kit=KIT, channel="instagram", sponsored=True)
    before = lint_asset(text.encode(), "text/plain", ctx)
    fixed = apply_fixes(text, before.violations)
    after = lint_asset(fixed.text.encode(), "text/plain", ctx)

    assert {"legal.sponsored-disclosure", "voice.preferred-term"} <= set(fixed.applied)
    assert fixed.text.startswith("#ad ")
    assert "affordable" in fixed.text
    assert "explorers" in fixed.text
    assert not {"legal.sponsored-disclosure", "voice.preferred-term"} & {v.rule_id for v in after.violations}
    assert after.compliant


def test_overlapping_fixes_apply_the_first_and_leave_the_other() -> None:
    text = "abcdef"
    first = Violation(
        rule_id="a",
        severity="error",
        message="m",
        fix=Fix(kind="replace", span=TextSpan(start=0, end=3, text="abc"), text="X"),
    )
    overlapping = Violation(
        rule_id="b",
        severity="error",
        message="m",
        fix=Fix(kind="replace", span=TextSpan(start=2, end=4, text="cd"), text="Y"),
    )
    stale = Violation(
        rule_id="c",
        severity="error",
        message="m",
        fix=Fix(kind="replace", span=TextSpan(start=4, end=6, text="zz"), text="Q"),
    )
    outcome = apply_fixes(text, [overlapping, stale, first])  # fmt: skip

    assert outcome.text == "Xdef"
    assert outcome.applied == ["a"]
    assert outcome.skipped == ["b"]  # the stale one no longer matches the text: not even tried


def test_an_on_brand_image_with_its_logo_passes_colour_and_logo_checks() -> None:
    report = lint_asset(png(brand_scene()), "image/png", LintContext(kit=KIT, load_logo=lambda _: LOGO))

    assert {"colors.palette", "logo.missing"} <= set(report.rules_checked)
    assert report.metrics["colors.compliantShare"] >= KIT.colors.min_compliant_share
    assert report.metrics["logo.aurora-mark.found"] == 1
    assert not [v for v in report.violations if v.rule_id.startswith(("colors", "logo"))]
    assert any(n.check == "legal.moderation" for n in report.not_checked)


def test_an_off_brand_image_fails_on_colour() -> None:
    pixels = np.zeros((600, 600, 3), dtype=np.uint8)
    pixels[:, :] = (200, 30, 160)  # magenta, nowhere in the palette
    report = lint_asset(png(pixels), "image/png", LintContext(kit=KIT, load_logo=lambda _: LOGO))

    assert not report.compliant
    colour = next(v for v in report.violations if v.rule_id == "colors.palette")
    assert "#c81ea0" in colour.message.lower()


class CountingOcr:
    def __init__(self) -> None:
        self.calls = 0

    def words(self, image: Any) -> list[Any]:
        self.calls += 1
        return []


def test_an_image_is_read_by_ocr_only_when_a_kit_rule_needs_its_text() -> None:
    colours_only = KIT.model_copy(update={"voice": type(KIT.voice)(), "legal": type(KIT.legal)(), "fonts": []})
    engine = CountingOcr()
    report = lint_asset(png(brand_scene(with_logo=False)), "image/png", LintContext(kit=colours_only, ocr=engine))
    assert engine.calls == 0
    assert "colors.palette" in report.rules_checked
    assert not any(n.check in ("image.text", "fonts.brand") for n in report.not_checked)

    banned = colours_only.model_copy(update={"legal": type(KIT.legal)(banned_terms=["miracle"])})
    report = lint_asset(png(brand_scene(with_logo=False)), "image/png", LintContext(kit=banned, ocr=engine))
    assert engine.calls == 1
    assert "legal.banned-term" in report.rules_checked


def test_logos_that_cannot_be_read_are_reported_not_checked() -> None:
    report = lint_asset(png(brand_scene(with_logo=False)), "image/png", LintContext(kit=KIT))
    assert any(n.check == "logo" for n in report.not_checked)
    assert "logo.missing" not in {v.rule_id for v in report.violations}


def test_audio_goes_through_loudness(tmp_path: Any) -> None:
    import wave

    rate = 48_000
    tone = (0.05 * np.sin(2 * np.pi * 440 * np.arange(rate * 3) / rate) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(tone.tobytes())
    report = lint_asset(buffer.getvalue(), "audio/wav", LintContext(kit=KIT))

    assert "audio.loudness" in {v.rule_id for v in report.violations}  # far quieter than -14 LUFS
    assert report.metrics["audio.durationSeconds"] == pytest.approx(3.0)
