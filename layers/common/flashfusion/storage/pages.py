"""One page of a DynamoDB query, and the start key a caller hands back for the next one.

A start key comes back from a client (inside the API's opaque nextToken), so it is checked before
DynamoDB sees it: exactly the key attributes of this query, strings within DynamoDB's key limits, in
the caller's organisation's partition and in this query's partition or key range. Anything else is a
ValueError, which the use cases turn into a 400 naming nextToken.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from flashfusion.errors import KeyTooLarge
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item

MAX_KEY_CHARS = 2048


def checked_start_key(
    start_key: dict[str, Any],
    org_id: str,
    *,
    index: str | None = None,
    partition: str | None = None,
    sort_prefix: str | None = None,
) -> dict[str, str]:
    """``start_key`` if it is a key of this query (table keys, plus the index's when ``index``), else ValueError.
    ``partition`` is the index's partition; ``sort_prefix`` the table sort key's prefix (begins_with queries)."""
    wanted = {"PK", "SK"} | ({f"{index}PK", f"{index}SK"} if index else set())
    if set(start_key) != wanted or not all(
        isinstance(v, str) and v and len(v) <= MAX_KEY_CHARS for v in start_key.values()
    ):
        raise ValueError("nextToken is not a key of this query")
    if start_key["PK"] != keys.org_pk(org_id):
        raise ValueError("nextToken does not belong to this query")
    if index and start_key[f"{index}PK"] != partition:
        raise ValueError("nextToken does not belong to this query")
    if sort_prefix is not None and not start_key["SK"].startswith(sort_prefix):
        raise ValueError("nextToken does not belong to this query")
    try:
        keys.checked_sk(start_key["SK"])
        if index:
            keys.checked_sk(start_key[f"{index}SK"])
    except KeyTooLarge as error:
        raise ValueError("nextToken is not a key of this query") from error
    return {k: str(v) for k, v in start_key.items()}


def org_prefix_page(
    table: Any, org_id: str, sort_prefix: str, limit: int, start_key: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of the organisation's items whose sort key begins with ``sort_prefix`` (campaigns, accounts)."""
    start = checked_start_key(start_key, org_id, sort_prefix=sort_prefix) if start_key else None
    condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(sort_prefix)
    return query_page(table, limit=limit, start_key=start, KeyConditionExpression=condition)


def query_page(
    table: Any, *, limit: int, start_key: dict[str, str] | None = None, **query: Any
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Up to ``limit`` items of a query and the key to continue from (None at the end). The start key must
    already be checked (``checked_start_key``)."""
    if start_key:
        query["ExclusiveStartKey"] = start_key
    items: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None
    while len(items) < limit:
        response = table.query(**query, Limit=limit - len(items))
        items += response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            break
        query["ExclusiveStartKey"] = last
    return items, (from_item(last) if last else None)
