"""Tracing behind one small interface: ``span(name, attributes)`` and ``bind_request(request_id)``.

Backends, chosen by ``TRACING_BACKEND`` (template parameter TracingBackend):

- ``powertools`` (default): X-Ray subsegments through Powertools Tracer (the function's Tracing: Active).
  Attributes become annotations (searchable in X-Ray; dots become underscores, X-Ray's key alphabet).
- ``otel``: OpenTelemetry spans from the global tracer provider (in Lambda, the ADOT layer's); the SDK is
  imported only when this backend is selected, so handlers that do not trace this way pay nothing for it.
- ``off``: nothing.

Every span carries the request id bound for the invocation (``flashfusion.request_id``), so one request's
spans can be found together whatever the backend. The X-Ray SDK under Powertools Tracer reaches end of
support on 2027-02-25: switching a deployment to ``otel`` is a parameter change, no code change.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

AttributeValue = str | bool | int | float
REQUEST_ID = "flashfusion.request_id"
ORG_ID = "flashfusion.org_id"

_request: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("traced_request", default=None)


class Span(Protocol):
    def set_attribute(self, key: str, value: AttributeValue) -> None: ...


class Backend(Protocol):
    name: str

    def span(self, name: str, attributes: Mapping[str, AttributeValue]) -> AbstractContextManager[Span]: ...


class _NoSpan:
    def set_attribute(self, key: str, value: AttributeValue) -> None:
        return None


class NoBackend:
    name = "off"

    @contextmanager
    def span(self, name: str, attributes: Mapping[str, AttributeValue]) -> Iterator[Span]:
        yield _NoSpan()


class _XraySpan:
    def __init__(self, subsegment: Any) -> None:
        self._subsegment = subsegment

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        self._subsegment.put_annotation(key.replace(".", "_"), value)


class PowertoolsBackend:
    """X-Ray subsegments through Powertools Tracer's provider (``provider``: a stand-in, in tests)."""

    name = "powertools"

    def __init__(self, provider: Any | None = None) -> None:
        self._provider = provider

    @contextmanager
    def span(self, name: str, attributes: Mapping[str, AttributeValue]) -> Iterator[Span]:
        provider = self._provider
        if provider is None:
            from flashfusion.observability import tracer

            provider = tracer.provider
        with provider.in_subsegment(name=f"## {name}") as subsegment:  # Powertools' naming of custom subsegments
            span = _XraySpan(subsegment)
            for key, value in attributes.items():
                span.set_attribute(key, value)
            yield span


class OtelBackend:
    """OpenTelemetry spans from ``tracer_provider`` (default: the global one, set up by the ADOT layer)."""

    name = "otel"

    def __init__(self, tracer_provider: Any | None = None) -> None:
        from opentelemetry import trace  # only when this backend is chosen

        provider = tracer_provider or trace.get_tracer_provider()
        self._tracer = provider.get_tracer("flashfusion")

    @contextmanager
    def span(self, name: str, attributes: Mapping[str, AttributeValue]) -> Iterator[Span]:
        with self._tracer.start_as_current_span(name, attributes=dict(attributes)) as span:
            yield span


_chosen: list[Backend] = []
_override: list[Backend] = []


def backend_named(name: str) -> Backend:
    if name == "otel":
        return OtelBackend()
    if name == "off":
        return NoBackend()
    return PowertoolsBackend()


def current() -> Backend:
    """The backend in force: one set with ``use`` (tests, ``ffo run --trace``), else TRACING_BACKEND's."""
    if _override:
        return _override[-1]
    if not _chosen:
        # read when first needed, not at import (house rule); the settings model would import pydantic-settings
        # on paths that never trace, so the one variable is read directly
        _chosen.append(backend_named(os.environ.get("TRACING_BACKEND", "powertools").strip().lower()))
    return _chosen[0]


@contextmanager
def use(backend: Backend) -> Iterator[Backend]:
    """Make ``backend`` the one in force, process-wide, for the duration."""
    _override.append(backend)
    try:
        yield backend
    finally:
        _override.remove(backend)


def reset() -> None:
    """Choose again from the environment at the next span (a new cold start, locally)."""
    _chosen.clear()


def bind_request(request_id: str, org_id: str = "") -> None:
    """The request this invocation works for: every span after this carries its id."""
    _request.set((request_id, org_id) if request_id else None)


def bound_request() -> str | None:
    bound = _request.get()
    return bound[0] if bound else None


@contextmanager
def span(name: str, attributes: Mapping[str, AttributeValue | None] | None = None) -> Iterator[Span]:
    """A span named ``name`` on the backend in force, with ``attributes`` (None values left out) and the
    bound request's id."""
    given = {k: v for k, v in (attributes or {}).items() if v is not None}
    bound = _request.get()
    if bound:
        given.setdefault(REQUEST_ID, bound[0])
        if bound[1]:
            given.setdefault(ORG_ID, bound[1])
    with current().span(name, given) as opened:
        yield opened


def trace_header() -> str | None:
    """This invocation's X-Ray trace header (Lambda sets it), for a Step Functions execution to join the
    caller's trace: API -> state machine -> each Lambda is then one trace."""
    return os.environ.get("_X_AMZN_TRACE_ID") or None
