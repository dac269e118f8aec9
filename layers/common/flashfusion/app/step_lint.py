"""LintAsset and AutoFix: the staged output checked against the pinned kit; text's mechanical fixes applied.

Split out of ``flashfusion.app.steps`` (which re-exports every name): a step's handler loads its own
module and what that needs, not the other steps' (issue 16).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flashfusion.app.deps import Deps
from flashfusion.app.step_common import _ready, _require, request_metric
from flashfusion.errors import (
    UnsupportedMedia,
)
from flashfusion.limits import LINT_SUMMARY_BYTES
from flashfusion.linting.autofix import apply_fixes
from flashfusion.linting.engine import LintContext, lint_asset, unsupported_report
from flashfusion.linting.summary import summarize
from flashfusion.models import (
    BrandKit,
    ContentType,
    Generation,
    LintReport,
    RequestStatus,
    WorkflowState,
)
from flashfusion.observability import MetricUnit, logger, metrics


def decode_rgba(data: bytes) -> Any:
    """A logo file as an RGBA array (Pillow and numpy load only when an image is linted), decoded within the
    linter's memory bound: ``UnsupportedMedia`` for a bomb or a file that is not an image."""
    from flashfusion.linting.media import decode_image

    return decode_image(data, mode="RGBA").pixels


def lint(state: WorkflowState, deps: Deps) -> LintReport:
    request = state.request
    validated = _require(state.validated, "validated")
    generation = _ready(state)
    if state.locale is None:
        deps.requests.set_status(request.org_id, request.request_id, RequestStatus.LINTING)
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version)
    data = deps.assets.read_staged(request.org_id, generation.staging_key)
    context = brand_lint_context(deps, request.org_id, kit, state.locale, request.channel, request.sponsored)
    full = lint_or_report(data, generation.mime_type, context)
    report = keep_full_report(state, deps, generation, full)
    if state.locale is None:  # a translation's report belongs to its locale's outcome, not the request
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
