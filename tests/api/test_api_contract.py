"""The contract every route keeps (issue 13): RFC 9457 problem details for every error, Powertools'
validation errors as 400s naming the field, identity before body, 413/415/429, one paging scheme with
organisation-bound tokens, and the Swagger UI served by the API."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from ffo.engine import http_api_event
from flashfusion.errors import AwsThrottled
from flashfusion.http.validation import MAX_BODY_BYTES
from tests.helpers import ORG, OTHER_ORG, body_of, claims, problem_of, submission

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")


def fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem["errors"]}


def add_account(engine: Any, account_id: str, org: str = ORG) -> None:
    body = {"accountId": account_id, "platform": "outbox", "handle": account_id}
    response = engine.api("POST", "/v1/accounts", body, claims(org))
    assert response["statusCode"] == 201, response


# problem details ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/reviews?limit=101", "limit"),
        ("/v1/reviews?limit=0", "limit"),
        ("/v1/reviews?limit=ten", "limit"),
        ("/v1/reviews?status=deciding", "status"),
        ("/v1/accounts?limit=1000", "limit"),
        ("/v1/campaigns?nextToken=" + "a" * 5000, "nextToken"),
        ("/v1/provenance?model=" + "m" * 200, "model"),
    ],
)
def test_query_validation_is_a_400_problem_naming_the_parameter(engine: Any, path: str, field: str) -> None:
    problem = problem_of(engine.api("GET", path, None, claims()), 400)
    assert problem["code"] == "invalid_request"
    assert problem["type"] == "https://flashfusion.dev/problems/invalid-request"
    assert fields(problem) == {field}, problem


def test_body_validation_names_every_field_at_fault(engine: Any) -> None:
    body = {"platform": "myspace", "handle": "", "extra": 1}
    problem = problem_of(engine.api("POST", "/v1/accounts", body, claims()), 400)
    assert fields(problem) == {"accountId", "platform", "handle", "extra"}, problem
    assert all(e["problem"] for e in problem["errors"])


@pytest.mark.parametrize(
    ("raw", "problem_text"),
    [("{not json", "JSON"), ("[]", "object"), ("", "required"), ('"a string"', "")],
)
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_body(engine: Any, raw: str, problem_text: str) -> None:
    problem = problem_of(engine.api("POST", "/v1/campaigns", None, claims(), raw_body=raw), 400)
    assert fields(problem) == {"body"}, problem
    assert problem_text.lower() in " ".join(e["problem"] for e in problem["errors"]).lower()


def test_identity_is_checked_before_the_body(engine: Any) -> None:
    problem = problem_of(engine.api("POST", "/v1/campaigns", None, {"org_id": ORG}, raw_body="{not json"), 401)
    assert problem["code"] == "unauthorized"
    assert problem["errors"] == []


def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(engine: Any) -> None:
    huge = json.dumps(submission(prompt="x" * (MAX_BODY_BYTES + 1)))
    problem = problem_of(engine.api("POST", "/v1/assets", None, claims(), raw_body=huge), 413)
    assert problem["code"] == "payload_too_large"
    assert fields(problem) == {"body"}
    deep = "[" * 100_000 + "]" * 100_000  # under the size limit, past the depth limit: still a 400
    assert problem_of(engine.api("POST", "/v1/assets", None, claims(), raw_body=deep), 400)["errors"][0]["field"] == (
        "body"
    )


def test_a_body_that_is_not_json_is_a_415(engine: Any) -> None:
    event = http_api_event(
        "POST", "/v1/accounts", None, claims(), raw_body="accountId=a", routes=engine._routes("ApiFunction")
    )
    event["headers"] = {**event["headers"], "content-type": "text/plain"}
    result, invocation = engine.invoke("ApiFunction", event)
    assert invocation.ok
    problem = problem_of(result, 415)
    assert problem["code"] == "unsupported_media_type"


def test_aws_throttling_is_a_429_with_retry_after(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.app import submissions

    def throttled(*_: Any) -> Any:
        raise AwsThrottled("Rate exceeded", service="dynamodb", code="ProvisionedThroughputExceededException")

    monkeypatch.setattr(submissions, "status", throttled)
    response = engine.api("GET", "/v1/requests/r-1", None, claims())
    problem = problem_of(response, 429)
    assert problem["code"] == "throttled"
    assert int(response["headers"]["Retry-After"]) >= 1
    assert "Rate exceeded" not in problem["detail"]  # AWS's words stay in the log


def test_a_route_that_does_not_exist_is_a_404_problem(engine: Any) -> None:
    assert problem_of(engine.api("GET", "/v1/nothing-here", None, claims()), 404)["code"] == "not_found"


def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.app import submissions

    def broken(*_: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(submissions, "status", broken)
    problem = problem_of(engine.api("GET", "/v1/requests/r-1", None, claims()), 500)
    assert problem["code"] == "internal_error"
    assert "secret" not in json.dumps(problem)


# responses ----------------------------------------------------------------------------------------
def test_answers_leave_absent_values_out_rather_than_null(engine: Any) -> None:
    add_account(engine, "outbox-a")
    account = body_of(engine.api("GET", "/v1/accounts/outbox-a", None, claims()))
    assert account == {
        "accountId": "outbox-a",
        "platform": "outbox",
        "handle": "outbox-a",
        "settings": {},
        "status": "active",
    }
    accepted = engine.api("POST", "/v1/assets", submission(), claims())
    assert accepted["statusCode"] == 202
    assert set(body_of(accepted)) == {"requestId", "status", "duplicate", "statusUrl"}


# paging -------------------------------------------------------------------------------------------
def test_lists_page_with_limit_and_an_opaque_next_token(engine: Any) -> None:
    for name in ("outbox-a", "outbox-b", "outbox-c"):
        add_account(engine, name)
    first = body_of(engine.api("GET", "/v1/accounts?limit=2", None, claims()))
    assert set(first) == {"items", "nextToken"}
    assert len(first["items"]) == 2
    rest = body_of(engine.api("GET", f"/v1/accounts?limit=2&nextToken={quote(first['nextToken'])}", None, claims()))
    assert "nextToken" not in rest
    seen = [a["accountId"] for a in first["items"] + rest["items"]]
    assert sorted(seen) == ["outbox-a", "outbox-b", "outbox-c"]


def test_a_next_token_works_only_for_its_organisation_and_its_list(engine: Any) -> None:
    for name in ("outbox-a", "outbox-b"):
        add_account(engine, name)
        add_account(engine, name, OTHER_ORG)
    token = quote(body_of(engine.api("GET", "/v1/accounts?limit=1", None, claims()))["nextToken"])
    for path, caller in (
        (f"/v1/accounts?nextToken={token}", claims(OTHER_ORG)),
        (f"/v1/campaigns?nextToken={token}", claims()),
        (f"/v1/reviews?nextToken={token}", claims()),
        (f"/v1/provenance?nextToken={token}", claims()),
    ):
        problem = problem_of(engine.api("GET", path, None, caller), 400)
        assert fields(problem) == {"nextToken"}, (path, problem)


def test_a_forged_token_naming_the_org_but_another_partition_is_refused(engine: Any) -> None:
    add_account(engine, "outbox-a")
    key = {"PK": f"ORG#{OTHER_ORG}", "SK": "ACCOUNT#outbox-a"}
    forged = {"v": 1, "org": ORG, "list": "accounts", "key": key}
    token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
    problem = problem_of(engine.api("GET", f"/v1/accounts?nextToken={quote(token)}", None, claims()), 400)
    assert fields(problem) == {"nextToken"}
    wrong_range = {**forged, "key": {"PK": f"ORG#{ORG}", "SK": "CAMPAIGN#c1"}}
    token = base64.urlsafe_b64encode(json.dumps(wrong_range).encode()).decode()
    assert problem_of(engine.api("GET", f"/v1/accounts?nextToken={quote(token)}", None, claims()), 400)


# docs ---------------------------------------------------------------------------------------------
def test_swagger_ui_is_served_without_a_token(engine: Any) -> None:
    page = engine.api("GET", "/v1/docs", None, None)
    assert page["statusCode"] == 200, page
    assert page["headers"]["Content-Type"] == "text/html"
    assert "swagger" in page["body"].lower()
    spec = engine.api("GET", "/v1/docs?format=json", None, None)
    assert spec["statusCode"] == 200
    document = json.loads(spec["body"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/v1/assets" in document["paths"]
