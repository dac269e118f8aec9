"""Driving the review loop through the real API and state machine, with time limits on every wait."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.helpers import ORG, body_of, claims, submission

NONCOMPLIANT_PROMPT = "Write a post saying our jackets are a guaranteed miracle and completely risk-free"


def reviewer(org: str = ORG, user: str = "rita") -> dict[str, Any]:
    return {**claims(org, user), "cognito:groups": "[reviewers editors]"}


def noncompliant(**overrides: Any) -> dict[str, Any]:
    return submission(prompt=NONCOMPLIANT_PROMPT, tier="basic", channel="instagram", **overrides)


def submit(engine: Any, body: dict[str, Any], org: str = ORG) -> str:
    response = engine.api("POST", "/v1/assets", body, claims(org))
    assert response["statusCode"] == 202, response
    return str(body_of(response)["requestId"])


def request_record(engine: Any, request_id: str, org: str = ORG) -> dict[str, Any]:
    response = engine.api("GET", f"/v1/requests/{request_id}", None, claims(org))
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def stored_status(engine: Any, request_id: str, org: str = ORG) -> str | None:
    """The request's status as moto holds its item, read without an API call; None if it cannot be read (no
    item yet, or moto's models moved). A gate only: what a test checks is read through the API."""
    try:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        from ffo.cfn import ACCOUNT_ID
        from flashfusion.storage import keys

        table_name = engine.resources.functions["ApiFunction"].environment["TABLE_NAME"]
        key = keys.request_key(org, request_id)
        table = dynamodb_backends[ACCOUNT_ID][engine.region].tables[table_name]
        item = table.get_item(DynamoType({"S": key["PK"]}), DynamoType({"S": key["SK"]}))
        return str(item.attrs["status"].value)
    except Exception:  # no item, or moto changed: the caller asks the API
        return None


def wait_for_review(engine: Any, request_id: str, round_: int = 0, timeout: float = 60.0) -> dict[str, Any]:
    """Poll until the request waits on a pending review of ``round_``; fail on any other ending.

    The request is read through the API (~50 ms of CPU a look) only when its stored status says it may be
    waiting on a review: a workflow returns from a handler several times before it gets there."""
    arn = engine.execution_arn(request_id)
    deadline = time.monotonic() + timeout
    while True:
        seen = engine.activity()
        if stored_status(engine, request_id) in (None, "needs_review"):
            record = request_record(engine, request_id)
            review = record.get("review") or {}
            if (
                record["status"] == "needs_review"
                and review.get("status") == "pending"
                and review.get("round") == round_
            ):
                return record
        status = engine.execution_status(arn)
        if status != "RUNNING":
            record = request_record(engine, request_id)
            raise AssertionError(f"execution ended {status} before review round {round_}: {record}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no review of round {round_} after {timeout}s: {request_record(engine, request_id)}")
        # until a handler returns (the review is recorded by one), not a fixed poll
        engine.wait_for_activity(seen, 0.25)


def decide(engine: Any, review_id: str, decision: dict[str, Any], who: dict[str, Any] | None = None) -> dict[str, Any]:
    return dict(engine.api("POST", f"/v1/reviews/{review_id}/decision", decision, who or reviewer()))


def finish(engine: Any, request_id: str) -> dict[str, Any]:
    execution: dict[str, Any] = engine.wait_for_execution(engine.execution_arn(request_id), timeout=90)
    assert execution["status"] == "SUCCEEDED", execution
    return execution


def states_entered(engine: Any, request_id: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in engine.history(engine.execution_arn(request_id))
        if e["type"].endswith("StateEntered")
    ]


def versions(engine: Any, asset_id: str, org: str = ORG) -> list[dict[str, Any]]:
    response = engine.api("GET", f"/v1/assets/{asset_id}/lineage", None, claims(org))
    assert response["statusCode"] == 200, response
    found: list[dict[str, Any]] = body_of(response)["versions"]
    return found


def provenance_record(asset_id: str, version: int, org: str = ORG) -> dict[str, Any]:
    from flashfusion.wiring import get_deps

    record: dict[str, Any] = get_deps().provenance.get(org, asset_id, version).to_json()
    return record


def stored(key: str) -> bytes:
    from flashfusion.wiring import get_deps

    data, _ = get_deps().assets.read(key)
    return data


def event_queue(engine: Any) -> str:
    """An SQS queue subscribed to the orchestrator's EventBridge events, to see what subscribers get."""
    sqs, events = engine.client("sqs"), engine.client("events")
    url = sqs.create_queue(QueueName="observer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="observe", EventPattern=json.dumps({"source": ["flashfusion.orchestrator"]}))
    events.put_targets(Rule="observe", Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def received_events(engine: Any, url: str) -> list[dict[str, Any]]:
    sqs = engine.client("sqs")
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
