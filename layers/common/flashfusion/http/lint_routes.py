"""Lint-only routes of the HTTP API: check an organisation's own text, image, track or video against a brand kit
version, nothing generated or stored (a Powertools Router; served by LintApiFunction, which has the media layer).
Text and images answer at once; audio and video answer 202 with a job to poll."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from flashfusion.app import lint_jobs, lint_only
from flashfusion.app.lint_jobs import LintJob
from flashfusion.app.lint_only import LintRequest, LintResult, LintUploadRequest, LintUploadTicket
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Lint"]

LINT_RESPONSES = {
    **documented(200, "Text or an image: the lint report and the kit version it used", body=True, model=LintResult),
    202: {
        "description": "Audio or video: a queued lint job; poll its statusUrl (also the Location header)",
        "content": {"application/json": {"model": LintJob}},
        "headers": {"Location": {"description": "the job's URL", "schema": {"type": "string"}}},
    },
}


@router.post(
    "/v1/lint/uploads",
    status_code=201,
    operation_id="createLintUpload",
    summary="A presigned PUT for a file to lint (an image, a track or a video); POST /v1/lint then names its uploadId",
    tags=TAGS,
    responses=documented(201, "Where to upload the file", body=True),
)
@tracer.capture_method(capture_response=False)
def create_lint_upload(request: Annotated[LintUploadRequest, Body()]) -> LintUploadTicket:
    deps = get_deps()
    return lint_only.create_upload(authenticated(router.current_event, deps.settings), request, deps)


@router.post(
    "/v1/lint",
    operation_id="lintContent",
    summary="Lint text (inline) or an uploaded file against a brand kit version; the workflow's report, nothing "
    "generated or stored. Text and images: 200 with the report; audio and video: 202 with a job to poll",
    tags=TAGS,
    responses=LINT_RESPONSES,
)
@tracer.capture_method(capture_response=False)
def lint_content(request: Annotated[LintRequest, Body()]) -> Response[LintResult | LintJob]:
    deps = get_deps()
    answer = lint_jobs.lint_or_queue(authenticated(router.current_event, deps.settings), request, deps)
    if isinstance(answer, LintJob):
        return Response(202, "application/json", answer, headers={"Location": answer.status_url})
    return Response(200, "application/json", answer)


@router.get(
    "/v1/lint/jobs/<jobId>",
    operation_id="getLintJob",
    summary="A lint job of audio or video: queued, running, succeeded (with the report) or failed (with why)",
    tags=TAGS,
    responses=documented(200, "The job", 404),
)
@tracer.capture_method(capture_response=False)
def get_lint_job(jobId: str) -> LintJob:
    deps = get_deps()
    return lint_jobs.get(authenticated(router.current_event, deps.settings), jobId, deps)
