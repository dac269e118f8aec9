"""SchedulePosts and Publish through the local engine: the step's contract with the state machine,
the AddToCampaign item layout, and the local scheduler clock (retry policy, dead-letter queue)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, ROOT, body_of, claims, submission
from tests.workflow.review_helpers import finish, request_record, states_entered, submit

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")


@pytest.fixture
def engine(fresh_engine: Any, sample_kit: dict[str, Any], tmp_path: Path) -> Any:
    fresh_engine.configure(env={"OUTBOX_DIR": str(tmp_path / "outbox")})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    fresh_engine.outbox = tmp_path / "outbox"
    return fresh_engine


def api(engine: Any, method: str, path: str, body: Any = None, org: str = ORG) -> Any:
    response = engine.api(method, path, body, claims(org))
    assert response["statusCode"] < 300, response
    return body_of(response)


def saved_state(engine: Any, **request: Any) -> dict[str, Any]:
    """A workflow state document as SchedulePosts receives it, for an asset really saved by the workflow."""
    answer = api(engine, "POST", "/v1/assets", submission())
    arn = engine.execution_arn(answer["requestId"])
    assert engine.wait_for_execution(arn, timeout=60)["status"] == "SUCCEEDED"
    stored = json.loads(engine.client("stepfunctions").describe_execution(executionArn=arn)["input"])
    record = api(engine, "GET", f"/v1/requests/{answer['requestId']}")
    stored["request"].update(request)
    return {"request": stored["request"], "saved": {"asset": record["asset"], "provenance": {}}}


def accounts(engine: Any) -> None:
    for account_id, platform in (("outbox-main", "outbox"), ("x-brand", "x")):
        api(engine, "POST", "/v1/accounts", {"accountId": account_id, "platform": platform, "handle": "@brand"})


def test_schedule_posts_step_creates_one_post_and_schedule_per_target(engine: Any) -> None:
    accounts(engine)
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    state = saved_state(
        engine,
        schedule={
            "mode": "at",
            "at": at.isoformat(),
            "timeZone": "Europe/Paris",
            "targets": [
                {"platform": "outbox", "accountId": "outbox-main"},
                {"platform": "x", "accountId": "x-brand"},
                {"platform": "linkedin", "accountId": "nobody"},
            ],
            "caption": "Trail-ready",
        },
    )

    result, invocation = engine.invoke("SchedulePostsFunction", _state_document(engine, state))

    assert invocation.ok, result
    assert sorted(p["platform"] for p in result["posts"]) == ["outbox", "x"]
    assert all(datetime.fromisoformat(p["scheduledAt"]) == at for p in result["posts"])
    (skipped,) = result["skipped"]
    assert "linkedin/nobody" in skipped
    names = sorted(s["Name"] for s in engine.client("scheduler").list_schedules()["Schedules"])
    assert names == sorted(f"post-{p['postId']}" for p in result["posts"])

    # a retried step (same state) schedules nothing twice
    again, _ = engine.invoke("SchedulePostsFunction", _state_document(engine, state))
    assert sorted(p["postId"] for p in again["posts"]) == sorted(p["postId"] for p in result["posts"])
    assert len(engine.client("scheduler").list_schedules()["Schedules"]) == 2

    # both fire; X is not enabled locally, so it goes to the outbox too, once each
    fired = engine.fire_due(at + timedelta(minutes=1))
    assert [f.result["outcome"] for f in fired] == ["published", "published"]
    assert {f.result.get("via") for f in fired} == {None, "outbox"}
    assert len(list(engine.outbox.rglob("*.json"))) == 2


def test_no_schedule_on_the_request_schedules_nothing(engine: Any) -> None:
    state = saved_state(engine)
    result, invocation = engine.invoke("SchedulePostsFunction", _state_document(engine, state))
    assert invocation.ok
    assert result == {"posts": [], "skipped": ["the request asked for no posts"]}


def test_add_to_the_campaign_plan(engine: Any) -> None:
    accounts(engine)
    start = datetime.now(UTC) + timedelta(days=1)
    campaign = api(
        engine,
        "POST",
        "/v1/campaigns",
        {
            "name": "Spring",
            "brandKitId": "aurora-core",
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(days=5)).isoformat(),
            "timeZone": "Europe/Paris",
            "targets": [{"platform": "outbox", "accountId": "outbox-main"}],
        },
    )
    state = saved_state(engine, campaignId=campaign["campaignId"], schedule={"mode": "campaign_plan"})
    asset = state["saved"]["asset"]
    _add_to_campaign_as_the_asl_does(engine, state)
    assert api(engine, "GET", f"/v1/campaigns/{campaign['campaignId']}")["assetIds"] == [asset["assetId"]]

    result, invocation = engine.invoke("SchedulePostsFunction", _state_document(engine, state))

    assert invocation.ok, result
    (post,) = result["posts"]
    assert post["platform"] == "outbox"
    assert start <= datetime.fromisoformat(post["scheduledAt"]) <= start + timedelta(days=5)
    posts = api(engine, "GET", f"/v1/campaigns/{campaign['campaignId']}/posts")["items"]
    assert [p["postId"] for p in posts] == [post["postId"]]


def test_a_fire_that_keeps_failing_is_retried_then_dead_lettered(engine: Any) -> None:
    from ffo.scheduler_clock import due_time

    group = engine.resources.functions["ApiFunction"].environment["SCHEDULE_GROUP"]
    dlq_arn = engine.resources.functions["ApiFunction"].environment["PUBLISH_DLQ_ARN"]
    at = datetime.now(UTC) + timedelta(hours=1)
    engine.client("scheduler").create_schedule(
        Name="post-broken",
        GroupName=group,
        ScheduleExpression=f"at({at.astimezone(__import__('zoneinfo').ZoneInfo('Asia/Tokyo')):%Y-%m-%dT%H:%M:%S})",
        ScheduleExpressionTimezone="Asia/Tokyo",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": engine.resources.functions["ApiFunction"].environment["PUBLISH_FUNCTION_ARN"],
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "Input": json.dumps({"orgId": ORG}),  # no postId: the handler raises
            "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": dlq_arn},
        },
    )
    schedule = engine.client("scheduler").get_schedule(Name="post-broken", GroupName=group)
    assert abs((due_time(schedule) - at).total_seconds()) < 1  # parsed in its own time zone
    assert engine.fire_due(at - timedelta(minutes=1)) == []

    (fired,) = engine.fire_due(at)

    assert fired.attempts == 3
    assert not fired.ok
    assert fired.dead_lettered
    assert "KeyError" in (fired.error or "")
    messages = engine.client("sqs").receive_message(QueueUrl=engine.resources.queues["PublishDeadLetterQueue"])
    (message,) = messages["Messages"]
    assert json.loads(message["Body"])["schedule"] == "post-broken"
    assert engine.client("scheduler").list_schedules()["Schedules"] == []


def test_other_orgs_posts_are_invisible_to_the_step(engine: Any) -> None:
    accounts(engine)  # accounts of ORG only
    state = saved_state(
        engine,
        orgId=OTHER_ORG,
        schedule={
            "mode": "at",
            "at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
            "targets": [{"platform": "outbox", "accountId": "outbox-main"}],
        },
    )
    result, _ = engine.invoke("SchedulePostsFunction", _state_document(engine, state))
    assert result["posts"] == []
    assert "outbox-main" in result["skipped"][0]


def _state_document(engine: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The state as the ASL hands it over: the saved asset reference plus its provenance record."""
    from flashfusion.wiring import get_deps

    asset = state["saved"]["asset"]
    provenance = get_deps().provenance.get(ORG, asset["assetId"], asset["version"]).to_json()
    return {"request": state["request"], "saved": {"asset": asset, "provenance": provenance}}


