"""Prefetch: in the off-peak window (EventBridge Scheduler, template PrefetchSchedule), forecast each
organisation's next requests and start the speculative batch requests that fit its monthly cap
(flashfusion.app.prefetch). ``{"orgId": "..."}`` in the event runs one organisation only."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import MetricUnit, logger, metrics, tracer


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app import prefetch
    from flashfusion.wiring import get_deps

    deps = get_deps()
    org_id = event.get("orgId") if isinstance(event, dict) else None
    if isinstance(org_id, str) and org_id:
        reports = [prefetch.run_org(deps, deps.stepfunctions(), org_id)]
    else:
        reports = prefetch.run(deps, deps.stepfunctions())
    started = sum(len(r.started) for r in reports)
    metrics.add_metric(name="SpeculativeRequestsStarted", unit=MetricUnit.Count, value=started)
    return {"organisations": len(reports), "started": started, "reports": [r.to_json() for r in reports]}
