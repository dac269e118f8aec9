"""Errors to HTTP responses, in one place: every error of every route is RFC 9457 problem details
(flashfusion.http.problems), Powertools' own validation errors included (a 400 naming each field)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)

from flashfusion.errors import (
    AssetNotFound,
    AwsThrottled,
    BrandKitNotFound,
    Forbidden,
    InvalidRequest,
    LinkGone,
    LinkInvalid,
    LintJobNotFound,
    RegenerationLimitReached,
    RequestConflict,
    RequestNotFound,
    ResourceConflict,
    ReviewConflict,
    ReviewNotFound,
    ReviewUnavailable,
    Unauthenticated,
    UploadNotFound,
)
from flashfusion.http.problems import problem_response
from flashfusion.http.validation import BodyTooLarge
from flashfusion.observability import logger
from flashfusion.storage.campaigns import StaleWrite

RETRY_AFTER_SECONDS = 1
"""What a throttled caller is told to wait: AWS throttling has already been retried with backoff inside."""

_WHERE = {"body", "query", "path", "header", "cookie"}


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as the field a client sent: ``("body", "schedule", "at")`` ->
    ``schedule.at``; ``("query", "limit")`` -> ``limit``; the body as a whole -> ``body``."""
    parts = list(loc)
    if parts and parts[0] in _WHERE:
        where = str(parts.pop(0))
        if where == "body" and len(parts) == 1 and isinstance(parts[0], int):
            parts = []  # json_invalid: ("body", <character position>)
        if not parts:
            return where
    return ".".join(str(p) for p in parts) or "body"


def validation_problems(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each error as a field and its problem: pydantic's message, never the input (it may be huge or secret)."""
    return [{"field": field_name(e.get("loc", ())), "problem": str(e.get("msg") or e.get("type"))} for e in errors]


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid_input(error: RequestValidationError) -> Response:
        fields = validation_problems(list(error.errors()))
        return problem_response(400, "invalid_request", "the request is invalid", fields)

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported(error: RequestUnsupportedContentType) -> Response:
        return problem_response(
            415,
            "unsupported_media_type",
            "send the body as application/json",
            [{"field": "body", "problem": str(error)}],
        )

    @app.exception_handler(InvalidRequest)
    def invalid(error: InvalidRequest) -> Response:
        return problem_response(400, "invalid_request", str(error), error.fields)

    @app.exception_handler(BodyTooLarge)
    def too_large(error: BodyTooLarge) -> Response:
        return problem_response(413, "payload_too_large", str(error), [{"field": "body", "problem": str(error)}])

    @app.exception_handler(
        [RequestNotFound, ReviewNotFound, AssetNotFound, BrandKitNotFound, LintJobNotFound, UploadNotFound]
    )
    def not_found(error: Exception) -> Response:
        return problem_response(404, "not_found", str(error))

    @app.exception_handler(Unauthenticated)
    def unauthenticated(error: Unauthenticated) -> Response:
        return problem_response(401, "unauthorized", str(error), headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(LinkInvalid)
    def link_invalid(error: LinkInvalid) -> Response:
        return problem_response(401, "link_invalid", str(error))

    @app.exception_handler(LinkGone)
    def link_gone(error: LinkGone) -> Response:
        return problem_response(410, "link_gone", str(error))

    @app.exception_handler(Forbidden)
    def forbidden(error: Forbidden) -> Response:
        return problem_response(403, "forbidden", str(error))

    @app.exception_handler(ReviewConflict)
    def review_conflict(error: ReviewConflict) -> Response:
        return problem_response(409, f"review_{error.status or 'closed'}", str(error))

    @app.exception_handler(RequestConflict)
    def request_ended(error: RequestConflict) -> Response:
        return problem_response(409, "request_ended", str(error))

    @app.exception_handler(RegenerationLimitReached)
    def limit(error: RegenerationLimitReached) -> Response:
        return problem_response(409, "regeneration_limit_reached", str(error))

    @app.exception_handler(ResourceConflict)
    def conflict(error: ResourceConflict) -> Response:
        return problem_response(409, "conflict", str(error), error.fields)

    @app.exception_handler(StaleWrite)
    def stale(error: StaleWrite) -> Response:
        return problem_response(409, "conflict", f"{error}; read it again and retry")

    @app.exception_handler(AwsThrottled)
    def throttled(error: AwsThrottled) -> Response:
        logger.warning("throttled by AWS", extra={"service": error.service, "code": error.code})
        return problem_response(
            429,
            "throttled",
            "the service is busy; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(ReviewUnavailable)
    def unavailable(error: ReviewUnavailable) -> Response:
        return problem_response(503, "try_again", str(error), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.not_found
    def no_route(error: Exception) -> Response:
        return problem_response(404, "not_found", "no such route")

    @app.exception_handler(ResponseValidationError)
    def bad_response(error: ResponseValidationError) -> Response:
        # Our answer does not match its documented model: a bug of ours, never the caller's 4xx.
        logger.error("response does not match its model", extra={"errors": validation_problems(list(error.errors()))})
        return problem_response(500, "internal_error", "something went wrong; the error was logged")

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return problem_response(500, "internal_error", "something went wrong; the error was logged")
