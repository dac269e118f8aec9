"""RequestReview: opens a review holding the workflow's task token, and announces it; the workflow waits."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app import review_steps
    from flashfusion.models import WorkflowState
    from flashfusion.wiring import get_deps

    # lambda:invoke.waitForTaskToken hands over {"taskToken", "state"}; the token is never logged.
    state = WorkflowState.model_validate(event["state"])
    logger.set_correlation_id(state.request.request_id)
    logger.append_keys(orgId=state.request.org_id, step="request_review")
    return review_steps.request_review(state, str(event["taskToken"]), get_deps())
