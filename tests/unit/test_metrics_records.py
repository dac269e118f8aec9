"""The facts the numbers need, as the repositories store them, read back by query (one org), by scan, and by
``ffo report --stack`` from a deployed stack's table (moto's CloudFormation and DynamoDB)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ffo.cfn import load_template
from flashfusion.models import AssetRef, AssetRequest, AttemptRecord, LintReport, RequestStatus, Speculation, utcnow
from flashfusion.storage.dynamo import RequestRepository
from flashfusion.storage.metrics_records import facts_from_items, org_facts, table_items
from tests.helpers import ORG, OTHER_ORG, ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
REGION = "us-east-1"


def table_template() -> dict[str, Any]:
    """A stack holding AppTable exactly as template.yaml defines its keys and indexes."""
    props = TEMPLATE["Resources"]["AppTable"]["Properties"]
    wanted = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"AppTable": {"Type": "AWS::DynamoDB::Table", "Properties": {k: props[k] for k in wanted}}},
    }


@pytest.fixture
def stack_table() -> Iterator[Any]:
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name=REGION)
        cfn.create_stack(StackName="ffo-prod", TemplateBody=json.dumps(table_template()))
        name = cfn.describe_stack_resource(StackName="ffo-prod", LogicalResourceId="AppTable")["StackResourceDetail"][
            "PhysicalResourceId"
        ]
        yield boto3.resource("dynamodb", region_name=REGION).Table(name)


def store_request(
    repo: RequestRepository, org: str, n: int, *, billed: float, compliant: bool, speculative: bool = False
) -> str:
    request = AssetRequest(
        content_type="image",
        prompt="a poster",
        tier="premium",
        brand_kit_id="aurora-core",
        campaign_id="spring",
        request_id=f"req-{n}",
        org_id=org,
        user_id="u",
        speculative=Speculation(candidate_id=f"image.x.req-{n}", expires_at=utcnow(), expected=1.0)
        if speculative
        else None,
    )
    repo.create(request, "hash")
    failed = AttemptRecord(model="m/img", provider="p", outcome="failed", error="ProviderThrottled", latency_ms=9)
    assert len(repo.record_attempt(org, request.request_id, failed)) == 1
    done = AttemptRecord(model="m/img", provider="p", outcome="succeeded", latency_ms=1500, cost_usd=billed)
    assert [a.outcome for a in repo.record_attempt(org, request.request_id, done)] == ["failed", "succeeded"]
    assert repo.record_first_lint(org, request.request_id, LintReport(compliant=compliant))
    assert not repo.record_first_lint(org, request.request_id, LintReport(compliant=not compliant))  # first stays
    repo.record_fallback(org, request.request_id)
    asset = AssetRef(asset_id=f"a{n}", version=1, bucket="b", key="k", model="m/img", mime_type="image/png")
    repo.set_saved(org, request.request_id, asset, RequestStatus.SUCCEEDED)
    return request.request_id


def test_stored_records_become_facts(stack_table: Any) -> None:
    repo = RequestRepository(stack_table)
    store_request(repo, ORG, 1, billed=0.06, compliant=False)
    store_request(repo, OTHER_ORG, 2, billed=0.03, compliant=True)

    (mine,) = org_facts(stack_table, ORG, None, None).requests
    assert (mine.request_id, mine.medium, mine.tier, mine.campaign_id) == ("req-1", "image", "premium", "spring")
    assert [(c.succeeded, c.latency_ms, c.cost_usd) for c in mine.calls] == [(False, 9, 0.0), (True, 1500, 0.06)]
    assert (mine.first_lint_compliant, mine.fallbacks, mine.asset_model, mine.delivered) == (False, 1, "m/img", True)
    everyone = facts_from_items(table_items(stack_table)).requests
    assert sorted(r.org_id for r in everyone) == sorted([ORG, OTHER_ORG])


def test_the_products_own_pregenerated_requests_are_not_the_organisations_numbers(stack_table: Any) -> None:
    repo = RequestRepository(stack_table)
    store_request(repo, ORG, 1, billed=0.06, compliant=True)
    store_request(repo, ORG, 2, billed=0.03, compliant=False, speculative=True)

    assert [r.request_id for r in org_facts(stack_table, ORG, None, None).requests] == ["req-1"]
    assert [r.request_id for r in facts_from_items(table_items(stack_table)).requests] == ["req-1"]


def test_ffo_report_reads_a_deployed_stack(stack_table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from ffo.cli import main

    repo = RequestRepository(stack_table)
    store_request(repo, ORG, 1, billed=0.06, compliant=False)
    store_request(repo, OTHER_ORG, 2, billed=0.03, compliant=True)

    assert main(["report", "--stack", "ffo-prod", "--region", REGION, "--json"]) == 0
    total = json.loads(capsys.readouterr().out)["total"]
    assert (total["requests"], total["assets"], total["failedCalls"], total["fallbacks"]) == (2, 2, 2, 2)
    assert total["spendUsd"] == pytest.approx(0.09)
    assert total["costPerAssetUsd"] == pytest.approx(0.045)
    assert total["retryRate"] == {"value": 1.0, "numerator": 2, "denominator": 2}
    assert total["brandComplianceRate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert total["generationLatency"] == [{"model": "m/img", "calls": 2, "p50Ms": 1500, "p95Ms": 1500, "p99Ms": 1500}]

    assert main(["report", "--stack", "ffo-prod", "--region", REGION, "--org", ORG, "--group-by", "campaign"]) == 0
    text = capsys.readouterr().out
    assert "requests            1" in text
    assert "[campaign = spring]" in text
    assert "cost per asset      $0.0600" in text


def test_ffo_report_says_when_the_stack_has_no_table(capsys: pytest.CaptureFixture[str]) -> None:
    from ffo.cli import main

    with mock_aws():
        assert main(["report", "--stack", "missing", "--region", REGION]) == 2
    assert "has no AppTable" in capsys.readouterr().err
