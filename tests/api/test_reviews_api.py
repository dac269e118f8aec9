"""Review, lineage and audit routes: identity from the token only, organisations never see each other."""

from __future__ import annotations

from typing import Any

from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission
from tests.workflow.review_helpers import decide, finish, noncompliant, reviewer, submit, wait_for_review


def test_reviews_and_lineage_stay_inside_the_organisation(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]

    outsider = {**claims(OTHER_ORG, "gina"), "cognito:groups": "[reviewers]"}
    assert body_of(engine.api("GET", "/v1/reviews", None, outsider))["items"] == []
    assert engine.api("GET", f"/v1/reviews/{review_id}", None, outsider)["statusCode"] == 404
    assert (
        engine.api("POST", f"/v1/reviews/{review_id}/uploads", {"mimeType": "text/plain"}, outsider)["statusCode"]
        == 404
    )
    assert decide(engine, review_id, {"decision": "approve"})["statusCode"] == 200
    finish(engine, request_id)

    asset_id = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))["asset"]["assetId"]
    assert engine.api("GET", f"/v1/assets/{asset_id}/lineage", None, claims())["statusCode"] == 200
    assert engine.api("GET", f"/v1/assets/{asset_id}/lineage", None, claims(OTHER_ORG))["statusCode"] == 404
    assert engine.api("GET", "/v1/assets/no#such/lineage", None, claims())["statusCode"] == 404
    decided = body_of(engine.api("GET", "/v1/reviews?status=decided", None, reviewer()))["items"]
    assert [r["reviewId"] for r in decided] == [review_id]
    assert engine.api("GET", "/v1/reviews?status=whatever", None, reviewer())["statusCode"] == 400


def test_uploads_only_take_the_asset_medium(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    refused = engine.api("POST", f"/v1/reviews/{review_id}/uploads", {"mimeType": "image/png"}, reviewer())
    assert refused["statusCode"] == 400
    assert body_of(refused)["errors"][0]["field"] == "mimeType"
    not_reviewer = engine.api("POST", f"/v1/reviews/{review_id}/uploads", {"mimeType": "text/plain"}, claims())
    assert not_reviewer["statusCode"] == 403
    assert decide(engine, review_id, {"decision": "reject"})["statusCode"] == 200
    finish(engine, request_id)


def test_the_audit_trail_by_time_and_model_with_pages(engine: Any) -> None:
    for tier in ("basic", "premium", "premium"):
        finish(engine, submit(engine, submission(tier=tier)))
    everything = body_of(engine.api("GET", "/v1/provenance", None, claims()))["items"]
    assert len(everything) == 3
    assert all(r["orgId"] == ORG for r in everything)
    premium = body_of(engine.api("GET", "/v1/provenance?model=local/text-premium", None, claims()))["items"]
    assert {r["model"] for r in premium} == {"local/text-premium"}
    assert len(premium) == 2
    page = body_of(engine.api("GET", "/v1/provenance?limit=2", None, claims()))
    assert len(page["items"]) == 2
    assert page["nextToken"]
    rest = body_of(engine.api("GET", f"/v1/provenance?limit=2&nextToken={page['nextToken']}", None, claims()))
    assert len(rest["items"]) == 1
    assert "nextToken" not in rest
    stolen = engine.api("GET", f"/v1/provenance?nextToken={page['nextToken']}", None, claims(OTHER_ORG))
    assert stolen["statusCode"] == 400
    assert body_of(engine.api("GET", "/v1/provenance", None, claims(OTHER_ORG)))["items"] == []
    for bad in ("since=yesterday", "limit=0", "since=2026-01-01T00:00:00", "model=a&campaignId=b"):
        assert engine.api("GET", f"/v1/provenance?{bad}", None, claims())["statusCode"] == 400, bad
