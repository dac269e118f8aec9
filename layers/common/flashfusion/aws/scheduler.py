"""EventBridge Scheduler adapter: one one-time schedule per post, deleted by Scheduler once it fired.

Each schedule is ``at(<local time>)`` in the post's IANA time zone, in the deployment's schedule group,
with a flexible window where the platform allows one, a retry policy and the publish dead-letter
queue; its target is the publish function with ``{"orgId", "postId", "scheduleName"}`` as input.
Scheduler invokes a Lambda target asynchronously: its retry policy and DLQ cover delivery, and the
function's own async retries and DLQ (template.yaml) cover the function's errors.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

NAME_LIMIT = 64
RETRY_ATTEMPTS = 2
MAX_EVENT_AGE_SECONDS = 3600


def schedule_name(post_id: str, attempt: int = 0) -> str:
    """``post-<postId>`` (``-retry<n>`` for a rate-limit retry); hashed if it would pass 64 characters."""
    name = f"post-{post_id}" + (f"-retry{attempt}" if attempt else "")
    if len(name) <= NAME_LIMIT:
        return name
    digest = hashlib.sha256(post_id.encode("utf-8")).hexdigest()[:40]
    return f"post-{digest}" + (f"-retry{attempt}" if attempt else "")


def at_expression(moment: datetime, time_zone: str) -> str:
    """Scheduler's one-time expression: the wall-clock time in ``time_zone``, without an offset."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no instant; pass an aware one")
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"at({local.strftime('%Y-%m-%dT%H:%M:%S')})"


@dataclass(frozen=True)
class ScheduleTarget:
    function_arn: str
    role_arn: str
    dead_letter_arn: str
    group: str


class PostScheduler:
    def __init__(self, client: Any, target: ScheduleTarget) -> None:
        self.client = client
        self.target = target

    def _request(
        self, name: str, at: datetime, time_zone: str, payload: dict[str, Any], flexible_minutes: int
    ) -> dict[str, Any]:
        target: dict[str, Any] = {
            "Arn": self.target.function_arn,
            "RoleArn": self.target.role_arn,
            "Input": json.dumps(payload, separators=(",", ":")),
            "RetryPolicy": {"MaximumRetryAttempts": RETRY_ATTEMPTS, "MaximumEventAgeInSeconds": MAX_EVENT_AGE_SECONDS},
        }
        if self.target.dead_letter_arn:
            target["DeadLetterConfig"] = {"Arn": self.target.dead_letter_arn}
        window: dict[str, Any] = (
            {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": min(flexible_minutes, 1440)}
            if flexible_minutes > 0
            else {"Mode": "OFF"}
        )
        return {
            "Name": name,
            "GroupName": self.target.group,
            "ScheduleExpression": at_expression(at, time_zone),
            "ScheduleExpressionTimezone": time_zone,
            "FlexibleTimeWindow": window,
            "Target": target,
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
        }

    def create(
        self, name: str, at: datetime, time_zone: str, payload: dict[str, Any], flexible_minutes: int = 0
    ) -> bool:
        """Create the schedule; False if one of that name exists already (it is updated to match)."""
        request = self._request(name, at, time_zone, payload, flexible_minutes)
        try:
            self.client.create_schedule(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConflictException":
                raise
            self.client.update_schedule(**request)
            return False
        return True

    def update(
        self, name: str, at: datetime, time_zone: str, payload: dict[str, Any], flexible_minutes: int = 0
    ) -> None:
        """Move the schedule; it is created again if Scheduler already deleted it."""
        request = self._request(name, at, time_zone, payload, flexible_minutes)
        try:
            self.client.update_schedule(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            self.client.create_schedule(**request)

    def delete(self, name: str) -> bool:
        """Delete the schedule; False if there was none (already fired, or never created)."""
        try:
            self.client.delete_schedule(Name=name, GroupName=self.target.group)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            return False
        return True

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.client.get_schedule(Name=name, GroupName=self.target.group)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            return None
        return found
