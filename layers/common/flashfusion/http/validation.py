"""Powertools' OpenAPI validation, with what must come before and after it on this API.

Before Powertools validates a request against its models: who is calling (a 401 comes before any
400, so a caller without an identity learns nothing about our models), how large the body is (413)
and how deep it nests (a 400 before ``json.loads`` can recurse 100,000 levels deep).

After the route: responses are validated against the route's return model and serialised the way
every model of ours is (``to_json``: camelCase, absent values left out rather than sent as null).
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
    OpenAPIResponseValidationMiddleware,
)

from flashfusion.errors import InvalidRequest
from flashfusion.http.identity import MAX_JSON_DEPTH, authenticated, json_depth
from flashfusion.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.event_handler.openapi.compat import ModelField

MAX_BODY_BYTES = 1024 * 1024
"""The largest body the API reads (413 past it); no request of ours comes near (prompts are 4,000 characters)."""


class BodyTooLarge(Exception):
    """The body is larger than MAX_BODY_BYTES (413)."""


def check_body(event: Any) -> None:
    """A body's size, nesting depth and top-level shape, checked on the raw text before anything parses it."""
    raw = event.body or ""
    if len(raw) > MAX_BODY_BYTES * (4 / 3 if event.is_base64_encoded else 1) + 4:
        raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        text = event.decoded_body or ""
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidRequest("the body is not UTF-8 text", [{"field": "body", "problem": "not UTF-8 text"}]) from error
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
    if text and json_depth(text) > MAX_JSON_DEPTH:
        raise InvalidRequest(
            f"the body nests deeper than {MAX_JSON_DEPTH} levels",
            [{"field": "body", "problem": f"nested deeper than {MAX_JSON_DEPTH} levels"}],
        )
    if text.lstrip().startswith("["):
        # Every body of this API is a JSON object; Powertools would read a list's first item as the body.
        raise InvalidRequest("the body must be a JSON object", [{"field": "body", "problem": "not a JSON object"}])


class GuardedRequestValidation(OpenAPIRequestValidationMiddleware):
    """Identity, then the body's size and depth, then Powertools' validation of path, query and body."""

    def __init__(self, settings: Callable[[], Settings], public_paths: Collection[str] = ()) -> None:
        super().__init__()
        self._settings = settings
        self._public_paths = frozenset(public_paths)

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response:
        route = app.context["_route"]
        if route.path not in self._public_paths:
            authenticated(app.current_event, self._settings())
        if route.dependant.body_params:
            check_body(app.current_event)
        response: Response = super().handler(app, next_middleware)
        return response


class CompactResponseValidation(OpenAPIResponseValidationMiddleware):
    """Powertools' response validation, serialising as ``CamelModel.to_json`` does (no nulls for absent values)."""

    def _serialize_response_with_validation(self, *, field: ModelField, response_content: Any, **options: Any) -> Any:
        options["exclude_none"] = True
        return super()._serialize_response_with_validation(field=field, response_content=response_content, **options)
