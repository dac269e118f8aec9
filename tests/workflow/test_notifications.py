"""Notifications through the real workflow: the engine delivers the events a handler (or the state machine)
puts on the bus to the template's NotifyFunction, whose outbox shows what would be sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission
from tests.workflow.review_helpers import noncompliant, submit, wait_for_review

HOOK = "https://hooks.chat.example.com/services/T0/B0/token"
CONSOLE = "https://console.example.com"
ADMIN = {**claims(), "cognito:groups": "[admins]"}


def sent(outbox: Path, org: str = ORG) -> list[dict[str, Any]]:
    folder = outbox / "notifications" / org
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def configure(engine: Any, outbox: Path) -> None:
    engine.configure(env={"OUTBOX_DIR": str(outbox), "CONSOLE_URL": CONSOLE})
    settings = {"chatWebhookUrl": HOOK, "reviewerEmails": ["rita@example.com", "raj@example.com"]}
    assert engine.api("PUT", "/v1/notifications/settings", settings, ADMIN)["statusCode"] == 200


def test_a_failed_request_reaches_the_topic_and_the_org_chat(engine: Any, tmp_path: Path) -> None:
    configure(engine, tmp_path)
    request_id = submit(engine, submission(tier="premium", faults=[{"kind": "auth"}]))
    execution = engine.wait_for_execution(engine.execution_arn(request_id))
    assert execution["status"] == "FAILED"

    messages = [m for m in sent(tmp_path) if m["detailType"] == "AssetRequestFailed"]
    assert sorted(m["channel"] for m in messages) == ["chat", "topic"]
    chat = next(m for m in messages if m["channel"] == "chat")
    assert chat["to"] == HOOK
    assert request_id in chat["payload"]["text"]
    assert "FallbackChainExhausted" in chat["payload"]["text"]
    assert sent(tmp_path, OTHER_ORG) == []


def test_a_review_request_emails_the_reviewers_with_the_console_link(engine: Any, tmp_path: Path) -> None:
    configure(engine, tmp_path)
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]

    emails = [m for m in sent(tmp_path) if m["channel"] == "email"]
    assert len(emails) == 1
    assert emails[0]["to"] == ["rita@example.com", "raj@example.com"]
    assert f"{CONSOLE}/#/reviews/{review_id}" in emails[0]["body"]
    assert not [m for m in sent(tmp_path) if m["channel"] == "topic"]  # reviewers' work, not an operator alert
    engine.client("stepfunctions").stop_execution(executionArn=engine.execution_arn(request_id))


def test_an_org_without_settings_still_alerts_operators(engine: Any, tmp_path: Path) -> None:
    engine.configure(env={"OUTBOX_DIR": str(tmp_path)})
    response = engine.api(
        "POST", "/v1/assets", submission(tier="premium", faults=[{"kind": "auth"}]), claims(OTHER_ORG)
    )
    request_id = body_of(response)["requestId"]
    engine.wait_for_execution(engine.execution_arn(request_id))
    assert [m["channel"] for m in sent(tmp_path, OTHER_ORG)] == ["topic"]


def test_a_budget_threshold_event_reaches_the_topic_and_chat(engine: Any, tmp_path: Path) -> None:
    configure(engine, tmp_path)
    event = {
        "id": "evt-1",
        "source": "flashfusion.orchestrator",
        "detail-type": "BudgetThresholdReached",
        "detail": {"orgId": ORG, "month": "2026-12", "thresholdPercent": 80, "spentUsd": 81.0, "limitUsd": 100.0},
    }
    engine.invoke("NotifyFunction", event)
    messages = sent(tmp_path)
    assert sorted(m["channel"] for m in messages) == ["chat", "topic"]
    assert all("80 %" in m["subject"] for m in messages)


def test_spending_past_80_percent_is_measured_and_announced_once(
    fresh_engine: Any, tmp_path: Path, sample_kit: dict[str, Any]
) -> None:
    from flashfusion.wiring import get_deps
    from tests.workflow.test_budgets_and_batch import PRICED, spec_estimate

    engine = fresh_engine
    engine.configure(env={"OUTBOX_DIR": str(tmp_path), "MODEL_MATRIX_PATH": str(PRICED)})
    engine.seed_brand_kit(ORG, sample_kit)
    limit = 10 * spec_estimate("local/text-standard", submission()["prompt"])
    engine.seed_budget(ORG, limit)
    budgets = get_deps().budgets  # earlier spending this month: 79 % of the limit
    assert budgets.reserve(ORG, "earlier.0", 0.79 * limit)
    assert budgets.settle(ORG, "earlier.0", 0.79 * limit)

    for _ in range(2):  # the second request passes 80 % again: no second announcement
        request_id = submit(engine, submission(cache="bypass"))  # both paid for (not served from the cache)
        assert engine.wait_for_execution(engine.execution_arn(request_id))["status"] == "SUCCEEDED"

    announced = [m for m in sent(tmp_path) if m["detailType"] == "BudgetThresholdReached"]
    assert [m["channel"] for m in announced] == ["topic"]
    assert "80 %" in announced[0]["subject"]
    generate_logs = "".join(i.logs for i in engine.invocations if i.function == "GenerateFunction")
    used = [json.loads(line) for line in generate_logs.splitlines() if '"BudgetUsedPercent"' in line]
    percents = [u["BudgetUsedPercent"][0] for u in used]
    assert len(percents) == 2
    assert all(u["OrgId"] == ORG for u in used)
    assert 79 < percents[0] < percents[1]
    assert percents[1] >= 80
