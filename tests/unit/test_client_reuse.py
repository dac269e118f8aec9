"""flashfusion.aws.clients: a client is built again only for a new boto3 session or another AWS environment."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from flashfusion.aws import clients
from flashfusion.errors import ItemTooLarge


def test_a_reset_hands_out_the_client_built_for_the_same_session_and_environment() -> None:
    with mock_aws():
        s3, table = clients.client("s3"), clients.table("t")
        clients.reset()
        assert clients.client("s3") is s3
        assert clients.table("t").meta.client is table.meta.client
        assert clients.table("t").name == "t"
        clients.reset(forget_built=True)
        assert clients.client("s3") is not s3


def test_another_region_or_credentials_build_new_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        s3 = clients.client("s3")
        clients.reset()
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        moved = clients.client("s3")
        assert moved is not s3
        assert moved.meta.region_name == "eu-west-1"
        clients.reset()
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "another")
        assert clients.client("s3") is not moved


def test_a_new_session_builds_new_clients() -> None:
    with mock_aws():
        first = clients.client("sqs")
    clients.reset()
    with mock_aws():  # moto starts a new default session
        assert clients.client("sqs") is not first


def test_a_kept_table_still_turns_an_oversized_item_into_item_too_large() -> None:
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        clients.table("t")
        clients.reset()
        with pytest.raises(ItemTooLarge):
            clients.table("t").put_item(Item={"PK": "a", "blob": "x" * 410_000})
