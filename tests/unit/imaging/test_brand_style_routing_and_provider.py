"""brand_style requests: routed only to models whose matrix row offers the operation, and the built-in provider
refuses a source it cannot safely decode (ProviderRejected: no retry or fallback makes it readable)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from flashfusion.errors import NoModelAvailable, ProviderRejected
from flashfusion.models import BrandKit, ContentType, Tier
from flashfusion.providers.base import GenerationJob, StyleSource
from flashfusion.providers.local import LocalProvider
from flashfusion.routing.matrix import load_matrix_file
from flashfusion.routing.router import RouteQuery, candidates, route
from tests.photos import encoded, scene

ROOT = Path(__file__).resolve().parents[3]
KIT = BrandKit.model_validate(json.loads((ROOT / "events/brand-kit.sample.json").read_text("utf-8")))
MATRIX = load_matrix_file()
EVERY_PROVIDER = frozenset(m.provider for m in MATRIX.models)


def query(operation: str, tier: Tier = Tier.PREMIUM, providers: frozenset[str] = EVERY_PROVIDER) -> RouteQuery:
    return RouteQuery(ContentType.IMAGE, tier, providers, prompt_chars=40, operation=operation)


def test_only_models_offering_brand_style_are_candidates_and_the_rest_say_why() -> None:
    usable, passed = candidates(MATRIX, query("brand_style"))
    assert usable
    assert all("brand_style" in m.operations for m in usable)
    offering = {m.id for m in MATRIX.models if m.medium == ContentType.IMAGE and "brand_style" in m.operations}
    assert {m.id for m in usable} <= offering
    assert {"openai/dall-e-3", "openai/dall-e-2"} <= {
        p.model for p in passed if p.reason == "does not offer brand_style"
    }
    generating, _ = candidates(MATRIX, query("generate"))
    assert "openai/dall-e-3" in {m.id for m in generating}  # a plain generation still has every image model


def test_no_model_offering_the_operation_is_no_model_available() -> None:
    with pytest.raises(NoModelAvailable, match="does not offer brand_style"):
        route(MATRIX, query("brand_style", Tier.BASIC, frozenset({"openai"})))  # dall-e-2 only: it does not


def job(data: bytes, mime: str = "image/png") -> GenerationJob:
    spec = MATRIX.get("local/image-basic")
    return GenerationJob(
        request_id="r1",
        content_type=ContentType.IMAGE,
        prompt="in the brand look",
        prompt_hash="0" * 64,
        model=spec,
        brand_kit=KIT,
        style=StyleSource(data=data, mime_type=mime, place_logo=False),
    )


def test_the_local_provider_restyles_the_upload() -> None:
    content = LocalProvider().generate(job(encoded(scene(31), "PNG")))
    assert content.mime_type == "image/png"
    assert content.parameters["operation"] == "brand_style"
    assert content.parameters["colorShareAfter"] >= KIT.colors.min_compliant_share
    assert Image.open(io.BytesIO(content.data)).size == (320, 240)


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")  # 144 Mpx declared, a few kB on disk
    return out.getvalue()


@pytest.mark.parametrize(("data", "why"), [(b"<html>no</html>", "not an image"), (bomb(), "decompression bomb")])
def test_a_source_that_cannot_be_decoded_safely_is_rejected(data: bytes, why: str) -> None:
    with pytest.raises(ProviderRejected, match=why):
        LocalProvider().generate(job(data))
