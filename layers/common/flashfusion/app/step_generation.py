"""GenerateAsset and PollGeneration: the vendor call (or job), the staged output, its price and attempts.

Split out of ``flashfusion.app.steps`` (which re-exports every name): a step's handler loads its own
module and what that needs, not the other steps' (issue 16).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flashfusion.app import budget_alerts, result_cache
from flashfusion.app.deps import Deps
from flashfusion.app.step_common import ASSET_NAMESPACE, _require, count_call, effective_prompt, request_metric
from flashfusion.errors import (
    GenerationTimedOut,
    ProviderError,
)
from flashfusion.models import (
    AssetRequest,
    AttemptRecord,
    Cost,
    Generation,
    PendingGeneration,
    RequestStatus,
    Revision,
    RouteDecision,
    SourceImage,
    WorkflowState,
    utcnow,
)
from flashfusion.observability import MetricUnit
from flashfusion.providers.base import GeneratedContent, GenerationJob, GenerationOptions, PendingJob, StyleSource
from flashfusion.routing import pricing
from flashfusion.routing.matrix import ModelSpec


def _style(request: AssetRequest, deps: Deps) -> StyleSource | None:
    """brand_style: the organisation's upload and how to restyle it (None for a generation)."""
    if request.operation != "brand_style" or request.style is None:
        return None
    from flashfusion.app.source_uploads import read_source

    data, source = read_source(request.org_id, request.style.source_upload_id, deps)
    org_id = request.org_id
    return StyleSource(
        data=data,
        mime_type=source.mime_type,
        headline=request.style.headline,
        strength=request.style.strength,
        place_logo=request.style.place_logo,
        load_brand_file=lambda key: deps.assets.read_brand_file(org_id, key),
        source=source,
    )


def _job(state: WorkflowState, deps: Deps, spec: ModelSpec) -> GenerationJob:
    request = state.request
    validated = _require(state.validated, "validated")
    options = request.options
    return GenerationJob(
        style=_style(request, deps),
        request_id=request.request_id,
        content_type=request.content_type,
        prompt=effective_prompt(request, state.revision),
        prompt_hash=state.revision.prompt_hash or validated.prompt_hash,
        brief=request.prompt,
        feedback=tuple(state.revision.feedback),
        model=spec,
        brand_kit=deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version),
        channel=request.channel,
        org_id=request.org_id,
        options=GenerationOptions(
            size=options.size,
            quality=options.quality,
            duration_seconds=options.duration_seconds,
            aspect_ratio=options.aspect_ratio,
            max_output_tokens=options.max_output_tokens,
        ),
    )


@contextmanager
def _attempt(deps: Deps, request: AssetRequest, spec: ModelSpec, started: float) -> Iterator[None]:
    """Record a failed vendor call on the request (it feeds provenance) and count it per model."""
    try:
        yield
    except ProviderError as error:
        calls = deps.requests.record_attempt(
            request.org_id,
            request.request_id,
            AttemptRecord(
                model=spec.id,
                provider=spec.provider,
                outcome="failed",
                error=type(error).__name__,
                message=str(error)[:500],
                latency_ms=int((time.perf_counter() - started) * 1000),
            ),
        )
        request_metric("ProviderErrors", MetricUnit.Count, 1, request, spec.id)
        count_call(request, spec.id, calls)
        raise


def _provider(deps: Deps, request: AssetRequest, spec: ModelSpec) -> Any:
    """The model's adapter: synchronous or a job API, as the matrix row's ``mode`` says."""
    return deps.provider(spec.provider, request.faults)


def generate(state: WorkflowState, deps: Deps) -> Generation | PendingGeneration:
    request = state.request
    decision = _require(state.route, "route")
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.GENERATING)
    asset_id = str(uuid.uuid5(ASSET_NAMESPACE, request.request_id))
    if state.revision.round == 0:
        result_cache.record_history(deps, request)
    served = result_cache.serve(state, deps, decision, asset_id)
    if served is not None:  # an earlier result or a pre-generated candidate: no vendor call
        return served
    spec = deps.matrix.get(decision.model)
    job = _job(state, deps, spec)
    provider = _provider(deps, request, spec)
    started = time.perf_counter()
    if spec.mode == "async":
        with _attempt(deps, request, spec, started):
            pending = provider.submit(job)
        return PendingGeneration(
            asset_id=asset_id,
            model=spec.id,
            provider=spec.provider,
            vendor_job_id=pending.vendor_job_id,
            job_state=pending.state,
            poll_after_seconds=pending.poll_after_seconds,
        )
    with _attempt(deps, request, spec, started):
        content = provider.generate(job)
    latency = int((time.perf_counter() - started) * 1000)
    return _finish(deps, request, job, spec, decision, asset_id, content, latency, state.revision)


