"""One function per state of statemachine/create_asset.asl.json.

Each takes the workflow state and the adapters, records the request's status, and returns the part
of the state it owns. Errors are the typed errors of flashfusion.errors: the ASL retries and catches
them by class name.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flashfusion.app import budget_alerts
from flashfusion.app.deps import Deps
from flashfusion.app.operating_metrics import emit_for_request
from flashfusion.errors import (
    BudgetExceeded,
    FaultInjectionNotAllowed,
    GenerationTimedOut,
    ProviderError,
    SigningNotConfigured,
    UnsupportedMedia,
    readable_cause,
)
from flashfusion.limits import LINT_SUMMARY_BYTES
from flashfusion.linting.autofix import apply_fixes
from flashfusion.linting.engine import LintContext, lint_asset, unsupported_report
from flashfusion.linting.summary import summarize
from flashfusion.models import (
    AssetRequest,
    AttemptRecord,
    BrandKit,
    ContentType,
    Cost,
    Generation,
    LintReport,
    PendingGeneration,
    RequestStatus,
    ReviewPolicy,
    Revision,
    RouteDecision,
    SavedAsset,
    ValidatedRequest,
    WorkflowState,
    prompt_hash,
    utcnow,
)
from flashfusion.observability import MetricUnit, logger, metrics
from flashfusion.providers.base import GeneratedContent, GenerationJob, GenerationOptions, PendingJob
from flashfusion.routing import pricing, router
from flashfusion.routing.matrix import ModelSpec


def decode_rgba(data: bytes) -> Any:
    """A logo file as an RGBA array (Pillow and numpy load only when an image is linted), decoded within the
    linter's memory bound: ``UnsupportedMedia`` for a bomb or a file that is not an image."""
    from flashfusion.linting.media import decode_image

    return decode_image(data, mode="RGBA").pixels


ASSET_NAMESPACE = uuid.UUID("6f1d8c43-2b7e-4f55-9a57-2f9b0d6c1e11")
RESERVATION_TRIES = 3
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
    problem = deps.signing_problem()
    if problem:  # every SaveAsset would fail after the generation was paid for: stop before routing
        raise SigningNotConfigured(f"content credentials cannot be signed in this deployment: {problem}")
    kit = deps.kits.get(request.org_id, request.brand_kit_id)
    rules = kit.review
    return ValidatedRequest(
        brand_kit_id=kit.kit_id,
        brand_kit_version=kit.version,
        prompt_hash=prompt_hash(request.prompt),
        review=ReviewPolicy(
            timeout_seconds=rules.timeout_seconds,
            heartbeat_seconds=min(rules.heartbeat_seconds, rules.timeout_seconds),
            max_regenerations=rules.max_regenerations,
            approvals=rules.approvals,
        ),
        locale_count=len(request.locales),
        has_campaign=request.campaign_id is not None,
        wants_posts=request.schedule is not None,
    )


def effective_prompt(request: AssetRequest, revision: Revision) -> str:
    """The prompt a model is given: the request's, plus every round of reviewer feedback so far."""
    if not revision.feedback:
        return request.prompt
    points = "\n".join(f"- {item}" for item in revision.feedback)
    return f"{request.prompt}\n\nReviewer feedback on the previous version (address every point):\n{points}"


def route_query(request: AssetRequest, deps: Deps, remaining_usd: float | None) -> router.RouteQuery:
    if request.bundle is not None:  # the bundle's one hold already covers its parts (app.bundle_planning.reserve)
        remaining_usd = None
    return router.query_for(request, deps.available_providers, remaining_usd)


def _reserved(
    deps: Deps, request: AssetRequest, decision: RouteDecision, revision: Revision | None = None
) -> RouteDecision | None:
    """The decision with its budget reservation, or None if concurrent spending took the room."""
    if decision.estimated_cost_usd <= 0:
        return decision  # offline models cost nothing: nothing to hold
    if request.bundle is not None:
        return decision  # a bundle's parts draw on the one hold RouteModel took for the whole bundle
    # Each regeneration round and each fallback hop holds its own reservation.
    round_part = f"r{revision.round}." if revision and revision.round else ""
    reservation_id = f"{request.request_id}.{round_part}{len(decision.failed)}"
    if deps.budgets.reserve(request.org_id, reservation_id, decision.estimated_cost_usd):
        return decision.model_copy(update={"reservation_id": reservation_id})
    return None


def route(state: WorkflowState, deps: Deps) -> RouteDecision:
    request = state.request
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.ROUTING)
    if request.bundle is not None and state.part is None:
        from flashfusion.app import bundle_planning

        bundle_planning.reserve(state, deps)  # the whole bundle's estimate, before any part runs
    for _ in range(RESERVATION_TRIES):
        remaining = deps.budgets.status(request.org_id).available_usd
        decision = _reserved(
            deps, request, router.route(deps.matrix, route_query(request, deps, remaining)), state.revision
        )
        if decision:
            logger.info("routed", extra={"model": decision.model, "chain": decision.chain})
            return decision
    raise BudgetExceeded("concurrent requests used the budget while this one was being routed")


