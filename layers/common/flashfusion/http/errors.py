"""Errors to HTTP responses, in one place, with a JSON body naming the field and the problem."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from flashfusion.errors import (
    AssetNotFound,
    BrandKitNotFound,
    Forbidden,
    InvalidRequest,
    RegenerationLimitReached,
    RequestConflict,
    RequestNotFound,
    ReviewConflict,
    ReviewNotFound,
    ReviewUnavailable,
    Unauthenticated,
)
from flashfusion.observability import logger


def error_response(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, object] = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(InvalidRequest)
    def invalid(error: InvalidRequest) -> Response:
        return error_response(400, "invalid_request", str(error), error.fields)

    @app.exception_handler([RequestNotFound, ReviewNotFound, AssetNotFound, BrandKitNotFound])
    def not_found(error: Exception) -> Response:
        return error_response(404, "not_found", str(error))

    @app.exception_handler(Unauthenticated)
    def unauthenticated(error: Unauthenticated) -> Response:
        return error_response(401, "unauthorized", str(error))

    @app.exception_handler(Forbidden)
    def forbidden(error: Forbidden) -> Response:
        return error_response(403, "forbidden", str(error))

    @app.exception_handler(ReviewConflict)
    def conflict(error: ReviewConflict) -> Response:
        return error_response(409, f"review_{error.status or 'closed'}", str(error))

    @app.exception_handler(RequestConflict)
    def request_ended(error: RequestConflict) -> Response:
        return error_response(409, "request_ended", str(error))

    @app.exception_handler(RegenerationLimitReached)
    def limit(error: RegenerationLimitReached) -> Response:
        return error_response(409, "regeneration_limit_reached", str(error))

    @app.exception_handler(ReviewUnavailable)
    def unavailable(error: ReviewUnavailable) -> Response:
        return error_response(503, "try_again", str(error))

    @app.not_found
    def no_route(error: Exception) -> Response:
        return error_response(404, "not_found", "no such route")

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong; the error was logged")
