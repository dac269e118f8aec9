"""HTTP API: POST /v1/assets starts a request, GET /v1/requests/{requestId} reports on it.

The organisation and user come from the JWT authorizer's claims, never from the body.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion import submissions
from flashfusion.api_errors import error_response, register_error_handlers
from flashfusion.observability import MetricUnit, logger, metrics, tracer
from flashfusion.storage import aws
from flashfusion.workflow.deps import get_deps

app = APIGatewayHttpResolver()
register_error_handlers(app)
from flashfusion.http.campaign_routes import router as campaign_router  # noqa: E402
from flashfusion.http.review_routes import router as review_router  # noqa: E402

app.include_router(campaign_router)
app.include_router(review_router)


def caller() -> tuple[str, str]:
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    return str(claims.get(get_deps().settings.org_claim, "")), str(claims.get("sub", ""))


@app.post("/v1/assets")
@tracer.capture_method(capture_response=False)
def submit_asset() -> Response:
    org_id, user_id = caller()
    try:
        body = app.current_event.json_body
    except ValueError:
        return error_response(
            400,
            "malformed_json",
            "the body is not valid JSON",
            [{"field": "body", "problem": "not valid JSON"}],
        )
    request_id, started = submissions.submit(body, org_id, user_id, get_deps(), aws.client("stepfunctions"))
    logger.append_keys(requestId=request_id, orgId=org_id)
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


@app.get("/v1/requests/<request_id>")
@tracer.capture_method(capture_response=False)
def get_request(request_id: str) -> dict[str, Any]:
    org_id, _ = caller()
    return submissions.status(org_id, request_id, get_deps()).to_json()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
