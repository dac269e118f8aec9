"""What pages an operator (issue 15): every alarm the template must have, all to the alerts topic; the
notification rule in step with the messages; the Logs Insights queries over every function's logs."""

from __future__ import annotations

from typing import Any

import pytest

from ffo.cfn import load_template
from flashfusion.app.budget_alerts import USED_METRIC
from flashfusion.notifications.messages import CHANNELS
from tests.helpers import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def of_type(kind: str) -> dict[str, Any]:
    return {name: r["Properties"] for name, r in RESOURCES.items() if r["Type"] == kind}


ALARMS = of_type("AWS::CloudWatch::Alarm")


def alarms_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [a for a in ALARMS.values() if a.get("Namespace") == namespace and a.get("MetricName") == metric]


def dimension(alarm: dict[str, Any], name: str) -> Any:
    return next(d["Value"] for d in alarm["Dimensions"] if d["Name"] == name)


def test_every_alarm_notifies_the_alerts_topic() -> None:
    assert ALARMS
    for name, alarm in ALARMS.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}], name


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_its_errors_and_throttles_alarmed(metric: str) -> None:
    watched = {dimension(a, "FunctionName")["Ref"] for a in alarms_on("AWS/Lambda", metric)}
    assert watched == set(of_type("AWS::Serverless::Function"))


def test_every_dead_letter_queue_alarms_on_its_first_message() -> None:
    queues = {name for name in of_type("AWS::SQS::Queue") if "DeadLetter" in name}
    watched = {
        dimension(a, "QueueName")["Fn::GetAtt"][0] for a in alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    }
    assert queues
    assert watched == queues
    assert all(a["Threshold"] == 1 for a in alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible"))


@pytest.mark.parametrize("metric", ["ExecutionsFailed", "ExecutionsTimedOut"])
def test_failed_and_timed_out_executions_are_alarmed(metric: str) -> None:
    (alarm,) = alarms_on("AWS/States", metric)
    assert dimension(alarm, "StateMachineArn") == {"Ref": "CreateAssetStateMachine"}


@pytest.mark.parametrize("metric", ["PostsFailed", "PostsNeedReauth", "ReviewsExpired"])
def test_publish_failures_reauth_and_the_review_backlog_are_alarmed(metric: str) -> None:
    (alarm,) = alarms_on("FlashFusion", metric)
    assert dimension(alarm, "service") == "flashfusion"


def test_an_organisation_past_80_percent_of_its_budget_is_alarmed() -> None:
    (alarm,) = [a for a in ALARMS.values() if USED_METRIC in str(a.get("Metrics"))]
    (query,) = alarm["Metrics"]
    assert query["Expression"] == f"SELECT MAX({USED_METRIC}) FROM SCHEMA(FlashFusion, OrgId, service)"
    assert alarm["Threshold"] == 80


def test_the_notification_rule_listens_for_every_event_a_message_exists_for() -> None:
    (event,) = RESOURCES["NotifyFunction"]["Properties"]["Events"].values()
    pattern = event["Properties"]["Pattern"]
    assert sorted(pattern["detail-type"]) == sorted(CHANNELS)
    assert sorted(pattern["source"]) == ["flashfusion.orchestrator", "flashfusion.publishing"]


def test_reviewer_email_is_only_allowed_from_the_configured_sender() -> None:
    policies = RESOURCES["NotifyFunction"]["Properties"]["Policies"]
    (conditional,) = [p for p in policies if "Fn::If" in p]
    condition, allowed, otherwise = conditional["Fn::If"]
    assert condition == "HasNotificationSender"
    assert otherwise == {"Ref": "AWS::NoValue"}
    (statement,) = allowed["Statement"]
    assert statement["Action"] == ["ses:SendEmail"]
    assert statement["Condition"]["StringEquals"]["ses:FromAddress"] == {"Ref": "NotificationSenderEmail"}


def test_the_email_subscription_is_optional() -> None:
    assert RESOURCES["AlertsEmailSubscription"]["Condition"] == "HasAlertEmail"
    assert TEMPLATE["Parameters"]["AlertEmail"]["Default"] == ""


def test_the_logs_insights_queries_read_every_function_log_group() -> None:
    queries = of_type("AWS::Logs::QueryDefinition")
    function_groups = {f["LoggingConfig"]["LogGroup"]["Ref"] for f in of_type("AWS::Serverless::Function").values()}
    assert len(queries) == 3
    for name, query in queries.items():
        assert {g["Ref"] for g in query["LogGroupNames"]} == function_groups, name
