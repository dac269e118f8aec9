"""The API function with API Gateway HTTP API (payload 2.0) events, through the local engine."""

from __future__ import annotations

from typing import Any

import pytest

from flashfusion.models import MAX_PROMPT_CHARS, RequestStatus
from tests.helpers import ORG, OTHER_ORG, body_of, claims, problem_of, submission

STATUSES = {s.value for s in RequestStatus}


# helpers -----------------------------------------------------------------------------------------
def post(engine: Any, body: Any, caller: dict[str, str] | None = None, raw_body: str | None = None) -> dict[str, Any]:
    return engine.api("POST", "/v1/assets", body, claims() if caller is None else caller, raw_body=raw_body)


def get(engine: Any, request_id: str, caller: dict[str, str] | None = None) -> dict[str, Any]:
    return engine.api("GET", f"/v1/requests/{request_id}", None, claims() if caller is None else caller)


def executions(engine: Any) -> list[str]:
    sfn = engine.client("stepfunctions")
    arns: list[str] = []
    kwargs: dict[str, Any] = {"stateMachineArn": engine.state_machine_arn()}
    while True:
        page = sfn.list_executions(**kwargs)
        arns.extend(e["executionArn"] for e in page["executions"])
        if not page.get("nextToken"):
            return sorted(arns)
        kwargs["nextToken"] = page["nextToken"]


