"""ReviseBundle: a bundle review's decision about one part (its ``partId``; the lead text part by default).

An edit becomes the part's next version (human-edited), through the single asset's ApplyEdits logic. A
regeneration of the lead makes the whole bundle again from RouteModel (its parts are planned again from the
new lead); a regeneration of a media part makes that part alone again through the parts' Map state, the
others kept. The version the reviewer sent back is stored as superseded first, as for a single asset.
"""

from __future__ import annotations

from flashfusion.app import review_steps
from flashfusion.app.bundles import lead_generation, merged_results, part_state, plan_of
from flashfusion.app.deps import Deps
from flashfusion.errors import RegenerationLimitReached
from flashfusion.models import PartResult, RequestStatus, Revision, WorkflowState, prompt_hash


def revise(state: WorkflowState, deps: Deps) -> WorkflowState:
    """ReviseBundle: act on a review decision that names one part: its edit becomes its next version (the
    lead's through the single asset's ApplyEdits logic), or it is made again with the feedback (the lead: the
    whole bundle from RouteModel on; a media part: that part alone through the parts' Map)."""
    outcome = state.review
    if outcome is None:
        raise ValueError("workflow state has no 'review': ReviseBundle runs after a bundle's review")
    plan = plan_of(state)
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

    plan = plan_of(state)
    if part_id == plan.lead.part_id:
        store_version(state.model_copy(update={"part": plan.lead}), deps, lead_generation(state), status="superseded")
        return
    item = next((i for i in plan.items if i.part.part_id == part_id), None)
    result = next((r for r in merged_results(state) if r.part.part_id == part_id), None)
    if item is None or result is None or result.generation is None:
        return  # a failed part: nothing was made to keep
    store_version(part_state(state, deps, item, result), deps, result.generation, status="superseded")


def _result(results: list[PartResult], part_id: str, *, allow_failed: bool = False) -> PartResult:
    for result in results:
        if result.part.part_id == part_id and (allow_failed or result.generation is not None):
            return result
    raise ValueError(f"the bundle has no made part {part_id!r}")
