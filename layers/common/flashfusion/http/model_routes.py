"""The model matrix route of the HTTP API (a Powertools Router for ApiFunction): which models this
deployment can route to, at what list prices, and why the others cannot be picked."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from flashfusion.app import model_catalog
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()


@router.get(
    "/v1/models",
    operation_id="getModelCatalog",
    summary="The effective model matrix: enabled rows, prices in their units, latency class, why a row is disabled",
    tags=["Models"],
    responses=documented(200, "Every row of the matrix in force (a bounded catalogue, not paged)"),
)
@tracer.capture_method(capture_response=False)
def list_models(
    medium: Annotated[str | None, Query(max_length=16, description="text, image, video or music")] = None,
    tier: Annotated[str | None, Query(max_length=16, description="basic, standard or premium")] = None,
) -> model_catalog.ModelCatalog:
    deps = get_deps()
    authenticated(router.current_event, deps.settings)
    query = {name: value for name, value in {"medium": medium, "tier": tier}.items() if value is not None}
    return model_catalog.catalog(query, deps)
