"""Publish: a post's schedule fired; publish it once, through its platform's adapter.

Input (the schedule's target input): ``{"orgId", "postId", "scheduleName"}``. Returns the outcome;
an unknown platform error is raised, so Lambda's async retries and then the dead-letter queue apply.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app import publishing
    from flashfusion.wiring import publish_deps

    org_id, post_id = str(event["orgId"]), str(event["postId"])
    logger.set_correlation_id(post_id)
    publishing.IDEMPOTENCY_CONFIG.register_lambda_context(context)
    outcome = publishing.publish(org_id, post_id, publish_deps(context.invoked_function_arn))
    logger.info("publish outcome", extra={"outcome": outcome.outcome, "status": outcome.status.value})
    return outcome.to_json()
