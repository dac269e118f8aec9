"""DynamoDB repositories and the S3 asset store under moto, on the table and bucket of template.yaml."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ffo.cfn import load_template
from flashfusion.errors import BrandKitNotFound, BrandKitVersionExists, ProvenanceConflict, RequestNotFound
from flashfusion.models import (
    AssetRef,
    AssetRequest,
    AttemptRecord,
    BrandKit,
    ContentCredentials,
    Cost,
    LegalRules,
    LintReport,
    Provenance,
    RequestStatus,
    ServedFrom,
    SourceImage,
    TextSpan,
    Violation,
    VoiceRules,
    prompt_hash,
)
from flashfusion.provenance.records import object_metadata
from flashfusion.storage import keys
from flashfusion.storage.assets import AssetStore
from flashfusion.storage.dynamo import BrandKitRepository, ProvenanceRepository, RequestRepository
from tests.helpers import ORG, OTHER_ORG, ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
TABLE = "ffo-unit-table"
BUCKET = "ffo-unit-assets"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


# fixtures ----------------------------------------------------------------------------------------
@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def table(aws: None) -> Any:
    """AppTable exactly as template.yaml defines it (keys, GSIs, billing mode)."""
    props = TEMPLATE["Resources"]["AppTable"]["Properties"]
    args: dict[str, Any] = {
        "TableName": TABLE,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props["BillingMode"],
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    boto3.client("dynamodb", region_name="us-east-1").create_table(**args)
    return boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE)


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    props = TEMPLATE["Resources"]["AssetsBucket"]["Properties"]
    if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


@pytest.fixture
def requests(table: Any) -> RequestRepository:
    return RequestRepository(table)


@pytest.fixture
def kits(table: Any) -> BrandKitRepository:
    return BrandKitRepository(table)


@pytest.fixture
def provenance(table: Any) -> ProvenanceRepository:
    return ProvenanceRepository(table)


@pytest.fixture
def store(s3: Any) -> AssetStore:
    return AssetStore(s3, BUCKET)


# builders ----------------------------------------------------------------------------------------
def make_request(org: str = ORG, client_request_id: str | None = None, **overrides: Any) -> AssetRequest:
    fields: dict[str, Any] = {
        "content_type": "text",
        "prompt": "Write a LinkedIn post announcing our spring hiking collection",
        "tier": "premium",
        "brand_kit_id": "aurora-core",
        "client_request_id": client_request_id,
        "request_id": str(uuid.uuid4()),
        "org_id": org,
        "user_id": "user-1",
    }
    fields.update(overrides)
    return AssetRequest(**fields)


def attempt(model: str, outcome: str = "succeeded", error: str | None = None, minute: int = 0) -> AttemptRecord:
    return AttemptRecord(
        model=model,
        provider=model.split("/")[0],
        outcome=outcome,
        error=error,  # type: ignore[arg-type]
        latency_ms=120 + minute,
        at=T0 + timedelta(minutes=minute),
    )


def full_provenance(
    org: str = ORG,
    asset_id: str = "asset-1",
    version: int = 2,
    generated_at: datetime = T0,
    output: bytes = b"spring hiking",
) -> Provenance:
    """A provenance record with every field set to a non-default value."""
    return Provenance(
        asset_id=asset_id,
        version=version,
        org_id=org,
        request_id=f"req-{asset_id}",
        content_type="text",  # type: ignore[arg-type]
        model="local/text-premium",
        provider="local",
        vendor_model="offline-text-premium",
        offline=True,
        parameters={"temperature": 0.7, "maxTokens": 300, "stop": ["\n\n"], "style": {"tone": "warm"}},
        prompt_hash=prompt_hash("Write a LinkedIn post"),
        dataset_tag="offline-v1",
        generated_at=generated_at,
        brand_kit_id="aurora-core",
        brand_kit_version=3,
        lint_passed=False,
        lint_results={"banned-terms": True, "required-terms": False},
        human_edited=True,
        auto_fixes=["voice.preferred-term"],
        reviewer="reviewer-7",
        decision="approve_with_edits",
        review_id="req-asset-1-v1",
        review_comment="tighter opening",
        review_round=1,
        feedback=["warmer", "no guarantees"],
        parent_asset_id="asset-0",
        parent_version=4,
        locale="fr-FR",
        translation={"sourceAssetId": "asset-0", "sourceVersion": 4, "standIn": True},
        source=SourceImage(
            upload_id="0" * 32, key="staging/acme/source-uploads/" + "0" * 32, mime_type="image/jpeg", sha256="a" * 64
        ),
        campaign_id="spring-27",
        status="superseded",
        mime_type="text/plain; charset=utf-8",
        credentials=ContentCredentials(
            kind="sidecar",
            stored_hash="ab" * 32,
            manifest_label="urn:c2pa:1",
            sidecar_key=keys.sidecar_object_key(org, asset_id, version),
            signer="FlashFusion test signer",
        ),
        attempts=[
            attempt("openai/gpt-5", "failed", "ProviderThrottled"),
            attempt("local/text-premium", minute=1),
        ],
        fallback_chain=["openai/gpt-5", "local/text-premium"],
        cost=Cost(usd=0.0123, units={"inputTokens": 42.0, "outputTokens": 310.5}),
        latency_ms=987,
        output_hash=hashlib.sha256(output).hexdigest(),
        bucket=BUCKET,
        key=keys.asset_object_key(org, asset_id, version, "txt"),
        recorded_at=generated_at + timedelta(seconds=3),
        served_from=ServedFrom(
            asset_id="0b7d1f6e-0000-4000-8000-000000000001",
            version=1,
            kind="cache",
            generated_at=generated_at - timedelta(days=2),
            request_id="earlier-request",
        ),
    )


def kit(version: int = 1, name: str = "Aurora Outdoor") -> BrandKit:
    return BrandKit(
        kit_id="aurora-core",
        version=version,
        name=name,
        voice=VoiceRules(brand_name="Aurora Outdoor", required_terms=["Aurora Outdoor"]),
        legal=LegalRules(banned_terms=["guaranteed", f"banned-in-v{version}"]),
    )


def all_items(table: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = table.scan(ConsistentRead=True)["Items"]
    return items


# RequestRepository ---------------------------------------------------------------------------------
def test_create_then_get_round_trips_the_request(requests: RequestRepository) -> None:
    request = make_request(client_request_id="campaign-42")

    request_id, created = requests.create(request, "hash-1")
    record = requests.get(ORG, request_id)

    assert (request_id, created) == (request.request_id, True)
    assert record.request_id == request.request_id
    assert record.org_id == ORG
    assert record.user_id == "user-1"
    assert record.status is RequestStatus.ACCEPTED
    assert record.content_type == request.content_type
    assert record.tier == request.tier
    assert record.created_at == record.updated_at
    assert (record.asset, record.violations, record.attempts, record.error) == (None, [], [], None)
    stored = requests.get_item(ORG, request_id)
    assert stored is not None
    assert AssetRequest.model_validate(stored["request"]) == request
    assert stored["submissionHash"] == "hash-1"


def test_same_client_request_id_twice_returns_the_first_request(requests: RequestRepository, table: Any) -> None:
    first = make_request(client_request_id="campaign-42")
    second = make_request(client_request_id="campaign-42")

    assert requests.create(first, "hash-1") == (first.request_id, True)
    assert requests.create(second, "hash-1") == (first.request_id, False)

    assert requests.get_item(ORG, second.request_id) is None
    request_items = [i for i in all_items(table) if i["SK"].startswith("REQUEST#")]
    assert [i["requestId"] for i in request_items] == [first.request_id]


def test_same_client_request_id_with_a_different_body_is_refused(requests: RequestRepository) -> None:
    first = make_request(client_request_id="campaign-42")
    requests.create(first, "hash-1")
    other = make_request(client_request_id="campaign-42", prompt="Something else entirely")

    with pytest.raises(ValueError, match="campaign-42"):
        requests.create(other, "hash-2")

    assert requests.get_item(ORG, other.request_id) is None
    assert requests.get(ORG, first.request_id).status is RequestStatus.ACCEPTED


def test_an_expired_idempotency_marker_allows_a_new_request(requests: RequestRepository, table: Any) -> None:
    first = make_request(client_request_id="campaign-42")
    requests.create(first, "hash-1")
    marker_key = keys.idempotency_key(ORG, "campaign-42")
    marker = table.get_item(Key=marker_key)["Item"]
    assert marker["expiresAt"] > int(datetime.now(UTC).timestamp())  # a live marker, 24 h ahead
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    table.update_item(Key=marker_key, UpdateExpression="SET expiresAt = :p", ExpressionAttributeValues={":p": past})

    second = make_request(client_request_id="campaign-42")
    assert requests.create(second, "hash-1") == (second.request_id, True)

    # The marker now belongs to the new request, and is live again.
    third = make_request(client_request_id="campaign-42")
    assert requests.create(third, "hash-1") == (second.request_id, False)
    assert requests.get(ORG, second.request_id).status is RequestStatus.ACCEPTED


def test_set_status_updates_status_and_updated_at(requests: RequestRepository) -> None:
    request = make_request()
    requests.create(request, "h")
    before = requests.get(ORG, request.request_id)

    requests.set_status(ORG, request.request_id, RequestStatus.GENERATING)

    after = requests.get(ORG, request.request_id)
    assert after.status is RequestStatus.GENERATING
    assert after.updated_at >= before.updated_at
    assert after.created_at == before.created_at


def test_record_attempt_appends_in_order(requests: RequestRepository) -> None:
    request = make_request()
    requests.create(request, "h")
    attempts = [
        attempt("openai/gpt-5", "failed", "ProviderThrottled"),
        attempt("openai/gpt-5", "failed", "ProviderUnavailable", minute=1),
        attempt("local/text-premium", minute=2),
    ]

    for item in attempts:
        requests.record_attempt(ORG, request.request_id, item)

    assert requests.get(ORG, request.request_id).attempts == attempts


def test_set_lint_replaces_the_violations(requests: RequestRepository) -> None:
    request = make_request()
    requests.create(request, "h")
    first = [
        Violation(
            rule_id="banned-terms",
            severity="error",
            message="'guaranteed' is banned",
            location=TextSpan(start=4, end=14, text="guaranteed"),
            suggestion="assured",
        )
    ]
    second = [Violation(rule_id="required-terms", severity="warning", message="brand name missing")]

    requests.set_lint(ORG, request.request_id, LintReport(compliant=False, violations=first, rules_checked=["a"]))
    stored = requests.get(ORG, request.request_id)
    assert stored.violations == first
    assert stored.lint is not None
    assert (stored.lint.compliant, stored.lint.rules_checked) == (False, ["a"])
    requests.set_lint(ORG, request.request_id, LintReport(compliant=True, violations=second))
    assert requests.get(ORG, request.request_id).violations == second


def test_set_saved_stores_the_asset(requests: RequestRepository) -> None:
    request = make_request()
    requests.create(request, "h")
    asset = AssetRef(
        asset_id="asset-1",
        version=1,
        bucket=BUCKET,
        key=keys.asset_object_key(ORG, "asset-1", 1, "txt"),
        model="local/text-premium",
        mime_type="text/plain; charset=utf-8",
    )

    requests.set_saved(ORG, request.request_id, asset, RequestStatus.SUCCEEDED)

    record = requests.get(ORG, request.request_id)
    assert record.status is RequestStatus.SUCCEEDED
    assert record.asset == asset


def test_mark_failed_keeps_the_readable_message_of_a_step_functions_cause(
    requests: RequestRepository,
) -> None:
    request = make_request()
    requests.create(request, "h")

    requests.mark_failed(ORG, request.request_id, "X", '{"errorType":"X","errorMessage":"readable"}')

    record = requests.get(ORG, request.request_id)
    assert record.status is RequestStatus.FAILED
    assert record.error is not None
    assert (record.error.type, record.error.message) == ("X", "readable")


def test_mark_failed_with_a_plain_message_keeps_it(requests: RequestRepository) -> None:
    request = make_request()
    requests.create(request, "h")

    requests.mark_failed(ORG, request.request_id, "FallbackChainExhausted", "every model failed")

    error = requests.get(ORG, request.request_id).error
    assert error is not None
    assert (error.type, error.message) == ("FallbackChainExhausted", "every model failed")


UPDATES = {
    "set_status": lambda repo, org, rid: repo.set_status(org, rid, RequestStatus.LINTING),
    "set_execution": lambda repo, org, rid: repo.set_execution(org, rid, "arn:aws:states:us-east-1:1:execution:m:x"),
    "record_attempt": lambda repo, org, rid: repo.record_attempt(org, rid, attempt("local/text-basic")),
    "set_lint": lambda repo, org, rid: repo.set_lint(
        org,
        rid,
        LintReport(compliant=False, violations=[Violation(rule_id="banned-terms", severity="error", message="m")]),
    ),
    "set_saved": lambda repo, org, rid: repo.set_saved(
        org,
        rid,
        AssetRef(asset_id="a", version=1, bucket=BUCKET, key="k", model="m", mime_type="text/plain"),
        RequestStatus.SUCCEEDED,
    ),
    "mark_failed": lambda repo, org, rid: repo.mark_failed(org, rid, "X", "boom"),
}


@pytest.mark.parametrize("update", UPDATES.values(), ids=UPDATES.keys())
def test_updates_on_a_missing_request_raise_and_create_nothing(
    requests: RequestRepository, table: Any, update: Any
) -> None:
    with pytest.raises(RequestNotFound):
        update(requests, ORG, "no-such-request")

    assert all_items(table) == []


@pytest.mark.parametrize("update", UPDATES.values(), ids=UPDATES.keys())
def test_updates_through_another_org_do_not_touch_the_request(
    requests: RequestRepository, table: Any, update: Any
) -> None:
    request = make_request(org=ORG)
    requests.create(request, "h")
    before = all_items(table)

    with pytest.raises(RequestNotFound):
        update(requests, OTHER_ORG, request.request_id)

    assert all_items(table) == before


def test_a_request_is_not_found_from_another_org(requests: RequestRepository) -> None:
    request = make_request(org=ORG)
    requests.create(request, "h")

    with pytest.raises(RequestNotFound):
        requests.get(OTHER_ORG, request.request_id)
    assert requests.get_item(OTHER_ORG, request.request_id) is None
    assert requests.get(ORG, request.request_id).org_id == ORG


def test_client_request_ids_are_scoped_by_org(requests: RequestRepository) -> None:
    mine = make_request(org=ORG, client_request_id="campaign-42")
    theirs = make_request(org=OTHER_ORG, client_request_id="campaign-42")

    assert requests.create(mine, "hash-1") == (mine.request_id, True)
    assert requests.create(theirs, "hash-2") == (theirs.request_id, True)


def test_delete_removes_the_request_and_its_idempotency_marker(requests: RequestRepository, table: Any) -> None:
    request = make_request(client_request_id="campaign-42")
    requests.create(request, "hash-1")
    assert len(all_items(table)) == 2

    requests.delete(ORG, request.request_id, "campaign-42")

    assert all_items(table) == []
    with pytest.raises(RequestNotFound):
        requests.get(ORG, request.request_id)
    again = make_request(client_request_id="campaign-42")
    assert requests.create(again, "hash-2") == (again.request_id, True)


# BrandKitRepository --------------------------------------------------------------------------------
def test_put_then_get_latest(kits: BrandKitRepository) -> None:
    kits.put(ORG, kit(1))

    assert kits.get(ORG, "aurora-core") == kit(1)
    assert kits.get(ORG, "aurora-core", version=1) == kit(1)


def test_a_new_version_becomes_latest_and_the_old_one_stays(kits: BrandKitRepository) -> None:
    kits.put(ORG, kit(1, name="Aurora v1"))
    kits.put(ORG, kit(2, name="Aurora v2"))

    assert kits.get(ORG, "aurora-core") == kit(2, name="Aurora v2")
    assert kits.get(ORG, "aurora-core", version=2) == kit(2, name="Aurora v2")
    assert kits.get(ORG, "aurora-core", version=1) == kit(1, name="Aurora v1")


def test_a_kit_version_is_immutable(kits: BrandKitRepository) -> None:
    kits.put(ORG, kit(1))
    kits.put(ORG, kit(1))  # the same content again is a no-op

    with pytest.raises(BrandKitVersionExists, match="bump the version"):
        kits.put(ORG, kit(1, name="Renamed"))
    assert kits.get(ORG, "aurora-core", version=1).name == "Aurora Outdoor"


def test_an_older_version_stored_late_does_not_become_latest(kits: BrandKitRepository) -> None:
    kits.put(ORG, kit(2, name="Second"))
    kits.put(ORG, kit(1, name="First"))

    assert kits.get(ORG, "aurora-core").version == 2
    assert kits.get(ORG, "aurora-core", version=1).name == "First"


def test_unknown_kit_or_version_is_not_found(kits: BrandKitRepository) -> None:
    kits.put(ORG, kit(1))

    with pytest.raises(BrandKitNotFound, match="no-such-kit"):
        kits.get(ORG, "no-such-kit")
    with pytest.raises(BrandKitNotFound, match="version 7"):
        kits.get(ORG, "aurora-core", version=7)


def test_brand_kits_are_scoped_by_org(kits: BrandKitRepository) -> None:
    kits.put(ORG, kit(1, name="Acme's kit"))

    with pytest.raises(BrandKitNotFound):
        kits.get(OTHER_ORG, "aurora-core")
    with pytest.raises(BrandKitNotFound):
        kits.get(OTHER_ORG, "aurora-core", version=1)

    kits.put(OTHER_ORG, kit(1, name="Globex's kit"))
    assert kits.get(ORG, "aurora-core").name == "Acme's kit"
    assert kits.get(OTHER_ORG, "aurora-core").name == "Globex's kit"


# ProvenanceRepository ------------------------------------------------------------------------------
def test_provenance_round_trip_preserves_every_field(provenance: ProvenanceRepository, table: Any) -> None:
    record = full_provenance()
    unset = [name for name in Provenance.model_fields if name not in record.model_fields_set]
    assert unset == []  # the record really sets every field

    provenance.put(record)
    got = provenance.get(ORG, record.asset_id, record.version)

    assert got == record
    assert got.to_json() == record.to_json()
    stored = all_items(table)
    records = [i for i in stored if i.get("type") == "provenance"]
    assert len(records) == 1
    assert records[0]["PK"] == keys.org_pk(ORG)
    assert "prompt" not in records[0]  # the audit index holds the prompt's hash only
    # derived from another asset: a link under the parent, so the parent's lineage finds it
    (link,) = [i for i in stored if i.get("type") == "asset-child"]
    assert link["SK"] == keys.asset_child_key(ORG, "asset-0", record.asset_id)["SK"]


def test_provenance_put_again_with_the_same_output_is_fine(provenance: ProvenanceRepository) -> None:
    record = full_provenance()
    provenance.put(record)
    retried = record.model_copy(update={"recorded_at": record.recorded_at + timedelta(minutes=5)})

    provenance.put(retried)

    assert provenance.get(ORG, record.asset_id, record.version) == record  # the first write stays


def test_provenance_is_write_once(provenance: ProvenanceRepository) -> None:
    record = full_provenance()
    provenance.put(record)
    different = full_provenance(output=b"something else")
    assert different.output_hash != record.output_hash

    with pytest.raises(ProvenanceConflict):
        provenance.put(different)

    assert provenance.get(ORG, record.asset_id, record.version).output_hash == record.output_hash


def test_missing_provenance_raises_key_error(provenance: ProvenanceRepository) -> None:
    provenance.put(full_provenance(org=ORG))

    with pytest.raises(KeyError):
        provenance.get(OTHER_ORG, "asset-1", 2)
    with pytest.raises(KeyError):
        provenance.get(ORG, "asset-1", 3)


@pytest.fixture
def timeline(provenance: ProvenanceRepository) -> list[Provenance]:
    """Acme's records, written out of order, plus one of Globex's in the middle of them."""
    records = [
        full_provenance(asset_id="asset-c", generated_at=T0 + timedelta(hours=2)),
        full_provenance(asset_id="asset-a", generated_at=T0),
        full_provenance(asset_id="asset-b", generated_at=T0 + timedelta(hours=1, microseconds=500)),
        full_provenance(org=OTHER_ORG, asset_id="asset-g", generated_at=T0 + timedelta(minutes=30)),
    ]
    for record in records:
        provenance.put(record)
    return records


def test_list_by_time_returns_the_orgs_records_sorted_by_time(
    provenance: ProvenanceRepository, timeline: list[Provenance]
) -> None:
    listed = provenance.list_by_time(ORG)

    assert [r.asset_id for r in listed] == ["asset-a", "asset-b", "asset-c"]
    assert all(r.org_id == ORG for r in listed)
    assert listed == sorted((r for r in timeline if r.org_id == ORG), key=lambda r: r.generated_at)
    assert [r.asset_id for r in provenance.list_by_time(OTHER_ORG)] == ["asset-g"]


def test_list_by_time_since_filters_inclusively(provenance: ProvenanceRepository, timeline: list[Provenance]) -> None:
    assert [r.asset_id for r in provenance.list_by_time(ORG, since=T0 + timedelta(minutes=1))] == [
        "asset-b",
        "asset-c",
    ]
    assert [r.asset_id for r in provenance.list_by_time(ORG, since=T0 + timedelta(hours=2))] == ["asset-c"]
    assert provenance.list_by_time(ORG, since=T0 + timedelta(hours=3)) == []
    # `since` given in another time zone means the same instant.
    cet = timezone(timedelta(hours=1))
    assert [r.asset_id for r in provenance.list_by_time(ORG, since=(T0 + timedelta(minutes=1)).astimezone(cet))] == [
        "asset-b",
        "asset-c",
    ]


def test_list_by_time_orders_by_instant_whatever_the_offset_of_generated_at(
    provenance: ProvenanceRepository,
) -> None:
    """generatedAt is an aware datetime; one written with a +02:00 offset is still the same instant."""
    plus_two = timezone(timedelta(hours=2))
    early = full_provenance(asset_id="asset-early", generated_at=(T0 + timedelta(minutes=30)).astimezone(plus_two))
    late = full_provenance(asset_id="asset-late", generated_at=T0 + timedelta(hours=1))
    provenance.put(early)
    provenance.put(late)

    assert [r.asset_id for r in provenance.list_by_time(ORG)] == ["asset-early", "asset-late"]
    assert [r.asset_id for r in provenance.list_by_time(ORG, since=T0 + timedelta(minutes=45))] == ["asset-late"]


# AssetStore ----------------------------------------------------------------------------------------
def test_stage_then_read_staged(store: AssetStore, s3: Any) -> None:
    key = store.stage(ORG, "req-1", "output.txt", b"hello spring", "text/plain; charset=utf-8")

    assert key == "staging/acme/req-1/output.txt"
    assert store.read_staged(ORG, key) == b"hello spring"
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "text/plain; charset=utf-8"
    assert head["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize("owner", [OTHER_ORG, "acme2"])
def test_read_staged_refuses_another_orgs_key(store: AssetStore, owner: str) -> None:
    key = store.stage(owner, "req-1", "output.txt", b"theirs", "text/plain")

    with pytest.raises(PermissionError, match=owner):
        store.read_staged(ORG, key)


def test_put_stores_a_version_with_metadata_and_content_type(store: AssetStore, s3: Any) -> None:
    metadata = object_metadata(full_provenance())
    key = keys.asset_object_key(ORG, "asset-1", 3, "txt")

    store.put(ORG, key, b"hello spring", "text/plain; charset=utf-8", metadata)

    body, stored_metadata = store.read(key)
    assert body == b"hello spring"
    assert stored_metadata == metadata
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "text/plain; charset=utf-8"
    assert head["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize("key", ["orgs/globex/assets/asset-1/1.txt", "orgs/acme2/assets/a/1.txt", "staging/acme/x"])
def test_put_refuses_a_key_outside_the_orgs_assets(store: AssetStore, s3: Any, key: str) -> None:
    with pytest.raises(PermissionError, match="acme"):
        store.put(ORG, key, b"x", "text/plain", {})
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_errors_the_state_machine_writes_read_back_as_messages(requests: RequestRepository) -> None:
    request = make_request()
    requests.create(request, "h")
    cause = json.dumps({"errorType": "ClientError", "errorMessage": "Scheduler is throttling"})
    requests.table.update_item(  # as RecordFollowUpError and RecordLocaleFailed write them
        Key=keys.request_key(ORG, request.request_id),
        UpdateExpression="SET followUpError = :f, translations.#l = :o",
        ExpressionAttributeNames={"#l": "fr-FR"},
        ExpressionAttributeValues={
            ":f": {"type": "States.TaskFailed", "message": cause},
            ":o": {"locale": "fr-FR", "status": "failed", "error": cause},
        },
    )
    record = requests.get(ORG, request.request_id)
    assert record.follow_up_error is not None
    assert record.follow_up_error.message == "Scheduler is throttling"
    assert record.translations["fr-FR"].error == "Scheduler is throttling"
    assert record.to_json()["followUpError"]["type"] == "States.TaskFailed"


# DynamoDB key sizes: refused before the call, as DynamoDB refuses them (moto does not) ----------------
def test_keys_longer_than_dynamodb_allows_are_refused_on_reads_writes_and_queries(table: Any) -> None:
    from flashfusion.errors import KeyTooLarge
    from flashfusion.scheduling.models import PlatformAccount
    from flashfusion.storage.campaigns import AccountNotFound, AccountRepository, CampaignRepository, PostRepository
    from flashfusion.storage.reviews import ReviewRepository

    long_sort = "a" * (keys.MAX_SORT_KEY_BYTES + 1)
    long_partition = "a" * (keys.MAX_PARTITION_KEY_BYTES + 1)
    accounts, campaigns = AccountRepository(table), CampaignRepository(table)
    calls: list[Callable[[], object]] = [
        lambda: RequestRepository(table).get(ORG, long_sort),
        lambda: BrandKitRepository(table).get(ORG, long_sort),
        lambda: ProvenanceRepository(table).get(ORG, long_sort, 1),
        lambda: ProvenanceRepository(table).versions(ORG, long_sort),
        lambda: ProvenanceRepository(table).audit(ORG, model=long_partition),
        lambda: ReviewRepository(table).get(ORG, long_sort),
        lambda: campaigns.get(ORG, long_sort),
        lambda: campaigns.assets(ORG, long_sort),
        lambda: PostRepository(table).get(ORG, long_sort),
        lambda: PostRepository(table).list_for_campaign(ORG, long_partition),
        lambda: accounts.get(ORG, long_sort),
        lambda: accounts.put(ORG, PlatformAccount.model_construct(account_id=long_sort, platform="outbox", handle="h")),
        lambda: accounts.page_for_org(long_partition, 10),
    ]
    for call in calls:
        with pytest.raises(KeyTooLarge):
            call()
    at_the_limit = "a" * (keys.MAX_SORT_KEY_BYTES - len("ACCOUNT#"))
    with pytest.raises(AccountNotFound):  # exactly 1,024 bytes: DynamoDB takes it, so do we
        accounts.get(ORG, at_the_limit)
    assert table.scan()["Count"] == 0


def test_key_builders_check_sizes_in_utf8_bytes() -> None:
    from flashfusion.errors import KeyTooLarge

    assert keys.checked_sk("é" * 512) == "é" * 512
    with pytest.raises(KeyTooLarge):
        keys.checked_sk("é" * 513)
    assert keys.checked_pk("€" * 682)
    with pytest.raises(KeyTooLarge):
        keys.checked_pk("€" * 683)
    with pytest.raises(KeyTooLarge):
        keys.provenance_by_model(ORG, "m" * 2100)
