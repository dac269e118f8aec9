"""DynamoDB repositories for requests, brand kits and provenance (single table, org-scoped keys)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from flashfusion.errors import (
    BrandKitNotFound,
    BrandKitVersionExists,
    KeyTooLarge,
    ProvenanceConflict,
    RequestNotFound,
    readable_cause,
)
from flashfusion.models import (
    FINAL_STATUSES,
    AssetRef,
    AssetRequest,
    AttemptRecord,
    BrandKit,
    BundleRecord,
    BundleView,
    ErrorInfo,
    LintReport,
    LocaleOutcome,
    Provenance,
    RequestRecord,
    RequestStatus,
    ReviewRef,
    Violation,
    utcnow,
)
from flashfusion.storage import keys

IDEMPOTENCY_WINDOW = timedelta(hours=24)


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe dict -> DynamoDB item (floats become Decimal, as boto3 requires)."""
    converted: dict[str, Any] = json.loads(json.dumps(data), parse_float=Decimal)
    return converted


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    result: dict[str, Any] = plain(item)
    return result


def _now() -> str:
    return utcnow().isoformat()


def conditional_failed(error: ClientError) -> bool:
    """A condition (or a transaction's) refused the write: the caller's expected state no longer holds."""
    code = error.response.get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class RequestRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def create(self, request: AssetRequest, submission_hash: str) -> tuple[str, bool]:
        """Store a new request; with a client request id, at most once per idempotency window.

        Returns the request id and whether this call created it. A client request id reused with a
        different body raises ValueError.
        """
        now = _now()
        item = {
            **keys.request_key(request.org_id, request.request_id),
            "requestId": request.request_id,
            "orgId": request.org_id,
            "userId": request.user_id,
            "status": RequestStatus.ACCEPTED.value,
            "contentType": request.content_type.value,
            "tier": request.tier.value,
            "createdAt": now,
            "updatedAt": now,
            "submissionHash": submission_hash,
            "request": request.to_json(),
            "attempts": [],
            "violations": [],
            "translations": {},
        }
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        if request.client_request_id:
            expires = int((utcnow() + IDEMPOTENCY_WINDOW).timestamp())
            marker = {
                **keys.idempotency_key(request.org_id, request.client_request_id),
                "requestId": request.request_id,
                "submissionHash": submission_hash,
                "expiresAt": expires,
            }
            writes.append(
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": to_item(marker),
                        "ConditionExpression": "attribute_not_exists(PK) OR expiresAt < :now",
                        "ExpressionAttributeValues": {":now": int(utcnow().timestamp())},
                    }
                }
            )
        try:
            # The resource's client serialises Python values itself (boto3 injects the transformer).
            self.table.meta.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if not (conditional_failed(error) and request.client_request_id):
                raise
            existing = self.table.get_item(
                Key=keys.idempotency_key(request.org_id, request.client_request_id), ConsistentRead=True
            ).get("Item")
            if not existing:
                raise
            if existing["submissionHash"] != submission_hash:
                raise ValueError(
                    f"clientRequestId {request.client_request_id!r} was already used with a different request"
                ) from error
            return str(existing["requestId"]), False
        return request.request_id, True

    def delete(self, org_id: str, request_id: str, client_request_id: str | None) -> None:
        self.table.delete_item(Key=keys.request_key(org_id, request_id))
        if client_request_id:
            self.table.delete_item(Key=keys.idempotency_key(org_id, client_request_id))

    def get_item(self, org_id: str, request_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key=keys.request_key(org_id, request_id), ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def get(self, org_id: str, request_id: str) -> RequestRecord:
        item = self.get_item(org_id, request_id)
        if item is None:
            raise RequestNotFound(f"request {request_id} not found")
        return RequestRecord(
            request_id=item["requestId"],
            org_id=item["orgId"],
            user_id=item["userId"],
            status=RequestStatus(item["status"]),
            content_type=item["contentType"],
            tier=item["tier"],
            created_at=item["createdAt"],
            updated_at=item["updatedAt"],
            asset=AssetRef.model_validate(item["asset"]) if item.get("asset") else None,
            violations=[Violation.model_validate(v) for v in item.get("violations", [])],
            lint=LintReport.model_validate(item["lint"]) if item.get("lint") else None,
            attempts=[AttemptRecord.model_validate(a) for a in item.get("attempts", [])],
            error=_error(item.get("error")),
            review=ReviewRef.model_validate(item["review"]) if item.get("review") else None,
            translations={k: _outcome(v) for k, v in (item.get("translations") or {}).items()},
            follow_up_error=_error(item.get("followUpError")),
            bundle=BundleView.model_validate(item["bundle"]) if item.get("bundle") else None,
        )

    def _update(
        self, org_id: str, request_id: str, sets: dict[str, Any], append: dict[str, list[Any]] | None = None
    ) -> None:
        names: dict[str, str] = {}
        values: dict[str, Any] = {":updatedAt": _now()}
        clauses = ["#updatedAt = :updatedAt"]
        names["#updatedAt"] = "updatedAt"
        for i, (attr, value) in enumerate(sets.items()):
            names[f"#s{i}"] = attr
            values[f":s{i}"] = value
            clauses.append(f"#s{i} = :s{i}")
        for i, (attr, items) in enumerate((append or {}).items()):
            names[f"#a{i}"] = attr
            values[f":a{i}"] = items
            values[":empty"] = []
            clauses.append(f"#a{i} = list_append(if_not_exists(#a{i}, :empty), :a{i})")
        try:
            self.table.update_item(
                Key=keys.request_key(org_id, request_id),
                UpdateExpression="SET " + ", ".join(clauses),
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as error:
            if conditional_failed(error):
                raise RequestNotFound(f"request {request_id} not found") from error
            raise

    def set_status(self, org_id: str, request_id: str, status: RequestStatus) -> None:
        self._update(org_id, request_id, {"status": status.value})

    def resume(self, org_id: str, request_id: str) -> None:
        """A queued request starts again: accepted, and the reason it waited is no longer its error."""
        try:
            self.table.update_item(
                Key=keys.request_key(org_id, request_id),
                UpdateExpression="SET #s = :s, updatedAt = :now REMOVE #e",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#s": "status", "#e": "error"},
                ExpressionAttributeValues={":s": RequestStatus.ACCEPTED.value, ":now": _now()},
            )
        except ClientError as error:
            if conditional_failed(error):
                raise RequestNotFound(f"request {request_id} not found") from error
            raise

    def set_execution(self, org_id: str, request_id: str, execution_arn: str) -> None:
        self._update(org_id, request_id, {"executionArn": execution_arn})

    def record_attempt(self, org_id: str, request_id: str, attempt: AttemptRecord) -> list[AttemptRecord]:
        """Append one vendor call; returns every call of the request so far, this one last."""
        try:
            answer = self.table.update_item(
                Key=keys.request_key(org_id, request_id),
                UpdateExpression="SET #a = list_append(if_not_exists(#a, :empty), :a), #u = :now",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#a": "attempts", "#u": "updatedAt"},
                ExpressionAttributeValues=to_item({":a": [attempt.to_json()], ":empty": [], ":now": _now()}),
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if conditional_failed(error):
                raise RequestNotFound(f"request {request_id} not found") from error
            raise
        calls = from_item(answer.get("Attributes", {})).get("attempts", [])
        return [AttemptRecord.model_validate(a) for a in calls]

    def record_first_lint(self, org_id: str, request_id: str, report: LintReport) -> bool:
        """Keep the verdict of the request's first lint (version 1, before any auto-fix): brand compliance
        is counted on it. Written once; False when it was already there (a retried step)."""
        first = {"compliant": report.compliant, "findings": report.findings or len(report.violations)}
        try:
            self.table.update_item(
                Key=keys.request_key(org_id, request_id),
                UpdateExpression="SET #f = :f",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#f)",
                ExpressionAttributeNames={"#f": "firstLint"},
                ExpressionAttributeValues=to_item({":f": {**first, "at": _now()}}),
            )
        except ClientError as error:
            if conditional_failed(error):
                return False
            raise
        return True

    def record_fallback(self, org_id: str, request_id: str) -> None:
        """Count one hop to the next model in the request's fallback chain."""
        self.table.update_item(
            Key=keys.request_key(org_id, request_id),
            UpdateExpression="ADD #f :one SET #u = :now",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#f": "fallbacks", "#u": "updatedAt"},
            ExpressionAttributeValues={":one": 1, ":now": _now()},
        )

    def set_lint(self, org_id: str, request_id: str, report: LintReport) -> None:
        self._update(
            org_id,
            request_id,
            {"violations": [v.to_json() for v in report.violations], "lint": report.to_json()},
        )

    def set_saved(self, org_id: str, request_id: str, asset: AssetRef, status: RequestStatus) -> None:
        """The published asset is stored; the request goes on (translating) or is done (succeeded)."""
        self._update(org_id, request_id, {"status": status.value, "asset": asset.to_json()})

    def set_bundle(self, org_id: str, request_id: str, bundle: BundleView) -> None:
        """A bundle request's parts as they stand (GET /v1/requests/{id} shows them)."""
        self._update(org_id, request_id, {"bundle": bundle.to_json()})

    def set_review(self, org_id: str, request_id: str, review: ReviewRef, status: RequestStatus) -> None:
        self._update(org_id, request_id, {"status": status.value, "review": review.to_json()})

    def set_translation(self, org_id: str, request_id: str, outcome: LocaleOutcome) -> None:
        """One locale's outcome, written beside the others (each Map iteration writes only its own)."""
        try:
            self.table.update_item(
                Key=keys.request_key(org_id, request_id),
                UpdateExpression="SET #t.#l = :o, #u = :now",
                ConditionExpression="attribute_exists(PK) AND attribute_exists(#t)",
                ExpressionAttributeNames={"#t": "translations", "#l": outcome.locale, "#u": "updatedAt"},
                ExpressionAttributeValues=to_item({":o": outcome.to_json(), ":now": _now()}),
            )
        except ClientError as error:
            if conditional_failed(error):
                raise RequestNotFound(f"request {request_id} not found") from error
            raise

    def fail_if_open(self, org_id: str, request_id: str, error_type: str, message: str) -> bool:
        """Mark the request failed unless it already has a final status; False if it had one."""
        return self._end_if_open(org_id, request_id, RequestStatus.FAILED, {"type": error_type, "message": message})

    def cancel_if_open(self, org_id: str, request_id: str, user_id: str) -> bool:
        """Mark the request cancelled (by whom) unless it already has a final status; False if it had one."""
        reason = {"type": "RequestCancelled", "message": f"cancelled by {user_id}"}
        return self._end_if_open(org_id, request_id, RequestStatus.CANCELLED, reason)

    def _end_if_open(self, org_id: str, request_id: str, status: RequestStatus, error: dict[str, str]) -> bool:
        finals = {f":final{i}": final.value for i, final in enumerate(sorted(FINAL_STATUSES))}
        try:
            self.table.update_item(
                Key=keys.request_key(org_id, request_id),
                UpdateExpression="SET #status = :status, #error = :error, #updatedAt = :now",
                ConditionExpression=f"attribute_exists(PK) AND NOT #status IN ({', '.join(finals)})",
                ExpressionAttributeNames={"#status": "status", "#error": "error", "#updatedAt": "updatedAt"},
                ExpressionAttributeValues=to_item({":status": status.value, ":error": error, ":now": _now(), **finals}),
            )
        except ClientError as failure:
            if conditional_failed(failure):
                return False
            raise
        return True

    def mark_failed(self, org_id: str, request_id: str, error_type: str, message: str) -> None:
        self._update(
            org_id,
            request_id,
            {"status": RequestStatus.FAILED.value, "error": {"type": error_type, "message": message}},
        )


class BrandKitRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def put(self, org_id: str, kit: BrandKit) -> None:
        """Store a kit version and point the kit's latest record at it, unless a newer one is latest.

        A version is immutable: storing it again with the same content is a no-op, with other content
        it raises BrandKitVersionExists (bump the version instead).
        """
        body = {"orgId": org_id, "kit": kit.to_json(), "updatedAt": _now()}
        try:
            self.table.put_item(
                Item=to_item({**keys.brand_kit_key(org_id, kit.kit_id, kit.version), **body}),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if not conditional_failed(error):
                raise
            if self.get(org_id, kit.kit_id, kit.version) != kit:
                raise BrandKitVersionExists(
                    f"brand kit {kit.kit_id!r} version {kit.version} exists with other content; bump the version"
                ) from error
        try:
            self.table.put_item(
                Item=to_item({**keys.brand_kit_key(org_id, kit.kit_id), **body, "latestVersion": kit.version}),
                ConditionExpression="attribute_not_exists(PK) OR latestVersion <= :v",
                ExpressionAttributeValues={":v": kit.version},
            )
        except ClientError as error:
            if not conditional_failed(error):  # an older version stored after a newer one stays unlisted
                raise

    def get(self, org_id: str, kit_id: str, version: int | None = None) -> BrandKit:
        item = self.table.get_item(Key=keys.brand_kit_key(org_id, kit_id, version)).get("Item")
        if not item:
            which = f"version {version} of " if version else ""
            raise BrandKitNotFound(f"{which}brand kit {kit_id!r} not found in this organisation")
        return BrandKit.model_validate(from_item(item)["kit"])

    def versions(self, org_id: str, kit_id: str) -> list[tuple[BrandKit, str]]:
        """Every stored version of one kit, oldest first, each with when it was stored."""
        prefix = keys.checked_sk(keys.brand_kit_key(org_id, kit_id)["SK"] + "#V#")
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(prefix)
        }
        found: list[tuple[BrandKit, str]] = []
        while True:
            response = self.table.query(**query)
            for item in response.get("Items", []):
                plain = from_item(item)
                found.append((BrandKit.model_validate(plain["kit"]), str(plain.get("updatedAt", ""))))
            if "LastEvaluatedKey" not in response:
                return found
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


class ProvenanceRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def put(self, record: Provenance) -> None:
        """Write once: a version's provenance never changes; a retried save with the same record is fine.

        A version derived from another asset (a translation) also writes a link under its parent, in
        the same transaction, so the parent's lineage finds its children with one query.
        """
        when = f"{sort_time(record.generated_at)}#{record.asset_id}#{record.version}"
        item = {
            **keys.provenance_key(record.org_id, record.asset_id, record.version),
            "GSI1PK": keys.provenance_by_time(record.org_id),
            "GSI1SK": when,
            "GSI2PK": keys.provenance_by_model(record.org_id, record.model),
            "GSI2SK": when,
            "type": "provenance",
            **record.to_json(),
        }
        if record.campaign_id:
            item |= {"GSI3PK": keys.provenance_by_campaign(record.org_id, record.campaign_id), "GSI3SK": when}
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        if record.parent_asset_id and record.parent_asset_id != record.asset_id:
            link = {
                **keys.asset_child_key(record.org_id, record.parent_asset_id, record.asset_id),
                "type": "asset-child",
                "childAssetId": record.asset_id,
                "parentVersion": record.parent_version,
                "locale": record.locale,
            }
            writes.append(
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": to_item({k: v for k, v in link.items() if v is not None}),
                    }
                }
            )
        try:
            self.table.meta.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if not conditional_failed(error):
                raise
            existing = self.get(record.org_id, record.asset_id, record.version)
            if existing.output_hash != record.output_hash:
                raise ProvenanceConflict(
                    f"{record.asset_id} v{record.version} already has provenance for different content"
                ) from error

    def put_bundle(self, record: BundleRecord) -> None:
        """The bundle's record, rewritten whole when a review round saves the bundle again."""
        item = {**keys.bundle_key(record.org_id, record.bundle_id), "type": "bundle", **record.to_json()}
        self.table.put_item(Item=to_item(item))

    def get_bundle(self, org_id: str, bundle_id: str) -> BundleRecord:
        item = self.table.get_item(Key=keys.bundle_key(org_id, bundle_id)).get("Item")
        if not item:
            raise KeyError(f"no bundle {bundle_id}")
        data = from_item(item)
        return BundleRecord.model_validate({k: v for k, v in data.items() if k not in ("PK", "SK", "type")})

    def get(self, org_id: str, asset_id: str, version: int) -> Provenance:
        item = self.table.get_item(Key=keys.provenance_key(org_id, asset_id, version)).get("Item")
        if not item:
            raise KeyError(f"no provenance for {asset_id} v{version}")
        return _provenance(item)

    def list_by_time(self, org_id: str, since: datetime | None = None, limit: int = 100) -> list[Provenance]:
        return self.audit(org_id, since=since, limit=limit)[0]

    def audit(
        self,
        org_id: str,
        *,
        model: str | None = None,
        campaign_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        start_key: dict[str, Any] | None = None,
    ) -> tuple[list[Provenance], dict[str, Any] | None]:
        """An organisation's records, oldest first, by time, by model (GSI2) or by campaign (GSI3).

        Returns the records and the key to continue from (None at the end). The start key must come
        from this organisation's own earlier page: a key of another partition is refused.
        """
        if model:
            index, partition = "GSI2", keys.provenance_by_model(org_id, model)
        elif campaign_id:
            index, partition = "GSI3", keys.provenance_by_campaign(org_id, campaign_id)
        else:
            index, partition = "GSI1", keys.provenance_by_time(org_id)
        condition = Key(f"{index}PK").eq(partition)
        sort = Key(f"{index}SK")
        if since and until:
            condition &= sort.between(sort_time(since), sort_time(until) + "~")
        elif since:
            condition &= sort.gte(sort_time(since))
        elif until:
            condition &= sort.lte(sort_time(until) + "~")
        query: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition}
        if start_key:
            query["ExclusiveStartKey"] = _start_key(start_key, index, partition, org_id)
        items: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        while len(items) < limit:
            response = self.table.query(**query, Limit=limit - len(items))
            items += response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if not last:
                break
            query["ExclusiveStartKey"] = last
        return [_provenance(i) for i in items], (from_item(last) if last else None)

    def versions(self, org_id: str, asset_id: str) -> list[Provenance]:
        """Every recorded version of one asset, oldest first."""
        return [
            _provenance(i)
            for i in self._query_prefix(org_id, keys.asset_versions_prefix(asset_id))
            if i.get("type") == "provenance"
        ]

    def children(self, org_id: str, asset_id: str) -> list[str]:
        """Assets derived from this one (translations), by asset id."""
        return [str(i["childAssetId"]) for i in self._query_prefix(org_id, keys.asset_children_prefix(asset_id))]

    def _query_prefix(self, org_id: str, prefix: str) -> list[dict[str, Any]]:
        condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(prefix)
        query: dict[str, Any] = {"KeyConditionExpression": condition}
        items: list[dict[str, Any]] = []
        while True:
            response = self.table.query(**query)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return items
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _error(value: dict[str, Any] | None) -> ErrorInfo | None:
    """An error the state machine wrote: its message is the raw Lambda cause, read back as the message."""
    if not value:
        return None
    return ErrorInfo(type=value["type"], message=readable_cause(value.get("message", "")))


