"""The engine creates the template's queues, schedule groups and state machine in moto's backends directly:
through the API they are what CreateQueue, CreateScheduleGroup and CreateStateMachine would have made."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from ffo.cfn import load_template
from tests.helpers import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds")


def test_queues_as_the_template_defines_them(fresh_engine: Any) -> None:
    sqs = fresh_engine.client("sqs")
    queues = [logical_id for logical_id, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::SQS::Queue"]
    assert sorted(fresh_engine.resources.queues) == sorted(queues)
    for logical_id, url in fresh_engine.resources.queues.items():
        props = TEMPLATE["Resources"][logical_id].get("Properties", {})
        assert sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"] == url
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for name in QUEUE_ATTRIBUTES:
            if name in props:
                assert attributes[name] == str(props[name]), (logical_id, name)
        if "RedrivePolicy" in props:
            policy = json.loads(attributes["RedrivePolicy"])
            assert policy["maxReceiveCount"] == props["RedrivePolicy"]["maxReceiveCount"]
            dead_letter = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert policy["deadLetterTargetArn"].endswith(fresh_engine.resources.queues[dead_letter].rsplit("/", 1)[1])
        else:
            assert "RedrivePolicy" not in attributes


def test_a_message_goes_round_a_queue(fresh_engine: Any) -> None:
    sqs = fresh_engine.client("sqs")
    url = fresh_engine.resources.queues["BatchQueue"]
    sqs.send_message(QueueUrl=url, MessageBody='{"hello": 1}')
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in received] == ['{"hello": 1}']


def test_schedule_group_and_state_machine(fresh_engine: Any) -> None:
    group = fresh_engine.resources.functions["ApiFunction"].environment["SCHEDULE_GROUP"]
    names = [g["Name"] for g in fresh_engine.client("scheduler").list_schedule_groups()["ScheduleGroups"]]
    assert group in names
    machine = fresh_engine.client("stepfunctions").describe_state_machine(
        stateMachineArn=fresh_engine.state_machine_arn()
    )
    props = TEMPLATE["Resources"]["CreateAssetStateMachine"]["Properties"]
    assert machine["type"] == props.get("Type", "STANDARD")
    assert machine["roleArn"] == fresh_engine._role
    assert json.loads(machine["definition"]) == json.loads(fresh_engine.definition(props))


def test_start_makes_no_client_for_what_only_the_engine_creates(monkeypatch: pytest.MonkeyPatch) -> None:
    from ffo.engine import LocalEngine

    made: list[str] = []
    real = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service_name)
        return real(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    with LocalEngine(ROOT) as engine:
        assert engine.resources.queues
        assert engine.state_machine_arn()
    assert made  # the spy saw the clients the engine does make (DynamoDB, S3, Secrets Manager)
    assert not {"sqs", "scheduler", "stepfunctions"} & set(made)
