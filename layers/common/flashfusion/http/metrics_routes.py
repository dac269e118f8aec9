"""The operating numbers route of the HTTP API (a Powertools Router for ApiFunction): the caller's
organisation's five numbers and the figures beside them, over a window, optionally grouped."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from flashfusion.app import metrics_view
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Metrics"]


@router.get(
    "/v1/metrics",
    operation_id="getMetrics",
    summary="The operating numbers of the caller's organisation: generation latency P50/P95/P99 per model, "
    "brand compliance (first lint), retry rate, cost per asset, human intervention, and requests, failures, "
    "fallbacks, spend against budget and the review backlog",
    tags=TAGS,
    responses=documented(200, "The numbers over the requests created in [since, until)"),
)
@tracer.capture_method(capture_response=False)
def get_metrics(
    since: Annotated[
        str | None, Query(max_length=64, description="ISO 8601 instant (with Z or an offset), inclusive")
    ] = None,
    until: Annotated[
        str | None, Query(max_length=64, description="ISO 8601 instant (with Z or an offset), exclusive")
    ] = None,
    group_by: Annotated[
        Literal["model", "medium", "campaign", "tier"] | None,
        Query(alias="groupBy", description="figures per model, medium, campaign or tier as well as in total"),
    ] = None,
) -> metrics_view.MetricsReport:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return metrics_view.metrics_for(caller, deps, since=since, until=until, group_by=group_by)
