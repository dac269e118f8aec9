"""Asset request routes of the HTTP API (a Powertools Router for ApiFunction): submit, and ask how it went.

The organisation and user come from the token (``authenticated``: a token without a user or
organisation is a 401), never from the body.
"""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time, and the
# tracer's wrapper would resolve postponed ones in its own module. Path parameters keep template.yaml's
# names (requestId): Powertools matches them to arguments by name.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from flashfusion.app import cancellation, source_uploads, submissions
from flashfusion.app.source_uploads import SourceUploadRequest, SourceUploadTicket
from flashfusion.app.submissions import Accepted
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.models import AssetSubmission, RequestRecord
from flashfusion.observability import MetricUnit, logger, metrics, tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Requests"]


@router.post(
    "/v1/uploads",
    status_code=201,
    operation_id="createSourceUpload",
    summary="A presigned POST for a source image (PNG, JPEG or WebP, up to 20 MB); POST /v1/assets with "
    "operation brand_style then names its uploadId as style.sourceUploadId",
    tags=TAGS,
    responses=documented(201, "Where to upload the image", body=True),
)
@tracer.capture_method(capture_response=False)
def create_source_upload(request: Annotated[SourceUploadRequest, Body()]) -> SourceUploadTicket:
    deps = get_deps()
    return source_uploads.create_upload(authenticated(router.current_event, deps.settings), request, deps)


@router.post(
    "/v1/assets",
    status_code=202,
    operation_id="submitAsset",
    summary="Submit a content request; its workflow starts at once",
    tags=TAGS,
    responses=documented(202, "Accepted: poll statusUrl", body=True),
)
@tracer.capture_method(capture_response=False)
def submit_asset(submission: Annotated[AssetSubmission, Body()]) -> Accepted:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    request_id, started = submissions.submit(submission, caller.org_id, caller.user_id, deps, deps.stepfunctions())
    logger.append_keys(requestId=request_id, orgId=caller.org_id)
    metrics.add_metric(name="RequestsAccepted" if started else "DuplicateSubmissions", unit=MetricUnit.Count, value=1)
    return Accepted(request_id=request_id, duplicate=not started, status_url=f"/v1/requests/{request_id}")


@router.post(
    "/v1/requests/<requestId>/cancel",
    operation_id="cancelRequest",
    summary="Cancel a request: its workflow stops, its budget holds go back, an open review closes",
    tags=TAGS,
    responses=documented(200, "The request, now cancelled", 404, 409),
)
@tracer.capture_method(capture_response=False)
def cancel_request(requestId: str) -> RequestRecord:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    metrics.add_metric(name="RequestsCancelled", unit=MetricUnit.Count, value=1)
    return cancellation.cancel(caller.org_id, requestId, caller.user_id, deps, deps.stepfunctions())


@router.get(
    "/v1/requests/<requestId>",
    operation_id="getRequest",
    summary="A request's status, its asset once saved, its lint result and any error",
    tags=TAGS,
    responses=documented(200, "The request's status document", 404),
)
@tracer.capture_method(capture_response=False)
def get_request(requestId: str) -> RequestRecord:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return submissions.status(caller.org_id, requestId, deps)
