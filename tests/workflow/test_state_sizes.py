"""Bounded workflow state (issue 11, item 3): the worst inputs we can build go through every state, each
state's output stays within the budget, and every request ends with a terminal status.

The local engine measures and enforces Step Functions' 256 KiB the way AWS does (tests/workflow/
test_aws_limits.py), so a state that grew past it would fail here as it would in AWS.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from flashfusion.limits import LINT_SUMMARY_BYTES, STATE_BUDGET_BYTES, json_bytes
from tests.helpers import ORG, body_of, claims, submission
from tests.workflow.review_helpers import decide, request_record, stored_status

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦, 7 code points
TERMINAL_REQUEST_STATUSES = {"succeeded", "failed", "rejected", "review_expired", "queued", "cancelled"}

WORST_PROMPTS = {
    # issue 11's report: 3,517 characters of family emoji gave 498 voice.emoji violations (> 256 KB)
    "family-emoji": "Aurora Outdoor " + FAMILY * 500,
    # every word a banned term with a fix, a claim and a repetition
    "banned-terms": " ".join(["guaranteed miracle risk-free cheapest waterproof"] * 75),
    # the longest prompt of 4-byte code points
    "astral": "\U0001f3d4" * 4000,
    # exclamations, capitalisation and preferred terms on every word
    "shouting": " ".join(["CHEAP customers utilize aurora outdoor!!!"] * 90),
}


def outputs(engine: Any, request_id: str) -> list[tuple[str, int]]:
    """(state, bytes) of every state's output and every task's result in the execution's history."""
    sized: list[tuple[str, int]] = []
    state = "?"
    for event in engine.history(engine.execution_arn(request_id)):
        if "stateEnteredEventDetails" in event:
            state = event["stateEnteredEventDetails"]["name"]
        for key in ("stateExitedEventDetails", "lambdaFunctionSucceededEventDetails", "taskSucceededEventDetails"):
            output = event.get(key, {}).get("output")
            if output is not None:
                # moto's history escapes non-ASCII; Step Functions counts the JSON as UTF-8
                sized.append((event.get(key, {}).get("name", state), json_bytes(json.loads(output))))
    return sized


def next_review_or_end(engine: Any, request_id: str, seen: set[str], timeout: float = 90.0) -> dict[str, Any] | None:
    """The next pending review not decided yet, or None once the execution has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tick = engine.activity()
        if stored_status(engine, request_id) in (None, "needs_review"):  # else no review can be waiting yet
            record = request_record(engine, request_id)
            review = record.get("review") or {}
            pending = record["status"] == "needs_review" and review.get("status") == "pending"
            if pending and review["reviewId"] not in seen:
                return review
        if engine.execution_status(engine.execution_arn(request_id)) != "RUNNING":
            return None
        engine.wait_for_activity(tick, 0.25)  # until a handler returns, not a fixed poll
    record = request_record(engine, request_id)
    raise AssertionError(f"request {request_id} neither waits for a review nor ended: {record}")


def drive(engine: Any, request_id: str, edited_text: str) -> None:
    """Through every review path the state can grow on: regenerate with the longest feedback, then
    approve with the worst text as the edit (ApplyEdits, LintEdited, SaveAsset, translations)."""
    decisions = [
        {"decision": "regenerate", "feedback": "Rewrite it: " + "\U0001f4a5" * 1988},
        {"decision": "approve_with_edits", "editedText": edited_text},
    ]
    seen: set[str] = set()
    while (review := next_review_or_end(engine, request_id, seen)) is not None:
        seen.add(review["reviewId"])
        decision = decisions[min(len(seen) - 1, len(decisions) - 1)]
        answer = decide(engine, review["reviewId"], decision)
        assert answer["statusCode"] == 200, answer


@pytest.mark.parametrize("name", sorted(WORST_PROMPTS))
def test_worst_prompts_keep_every_state_within_budget_and_end_terminal(engine: Any, name: str) -> None:
    prompt = WORST_PROMPTS[name]
    assert len(prompt) <= 4000
    body = submission(prompt=prompt, channel="instagram", locales=["fr"])
    response = engine.api("POST", "/v1/assets", body, claims(ORG))
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    drive(engine, request_id, edited_text=prompt)
    described = engine.wait_for_execution(engine.execution_arn(request_id))
    record = request_record(engine, request_id)

    sizes = outputs(engine, request_id)
    assert sizes, "no state produced output"
    too_big = [(state, size) for state, size in sizes if size > STATE_BUDGET_BYTES]
    assert not too_big, too_big
    assert described["status"] in {"SUCCEEDED", "FAILED"}, described
    assert described.get("error") != "States.DataLimitExceeded", described
    assert record["status"] in TERMINAL_REQUEST_STATUSES, record["status"]
    lint = record.get("lint") or {}
    assert len(json.dumps(lint, ensure_ascii=False).encode("utf-8")) <= LINT_SUMMARY_BYTES