def _add_to_campaign_as_the_asl_does(engine: Any, state: dict[str, Any]) -> None:
    """The AddToCampaign state's direct DynamoDB UpdateItem (arn:aws:states:::dynamodb:updateItem)."""
    (table,) = [t for t in engine.resources.tables if "AppTable" in t]
    request, asset = state["request"], state["saved"]["asset"]
    engine.client("dynamodb").update_item(
        TableName=table,
        Key={
            "PK": {"S": f"ORG#{request['orgId']}"},
            "SK": {"S": f"CAMPAIGNASSET#{request['campaignId']}#{asset['assetId']}"},
        },
        UpdateExpression=(
            "SET assetId = :a, assetVersion = :v, campaignId = :c, requestId = :r, #t = :t, "
            "addedAt = if_not_exists(addedAt, :now)"
        ),
        ExpressionAttributeNames={"#t": "type"},
        ExpressionAttributeValues={
            ":a": {"S": asset["assetId"]},
            ":v": {"N": str(asset["version"])},
            ":c": {"S": request["campaignId"]},
            ":r": {"S": request["requestId"]},
            ":t": {"S": "campaign_asset"},
            ":now": {"S": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"},
        },
    )


def test_ffo_plan_prints_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    from ffo.cli import main

    assert main(["plan", str(ROOT / "events" / "campaign.sample.json")]) == 0
    out = capsys.readouterr().out
    assert "7 post(s) planned, 0 unplaced" in out
    assert "2027-03-02 Tue 09:00 CET  x" in out


TICK = ["-m", "ffo.cli", "tick", "events/text-scheduled.json", "--until", "2027-06-02T00:00:00Z"]


def test_ffo_tick_runs_a_scheduled_request_and_fires_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, *TICK, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scheduled post" in done.stdout
    assert '"outcome": "published"' in done.stdout
    assert len(list((tmp_path / "outbox").rglob("*.json"))) == 1


def created(engine: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = engine.api("POST", path, body, claims())
    assert response["statusCode"] == 201, response
    result: dict[str, Any] = body_of(response)
    return result


def test_saved_asset_joins_its_campaign_and_its_post_goes_out_once(engine: Any) -> None:
    created(engine, "/v1/accounts", {"accountId": "outbox-main", "platform": "outbox", "handle": "@aurora"})
    start = datetime.now(UTC) + timedelta(days=1)
    campaign = created(
        engine,
        "/v1/campaigns",
        {
            "name": "Spring 2027",
            "brandKitId": "aurora-core",
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(days=30)).isoformat(),
            "timeZone": "Europe/Paris",
            "targets": [{"platform": "outbox", "accountId": "outbox-main"}],
        },
    )
    at = (start + timedelta(hours=2)).replace(microsecond=0)
    body = submission(
        campaignId=campaign["campaignId"],
        schedule={
            "mode": "at",
            "at": at.isoformat(),
            "timeZone": "Europe/Paris",
            "targets": [{"platform": "outbox", "accountId": "outbox-main"}],
            "caption": "Spring is here.",
        },
    )
    request_id = submit(engine, body)
    execution = finish(engine, request_id)

    assert states_entered(engine, request_id)[-7:] == [
        "HasCampaign",
        "AddToCampaign",
        "HasLocales",
        "WantsPosts",
        "SchedulePosts",
        "AllPostsScheduled",
        "Succeeded",
    ]
    asset = request_record(engine, request_id)["asset"]
    joined = body_of(engine.api("GET", f"/v1/campaigns/{campaign['campaignId']}", None, claims()))
    assert joined["assetIds"] == [asset["assetId"]]
    (post,) = json.loads(execution["output"])["posts"]["posts"]
    assert datetime.fromisoformat(post["scheduledAt"]) == at

    assert engine.fire_due(at - timedelta(minutes=1)) == []  # not due yet
    fired = engine.fire_due(at + timedelta(minutes=1))
    assert [f.result["outcome"] for f in fired] == ["published"]
    assert engine.fire_due(at + timedelta(days=1)) == []  # a one-time schedule is deleted after it fires
    stored = body_of(engine.api("GET", f"/v1/posts/{post['postId']}", None, claims()))
    assert stored["status"] == "published"
    assert stored["platformPostId"]
    assert len(list(engine.outbox.rglob("*.json"))) == 1


def test_an_unknown_campaign_is_refused_before_anything_starts(engine: Any) -> None:
    response = engine.api("POST", "/v1/assets", submission(campaignId="no-such-campaign"), claims())
    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == "campaignId"
    executions = engine.client("stepfunctions").list_executions(stateMachineArn=engine.state_machine_arn())
    assert executions["executions"] == []
