"""Predictive caching routes of the HTTP API (a Powertools Router for ApiFunction): the organisation's
pre-generated candidates, and its prediction settings with the month's speculative spend (changing them
needs the admin role). Another organisation's candidates are never listed: every key is the caller's."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from flashfusion.app import prediction_view
from flashfusion.app.pages import DEFAULT_LIMIT, MAX_LIMIT, MAX_TOKEN_CHARS
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Predictions"]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1-{MAX_LIMIT}")]
NextToken = Annotated[
    str | None, Query(alias="nextToken", max_length=MAX_TOKEN_CHARS, description="from the previous page")
]


@router.get(
    "/v1/predictions",
    operation_id="listPredictions",
    summary="Pre-generated candidates, newest window first: state, brief, tier, kit version, cost, times served",
    tags=TAGS,
    responses=documented(200, "A page of candidates"),
)
@tracer.capture_method(capture_response=False)
def list_predictions(limit: Limit = DEFAULT_LIMIT, nextToken: NextToken = None) -> prediction_view.CandidatePage:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return prediction_view.list_predictions(caller, deps, limit, nextToken)


@router.get(
    "/v1/prediction-settings",
    operation_id="getPredictionSettings",
    summary="Prediction settings and this month's speculative spend (cap, spent, used, unused)",
    tags=TAGS,
    responses=documented(200, "The settings and the month's speculative spend"),
)
@tracer.capture_method(capture_response=False)
def get_prediction_settings() -> prediction_view.PredictionSettingsView:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return prediction_view.get_settings(caller, deps)


@router.put(
    "/v1/prediction-settings",
    operation_id="setPredictionSettings",
    summary="Turn prediction on or off; the monthly speculative cap, the horizon, the cache freshness (admin role)",
    tags=TAGS,
    responses=documented(200, "The settings as stored", 403, body=True),
)
@tracer.capture_method(capture_response=False)
def set_prediction_settings(
    body: Annotated[prediction_view.PredictionSettingsBody, Body()],
) -> prediction_view.PredictionSettingsView:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return prediction_view.put_settings(caller, body, deps)
