"""Predictive caching through the real workflow: an exact-cache hit, and a pre-generated candidate hit.

Both are served inside the Generate step: no vendor call (no attempt recorded, nothing spent), then lint and
save as usual, and the new version's provenance says which earlier version it copies.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.helpers import ORG, ROOT, body_of, claims, submission

PRICED = ROOT / "events" / "matrix-priced-local.json"
ADMIN = {**claims(), "cognito:groups": "admins"}


@pytest.fixture
def priced(fresh_engine: Any, sample_kit: dict[str, Any]) -> Any:
    """The local engine with the offline models priced, so a served request visibly spends nothing."""
    fresh_engine.configure(env={"MODEL_MATRIX_PATH": str(PRICED)})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    fresh_engine.seed_budget(ORG, 5.0)
    return fresh_engine


def run(engine: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = engine.api("POST", "/v1/assets", body, claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    assert engine.wait_for_execution(engine.execution_arn(request_id))["status"] == "SUCCEEDED"
    status: dict[str, Any] = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))
    assert status["status"] == "succeeded", status
    return status


def test_the_same_brief_is_served_from_the_cache_and_bypass_generates_anew(priced: Any) -> None:
    from flashfusion.wiring import get_deps

    deps = get_deps()
    first = run(priced, submission(prompt="Write a LinkedIn post announcing our spring hiking collection"))
    spent = deps.budgets.status(ORG).spent_usd
    assert spent > 0
    assert first["attempts"]

    # the same brief as normalised (case, spacing): served, not generated
    second = run(priced, submission(prompt="  write a LINKEDIN post   announcing our spring hiking collection "))
    served = second["asset"]["servedFrom"]
    assert served["kind"] == "cache"
    assert (served["assetId"], served["version"]) == (first["asset"]["assetId"], first["asset"]["version"])
    assert second["asset"]["assetId"] != first["asset"]["assetId"]
    assert second["attempts"] == []
    budget = deps.budgets.status(ORG)
    assert (budget.spent_usd, budget.reserved_usd) == (pytest.approx(spent), pytest.approx(0.0))
    record = deps.provenance.get(ORG, second["asset"]["assetId"], 1)
    assert record.served_from is not None
    assert record.served_from.asset_id == first["asset"]["assetId"]
    assert record.cost.usd == 0.0
    assert record.lint_passed
    original = deps.provenance.get(ORG, first["asset"]["assetId"], 1)
    assert record.output_hash == original.output_hash
    data, _ = deps.assets.read(record.key)
    assert data  # its own stored file, with its own credentials

    bypassed = run(priced, submission(prompt=first_prompt(), cache="bypass"))
    assert "servedFrom" not in bypassed["asset"]
    assert bypassed["attempts"]
    assert deps.budgets.status(ORG).spent_usd > spent


def first_prompt() -> str:
    return "Write a LinkedIn post announcing our spring hiking collection"


def test_a_predicted_request_is_pregenerated_off_peak_and_serves_a_close_brief(priced: Any) -> None:
    from flashfusion.app import result_cache
    from flashfusion.models import ContentType, utcnow
    from flashfusion.storage.result_cache import HistoryEntry
    from flashfusion.wiring import get_deps

    deps = get_deps()
    settings = priced.api(
        "PUT", "/v1/prediction-settings", {"enabled": True, "monthlyCapUsd": 0.5, "horizonHours": 24}, ADMIN
    )
    assert settings["statusCode"] == 200, settings
    # four weeks of the same weekly request (worded a little differently each time), at this hour of this weekday
    now = utcnow()
    openings = ["Weekly trail tip for LinkedIn", "LinkedIn weekly trail tip", "Weekly LinkedIn trail tip", "Trail tip"]
    repo = result_cache.repository(deps)
    for week in range(1, 5):
        repo.record_history(
            ORG,
            HistoryEntry(
                at=now - timedelta(days=7 * week) + timedelta(hours=1),
                request_id=f"past-{week}",
                content_type=ContentType.TEXT,
                brief=f"{openings[week - 1]}: how to pack a light daypack for 3 days",
                tier="standard",
                kit_id="aurora-core",
            ),
        )
    report, invocation = priced.invoke("PrefetchFunction", {"orgId": ORG})
    assert invocation.ok, invocation
    (candidate_id,) = report["reports"][0]["started"]
    request_id = candidate_id.rsplit(".", 1)[-1]
    assert priced.wait_for_execution(priced.execution_arn(request_id))["status"] == "SUCCEEDED"
    speculative = result_cache.speculative_ledger(deps).status(ORG)
    assert speculative.spent_usd > 0  # charged to the speculative ledger ...
    assert deps.budgets.status(ORG).spent_usd == 0.0  # ... never to the main budget

    listed = body_of(priced.api("GET", "/v1/predictions", None, claims()))
    (view,) = listed["items"]
    assert (view["candidateId"], view["state"]) == (candidate_id, "ready")

    # a new request, worded a little differently, same numbers: served at once from the candidate
    served = run(priced, submission(prompt="Weekly trail tip (LinkedIn): how to pack a light daypack for 3 days"))
    source = served["asset"]["servedFrom"]
    assert source["kind"] == "pregenerated"
    assert source["candidateId"] == candidate_id
    assert served["attempts"] == []
    assert deps.budgets.status(ORG).spent_usd == 0.0
    (after,) = body_of(priced.api("GET", "/v1/predictions", None, claims()))["items"]
    assert (after["state"], after["servedCount"]) == ("served", 1)

    # other numbers are another request: not served by it
    other = run(priced, submission(prompt="Weekly trail tip (LinkedIn): how to pack a light daypack for 5 days"))
    assert "servedFrom" not in other["asset"]


def prefetch_one(engine: Any, brief: str, **history: Any) -> tuple[str, str]:
    """Prediction on, four weeks of one weekly brief, the scheduled prefetch: (candidate id, request id)."""
    from flashfusion.app import result_cache
    from flashfusion.models import ContentType, utcnow
    from flashfusion.storage.result_cache import HistoryEntry
    from flashfusion.wiring import get_deps

    settings = engine.api(
        "PUT", "/v1/prediction-settings", {"enabled": True, "monthlyCapUsd": 0.5, "horizonHours": 24}, ADMIN
    )
    assert settings["statusCode"] == 200, settings
    now = utcnow()
    repo = result_cache.repository(get_deps())
    for week in range(1, 5):
        at = now - timedelta(days=7 * week) + timedelta(hours=1)
        entry = {"tier": "standard", "kit_id": "aurora-core", **history}
        repo.record_history(
            ORG, HistoryEntry(at=at, request_id=f"past-{week}", content_type=ContentType.TEXT, brief=brief, **entry)
        )
    report, invocation = engine.invoke("PrefetchFunction", {"orgId": ORG})
    assert invocation.ok, invocation
    (candidate_id,) = report["reports"][0]["started"]
    return candidate_id, candidate_id.rsplit(".", 1)[-1]


def test_a_pregenerated_result_that_would_need_a_review_is_dropped_not_queued_for_a_person(priced: Any) -> None:
    from flashfusion.app import result_cache
    from flashfusion.wiring import get_deps
    from tests.workflow.review_helpers import NONCOMPLIANT_PROMPT, states_entered

    candidate_id, request_id = prefetch_one(priced, NONCOMPLIANT_PROMPT, tier="basic", channel="instagram")
    priced.wait_for_execution(priced.execution_arn(request_id))
    record = body_of(priced.api("GET", f"/v1/requests/{request_id}", None, claims()))
    assert record["status"] == "failed"
    assert record["error"]["type"] == "SpeculationNeedsReview"
    assert body_of(priced.api("GET", "/v1/reviews", None, claims()))["items"] == []  # nobody's queue
    (view,) = body_of(priced.api("GET", "/v1/predictions", None, claims()))["items"]
    assert (view["candidateId"], view["state"]) == (candidate_id, "failed")
    ledger = result_cache.speculative_ledger(get_deps()).status(ORG)
    assert ledger.reserved_usd == 0.0  # its hold went back on the failure path
    metrics = body_of(priced.api("GET", "/v1/metrics", None, claims()))
    assert metrics["total"]["requests"] == 0  # the product's own speculation is not the organisation's work
    assert states_entered(priced, request_id)[-4:] == ["ReleaseBudget", "MarkFailed", "AnnounceFailure", "Failed"]


def test_a_pregenerated_request_stopped_outside_its_failure_path_fails_its_candidate(priced: Any) -> None:
    import json

    candidate_id, request_id = prefetch_one(priced, "Weekly trail tip: how to pack a light daypack for 3 days")
    arn = priced.execution_arn(request_id)
    priced.wait_for_execution(arn)
    # as if an operator had stopped it before it saved: the candidate goes back to generating, the request open
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    table = get_deps().requests.table
    table.update_item(
        Key=keys.candidate_key(ORG, candidate_id),
        UpdateExpression="SET #s = :g REMOVE #r",
        ExpressionAttributeNames={"#s": "status", "#r": "result"},
        ExpressionAttributeValues={":g": "generating"},
    )
    table.update_item(
        Key=keys.request_key(ORG, request_id),
        UpdateExpression="SET #s = :open",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":open": "generating"},
    )
    execution = priced.client("stepfunctions").describe_execution(executionArn=arn)
    event = {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "detail": {
            "executionArn": arn,
            "stateMachineArn": priced.state_machine_arn(),
            "status": "ABORTED",
            "error": "OperatorStop",
            "cause": "stopped",
            "input": execution["input"],
        },
    }
    assert json.loads(execution["input"])["request"]["speculative"]["candidateId"] == candidate_id
    settled, invocation = priced.invoke("ExecutionWatchFunction", event)
    assert invocation.ok, invocation
    assert settled["settled"] is True
    (view,) = body_of(priced.api("GET", "/v1/predictions", None, claims()))["items"]
    assert (view["candidateId"], view["state"]) == (candidate_id, "failed")
