"""Review items: one per asset version that a person must look at, holding the workflow's task token.

A review moves pending -> decided | expired exactly once: every transition is a conditional write on
the status, so two reviewers deciding at the same moment, or a decision racing the timeout, resolve
to one outcome. The task token never leaves this repository except to resume the workflow.
"""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta
from typing import Any, Literal

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import Field

from flashfusion.errors import ReviewConflict, ReviewNotFound
from flashfusion.modelbase import CamelModel
from flashfusion.models import ReviewOutcomeKind, Violation, utcnow
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item, sort_time, to_item
from flashfusion.storage.pages import checked_start_key, query_page

ReviewStatus = Literal["pending", "deciding", "decided", "expired", "cancelled"]


class Preview(CamelModel):
    bucket: str
    key: str
    mime_type: str


class Review(CamelModel):
    """A review as the API shows it (the task token is not part of it)."""

    review_id: str
    org_id: str
    request_id: str
    asset_id: str
    version: int
    round: int
    max_regenerations: int
    status: ReviewStatus
    content_type: str
    channel: str | None = None
    prompt: str = ""
    violations: list[Violation] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    preview: Preview
    created_at: datetime
    deadline: datetime
    decision: ReviewOutcomeKind | None = None
    reviewer: str | None = None
    comment: str | None = None
    feedback: str | None = None
    decided_at: datetime | None = None

    @property
    def regenerations_left(self) -> int:
        return max(0, self.max_regenerations - self.round)


def _conditional_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") == "ConditionalCheckFailedException"


class ReviewRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def open(self, review: Review, task_token: str) -> None:
        """Store the review with the token the workflow waits on.

        A retried RequestReview invocation gets a new token: while the review is still pending the
        newest token replaces the old one; a review already decided or expired is left alone.
        """
        item = {
            **keys.review_key(review.org_id, review.review_id),
            "GSI1PK": keys.reviews_by_status(review.org_id, review.status),
            "GSI1SK": f"{sort_time(review.created_at)}#{review.review_id}",
            "type": "review",
            **review.to_json(),
            "taskToken": task_token,
            # A review outlives its deadline only for the audit; DynamoDB drops it after 90 days.
            "expiresAt": int((review.deadline + timedelta(days=90)).timestamp()),
        }
        try:
            self.table.put_item(
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK) OR #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": "pending"},
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise

    def _item(self, org_id: str, review_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key=keys.review_key(org_id, review_id), ConsistentRead=True).get("Item")
        if not item:
            raise ReviewNotFound(f"review {review_id} not found")
        return from_item(item)

    def get(self, org_id: str, review_id: str) -> Review:
        return _review(self._item(org_id, review_id))

    def token(self, org_id: str, review_id: str) -> str:
        return str(self._item(org_id, review_id)["taskToken"])

    def list(self, org_id: str, status: ReviewStatus, limit: int = 50) -> list[Review]:
        response = self.table.query(
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq(keys.reviews_by_status(org_id, status)),
            Limit=limit,
        )
        return [_review(from_item(i)) for i in response.get("Items", [])]

    def count(self, org_id: str, status: ReviewStatus) -> int:
        """How many of the organisation's reviews are in one status (the review backlog, for pending)."""
        query: dict[str, Any] = {
            "IndexName": "GSI1",
            "KeyConditionExpression": Key("GSI1PK").eq(keys.reviews_by_status(org_id, status)),
            "Select": "COUNT",
        }
        total = 0
        while True:
            page = self.table.query(**query)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def page(
        self, org_id: str, status: ReviewStatus, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[builtins.list[Review], dict[str, Any] | None]:  # `list` here is the method above
        """The organisation's reviews in one status, oldest first, one page, and the key to continue from."""
        partition = keys.reviews_by_status(org_id, status)
        start = checked_start_key(start_key, org_id, index="GSI1", partition=partition) if start_key else None
        items, last = query_page(
            self.table,
            limit=limit,
            start_key=start,
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq(partition),
        )
        return [_review(from_item(i)) for i in items], last

    def claim(self, org_id: str, review_id: str, outcome_fields: dict[str, Any]) -> Review:
        """pending -> deciding, with the decision; exactly one concurrent caller gets past this."""
        return self._move(org_id, review_id, "pending", "deciding", outcome_fields)

    def confirm(self, org_id: str, review_id: str) -> Review:
        """deciding -> decided, once the workflow has taken the decision."""
        return self._move(org_id, review_id, "deciding", "decided", {"decidedAt": utcnow().isoformat()})

    def release(self, org_id: str, review_id: str) -> None:
        """deciding -> pending: the workflow could not be told (a transient error); the review stays open."""
        self._move(org_id, review_id, "deciding", "pending", {"decision": None, "reviewer": None, "feedback": None})

    def expire(self, org_id: str, review_id: str) -> bool:
        """pending or deciding -> expired; False when it was decided first."""
        for source in ("pending", "deciding"):
            try:
                self._move(org_id, review_id, source, "expired", {})
                return True
            except ReviewConflict:
                continue
        return False

    def cancel(self, org_id: str, review_id: str) -> bool:
        """pending or deciding -> cancelled (its request was cancelled); False when it was closed first."""
        for source in ("pending", "deciding"):
            try:
                self._move(org_id, review_id, source, "cancelled", {})
                return True
            except ReviewConflict:
                continue
        return False

    def _move(
        self, org_id: str, review_id: str, source: ReviewStatus, target: ReviewStatus, fields: dict[str, Any]
    ) -> Review:
        names = {"#status": "status", "#g": "GSI1PK"}
        values: dict[str, Any] = {
            ":source": source,
            ":target": target,
            ":g": keys.reviews_by_status(org_id, target),
        }
        sets = ["#status = :target", "#g = :g"]
        removes = []
        for i, (name, value) in enumerate(fields.items()):
            names[f"#f{i}"] = name
            if value is None:
                removes.append(f"#f{i}")
            else:
                values[f":f{i}"] = value
                sets.append(f"#f{i} = :f{i}")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            response = self.table.update_item(
                Key=keys.review_key(org_id, review_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(PK) AND #status = :source",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise
            current = self.get(org_id, review_id)  # raises ReviewNotFound for another org's id
            raise ReviewConflict(
                f"review {review_id} is already {current.status}"
                + (f" ({current.decision} by {current.reviewer})" if current.decision else ""),
                status=current.status,
            ) from error
        return _review(from_item(response["Attributes"]))


_INTERNAL = {"PK", "SK", "GSI1PK", "GSI1SK", "type", "taskToken", "expiresAt"}


def _review(item: dict[str, Any]) -> Review:
    return Review.model_validate({k: v for k, v in item.items() if k not in _INTERNAL})


def review_id_for(request_id: str, version: int) -> str:
    """One review per asset version: a retried RequestReview step finds the same review."""
    return f"{request_id}-v{version}"


def deadline_after(seconds: int) -> datetime:
    return utcnow() + timedelta(seconds=seconds)