def fallback(state: WorkflowState, deps: Deps) -> RouteDecision:
    request = state.request
    decision = _require(state.route, "route")
    if decision.reservation_id:  # a failed call is not billed: give its hold back first
        deps.budgets.release(request.org_id, decision.reservation_id)
    error = state.last_error or {}
    error_name = str(error.get("Error", "Unknown"))
    message = readable_cause(str(error.get("Cause", "")))
    logger.warning("falling back", extra={"failedModel": decision.model, "error": error_name})
    for _ in range(RESERVATION_TRIES):
        remaining = deps.budgets.status(request.org_id).available_usd
        query = route_query(request, deps, remaining)
        following = _reserved(
            deps, request, router.next_hop(deps.matrix, decision, error_name, message, query), state.revision
        )
        if following:
            # A hop that happens: the one the chain could not make ends the request (counted as a failure).
            deps.requests.record_fallback(request.org_id, request.request_id)
            request_metric("Fallbacks", MetricUnit.Count, 1, request, decision.model)
            return following
    raise BudgetExceeded("concurrent requests used the budget while this one was falling back")


def release(state: WorkflowState, deps: Deps) -> dict[str, Any]:
    """On the failure path: give back whatever budget the request still holds."""
    decision = state.route
    released = bool(
        decision and decision.reservation_id and deps.budgets.release(state.request.org_id, decision.reservation_id)
    )
    # Every failure path of the workflow passes here (ReleaseBudget -> MarkFailed).
    if state.request.bundle is not None:
        from flashfusion.app import bundle_planning

        released = (
            bundle_planning.close_hold(deps, state.request) or released
        )  # what was billed is spent, the rest freed
    request_metric("RequestsFailed", MetricUnit.Count, 1, state.request, decision.model if decision else None)
    return {"released": released}


def _job(state: WorkflowState, deps: Deps, spec: ModelSpec) -> GenerationJob:
    request = state.request
    validated = _require(state.validated, "validated")
    options = request.options
    return GenerationJob(
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


def count_call(request: AssetRequest, model: str, calls: list[AttemptRecord]) -> None:
    """The retry rate's two counts, from the request's calls so far (this one last): the request's first
    call makes it a request that generated; its first failed call makes it one that needed a retry."""
    if len(calls) == 1:
        request_metric("GenerationRequests", MetricUnit.Count, 1, request, model)
    if calls and calls[-1].outcome == "failed" and sum(c.outcome == "failed" for c in calls) == 1:
        request_metric("RetriedRequests", MetricUnit.Count, 1, request, model)


def _provider(deps: Deps, request: AssetRequest, spec: ModelSpec) -> Any:
    """The model's adapter: synchronous or a job API, as the matrix row's ``mode`` says."""
    return deps.provider(spec.provider, request.faults)


def generate(state: WorkflowState, deps: Deps) -> Generation | PendingGeneration:
    request = state.request
    decision = _require(state.route, "route")
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.GENERATING)
    spec = deps.matrix.get(decision.model)
    job = _job(state, deps, spec)
    provider = _provider(deps, request, spec)
    asset_id = str(uuid.uuid5(ASSET_NAMESPACE, request.request_id))
    if state.part is not None:  # each part of a bundle is an asset of its own
        asset_id = str(uuid.uuid5(ASSET_NAMESPACE, f"{request.request_id}#{state.part.part_id}"))
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
        deps.budgets.settle(org_id, decision.reservation_id, cost)
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
    )


def lint(state: WorkflowState, deps: Deps) -> LintReport:
    request = state.request
    validated = _require(state.validated, "validated")
    generation = _ready(state)
    part = state.part is not None  # a bundle's media part: its verdict goes to the bundle, not the request
    if state.locale is None:
        deps.requests.set_status(request.org_id, request.request_id, RequestStatus.LINTING)
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version)
    data = deps.assets.read_staged(request.org_id, generation.staging_key)
    context = brand_lint_context(deps, request.org_id, kit, state.locale, request.channel, request.sponsored)
    full = lint_or_report(data, generation.mime_type, context)
    report = keep_full_report(state, deps, generation, full)
    if state.locale is None and not part:  # a translation's report belongs to its locale's outcome
        deps.requests.set_lint(request.org_id, request.request_id, report)
        first = generation.version == 1 and generation.autofix_rounds == 0 and not generation.human_edited
        if first and deps.requests.record_first_lint(request.org_id, request.request_id, report):
            # brand compliance is the first round's verdict; LintCompliant below counts every round
            request_metric("FirstLintCompliant", MetricUnit.Count, int(report.compliant), request, generation.model)
    metrics.add_metric(name="LintCompliant", unit=MetricUnit.Count, value=1 if report.compliant else 0)
    metrics.add_metric(name="LintViolations", unit=MetricUnit.Count, value=report.findings or 0)
    return report


