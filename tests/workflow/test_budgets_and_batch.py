"""Budgets in the real workflow: reserve, settle, release, fail realtime, queue batch, resume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flashfusion.routing.router import format_usd
from tests.helpers import ORG, ROOT, body_of, claims, submission

PRICED = ROOT / "events" / "matrix-priced-local.json"


@pytest.fixture
def priced(fresh_engine: Any, sample_kit: dict[str, Any]) -> Any:
    """The local engine with the offline models priced, so budgets bite."""
    fresh_engine.configure(env={"MODEL_MATRIX_PATH": str(PRICED)})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    return fresh_engine


def spec_estimate(model_id: str, prompt: str) -> float:
    from flashfusion.models import AssetSubmission
    from flashfusion.routing import router
    from flashfusion.routing.matrix import load_matrix_file

    matrix = load_matrix_file(PRICED)
    spec = matrix.get(model_id)
    query = router.query_for(
        AssetSubmission.model_validate(submission(prompt=prompt, tier=spec.tier.value)), frozenset({"local"}), None
    )
    return router.estimate(spec, query)


def start(engine: Any, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    response = engine.api("POST", "/v1/assets", body, claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    return request_id, engine.wait_for_execution(engine.execution_arn(request_id))


def status_of(engine: Any, request_id: str) -> dict[str, Any]:
    result: dict[str, Any] = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))
    return result


def budget(engine: Any) -> Any:
    from flashfusion.wiring import get_deps

    return get_deps().budgets.status(ORG)


def entered(engine: Any, arn: str) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in engine.history(arn) if e["type"].endswith("StateEntered")]


def test_success_settles_the_reservation_to_the_actual_cost(priced: Any) -> None:
    priced.seed_budget(ORG, 1.0)
    request_id, execution = start(priced, submission())

    assert execution["status"] == "SUCCEEDED"
    from flashfusion.wiring import get_deps

    asset = status_of(priced, request_id)["asset"]
    cost = get_deps().provenance.get(ORG, asset["assetId"], asset["version"]).cost
    assert cost.usd > 0
    assert cost.units["outputTokens"] > 0
    now = budget(priced)
    assert now.spent_usd == pytest.approx(cost.usd)
    assert now.reserved_usd == pytest.approx(0.0)
    assert now.available_usd == pytest.approx(1.0 - cost.usd)
    assert json.loads(execution["output"])["route"]["estimatedCostUsd"] >= cost.usd


def test_realtime_request_over_budget_fails_with_a_clear_cause_and_an_event(priced: Any) -> None:
    priced.seed_budget(ORG, 0.001)
    body = submission()
    request_id, execution = start(priced, body)

    assert execution["status"] == "FAILED"
    assert execution["error"] == "BudgetExceeded"
    status = status_of(priced, request_id)
    assert status["status"] == "failed"
    cheapest = spec_estimate("local/text-basic", body["prompt"])
    assert status["error"]["message"] == (
        "no text model at tier standard or below fits the remaining budget of $0.0010; "
        f"the cheapest, local/text-basic, is estimated at {format_usd(cheapest)}"
    )
    assert entered(priced, priced.execution_arn(request_id))[-6:] == [
        "IsBatch",
        "ReleaseBudget",
        "MarkFailed",
        "AnnounceFailure",
        "EmitFailed",
        "Failed",
    ]
    assert budget(priced).reserved_usd == pytest.approx(0.0)


def test_batch_request_over_budget_waits_in_the_queue_then_resumes(priced: Any) -> None:
    priced.seed_budget(ORG, 0.001)
    request_id, execution = start(priced, submission(latency="batch"))

    assert execution["status"] == "SUCCEEDED"
    assert entered(priced, priced.execution_arn(request_id))[-3:] == ["QueueForBudget", "MarkQueued", "Queued"]
    status = status_of(priced, request_id)
    assert status["status"] == "queued"
    assert status["error"]["type"] == "BudgetExceeded"

    still_short = priced.deliver("BatchQueue")
    assert (len(still_short["succeeded"]), len(still_short["failed"])) == (0, 1)
    assert status_of(priced, request_id)["status"] == "queued"

    priced.seed_budget(ORG, 1.0)
    resumed = priced.deliver("BatchQueue")
    assert (len(resumed["succeeded"]), len(resumed["failed"])) == (1, 0)
    executions = priced.client("stepfunctions").list_executions(stateMachineArn=priced.state_machine_arn())
    retry = next(e for e in executions["executions"] if e["name"] == f"{request_id}-retry-2")
    assert priced.wait_for_execution(retry["executionArn"])["status"] == "SUCCEEDED"
    final = status_of(priced, request_id)
    assert final["status"] == "succeeded"
    assert "error" not in final
    assert priced.deliver("BatchQueue") == {"succeeded": [], "failed": []}


def test_fallback_releases_the_failed_hold_before_rechecking_the_budget(priced: Any) -> None:
    body = submission(tier="premium", faults=[{"model": "local/text-premium", "kind": "rejected"}])
    premium = spec_estimate("local/text-premium", body["prompt"])
    standard = spec_estimate("local/text-standard", body["prompt"])
    # Enough for the premium hold, and for the standard model only once that hold is given back.
    limit = premium + standard / 2
    assert limit - premium < standard < limit
    priced.seed_budget(ORG, limit)

    _request_id, execution = start(priced, body)

    assert execution["status"] == "SUCCEEDED"
    output = json.loads(execution["output"])
    assert output["route"]["model"] == "local/text-standard"
    assert output["route"]["failed"][0]["model"] == "local/text-premium"
    now = budget(priced)
    assert now.reserved_usd == pytest.approx(0.0)
    assert now.spent_usd <= limit


def test_concurrent_requests_never_overspend(priced: Any) -> None:
    body = submission(tier="basic")
    estimate = spec_estimate("local/text-basic", body["prompt"])
    limit = estimate * 2.5  # room for two holds at a time
    priced.seed_budget(ORG, limit)

    request_ids = [body_of(priced.api("POST", "/v1/assets", body, claims()))["requestId"] for _ in range(8)]
    outcomes = [priced.wait_for_execution(priced.execution_arn(r))["status"] for r in request_ids]

    now = budget(priced)
    assert now.spent_usd + now.reserved_usd <= limit + 1e-9
    assert now.reserved_usd == pytest.approx(0.0)
    assert outcomes.count("SUCCEEDED") >= 2
    for request_id, outcome in zip(request_ids, outcomes, strict=True):
        assert status_of(priced, request_id)["status"] == ("succeeded" if outcome == "SUCCEEDED" else "failed")
