"""AWS service throttling through the real ASL: a Rekognition throttle during linting is retried by the
state machine (AwsThrottled), and the request still succeeds."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from ffo.asl import builder
from tests.helpers import ROOT, body_of, claims

EVENTS = ROOT / "events"


def test_a_throttled_rekognition_call_in_lint_is_retried_and_the_request_succeeds(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashfusion import wiring as deps
    from flashfusion.vision.rekognition import RekognitionModeration

    client = boto3.client("rekognition", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_client_error("detect_moderation_labels", service_error_code="ThrottlingException", http_status_code=400)
    for _ in range(4):  # the retried lint, and any later lint of the same request (auto-fix, review)
        stub.add_response("detect_moderation_labels", {"ModerationLabels": [], "ModerationModelVersion": "7.0"})
    stub.activate()
    monkeypatch.setattr(deps, "_moderation", lambda settings: RekognitionModeration(client))
    deps.get_deps.cache_clear()

    body = json.loads((EVENTS / "image-post.json").read_text("utf-8"))["body"]
    response = engine.api("POST", "/v1/assets", body, claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    execution = engine.wait_for_execution(engine.execution_arn(request_id), timeout=120)
    stub.deactivate()

    assert execution["status"] == "SUCCEEDED"
    status = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))
    assert status["status"] == "succeeded"

    history = engine.history(engine.execution_arn(request_id))
    failures = [e for e in history if e["type"] == "LambdaFunctionFailed"]
    assert [e["lambdaFunctionFailedEventDetails"]["error"] for e in failures] == ["AwsThrottled"]
    assert "ThrottlingException" in failures[0]["lambdaFunctionFailedEventDetails"]["cause"]
    entered_before = [e for e in history if e["type"].endswith("StateEntered") and e["id"] < failures[0]["id"]]
    assert entered_before[-1]["stateEnteredEventDetails"]["name"] == "LintAsset"
    scheduled_after_failure = [
        e for e in history if e["type"] == "LambdaFunctionScheduled" and e["id"] > failures[0]["id"]
    ]
    assert scheduled_after_failure, "the lint Lambda was not invoked again after the throttle"

    retrier = builder.AWS_THROTTLING
    [delay] = engine.sleeps.retries
    assert delay.base_seconds == retrier.interval_seconds
    assert 0 <= delay.slept_seconds <= delay.base_seconds
