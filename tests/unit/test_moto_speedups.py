"""ffo.moto_speedups: moto's responses are byte for byte what moto's own serialiser writes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import serialize

from ffo import moto_speedups

REGION = "us-east-1"


@pytest.fixture
def no_speedup() -> Iterator[None]:
    """The session fixture turns the speed-up on for every test; these compare against moto's own code."""
    saved = serialize.ResponseSerializer.get_value
    serialize.ResponseSerializer.get_value = moto_speedups._original_get_value  # type: ignore[method-assign]
    try:
        yield
    finally:
        serialize.ResponseSerializer.get_value = saved  # type: ignore[method-assign]


def _bodies(calls: Callable[[], None]) -> list[bytes]:
    """The raw response bodies of every AWS call ``calls`` makes."""
    seen: list[bytes] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        seen.append(bytes(response_dict["body"]))

    session = boto3.DEFAULT_SESSION or boto3.Session()
    boto3.DEFAULT_SESSION = session
    session.events.register("before-parse", keep)
    try:
        calls()
    finally:
        session.events.unregister("before-parse", keep)
    return seen


ITEMS: list[dict[str, Any]] = [
    {"PK": {"S": "org#acme"}, "SK": {"S": "kit#1"}, "n": {"N": "12.5"}, "b": {"B": b"\x00\x01bytes"}},
    {
        "PK": {"S": "org#acme"},
        "SK": {"S": "kit#2"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"x", b"y"]},
        "nothing": {"NULL": True},
        "flag": {"BOOL": False},
        "m": {"M": {"inner": {"L": [{"S": "deep"}, {"M": {"x": {"N": "0"}}}, {"NULL": True}]}, "e": {"M": {}}}},
        "l": {"L": []},
        "text": {"S": 'é ünïcode ✓ and "quotes"'},
    },
]


def _dynamodb_calls() -> None:
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in ITEMS:
        ddb.put_item(TableName="t", Item=item)
    ddb.describe_table(TableName="t")
    ddb.list_tables()
    ddb.scan(TableName="t")
    ddb.scan(TableName="t", Limit=1)
    ddb.query(TableName="t", KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "org#acme"}})
    ddb.get_item(TableName="t", Key={"PK": {"S": "org#acme"}, "SK": {"S": "kit#2"}})
    ddb.update_item(
        TableName="t",
        Key={"PK": {"S": "org#acme"}, "SK": {"S": "kit#1"}},
        UpdateExpression="SET n = n + :one, added = :m",
        ExpressionAttributeValues={":one": {"N": "1"}, ":m": {"M": {"k": {"SS": ["v"]}}}},
        ReturnValues="ALL_NEW",
    )
    ddb.batch_get_item(RequestItems={"t": {"Keys": [{"PK": {"S": "org#acme"}, "SK": {"S": "kit#1"}}]}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName="t", Item=ITEMS[0], ConditionExpression="attribute_not_exists(PK)")


def _other_services_calls() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="speedup-bucket")
    s3.put_object(Bucket="speedup-bucket", Key="k/1.txt", Body=b"one", Metadata={"a": "b"})
    s3.list_objects_v2(Bucket="speedup-bucket")
    s3.head_object(Bucket="speedup-bucket", Key="k/1.txt")
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(
        QueueUrl=url, MessageBody="hello", MessageAttributes={"x": {"DataType": "String", "StringValue": "y"}}
    )
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(
        Name="s", SecretString=json.dumps({"k": "v"}), ClientRequestToken="0" * 8 + "-0000-4000-8000-" + "0" * 12
    )
    secrets.list_secrets()
    events = boto3.client("events", region_name=REGION)
    events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])


def _without_request_ids(body: bytes) -> bytes:
    """Request ids and times differ from run to run: everything else must match."""
    text = body.decode("utf-8")
    for marker in ("<RequestId>", "<requestId>"):
        while marker in text:
            start = text.index(marker)
            end = text.index(marker.replace("<", "</"), start)
            text = text[:start] + text[end + len(marker) + 1 :]
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "<time>", text).encode("utf-8")


def _normalised(bodies: list[bytes]) -> list[Any]:
    out: list[Any] = []
    for body in bodies:
        try:
            parsed = json.loads(body)
        except ValueError:
            out.append(_without_request_ids(body))
            continue
        for volatile in (
            "CreationDateTime",
            "CreatedDate",
            "LastChangedDate",
            "LastAccessedDate",
            "MessageId",
            "ARN",
            "VersionId",
            "EventId",
            "CreatedTimestamp",
            "LastModifiedTimestamp",
        ):
            _drop(parsed, volatile)
        out.append(parsed)
    return out


def _drop(value: Any, key: str) -> None:
    if isinstance(value, dict):
        value.pop(key, None)
        for inner in value.values():
            _drop(inner, key)
    elif isinstance(value, list):
        for inner in value:
            _drop(inner, key)


@pytest.mark.parametrize("calls", [_dynamodb_calls, _other_services_calls], ids=["dynamodb", "s3-sqs-secrets-events"])
def test_responses_are_the_ones_moto_writes(calls: Callable[[], None], no_speedup: None) -> None:
    runs: dict[bool, list[bytes]] = {}
    for fast in (False, True):
        with mock_aws(), moto_speedups.faster_serialisation() if fast else nullcontext():
            assert moto_speedups.installed() is fast
            runs[fast] = _bodies(calls)
    assert len(runs[True]) == len(runs[False]) > 5
    assert _normalised(runs[True]) == _normalised(runs[False])


def test_the_raw_dynamodb_bodies_are_identical(no_speedup: None) -> None:
    """DynamoDB's JSON carries no request id in the body: the bytes themselves are equal (key order too)."""
    runs: dict[bool, list[bytes]] = {}
    for fast in (False, True):
        with mock_aws(), moto_speedups.faster_serialisation() if fast else nullcontext():

            def reads() -> None:
                _dynamodb_calls()

            runs[fast] = [b for b in _bodies(reads) if b"CreationDateTime" not in b]  # the table's, a timestamp
    assert runs[True] == runs[False]
    assert len(runs[True]) > 5
    assert any(b'"deep"' in body and b'"NS"' in body for body in runs[True])  # nested and typed values were serialised
