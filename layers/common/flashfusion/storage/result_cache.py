"""Predictive caching's records, in the organisation's partition of the single table.

* ``RESULTCACHE#<sha256>``: an exact-result cache entry (prediction.cache_key), with a TTL (``expiresAt``,
  epoch seconds) at the end of its freshness window; reads check the time too (TTL deletion lags).
* ``CANDIDATE#<contentType>.<staleAt>.<requestId>``: a pre-generated candidate. The id sorts by medium, then
  by when it goes stale, so a lookup reads only the fresh candidates of one medium (a key range, no scan).
  Kept (TTL) for ``CANDIDATE_KEEP`` after it goes stale, for the used/unused spend figures.
* ``HISTORY#<instant>#<requestId>``: one request of the forecast's history (TTL ``HISTORY_KEEP``).
* ``PREDICTION#SETTINGS``: the organisation's prediction settings; listed in GSI1 under
  ``PREDICTION#ORGS`` while prediction is on (the scheduled prefetch reads that list).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import Field

from flashfusion.modelbase import CamelModel
from flashfusion.models import ContentType, Cost, Generation, utcnow
from flashfusion.storage import keys
from flashfusion.storage.dynamo import conditional_failed, from_item, sort_time, to_item

HISTORY_KEEP = timedelta(days=56)
CANDIDATE_KEEP = timedelta(days=35)


def compact_time(moment: datetime) -> str:
    """``20261207T050000Z``: sortable, and a key part (no ``#``)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class StoredResult(CamelModel):
    """A generated output that may serve again: the staged (unmarked) bytes and what made them."""

    asset_id: str
    version: int
    request_id: str
    content_type: ContentType
    model: str
    provider: str
    vendor_model: str
    offline: bool
    dataset_tag: str
    staging_key: str
    mime_type: str
    extension: str
    output_hash: str
    size_bytes: int
    latency_ms: int
    cost_usd: float
    parameters: dict[str, Any] = Field(default_factory=dict)
    auto_fixes: list[str] = Field(default_factory=list)
    generated_at: datetime

    @classmethod
    def of(cls, generation: Generation, request_id: str) -> StoredResult:
        shared = generation.model_dump(include=_SHARED_WITH_GENERATION)
        return cls(**shared, request_id=request_id, cost_usd=generation.cost.usd)

    def served_as(self, **this_request: Any) -> Generation:
        """This result as a new request's Generation, made now and with nothing spent; ``this_request`` gives
        what is the new request's own (asset id, version, staging key, latency, servedFrom...)."""
        shared = self.model_dump(include=_SHARED_WITH_GENERATION - {"generated_at"} - set(this_request))
        return Generation(**shared, cost=Cost(usd=0.0), **this_request)


_SHARED_WITH_GENERATION = frozenset(StoredResult.model_fields) & frozenset(Generation.model_fields)
"""What a stored result keeps of a Generation as it is (the stored item's shape is unchanged: flat, with
``costUsd`` for the cost and the request id beside)."""


class CacheEntry(CamelModel):
    key_hash: str
    result: StoredResult
    fresh_until: datetime


CandidateStatus = Literal["generating", "ready", "failed"]


class Candidate(CamelModel):
    candidate_id: str
    request_id: str
    status: CandidateStatus
    brief: str
    content_type: ContentType
    tier: str
    kit_id: str
    kit_version: int
    channel: str | None = None
    campaign_id: str | None = None
    sponsored: bool = False
    options: dict[str, Any] = Field(default_factory=dict)
    expected: float = 0.0
    estimated_cost_usd: float = 0.0
    created_at: datetime
    stale_at: datetime
    result: StoredResult | None = None
    served_count: int = 0
    first_served_at: datetime | None = None


class PredictionSettings(CamelModel):
    enabled: bool = False
    monthly_cap_usd: float = 0.0
    horizon_hours: int = 24
    freshness_days: int = 7
    top_k: int = 10
    updated_at: datetime | None = None
    updated_by: str | None = None
    last_run_at: datetime | None = None


class HistoryEntry(CamelModel):
    at: datetime
    request_id: str
    content_type: ContentType
    brief: str
    tier: str
    kit_id: str
    channel: str | None = None
    campaign_id: str | None = None
    sponsored: bool = False
    options: dict[str, Any] = Field(default_factory=dict)


def candidate_id_for(content_type: str, stale_at: datetime, request_id: str) -> str:
    return f"{content_type}.{compact_time(stale_at)}.{request_id}"


class ResultCacheRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    # exact cache ---------------------------------------------------------------------------------------
    def put_entry(self, org_id: str, entry: CacheEntry) -> None:
        self.table.put_item(
            Item=to_item(
                {
                    **keys.result_cache_key(org_id, entry.key_hash),
                    "type": "result-cache",
                    **entry.to_json(),
                    "expiresAt": _epoch(entry.fresh_until),
                }
            )
        )

    def get_entry(self, org_id: str, key_hash: str, now: datetime | None = None) -> CacheEntry | None:
        item = self.table.get_item(Key=keys.result_cache_key(org_id, key_hash)).get("Item")
        if not item:
            return None
        entry = CacheEntry.model_validate(_plain(item))
        return entry if entry.fresh_until > (now or utcnow()) else None

    # candidates ----------------------------------------------------------------------------------------
    def put_candidate(self, org_id: str, candidate: Candidate) -> None:
        self.table.put_item(Item=self._candidate_item(org_id, candidate))

    def _candidate_item(self, org_id: str, candidate: Candidate) -> dict[str, Any]:
        return to_item(
            {
                **keys.candidate_key(org_id, candidate.candidate_id),
                "type": "candidate",
                **candidate.to_json(),
                "expiresAt": _epoch(candidate.stale_at + CANDIDATE_KEEP),
            }
        )

    def get_candidate(self, org_id: str, candidate_id: str) -> Candidate | None:
        item = self.table.get_item(Key=keys.candidate_key(org_id, candidate_id), ConsistentRead=True).get("Item")
        return Candidate.model_validate(_plain(item)) if item else None

    def candidate_ready(self, org_id: str, candidate_id: str, result: StoredResult, kit_version: int) -> bool:
        """The speculative request saved its output (under ``kit_version``, the one its workflow validated):
        the candidate may serve. False if it is unknown."""
        return self._update_if(
            Key=keys.candidate_key(org_id, candidate_id),
            UpdateExpression="SET #s = :ready, #r = :result, kitVersion = :kv",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#s": "status", "#r": "result"},
            ExpressionAttributeValues=to_item({":ready": "ready", ":result": result.to_json(), ":kv": kit_version}),
        )

    def candidate_failed(self, org_id: str, candidate_id: str) -> bool:
        """The speculative request ended without an output: the candidate will never serve (and the next
        prefetch may propose the brief again). Only a candidate still generating changes; True if it did."""
        return self._update_if(
            Key=keys.candidate_key(org_id, candidate_id),
            UpdateExpression="SET #s = :failed",
            ConditionExpression="attribute_exists(PK) AND #s = :generating",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":failed": "failed", ":generating": "generating"},
        )

    def _update_if(self, **update: Any) -> bool:
        """An update under its condition: False if the condition refused it."""
        try:
            self.table.update_item(**update)
        except ClientError as error:
            if conditional_failed(error):
                return False
            raise
        return True

    def mark_served(self, org_id: str, candidate_id: str, now: datetime | None = None) -> None:
        self.table.update_item(
            Key=keys.candidate_key(org_id, candidate_id),
            UpdateExpression="ADD servedCount :one SET firstServedAt = if_not_exists(firstServedAt, :now)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":one": 1, ":now": (now or utcnow()).isoformat()},
        )

    def fresh_candidates(self, org_id: str, content_type: str, now: datetime | None = None) -> list[Candidate]:
        """Candidates of one medium not yet stale (any status), by the key range alone."""
        low = keys.checked_sk(f"{keys.CANDIDATE_PREFIX}{content_type}.{compact_time(now or utcnow())}")
        high = keys.checked_sk(f"{keys.CANDIDATE_PREFIX}{content_type}.~")
        condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").between(low, high)
        return [Candidate.model_validate(_plain(i)) for i in self._query(condition)]

    def candidates_page(
        self, org_id: str, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[Candidate], dict[str, Any] | None]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(keys.CANDIDATE_PREFIX),
            "Limit": limit,
            "ScanIndexForward": False,
        }
        if start_key:
            if set(start_key) != {"PK", "SK"} or start_key.get("PK") != keys.org_pk(org_id):
                raise ValueError("nextToken does not belong to this query")
            sk = start_key.get("SK")
            if not isinstance(sk, str) or not sk.startswith(keys.CANDIDATE_PREFIX):
                raise ValueError("nextToken does not belong to this query")
            query["ExclusiveStartKey"] = {"PK": keys.org_pk(org_id), "SK": keys.checked_sk(sk)}
        response = self.table.query(**query)
        last = response.get("LastEvaluatedKey")
        return [Candidate.model_validate(_plain(i)) for i in response.get("Items", [])], (
            {"PK": str(last["PK"]), "SK": str(last["SK"])} if last else None
        )

    def candidates_since(self, org_id: str, since: datetime) -> list[Candidate]:
        """Every candidate still kept that was made at or after ``since`` (the month's spend figures)."""
        condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(keys.CANDIDATE_PREFIX)
        found = (Candidate.model_validate(_plain(i)) for i in self._query(condition))
        return [c for c in found if c.created_at >= since]

    # history -------------------------------------------------------------------------------------------
    def record_history(self, org_id: str, entry: HistoryEntry) -> None:
        """Idempotent: the key is the request's submission instant and id."""
        self.table.put_item(
            Item=to_item(
                {
                    **keys.history_key(org_id, sort_time(entry.at), entry.request_id),
                    "type": "history",
                    **entry.to_json(),
                    "expiresAt": _epoch(entry.at + HISTORY_KEEP),
                }
            )
        )

    def history(self, org_id: str, since: datetime) -> list[HistoryEntry]:
        low = keys.checked_sk(f"{keys.HISTORY_PREFIX}{sort_time(since)}")
        high = keys.checked_sk(f"{keys.HISTORY_PREFIX}~")
        condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").between(low, high)
        return [HistoryEntry.model_validate(_plain(i)) for i in self._query(condition)]

    # settings ------------------------------------------------------------------------------------------
    def settings(self, org_id: str) -> PredictionSettings:
        item = self.table.get_item(Key=keys.prediction_settings_key(org_id)).get("Item")
        return PredictionSettings.model_validate(_plain(item)) if item else PredictionSettings()

    def put_settings(self, org_id: str, settings: PredictionSettings) -> None:
        item: dict[str, Any] = {**keys.prediction_settings_key(org_id), "type": "prediction-settings", "orgId": org_id}
        if settings.enabled:  # listed for the scheduled prefetch only while on
            item |= {"GSI1PK": keys.PREDICTION_ORGS, "GSI1SK": org_id}
        self.table.put_item(Item=to_item({**item, **settings.to_json()}))

    def mark_run(self, org_id: str, now: datetime) -> None:
        self.table.update_item(
            Key=keys.prediction_settings_key(org_id),
            UpdateExpression="SET lastRunAt = :now",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":now": now.isoformat()},
        )

    def enabled_orgs(self) -> list[str]:
        condition = Key("GSI1PK").eq(keys.PREDICTION_ORGS)
        return sorted(str(i["orgId"]) for i in self._query(condition, index="GSI1"))

    def _query(self, condition: Any, index: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"KeyConditionExpression": condition}
        if index:
            query["IndexName"] = index
        items: list[dict[str, Any]] = []
        while True:
            response = self.table.query(**query)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return items
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


_KEY_ATTRS = {"PK", "SK", "GSI1PK", "GSI1SK", "type", "expiresAt", "orgId"}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in from_item(item).items() if k not in _KEY_ATTRS}
