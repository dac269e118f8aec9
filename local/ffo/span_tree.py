"""Spans of local runs, kept in memory (OpenTelemetry SDK, in-memory exporter) and printed as a tree.

``ffo run --trace`` makes the OpenTelemetry backend the one in force for the run (whatever TRACING_BACKEND
the template gives the functions), then prints each request's spans: the API's start of the workflow, each
step's Lambda, and each vendor call inside it, with durations and the GenAI attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flashfusion import tracing

SHOWN_ATTRIBUTES = (
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.output.type",
    "gen_ai.usage.cost.amount",
)


class SpanCollector:
    def __init__(self) -> None:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.backend = tracing.OtelBackend(self.provider)

    def spans(self) -> Sequence[Any]:
        return self.exporter.get_finished_spans()


@contextmanager
def collecting() -> Iterator[SpanCollector]:
    collector = SpanCollector()
    with tracing.use(collector.backend):
        yield collector


def _millis(span: Any) -> float:
    return (span.end_time - span.start_time) / 1e6


def _label(span: Any) -> str:
    attributes = dict(span.attributes or {})
    shown = [f"{key.removeprefix('gen_ai.')}={attributes[key]}" for key in SHOWN_ATTRIBUTES if key in attributes]
    status = " ERROR" if span.status.status_code.name == "ERROR" else ""
    extra = f"  [{', '.join(shown)}]" if shown else ""
    return f"{span.name}  {_millis(span):.1f} ms{status}{extra}"


def _walk(children: dict[int | None, list[Any]], parent: int | None, indent: str, lines: list[str]) -> None:
    kids = sorted(children.get(parent, []), key=lambda span: span.start_time)
    for index, span in enumerate(kids):
        last = index == len(kids) - 1
        lines.append(f"{indent}{'└─ ' if last else '├─ '}{_label(span)}")
        _walk(children, span.context.span_id, indent + ("   " if last else "│  "), lines)


def render(spans: Sequence[Any], request_id: str | None = None) -> str:
    """One tree per request id (spans without one under "(no request)"), children under their parent."""
    chosen = [s for s in spans if request_id is None or (s.attributes or {}).get(tracing.REQUEST_ID) == request_id]
    by_request: dict[str, list[Any]] = {}
    for span in chosen:
        by_request.setdefault(str((span.attributes or {}).get(tracing.REQUEST_ID, "(no request)")), []).append(span)
    lines: list[str] = []
    for request, group in by_request.items():
        ids = {s.context.span_id for s in group}
        children: dict[int | None, list[Any]] = {}
        for span in group:
            parent = span.parent.span_id if span.parent is not None and span.parent.span_id in ids else None
            children.setdefault(parent, []).append(span)
        total = (max(s.end_time for s in group) - min(s.start_time for s in group)) / 1e6
        lines.append(f"trace of request {request}: {len(group)} spans over {total:.1f} ms")

        _walk(children, None, "", lines)
    return "\n".join(lines) + ("\n" if lines else "")
