"""The provider interface every adapter implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from flashfusion.models import BrandKit, ContentType
from flashfusion.routing.matrix import ModelSpec


@dataclass(frozen=True)
class GenerationJob:
    request_id: str
    content_type: ContentType
    prompt: str
    prompt_hash: str
    model: ModelSpec
    brand_kit: BrandKit
    channel: str | None = None


@dataclass(frozen=True)
class GeneratedContent:
    data: bytes
    mime_type: str
    extension: str
    vendor_model: str
    offline: bool
    dataset_tag: str
    usage: dict[str, float] = field(default_factory=dict)
    cost_usd: float = 0.0
    parameters: dict[str, object] = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def generate(self, job: GenerationJob) -> GeneratedContent: ...
