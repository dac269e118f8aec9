"""ExecutionWatch: what follows a request's execution ending, and its review being requested.

- An execution that ended outside its failure path (an uncatchable error, the execution's timeout, a stop):
  the request is marked failed with the cause and its budget holds are released.
- Then, and when a review is requested, the request's callbackUrl (if any) gets its signed POST; a receiver
  that does not take it makes this invocation fail, so Lambda retries it with backoff.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import MetricUnit, logger, metrics, tracer

REVIEW_REQUESTED = "AssetReviewRequested"


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app import callbacks
    from flashfusion.app.ended_executions import EndedExecution, settle
    from flashfusion.models import RequestStatus
    from flashfusion.wiring import get_deps

    detail = event.get("detail") or {}
    deps = get_deps()
    if event.get("detail-type") == REVIEW_REQUESTED:
        org_id, request_id = str(detail.get("orgId", "")), str(detail.get("requestId", ""))
        if not org_id or not request_id:
            return {"settled": False, "callback": "none"}
        logger.set_correlation_id(request_id)
        sent = callbacks.deliver(org_id, request_id, deps, expect=RequestStatus.NEEDS_REVIEW)
        return {"settled": False, "callback": sent}
    ended = EndedExecution.from_event(detail)
    if ended is None:
        return {"settled": False, "callback": "none"}
    logger.set_correlation_id(ended.request_id)
    settled = settle(ended, deps)
    if settled:
        metrics.add_metric(name="RequestsSettledAfterExecutionEnded", unit=MetricUnit.Count, value=1)
    sent = callbacks.deliver(ended.org_id, ended.request_id, deps)
    if sent == "delivered":
        metrics.add_metric(name="CallbacksDelivered", unit=MetricUnit.Count, value=1)
    return {"settled": settled, "callback": sent}
