"""Review items: one per asset version that a person must look at, holding the workflow's task token.

A review moves pending -> decided | expired exactly once: every transition is a conditional write on
the status, so two reviewers deciding at the same moment, or a decision racing the timeout, resolve
to one outcome. The task token never leaves this repository except to resume the workflow.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from pydantic import Field, model_validator

from flashfusion.errors import ReviewConflict, ReviewNotFound
from flashfusion.modelbase import CamelModel
from flashfusion.models import ApprovalStep, ReviewOutcomeKind, Severity, Violation, utcnow
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item, sort_time, to_item
from flashfusion.storage.pages import checked_start_key, query_page

ReviewStatus = Literal["pending", "deciding", "decided", "expired", "cancelled"]


class Preview(CamelModel):
    bucket: str
    key: str
    mime_type: str


SEVERITY_RANK: dict[str, int] = {"error": 3, "warning": 2, "suggestion": 1}


def worst_severity(violations: list[Violation]) -> Severity | None:
    """The most serious severity among ``violations`` (error > warning > suggestion); None without any."""
    if not violations:
        return None
    return max((v.severity for v in violations), key=lambda s: SEVERITY_RANK[s])


class ApprovalRecord(CamelModel):
    """One approval step done: who approved it and when (an outside reviewer: the name given and the link)."""

    step: int = Field(ge=0, description="index into approvalSteps")
    group: str
    by: str = Field(description="the approver's user id (sub), or the name an outside reviewer gave")
    at: datetime
    link_id: str | None = Field(default=None, description="set when an outside reviewer approved through a link")


class ReviewPart(CamelModel):
    """One part of a bundle on its review: what it is, its staged file, and its own lint findings."""

    part_id: str
    role: str
    content_type: str
    required: bool = True
    status: Literal["generated", "failed"] = "generated"
    preview: Preview | None = None
    lint_passed: bool | None = None
    violations: list[Violation] = Field(default_factory=list, description="the part's own findings (the first few)")
    error: str | None = None


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
    campaign_id: str | None = None
    requested_by: str | None = Field(default=None, description="the requester's user id (sub)")
    approval_steps: list[ApprovalStep] = Field(
        default_factory=list, description="the brand kit's approvals, in order (empty: one decision by any reviewer)"
    )
    approvals: list[ApprovalRecord] = Field(default_factory=list, description="the approval steps done, in order")
    reviewer_link_id: str | None = Field(
        default=None, description="set when an outside reviewer decided through a shared link (reviewer: their name)"
    )
    worst_severity: Severity | None = Field(
        default=None, description="the most serious severity among the violations (error > warning > suggestion)"
    )
    bundle_id: str | None = Field(
        default=None, description="a bundle's review: every part on one review; violations are the bundle-wide ones"
    )
    parts: list[ReviewPart] = Field(
        default_factory=list,
        description="a bundle's parts (a decision may name one with partId to edit or regenerate it)",
    )

    @model_validator(mode="after")
    def _worst_of_the_violations(self) -> Review:
        # Derived, never trusted from storage: reviews stored before the field existed get it too.
        self.worst_severity = worst_severity(self.violations)
        return self

    @property
    def regenerations_left(self) -> int:
        return max(0, self.max_regenerations - self.round)

    @property
    def current_step(self) -> int | None:
        """The index of the approval step waiting now; None without approval steps."""
        return len(self.approvals) if self.approval_steps else None

    @property
    def is_last_step(self) -> bool:
        return not self.approval_steps or len(self.approvals) >= len(self.approval_steps) - 1


@dataclass(frozen=True)
class ReviewFilters:
    """What ``GET /v1/reviews`` narrows a status's list to; instants are already resolved."""

    campaign_id: str | None = None
    content_type: str | None = None
    worst_severity: str | None = None
    since: datetime | None = None
    """opened at or after this"""
    older_than: datetime | None = None
    """opened strictly before this"""


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
        self,
        org_id: str,
        status: ReviewStatus,
        limit: int,
        start_key: dict[str, Any] | None = None,
        filters: ReviewFilters | None = None,
    ) -> tuple[builtins.list[Review], dict[str, Any] | None]:  # `list` here is the method above
        """The organisation's reviews in one status, oldest first, one page, and the key to continue from.

        The age bounds are conditions on the index's sort key (opened-at first), the other filters a
        FilterExpression: a page may hold fewer than ``limit`` items yet have a nextToken."""
        wanted = filters or ReviewFilters()
        partition = keys.reviews_by_status(org_id, status)
        start = checked_start_key(start_key, org_id, index="GSI1", partition=partition) if start_key else None
        low = sort_time(wanted.since) if wanted.since else None
        high = sort_time(wanted.older_than) if wanted.older_than else None
        if start and low and start["GSI1SK"] < low:
            start = None  # a relative bound moved on since the last page: continue from the bound itself
        if start and high and start["GSI1SK"] >= high:
            return [], None
        condition = Key("GSI1PK").eq(partition)
        if low and high:
            condition = condition & Key("GSI1SK").between(low, high)  # high#id sorts after high: excluded
        elif low:
            condition = condition & Key("GSI1SK").gte(low)
        elif high:
            condition = condition & Key("GSI1SK").lt(high)
        query: dict[str, Any] = {"IndexName": "GSI1", "KeyConditionExpression": condition}
        matches = [
            Attr(name).eq(value)
            for name, value in (
                ("campaignId", wanted.campaign_id),
                ("contentType", wanted.content_type),
                ("worstSeverity", wanted.worst_severity),
            )
            if value is not None
        ]
        if matches:
            expression = matches[0]
            for match in matches[1:]:
                expression = expression & match
            query["FilterExpression"] = expression
        items, last = query_page(self.table, limit=limit, start_key=start, **query)
        return [_review(from_item(i)) for i in items], last

    def claim(
        self, org_id: str, review_id: str, outcome_fields: dict[str, Any], approvals_done: int | None = None
    ) -> Review:
        """pending -> deciding, with the decision; exactly one concurrent caller gets past this. With
        ``approvals_done`` the review must still have exactly that many approvals (no step raced past)."""
        return self._move(org_id, review_id, "pending", "deciding", outcome_fields, approvals_done)

    def advance(self, org_id: str, review_id: str, approvals: builtins.list[ApprovalRecord]) -> Review:
        """One approval step done; the review stays pending. Conditional on the steps done before it, so of
        two approvals racing on the same step exactly one is recorded (the other: ReviewConflict)."""
        done = len(approvals) - 1
        try:
            response = self.table.update_item(
                Key=keys.review_key(org_id, review_id),
                UpdateExpression="SET #approvals = :approvals",
                ConditionExpression="attribute_exists(PK) AND #status = :pending AND size(#approvals) = :done",
                ExpressionAttributeNames={"#status": "status", "#approvals": "approvals"},
                ExpressionAttributeValues=to_item(
                    {":pending": "pending", ":done": done, ":approvals": [a.to_json() for a in approvals]}
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise
            current = self.get(org_id, review_id)
            if current.status != "pending":
                status = current.status
                raise ReviewConflict(f"review {review_id} is already {status}", status=status) from error
            raise ReviewConflict(
                f"approval step {done + 1} of review {review_id} was decided by someone else first", status="raced"
            ) from error
        return _review(from_item(response["Attributes"]))

    def confirm(self, org_id: str, review_id: str) -> Review:
        """deciding -> decided, once the workflow has taken the decision."""
        return self._move(org_id, review_id, "deciding", "decided", {"decidedAt": utcnow().isoformat()})

    def release(self, org_id: str, review_id: str, approvals: builtins.list[ApprovalRecord] | None = None) -> None:
        """deciding -> pending: the workflow could not be told (a transient error); the review stays open,
        with the approvals it had before the claim (``approvals``, when it has approval steps)."""
        fields: dict[str, Any] = {"decision": None, "reviewer": None, "feedback": None, "reviewerLinkId": None}
        if approvals is not None:
            fields["approvals"] = [a.to_json() for a in approvals]
        self._move(org_id, review_id, "deciding", "pending", fields)

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
        self,
        org_id: str,
        review_id: str,
        source: ReviewStatus,
        target: ReviewStatus,
        fields: dict[str, Any],
        approvals_done: int | None = None,
    ) -> Review:
        names = {"#status": "status", "#g": "GSI1PK"}
        values: dict[str, Any] = {
            ":source": source,
            ":target": target,
            ":g": keys.reviews_by_status(org_id, target),
        }
        condition = "attribute_exists(PK) AND #status = :source"
        if approvals_done is not None:
            names["#approvals"] = "approvals"
            values[":done"] = approvals_done
            condition += " AND size(#approvals) = :done"
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
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise
            current = self.get(org_id, review_id)  # raises ReviewNotFound for another org's id
            if current.status == source and approvals_done is not None:
                raise ReviewConflict(
                    f"an approval step of review {review_id} was decided by someone else first", status="raced"
                ) from error
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
