"""SchedulePosts raises DynamoDB/Scheduler throttling as AwsThrottled (retried by the state machine by name),
and any other infrastructure error unchanged (not retried: the request records a follow-up error)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from flashfusion.app.schedule_posts import schedule_posts
from flashfusion.errors import AwsThrottled


class FailingAccounts:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get(self, org_id: str, account_id: str) -> Any:
        raise self.error


def _state() -> Any:
    schedule = SimpleNamespace(
        mode="at",
        at=datetime(2030, 1, 1, 9, tzinfo=UTC),
        time_zone="UTC",
        caption=None,
        targets=[SimpleNamespace(platform="linkedin", account_id="acct-1")],
    )
    request = SimpleNamespace(org_id="acme", request_id="req-1", campaign_id=None, schedule=schedule)
    return SimpleNamespace(request=request, saved=SimpleNamespace(asset=SimpleNamespace(asset_id="a-1", version=1)))


def test_throttling_becomes_aws_throttled() -> None:
    throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}}, "GetItem")
    deps: Any = SimpleNamespace(accounts=FailingAccounts(throttled))
    with pytest.raises(AwsThrottled, match="ProvisionedThroughputExceededException") as caught:
        schedule_posts(_state(), deps)
    assert caught.value.__cause__ is throttled


def test_other_client_errors_are_not_typed_as_throttling() -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "x"}}, "GetItem")
    deps: Any = SimpleNamespace(accounts=FailingAccounts(denied))
    with pytest.raises(ClientError) as caught:
        schedule_posts(_state(), deps)
    assert caught.value is denied
