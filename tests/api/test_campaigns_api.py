"""Campaign, post and account routes through the API function, and the scheduled posts firing locally."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")


@pytest.fixture
def engine(fresh_engine: Any, sample_kit: dict[str, Any], tmp_path: Path) -> Any:
    fresh_engine.configure(env={"OUTBOX_DIR": str(tmp_path / "outbox")})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    fresh_engine.seed_brand_kit(OTHER_ORG, sample_kit)
    fresh_engine.outbox = tmp_path / "outbox"
    return fresh_engine


def call(engine: Any, method: str, path: str, body: Any = None, org: str = ORG) -> tuple[int, Any]:
    response = engine.api(method, path, body, claims(org))
    return response["statusCode"], body_of(response) if response.get("body") else None


def saved_asset(engine: Any) -> dict[str, Any]:
    status, answer = call(engine, "POST", "/v1/assets", submission())
    assert status == 202, answer
    description = engine.wait_for_execution(engine.execution_arn(answer["requestId"]), timeout=60)
    assert description["status"] == "SUCCEEDED", description
    _, record = call(engine, "GET", f"/v1/requests/{answer['requestId']}")
    asset: dict[str, Any] = record["asset"]
    return asset


def campaign_body(**overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=1)
    body: dict[str, Any] = {
        "name": "Spring hiking",
        "brandKitId": "aurora-core",
        "startsAt": start.replace(hour=0, minute=0, second=0, microsecond=0).isoformat(),
        "endsAt": (start + timedelta(days=7)).isoformat(),
        "timeZone": "Europe/Paris",
        "targets": [{"platform": "outbox", "accountId": "outbox-main"}],
    }
    body.update(overrides)
    return body


def account(engine: Any, org: str = ORG) -> None:
    status, answer = call(
        engine, "POST", "/v1/accounts", {"accountId": "outbox-main", "platform": "outbox", "handle": "local"}, org
    )
    assert status == 201, answer


def test_accounts_are_created_listed_and_kept_per_org(engine: Any) -> None:
    account(engine)
    status, listed = call(engine, "GET", "/v1/accounts")
    assert status == 200
    assert [a["accountId"] for a in listed["items"]] == ["outbox-main"]
    assert call(engine, "GET", "/v1/accounts/outbox-main", org=OTHER_ORG)[0] == 404
    assert call(engine, "GET", "/v1/accounts", org=OTHER_ORG)[1] == {"items": []}
    status, again = call(engine, "POST", "/v1/accounts", {"accountId": "outbox-main", "platform": "x", "handle": "h"})
    assert status == 409  # a conflict with what exists, not a malformed request
    assert again["code"] == "conflict"
    assert again["errors"][0]["field"] == "accountId"


def test_campaign_create_read_update_and_org_isolation(engine: Any) -> None:
    account(engine)
    status, created = call(engine, "POST", "/v1/campaigns", campaign_body())
    assert status == 201, created
    campaign_id = created["campaignId"]
    assert created["orgId"] == ORG
    assert created["status"] == "draft"

    assert call(engine, "GET", f"/v1/campaigns/{campaign_id}")[1]["name"] == "Spring hiking"
    assert call(engine, "GET", f"/v1/campaigns/{campaign_id}", org=OTHER_ORG)[0] == 404
    assert call(engine, "PATCH", f"/v1/campaigns/{campaign_id}", {"name": "x"}, org=OTHER_ORG)[0] == 404
    status, updated = call(engine, "PATCH", f"/v1/campaigns/{campaign_id}", {"status": "active", "name": "Spring 2"})
    assert status == 200, updated
    assert (updated["status"], updated["name"], updated["timeZone"]) == ("active", "Spring 2", "Europe/Paris")
    listed = call(engine, "GET", "/v1/campaigns")[1]["items"]
    assert [c["campaignId"] for c in listed] == [campaign_id]
    assert call(engine, "GET", "/v1/campaigns", org=OTHER_ORG)[1] == {"items": []}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"orgId": OTHER_ORG}, "orgId"),
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"brandKitId": "no-such-kit"}, "brandKitId"),
        ({"targets": [{"platform": "outbox", "accountId": "nobody"}]}, "targets.0.accountId"),
    ],
)
def test_an_invalid_campaign_is_refused_naming_the_field(engine: Any, overrides: dict[str, Any], field: str) -> None:
    account(engine)
    status, answer = call(engine, "POST", "/v1/campaigns", campaign_body(**overrides))
    assert status == 400, answer
    assert field in {f["field"] for f in answer["errors"]}
    assert call(engine, "GET", "/v1/campaigns")[1] == {"items": []}


def test_plan_schedule_fire_publish_once(engine: Any) -> None:
    account(engine)
    asset = saved_asset(engine)
    campaign_id = call(engine, "POST", "/v1/campaigns", campaign_body())[1]["campaignId"]
    status, joined = call(
        engine,
        "POST",
        f"/v1/campaigns/{campaign_id}/assets",
        {"assetId": asset["assetId"], "version": asset["version"]},
    )
    assert status == 200, joined
    assert joined["assetIds"] == [asset["assetId"]]
    assert call(engine, "POST", f"/v1/campaigns/{campaign_id}/assets", {"assetId": "nope"})[0] == 400

    status, plan = call(engine, "GET", f"/v1/campaigns/{campaign_id}/plan")
    assert status == 200, plan
    (slot,) = plan["slots"]
    assert slot["assetId"] == asset["assetId"]

    status, scheduled = call(engine, "POST", f"/v1/campaigns/{campaign_id}/plan")
    assert status == 201, scheduled
    (post,) = scheduled["posts"]
    assert post["scheduledAt"] == slot["at"].replace("Z", "+00:00") or post["scheduledAt"] == slot["at"]
    # planning again schedules nothing twice
    assert call(engine, "POST", f"/v1/campaigns/{campaign_id}/plan")[1]["posts"] == []
    schedules = engine.client("scheduler").list_schedules()["Schedules"]
    assert [s["Name"] for s in schedules] == [f"post-{post['postId']}"]
    assert call(engine, "GET", f"/v1/posts/{post['postId']}", org=OTHER_ORG)[0] == 404

    # nothing is due yet
    assert engine.fire_due(datetime.now(UTC)) == []
    fired = engine.fire_due(datetime.now(UTC) + timedelta(days=9))
    assert [f.function for f in fired] == ["PublishFunction"]
    assert fired[0].ok, fired[0].error
    assert fired[0].result["outcome"] == "published"
    assert engine.client("scheduler").list_schedules()["Schedules"] == []  # ActionAfterCompletion: DELETE

    _, stored = call(engine, "GET", f"/v1/posts/{post['postId']}")
    assert stored["status"] == "published"
    assert stored["platformPostId"]
    files = [p for p in engine.outbox.rglob("*.json")]
    assert len(files) == 1
    assert json.loads(files[0].read_text("utf-8"))  # the post as it would have gone out

    # a duplicate fire of the same schedule (its input again) posts nothing more
    result, _ = engine.invoke("PublishFunction", fired[0].input)
    assert result["outcome"] == "duplicate"
    assert len(list(engine.outbox.rglob("*.json"))) == 1


def test_direct_post_reschedule_and_cancel(engine: Any) -> None:
    account(engine)
    asset = saved_asset(engine)
    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    body = {
        "assetId": asset["assetId"],
        "assetVersion": asset["version"],
        "platform": "outbox",
        "accountId": "outbox-main",
        "scheduledAt": at.isoformat(),
        "timeZone": "Europe/Paris",
        "caption": "Out on the trail this weekend",
    }
    status, post = call(engine, "POST", "/v1/posts", body)
    assert status == 201, post
    post_id = post["postId"]

    status, answer = call(engine, "PATCH", f"/v1/posts/{post_id}", {"scheduledAt": "2020-01-01T09:00:00+00:00"})
    assert status == 400
    assert "in the past" in answer["detail"]
    assert call(engine, "PATCH", f"/v1/posts/{post_id}", {"scheduledAt": at.isoformat()}, org=OTHER_ORG)[0] == 404

    later = at + timedelta(days=1)
    status, moved = call(engine, "PATCH", f"/v1/posts/{post_id}", {"scheduledAt": later.isoformat()})
    assert status == 200, moved
    found = engine.client("scheduler").get_schedule(Name=f"post-{post_id}", GroupName=_group(engine))
    local = later.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert found["ScheduleExpression"] == f"at({local:%Y-%m-%dT%H:%M:%S})"

    assert call(engine, "DELETE", f"/v1/posts/{post_id}", org=OTHER_ORG)[0] == 404
    status, cancelled = call(engine, "DELETE", f"/v1/posts/{post_id}")
    assert status == 200
    assert cancelled["status"] == "cancelled"
    assert engine.client("scheduler").list_schedules()["Schedules"] == []
    assert engine.fire_due(later + timedelta(days=1)) == []


def test_a_post_in_the_past_is_refused(engine: Any) -> None:
    account(engine)
    asset = saved_asset(engine)
    body = {
        "assetId": asset["assetId"],
        "platform": "outbox",
        "accountId": "outbox-main",
        "scheduledAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }
    status, answer = call(engine, "POST", "/v1/posts", body)
    assert status == 400
    assert "in the past" in answer["detail"]
    assert answer["errors"] == [{"field": "scheduledAt", "problem": "is in the past"}]
    assert engine.client("scheduler").list_schedules()["Schedules"] == []


def _group(engine: Any) -> str:
    return str(engine.resources.functions["ApiFunction"].environment["SCHEDULE_GROUP"])
