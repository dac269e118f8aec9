"""Notify: the product's events people act on (a request failed, a post needs its account re-authorised, a
review is waiting, an organisation passed a budget threshold) sent to the alerts topic, the organisation's
chat webhook and its reviewers' email (flashfusion.app.notifications)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app.notifications import notify
    from flashfusion.wiring import notification_deps

    detail = event.get("detail") or {}
    request_id = detail.get("requestId") if isinstance(detail, dict) else None
    if isinstance(request_id, str) and request_id:
        logger.set_correlation_id(request_id)
    return {"sent": notify(event, notification_deps())}
