"""POST /v1/requests/{id}/cancel: the execution stops, budget holds go back, an open review closes, the
request records ``cancelled``; a finished request or another organisation's id cannot be cancelled."""

from __future__ import annotations

from typing import Any

from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission
from tests.workflow.review_helpers import noncompliant, request_record, submit, wait_for_review


def cancel(engine: Any, request_id: str, org: str = ORG) -> dict[str, Any]:
    return dict(engine.api("POST", f"/v1/requests/{request_id}/cancel", None, claims(org)))


def test_cancelling_a_request_waiting_for_review_closes_it_and_releases_its_holds(engine: Any) -> None:
    from flashfusion.wiring import get_deps

    request_id = submit(engine, noncompliant())
    record = wait_for_review(engine, request_id)
    budgets = get_deps().budgets
    assert budgets.reserve(ORG, f"{request_id}.held-by-a-step", 0.25)  # a hold as Route/Fallback make them
    reserved = budgets.status(ORG).reserved_usd

    response = cancel(engine, request_id)
    assert response["statusCode"] == 200, response
    assert body_of(response)["status"] == "cancelled"
    after = request_record(engine, request_id)
    assert after["status"] == "cancelled"
    assert after["error"]["type"] == "RequestCancelled"
    assert budgets.status(ORG).reserved_usd == reserved - 0.25
    review = body_of(engine.api("GET", f"/v1/reviews/{record['review']['reviewId']}", None, claims(ORG)))
    assert review["status"] == "cancelled"
    described = engine.client("stepfunctions").describe_execution(executionArn=engine.execution_arn(request_id))
    assert described["status"] in {"ABORTED", "RUNNING"}  # moto ends a waiting execution at the token's timeout


def test_cancelling_a_finished_request_is_a_409(engine: Any) -> None:
    request_id = submit(engine, submission())
    engine.wait_for_execution(engine.execution_arn(request_id))
    status = request_record(engine, request_id)["status"]
    response = cancel(engine, request_id)
    assert response["statusCode"] == 409
    assert status in body_of(response)["detail"]
    assert request_record(engine, request_id)["status"] == status


def test_another_organisations_request_cannot_be_cancelled(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    wait_for_review(engine, request_id)
    response = cancel(engine, request_id, org=OTHER_ORG)
    assert response["statusCode"] == 404
    assert request_record(engine, request_id)["status"] == "needs_review"
