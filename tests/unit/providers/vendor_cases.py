"""Builders shared by the Gemini, Runway, Replicate, ElevenLabs and generic-HTTP adapter tests."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

from flashfusion.errors import ProviderError
from flashfusion.models import BrandKit, ContentType, prompt_hash
from flashfusion.providers.base import GenerationJob, GenerationOptions, ProviderContext
from flashfusion.routing.matrix import ModelSpec, load_matrix_file
from tests.helpers import ROOT

MATRIX = load_matrix_file()
KIT = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
# Minimal but real file headers, so the adapters' format checks see what a vendor would send.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def wav(seconds: float = 0.01, rate: int = 8000) -> bytes:
    frames = b"\x00\x00" * int(seconds * rate)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(frames),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate * 2,
        2,
        16,
        b"data",
        len(frames),
    )
    return header + frames


@dataclass
class KeyStore:
    """ProviderContext.api_key: counts reads, and can fail like a missing secret."""

    key: str
    provider: str
    calls: list[str] = field(default_factory=list)
    fail: bool = False

    def __call__(self, provider: str) -> str:
        self.calls.append(provider)
        if self.fail:
            raise LookupError(f"secret flashfusion/{provider} not found")
        assert provider == self.provider
        return self.key


def context(keys: KeyStore) -> ProviderContext:
    return ProviderContext(api_key=keys, aws_client=lambda service: None)


def spec(model_id: str, **changes: Any) -> ModelSpec:
    return MATRIX.get(model_id).model_copy(update=changes)


def job(
    model: ModelSpec,
    prompt: str,
    *,
    channel: str | None = None,
    kit: BrandKit = KIT,
    **options: Any,
) -> GenerationJob:
    return GenerationJob(
        request_id="req-0001",
        content_type=ContentType(model.medium),
        prompt=prompt,
        prompt_hash=prompt_hash(prompt),
        model=model,
        brand_kit=kit,
        channel=channel,
        options=GenerationOptions(**options),
    )


def assert_clean(error: ProviderError, key: str, provider: str, model_id: str) -> None:
    """Every typed error names the provider and model, and never carries the key."""
    assert key not in str(error)
    assert key not in repr(error.args)
    assert error.provider == provider
    assert error.model == model_id
