"""The organisation's asset library: its stored versions newest first, by time or by campaign, filtered.

No index of its own: provenance records already sit in GSI1 (the organisation's records by time) and,
for versions made for a campaign, in GSI3 (that campaign's records by time), each sorted by
``generatedAt#assetId#version``. Medium and status are filters on those queries, so a page may be
short of ``limit`` and still have a next one; each call examines at most ``MAX_EXAMINED`` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from flashfusion.models import Provenance
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item, sort_time
from flashfusion.storage.pages import checked_start_key

MAX_EXAMINED = 1000
"""Records one call reads at most, filters included: a rare filter answers a short page and a nextToken
instead of reading the whole library in one request."""

_KEY_ATTRS = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "type"}


@dataclass(frozen=True)
class LibraryFilter:
    campaign_id: str | None = None
    medium: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AssetLibrary:
    def __init__(self, table: Any) -> None:
        self.table = table

    def page(
        self, org_id: str, wanted: LibraryFilter, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Provenance], dict[str, Any] | None]:
        """Up to ``limit`` versions, newest first, and the key to continue from (None at the end).

        ``start_key`` comes from a client (inside a nextToken): it must be a key of this very query, in
        this organisation's partition; ValueError otherwise."""
        if wanted.campaign_id:
            index, partition = "GSI3", keys.provenance_by_campaign(org_id, wanted.campaign_id)
        else:
            index, partition = "GSI1", keys.provenance_by_time(org_id)
        condition = Key(f"{index}PK").eq(partition)
        sort = Key(f"{index}SK")
        if wanted.since and wanted.until:
            condition &= sort.between(sort_time(wanted.since), sort_time(wanted.until) + "~")
        elif wanted.since:
            condition &= sort.gte(sort_time(wanted.since))
        elif wanted.until:
            condition &= sort.lte(sort_time(wanted.until) + "~")
        query: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition, "ScanIndexForward": False}
        only = Attr("type").eq("provenance")
        if wanted.medium:
            only &= Attr("contentType").eq(wanted.medium)
        if wanted.status:
            only &= Attr("status").eq(wanted.status)
        query["FilterExpression"] = only
        if start_key:
            query["ExclusiveStartKey"] = checked_start_key(start_key, org_id, index=index, partition=partition)
        items: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        examined = 0
        while len(items) < limit and examined < MAX_EXAMINED:
            # Limit bounds the records read (before the filter), so a page never holds more than limit.
            response = self.table.query(**query, Limit=min(limit - len(items), MAX_EXAMINED - examined))
            items += response.get("Items", [])
            examined += max(1, int(response.get("ScannedCount", 0)))
            last = response.get("LastEvaluatedKey")
            if not last:
                break
            query["ExclusiveStartKey"] = last
        records = [
            Provenance.model_validate({k: v for k, v in from_item(i).items() if k not in _KEY_ATTRS}) for i in items
        ]
        return records, (from_item(last) if last else None)