def _outcome(value: dict[str, Any]) -> LocaleOutcome:
    """A locale's outcome; one the state machine wrote on its Catch path carries the raw Lambda cause."""
    if value.get("error"):
        value = {**value, "error": readable_cause(str(value["error"]))}
    return LocaleOutcome.model_validate(value)


def sort_time(moment: datetime) -> str:
    """Fixed-width UTC timestamp: string order is time order whatever the offset or the microseconds."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no instant; pass an aware one")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _start_key(start_key: dict[str, Any], index: str, partition: str, org_id: str) -> dict[str, str]:
    """An ExclusiveStartKey from a caller: exactly the index's and the table's key attributes, each a
    string DynamoDB accepts, in this query's partition of this organisation; ValueError otherwise."""
    wanted = {"PK", "SK", f"{index}PK", f"{index}SK"}
    if set(start_key) != wanted or not all(isinstance(v, str) and v for v in start_key.values()):
        raise ValueError("nextToken is not a key of this query")
    if start_key[f"{index}PK"] != partition or start_key["PK"] != keys.org_pk(org_id):
        raise ValueError("nextToken does not belong to this query")
    try:
        keys.checked_sk(start_key["SK"])
        keys.checked_sk(start_key[f"{index}SK"])
    except KeyTooLarge as error:
        raise ValueError("nextToken is not a key of this query") from error
    return {k: str(v) for k, v in start_key.items()}


_KEY_ATTRS = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "type"}


def _provenance(item: dict[str, Any]) -> Provenance:
    return Provenance.model_validate({k: v for k, v in from_item(item).items() if k not in _KEY_ATTRS})
