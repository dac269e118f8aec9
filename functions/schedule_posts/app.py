"""SchedulePosts step: one post and one EventBridge Scheduler schedule per target of the saved asset."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import MetricUnit, logger, metrics, tracer
from flashfusion.step_handler import check_state_budget


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app.schedule_posts import schedule_posts
    from flashfusion.models import WorkflowState
    from flashfusion.wiring import scheduling_deps

    state = WorkflowState.model_validate(event)
    logger.set_correlation_id(state.request.request_id)
    logger.append_keys(orgId=state.request.org_id, step="schedule_posts")
    result = schedule_posts(state, scheduling_deps())
    check_state_budget("schedule_posts", event, result)
    metrics.add_metric(name="PostsScheduled", unit=MetricUnit.Count, value=len(result["posts"]))
    if result["skipped"]:
        logger.info("posts skipped", extra={"skipped": result["skipped"]})
    return result