def brand_lint_context(
    deps: Deps, org_id: str, kit: BrandKit, locale: str | None, channel: str | None, sponsored: bool
) -> LintContext:
    """What every lint of an organisation's content reads: the kit for the locale, its logos and fonts from
    the org's brand folder, OCR and moderation (the workflow's LintAsset and the API's lint-only route)."""
    return LintContext(
        kit=kit.for_locale(locale),
        locale=locale,
        channel=channel,
        sponsored=sponsored,
        load_logo=lambda ref: decode_rgba(deps.assets.read_brand_file(org_id, ref)),
        moderation=deps.moderation,
        ocr=deps.ocr,
        load_font=lambda ref: deps.assets.read_brand_file(org_id, ref),
    )


def lint_or_report(data: bytes, mime_type: str, context: LintContext) -> LintReport:
    """The lint report; a bomb, or a file no decoder reads, is a report too (a ``media.decodable`` error a
    person sees), never an exception the caller does not know."""
    try:
        return lint_asset(data, mime_type, context)
    except UnsupportedMedia as error:
        logger.warning("content cannot be linted", extra={"reason": str(error)})
        return unsupported_report(error)


def keep_full_report(state: WorkflowState, deps: Deps, generation: Generation, full: LintReport) -> LintReport:
    """The full report goes to the staging area beside the output it describes; the state, the request
    record and the review carry a bounded summary pointing at it (limits.LINT_SUMMARY_BYTES)."""
    request = state.request
    locale = f".{state.locale}" if state.locale else ""
    name = f"{generation.asset_id}.v{generation.version}{locale}.r{generation.autofix_rounds}.lint.json"
    key = deps.assets.stage(
        request.org_id,
        request.request_id,
        name,
        full.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8"),
        "application/json",
    )
    return summarize(full, budget_bytes=LINT_SUMMARY_BYTES, report_key=key)


def full_report(state: WorkflowState, deps: Deps, summary: LintReport) -> LintReport:
    """Every finding and fix of a summarised report (the summary itself when it was never summarised)."""
    if summary.report_key is None:
        return summary
    data = deps.assets.read_staged(state.request.org_id, summary.report_key)
    return LintReport.model_validate_json(data)


def autofix(state: WorkflowState, deps: Deps) -> Generation:
    """Apply the report's mechanical fixes to a text asset as a new staged object; LintAsset runs again."""
    request = state.request
    generation = _ready(state)
    report = _require(state.lint, "lint")
    rounds = generation.autofix_rounds + 1
    if generation.content_type != ContentType.TEXT:
        return generation.model_copy(update={"autofix_rounds": rounds})
    text = deps.assets.read_staged(request.org_id, generation.staging_key).decode("utf-8")
    outcome = apply_fixes(text, full_report(state, deps, report).violations)
    if not outcome.applied:
        return generation.model_copy(update={"autofix_rounds": rounds})
    data = outcome.text.encode("utf-8")
    name = f"{generation.asset_id}.v{generation.version}.fix{rounds}.{generation.extension}"
    staged = deps.assets.stage(request.org_id, request.request_id, name, data, generation.mime_type)
    metrics.add_metric(name="AutoFixesApplied", unit=MetricUnit.Count, value=len(outcome.applied))
    return generation.model_copy(
        update={
            "staging_key": staged,
            "output_hash": hashlib.sha256(data).hexdigest(),
            "size_bytes": len(data),
            # each rule once (a post of 4,000 emoji is one fix rule, not 4,000 entries in the state)
            "auto_fixes": list(dict.fromkeys([*generation.auto_fixes, *outcome.applied])),
            "autofix_rounds": rounds,
        }
    )


def _ready(state: WorkflowState) -> Generation:
    generation = _require(state.generation, "generation")
    if not isinstance(generation, Generation):
        raise ValueError("the generation has not finished: the state machine skipped the poll loop")
    return generation


def save(state: WorkflowState, deps: Deps) -> SavedAsset:
    """The request's result: the compliant (or reviewer-approved) version, stored with its credentials."""
    from flashfusion.app.versions import store_version

    request = state.request
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.SAVING)
    saved = store_version(state, deps, _ready(state), status="published")
    after = RequestStatus.TRANSLATING if request.locales else RequestStatus.SUCCEEDED
    deps.requests.set_saved(request.org_id, request.request_id, saved.asset, after)
    metrics.add_metric(name="AssetCostUSD", unit=MetricUnit.NoUnit, value=_ready(state).cost.usd)
    request_metric("AssetsSaved", MetricUnit.Count, 1, request, saved.asset.model)
    return saved


def request_metric(name: str, unit: MetricUnit, value: float, request: AssetRequest, model: str | None) -> None:
    """A metric of one request's fact, readable per model, medium and tier (flashfusion.app.operating_metrics)."""
    emit_for_request(name, unit, value, model, request.content_type.value, request.tier.value)
