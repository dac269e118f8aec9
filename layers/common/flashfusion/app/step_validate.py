"""ValidateRequest: the request's kit, review policy and shape, checked before anything is paid for.

Split out of ``flashfusion.app.steps`` (which re-exports every name): a step's handler loads its own
module and what that needs, not the other steps' (issue 16).
"""

from __future__ import annotations

from flashfusion.app.deps import Deps
from flashfusion.errors import (
    FaultInjectionNotAllowed,
    SigningNotConfigured,
)
from flashfusion.models import (
    RequestStatus,
    ReviewPolicy,
    ValidatedRequest,
    WorkflowState,
    prompt_hash,
)


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
