"""Batch requests that ran out of budget wait in the SQS batch queue; this restarts them when it allows."""

from __future__ import annotations

from typing import Any

from flashfusion.app import submissions
from flashfusion.app.deps import Deps
from flashfusion.app.step_routing import route_query
from flashfusion.models import AssetRequest
from flashfusion.routing import router


def resume(body: dict[str, Any], receive_count: int, deps: Deps, sfn: Any) -> str:
    """Restart a queued request if some model now fits its organisation's budget.

    Raises BudgetExceeded while nothing fits, so the message goes back to the queue and is tried
    again after its visibility timeout (and, past maxReceiveCount, lands in the dead-letter queue).
    """
    request = AssetRequest.model_validate(body["request"])
    remaining = deps.budgets.status(request.org_id).available_usd
    router.route(deps.matrix, route_query(request, deps, remaining))
    deps.requests.resume(request.org_id, request.request_id)
    return submissions.start(request, deps, sfn, name=f"{request.request_id}-retry-{receive_count}")
