"""The provider interface every adapter implements.

A synchronous provider answers in one call (`generate`). An asynchronous one (video, music, any
vendor with a job API) is `submit` then `poll`: the state machine waits between polls, so no Lambda
ever sleeps on a vendor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from flashfusion.models import BrandKit, ContentType, SourceImage
from flashfusion.routing.matrix import ModelSpec


@dataclass(frozen=True)
class GenerationOptions:
    """What the request asks of the output, beyond the prompt; None lets the model decide."""

    size: str | None = None  # images: "1024x1024"
    quality: str | None = None  # images: "standard" | "hd" | "low" | "medium" | "high"
    duration_seconds: float | None = None  # video and music
    aspect_ratio: str | None = None  # video: "16:9" | "9:16" | "1:1"
    max_output_tokens: int | None = None  # text


@dataclass(frozen=True)
class StyleSource:
    """``operation: brand_style``: the organisation's photo to restyle, and how."""

    data: bytes
    mime_type: str
    headline: str | None = None
    strength: float | None = None
    """None: the least that passes the kit's colour check (offline); vendors use their own default."""
    place_logo: bool = True
    load_brand_file: Callable[[str], bytes] | None = None
    """A kit file (logo, font) by its key, read from the organisation's brand folder only."""
    source: SourceImage | None = None
    """The upload as provenance records it (its key and hash)."""


@dataclass(frozen=True)
class GenerationJob:
    request_id: str
    content_type: ContentType
    prompt: str
    prompt_hash: str
    model: ModelSpec
    brand_kit: BrandKit
    channel: str | None = None
    options: GenerationOptions = field(default_factory=GenerationOptions)
    org_id: str = ""
    """The requesting organisation: vendors that write to S3 (Bedrock async) write under its prefix."""
    brief: str | None = None
    """The request's own prompt, without reviewer feedback (``prompt`` has both): offline generators
    draw their subject and headline from it."""
    feedback: tuple[str, ...] = ()
    """Reviewer feedback of earlier rounds, oldest first (already in ``prompt`` for vendor models)."""
    task: Literal["generate", "translate"] = "generate"
    """translate: ``prompt`` holds the translation instruction and ``source_text`` the copy to translate."""
    target_locale: str | None = None
    source_text: str | None = None
    overlay_text: str | None = None
    """Image and video: the headline to draw instead of the one taken from the prompt (translations)."""
    style: StyleSource | None = None
    """Set for ``operation: brand_style``: restyle this photo instead of generating from the prompt."""


@dataclass(frozen=True)
class GeneratedContent:
    """A finished output: its bytes (or, for vendors that write to S3, where they wrote it)."""

    data: bytes
    mime_type: str
    extension: str
    vendor_model: str
    offline: bool
    dataset_tag: str
    usage: dict[str, float] = field(default_factory=dict)
    """Vendor-reported usage in the medium's units: inputTokens/outputTokens, images, videoSeconds,
    audioSeconds. Priced by flashfusion.routing.pricing against the matrix."""
    cost_usd: float | None = None
    """Set only when the vendor reports a price itself; otherwise computed from usage."""
    parameters: dict[str, Any] = field(default_factory=dict)
    source_uri: str | None = None
    """s3://bucket/key when the vendor wrote the output to S3 (Bedrock async invoke); data is empty."""


@dataclass(frozen=True)
class PendingJob:
    """A vendor job in flight: what `poll` needs to find it again (it travels in the state document)."""

    vendor_job_id: str
    poll_after_seconds: int = 10
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PollResult:
    status: Literal["running", "succeeded"]
    content: GeneratedContent | None = None
    progress: float | None = None
    poll_after_seconds: int = 10
    state: dict[str, Any] | None = None
    """The job state the next poll needs, when it changed (it travels in the state document).

    A failed job raises the typed ProviderError instead of returning."""


@dataclass(frozen=True)
class ProviderContext:
    """What an adapter may use, injected so tests can replace each part."""

    api_key: Callable[[str], str]
    """provider name -> API key (Secrets Manager in AWS; never logged)."""
    aws_client: Callable[[str], Any]
    """service name -> boto3 client (Bedrock runtime, S3)."""
    region: str = "us-east-1"
    assets_bucket: str = ""
    staging_prefix: str = "staging"


class Provider(Protocol):
    name: str

    def generate(self, job: GenerationJob) -> GeneratedContent: ...


@runtime_checkable
class AsyncProvider(Protocol):
    name: str

    def submit(self, job: GenerationJob) -> PendingJob: ...

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult: ...
