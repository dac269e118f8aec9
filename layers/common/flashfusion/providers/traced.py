"""A span around every vendor call (generate, submit, poll), carrying the OpenTelemetry GenAI semantic
conventions, and one structured log line per call (the "slowest vendor calls" Logs Insights query).

Attributes (semantic-conventions registry, GenAI, status Development):
- ``gen_ai.operation.name``: ``chat`` for text, ``generate_content`` for image, video and music.
- ``gen_ai.provider.name``: the registry's well-known names where one exists (``aws.bedrock``, ``gcp.gemini``,
  ``openai``), else the adapter's name.
- ``gen_ai.request.model`` (the vendor's model id), ``gen_ai.response.model`` when the vendor says which
  model answered, ``gen_ai.usage.input_tokens`` / ``gen_ai.usage.output_tokens`` when it reports them.
- ``gen_ai.output.type``: ``text``, ``image``, ``speech`` (registry values); ``video`` and ``audio`` for the
  media the registry's enum does not list yet.
- Cost, as proposed upstream (semantic-conventions-genai PR #443): ``gen_ai.usage.cost.amount``,
  ``gen_ai.usage.cost.currency`` (USD), ``gen_ai.usage.cost.source`` (``provider`` when the vendor priced the
  call, ``local`` when it is computed from the model matrix).
- Media, as proposed upstream for output parts (``modality``, ``mime_type``, ``byte_size``; PRs #2754, #143 of
  the GenAI conventions), flattened: ``gen_ai.output.modality``, ``gen_ai.output.mime_type``,
  ``gen_ai.output.byte_size``, and ``gen_ai.output.duration_seconds`` for video and audio.

Never the prompt or the output: spans and logs hold ids, counts and sizes only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flashfusion import tracing
from flashfusion.models import ContentType
from flashfusion.observability import logger
from flashfusion.providers.base import GeneratedContent, GenerationJob, PendingJob, PollResult
from flashfusion.routing import pricing

PROVIDER_NAMES = {"bedrock": "aws.bedrock", "gemini": "gcp.gemini", "openai": "openai"}
OUTPUT_TYPES = {ContentType.TEXT: "text", ContentType.IMAGE: "image", ContentType.VIDEO: "video"}
MODALITIES = {ContentType.TEXT: "text", ContentType.IMAGE: "image", ContentType.VIDEO: "video"}


def operation_of(job: GenerationJob) -> str:
    return "chat" if job.content_type == ContentType.TEXT else "generate_content"


def _music_type(job: GenerationJob) -> str:
    # A voice-over is speech; music is audio.
    return "speech" if job.model.provider == "elevenlabs" and "music" not in job.model.vendor_model else "audio"


def request_attributes(job: GenerationJob, provider: str, vendor_call: str) -> dict[str, tracing.AttributeValue]:
    output_type = OUTPUT_TYPES.get(job.content_type) or _music_type(job)
    return {
        "gen_ai.operation.name": operation_of(job),
        "gen_ai.provider.name": PROVIDER_NAMES.get(provider, provider),
        "gen_ai.request.model": job.model.vendor_model,
        "gen_ai.output.type": output_type,
        "flashfusion.model": job.model.id,
        "flashfusion.vendor_call": vendor_call,
        "flashfusion.task": job.task,
    }


def content_attributes(job: GenerationJob, content: GeneratedContent) -> dict[str, tracing.AttributeValue]:
    usage = content.usage
    found: dict[str, tracing.AttributeValue] = {
        "gen_ai.output.modality": MODALITIES.get(job.content_type, "audio"),
        "gen_ai.output.mime_type": content.mime_type,
        "gen_ai.usage.cost.currency": "USD",
    }
    if content.vendor_model:
        found["gen_ai.response.model"] = content.vendor_model
    if content.data:
        found["gen_ai.output.byte_size"] = len(content.data)
    if "inputTokens" in usage:
        found["gen_ai.usage.input_tokens"] = int(usage["inputTokens"])
    if "outputTokens" in usage:
        found["gen_ai.usage.output_tokens"] = int(usage["outputTokens"])
    seconds = usage.get("videoSeconds") or usage.get("audioSeconds") or usage.get("seconds")
    if seconds:
        found["gen_ai.output.duration_seconds"] = float(seconds)
    if content.cost_usd is not None:
        found["gen_ai.usage.cost.amount"] = float(content.cost_usd)
        found["gen_ai.usage.cost.source"] = "provider"
    else:
        size = str(content.parameters.get("size") or job.options.size or "") or None
        quality = str(content.parameters.get("quality") or job.options.quality or "") or None
        found["gen_ai.usage.cost.amount"] = float(pricing.cost_of(job.model, usage, size, quality))
        found["gen_ai.usage.cost.source"] = "local"
    return found


class TracedProvider:
    """Wraps any adapter (sync or async); a span and a log line per vendor call, outcome included."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name: str = inner.name

    @contextmanager
    def _call(self, job: GenerationJob, vendor_call: str) -> Iterator[tracing.Span]:
        attributes = request_attributes(job, self.name, vendor_call)
        started = time.perf_counter()
        outcome = "ok"
        try:
            with tracing.span(f"{attributes['gen_ai.operation.name']} {job.model.vendor_model}", attributes) as span:
                yield span
        except Exception as error:
            outcome = type(error).__name__
            raise
        finally:
            logger.info(
                "vendor call",
                extra={
                    "provider": self.name,
                    "model": job.model.id,
                    "operation": vendor_call,
                    "outcome": outcome,
                    "durationMs": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    def generate(self, job: GenerationJob) -> GeneratedContent:
        with self._call(job, "generate") as span:
            content: GeneratedContent = self.inner.generate(job)
            for key, value in content_attributes(job, content).items():
                span.set_attribute(key, value)
        return content

    def submit(self, job: GenerationJob) -> PendingJob:
        with self._call(job, "submit") as span:
            pending: PendingJob = self.inner.submit(job)
            span.set_attribute("flashfusion.vendor_job_id", pending.vendor_job_id)
        return pending

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        with self._call(job, "poll") as span:
            result: PollResult = self.inner.poll(job, pending)
            span.set_attribute("flashfusion.poll_status", result.status)
            if result.content is not None:
                for key, value in content_attributes(job, result.content).items():
                    span.set_attribute(key, value)
        return result
