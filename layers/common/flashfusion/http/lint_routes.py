"""Lint-only routes of the HTTP API: check an organisation's own text or image against a brand kit version,
nothing generated or stored (a Powertools Router; served by LintApiFunction, which has the media layer)."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from flashfusion.app import lint_only
from flashfusion.app.lint_only import LintRequest, LintResult, LintUploadRequest, LintUploadTicket
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Lint"]


@router.post(
    "/v1/lint/uploads",
    status_code=201,
    operation_id="createLintUpload",
    summary="A presigned PUT for an image to lint (PNG or JPEG); POST /v1/lint then names its uploadId",
    tags=TAGS,
    responses=documented(201, "Where to upload the image", body=True),
)
@tracer.capture_method(capture_response=False)
def create_lint_upload(request: Annotated[LintUploadRequest, Body()]) -> LintUploadTicket:
    deps = get_deps()
    return lint_only.create_upload(authenticated(router.current_event, deps.settings), request, deps)


@router.post(
    "/v1/lint",
    operation_id="lintContent",
    summary="Lint text (inline) or an uploaded image against a brand kit version; the workflow's report, "
    "nothing generated or stored. Audio and video: use the workflow (POST /v1/assets)",
    tags=TAGS,
    responses=documented(200, "The lint report and the kit version it used", body=True),
)
@tracer.capture_method(capture_response=False)
def lint_content(request: Annotated[LintRequest, Body()]) -> LintResult:
    deps = get_deps()
    return lint_only.lint(authenticated(router.current_event, deps.settings), request, deps)
