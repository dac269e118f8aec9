"""Schedule, reschedule and cancel: the post record and its Scheduler schedule move together."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from flashfusion.app.posts import cancel, reschedule, schedule
from flashfusion.aws.scheduler import at_expression, schedule_name
from flashfusion.errors import InvalidRequest
from flashfusion.scheduling.models import PostStatus
from flashfusion.storage.campaigns import PostNotFound
from tests.helpers import OTHER_ORG
from tests.unit.campaigns.world import FUNCTION_ARN, GROUP, ROLE_ARN, World


def test_schedule_creates_the_record_and_a_one_time_schedule(world: World) -> None:
    post = world.post(world.asset(), world.account("acct-x", "x"))

    stored, created = schedule(post, world.scheduling)

    assert created
    assert stored.status == PostStatus.SCHEDULED
    assert world.scheduling.posts.get(post.org_id, post.post_id).schedule_name == f"post-{post.post_id}"
    (found,) = world.schedules()
    local = post.scheduled_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert found["ScheduleExpression"] == f"at({local:%Y-%m-%dT%H:%M:%S})"
    assert found["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert found["ActionAfterCompletion"] == "DELETE"
    assert found["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}  # x allows 15 min
    target = found["Target"]
    assert (target["Arn"], target["RoleArn"]) == (FUNCTION_ARN, ROLE_ARN)
    assert target["DeadLetterConfig"]["Arn"] == world.dlq_arn
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert json.loads(target["Input"]) == {"orgId": post.org_id, "postId": post.post_id, "scheduleName": found["Name"]}


def test_machine_targets_fire_exactly_on_time(world: World) -> None:
    schedule(world.post(world.asset(), world.account("box", "outbox")), world.scheduling)
    (found,) = world.schedules()
    assert found["FlexibleTimeWindow"] == {"Mode": "OFF"}


def test_the_same_post_twice_creates_one_schedule(world: World) -> None:
    post = world.post(world.asset(), world.account())
    schedule(post, world.scheduling)
    _, created = schedule(post, world.scheduling)
    assert created is False
    assert len(world.schedules()) == 1


@pytest.mark.parametrize("ahead", [timedelta(minutes=-5), timedelta(seconds=10)])
def test_a_time_in_the_past_or_too_close_is_refused_with_a_clear_message(world: World, ahead: timedelta) -> None:
    post = world.post(world.asset(), world.account(), at=world.now() + ahead)
    with pytest.raises(InvalidRequest) as raised:
        schedule(post, world.scheduling)
    assert "scheduledAt" in str(raised.value)
    assert "in the past" in str(raised.value) or "less than" in str(raised.value)
    assert raised.value.fields[0]["field"] == "scheduledAt"
    assert world.schedules() == []
    with pytest.raises(PostNotFound):
        world.scheduling.posts.get(post.org_id, post.post_id)


def test_a_failed_schedule_write_removes_the_record(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    post = world.post(world.asset(), world.account())

    def boom(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceQuotaExceededException", "Message": "quota"}}, "CreateSchedule")

    monkeypatch.setattr(world.scheduler_client, "create_schedule", boom)
    with pytest.raises(ClientError):
        schedule(post, world.scheduling)
    with pytest.raises(PostNotFound):
        world.scheduling.posts.get(post.org_id, post.post_id)


def test_reschedule_moves_record_and_schedule_together(world: World) -> None:
    post = world.post(world.asset(), world.account())
    schedule(post, world.scheduling)
    later = world.now() + timedelta(days=2)

    moved = reschedule(post.org_id, post.post_id, later, "America/New_York", world.scheduling)

    assert moved.scheduled_at == later
    assert moved.time_zone == "America/New_York"
    stored = world.scheduling.posts.get(post.org_id, post.post_id)
    assert stored.scheduled_at == later
    (found,) = world.schedules()
    assert found["ScheduleExpression"] == at_expression(later, "America/New_York")
    assert found["ScheduleExpressionTimezone"] == "America/New_York"


def test_reschedule_into_the_past_changes_nothing(world: World) -> None:
    post = world.post(world.asset(), world.account())
    schedule(post, world.scheduling)
    before = world.schedules()[0]["ScheduleExpression"]
    with pytest.raises(InvalidRequest, match="in the past"):
        reschedule(post.org_id, post.post_id, world.now() - timedelta(hours=1), None, world.scheduling)
    assert world.schedules()[0]["ScheduleExpression"] == before
    assert world.scheduling.posts.get(post.org_id, post.post_id).scheduled_at == post.scheduled_at


def test_a_failed_schedule_update_restores_the_record(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    post = world.post(world.asset(), world.account())
    schedule(post, world.scheduling)

    def boom(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerException", "Message": "down"}}, "UpdateSchedule")

    monkeypatch.setattr(world.scheduler_client, "update_schedule", boom)
    with pytest.raises(ClientError):
        reschedule(post.org_id, post.post_id, world.now() + timedelta(days=3), None, world.scheduling)
    assert world.scheduling.posts.get(post.org_id, post.post_id).scheduled_at == post.scheduled_at


def test_cancel_marks_the_post_and_deletes_the_schedule(world: World) -> None:
    post = world.post(world.asset(), world.account())
    schedule(post, world.scheduling)

    cancelled = cancel(post.org_id, post.post_id, world.scheduling)

    assert cancelled.status == PostStatus.CANCELLED
    assert world.scheduling.posts.get(post.org_id, post.post_id).status == PostStatus.CANCELLED
    assert world.schedules() == []
    assert cancel(post.org_id, post.post_id, world.scheduling).status == PostStatus.CANCELLED  # idempotent
    with pytest.raises(InvalidRequest):
        reschedule(post.org_id, post.post_id, world.now() + timedelta(days=1), None, world.scheduling)


def test_another_org_cannot_see_move_or_cancel_a_post(world: World) -> None:
    post = world.post(world.asset(), world.account())
    schedule(post, world.scheduling)
    for action in (
        lambda: world.scheduling.posts.get(OTHER_ORG, post.post_id),
        lambda: cancel(OTHER_ORG, post.post_id, world.scheduling),
        lambda: reschedule(OTHER_ORG, post.post_id, world.now() + timedelta(days=1), None, world.scheduling),
    ):
        with pytest.raises(PostNotFound):
            action()
    assert world.scheduling.posts.get(post.org_id, post.post_id).status == PostStatus.SCHEDULED
    assert len(world.schedules()) == 1


def test_long_post_ids_still_give_valid_schedule_names() -> None:
    assert len(schedule_name("p" * 64)) <= 64
    assert schedule_name("abc", 2) == "post-abc-retry2"
    assert GROUP
