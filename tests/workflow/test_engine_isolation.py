"""The shared engine's per-test isolation: what one test leaves behind, the next does not see."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.helpers import ORG, claims, submission


def test_reset_world_forgets_data_executions_schedules_secrets_and_recorders(engine: Any) -> None:
    table = next(iter(engine.resources.tables))
    bucket = next(iter(engine.resources.buckets))
    queue = next(iter(engine.resources.queues.values()))
    group = engine.resources.functions["ApiFunction"].environment["SCHEDULE_GROUP"]
    response = engine.api("POST", "/v1/assets", submission(), claims(ORG))
    assert response["statusCode"] == 202, response
    arn = engine.execution_arn(json.loads(response["body"])["requestId"])
    engine.wait_for_execution(arn)
    engine.client("s3").put_object(Bucket=bucket, Key="left/behind.txt", Body=b"x")
    engine.client("s3").put_object(Bucket=bucket, Key="left/behind.txt", Body=b"y")  # two versions
    engine.client("s3").create_bucket(Bucket="a-tests-own-bucket")
    engine.client("sqs").send_message(QueueUrl=queue, MessageBody="{}")
    engine.client("secretsmanager").create_secret(Name="left/behind", SecretString="{}")
    engine.client("scheduler").create_schedule(
        Name="left-behind",
        GroupName=group,
        ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:x", "RoleArn": engine._role},
    )
    assert engine.invocations

    engine.reset_world()

    assert engine.client("dynamodb").scan(TableName=table)["Items"] == []
    assert "Versions" not in engine.client("s3").list_object_versions(Bucket=bucket)
    assert sorted(b["Name"] for b in engine.client("s3").list_buckets()["Buckets"]) == sorted(engine.resources.buckets)
    assert "Messages" not in engine.client("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=0)
    names = [s["Name"] for s in engine.client("secretsmanager").list_secrets()["SecretList"]]
    assert "left/behind" not in names
    assert engine.client("scheduler").list_schedules(GroupName=group)["Schedules"] == []
    sfn = engine.client("stepfunctions")
    assert sfn.list_executions(stateMachineArn=engine.state_machine_arn())["executions"] == []
    assert engine.invocations == []
    assert engine.sleeps.retries == []


def test_configured_environment_is_undone(fresh_engine: Any) -> None:
    function = fresh_engine.resources.functions["ApiFunction"]
    before = dict(function.environment)
    with fresh_engine.configured({"MODEL_MATRIX_PATH": "/nowhere.json"}):
        assert function.environment["MODEL_MATRIX_PATH"] == "/nowhere.json"
        assert os.environ["MODEL_MATRIX_PATH"] == "/nowhere.json"
    assert function.environment == before
    assert os.environ.get("MODEL_MATRIX_PATH") == before.get("MODEL_MATRIX_PATH")


def _leave_message(engine: Any) -> None:
    engine.client("sqs").send_message(QueueUrl=next(iter(engine.resources.queues.values())), MessageBody="{}")


def _leave_secret(engine: Any) -> None:
    engine.client("secretsmanager").create_secret(Name="left/alone", SecretString="{}")


def _leave_schedule(engine: Any) -> None:
    engine.client("scheduler").create_schedule(
        Name="left-alone",
        GroupName=engine.resources.functions["ApiFunction"].environment["SCHEDULE_GROUP"],
        ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:x", "RoleArn": engine._role},
    )


def _leave_table(engine: Any) -> None:
    engine.client("dynamodb").create_table(
        TableName="a-tests-own-table",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _leave_object(engine: Any) -> None:
    engine.client("s3").put_object(Bucket=next(iter(engine.resources.buckets)), Key="alone.txt", Body=b"x")


def _world(engine: Any) -> dict[str, Any]:
    sfn = engine.client("stepfunctions")
    group = engine.resources.functions["ApiFunction"].environment["SCHEDULE_GROUP"]
    return {
        "items": sum(engine.client("dynamodb").scan(TableName=t)["Count"] for t in engine.resources.tables),
        "objects": sum(
            len(engine.client("s3").list_object_versions(Bucket=b).get("Versions", []))
            for b in engine.resources.buckets
        ),
        "messages": sum(
            int(engine.client("sqs").get_queue_attributes(QueueUrl=q, AttributeNames=["All"])["Attributes"][n])
            for q in engine.resources.queues.values()
            for n in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
        ),
        "secrets": len(engine.client("secretsmanager").list_secrets()["SecretList"]),
        "schedules": len(engine.client("scheduler").list_schedules(GroupName=group)["Schedules"]),
        "tables": sorted(engine.client("dynamodb").list_tables()["TableNames"]),
        "executions": len(sfn.list_executions(stateMachineArn=engine.state_machine_arn())["executions"]),
    }


@pytest.mark.parametrize("leave", [_leave_message, _leave_secret, _leave_schedule, _leave_table, _leave_object])
def test_reset_world_finds_a_single_thing_left_behind(fresh_engine: Any, leave: Any) -> None:
    """The reset skips what nobody touched: each kind of leftover, alone, is still found and removed."""
    clean = _world(fresh_engine)
    leave(fresh_engine)
    assert _world(fresh_engine) != clean
    fresh_engine.reset_world()
    assert _world(fresh_engine) == clean


def test_a_seeding_runs_once_and_is_put_back_as_it_was_after_a_test_changed_it(
    fresh_engine: Any, sample_kit: dict[str, Any]
) -> None:
    calls: list[int] = []

    def seed() -> None:
        calls.append(1)
        fresh_engine.seed_brand_kit(ORG, sample_kit)

    def contents() -> tuple[list[Any], list[tuple[str, bytes, str]]]:
        s3 = fresh_engine.client("s3")
        items = sorted(
            (
                json.dumps(i, sort_keys=True)
                for t in fresh_engine.resources.tables
                for i in fresh_engine.client("dynamodb").scan(TableName=t)["Items"]
            ),
        )
        objects = []
        for bucket in fresh_engine.resources.buckets:
            for found in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                got = s3.get_object(Bucket=bucket, Key=found["Key"])
                objects.append((found["Key"], got["Body"].read(), got["ContentType"]))
        return items, objects

    fresh_engine.seeded("one kit", seed)
    first = contents()
    assert first[0]
    assert first[1]
    changed = {**sample_kit, "version": sample_kit["version"] + 1, "name": "Changed"}
    fresh_engine.seed_brand_kit(ORG, changed)  # a test changes the kit and its files
    assert contents() != first

    fresh_engine.reset_world()
    assert contents() == ([], [])
    fresh_engine.seeded("one kit", seed)
    assert contents() == first
    assert calls == [1]
    response = fresh_engine.api("GET", f"/v1/brand-kits/{sample_kit['kitId']}", None, claims(ORG))
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["version"] == sample_kit["version"]
