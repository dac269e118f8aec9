"""Media decoded within a memory bound: bombs refused before decoding, big images reduced, object reprs never
shown. Every input is generated in memory and stays small (a bomb is half a megabyte of compressed zeros)."""

from __future__ import annotations

import io
import struct
import zlib

import av
import numpy as np
import pytest
from PIL import Image

from flashfusion.errors import UnsupportedMedia
from flashfusion.linting import engine, media
from flashfusion.linting.engine import LintContext, lint_asset
from flashfusion.linting.media import decode_image, describe_error
from flashfusion.models import BrandKit
from tests.helpers import ROOT

KIT = BrandKit.model_validate_json((ROOT / "events" / "brand-kit.sample.json").read_text())
REPR = "object at 0x"


def png_declaring(width: int, height: int, bit_depth: int = 1, colour_type: int = 0) -> bytes:
    """A valid PNG of ``width`` x ``height`` zero pixels, written row block by row block (never in memory)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    channels = {0: 1, 2: 3}[colour_type]
    row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)
    compressor = zlib.compressobj(1)
    block = row * 64
    parts = [compressor.compress(block) for _ in range(height // 64)]
    parts += [compressor.compress(row * (height % 64)), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def context() -> LintContext:
    return LintContext(kit=KIT)


def test_a_png_bomb_is_unsupported_media_not_a_pillow_error() -> None:
    bomb = png_declaring(30000, 30000)  # 900 Mpx declared: 112 MB of 1-bit zeros in 0.5 MB
    assert len(bomb) < 1_000_000
    with pytest.raises(UnsupportedMedia, match="decompression bomb"):
        lint_asset(bomb, "image/png", context())


def test_an_image_over_the_declared_limit_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media, "MAX_DECLARED_PIXELS", 1_000_000)
    declared = png_declaring(2000, 1000, 8, 2)  # 2 Mpx: under Pillow's own limit, over ours
    with pytest.raises(UnsupportedMedia, match="2000x1000 pixels"):
        lint_asset(declared, "image/png", context())


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_big_image_is_decoded_within_the_pixel_budget(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setattr(media, "LINT_PIXEL_BUDGET", 100 * 100)
    data = encoded(Image.new("RGB", (800, 600), (200, 30, 160)), fmt)
    decoded = decode_image(data)
    assert decoded.pixels.shape[0] * decoded.pixels.shape[1] <= 100 * 100
    assert decoded.pixels.shape[2] == 3
    assert (decoded.width, decoded.height) == (800, 600)
    assert decoded.scale > 1
    report = lint_asset(data, f"image/{fmt.lower()}", context())
    assert report.metrics["image.decodeScale"] == pytest.approx(decoded.scale, rel=1e-3)
    assert "colors.palette" in [v.rule_id for v in report.violations]


def test_an_image_within_the_budget_is_decoded_as_it_is() -> None:
    data = encoded(Image.new("P", (64, 48)), "PNG")
    decoded = decode_image(data)
    assert decoded.pixels.shape == (48, 64, 3)
    assert decoded.scale == 1.0
    assert decode_image(data, mode="RGBA").pixels.shape == (48, 64, 4)


def test_a_file_that_is_no_image_is_unsupported_media_without_an_object_repr() -> None:
    with pytest.raises(UnsupportedMedia) as raised:
        lint_asset(b"not an image at all", "image/png", context())
    assert REPR not in str(raised.value)


def test_object_reprs_are_stripped_from_library_messages() -> None:
    error = OSError("cannot identify image file <_io.BytesIO object at 0x7ff8ec769120>")
    assert describe_error(error) == "cannot identify image file"
    assert describe_error(ValueError("bad input: '<_io.BytesIO object at 0x1a2b>'")) == "bad input:"


def test_text_that_is_not_utf8_is_unsupported_media() -> None:
    with pytest.raises(UnsupportedMedia, match="not UTF-8"):
        lint_asset(b"caf\xe9", "text/plain", context())


def test_the_workflow_records_unsupported_media_as_an_error_for_a_person() -> None:
    report = engine.unsupported_report(UnsupportedMedia("cannot identify image file <_io.BytesIO object at 0x7f00>"))
    assert not report.compliant
    assert not report.auto_fixable
    assert [v.rule_id for v in report.violations] == [engine.MEDIA_RULE]
    assert REPR not in report.violations[0].message


def test_a_video_frame_over_the_budget_is_scaled_while_converting(monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.linting.video import to_rgb

    monkeypatch.setattr(media, "LINT_PIXEL_BUDGET", 320 * 240)
    frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 90, dtype=np.uint8), format="rgb24").reformat(
        format="yuv420p"
    )
    pixels = to_rgb(frame)
    assert pixels.shape == (240, 320, 3)


def test_a_video_declaring_huge_frames_is_unsupported_media(monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.linting.video import check_video
    from tests.unit.lint.test_video import make_video

    monkeypatch.setattr(media, "MAX_DECLARED_PIXELS", 100)
    with pytest.raises(UnsupportedMedia, match="video frame"):
        check_video(make_video(1), KIT)


def test_audio_past_the_decode_limit_is_measured_on_its_start_and_keeps_its_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flashfusion.linting import audio
    from tests.unit.lint.test_audio import sine, wav_bytes

    monkeypatch.setattr(audio, "MAX_DECODED_SAMPLES", 2 * 8000)  # 1 s of stereo at 8 kHz
    result = audio.check_audio(wav_bytes(sine(-20.0, 3.0, 8000), 8000), "audio/wav", KIT)
    assert audio.LENGTH_CHECK in [n.check for n in result.not_checked]
    assert result.metrics["audio.durationSeconds"] == pytest.approx(3.0)


def test_the_lint_step_turns_a_bomb_into_a_report_not_an_exception_the_asl_does_not_know() -> None:
    from types import SimpleNamespace
    from typing import Any

    from flashfusion.app import steps
    from flashfusion.models import Generation

    recorded: list[Any] = []
    request = SimpleNamespace(org_id="org", request_id="req", channel=None, sponsored=False)
    state: Any = SimpleNamespace(
        request=request,
        validated=SimpleNamespace(brand_kit_id="kit", brand_kit_version=1),
        generation=Generation.model_construct(
            asset_id="a", version=1, autofix_rounds=0, staging_key="staged/bomb.png", mime_type="image/png"
        ),
        locale=None,
        part=None,  # not a bundle's part
    )
    deps: Any = SimpleNamespace(
        requests=SimpleNamespace(
            set_status=lambda *args: None,
            set_lint=lambda org, request_id, report: recorded.append(report),
            record_first_lint=lambda *args: False,  # already recorded: no first-lint metric to emit
        ),
        kits=SimpleNamespace(get=lambda *args: SimpleNamespace(for_locale=lambda locale: KIT)),
        assets=SimpleNamespace(
            read_staged=lambda org, key: png_declaring(30000, 30000),
            read_brand_file=None,
            stage=lambda org, request_id, name, data, mime: f"staging/org/req/{name}",
        ),
        moderation=None,
        ocr=None,
    )
    report = steps.lint(state, deps)
    assert not report.compliant
    assert not report.auto_fixable  # IsCompliant sends it to RequestReview
    assert [v.rule_id for v in report.violations] == [engine.MEDIA_RULE]
    assert "decompression bomb" in report.violations[0].message
    assert recorded == [report]
    assert report.report_key == "staging/org/req/a.v1.r0.lint.json"
