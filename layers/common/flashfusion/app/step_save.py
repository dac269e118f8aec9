"""SaveAsset: the compliant (or approved) version stored with its content credentials.

Split out of ``flashfusion.app.steps`` (which re-exports every name): a step's handler loads its own
module and what that needs, not the other steps' (issue 16).
"""

from __future__ import annotations

from flashfusion.app import result_cache
from flashfusion.app.deps import Deps
from flashfusion.app.step_common import _ready, request_metric
from flashfusion.models import (
    RequestStatus,
    SavedAsset,
    WorkflowState,
)
from flashfusion.observability import MetricUnit, metrics


def save(state: WorkflowState, deps: Deps) -> SavedAsset:
    """The request's result: the compliant (or reviewer-approved) version, stored with its credentials."""
    from flashfusion.app.versions import store_version

    request = state.request
    deps.requests.set_status(request.org_id, request.request_id, RequestStatus.SAVING)
    saved = store_version(state, deps, _ready(state), status="published")
    result_cache.remember(state, deps, _ready(state))  # a later request of the same brief may reuse it
    after = RequestStatus.TRANSLATING if request.locales else RequestStatus.SUCCEEDED
    deps.requests.set_saved(request.org_id, request.request_id, saved.asset, after)
    metrics.add_metric(name="AssetCostUSD", unit=MetricUnit.NoUnit, value=_ready(state).cost.usd)
    request_metric("AssetsSaved", MetricUnit.Count, 1, request, saved.asset.model)
    return saved
