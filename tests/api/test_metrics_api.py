"""GET /v1/metrics: typed numbers of the caller's organisation only; malformed windows and groupings are 400s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, body_of, claims, problem_of


def stored(org: str, request_id: str, *, cost: float) -> None:
    """A finished request as the workflow leaves it (a billed call, a first lint, a saved asset)."""
    from flashfusion.models import AssetRef, AssetRequest, AttemptRecord, LintReport, RequestStatus
    from flashfusion.wiring import get_deps

    repo = get_deps().requests
    request = AssetRequest(
        content_type="text", prompt="p", brand_kit_id="aurora-core", request_id=request_id, org_id=org, user_id="u"
    )
    repo.create(request, "hash")
    call = AttemptRecord(
        model="local/text-standard", provider="local", outcome="succeeded", latency_ms=80, cost_usd=cost
    )
    repo.record_attempt(org, request_id, call)
    repo.record_first_lint(org, request_id, LintReport(compliant=True))
    asset = AssetRef(
        asset_id=f"{request_id}-a", version=1, bucket="b", key="k", model=call.model, mime_type="text/plain"
    )
    repo.set_saved(org, request_id, asset, RequestStatus.SUCCEEDED)


def metrics(engine: Any, org: str, query: str = "") -> dict[str, Any]:
    response = engine.api("GET", f"/v1/metrics{query}", None, claims(org))
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def test_each_organisation_sees_only_its_own_requests(engine: Any) -> None:
    stored(OTHER_ORG, "theirs-1", cost=0.5)
    stored(OTHER_ORG, "theirs-2", cost=0.5)
    stored(ORG, "mine-1", cost=0.02)

    mine = metrics(engine, ORG, "?groupBy=model")
    assert mine["total"]["requests"] == 1
    assert mine["total"]["spendUsd"] == pytest.approx(0.02)
    assert [g["key"] for g in mine["groups"]] == ["local/text-standard"]
    assert metrics(engine, OTHER_ORG)["total"]["requests"] == 2
    assert metrics(engine, OTHER_ORG)["total"]["costPerAssetUsd"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?since=yesterday", "since"),
        ("?until=2026-01-01T00:00:00", "until"),  # no offset: not an instant
        ("?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
        ("?groupBy=colour", "groupBy"),
    ],
)
def test_a_malformed_query_is_a_400_naming_the_field(engine: Any, query: str, field: str) -> None:
    problem = problem_of(engine.api("GET", f"/v1/metrics{query}", None, claims(ORG)), 400)
    assert any(e["field"].endswith(field) for e in problem["errors"]), problem


def test_without_a_token_it_is_a_401(engine: Any) -> None:
    assert engine.api("GET", "/v1/metrics", None, None)["statusCode"] == 401
