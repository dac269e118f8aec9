"""Predictive caching's records in DynamoDB (moto): freshness on read, the fresh-candidate key range, the
history range, the organisations listed for the prefetch, and the speculative sub-ledger beside the budget.
Also which requests the cache may serve."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ffo.cfn import load_template
from flashfusion.app.result_cache import cacheable
from flashfusion.models import AssetRequest, ContentType, Fault, Revision
from flashfusion.storage.budgets import BudgetRepository
from flashfusion.storage.result_cache import (
    CacheEntry,
    Candidate,
    HistoryEntry,
    PredictionSettings,
    ResultCacheRepository,
    StoredResult,
    candidate_id_for,
)
from tests.helpers import ORG, OTHER_ORG, ROOT, submission

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def table() -> Iterator[Any]:
    props = load_template(ROOT / "template.yaml")["Resources"]["AppTable"]["Properties"]
    with mock_aws():
        yield boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName="cache",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            BillingMode="PAY_PER_REQUEST",
        )


@pytest.fixture
def repo(table: Any) -> ResultCacheRepository:
    return ResultCacheRepository(table)


def result(asset_id: str = "a1") -> StoredResult:
    return StoredResult(
        asset_id=asset_id,
        version=1,
        request_id="r1",
        content_type=ContentType.TEXT,
        model="local/text-standard",
        provider="local",
        vendor_model="offline",
        offline=True,
        dataset_tag="none",
        staging_key=f"staging/{ORG}/r1/{asset_id}.v1.txt",
        mime_type="text/plain",
        extension="txt",
        output_hash="0" * 64,
        size_bytes=10,
        latency_ms=1200,
        cost_usd=0.002,
        generated_at=NOW - timedelta(days=1),
    )


def candidate(stale_at: datetime, request_id: str, content_type: str = "text") -> Candidate:
    return Candidate(
        candidate_id=candidate_id_for(content_type, stale_at, request_id),
        request_id=request_id,
        status="generating",
        brief="Weekly trail tip",
        content_type=ContentType(content_type),
        tier="standard",
        kit_id="aurora-core",
        kit_version=1,
        created_at=NOW - timedelta(hours=1),
        stale_at=stale_at,
    )


def test_a_cache_entry_serves_only_while_fresh_and_only_its_organisation(repo: ResultCacheRepository) -> None:
    repo.put_entry(ORG, CacheEntry(key_hash="ab" * 32, result=result(), fresh_until=NOW + timedelta(days=6)))
    assert repo.get_entry(ORG, "ab" * 32, NOW) is not None
    assert repo.get_entry(ORG, "ab" * 32, NOW + timedelta(days=6)) is None  # TTL deletion lags: the read checks
    assert repo.get_entry(OTHER_ORG, "ab" * 32, NOW) is None


def test_fresh_candidates_are_one_key_range_of_one_medium(repo: ResultCacheRepository) -> None:
    stale = candidate(NOW - timedelta(minutes=1), "old")
    fresh = candidate(NOW + timedelta(hours=20), "new")
    image = candidate(NOW + timedelta(hours=20), "pic", "image")
    for each in (stale, fresh, image):
        repo.put_candidate(ORG, each)
    assert [c.candidate_id for c in repo.fresh_candidates(ORG, "text", NOW)] == [fresh.candidate_id]
    assert repo.fresh_candidates(OTHER_ORG, "text", NOW) == []

    assert repo.candidate_ready(ORG, fresh.candidate_id, result(), kit_version=2)
    ready = repo.get_candidate(ORG, fresh.candidate_id)
    assert ready is not None
    assert ready.status == "ready"
    assert ready.kit_version == 2
    assert ready.result == result()
    assert not repo.candidate_ready(OTHER_ORG, fresh.candidate_id, result(), kit_version=2)
    repo.mark_served(ORG, fresh.candidate_id, NOW)
    repo.mark_served(ORG, fresh.candidate_id, NOW + timedelta(hours=1))
    served = repo.get_candidate(ORG, fresh.candidate_id)
    assert served is not None
    assert (served.served_count, served.first_served_at) == (2, NOW)


def test_only_a_generating_candidate_fails_and_only_in_its_organisation(repo: ResultCacheRepository) -> None:
    generating = candidate(NOW + timedelta(hours=5), "r-gen")
    ready = candidate(NOW + timedelta(hours=5), "r-ready")
    for made in (generating, ready):
        repo.put_candidate(ORG, made)
    assert repo.candidate_ready(ORG, ready.candidate_id, result(), kit_version=2)

    assert not repo.candidate_failed(OTHER_ORG, generating.candidate_id)
    assert not repo.candidate_failed(ORG, "text.20261207T070000Z.unknown")
    assert not repo.candidate_failed(ORG, ready.candidate_id)  # a ready result stays servable
    assert repo.candidate_failed(ORG, generating.candidate_id)
    assert not repo.candidate_failed(ORG, generating.candidate_id)  # once
    statuses = {c.request_id: c.status for c in repo.fresh_candidates(ORG, "text", NOW)}
    assert statuses == {"r-gen": "failed", "r-ready": "ready"}


def test_history_reads_from_an_instant_on(repo: ResultCacheRepository) -> None:
    for days in (1, 10, 40):
        repo.record_history(
            ORG,
            HistoryEntry(
                at=NOW - timedelta(days=days),
                request_id=f"r{days}",
                content_type=ContentType.TEXT,
                brief="b",
                tier="basic",
                kit_id="k",
            ),
        )
    assert [e.request_id for e in repo.history(ORG, NOW - timedelta(days=14))] == ["r10", "r1"]
    assert repo.history(OTHER_ORG, NOW - timedelta(days=60)) == []


def test_only_organisations_with_prediction_on_are_listed_for_the_prefetch(repo: ResultCacheRepository) -> None:
    repo.put_settings(ORG, PredictionSettings(enabled=True, monthly_cap_usd=5))
    repo.put_settings(OTHER_ORG, PredictionSettings(enabled=False))
    assert repo.enabled_orgs() == [ORG]
    repo.put_settings(ORG, PredictionSettings(enabled=False))
    assert repo.enabled_orgs() == []


def test_the_speculative_ledger_is_apart_from_the_budget(table: Any) -> None:
    main = BudgetRepository(table, 10.0)
    speculative = BudgetRepository(table, 0.0, ledger="speculative")
    assert not speculative.reserve(ORG, "spec.0", 0.01)  # no cap set: nothing fits
    speculative.set_monthly_limit(ORG, 1.0)
    assert speculative.reserve(ORG, "spec.0", 0.4)
    assert speculative.settle(ORG, "spec.0", 0.3)
    assert not speculative.reserve(ORG, "spec.1", 0.8)  # 0.7 left of the cap
    assert (speculative.status(ORG).spent_usd, speculative.status(ORG).available_usd) == (0.3, 0.7)
    assert (main.status(ORG).spent_usd, main.status(ORG).limit_usd) == (0.0, 10.0)
    assert main.limit(ORG) == 10.0
    assert speculative.limit(ORG) == 1.0


def request(**changes: Any) -> AssetRequest:
    return AssetRequest.model_validate({**submission(**changes), "requestId": "r1", "orgId": ORG, "userId": "u"})


def test_only_first_round_requests_without_faults_that_do_not_bypass_are_served_or_cached() -> None:
    assert cacheable(request(), Revision())
    assert not cacheable(request(cache="bypass"), Revision())
    assert not cacheable(request(faults=[Fault(kind="throttle").to_json()]), Revision())
    assert not cacheable(request(), Revision(round=1, version=2, feedback=["shorter"]))


def saved_state(**changes: Any) -> tuple[Any, Any]:
    from flashfusion.models import Cost, Generation, LintReport, ReviewOutcome, ValidatedRequest, WorkflowState

    generation = Generation(
        asset_id="a1",
        content_type=ContentType.TEXT,
        model="local/text-standard",
        provider="local",
        vendor_model="offline",
        offline=True,
        dataset_tag="none",
        staging_key=f"staging/{ORG}/r1/a1.v1.txt",
        mime_type="text/plain",
        extension="txt",
        output_hash="0" * 64,
        size_bytes=10,
        latency_ms=900,
        cost=Cost(usd=0.001),
    )
    state = WorkflowState(
        request=request(),
        validated=ValidatedRequest(brand_kit_id="aurora-core", brand_kit_version=1, prompt_hash="p"),
        generation=generation,
        lint=LintReport(compliant=changes.pop("compliant", True)),
        review=ReviewOutcome(review_id="rv", decision="approve") if changes.pop("reviewed", False) else None,
    )
    return state, generation.model_copy(update=changes)


def test_only_a_result_that_passed_lint_on_its_own_is_kept() -> None:
    from flashfusion.app.result_cache import worth_keeping
    from flashfusion.models import ServedFrom

    assert worth_keeping(*saved_state())
    assert not worth_keeping(*saved_state(compliant=False))
    assert not worth_keeping(*saved_state(reviewed=True))  # approved by a person: it would wait for one again
    assert not worth_keeping(*saved_state(human_edited=True))
    assert not worth_keeping(*saved_state(locale="fr-FR"))
    copy = ServedFrom(asset_id="a0", version=1, kind="cache", generated_at=NOW)
    assert not worth_keeping(*saved_state(served_from=copy))


def test_a_field_the_key_does_not_know_yet_is_part_of_it_when_set() -> None:
    """A later submission field (another operation, a bundle) must not let a plain result serve it."""
    from flashfusion.app.result_cache import KEYED_FIELDS, UNKEYED_FIELDS, extra_of

    assert extra_of(request()) == {}
    assert extra_of(request(locales=["fr-FR"], cache="bypass", clientRequestId="c-1")) == {}
    assert set(AssetRequest.model_fields) >= KEYED_FIELDS | UNKEYED_FIELDS  # a rename would leave one unkeyed

    class Later(AssetRequest):
        operation: str = "generate"

    plain = Later.model_validate(request().model_dump())
    assert extra_of(plain) == {}  # at its default: plain requests keep their keys
    assert extra_of(plain.model_copy(update={"operation": "brand_style"})) == {"operation": "brand_style"}


def test_a_stored_result_keeps_what_made_the_output_and_serves_as_a_new_free_generation() -> None:
    from flashfusion.models import Cost, Generation, ServedFrom

    made = Generation(
        asset_id="a1",
        version=2,
        content_type=ContentType.IMAGE,
        model="local/image-premium",
        provider="local",
        vendor_model="offline-image",
        offline=True,
        dataset_tag="none",
        staging_key=f"staging/{ORG}/r1/a1.v2.png",
        mime_type="image/png",
        extension="png",
        output_hash="f" * 64,
        size_bytes=2048,
        latency_ms=900,
        cost=Cost(usd=0.04),
        parameters={"seed": 7},
        generated_at=datetime(2026, 1, 5, tzinfo=UTC),  # before any run of this test
        auto_fixes=["logo-clear-space"],
    )
    stored = StoredResult.of(made, "r1")
    assert (stored.request_id, stored.cost_usd, stored.generated_at) == ("r1", 0.04, made.generated_at)
    again = StoredResult.model_validate(stored.to_json())  # as read back from the table
    served_from = ServedFrom(asset_id="a1", version=2, kind="cache", generated_at=made.generated_at, request_id="r1")
    copy = again.served_as(
        asset_id="a9", version=1, staging_key=f"staging/{ORG}/r9/a9.v1.png", latency_ms=12, served_from=served_from
    )
    assert (copy.asset_id, copy.version, copy.staging_key, copy.latency_ms) == (
        "a9",
        1,
        f"staging/{ORG}/r9/a9.v1.png",
        12,
    )
    assert copy.cost.usd == 0.0
    assert copy.served_from == served_from
    assert copy.generated_at > made.generated_at  # the copy is made now; servedFrom says when the original was
    kept = ("model", "provider", "vendor_model", "offline", "mime_type", "extension", "output_hash", "size_bytes")
    assert all(getattr(copy, name) == getattr(made, name) for name in kept)
    assert (copy.parameters, copy.auto_fixes, copy.content_type) == (
        {"seed": 7},
        ["logo-clear-space"],
        ContentType.IMAGE,
    )
