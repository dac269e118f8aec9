"""Shared review links: one item per link a reviewer made for an outside reviewer, under the review.

The signed token (flashfusion.app.link_tokens) says which link it is; this record says whether the link
still holds: a token is refused once its link is revoked or gone, whatever its signature says.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import Field

from flashfusion.modelbase import CamelModel
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item, to_item
from flashfusion.storage.pages import checked_start_key, query_page

KEPT_AFTER_EXPIRY = timedelta(days=90)
"""A link's record outlives its expiry for the audit (who was sent what), then DynamoDB drops it."""


class ReviewLink(CamelModel):
    """A link as the API shows it (the token is shown once, when it is made)."""

    link_id: str
    review_id: str
    label: str | None = Field(default=None, description="who the link is for, as its maker noted it")
    created_by: str = Field(description="the user id (sub) who made it")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    step: int | None = Field(
        default=None, description="the approval step it was made for: its decisions count only at that step"
    )
    group: str | None = Field(default=None, description="that step's group")
    used_at: datetime | None = Field(default=None, description="when a decision was sent through it")


class LinkNotFound(Exception):
    """No such link under this review (or another organisation's)."""


class ReviewLinkRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def add(self, org_id: str, link: ReviewLink) -> None:
        self.table.put_item(
            Item=to_item(
                {
                    **keys.review_link_key(org_id, link.review_id, link.link_id),
                    "type": "review-link",
                    "link": link.to_json(),
                    "expiresAt": int((link.expires_at + KEPT_AFTER_EXPIRY).timestamp()),
                }
            ),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def get(self, org_id: str, review_id: str, link_id: str) -> ReviewLink:
        item = self.table.get_item(Key=keys.review_link_key(org_id, review_id, link_id), ConsistentRead=True).get(
            "Item"
        )
        if not item:
            raise LinkNotFound(link_id)
        return ReviewLink.model_validate(from_item(item)["link"])

    def page(
        self, org_id: str, review_id: str, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[ReviewLink], dict[str, Any] | None]:
        """The review's links, oldest first (link ids sort by creation time)."""
        prefix = keys.review_links_prefix(review_id)
        start = checked_start_key(start_key, org_id, sort_prefix=prefix) if start_key else None
        items, last = query_page(
            self.table,
            limit=limit,
            start_key=start,
            KeyConditionExpression=Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(prefix),
        )
        return [ReviewLink.model_validate(from_item(i)["link"]) for i in items], last

    def _update(self, org_id: str, link: ReviewLink, fields: dict[str, Any], condition: str) -> ReviewLink:
        names = {"#link": "link", **{f"#f{i}": name for i, name in enumerate(fields)}}
        values = {f":f{i}": value for i, value in enumerate(fields.values())}
        sets = ", ".join(f"#link.#f{i} = :f{i}" for i in range(len(fields)))
        try:
            response = self.table.update_item(
                Key=keys.review_link_key(org_id, link.review_id, link.link_id),
                UpdateExpression=f"SET {sets}",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            raise LinkNotFound(link.link_id) from error
        return ReviewLink.model_validate(from_item(response["Attributes"])["link"])

    def revoke(self, org_id: str, link: ReviewLink, by: str, at: datetime) -> ReviewLink:
        """Revoked from now on (revoking twice keeps the first revocation)."""
        if link.revoked_at is not None:
            return link
        names = {"revokedAt": at.isoformat(), "revokedBy": by}
        return self._update(org_id, link, names, "attribute_exists(PK)")

    def mark_used(self, org_id: str, link: ReviewLink, at: datetime) -> None:
        self._update(org_id, link, {"usedAt": at.isoformat()}, "attribute_exists(PK)")
