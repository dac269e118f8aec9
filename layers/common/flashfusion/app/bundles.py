"""Bundles: a post (copy + image), a reel (script + video + music), a carousel (copy + N images).

The bundle's request is its lead text part (copy or script): it goes through the single-asset states
(RouteModel, Generate, LintAsset, AutoFix). RouteModel first holds the budget of the whole bundle (one
reservation, ``<requestId>.bundle``; no part holds its own). PlanParts then makes each media part's request
from the lead text (the image's headline from the copy's first sentence, the video from the script's
opening), and the parts' Map state runs each through the same route/generate/poll/fallback/lint/autofix
states. LintBundle checks the parts together (flashfusion.linting.bundle); SaveBundle stores every part
with its own provenance (bundleId, and the lead as the ingredient a derived part was made from), the
bundle's own record listing its parts, and turns the hold into the bundle's actual spend. Every failure
path settles the hold the same way (spent what the vendors billed, the rest released).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from flashfusion.app.bundle_planning import (
    bundle_id_of,
    close_hold,
    derived_prompt,
    hold_id,
    part_request,
    planned_parts,
    spec_of,
)
from flashfusion.app.deps import Deps
from flashfusion.errors import BundlePartFailed, readable_cause
from flashfusion.limits import LINT_SUMMARY_BYTES
from flashfusion.linting.bundle import BundleContent, ImagePart, lint_bundle
from flashfusion.linting.ocr_types import OcrUnavailable
from flashfusion.linting.summary import summarize
from flashfusion.models import (
    AssetRef,
    AssetRequest,
    BundleCheck,
    BundleItem,
    BundlePartRecord,
    BundlePlan,
    BundleRecord,
    BundleView,
    ContentType,
    Generation,
    LintReport,
    PartPlan,
    PartResult,
    PartView,
    RequestStatus,
    Revision,
    SavedAsset,
    WorkflowState,
    prompt_hash,
)
from flashfusion.observability import logger

if TYPE_CHECKING:
    from flashfusion.storage.reviews import ReviewPart


def plan_parts(state: WorkflowState, deps: Deps) -> BundlePlan:
    """PlanParts: the media parts' requests, their prompts made from the finished lead text part."""
    request = state.request
    spec = spec_of(request)
    generation = lead_generation(state)
    lead_text = deps.assets.read_staged(request.org_id, generation.staging_key).decode("utf-8", "replace")
    parts = planned_parts(spec)
    images = sum(p.role == "image" for p in parts)
    items = []
    for part in parts[1:]:
        chosen = spec.parts.get(part.role)
        prompt = chosen.prompt if chosen and chosen.prompt else derived_prompt(part, lead_text, request.prompt, images)
        items.append(
            BundleItem(
                request=part_request(request, part, prompt),
                part=part,
                revision=Revision(prompt_hash=prompt_hash(prompt)),
            )
        )
    plan = BundlePlan(
        bundle_id=bundle_id_of(request),
        kind=spec.kind,
        lead=parts[0],
        items=items,
        queue=items,
        hold_id=hold_id(request),
    )
    views = [_view(parts[0], "generated")] + [_view(p, "planned") for p in parts[1:]]
    deps.requests.set_bundle(
        request.org_id, request.request_id, BundleView(bundle_id=plan.bundle_id, kind=spec.kind, parts=views)
    )
    return plan


def _view(part: PartPlan, status: Any, **extra: Any) -> PartView:
    return PartView(
        part_id=part.part_id,
        role=part.role,
        content_type=part.content_type,
        required=part.required,
        derived_from=part.derived_from,
        status=status,
        **extra,
    )


def lead_generation(state: WorkflowState) -> Generation:
    generation = state.generation
    if not isinstance(generation, Generation):
        raise ValueError("the bundle's lead part has not finished: the state machine skipped its generation")
    return generation


def plan_of(state: WorkflowState) -> BundlePlan:
    if state.bundle is None:
        raise ValueError("workflow state has no 'bundle': PlanParts did not run")
    return state.bundle


# --- checking the parts together ----------------------------------------------------------------


def _image_part(deps: Deps, org_id: str, part: PartResult) -> ImagePart:
    from PIL import Image

    generation = part.generation
    assert generation is not None
    data = deps.assets.read_staged(org_id, generation.staging_key)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        fmt = (image.format or generation.extension).lower()
    text: str | None = None
    if deps.ocr is not None:
        try:
            words = deps.ocr.words(data)
            lines: dict[int, list[str]] = {}
            for word in words:
                lines.setdefault(word.line, []).append(word.text)
            text = "\n".join(" ".join(line) for line in lines.values())
        except OcrUnavailable as error:
            logger.warning("bundle image not read", extra={"part": part.part.part_id, "reason": str(error)})
    return ImagePart(part_id=part.part.part_id, width=width, height=height, text=text, fmt=fmt, size_bytes=len(data))


