"""DynamoDB repositories for campaigns, their assets, posts and platform accounts.

Single table, every key under ``ORG#<orgId>`` (see storage/keys.py):

| item | PK | SK | GSI1PK / GSI1SK |
|---|---|---|---|
| campaign | ORG#<org> | CAMPAIGN#<campaignId> | |
| asset in a campaign | ORG#<org> | CAMPAIGNASSET#<campaignId>#<assetId> | |
| post | ORG#<org> | POST#<postId> | ORG#<org>#CAMPAIGN#<campaignId>#POSTS (no campaign:
  ORG#<org>#POSTS) / <scheduledAt UTC>#<postId> |
| platform account | ORG#<org> | ACCOUNT#<accountId> | |

A campaign's assets are items of their own, so the state machine's AddToCampaign step can add one with
a single idempotent PutItem (no read-modify-write of a list) and this repository reads them back in
the order they joined (``addedAt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from flashfusion.errors import RequestNotFound
from flashfusion.models import utcnow
from flashfusion.scheduling.models import (
    AccountStatus,
    Campaign,
    CampaignFields,
    PlatformAccount,
    Post,
    PostStatus,
)
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item, sort_time, to_item
from flashfusion.storage.pages import checked_start_key, org_prefix_page, query_page

_KEY_ATTRS = {"PK", "SK", "GSI1PK", "GSI1SK", "type"}


class CampaignNotFound(RequestNotFound):
    """No campaign with this id in the caller's organisation (an API 404)."""


class PostNotFound(RequestNotFound):
    """No post with this id in the caller's organisation (an API 404)."""


class AccountNotFound(RequestNotFound):
    """No platform account with this id in the caller's organisation (an API 404)."""


class StaleWrite(Exception):
    """A conditional write found the item in another state than expected (a concurrent change)."""


def _conditional_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") == "ConditionalCheckFailedException"


def _body(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in from_item(item).items() if k not in _KEY_ATTRS}


