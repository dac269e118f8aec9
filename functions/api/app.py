"""HTTP API: every route of ApiFunction (assets and requests, reviews and provenance, campaigns, posts,
accounts), one Powertools Router per resource, typed in and out; errors are problem details, mapped in
one place (flashfusion.http.api builds the resolver: validation, errors, OpenAPI, Swagger UI at /v1/docs).

The organisation and user come from the JWT authorizer's claims, never from the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import logger, metrics, tracer

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

_app: APIGatewayHttpResolver | None = None


def build_app() -> APIGatewayHttpResolver:
    """The resolver with every router, built on the first request (or the first look at ``app``): the
    routers, their pydantic models and Powertools' OpenAPI models are not part of the module's import."""
    global _app
    if _app is None:
        from flashfusion.http.api import create_app
        from flashfusion.http.asset_routes import router as asset_router
        from flashfusion.http.budget_routes import router as budget_router
        from flashfusion.http.callback_routes import router as callback_router
        from flashfusion.http.campaign_routes import router as campaign_router
        from flashfusion.http.kit_routes import router as kit_router
        from flashfusion.http.library_routes import router as library_router
        from flashfusion.http.lint_routes import router as lint_router
        from flashfusion.http.metrics_routes import router as metrics_router
        from flashfusion.http.model_routes import router as model_router
        from flashfusion.http.notification_routes import router as notification_router
        from flashfusion.http.prediction_routes import router as prediction_router
        from flashfusion.http.review_link_routes import router as review_link_router
        from flashfusion.http.review_routes import router as review_router

        app = create_app()
        app.include_router(asset_router)
        app.include_router(campaign_router)
        app.include_router(review_router)
        app.include_router(callback_router)
        app.include_router(library_router)
        app.include_router(model_router)
        app.include_router(budget_router)
        app.include_router(kit_router)
        app.include_router(lint_router)
        app.include_router(notification_router)
        app.include_router(metrics_router)
        app.include_router(review_link_router)
        app.include_router(prediction_router)
        _app = app
    return _app


def __getattr__(name: str) -> Any:
    """``app``, the resolver (``ffo openapi`` and the tests read it), built when first asked for."""
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return build_app().resolve(event, context)
