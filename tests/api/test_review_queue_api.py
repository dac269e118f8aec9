"""The review queue: GET /v1/reviews filtered by campaign, medium, age and worst severity, oldest first,
each item with when its wait ends and its worst severity; paged; organisations never see each other's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.api.test_campaigns_api import account, campaign_body
from tests.helpers import OTHER_ORG, body_of, claims
from tests.workflow.review_helpers import decide, finish, noncompliant, reviewer, submit, wait_for_review

SEVERITIES = ("error", "warning", "suggestion")
RANK = {"error": 3, "warning": 2, "suggestion": 1}


def listed(engine: Any, query: str = "", who: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    response = engine.api("GET", f"/v1/reviews{'?' + query if query else ''}", None, who or reviewer())
    assert response["statusCode"] == 200, response
    items: list[dict[str, Any]] = body_of(response)["items"]
    return items


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["reviewId"] for item in items]


def test_the_queue_filters_sorts_and_pages(engine: Any) -> None:
    account(engine)
    campaign_id = body_of(engine.api("POST", "/v1/campaigns", campaign_body(), claims()))["campaignId"]
    plain = submit(engine, noncompliant())
    first = wait_for_review(engine, plain)["review"]["reviewId"]
    in_campaign = submit(engine, noncompliant(campaignId=campaign_id))
    second = wait_for_review(engine, in_campaign)["review"]["reviewId"]

    everything = listed(engine)
    assert ids(everything) == [first, second]  # oldest first
    assert everything[0]["createdAt"] <= everything[1]["createdAt"]
    for item in everything:
        assert item["expiresAt"] == item["deadline"]  # when the workflow stops waiting
        assert datetime.fromisoformat(item["expiresAt"]) > datetime.fromisoformat(item["createdAt"])
        worst = max((v["severity"] for v in item["violations"]), key=RANK.__getitem__)
        assert item["worstSeverity"] == worst

    assert ids(listed(engine, f"campaignId={campaign_id}")) == [second]
    assert ids(listed(engine, "medium=text")) == [first, second]
    assert listed(engine, "medium=image") == []
    for severity in SEVERITIES:
        expected = [r["reviewId"] for r in everything if r["worstSeverity"] == severity]
        assert ids(listed(engine, f"worstSeverity={severity}")) == expected, severity
    assert listed(engine, "worstSeverity=info") == listed(engine, "worstSeverity=suggestion")

    opened_second = everything[1]["createdAt"].replace("+00:00", "Z")
    assert ids(listed(engine, f"olderThan={opened_second}")) == [first]
    assert ids(listed(engine, f"since={opened_second}")) == [second]
    assert ids(listed(engine, "since=PT1H")) == [first, second]  # opened within the last hour
    assert listed(engine, "olderThan=PT1H") == []  # nothing has waited an hour yet
    assert ids(listed(engine, f"since=PT1H&campaignId={campaign_id}&medium=text")) == [second]

    page = body_of(engine.api("GET", "/v1/reviews?medium=text&limit=1", None, reviewer()))
    assert ids(page["items"]) == [first]
    following = f"/v1/reviews?medium=text&limit=1&nextToken={page['nextToken']}"
    rest = body_of(engine.api("GET", following, None, reviewer()))
    assert ids(rest["items"]) == [second]
    other_filter = engine.api("GET", f"/v1/reviews?limit=1&nextToken={page['nextToken']}", None, reviewer())
    assert other_filter["statusCode"] == 400  # a token continues the list (and filters) that issued it

    for bad, field in (
        ("medium=audio", "medium"),
        ("worstSeverity=fatal", "worstSeverity"),
        ("since=yesterday", "since"),
        ("olderThan=P-1D", "olderThan"),
        (f"since={opened_second}&olderThan={opened_second}", "since"),
        ("campaignId=a%23b", "campaignId"),
    ):
        refused = engine.api("GET", f"/v1/reviews?{bad}", None, reviewer())
        assert refused["statusCode"] == 400, bad
        assert field in {e["field"] for e in body_of(refused)["errors"]}, (bad, body_of(refused))

    outsider = {**claims(OTHER_ORG, "gina"), "cognito:groups": "[reviewers]"}
    assert listed(engine, f"campaignId={campaign_id}", outsider) == []
    assert listed(engine, "since=PT1H", outsider) == []

    for request_id, review_id in ((plain, first), (in_campaign, second)):
        assert decide(engine, review_id, {"decision": "reject"})["statusCode"] == 200
        finish(engine, request_id)
    assert listed(engine) == []
    assert ids(listed(engine, f"status=decided&campaignId={campaign_id}")) == [second]