def check_parts(state: WorkflowState, deps: Deps) -> BundleCheck:
    """LintBundle: a required part that could not be made fails the bundle (BundlePartFailed); otherwise
    the parts are linted together and the verdict says whether every part and the bundle passed."""
    request = state.request
    plan = plan_of(state)
    results = merged_results(state)
    failed = [r for r in results if r.status == "failed"]
    required = [r for r in failed if r.part.required]
    _record_views(deps, request, plan, results, lead_status="generated")
    if required:
        first = required[0]
        cause = readable_cause(str((first.error or {}).get("Cause", "")))
        raise BundlePartFailed(
            f"the bundle's {', '.join(r.part.part_id for r in required)} part could not be made"
            + (f": {cause}" if cause else "")
        )
    validated = state.validated
    assert validated is not None
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version).for_locale(None)
    lead_text = deps.assets.read_staged(request.org_id, lead_generation(state).staging_key).decode("utf-8", "replace")
    images = [
        _image_part(deps, request.org_id, r)
        for r in results
        if r.status == "done" and r.generation is not None and r.part.content_type == ContentType.IMAGE
    ]
    content = BundleContent(
        caption=lead_text,
        caption_part=plan.lead.part_id,
        images=images,
        channel=request.channel,
        sponsored=request.sponsored,
        carousel=plan.kind == "carousel",
    )
    full = lint_bundle(content, kit)
    key = deps.assets.stage(
        request.org_id,
        request.request_id,
        f"{plan.bundle_id}.r{state.revision.round}.bundle-lint.json",
        full.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8"),
        "application/json",
    )
    summary = summarize(full, budget_bytes=LINT_SUMMARY_BYTES // 2, report_key=key)
    parts_ok = bool(state.lint and state.lint.compliant) and all(r.compliant for r in results if r.status == "done")
    view = _views(plan, results, lead_status="generated", lead_lint=state.lint)
    deps.requests.set_bundle(
        request.org_id,
        request.request_id,
        view.model_copy(update={"lint_passed": full.compliant, "violations": summary.violations[:20]}),
    )
    return BundleCheck(
        compliant=parts_ok and full.compliant,
        lint=summary,
        failed_optional=[r.part.part_id for r in failed],
    )


def _views(
    plan: BundlePlan, results: list[PartResult], *, lead_status: Any, lead_lint: LintReport | None = None
) -> BundleView:
    views = [_view(plan.lead, lead_status, lint_passed=lead_lint.compliant if lead_lint else None)]
    by_id = {r.part.part_id: r for r in results}
    for item in plan.items:
        result = by_id.get(item.part.part_id)
        if result is None:
            views.append(_view(item.part, "planned"))
        elif result.status == "failed":
            cause = readable_cause(str((result.error or {}).get("Cause", ""))) or None
            views.append(_view(item.part, "failed", error=cause[:500] if cause else None))
        else:
            views.append(_view(item.part, "generated", lint_passed=result.compliant))
    return BundleView(bundle_id=plan.bundle_id, kind=plan.kind, parts=views)


def _record_views(deps: Deps, request: AssetRequest, plan: BundlePlan, results: list[PartResult], **kw: Any) -> None:
    deps.requests.set_bundle(request.org_id, request.request_id, _views(plan, results, **kw))


# --- saving every part, and the bundle's record ------------------------------------------------


def part_state(state: WorkflowState, deps: Deps, item: BundleItem, result: PartResult) -> WorkflowState:
    lint = None
    if result.lint_report_key:
        lint = LintReport.model_validate_json(deps.assets.read_staged(state.request.org_id, result.lint_report_key))
    return state.model_copy(
        update={
            "request": item.request,
            "part": item.part,
            "generation": result.generation,
            "lint": lint,
            "revision": result.revision or item.revision,
            "route": None,
        }
    )


def save_parts(state: WorkflowState, deps: Deps) -> SavedAsset:
    """SaveBundle: every part stored with its credentials and provenance (bundleId; a derived part names the
    lead as its ingredient), the bundle's record listing its parts, the hold settled; the lead is the result."""
    from flashfusion.app.versions import store_version

    request = state.request
    plan = plan_of(state)
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.SAVING)
    lead_state = state.model_copy(update={"part": plan.lead})
    version_status = DECIDED.get(state.review.decision if state.review else "approve", "published")
    lead = store_version(lead_state, deps, lead_generation(state), status=version_status)
    records = [_part_record(plan.lead, lead.asset)]
    lead_shown = "saved" if version_status == "published" else "rejected"
    views = [_view(plan.lead, lead_shown, asset=lead.asset, lint_passed=lead.provenance.lint_passed)]
    by_id = {r.part.part_id: r for r in merged_results(state)}
    version_status = DECIDED.get(state.review.decision if state.review else "approve", "published")
    for item in plan.items:
        result = by_id.get(item.part.part_id)
        if result is None or result.status != "done" or result.generation is None:
            records.append(_part_record(item.part, None, "failed" if result else "omitted"))
            cause = readable_cause(str(((result.error if result else None) or {}).get("Cause", ""))) or None
            views.append(_view(item.part, "failed", error=cause[:500] if cause else None))
            continue
        saved = store_version(
            part_state(state, deps, item, result),
            deps,
            result.generation,
            status=version_status,
            # made from the lead (its ingredient), unless it is a later version of itself (edited, made again)
            parent_asset_id=None if result.generation.parent_version else lead.asset.asset_id,
            parent_version=None if result.generation.parent_version else lead.asset.version,
        )
        records.append(_part_record(item.part, saved.asset))
        shown = "saved" if version_status == "published" else "rejected"
        views.append(_view(item.part, shown, asset=saved.asset, lint_passed=saved.provenance.lint_passed))
    check = state.bundle_check
    validated = state.validated
    assert validated is not None
    deps.provenance.put_bundle(
        BundleRecord(
            bundle_id=plan.bundle_id,
            org_id=request.org_id,
            request_id=request.request_id,
            kind=plan.kind,
            brand_kit_id=validated.brand_kit_id,
            brand_kit_version=validated.brand_kit_version,
            channel=request.channel,
            sponsored=request.sponsored,
            parts=records,
            lint_passed=bool(check and check.lint.compliant),
            lint_results=check.lint.result_per_rule() if check else {},
            status=version_status if version_status != "superseded" else "published",
            reviewer=state.review.reviewer if state.review else None,
            decision=state.review.decision if state.review else None,
        )
    )
    close_hold(deps, request)
    deps.requests.set_bundle(
        request.org_id,
        request.request_id,
        BundleView(
            bundle_id=plan.bundle_id,
            kind=plan.kind,
            parts=views,
            lint_passed=check.lint.compliant if check else None,
            violations=check.lint.violations[:20] if check else [],
        ),
    )
    if version_status == "published":
        deps.requests.set_saved(request.org_id, request.request_id, lead.asset, RequestStatus.SUCCEEDED)
    else:  # rejected or let expire: stored for the audit, nothing published
        ended = RequestStatus.REJECTED if version_status == "rejected" else RequestStatus.REVIEW_EXPIRED
        deps.requests.set_status(request.org_id, request.request_id, ended)
    return lead


