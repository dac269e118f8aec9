"""A request that asks for posts: what can be refused is refused at submit, and a post that still cannot be
scheduled when the asset is saved is reported on the request (followUpError), never silent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission
from tests.workflow.review_helpers import finish, request_record, states_entered

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")


@pytest.fixture
def engine(fresh_engine: Any, sample_kit: dict[str, Any], tmp_path: Path) -> Any:
    fresh_engine.configure(env={"OUTBOX_DIR": str(tmp_path / "outbox")})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    for org, account_id in ((ORG, "outbox-main"), (OTHER_ORG, "theirs")):
        created = fresh_engine.api(
            "POST", "/v1/accounts", {"accountId": account_id, "platform": "outbox", "handle": "@brand"}, claims(org)
        )
        assert created["statusCode"] == 201, created
    return fresh_engine


def scheduled(*account_ids: str, at: datetime | None = None) -> dict[str, Any]:
    when = at or datetime.now(UTC) + timedelta(days=1)
    targets = [{"platform": "outbox", "accountId": account_id} for account_id in account_ids]
    return submission(schedule={"mode": "at", "at": when.isoformat(), "targets": targets})


def refused(response: dict[str, Any], field: str) -> str:
    assert response["statusCode"] == 400, response
    problems = {p["field"]: p["problem"] for p in body_of(response)["errors"]}
    assert field in problems, problems
    return problems[field]


@pytest.mark.parametrize(
    ("targets", "field", "problem"),
    [
        (["nobody"], "schedule.targets.0.accountId", "not found"),
        (["outbox-main", "theirs"], "schedule.targets.1.accountId", "not found"),  # another org's account
    ],
    ids=["unknown account", "another organisation's account"],
)
def test_a_target_that_is_not_an_account_of_the_org_is_refused_at_submit(
    engine: Any, targets: list[str], field: str, problem: str
) -> None:
    response = engine.api("POST", "/v1/assets", scheduled(*targets), claims())
    assert problem in refused(response, field)
    assert (
        engine.client("stepfunctions").list_executions(stateMachineArn=engine.state_machine_arn())["executions"] == []
    )


def test_a_time_in_the_past_is_refused_at_submit(engine: Any) -> None:
    response = engine.api(
        "POST", "/v1/assets", scheduled("outbox-main", at=datetime.now(UTC) - timedelta(hours=1)), claims()
    )
    assert "in the past" in refused(response, "schedule.at")


def test_an_inactive_account_is_refused_at_submit(engine: Any) -> None:
    engine.api("PATCH", "/v1/accounts/outbox-main", {"status": "needs_reauth"}, claims())
    response = engine.api("POST", "/v1/assets", scheduled("outbox-main"), claims())
    assert "re-authorise" in refused(response, "schedule.targets.0.accountId")


def test_a_post_that_cannot_be_scheduled_after_saving_is_the_requests_follow_up_error(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What passed at submit may fail later (an account removed meanwhile): the asset is saved, the good
    target is scheduled, and the request says which post was not and why."""
    from flashfusion.app import submissions

    monkeypatch.setattr(submissions, "check_schedule", lambda *_: None)  # the account "disappears" after submit
    response = engine.api("POST", "/v1/assets", scheduled("outbox-main", "gone"), claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]

    finish(engine, request_id)

    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    error = record["followUpError"]
    assert error["type"] == "PostsNotScheduled"
    assert "outbox/gone" in error["message"]
    assert "ReportSkippedPosts" in states_entered(engine, request_id)
    posts = engine.client("scheduler").list_schedules()["Schedules"]
    assert len(posts) == 1  # outbox-main still got its post


def test_a_request_whose_posts_all_scheduled_has_no_follow_up_error(engine: Any) -> None:
    response = engine.api("POST", "/v1/assets", scheduled("outbox-main"), claims())
    request_id = body_of(response)["requestId"]
    finish(engine, request_id)
    assert request_record(engine, request_id).get("followUpError") is None
    assert "ReportSkippedPosts" not in states_entered(engine, request_id)
