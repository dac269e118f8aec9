"""Asset request routes of the HTTP API (a Powertools Router for ApiFunction): submit, and ask how it went.

The organisation and user come from the token (``authenticated``: a token without a user or
organisation is a 401), never from the body.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import cancellation, submissions
from flashfusion.http.identity import authenticated, json_body
from flashfusion.observability import MetricUnit, logger, metrics, tracer
from flashfusion.wiring import get_deps

router = Router()


@router.post("/v1/assets")
@tracer.capture_method(capture_response=False)
def submit_asset() -> Response:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    body = json_body(router.current_event)
    request_id, started = submissions.submit(body, caller.org_id, caller.user_id, deps, deps.stepfunctions())
    logger.append_keys(requestId=request_id, orgId=caller.org_id)
    metrics.add_metric(name="RequestsAccepted" if started else "DuplicateSubmissions", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body={
            "requestId": request_id,
            "status": "accepted",
            "duplicate": not started,
            "statusUrl": f"/v1/requests/{request_id}",
        },
    )


@router.post("/v1/requests/<request_id>/cancel")
@tracer.capture_method(capture_response=False)
def cancel_request(request_id: str) -> dict[str, Any]:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    metrics.add_metric(name="RequestsCancelled", unit=MetricUnit.Count, value=1)
    return cancellation.cancel(caller.org_id, request_id, caller.user_id, deps, deps.stepfunctions()).to_json()


@router.get("/v1/requests/<request_id>")
@tracer.capture_method(capture_response=False)
def get_request(request_id: str) -> dict[str, Any]:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return submissions.status(caller.org_id, request_id, deps).to_json()
