"""The facts the operating numbers need, read from the table's items (requests, provenance, reviews, budgets).

One organisation's partition holds everything: ``REQUEST#`` items (status, medium, tier, the request with
its campaign, every vendor call with its latency and billed cost, fallbacks, the first lint's verdict, the
review), ``ASSET#…#V#`` provenance records (whether the published version was edited by a person),
``REVIEW#`` items (the backlog) and ``BUDGET#<month>`` items (spend against the limit). The same items come
from a query of one organisation (the API), a scan of the whole table (``ffo report --stack``) or the local
state's snapshot (``ffo report --state``): ``facts_from_items`` turns any of them into the same facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from flashfusion.metrics.definitions import BudgetMonth, PendingReview, RequestFacts, VendorCall
from flashfusion.storage import keys
from flashfusion.storage.dynamo import from_item

_MONTH = re.compile(r"^BUDGET#\d{4}-\d{2}$")
BACKLOG_STATUSES = frozenset({"pending", "deciding"})
"""A review a person still has to (or is about to) decide."""


@dataclass
class Facts:
    requests: list[RequestFacts] = field(default_factory=list)
    pending_reviews: list[PendingReview] = field(default_factory=list)
    budgets: list[BudgetMonth] = field(default_factory=list)


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _call(attempt: dict[str, Any]) -> VendorCall:
    succeeded = attempt.get("outcome") == "succeeded"
    return VendorCall(
        model=str(attempt["model"]),
        succeeded=succeeded,
        latency_ms=int(attempt.get("latencyMs") or 0),
        cost_usd=float(attempt.get("costUsd") or 0.0) if succeeded else 0.0,
    )


def request_facts(item: dict[str, Any], published: dict[tuple[str, int], dict[str, Any]]) -> RequestFacts:
    """One request item as facts; ``published`` maps (assetId, version) to provenance records."""
    body = item.get("request") or {}
    asset = item.get("asset") or None
    record = published.get((str(asset["assetId"]), int(asset["version"]))) if asset else None
    first = item.get("firstLint")
    return RequestFacts(
        request_id=str(item["requestId"]),
        org_id=str(item["orgId"]),
        created_at=_instant(item["createdAt"]),
        status=str(item["status"]),
        medium=str(item["contentType"]),
        tier=str(item["tier"]),
        campaign_id=body.get("campaignId"),
        calls=tuple(_call(a) for a in item.get("attempts") or []),
        fallbacks=int(item.get("fallbacks") or 0),
        first_lint_compliant=None if first is None else bool(first.get("compliant")),
        reviewed=bool(item.get("review")),
        asset_model=str(asset["model"]) if asset else None,
        human_edited=bool(record and record.get("humanEdited")),
    )


def facts_from_items(items: Iterable[dict[str, Any]]) -> Facts:
    """Plain items (``from_item``) of any organisations, in any order, as facts."""
    requests: list[dict[str, Any]] = []
    provenance: dict[tuple[str, int], dict[str, Any]] = {}
    facts = Facts()
    for item in items:
        sk = str(item.get("SK", ""))
        if sk.startswith(keys.REQUEST_PREFIX):
            requests.append(item)
        elif item.get("type") == "provenance":
            provenance[(str(item["assetId"]), int(item["version"]))] = item
        elif item.get("type") == "review" and item.get("status") in BACKLOG_STATUSES:
            facts.pending_reviews.append(
                PendingReview(str(item["orgId"]), str(item["reviewId"]), _instant(item["createdAt"]))
            )
        elif _MONTH.match(sk) and "limitUsd" in item:
            facts.budgets.append(
                BudgetMonth(
                    org_id=str(item["PK"])[len(keys.ORG_PREFIX) :],
                    month=sk[len("BUDGET#") :],
                    limit_usd=float(item["limitUsd"]),
                    spent_usd=float(item.get("spentUsd") or 0),
                    reserved_usd=float(item.get("reservedUsd") or 0),
                )
            )
    # the product's own pre-generated requests are not the organisation's work (their spend is the
    # speculative ledger's, shown by GET /v1/prediction-settings)
    facts.requests = [request_facts(i, provenance) for i in requests if not (i.get("request") or {}).get("speculative")]
    return facts


def org_facts(table: Any, org_id: str, since: datetime | None, until: datetime | None) -> Facts:
    """One organisation's facts for requests created in the window, read by key (never another org's):
    its requests (filtered on createdAt), the provenance of their published versions (one batch read),
    its reviews still open and its budget months."""
    created = Attr("createdAt")
    window = None
    if since is not None:
        window = created.gte(since.astimezone(UTC).isoformat())
    if until is not None:
        window = (
            created.lt(until.astimezone(UTC).isoformat())
            if window is None
            else window & created.lt(until.astimezone(UTC).isoformat())
        )
    requests = list(_prefix(table, org_id, keys.REQUEST_PREFIX, window))
    wanted = {(str(i["asset"]["assetId"]), int(i["asset"]["version"])) for i in requests if i.get("asset")}
    provenance = _batch_get(table, [keys.provenance_key(org_id, asset_id, v) for asset_id, v in sorted(wanted)])
    reviews = _prefix(table, org_id, "REVIEW#", Attr("status").is_in(sorted(BACKLOG_STATUSES)))
    budgets = _prefix(table, org_id, "BUDGET#", None)
    return facts_from_items([*requests, *provenance, *reviews, *budgets])


def _prefix(table: Any, org_id: str, prefix: str, condition: Any) -> Iterator[dict[str, Any]]:
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(prefix)
    }
    if condition is not None:
        query["FilterExpression"] = condition
    while True:
        page = table.query(**query)
        yield from (from_item(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


BATCH_GET_KEYS = 100
"""DynamoDB's limit of keys in one BatchGetItem."""


def _batch_get(table: Any, item_keys: list[dict[str, str]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    client = table.meta.client
    for start in range(0, len(item_keys), BATCH_GET_KEYS):
        pending: dict[str, Any] = {table.name: {"Keys": item_keys[start : start + BATCH_GET_KEYS]}}
        while pending:
            answer = client.batch_get_item(RequestItems=pending)
            found += [from_item(i) for i in answer.get("Responses", {}).get(table.name, [])]
            pending = answer.get("UnprocessedKeys") or {}
    return found


def table_items(table: Any) -> Iterator[dict[str, Any]]:
    """Every item of the table, every organisation (the operator's report)."""
    scan: dict[str, Any] = {}
    while True:
        page = table.scan(**scan)
        yield from (from_item(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
