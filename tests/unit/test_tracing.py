"""Tracing behind one interface: the OpenTelemetry and Powertools (X-Ray) backends both carry the request id
on every span and the GenAI semantic-convention attributes on every vendor call."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from flashfusion import tracing
from flashfusion.errors import ProviderThrottled
from flashfusion.models import BrandKit, ContentType, prompt_hash
from flashfusion.providers.base import GeneratedContent, GenerationJob, PendingJob, PollResult
from flashfusion.providers.traced import TracedProvider
from flashfusion.routing.matrix import load_matrix_file
from flashfusion.routing.pricing import cost_of
from tests.helpers import ROOT

MATRIX = load_matrix_file()
TEXT_MODEL = "openai/gpt-5-mini"


def job(model_id: str = TEXT_MODEL) -> GenerationJob:
    model = MATRIX.get(model_id)
    return GenerationJob(
        request_id="req-7",
        content_type=model.medium,
        prompt="a post",
        prompt_hash=prompt_hash("a post"),
        model=model,
        brand_kit=BrandKit.model_validate({"kitId": "k", "name": "K"}),
    )


class Vendor:
    name = "openai"

    def __init__(self, content: GeneratedContent | None = None, error: Exception | None = None) -> None:
        self.content, self.error = content, error

    def generate(self, job: GenerationJob) -> GeneratedContent:
        if self.error:
            raise self.error
        assert self.content is not None
        return self.content

    def submit(self, job: GenerationJob) -> PendingJob:
        return PendingJob("vendor-job-1")

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        return PollResult(status="succeeded", content=self.content)


TEXT = GeneratedContent(
    data=b"Hello, hikers", mime_type="text/plain", extension="txt", vendor_model="gpt-5-mini-2025-08-07",
    offline=False, dataset_tag="vendor", usage={"inputTokens": 120, "outputTokens": 45},
)  # fmt: skip


@pytest.fixture
def otel() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracing.use(tracing.OtelBackend(provider)):
        yield exporter
    tracing.bind_request("")


def test_a_vendor_call_span_carries_the_genai_attributes_and_the_request_id(otel: InMemorySpanExporter) -> None:
    tracing.bind_request("req-7", "acme")
    TracedProvider(Vendor(TEXT)).generate(job())

    (span,) = otel.get_finished_spans()
    attributes = dict(span.attributes or {})
    assert span.name == "chat gpt-5-mini"
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["gen_ai.request.model"] == "gpt-5-mini"
    assert attributes["gen_ai.response.model"] == "gpt-5-mini-2025-08-07"
    assert attributes["gen_ai.usage.input_tokens"] == 120
    assert attributes["gen_ai.usage.output_tokens"] == 45
    assert attributes["gen_ai.output.type"] == "text"
    assert attributes["gen_ai.output.byte_size"] == len(TEXT.data)
    assert attributes["gen_ai.usage.cost.amount"] == pytest.approx(cost_of(MATRIX.get(TEXT_MODEL), TEXT.usage))
    assert attributes["gen_ai.usage.cost.amount"] > 0
    assert attributes["gen_ai.usage.cost.currency"] == "USD"
    assert attributes["gen_ai.usage.cost.source"] == "local"
    assert attributes[tracing.REQUEST_ID] == "req-7"
    assert attributes[tracing.ORG_ID] == "acme"
    assert "a post" not in str(attributes)  # never the prompt


def test_a_vendor_priced_media_call_says_so(otel: InMemorySpanExporter) -> None:
    image_model = next(m for m in MATRIX.models if m.medium == ContentType.IMAGE and m.provider == "openai")
    content = GeneratedContent(
        data=b"\x89PNG" + b"\x00" * 60, mime_type="image/png", extension="png", vendor_model="",
        offline=False, dataset_tag="vendor", usage={"images": 1}, cost_usd=0.04,
    )  # fmt: skip
    TracedProvider(Vendor(content)).generate(job(image_model.id))
    (span,) = otel.get_finished_spans()
    attributes = dict(span.attributes or {})
    assert attributes["gen_ai.operation.name"] == "generate_content"
    assert attributes["gen_ai.output.type"] == "image"
    assert attributes["gen_ai.output.mime_type"] == "image/png"
    assert attributes["gen_ai.usage.cost.amount"] == 0.04
    assert attributes["gen_ai.usage.cost.source"] == "provider"
    assert "gen_ai.usage.input_tokens" not in attributes


def test_a_failed_vendor_call_is_an_error_span(otel: InMemorySpanExporter) -> None:
    with pytest.raises(ProviderThrottled):
        TracedProvider(Vendor(error=ProviderThrottled("429"))).generate(job())
    (span,) = otel.get_finished_spans()
    assert span.status.status_code == StatusCode.ERROR
    assert span.events[0].name == "exception"


def test_async_vendors_get_a_span_per_submit_and_poll(otel: InMemorySpanExporter) -> None:
    traced = TracedProvider(Vendor(TEXT))
    pending = traced.submit(job())
    traced.poll(job(), pending)
    submit, poll = otel.get_finished_spans()
    assert submit.attributes["flashfusion.vendor_job_id"] == "vendor-job-1"  # type: ignore[index]
    assert poll.attributes["flashfusion.poll_status"] == "succeeded"  # type: ignore[index]
    assert poll.attributes["gen_ai.usage.output_tokens"] == 45  # type: ignore[index]


class Subsegment:
    def __init__(self, name: str) -> None:
        self.name = name
        self.annotations: dict[str, Any] = {}

    def put_annotation(self, key: str, value: Any) -> None:
        self.annotations[key] = value


class XRay:
    """Powertools Tracer's provider interface: in_subsegment(name) yields a subsegment."""

    def __init__(self) -> None:
        self.subsegments: list[Subsegment] = []

    @contextmanager
    def in_subsegment(self, name: str) -> Iterator[Subsegment]:
        subsegment = Subsegment(name)
        self.subsegments.append(subsegment)
        yield subsegment


