"""Budget routes of the HTTP API (a Powertools Router for ApiFunction): the organisation's month in figures,
and its monthly limit (admin role)."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from flashfusion.app import budget_view
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Budget"]


@router.get(
    "/v1/budget",
    operation_id="getBudget",
    summary="This month: limit, spent, reserved (with the holds behind it), available, recorded cost by medium",
    tags=TAGS,
    responses=documented(200, "This month's budget"),
)
@tracer.capture_method(capture_response=False)
def get_budget() -> budget_view.Budget:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return budget_view.budget(caller, deps)


@router.put(
    "/v1/budget",
    operation_id="setBudget",
    summary="Set the monthly limit in USD, from this month on (admin role)",
    tags=TAGS,
    responses=documented(200, "This month's budget with the new limit", 403, body=True),
)
@tracer.capture_method(capture_response=False)
def set_budget(limit: Annotated[budget_view.BudgetLimit, Body()]) -> budget_view.Budget:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return budget_view.set_limit(caller, limit, deps)
