"""RouteModel, Fallback and ReleaseBudget: the model and its chain, each hop with its budget reservation.

Split out of ``flashfusion.app.steps`` (which re-exports every name): a step's handler loads its own
module and what that needs, not the other steps' (issue 16).
"""

from __future__ import annotations

from typing import Any

from flashfusion.app import result_cache
from flashfusion.app.deps import Deps
from flashfusion.app.step_common import RESERVATION_TRIES, _require, request_metric
from flashfusion.errors import (
    BudgetExceeded,
    readable_cause,
)
from flashfusion.models import (
    AssetRequest,
    RequestStatus,
    Revision,
    RouteDecision,
    WorkflowState,
)
from flashfusion.observability import MetricUnit, logger
from flashfusion.routing import router


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
    if result_cache.ledger_for(deps, request).reserve(request.org_id, reservation_id, decision.estimated_cost_usd):
        return decision.model_copy(update={"reservation_id": reservation_id})
    return None


def route(state: WorkflowState, deps: Deps) -> RouteDecision:
    request = state.request
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.ROUTING)
    if request.bundle is not None and state.part is None:
        from flashfusion.app import bundle_planning

        bundle_planning.reserve(state, deps)  # the whole bundle's estimate, before any part runs
    for _ in range(RESERVATION_TRIES):
        remaining = result_cache.ledger_for(deps, request).status(request.org_id).available_usd
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
        result_cache.ledger_for(deps, request).release(request.org_id, decision.reservation_id)
    error = state.last_error or {}
    error_name = str(error.get("Error", "Unknown"))
    message = readable_cause(str(error.get("Cause", "")))
    logger.warning("falling back", extra={"failedModel": decision.model, "error": error_name})
    for _ in range(RESERVATION_TRIES):
        remaining = result_cache.ledger_for(deps, request).status(request.org_id).available_usd
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
    ledger = result_cache.ledger_for(deps, state.request)
    held = decision.reservation_id if decision else None
    released = bool(held and ledger.release(state.request.org_id, held))
    # Every failure path of the workflow passes here (ReleaseBudget -> MarkFailed).
    if state.request.bundle is not None:
        from flashfusion.app import bundle_planning

        # what was billed is spent, the rest freed
        released = bundle_planning.close_hold(deps, state.request) or released
    result_cache.speculation_ended(deps, state.request)
    request_metric("RequestsFailed", MetricUnit.Count, 1, state.request, decision.model if decision else None)
    return {"released": released}
