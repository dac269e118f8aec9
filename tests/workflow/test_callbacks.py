"""A request's callbackUrl gets a signed POST when it needs review and when it ends, through the real
workflow: ExecutionWatch receives Step Functions' status change and the review-requested event."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from flashfusion.publishers.webhook import SIGNATURE_HEADER, verify_signature
from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission
from tests.workflow.review_helpers import decide, noncompliant, request_record, submit, wait_for_review

URL = "https://hooks.example.com/flashfusion/callbacks"
ADMIN = {**claims(), "cognito:groups": "[admins]"}


def rotate(engine: Any, who: dict[str, Any] = ADMIN) -> dict[str, Any]:
    return dict(engine.api("POST", "/v1/callbacks/secret", None, who))


def received(route: respx.Route, secret: str) -> list[dict[str, Any]]:
    bodies = []
    for call in route.calls:
        assert verify_signature(call.request.content, call.request.headers[SIGNATURE_HEADER], secret)
        bodies.append(json.loads(call.request.content))
    return bodies


def test_a_request_that_succeeds_calls_back_once_signed(engine: Any) -> None:
    secret = body_of(rotate(engine))["secret"]
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(204))
        request_id = submit(engine, submission(callbackUrl=URL))
        engine.wait_for_execution(engine.execution_arn(request_id))
    assert request_record(engine, request_id)["status"] == "succeeded"
    (body,) = received(route, secret)
    assert body["event"] == "request.succeeded"
    assert body["requestId"] == request_id
    assert body["asset"]["assetId"]


def test_a_review_and_its_rejection_each_call_back(engine: Any) -> None:
    secret = body_of(rotate(engine))["secret"]
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(return_value=httpx.Response(200))
        request_id = submit(engine, noncompliant(callbackUrl=URL))
        record = wait_for_review(engine, request_id)
        assert [b["event"] for b in received(route, secret)] == ["request.needs_review"]
        assert (
            decide(engine, record["review"]["reviewId"], {"decision": "reject", "comment": "no"})["statusCode"] == 200
        )
        engine.wait_for_execution(engine.execution_arn(request_id))
    bodies = received(route, secret)
    assert [b["event"] for b in bodies] == ["request.needs_review", "request.rejected"]
    assert bodies[0]["reviewUrl"] == f"/v1/reviews/{record['review']['reviewId']}"


def test_a_callback_url_is_refused_at_submit_unless_safe_and_signed(engine: Any) -> None:
    without_secret = engine.api("POST", "/v1/assets", submission(callbackUrl=URL), claims(ORG))
    assert without_secret["statusCode"] == 400
    assert "callbackUrl" in without_secret["body"]
    rotate(engine)
    for unsafe in ("http://hooks.example.com/cb", "https://169.254.169.254/latest/meta-data", "https://localhost/cb"):
        response = engine.api("POST", "/v1/assets", submission(callbackUrl=unsafe), claims(ORG))
        assert response["statusCode"] == 400, unsafe
        assert "callbackUrl" in response["body"]


def test_only_an_admin_rotates_the_secret_and_only_for_their_organisation(engine: Any) -> None:
    assert rotate(engine, claims(ORG))["statusCode"] == 403
    first = body_of(rotate(engine))["secret"]
    second = body_of(rotate(engine))["secret"]
    assert first != second
    other_admin = {**claims(OTHER_ORG), "cognito:groups": "[admins]"}
    assert body_of(rotate(engine, other_admin))["secret"] not in (first, second)
    from flashfusion.wiring import get_deps

    secrets = get_deps().callback_secrets
    assert secrets is not None
    assert secrets.get(ORG) == second
