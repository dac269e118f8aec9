"""One function per state of statemachine/create_asset.asl.json.

Each takes the workflow state and the adapters, records the request's status, and returns the part
of the state it owns. Errors are the typed errors of flashfusion.errors: the ASL retries and catches
them by class name.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import TypeVar

from aws_lambda_powertools.metrics import single_metric

from flashfusion.errors import FaultInjectionNotAllowed, ProviderError, readable_cause
from flashfusion.linting.text import lint_text
from flashfusion.models import (
    AssetRef,
    AttemptRecord,
    Cost,
    Generation,
    LintReport,
    RequestStatus,
    RouteDecision,
    SavedAsset,
    ValidatedRequest,
    WorkflowState,
    prompt_hash,
)
from flashfusion.observability import MetricUnit, logger, metrics
from flashfusion.provenance.records import build_provenance, object_metadata
from flashfusion.providers.base import GenerationJob
from flashfusion.providers.registry import available_providers, provider_for
from flashfusion.routing import router
from flashfusion.workflow.deps import Deps

ASSET_NAMESPACE = uuid.UUID("6f1d8c43-2b7e-4f55-9a57-2f9b0d6c1e11")


T = TypeVar("T")


def _require(value: T | None, name: str) -> T:
    if value is None:
        raise ValueError(f"workflow state has no {name!r}: the state machine passed the wrong input")
    return value


def validate(state: WorkflowState, deps: Deps) -> ValidatedRequest:
    request = state.request
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.VALIDATING)
    if request.faults and not deps.settings.allow_fault_injection:
        raise FaultInjectionNotAllowed("fault injection is only allowed on the local engine")
    kit = deps.kits.get(request.org_id, request.brand_kit_id)
    return ValidatedRequest(
        brand_kit_id=kit.kit_id, brand_kit_version=kit.version, prompt_hash=prompt_hash(request.prompt)
    )


def route(state: WorkflowState, deps: Deps) -> RouteDecision:
    request = state.request
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.ROUTING)
    decision = router.route(
        deps.matrix,
        request.content_type,
        request.tier,
        available_providers(deps.settings.providers),
        len(request.prompt),
    )
    logger.info("routed", extra={"model": decision.model, "chain": decision.chain})
    return decision


def fallback(state: WorkflowState, deps: Deps) -> RouteDecision:
    decision = _require(state.route, "route")
    error = state.last_error or {}
    error_name = str(error.get("Error", "Unknown"))
    message = readable_cause(str(error.get("Cause", "")))
    metrics.add_metric(name="Fallbacks", unit=MetricUnit.Count, value=1)
    logger.warning("falling back", extra={"failedModel": decision.model, "error": error_name})
    return router.next_hop(deps.matrix, decision, error_name, message, len(state.request.prompt))


def generate(state: WorkflowState, deps: Deps) -> Generation:
    request = state.request
    validated = _require(state.validated, "validated")
    decision = _require(state.route, "route")
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.GENERATING)
    spec = deps.matrix.get(decision.model)
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version)
    provider = provider_for(
        spec.provider, deps.settings.providers, request.faults, deps.settings.allow_fault_injection
    )
    job = GenerationJob(
        request_id=request.request_id,
        content_type=request.content_type,
        prompt=request.prompt,
        prompt_hash=validated.prompt_hash,
        model=spec,
        brand_kit=kit,
        channel=request.channel,
    )
    started = time.perf_counter()
    try:
        content = provider.generate(job)
    except ProviderError as error:
        elapsed = int((time.perf_counter() - started) * 1000)
        deps.requests.record_attempt(
            request.org_id,
            request.request_id,
            AttemptRecord(
                model=spec.id,
                provider=spec.provider,
                outcome="failed",
                error=type(error).__name__,
                latency_ms=elapsed,
            ),
        )
        model_metric("ProviderErrors", MetricUnit.Count, 1, spec.id)
        raise
    elapsed = int((time.perf_counter() - started) * 1000)
    asset_id = str(uuid.uuid5(ASSET_NAMESPACE, request.request_id))
    staged = deps.assets.stage(
        request.org_id, request.request_id, f"{asset_id}.{content.extension}", content.data, content.mime_type
    )
    deps.requests.record_attempt(
        request.org_id,
        request.request_id,
        AttemptRecord(model=spec.id, provider=spec.provider, outcome="succeeded", latency_ms=elapsed),
    )
    model_metric("GenerationLatency", MetricUnit.Milliseconds, elapsed, spec.id)
    model_metric("GenerationCostUSD", MetricUnit.NoUnit, content.cost_usd, spec.id)
    return Generation(
        asset_id=asset_id,
        content_type=request.content_type,
        model=spec.id,
        provider=spec.provider,
        vendor_model=content.vendor_model,
        offline=content.offline,
        dataset_tag=content.dataset_tag,
        staging_key=staged,
        mime_type=content.mime_type,
        extension=content.extension,
        output_hash=hashlib.sha256(content.data).hexdigest(),
        size_bytes=len(content.data),
        latency_ms=elapsed,
        cost=Cost(usd=content.cost_usd, units=content.usage),
        parameters=content.parameters,
    )


def lint(state: WorkflowState, deps: Deps) -> LintReport:
    request = state.request
    validated = _require(state.validated, "validated")
    generation = _require(state.generation, "generation")
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.LINTING)
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version)
    text = deps.assets.read_staged(request.org_id, generation.staging_key).decode("utf-8")
    report = lint_text(text, kit)
    deps.requests.set_lint(request.org_id, request.request_id, report.violations)
    metrics.add_metric(name="LintCompliant", unit=MetricUnit.Count, value=1 if report.compliant else 0)
    metrics.add_metric(name="LintViolations", unit=MetricUnit.Count, value=len(report.violations))
    return report


def save(state: WorkflowState, deps: Deps) -> SavedAsset:
    request = state.request
    generation = _require(state.generation, "generation")
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.SAVING)
    record = deps.requests.get(request.org_id, request.request_id)
    provenance = build_provenance(
        request,
        _require(state.validated, "validated"),
        _require(state.route, "route"),
        generation,
        _require(state.lint, "lint"),
        record.attempts,
        bucket=deps.assets.bucket,
        key="",
    )
    key = deps.assets.promote(
        request.org_id,
        generation.staging_key,
        generation.asset_id,
        generation.version,
        generation.extension,
        generation.mime_type,
        object_metadata(provenance),
    )
    provenance = provenance.model_copy(update={"key": key})
    deps.provenance.put(provenance)
    asset = AssetRef(
        asset_id=generation.asset_id,
        version=generation.version,
        bucket=deps.assets.bucket,
        key=key,
        model=generation.model,
        mime_type=generation.mime_type,
    )
    deps.requests.set_succeeded(request.org_id, request.request_id, asset)
    metrics.add_metric(name="AssetCostUSD", unit=MetricUnit.NoUnit, value=generation.cost.usd)
    return SavedAsset(asset=asset, provenance=provenance)


def model_metric(name: str, unit: MetricUnit, value: float, model: str) -> None:
    """A metric with the model as its dimension, so latency, cost and errors can be compared per model."""
    with single_metric(name=name, unit=unit, value=value, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="model", value=model)