def _part_record(part: PartPlan, asset: AssetRef | None, status: Any = "saved") -> BundlePartRecord:
    return BundlePartRecord(
        part_id=part.part_id,
        role=part.role,
        content_type=part.content_type,
        asset_id=asset.asset_id if asset else None,
        version=asset.version if asset else None,
        key=asset.key if asset else None,
        derived_from=part.derived_from,
        status=status if asset is None else "saved",
    )


DECIDED: dict[str, Any] = {
    "approve": "published",
    "approve_with_edits": "published",
    "reject": "rejected",
    "expired": "expired",
}
"""How each way a bundle's review can end stores its parts (a regeneration never reaches SaveBundle)."""


def merged_results(state: WorkflowState) -> list[PartResult]:
    """Every media part's latest result: the ones kept from the round before, replaced by any made again."""
    made = {r.part.part_id: r for r in state.parts or []}
    kept = [r for r in state.kept_parts or [] if r.part.part_id not in made]
    order = {item.part.part_id: n for n, item in enumerate(state.bundle.items)} if state.bundle else {}
    return sorted([*kept, *made.values()], key=lambda r: order.get(r.part.part_id, len(order)))


# --- review as one: every part on one review; a decision edits or regenerates one part --------------


def review_parts(state: WorkflowState, deps: Deps) -> list[ReviewPart]:
    """The bundle's parts as its review shows them: the lead first, each with its staged file and findings."""
    from flashfusion.storage.reviews import Preview, ReviewPart

    plan = plan_of(state)
    lead = lead_generation(state)
    bucket = deps.assets.bucket

    def preview(generation: Generation) -> Preview:
        return Preview(bucket=bucket, key=generation.staging_key, mime_type=generation.mime_type)

    parts = [
        ReviewPart(
            part_id=plan.lead.part_id,
            role=plan.lead.role,
            content_type=plan.lead.content_type.value,
            preview=preview(lead),
            lint_passed=state.lint.compliant if state.lint else None,
            violations=(state.lint.violations if state.lint else [])[:REVIEW_PART_FINDINGS],
        )
    ]
    for result in merged_results(state):
        part = result.part
        if result.status == "failed" or result.generation is None:
            cause = readable_cause(str((result.error or {}).get("Cause", ""))) or None
            parts.append(
                ReviewPart(
                    part_id=part.part_id,
                    role=part.role,
                    content_type=part.content_type.value,
                    required=part.required,
                    status="failed",
                    error=cause[:500] if cause else None,
                )
            )
            continue
        findings = []
        if result.lint_report_key:
            report = LintReport.model_validate_json(
                deps.assets.read_staged(state.request.org_id, result.lint_report_key)
            )
            findings = report.violations[:REVIEW_PART_FINDINGS]
        parts.append(
            ReviewPart(
                part_id=part.part_id,
                role=part.role,
                content_type=part.content_type.value,
                required=part.required,
                preview=preview(result.generation),
                lint_passed=result.compliant,
                violations=findings,
            )
        )
    return parts


REVIEW_PART_FINDINGS = 10
"""Findings per part on the review (the full reports stay in the staging area)."""
