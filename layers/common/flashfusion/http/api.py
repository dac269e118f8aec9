"""The HTTP API's resolver, configured once: Powertools validation (guarded, see flashfusion.http.validation),
problem details for every error, the OpenAPI document's metadata and security scheme, and Swagger UI.

The routers are included by the API function (functions/api/app.py); ``openapi_document`` renders what
the resolver with its routers serves, the text committed as docs/openapi.json (``ffo openapi``).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, OpenAPI, Schema

from flashfusion.http.errors import register_error_handlers
from flashfusion.http.review_link_routes import SHARED_REVIEW_PATHS
from flashfusion.http.validation import CompactResponseValidation, GuardedRequestValidation
from flashfusion.settings import Settings
from flashfusion.wiring import get_deps

API_TITLE = "FlashFusion Orchestrator API"
API_VERSION = "1.0.0"
DOCS_PATH = "/v1/docs"
"""Swagger UI (``?format=json``: the OpenAPI document); public, like docs/openapi.json in the repository."""
SECURITY_SCHEME = "bearerAuth"
DESCRIPTION = (
    "Generate, brand-check, provenance-stamp and schedule content. Every route takes a JWT bearer token "
    "(the organisation and user come from its claims, never from a body). Every error is RFC 9457 problem "
    "details (application/problem+json). Lists are paged the same way: `limit` (1-100) and an opaque "
    "`nextToken`, answered as `{items, nextToken}`."
)
_POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


class ApiResolver(APIGatewayHttpResolver):
    """APIGatewayHttpResolver whose OpenAPI document states the errors this API really answers: Powertools
    documents a 422 on every route, which the error handlers turn into a 400 problem."""

    def get_openapi_schema(self, **options: Any) -> OpenAPI:
        schema = super().get_openapi_schema(**options)
        public = {_openapi_path(path) for path in SHARED_REVIEW_PATHS}
        for path, item in (schema.paths or {}).items():
            for method in ("get", "put", "post", "delete", "patch"):
                operation = getattr(item, method, None)
                if operation is not None and operation.responses:
                    operation.responses.pop(422, None)
                    operation.responses.pop("422", None)
                if operation is not None and path in public:
                    operation.security = []  # no bearer token: the link's token in the path is the credential
        if schema.components and schema.components.schemas:
            for name in _POWERTOOLS_VALIDATION_SCHEMAS:
                schema.components.schemas.pop(name, None)
            for component in schema.components.schemas.values():
                if isinstance(component, Schema):
                    _absent_when_null(component)
        return schema


def _openapi_path(path: str) -> str:
    """A Powertools route path as OpenAPI writes it: ``/a/<b>`` -> ``/a/{b}``."""
    return path.replace("<", "{").replace(">", "}")


def _nullable(schema: Any) -> bool:
    if not isinstance(schema, Schema):
        return False
    types = schema.type if isinstance(schema.type, list) else [schema.type]
    return "null" in types or any(_nullable(option) for option in schema.anyOf or ())


def _absent_when_null(component: Schema) -> None:
    """Answers leave null values out (CompactResponseValidation): a read-only (computed) property that may be
    null is not required, though pydantic lists every computed field as required."""
    properties = component.properties or {}

    def left_out_when_null(name: str) -> bool:
        schema = properties.get(name)
        return isinstance(schema, Schema) and bool(schema.readOnly) and _nullable(schema)

    if component.required:
        component.required = [name for name in component.required if not left_out_when_null(name)]


def _settings() -> Settings:
    return get_deps().settings


def create_app() -> ApiResolver:
    app = ApiResolver(enable_validation=True)
    # Powertools validates requests before any middleware of ours runs: ours takes its place, checking
    # identity, size and depth first (the attribute Powertools reads when it builds each route's stack).
    app._request_validation_middleware = GuardedRequestValidation(
        _settings, public_paths={DOCS_PATH, *SHARED_REVIEW_PATHS}
    )
    app._response_validation_middleware = CompactResponseValidation(
        validation_serializer=app._serializer, has_response_validation_error=True
    )
    register_error_handlers(app)
    app.configure_openapi(
        title=API_TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        security_schemes={
            SECURITY_SCHEME: HTTPBearer(
                bearerFormat="JWT",
                description="A JWT of the stack's issuer; the organisation and groups come from its claims",
            )
        },
        security=[{SECURITY_SCHEME: []}],
    )
    app.enable_swagger(path=DOCS_PATH, compress=True, persist_authorization=True)
    _remember_schemas(app)
    return app


def _remember_schemas(app: APIGatewayHttpResolver) -> None:
    """Powertools builds the whole OpenAPI schema again on every Swagger request (~100 ms of a warm Lambda's
    time for a page nobody changes): build it once per set of arguments. Routes are all included before the
    first request, so the first build is the final one."""
    original = app.get_openapi_schema
    built: dict[str, Any] = {}

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        key = repr((args, sorted(kwargs.items())))
        if key not in built:
            built[key] = original(*args, **kwargs)
        return built[key]

    app.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]


def openapi_document(app: APIGatewayHttpResolver) -> str:
    """The OpenAPI 3.1 document of ``app`` as committed: stable key order, two-space indent, final newline."""
    return json.dumps(json.loads(app.get_openapi_json_schema()), indent=2, ensure_ascii=False) + "\n"
