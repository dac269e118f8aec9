"""The shared engine's per-test isolation: what one test leaves behind, the next does not see."""

from __future__ import annotations

import json
import os
from typing import Any

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
