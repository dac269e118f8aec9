"""Cancelling a request: its execution stops, its budget holds go back, an open review closes, and the
request records ``cancelled`` (by whom). A request that has ended already cannot be cancelled (409)."""

from __future__ import annotations

from typing import Any

from flashfusion.app.deps import Deps
from flashfusion.app.submissions import status
from flashfusion.errors import RequestConflict
from flashfusion.models import FINAL_STATUSES, RequestRecord
from flashfusion.observability import logger


def cancel(org_id: str, request_id: str, user_id: str, deps: Deps, sfn: Any) -> RequestRecord:
    record = status(org_id, request_id, deps)  # an unknown or another organisation's id: RequestNotFound (404)
    if record.status in FINAL_STATUSES:
        raise RequestConflict(f"request {request_id} has already ended: {record.status.value}", status=record.status)
    execution_arn = deps.requests.get_item(org_id, request_id) or {}
    arn = execution_arn.get("executionArn")
    if arn:  # stopped first, so no later step of it writes over the cancellation
        try:
            sfn.stop_execution(executionArn=arn, error="RequestCancelled", cause=f"cancelled by {user_id}")
        except sfn.exceptions.ExecutionDoesNotExist:
            logger.warning("no execution to stop", extra={"requestId": request_id})
    if not deps.requests.cancel_if_open(org_id, request_id, user_id):
        ended = deps.requests.get(org_id, request_id)
        raise RequestConflict(f"request {request_id} has already ended: {ended.status.value}", status=ended.status)
    released = deps.budgets.release_request(org_id, request_id)
    if record.review is not None:
        deps.reviews.cancel(org_id, record.review.review_id)
    logger.info("request cancelled", extra={"requestId": request_id, "released": released})
    deps.emit("AssetRequestCancelled", {"orgId": org_id, "requestId": request_id, "by": user_id})
    return deps.requests.get(org_id, request_id)
