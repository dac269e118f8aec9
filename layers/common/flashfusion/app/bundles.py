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
import re
import uuid
from typing import TYPE_CHECKING, Any

from flashfusion.app import budget_alerts
from flashfusion.app.deps import Deps
from flashfusion.errors import BudgetExceeded, BundlePartFailed, readable_cause
from flashfusion.limits import LINT_SUMMARY_BYTES
from flashfusion.linting.bundle import BundleContent, ImagePart, lint_bundle
from flashfusion.linting.ocr_types import OcrUnavailable
from flashfusion.linting.summary import summarize
from flashfusion.models import (
    BUNDLE_ROLES,
    DEFAULT_CAROUSEL_IMAGES,
    MAX_PROMPT_CHARS,
    AssetRef,
    AssetRequest,
    BundleCheck,
    BundleItem,
    BundlePartRecord,
    BundlePlan,
    BundleRecord,
    BundleSpec,
    BundleView,
    ContentType,
    Generation,
    LintReport,
    OutputOptions,
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
from flashfusion.routing import router

if TYPE_CHECKING:
    from flashfusion.storage.reviews import ReviewPart

BUNDLE_NAMESPACE = uuid.UUID("0c7b3d52-8f4e-4a61-9d2b-5e8a1f3c7b90")
ROLE_TYPES = {
    "copy": ContentType.TEXT,
    "script": ContentType.TEXT,
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "music": ContentType.MUSIC,
}
OPTIONAL_BY_DEFAULT = frozenset({"music"})
"""A reel without its music is still a reel; every other part is needed."""
HEADLINE_WORDS = 9
"""The offline image generator draws at most this many words; a real model's headline should be short too."""


def bundle_id_of(request: AssetRequest) -> str:
    return str(uuid.uuid5(BUNDLE_NAMESPACE, request.request_id))


def hold_id(request: AssetRequest) -> str:
    """The bundle's one budget reservation (it begins with the request id, as release_request expects)."""
    return f"{request.request_id}.bundle"


def _spec(request: AssetRequest) -> BundleSpec:
    if request.bundle is None:
        raise ValueError("not a bundle request: the state machine sent a single asset to a bundle step")
    return request.bundle


def planned_parts(spec: BundleSpec) -> list[PartPlan]:
    """Every part of the bundle, the lead text part first (the media parts are made from it)."""
    roles = BUNDLE_ROLES[spec.kind]
    lead_role = roles[0]
    parts = [PartPlan(part_id=lead_role, role=lead_role, content_type=ROLE_TYPES[lead_role], index=0)]
    for role in roles[1:]:
        options = spec.parts.get(role)
        required = options.required if options and options.required is not None else role not in OPTIONAL_BY_DEFAULT
        count = (spec.image_count or DEFAULT_CAROUSEL_IMAGES) if spec.kind == "carousel" and role == "image" else 1
        for n in range(1, count + 1):
            part_id = f"{role}-{n}" if spec.kind == "carousel" and role == "image" else role
            parts.append(
                PartPlan(
                    part_id=part_id,
                    role=role,
                    content_type=ROLE_TYPES[role],
                    required=required,
                    derived_from=lead_role,
                    index=len(parts),
                )
            )
    return parts


def part_request(request: AssetRequest, part: PartPlan, prompt: str) -> AssetRequest:
    """The part's own request: the bundle's, with the part's content type, prompt and options."""
    spec = _spec(request)
    chosen = spec.parts.get(part.role)
    options = chosen.options if chosen else OutputOptions()
    if part.content_type == ContentType.VIDEO and options.aspect_ratio is None and spec.kind == "reel":
        options = options.model_copy(update={"aspect_ratio": "9:16"})  # a reel is vertical
    if part.content_type == ContentType.IMAGE and options.size is None and request.options.size is not None:
        options = options.model_copy(update={"size": request.options.size})
    return request.model_copy(
        update={"content_type": part.content_type, "prompt": prompt[:MAX_PROMPT_CHARS], "options": options}
    )


# --- budget: one hold for the whole bundle --------------------------------------------------------


def reserve(state: WorkflowState, deps: Deps) -> None:
    """Hold the estimate of every part before any part runs (RouteModel of the lead calls this).

    Idempotent per request (a regeneration round finds its hold in place). BudgetExceeded sends the
    request where an over-budget request goes (the batch queue, or a failure with nothing held).
    """
    request = state.request
    spec = _spec(request)
    remaining = deps.budgets.status(request.org_id).available_usd
    if hold_id(request) in deps.budgets.reservations(request.org_id):
        return
    total = 0.0
    for part in planned_parts(spec):
        query = router.query_for(part_request(request, part, request.prompt), deps.available_providers, remaining)
        total += router.route(deps.matrix, query).estimated_cost_usd
    if total <= 0:
        return  # offline models cost nothing: nothing to hold
    if not deps.budgets.reserve(request.org_id, hold_id(request), total):
        raise BudgetExceeded(
            f"the bundle's estimate ({total:.4f} USD for {len(planned_parts(spec))} parts) does not fit the "
            "organisation's remaining budget"
        )
    logger.info("bundle budget held", extra={"holdUsd": total, "parts": len(planned_parts(spec))})


def close_hold(deps: Deps, request: AssetRequest) -> bool:
    """Turn the bundle's hold into what its vendors billed (every successful call), the rest released."""
    org_id = request.org_id
    if hold_id(request) not in deps.budgets.reservations(org_id):
        return False
    record = deps.requests.get(org_id, request.request_id)
    spent = sum(a.cost_usd or 0.0 for a in record.attempts if a.outcome == "succeeded")
    closed = deps.budgets.settle(org_id, hold_id(request), spent)
    if closed and spent > 0:
        budget_alerts.after_spend(deps, org_id)
    return closed


# --- planning the media parts from the lead text --------------------------------------------------

_MARKUP = re.compile(r"(?:https?://|www\.)\S+|[#@][\w-]+|[*_`>#]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The lead text's sentences without links, hashtags, mentions or markdown, in order."""
    out = []
    for piece in _SENTENCE.split(text):
        cleaned = " ".join(_MARKUP.sub(" ", piece).split()).strip(" -\u2013\u2014:;,")
        if len(cleaned.split()) >= 2:
            out.append(cleaned)
    return out


def headline(sentence: str) -> str:
    words = sentence.rstrip(".!?").split()
    text = " ".join(words[:HEADLINE_WORDS])
    return text.replace('"', "'")


def derived_prompt(part: PartPlan, lead_text: str, brief: str, total_images: int) -> str:
    """The part's prompt, made from the lead text part (a headline, a hook) and the bundle's brief."""
    lines = sentences(lead_text) or [brief]
    if part.role == "image":
        n = int(part.part_id.rsplit("-", 1)[1]) if "-" in part.part_id else 1
        line = lines[(n - 1) % len(lines)]
        slide = f"Slide {n} of {total_images}: " if total_images > 1 else ""
        return f'{slide}an image with the headline "{headline(line)}", matching this post. Brief: {brief}'
    if part.role == "video":
        return f'A vertical video for this script, opening on "{headline(lines[0])}". Brief: {brief}'
    return f"Background music for a reel about: {brief}"


def plan_parts(state: WorkflowState, deps: Deps) -> BundlePlan:
    """PlanParts: the media parts' requests, their prompts made from the finished lead text part."""
    request = state.request
    spec = _spec(request)
    generation = _lead(state)
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


def _lead(state: WorkflowState) -> Generation:
    generation = state.generation
    if not isinstance(generation, Generation):
        raise ValueError("the bundle's lead part has not finished: the state machine skipped its generation")
    return generation


def _plan(state: WorkflowState) -> BundlePlan:
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
    plan = _plan(state)
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
    lead_text = deps.assets.read_staged(request.org_id, _lead(state).staging_key).decode("utf-8", "replace")
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


def _part_state(state: WorkflowState, deps: Deps, item: BundleItem, result: PartResult) -> WorkflowState:
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
    plan = _plan(state)
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.SAVING)
    lead_state = state.model_copy(update={"part": plan.lead})
    version_status = DECIDED.get(state.review.decision if state.review else "approve", "published")
    lead = store_version(lead_state, deps, _lead(state), status=version_status)
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
            _part_state(state, deps, item, result),
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

    plan = _plan(state)
    lead = _lead(state)
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


def revise(state: WorkflowState, deps: Deps) -> WorkflowState:
    """ReviseBundle: act on a review decision that names one part: its edit becomes its next version (the
    lead's through the single asset's ApplyEdits logic), or it is made again with the feedback (the lead: the
    whole bundle from RouteModel on; a media part: that part alone through the parts' Map)."""
    from flashfusion.app import review_steps

    outcome = state.review
    if outcome is None:
        raise ValueError("workflow state has no 'review': ReviseBundle runs after a bundle's review")
    plan = _plan(state)
    part_id = outcome.part_id or plan.lead.part_id
    _supersede(state, deps, part_id)  # the version the reviewer sent back stays on the record
    if outcome.decision == "approve_with_edits":
        if part_id == plan.lead.part_id:
            edited = review_steps.apply_edits(state, deps)
            return state.model_copy(
                update={"generation": edited, "bundle": plan.model_copy(update={"regenerate": "none"})}
            )
        results = merged_results(state)
        target = _result(results, part_id)
        edited = review_steps.apply_edits(state.model_copy(update={"generation": target.generation}), deps)
        updated = [
            r.model_copy(update={"generation": edited, "compliant": None}) if r.part.part_id == part_id else r
            for r in results
        ]
        return state.model_copy(
            update={"parts": updated, "kept_parts": None, "bundle": plan.model_copy(update={"regenerate": "none"})}
        )
    if outcome.decision != "regenerate":
        raise ValueError(f"ReviseBundle does not act on {outcome.decision!r}")
    policy = state.validated.review if state.validated else None
    limit = policy.max_regenerations if policy else 0
    if state.revision.round >= limit:
        from flashfusion.errors import RegenerationLimitReached

        raise RegenerationLimitReached(f"{state.revision.round} of {limit} regeneration rounds already used")
    deps.requests.set_status(state.request.org_id, state.request.request_id, RequestStatus.REGENERATING)
    if part_id == plan.lead.part_id:
        fresh = review_steps.prepare_regeneration(state, deps)
        return fresh.model_copy(
            update={
                "bundle": plan.model_copy(update={"regenerate": "lead", "queue": []}),
                "parts": None,
                "kept_parts": None,
                "bundle_check": None,
            }
        )
    results = merged_results(state)
    item = next(i for i in plan.items if i.part.part_id == part_id)
    previous = _result(results, part_id, allow_failed=True)
    feedback = [*item.revision.feedback, (outcome.feedback or "").strip()]
    version = previous.generation.version if previous.generation else item.revision.version
    revision = Revision(
        version=version + 1,
        parent_version=version if previous.generation else None,
        round=item.revision.round + 1,
        feedback=[f for f in feedback if f],
    )
    revision = revision.model_copy(
        update={"prompt_hash": prompt_hash(review_steps.effective_prompt(item.request, revision))}
    )
    again = item.model_copy(update={"revision": revision})
    items = [again if i.part.part_id == part_id else i for i in plan.items]
    return state.model_copy(
        update={
            "bundle": plan.model_copy(update={"items": items, "queue": [again], "regenerate": "parts"}),
            "kept_parts": [r for r in results if r.part.part_id != part_id],
            "parts": None,
            "bundle_check": None,
            "review": None,
            # the bundle's round: the regeneration limit counts it, and the next review is a new one
            "revision": state.revision.model_copy(update={"round": state.revision.round + 1}),
        }
    )


def _supersede(state: WorkflowState, deps: Deps, part_id: str) -> None:
    """Store the part's reviewed version as superseded (the edit or the regeneration names it as parent)."""
    from flashfusion.app.versions import store_version

    plan = _plan(state)
    if part_id == plan.lead.part_id:
        store_version(state.model_copy(update={"part": plan.lead}), deps, _lead(state), status="superseded")
        return
    item = next((i for i in plan.items if i.part.part_id == part_id), None)
    result = next((r for r in merged_results(state) if r.part.part_id == part_id), None)
    if item is None or result is None or result.generation is None:
        return  # a failed part: nothing was made to keep
    store_version(_part_state(state, deps, item, result), deps, result.generation, status="superseded")


def _result(results: list[PartResult], part_id: str, *, allow_failed: bool = False) -> PartResult:
    for result in results:
        if result.part.part_id == part_id and (allow_failed or result.generation is not None):
            return result
    raise ValueError(f"the bundle has no made part {part_id!r}")
