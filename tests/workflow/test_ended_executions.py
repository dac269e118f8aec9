"""A request whose execution ends outside the failure path (an uncatchable error, a stop) still ends
failed, with its cause and its budget holds released: Step Functions' status-change event reaches
ExecutionWatch (delivered locally by the engine as EventBridge would)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ffo import aws_limits
from ffo.execution_events import matches
from tests.helpers import ORG, body_of, claims, submission
from tests.workflow.review_helpers import noncompliant, request_record, submit, wait_for_review
from tests.workflow.test_state_sizes import outputs


def test_a_data_limit_exceeded_at_lint_leaves_no_request_stuck_at_linting(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11's report: LintAsset's output past the quota; MarkFailed never runs; the request stayed
    "linting". Here the quota is lowered so that the same thing happens with an ordinary post."""
    first = submit(engine, submission())
    engine.wait_for_execution(engine.execution_arn(first))
    sizes = dict(outputs(engine, first))
    monkeypatch.setattr(aws_limits, "STATE_PAYLOAD_BYTES", sizes["Generate"] + 16)
    assert sizes["LintAsset"] > aws_limits.STATE_PAYLOAD_BYTES

    request_id = submit(engine, submission())
    described = engine.wait_for_execution(engine.execution_arn(request_id))
    assert described["status"] == "FAILED"
    assert described["error"] == "States.DataLimitExceeded"
    record = request_record(engine, request_id)
    assert record["status"] == "failed"
    assert record["error"]["type"] == "States.DataLimitExceeded"
    watched = [i for i in engine.invocations if i.function == "ExecutionWatchFunction"]
    assert watched
    assert all(i.ok for i in watched)


def test_a_stopped_execution_fails_its_request_once(engine: Any) -> None:
    """An operator's StopExecution while the request waits for a review (moto wakes such an execution only
    at the token's timeout, so the status-change event AWS would send at once is handed over here)."""
    request_id = submit(engine, noncompliant())
    wait_for_review(engine, request_id)
    execution = {"executionArn": engine.execution_arn(request_id), "status": "ABORTED", "error": "OperatorStop"}
    event = {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "detail": {
            **execution,
            "stateMachineArn": engine.state_machine_arn(),
            "cause": "stuck vendor",
            "input": json.dumps({"request": {"orgId": ORG, "requestId": request_id}}),
        },
    }
    assert any(matches(pattern, event) for pattern, _ in engine.event_rules)
    first, _ = engine.invoke("ExecutionWatchFunction", event)
    again, _ = engine.invoke("ExecutionWatchFunction", event)
    assert (first["settled"], again["settled"]) == (True, False)
    record = request_record(engine, request_id)
    assert record["status"] == "failed"
    assert record["error"] == {"type": "OperatorStop", "message": "stuck vendor"}


def test_a_request_that_failed_through_its_failure_path_is_left_as_it_was(engine: Any) -> None:
    body = submission(faults=[{"kind": "auth"}])
    response = engine.api("POST", "/v1/assets", body, claims(ORG))
    request_id = body_of(response)["requestId"]
    engine.wait_for_execution(engine.execution_arn(request_id))
    record = request_record(engine, request_id)
    assert record["status"] == "failed"
    assert record["error"]["type"] != "ExecutionFailed"
    watched = [i for i in engine.invocations if i.function == "ExecutionWatchFunction"]
    assert len(watched) == 1
    assert watched[0].ok
