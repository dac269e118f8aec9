"""Lint job items: one per ``POST /v1/lint`` of an audio or video upload, read when the client polls.

A job moves queued -> running -> succeeded | failed. Every transition is a conditional write on the status, so
a message delivered twice (SQS delivers at least once) never runs a finished job again nor overwrites its
outcome. Items are in their organisation's partition and expire (TTL on ``expiresAt``) with the upload.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from flashfusion.errors import LintJobNotFound
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item, to_item

KEEP_FOR = timedelta(days=7)
"""A job is kept as long as its upload (the staging area's lifecycle expires objects after 7 days)."""
FINISHED = ("succeeded", "failed")


def _conditional_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") == "ConditionalCheckFailedException"


class LintJobRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def create(self, org_id: str, job_id: str, job: dict[str, Any], created_at: datetime) -> None:
        """Store a new job (``job``: its JSON fields, status queued); an existing id is never overwritten."""
        item = {
            **keys.lint_job_key(org_id, job_id),
            "type": "lintJob",
            **job,
            "expiresAt": int((created_at + KEEP_FOR).timestamp()),
        }
        self.table.put_item(Item=to_item(item), ConditionExpression="attribute_not_exists(PK)")

    def get(self, org_id: str, job_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key=keys.lint_job_key(org_id, job_id), ConsistentRead=True).get("Item")
        if not item:
            raise LintJobNotFound(f"lint job {job_id} not found")
        return {k: v for k, v in from_item(item).items() if k not in ("PK", "SK", "type", "expiresAt")}

    def start(self, org_id: str, job_id: str, now: datetime) -> dict[str, Any] | None:
        """Mark the job running (a retried delivery runs it again); the job, or None when it has already
        finished (a duplicate delivery) or does not exist (expired)."""
        try:
            updated = self.table.update_item(
                Key=keys.lint_job_key(org_id, job_id),
                UpdateExpression="SET #status = :running, updatedAt = :now ADD attempts :one",
                ConditionExpression="attribute_exists(PK) AND NOT #status IN (:succeeded, :failed)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":running": "running",
                    ":now": now.isoformat(),
                    ":one": 1,
                    ":succeeded": FINISHED[0],
                    ":failed": FINISHED[1],
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return None
            raise
        return {k: v for k, v in from_item(updated["Attributes"]).items() if k not in ("PK", "SK", "type")}

    def finish(self, org_id: str, job_id: str, status: str, now: datetime, **fields: Any) -> bool:
        """Record the outcome (``result`` or ``error``) once; False when the job had already finished."""
        assert status in FINISHED, status
        names = {"#status": "status", **{f"#{name}": name for name in fields}}
        values = {
            ":status": status,
            ":now": now.isoformat(),
            ":succeeded": FINISHED[0],
            ":failed": FINISHED[1],
            **{f":{name}": value for name, value in to_item(fields).items()},
        }
        sets = ", ".join(["#status = :status", "updatedAt = :now", *(f"#{name} = :{name}" for name in fields)])
        try:
            self.table.update_item(
                Key=keys.lint_job_key(org_id, job_id),
                UpdateExpression=f"SET {sets}",
                ConditionExpression="attribute_exists(PK) AND NOT #status IN (:succeeded, :failed)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True
