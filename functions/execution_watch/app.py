"""ExecutionWatch: a request whose workflow ended outside its failure path (an uncatchable error, the
execution's timeout, a stop) is marked failed with the cause and its budget holds are released."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.app.ended_executions import EndedExecution, settle
from flashfusion.observability import MetricUnit, logger, metrics, tracer
from flashfusion.wiring import get_deps


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ended = EndedExecution.from_event(event.get("detail") or {})
    if ended is None:
        return {"settled": False}
    logger.set_correlation_id(ended.request_id)
    settled = settle(ended, get_deps())
    if settled:
        metrics.add_metric(name="RequestsSettledAfterExecutionEnded", unit=MetricUnit.Count, value=1)
    return {"settled": settled}