def stored(engine: Any, prefix: str) -> list[dict[str, Any]]:
    """Items of the app table whose sort key starts with ``prefix`` (REQUEST#, IDEMPOTENCY#)."""
    (table,) = engine.resources.tables
    ddb = engine.client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        items.extend(i for i in page["Items"] if i["SK"]["S"].startswith(prefix))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def accepted(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 202, response
    body = body_of(response)
    assert body["status"] == "accepted"
    assert body["statusUrl"] == f"/v1/requests/{body['requestId']}"
    request_id: str = body["requestId"]
    return request_id


def finish(engine: Any, request_id: str) -> dict[str, Any]:
    description: dict[str, Any] = engine.wait_for_execution(engine.execution_arn(request_id), timeout=30)
    assert description["status"] == "SUCCEEDED", description
    return description


def json_error(response: dict[str, Any], status: int) -> dict[str, Any]:
    assert response["statusCode"] == status, response
    return problem_of(response, status)


def problems(body: dict[str, Any]) -> dict[str, str]:
    return {f["field"]: f["problem"] for f in body["errors"]}


# POST /v1/assets -----------------------------------------------------------------------------------
def test_submit_accepts_and_starts_the_workflow(engine: Any) -> None:
    response = post(engine, submission())

    request_id = accepted(response)
    assert body_of(response)["duplicate"] is False
    assert engine.execution_arn(request_id) in executions(engine)
    finish(engine, request_id)
    (item,) = stored(engine, "REQUEST#")
    assert item["PK"]["S"] == f"ORG#{ORG}"
    assert item["requestId"]["S"] == request_id
    assert item["userId"]["S"] == "user-1"
    assert item["executionArn"]["S"] == engine.execution_arn(request_id)


def test_the_org_comes_from_the_token(engine: Any) -> None:
    request_id = accepted(post(engine, submission(), claims(OTHER_ORG, user="user-9")))
    finish(engine, request_id)

    (item,) = stored(engine, "REQUEST#")
    assert item["PK"]["S"] == f"ORG#{OTHER_ORG}"
    assert (item["orgId"]["S"], item["userId"]["S"]) == (OTHER_ORG, "user-9")
    assert get(engine, request_id, claims(OTHER_ORG))["statusCode"] == 200


BAD_BODIES: dict[str, tuple[Any, str | None, str]] = {
    # name: (body, raw body, field the 400 must name)
    "org in body": (submission(orgId=OTHER_ORG), None, "orgId"),
    "unknown content type": (submission(contentType="hologram"), None, "contentType"),
    "empty prompt": (submission(prompt=""), None, "prompt"),
    "blank prompt": (submission(prompt="   \n "), None, "prompt"),
    "oversize prompt": (submission(prompt="x" * (MAX_PROMPT_CHARS + 1)), None, "prompt"),
    "missing brand kit": ({k: v for k, v in submission().items() if k != "brandKitId"}, None, "brandKitId"),
    "unknown brand kit": (submission(brandKitId="no-such-kit"), None, "brandKitId"),
    "unknown tier": (submission(tier="platinum"), None, "tier"),
    "misspelt field": (submission(promt="typo"), None, "promt"),
    "malformed json": (None, "{not json", "body"),
    "json list": ([submission()], None, "body"),
    "json string": ("a LinkedIn post", None, "body"),
    "no body": (None, None, "body"),
}


@pytest.mark.parametrize(("body", "raw_body", "field"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_submission_is_a_400_naming_the_field_and_starts_nothing(
    engine: Any, body: Any, raw_body: str | None, field: str
) -> None:
    started, requests = executions(engine), stored(engine, "REQUEST#")

    response = post(engine, body, raw_body=raw_body)

    error = json_error(response, 400)
    assert field in problems(error), error
    assert problems(error)[field]
    assert executions(engine) == started
    assert stored(engine, "REQUEST#") == requests
    assert stored(engine, "IDEMPOTENCY#") == []


@pytest.mark.parametrize(
    "caller",
    [{}, {"sub": "user-1"}, {"org_id": "", "sub": "user-1"}],
    ids=["no claims", "no org claim", "empty org claim"],
)
def test_submit_without_an_org_claim_is_a_401_and_starts_nothing(engine: Any, caller: dict[str, str]) -> None:
    response = post(engine, submission(), caller)

    error = json_error(response, 401)
    assert error["code"] == "unauthorized"
    assert executions(engine) == []
    assert stored(engine, "REQUEST#") == []


def test_org_in_the_body_cannot_redirect_the_request(engine: Any) -> None:
    """Even the caller's own org is refused in the body: the token is the only source."""
    error = json_error(post(engine, submission(orgId=ORG)), 400)

    assert "orgId" in problems(error)
    assert executions(engine) == []


def test_same_client_request_id_twice_is_one_request(engine: Any) -> None:
    body = submission(clientRequestId="spring-launch-001")

    first = post(engine, body)
    second = post(engine, body)

    request_id = accepted(first)
    assert accepted(second) == request_id
    assert body_of(first)["duplicate"] is False
    assert body_of(second)["duplicate"] is True
    assert executions(engine) == [engine.execution_arn(request_id)]
    assert len(stored(engine, "REQUEST#")) == 1
    finish(engine, request_id)


def test_same_client_request_id_with_another_body_is_a_400(engine: Any) -> None:
    request_id = accepted(post(engine, submission(clientRequestId="spring-launch-001")))
    started = executions(engine)

    response = post(engine, submission(clientRequestId="spring-launch-001", prompt="A different post"))

    error = json_error(response, 400)
    assert "clientRequestId" in problems(error)
    assert executions(engine) == started
    assert [i["requestId"]["S"] for i in stored(engine, "REQUEST#")] == [request_id]
    finish(engine, request_id)


def test_client_request_ids_are_per_org(engine: Any) -> None:
    body = submission(clientRequestId="spring-launch-001")

    mine = accepted(post(engine, body, claims(ORG)))
    theirs = post(engine, body, claims(OTHER_ORG))

    assert accepted(theirs) != mine
    assert body_of(theirs)["duplicate"] is False
    assert len(executions(engine)) == 2
    finish(engine, mine)
    finish(engine, body_of(theirs)["requestId"])


def test_faults_are_refused_when_fault_injection_is_off(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion import wiring as deps

    body = submission(faults=[{"model": "local/text-standard", "kind": "throttle", "times": 1}])
    with monkeypatch.context() as patch:  # undone while the engine still runs, so its env is restored cleanly
        patch.setenv("ALLOW_FAULT_INJECTION", "false")
        deps.reset()
        response = post(engine, body)
    deps.reset()

    error = json_error(response, 400)
    assert "faults" in problems(error)
    assert executions(engine) == []
    assert stored(engine, "REQUEST#") == []


def test_a_content_type_no_enabled_model_serves_is_a_400(sample_kit: dict[str, Any], fresh_engine: Any) -> None:
    with fresh_engine.configured({"ENABLED_PROVIDERS": "suno"}) as engine:  # its only provider has no adapter
        engine.seed_brand_kit(ORG, sample_kit)
        response = post(engine, submission(contentType="image"))

        error = json_error(response, 400)
        assert "contentType" in problems(error)
        assert "no enabled model serves image" in error["detail"]
        assert executions(engine) == []
        assert stored(engine, "REQUEST#") == []


def test_faults_are_accepted_on_the_local_engine(engine: Any) -> None:
    """The counterpart of the test above: the same body is fine where ALLOW_FAULT_INJECTION=true."""
    body = submission(faults=[{"model": "local/text-standard", "kind": "throttle", "times": 1}])

    request_id = accepted(post(engine, body))

    finish(engine, request_id)


# GET /v1/requests/{id} -----------------------------------------------------------------------------
def test_status_reports_progress_then_the_asset(engine: Any) -> None:
    request_id = accepted(post(engine, submission()))

    early = get(engine, request_id)
    assert early["statusCode"] == 200, early
    assert body_of(early)["requestId"] == request_id
    assert body_of(early)["status"] in STATUSES

    finish(engine, request_id)
    response = get(engine, request_id)

    assert response["statusCode"] == 200, response
    record = body_of(response)
    assert record["requestId"] == request_id
    assert record["orgId"] == ORG
    assert record["status"] == "succeeded"
    assert record["asset"]["key"].startswith(f"orgs/{ORG}/assets/{record['asset']['assetId']}/")
    assert record["violations"] == []
    assert "error" not in record
    obj = engine.client("s3").head_object(Bucket=record["asset"]["bucket"], Key=record["asset"]["key"])
    assert obj["ContentType"] == record["asset"]["mimeType"]


def test_another_orgs_request_is_not_found(engine: Any) -> None:
    request_id = accepted(post(engine, submission()))
    finish(engine, request_id)

    body = json_error(get(engine, request_id, claims(OTHER_ORG)), 404)

    assert body["code"] == "not_found"
    assert ORG not in body["detail"]
    assert get(engine, request_id, claims(ORG))["statusCode"] == 200


def test_unknown_request_is_a_404(engine: Any) -> None:
    body = json_error(get(engine, "00000000-0000-4000-8000-000000000000"), 404)

    assert body["code"] == "not_found"


@pytest.mark.parametrize("request_id", ["abc$def", "a%20b", "x'y"])
def test_request_id_no_request_can_have_is_a_404_not_a_500(engine: Any, request_id: str) -> None:
    body = json_error(get(engine, request_id), 404)

    assert body["code"] == "not_found"


@pytest.mark.parametrize("caller", [{}, {"sub": "user-1"}], ids=["no claims", "no org claim"])
def test_status_without_an_org_claim_is_a_401(engine: Any, caller: dict[str, str]) -> None:
    request_id = accepted(post(engine, submission()))
    finish(engine, request_id)

    response = get(engine, request_id, caller)

    assert json_error(response, 401)["code"] == "unauthorized"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_org_claim_no_key_can_hold_is_a_client_error(engine: Any, method: str) -> None:
    """An org claim like 'acme#x' must never reach a key; the caller gets a 4xx, not a 500."""
    caller = {"org_id": "acme#REQUEST", "sub": "user-1"}
    if method == "POST":
        response = post(engine, submission(), caller)
    else:
        response = get(engine, "00000000-0000-4000-8000-000000000000", caller)

    assert 400 <= response["statusCode"] < 500, response
    assert body_of(response)["code"] != "internal_error"
    assert executions(engine) == []
    assert stored(engine, "REQUEST#") == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing-here"),
        ("DELETE", "/v1/assets"),
        ("PATCH", "/v1/assets"),  # GET /v1/assets is the asset library now
        ("POST", "/v1/requests/abc"),
    ],
)
def test_unknown_route_is_a_json_404(engine: Any, method: str, path: str) -> None:
    body = json_error(engine.api(method, path, None, claims()), 404)

    assert body["code"] == "not_found"
    assert executions(engine) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/assets"),
        ("POST", "/v1/campaigns"),
        ("POST", "/v1/posts"),
        ("PATCH", "/v1/accounts/acct-1"),
        ("POST", "/v1/reviews/review-1/decision"),
    ],
)
def test_a_body_that_is_not_json_is_the_same_400_on_every_route(engine: Any, method: str, path: str) -> None:
    response = engine.api(method, path, None, claims(), raw_body="{not json")

    error = json_error(response, 400)
    assert error["code"] == "invalid_request"
    assert "body" in problems(error)
