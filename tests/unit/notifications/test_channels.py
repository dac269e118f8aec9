"""The two ways notifications leave: AWS (SNS, SES, a chat webhook) and the local outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import respx
from moto import mock_aws

from flashfusion.notifications.channels import AwsChannels, OutboxChannels
from flashfusion.notifications.messages import Message

HOOK = "https://hooks.slack.example.com/services/T0/B0/secret"
MESSAGE = Message(
    "AssetReviewRequested", "acme", "Review rv-1", "Request r-1 needs a review.", ("chat",), "https://c/#/reviews/rv-1"
)


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str]]:
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        ses = boto3.client("ses", region_name="us-east-1")
        ses.verify_email_identity(EmailAddress="alerts@example.com")
        yield sns, ses, sns.create_topic(Name="alerts")["TopicArn"]


def test_the_topic_gets_the_subject_text_and_filterable_attributes(aws: tuple[Any, Any, str]) -> None:
    sns, ses, topic = aws
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue = sqs.create_queue(QueueName="probe")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    channels = AwsChannels(lambda: sns, lambda: ses, topic, "alerts@example.com")

    assert channels.topic(MESSAGE, "e-1") == "sent"

    (received,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    body = json.loads(received["Body"])
    assert body["Subject"] == "Review rv-1"
    assert body["Message"] == MESSAGE.text
    assert body["MessageAttributes"]["detailType"]["Value"] == "AssetReviewRequested"
    assert body["MessageAttributes"]["orgId"]["Value"] == "acme"


def test_reviewers_get_an_email_with_the_link(aws: tuple[Any, Any, str]) -> None:
    sns, ses, topic = aws
    channels = AwsChannels(lambda: sns, lambda: ses, topic, "alerts@example.com")
    assert channels.email(["rita@example.com"], MESSAGE, "e-1") == "sent"
    from moto.backends import get_backend

    (sent,) = get_backend("ses")["123456789012"]["us-east-1"].sent_messages
    assert sent.destinations["ToAddresses"] == ["rita@example.com"]
    assert "https://c/#/reviews/rv-1" in sent.body
    assert AwsChannels(lambda: sns, lambda: ses, topic, "").email(["r@example.com"], MESSAGE, "e") == "no-sender"


def test_the_chat_webhook_gets_a_slack_style_body_and_unsafe_urls_get_nothing() -> None:
    channels = AwsChannels(lambda: None, lambda: None, "", "")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(HOOK).mock(return_value=httpx.Response(200, text="ok"))
        assert channels.chat(HOOK, MESSAGE, "e-1") == "sent"
        for unsafe in ("http://hooks.example.com/x", "https://169.254.169.254/latest", "https://localhost/hook"):
            assert channels.chat(unsafe, MESSAGE, "e-1") == "refused-url"
    (call,) = route.calls
    assert json.loads(call.request.content) == {"text": "*Review rv-1*\nRequest r-1 needs a review."}


def test_a_chat_receiver_that_refuses_or_redirects_is_reported_not_followed() -> None:
    channels = AwsChannels(lambda: None, lambda: None, "", "")
    with respx.mock() as mock:
        mock.post(HOOK).mock(return_value=httpx.Response(302, headers={"location": "https://elsewhere.example.com"}))
        assert channels.chat(HOOK, MESSAGE, "e-1") == "refused-302"


def test_the_outbox_writes_one_file_per_channel_and_event(tmp_path: Path) -> None:
    outbox = OutboxChannels(tmp_path)
    assert outbox.email(["rita@example.com"], MESSAGE, "e-1") == "written"
    assert outbox.email(["rita@example.com"], MESSAGE, "e-1") == "written"  # a repeated event, same file
    assert outbox.chat("https://127.0.0.1/hook", MESSAGE, "e-1") == "refused-url"
    files = sorted((tmp_path / "notifications" / "acme").glob("*.json"))
    assert [f.name for f in files] == ["email-e-1.json"]
    record = json.loads(files[0].read_text("utf-8"))
    assert record["to"] == ["rita@example.com"]
    assert record["link"] in record["body"]
