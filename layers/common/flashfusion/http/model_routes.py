"""The model matrix route of the HTTP API (a Powertools Router for ApiFunction): which models this
deployment can route to, at what list prices, and why the others cannot be picked."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import model_catalog
from flashfusion.http.identity import authenticated, query
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()


@router.get(
    "/v1/models",
    operation_id="listModels",
    summary="The effective model matrix: enabled rows, prices in their units, latency class, why a row is disabled",
    tags=["Models"],
)
@tracer.capture_method(capture_response=False)
def list_models() -> model_catalog.ModelCatalog:
    deps = get_deps()
    authenticated(router.current_event, deps.settings)
    return model_catalog.catalog(query(router.current_event), deps)