def poll(state: WorkflowState, deps: Deps) -> Generation | PendingGeneration:
    request = state.request
    pending = _require(state.generation, "generation")
    if not isinstance(pending, PendingGeneration):
        return pending
    spec = deps.matrix.get(pending.model)
    job = _job(state, deps, spec)
    waited = max((utcnow() - pending.submitted_at).total_seconds(), pending.waited_seconds + pending.poll_after_seconds)
    started = time.perf_counter()
    with _attempt(deps, request, spec, started):
        result = _provider(deps, request, spec).poll(
            job, PendingJob(pending.vendor_job_id, pending.poll_after_seconds, pending.job_state)
        )
    if result.status == "running":
        if waited + result.poll_after_seconds > spec.max_wait_seconds:
            with _attempt(deps, request, spec, started):
                raise GenerationTimedOut(
                    f"{spec.id} job {pending.vendor_job_id} still running after {waited:.0f} s "
                    f"(limit {spec.max_wait_seconds} s)",
                    provider=spec.provider,
                    model=spec.id,
                )
        return pending.model_copy(
            update={
                "polls": pending.polls + 1,
                "waited_seconds": waited,
                "job_state": result.state if result.state is not None else pending.job_state,
                "progress": result.progress,
                "poll_after_seconds": result.poll_after_seconds,
            }
        )
    content = _require(result.content, "content of the finished job")
    decision = _require(state.route, "route")
    return _finish(deps, request, job, spec, decision, pending.asset_id, content, int(waited * 1000), state.revision)


def _finish(
    deps: Deps,
    request: AssetRequest,
    job: GenerationJob,
    spec: ModelSpec,
    decision: RouteDecision,
    asset_id: str,
    content: GeneratedContent,
    latency_ms: int,
    revision: Revision,
) -> Generation:
    """Stage the output in S3, record the attempt, price it, and describe it for lint and save."""
    request_id, org_id = job.request_id, job.org_id
    name = f"{asset_id}.v{revision.version}.{content.extension}"
    if content.source_uri:
        staged, data = deps.assets.stage_from(org_id, request_id, name, content.source_uri, content.mime_type)
    else:
        data = content.data
        staged = deps.assets.stage(org_id, request_id, name, data, content.mime_type)
    cost = content.cost_usd
    if cost is None:
        # The adapter's own words for size and quality (what it actually asked for) price best.
        size = str(content.parameters.get("size") or job.options.size or "") or None
        quality = str(content.parameters.get("quality") or job.options.quality or "") or None
        cost = pricing.cost_of(spec, content.usage, size, quality)
    calls = deps.requests.record_attempt(
        org_id,
        request_id,
        AttemptRecord(model=spec.id, provider=spec.provider, outcome="succeeded", latency_ms=latency_ms, cost_usd=cost),
    )
    if decision.reservation_id:  # the vendor has billed: the hold becomes the actual spend
        result_cache.ledger_for(deps, request).settle(org_id, decision.reservation_id, cost)
        if request.speculative is None:
            budget_alerts.after_spend(deps, org_id)  # BudgetUsedPercent and the threshold events
    request_metric("GenerationLatency", MetricUnit.Milliseconds, latency_ms, request, spec.id)
    request_metric("GenerationCostUSD", MetricUnit.NoUnit, cost, request, spec.id)
    count_call(request, spec.id, calls)
    return Generation(
        asset_id=asset_id,
        version=revision.version,
        parent_version=revision.parent_version,
        content_type=job.content_type,
        model=spec.id,
        provider=spec.provider,
        vendor_model=content.vendor_model,
        offline=content.offline,
        dataset_tag=content.dataset_tag,
        staging_key=staged,
        mime_type=content.mime_type,
        extension=content.extension,
        output_hash=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        latency_ms=latency_ms,
        cost=Cost(usd=cost, units=content.usage),
        parameters=content.parameters,
        source=_source_of(job),
    )


def _source_of(job: GenerationJob) -> SourceImage | None:
    """What provenance records of a brand_style job's upload (its key and hash, never its pixels)."""
    return job.style.source if job.style else None