def test_the_powertools_backend_annotates_xray_subsegments() -> None:
    xray = XRay()
    with tracing.use(tracing.PowertoolsBackend(xray)):
        tracing.bind_request("req-7", "acme")
        TracedProvider(Vendor(TEXT)).generate(job())
        tracing.bind_request("")
    (subsegment,) = xray.subsegments
    assert subsegment.name == "## chat gpt-5-mini"
    assert subsegment.annotations["flashfusion_request_id"] == "req-7"
    assert subsegment.annotations["gen_ai_request_model"] == "gpt-5-mini"
    assert subsegment.annotations["gen_ai_usage_output_tokens"] == 45
    assert all("." not in key for key in subsegment.annotations)  # X-Ray's annotation key alphabet


@pytest.mark.parametrize(
    ("setting", "kind"),
    [
        ("otel", tracing.OtelBackend),
        ("powertools", tracing.PowertoolsBackend),
        ("off", tracing.NoBackend),
        ("", tracing.PowertoolsBackend),
    ],
)
def test_the_backend_is_chosen_by_configuration(setting: str, kind: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACING_BACKEND", setting)
    tracing.reset()
    try:
        assert isinstance(tracing.current(), kind)
    finally:
        tracing.reset()


def test_handlers_that_do_not_trace_with_otel_never_import_it() -> None:
    code = (
        "import sys, flashfusion.wiring, flashfusion.step_handler, flashfusion.providers.registry\n"
        "from flashfusion import tracing\n"
        "with tracing.span('x', {'a': 1}): pass\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'opentelemetry imported'\n"
    )
    env = {"PATH": "/usr/bin:/bin", "TRACING_BACKEND": "off", "PYTHONPATH": str(ROOT / "layers" / "common")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, timeout=60)
