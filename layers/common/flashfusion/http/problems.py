"""RFC 9457 problem details: the one error format of every route of the HTTP API.

A problem is ``application/problem+json`` with ``type`` (a URI per kind of problem, stable: clients
branch on it), ``title`` (the same for every occurrence of that type), ``status``, ``detail`` (this
occurrence, for a person), and two extension members: ``code`` (the type's short name, for clients
that prefer a word to a URI) and ``errors`` (each field and what is wrong with it; empty when the
problem is not about a field).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://flashfusion.dev/problems/"

TITLES: dict[str, str] = {
    "invalid_request": "The request is invalid",
    "unauthorized": "The token does not say who is calling",
    "forbidden": "The caller may not do this",
    "not_found": "Not found",
    "conflict": "The resource changed meanwhile",
    "review_decided": "The review is already decided",
    "review_expired": "The review has expired",
    "review_closed": "The review is closed",
    "review_cancelled": "The review was cancelled with its request",
    "review_raced": "Another decision on this approval step came first",
    "link_invalid": "The review link is not valid",
    "link_gone": "The review link has expired or was revoked",
    "request_ended": "The request has already ended",
    "regeneration_limit_reached": "No regenerations left",
    "payload_too_large": "The body is too large",
    "unsupported_media_type": "The body's content type is not supported",
    "throttled": "Too many requests; try again later",
    "try_again": "Temporarily unavailable; try again",
    "internal_error": "Something went wrong on our side",
}
"""Every ``code`` the API answers with, and its fixed title."""


def problem_type(code: str) -> str:
    """The ``type`` URI of a code: ``invalid_request`` -> ``https://flashfusion.dev/problems/invalid-request``."""
    return PROBLEM_BASE + code.replace("_", "-")


class FieldProblem(BaseModel):
    """One field of the request and what is wrong with it (``body`` when the body as a whole is)."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="dotted path of the field in the body (items by index), or the query/path name")
    problem: str = Field(description="what is wrong with it")


class ProblemDetails(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": "RFC 9457 problem details"})

    type: str = Field(description="URI of the kind of problem, e.g. " + problem_type("invalid_request"))
    title: str = Field(description="short summary of the kind of problem (the same for every occurrence)")
    status: int = Field(ge=400, le=599, description="the HTTP status code")
    detail: str = Field(description="what went wrong this time, for a person")
    code: str = Field(description="short machine-readable name of the type, e.g. invalid_request")
    errors: list[FieldProblem] = Field(default_factory=list, description="each field at fault and its problem")


def problem(status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None) -> ProblemDetails:
    return ProblemDetails(
        type=problem_type(code),
        title=TITLES.get(code, code.replace("_", " ")),
        status=status,
        detail=detail,
        code=code,
        errors=[FieldProblem(field=e.get("field", "body"), problem=e.get("problem", "")) for e in errors or []],
    )


def problem_response(
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem(status, code, detail, errors).model_dump(mode="json")
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=headers)


STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid request: the errors list names each field and its problem",
    401: (
        "No token, or one API Gateway's JWT authorizer refuses (application/json, its own answer), or a token "
        "with no subject or no or a malformed organisation claim (problem details)"
    ),
    403: "The caller lacks the role this needs",
    404: "No such resource in the caller's organisation (another organisation's ids are not found either)",
    409: "Conflict with the resource's current state",
    410: "The shared review link has expired or was revoked",
    413: "The body is larger than the API accepts",
    415: "The body is not JSON",
    429: "Throttled: retry after the Retry-After header's seconds",
    500: "Unexpected error (logged)",
    503: "Temporarily unavailable; send the request again",
}

COMMON_ERRORS = (400, 401, 429, 500)
"""What any authenticated route can answer, whatever it does."""
BODY_ERRORS = (413, 415)
"""What a route that reads a body can answer besides."""


class GatewayRejection(BaseModel):
    """What API Gateway's JWT authorizer answers itself, before the function runs: ``{"message": "Unauthorized"}``."""

    model_config = ConfigDict(title="GatewayRejection")

    message: str


def documented(
    status: int,
    description: str,
    *errors: int,
    body: bool = False,
    model: type[BaseModel] | None = None,
    public: bool = False,
) -> dict[int, dict[str, Any]]:
    """A route's ``responses=``: its success status (schema from the return annotation, or ``model``) and
    problem details for the common errors, the body's (``body``) and ``errors``."""
    success: dict[str, Any] = {"description": description}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    responses: dict[int, dict[str, Any]] = {status: success}
    for code in sorted({*COMMON_ERRORS, *(BODY_ERRORS if body else ()), *errors}):
        responses[code] = {
            "description": STATUS_DESCRIPTIONS[code],
            "content": {PROBLEM_JSON: {"model": ProblemDetails}},
        }
    if public:  # no authorizer in front: a 401 is ours (a link token that does not verify)
        responses[401]["description"] = "The link's token is malformed, badly signed or names no such link"
    else:  # a token that is missing, expired or badly signed never reaches the function
        responses[401]["content"]["application/json"] = {"model": GatewayRejection}
    return responses
