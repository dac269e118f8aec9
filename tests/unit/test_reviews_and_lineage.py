"""Review items, lineage links and audit queries against moto's DynamoDB (the template's schema)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ffo.cfn import load_template
from flashfusion.errors import ReviewConflict, ReviewNotFound
from flashfusion.models import Cost, Provenance
from flashfusion.storage.dynamo import ProvenanceRepository
from flashfusion.storage.reviews import Preview, Review, ReviewRepository
from tests.helpers import ORG, OTHER_ORG, ROOT


@pytest.fixture
def table() -> Iterator[Any]:
    props = load_template(ROOT / "template.yaml")["Resources"]["AppTable"]["Properties"]
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name="us-east-1")
        yield ddb.create_table(
            TableName="t",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            BillingMode="PAY_PER_REQUEST",
        )


def review(org: str = ORG, review_id: str = "req-1-v1", **overrides: Any) -> Review:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    fields: dict[str, Any] = {
        "review_id": review_id,
        "org_id": org,
        "request_id": "req-1",
        "asset_id": "asset-1",
        "version": 1,
        "round": 0,
        "max_regenerations": 2,
        "status": "pending",
        "content_type": "text",
        "preview": Preview(bucket="b", key=f"staging/{org}/req-1/a.txt", mime_type="text/plain"),
        "created_at": now,
        "deadline": now + timedelta(days=3),
    }
    return Review(**{**fields, **overrides})


def test_a_review_moves_from_pending_exactly_once(table: Any) -> None:
    reviews = ReviewRepository(table)
    reviews.open(review(), "token-1")
    reviews.open(review(), "token-2")  # a retried RequestReview: the newest token wins while pending
    assert reviews.token(ORG, "req-1-v1") == "token-2"
    assert [r.review_id for r in reviews.list(ORG, "pending")] == ["req-1-v1"]

    claimed = reviews.claim(ORG, "req-1-v1", {"decision": "approve", "reviewer": "rita"})
    assert claimed.status == "deciding"
    assert claimed.decision == "approve"
    with pytest.raises(ReviewConflict) as conflict:
        reviews.claim(ORG, "req-1-v1", {"decision": "reject", "reviewer": "sam"})
    assert conflict.value.status == "deciding"
    assert reviews.confirm(ORG, "req-1-v1").status == "decided"
    assert reviews.expire(ORG, "req-1-v1") is False  # decided first: the timeout does not overwrite it
    assert reviews.list(ORG, "pending") == []
    assert [r.decision for r in reviews.list(ORG, "decided")] == ["approve"]
    reviews.open(review(), "token-3")  # a late retry does not reopen a decided review
    assert reviews.get(ORG, "req-1-v1").status == "decided"


def test_a_released_claim_leaves_the_review_open(table: Any) -> None:
    reviews = ReviewRepository(table)
    reviews.open(review(), "t")
    reviews.claim(ORG, "req-1-v1", {"decision": "regenerate", "reviewer": "rita", "feedback": "warmer"})
    reviews.release(ORG, "req-1-v1")
    again = reviews.get(ORG, "req-1-v1")
    assert (again.status, again.decision, again.feedback) == ("pending", None, None)
    assert reviews.expire(ORG, "req-1-v1") is True
    assert reviews.get(ORG, "req-1-v1").status == "expired"


def test_reviews_are_scoped_to_their_organisation(table: Any) -> None:
    reviews = ReviewRepository(table)
    reviews.open(review(), "t")
    with pytest.raises(ReviewNotFound):
        reviews.get(OTHER_ORG, "req-1-v1")
    with pytest.raises(ReviewNotFound):
        reviews.claim(OTHER_ORG, "req-1-v1", {"decision": "approve"})
    assert reviews.list(OTHER_ORG, "pending") == []


def test_approval_steps_are_conditional_on_the_steps_done_before(table: Any) -> None:
    """Two approvers who read the review at the same step: the second write fails, whatever the timing."""
    from flashfusion.models import ApprovalStep
    from flashfusion.storage.reviews import ApprovalRecord

    reviews = ReviewRepository(table)
    steps = [ApprovalStep(group="brand"), ApprovalStep(group="legal")]
    reviews.open(review(approval_steps=steps), "t")
    seen = reviews.get(ORG, "req-1-v1")  # both approvers read this
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    bea = ApprovalRecord(step=0, group="brand", by="bea", at=at)
    ben = ApprovalRecord(step=0, group="brand", by="ben", at=at)
    advanced = reviews.advance(ORG, "req-1-v1", [*seen.approvals, bea])
    assert ([a.by for a in advanced.approvals], advanced.status) == (["bea"], "pending")
    with pytest.raises(ReviewConflict) as lost:
        reviews.advance(ORG, "req-1-v1", [*seen.approvals, ben])
    assert lost.value.status == "raced"
    with pytest.raises(ReviewConflict) as stale:  # a last-step claim made from the stale read fails too
        reviews.claim(ORG, "req-1-v1", {"decision": "reject", "reviewer": "ben"}, approvals_done=0)
    assert stale.value.status == "raced"
    lee = ApprovalRecord(step=1, group="legal", by="lee", at=at)
    fields = {"decision": "approve", "reviewer": "lee", "approvals": [a.to_json() for a in [bea, lee]]}
    claimed = reviews.claim(ORG, "req-1-v1", fields, approvals_done=1)
    reviews.release(ORG, "req-1-v1", advanced.approvals)  # Step Functions could not be told: back to step 2
    assert [a.by for a in reviews.get(ORG, "req-1-v1").approvals] == ["bea"]
    assert claimed.status == "deciding"
    with pytest.raises(ReviewNotFound):  # another organisation's review: not found, and nothing is written
        reviews.advance(OTHER_ORG, "req-1-v1", [bea])
    with pytest.raises(ReviewNotFound):
        reviews.get(OTHER_ORG, "req-1-v1")


def record(asset: str, version: int, *, at: datetime, model: str = "local/text-basic", **extra: Any) -> Provenance:
    fields: dict[str, Any] = {
        "asset_id": asset,
        "version": version,
        "org_id": ORG,
        "request_id": "req-1",
        "content_type": "text",
        "model": model,
        "provider": "local",
        "vendor_model": "x",
        "offline": True,
        "prompt_hash": "p",
        "dataset_tag": "d",
        "generated_at": at,
        "brand_kit_id": "k",
        "brand_kit_version": 1,
        "lint_passed": True,
        "cost": Cost(),
        "latency_ms": 1,
        "output_hash": f"{asset}-{version}",
        "bucket": "b",
        "key": f"orgs/{ORG}/assets/{asset}/{version}.txt",
    }
    return Provenance(**{**fields, **extra})


def test_versions_children_and_audit_indexes(table: Any) -> None:
    repo = ProvenanceRepository(table)
    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    repo.put(record("a", 1, at=t0, status="superseded", campaign_id="spring"))
    repo.put(record("a", 2, at=t0 + timedelta(minutes=5), parent_asset_id="a", parent_version=1, campaign_id="spring"))
    repo.put(
        record(
            "a-fr",
            1,
            at=t0 + timedelta(minutes=6),
            model="local/text-premium",
            parent_asset_id="a",
            parent_version=2,
            locale="fr-FR",
        )
    )
    repo.put(record("a", 2, at=t0 + timedelta(minutes=5), parent_asset_id="a", parent_version=1))  # retried: fine

    assert [r.version for r in repo.versions(ORG, "a")] == [1, 2]
    assert repo.children(ORG, "a") == ["a-fr"]
    assert repo.children(ORG, "a-fr") == []
    by_model, _ = repo.audit(ORG, model="local/text-premium")
    assert [(r.asset_id, r.locale) for r in by_model] == [("a-fr", "fr-FR")]
    by_campaign, _ = repo.audit(ORG, campaign_id="spring")
    assert [r.version for r in by_campaign] == [1, 2]
    window, _ = repo.audit(ORG, since=t0 + timedelta(minutes=1), until=t0 + timedelta(minutes=5))
    assert [(r.asset_id, r.version) for r in window] == [("a", 2)]
    assert repo.audit(OTHER_ORG)[0] == []

    first, token = repo.audit(ORG, limit=2)
    assert len(first) == 2
    assert token is not None
    rest, end = repo.audit(ORG, limit=2, start_key=token)
    assert [(r.asset_id, r.version) for r in first + rest] == [("a", 1), ("a", 2), ("a-fr", 1)]
    assert end is None
    with pytest.raises(ValueError, match="does not belong"):
        repo.audit(OTHER_ORG, start_key=token)