def _query_all(table: Any, **query: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = table.query(**query)
        items += response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return items
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


@dataclass(frozen=True)
class CampaignAsset:
    asset_id: str
    version: int
    added_at: str
    request_id: str | None = None


class CampaignRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def create(self, campaign: Campaign) -> None:
        item = {**keys.campaign_key(campaign.org_id, campaign.campaign_id), "type": "campaign", **_fields(campaign)}
        try:
            self.table.put_item(Item=to_item(item), ConditionExpression="attribute_not_exists(PK)")
        except ClientError as error:
            if _conditional_failed(error):
                raise StaleWrite(f"campaign {campaign.campaign_id} exists") from error
            raise

    def get(self, org_id: str, campaign_id: str, *, with_assets: bool = True) -> Campaign:
        item = self.table.get_item(Key=keys.campaign_key(org_id, campaign_id), ConsistentRead=True).get("Item")
        if not item:
            raise CampaignNotFound(f"campaign {campaign_id} not found")
        body = _body(item)
        if with_assets:
            body["assetIds"] = [a.asset_id for a in self.assets(org_id, campaign_id)]
        return Campaign.model_validate(body)

    def page_for_org(
        self, org_id: str, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Campaign], dict[str, Any] | None]:
        """One page of the organisation's campaigns (without their asset lists: GET one campaign for those)
        and the key to continue from; ValueError for a start key not of this query."""
        items, last = org_prefix_page(self.table, org_id, keys.campaign_prefix(), limit, start_key)
        return [Campaign.model_validate(_body(i)) for i in items], last

    def update(self, org_id: str, campaign_id: str, fields: CampaignFields) -> Campaign:
        existing = self.get(org_id, campaign_id, with_assets=False)
        updated = Campaign.model_validate({**existing.to_json(), **fields.to_json(), "updatedAt": utcnow().isoformat()})
        try:
            self.table.put_item(
                Item=to_item({**keys.campaign_key(org_id, campaign_id), "type": "campaign", **_fields(updated)}),
                ConditionExpression="attribute_exists(PK) AND updatedAt = :seen",
                ExpressionAttributeValues={":seen": existing.to_json()["updatedAt"]},
            )
        except ClientError as error:
            if _conditional_failed(error):
                raise StaleWrite(f"campaign {campaign_id} changed meanwhile; read it again") from error
            raise
        return updated.model_copy(update={"asset_ids": [a.asset_id for a in self.assets(org_id, campaign_id)]})

    # assets ----------------------------------------------------------------------------------
    def add_asset(
        self, org_id: str, campaign_id: str, asset_id: str, version: int, request_id: str | None = None
    ) -> None:
        """Idempotent: adding an asset again keeps its first ``addedAt`` (its place in the order)."""
        names = {"#v": "assetVersion", "#a": "addedAt", "#id": "assetId", "#c": "campaignId", "#t": "type"}
        values: dict[str, Any] = {
            ":v": version,
            ":a": utcnow().isoformat(),
            ":id": asset_id,
            ":c": campaign_id,
            ":t": "campaign_asset",
        }
        expression = "SET #v = :v, #a = if_not_exists(#a, :a), #id = :id, #c = :c, #t = :t"
        if request_id:
            names["#r"] = "requestId"
            values[":r"] = request_id
            expression += ", #r = :r"
        self.table.update_item(
            Key=keys.campaign_asset_key(org_id, campaign_id, asset_id),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def remove_asset(self, org_id: str, campaign_id: str, asset_id: str) -> bool:
        response = self.table.delete_item(
            Key=keys.campaign_asset_key(org_id, campaign_id, asset_id), ReturnValues="ALL_OLD"
        )
        return bool(response.get("Attributes"))

    def assets(self, org_id: str, campaign_id: str) -> list[CampaignAsset]:
        """The campaign's assets in the order they joined (through the API or the state machine)."""
        items = _query_all(
            self.table,
            KeyConditionExpression=Key("PK").eq(keys.org_pk(org_id))
            & Key("SK").begins_with(keys.campaign_assets_prefix(campaign_id)),
            ConsistentRead=True,
        )
        found = [
            CampaignAsset(
                asset_id=str(i["assetId"]),
                version=int(i.get("assetVersion", 1)),
                added_at=str(i.get("addedAt", "")),
                request_id=str(i["requestId"]) if i.get("requestId") else None,
            )
            for i in items
        ]
        return sorted(found, key=lambda a: (a.added_at, a.asset_id))


def _fields(campaign: Campaign) -> dict[str, Any]:
    body = campaign.to_json()
    body.pop("assetIds", None)  # kept as items of their own
    return body


class PostRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def _item(self, post: Post) -> dict[str, Any]:
        index = (
            keys.posts_by_campaign(post.org_id, post.campaign_id)
            if post.campaign_id
            else keys.posts_by_org(post.org_id)
        )
        return {
            **keys.post_key(post.org_id, post.post_id),
            "GSI1PK": index,
            "GSI1SK": f"{sort_time(post.scheduled_at)}#{post.post_id}",
            "type": "post",
            **post.to_json(),
        }

    def create(self, post: Post) -> tuple[Post, bool]:
        """Store a new post; the same post id again returns the stored one (a retried step)."""
        try:
            self.table.put_item(Item=to_item(self._item(post)), ConditionExpression="attribute_not_exists(PK)")
        except ClientError as error:
            if not _conditional_failed(error):
                raise
            return self.get(post.org_id, post.post_id), False
        return post, True

    def get(self, org_id: str, post_id: str) -> Post:
        item = self.table.get_item(Key=keys.post_key(org_id, post_id), ConsistentRead=True).get("Item")
        if not item:
            raise PostNotFound(f"post {post_id} not found")
        return Post.model_validate(_body(item))

    def put(self, post: Post, *, expect_status: set[PostStatus] | None = None) -> Post:
        """Replace a post record (reschedule, status change), only from the statuses expected."""
        post = post.model_copy(update={"updated_at": utcnow()})
        condition = "attribute_exists(PK)"
        values: dict[str, Any] = {}
        if expect_status:
            marks = []
            for i, status in enumerate(sorted(expect_status)):
                values[f":s{i}"] = status.value
                marks.append(f":s{i}")
            condition += f" AND #status IN ({', '.join(marks)})"
        try:
            self.table.put_item(
                Item=to_item(self._item(post)),
                ConditionExpression=condition,
                **({"ExpressionAttributeNames": {"#status": "status"}} if values else {}),
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as error:
            if _conditional_failed(error):
                raise StaleWrite(f"post {post.post_id} is no longer {sorted(expect_status or [])}") from error
            raise
        return post

    def delete(self, org_id: str, post_id: str) -> None:
        self.table.delete_item(Key=keys.post_key(org_id, post_id))

    def list_for_campaign(self, org_id: str, campaign_id: str | None, since: datetime | None = None) -> list[Post]:
        index = keys.posts_by_campaign(org_id, campaign_id) if campaign_id else keys.posts_by_org(org_id)
        condition = Key("GSI1PK").eq(index)
        if since:
            condition = condition & Key("GSI1SK").gte(sort_time(since))
        items = _query_all(self.table, IndexName="GSI1", KeyConditionExpression=condition)
        return [Post.model_validate(_body(i)) for i in items]

    def page_for_campaign(
        self, org_id: str, campaign_id: str, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Post], dict[str, Any] | None]:
        """A campaign's posts by scheduled time, one page, and the key to continue from."""
        index = keys.posts_by_campaign(org_id, campaign_id)
        start = checked_start_key(start_key, org_id, index="GSI1", partition=index) if start_key else None
        items, last = query_page(
            self.table, limit=limit, start_key=start, IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq(index)
        )
        return [Post.model_validate(_body(i)) for i in items], last


class AccountRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def put(self, org_id: str, account: PlatformAccount) -> None:
        item = {
            **keys.account_key(org_id, account.account_id),
            "type": "account",
            "orgId": org_id,
            "updatedAt": utcnow().isoformat(),
            **account.to_json(),
        }
        self.table.put_item(Item=to_item(item))

    def get(self, org_id: str, account_id: str) -> PlatformAccount:
        item = self.table.get_item(Key=keys.account_key(org_id, account_id)).get("Item")
        if not item:
            raise AccountNotFound(f"account {account_id} not found")
        return _account(item)

    def page_for_org(
        self, org_id: str, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[PlatformAccount], dict[str, Any] | None]:
        items, last = org_prefix_page(self.table, org_id, keys.account_prefix(), limit, start_key)
        return [_account(i) for i in items], last

    def set_status(self, org_id: str, account_id: str, status: AccountStatus, reason: str | None = None) -> None:
        try:
            self.table.update_item(
                Key=keys.account_key(org_id, account_id),
                UpdateExpression="SET #s = :s, statusReason = :r, updatedAt = :now",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": status.value, ":r": reason or "", ":now": utcnow().isoformat()},
            )
        except ClientError as error:
            if _conditional_failed(error):
                raise AccountNotFound(f"account {account_id} not found") from error
            raise


def _account(item: dict[str, Any]) -> PlatformAccount:
    body = {k: v for k, v in _body(item).items() if k not in ("orgId", "updatedAt")}
    if not body.get("statusReason"):
        body.pop("statusReason", None)
    return PlatformAccount.model_validate(body)
