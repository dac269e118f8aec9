"""Inputs at and past their limits get a 400 naming the field, never a 500 (issue items 4 and 5)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from ffo.engine import api_routes
from tests.api.test_campaigns_api import account, campaign_body, saved_asset
from tests.helpers import ORG, OTHER_ORG, ROOT, body_of, claims, submission

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")


def call(engine: Any, method: str, path: str, body: Any = None, raw_body: str | None = None) -> tuple[int, Any]:
    response = engine.api(method, path, body, claims(), raw_body=raw_body)
    return response["statusCode"], body_of(response) if response.get("body") else None


def refused(answer: tuple[int, Any], field: str) -> None:
    status, body = answer
    assert status == 400, answer
    assert body["code"] == "invalid_request", body
    assert any(f["field"].split(".")[0] == field for f in body["errors"]), body


def template() -> dict[str, Any]:
    from ffo.cfn import load_template

    loaded: dict[str, Any] = load_template(ROOT / "template.yaml")
    return loaded


def routes_with_a_body() -> list[tuple[str, str]]:
    return [(m, p) for m, p in api_routes(template()) if m in ("POST", "PATCH", "PUT")]


def concrete(path: str, ids: dict[str, str]) -> str:
    """The route's path with its parameters filled in: a known id where there is one."""
    return "/".join(ids.get(part.strip("{}"), "x1") if part.startswith("{") else part for part in path.split("/"))


def token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def unwrap(next_token: str) -> Any:
    """A nextToken's document (opaque to clients; tests forge them to probe the checks)."""
    return json.loads(base64.urlsafe_b64decode(next_token + "=" * (-len(next_token) % 4)))


def future(days: int = 1) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


# 4: JSON nested 100,000 deep ----------------------------------------------------------------------
def test_a_body_nested_too_deep_is_a_400_on_every_route_with_a_body(engine: Any) -> None:
    account(engine)
    status, campaign = call(engine, "POST", "/v1/campaigns", campaign_body())
    assert status == 201, campaign
    ids = {"campaignId": campaign["campaignId"], "accountId": "outbox-main"}
    routes = routes_with_a_body()
    assert len(routes) >= 8, routes
    deep = "[" * 100_000 + "]" * 100_000
    must_read = {
        ("POST", "/v1/assets"),
        ("POST", "/v1/campaigns"),
        ("PATCH", "/v1/campaigns/{campaignId}"),
        ("POST", "/v1/campaigns/{campaignId}/assets"),
        ("POST", "/v1/posts"),
        ("POST", "/v1/accounts"),
        ("PATCH", "/v1/accounts/{accountId}"),
    }
    assert must_read <= set(routes)
    for method, path in routes:
        status, body = call(engine, method, concrete(path, ids), raw_body=deep)
        assert status < 500, (method, path, status, body)
        if (method, path) in must_read:
            refused((status, body), "body")
    deep_object = '{"a":' * 100_000 + "1" + "}" * 100_000
    refused(call(engine, "POST", "/v1/campaigns", raw_body=deep_object), "body")


def test_a_body_nested_within_the_limit_is_still_read(engine: Any) -> None:
    nested: Any = "leaf"
    for _ in range(60):
        nested = [nested]
    status, body = call(engine, "POST", "/v1/assets", {**submission(), "prompt": "[[[[ {{{{ not nesting"})
    assert status == 202, body
    refused(call(engine, "POST", "/v1/assets", {**submission(), "faults": nested}), "faults")


# 4: nextToken ------------------------------------------------------------------------------------
def test_a_next_token_that_is_not_a_key_of_this_query_is_a_400_naming_it(engine: Any) -> None:
    for _ in range(3):
        call(engine, "POST", "/v1/assets", submission())
    page = body_of(engine.api("GET", "/v1/provenance?limit=1", None, claims()))
    real = unwrap(page["nextToken"])["key"] if "nextToken" in page else None
    bad: list[Any] = [
        [1, 2],
        "a string",
        42,
        None,
        {"PK": 1, "SK": 2, "GSI1PK": 3, "GSI1SK": 4},
        {"PK": {"S": "ORG#acme"}, "SK": "x", "GSI1PK": "ORG#acme#PROVENANCE", "GSI1SK": "x"},
        {"PK": f"ORG#{ORG}", "SK": "x" * 2000, "GSI1PK": f"ORG#{ORG}#PROVENANCE", "GSI1SK": "2030"},
        {"PK": f"ORG#{OTHER_ORG}", "SK": "x", "GSI1PK": f"ORG#{OTHER_ORG}#PROVENANCE", "GSI1SK": "2030"},
        {"PK": f"ORG#{ORG}", "SK": "x", "GSI1PK": f"ORG#{ORG}#PROVENANCE", "GSI1SK": "2030", "extra": "y"},
        {"PK": f"ORG#{ORG}", "SK": "x", "GSI1PK": f"ORG#{ORG}#PROVENANCE"},
    ]
    if real:
        bad.append({**real, "Extra": "1"})
    for value in bad:
        refused(call(engine, "GET", f"/v1/provenance?nextToken={quote(token(value))}"), "nextToken")
        # the same key in a token naming this organisation and list: the repository's checks refuse it
        wrapped = {"v": 1, "org": ORG, "list": "provenance", "key": value}
        refused(call(engine, "GET", f"/v1/provenance?nextToken={quote(token(wrapped))}"), "nextToken")
    for raw in ("%%%", "bm90IGpzb24", quote(base64.urlsafe_b64encode(b"[" * 50_000).decode()), "é"):
        refused(call(engine, "GET", f"/v1/provenance?nextToken={raw}"), "nextToken")


# 4: dates at the ends of the calendar --------------------------------------------------------------
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1999-06-01T00:00:00Z"])
def test_since_and_until_out_of_range_are_a_400(engine: Any, moment: str) -> None:
    refused(call(engine, "GET", f"/v1/provenance?since={quote(moment)}"), "since")
    refused(call(engine, "GET", f"/v1/provenance?until={quote(moment)}"), "until")


def test_a_post_scheduled_at_the_end_of_the_calendar_is_a_400(engine: Any) -> None:
    account(engine)
    asset = saved_asset(engine)
    body = {"assetId": asset["assetId"], "platform": "outbox", "accountId": "outbox-main"}
    refused(call(engine, "POST", "/v1/posts", {**body, "scheduledAt": "9999-12-31T23:00:00-05:00"}), "scheduledAt")
    status, created = call(engine, "POST", "/v1/posts", {**body, "scheduledAt": future().isoformat()})
    assert status == 201, created
    moved = {"scheduledAt": "9999-12-31T23:00:00-05:00"}
    refused(call(engine, "PATCH", f"/v1/posts/{created['postId']}", moved), "scheduledAt")


def test_a_campaign_ending_at_the_end_of_the_calendar_is_refused_at_create_and_update(engine: Any) -> None:
    account(engine)
    refused(call(engine, "POST", "/v1/campaigns", campaign_body(endsAt="9999-12-31T23:00:00-05:00")), "endsAt")
    status, created = call(engine, "POST", "/v1/campaigns", campaign_body())
    assert status == 201, created
    path = f"/v1/campaigns/{created['campaignId']}"
    refused(call(engine, "PATCH", path, {"endsAt": "9999-12-31T23:00:00-05:00"}), "endsAt")
    assert call(engine, "GET", f"{path}/plan")[0] == 200


# 5: validation gaps --------------------------------------------------------------------------------
@pytest.mark.parametrize("size", ["99999x99999", "4097x1024", "1024x63", "10x10"])
def test_an_image_size_beyond_what_models_make_is_a_400(engine: Any, size: str) -> None:
    body = submission(contentType="image", prompt="a mountain lake at dawn", options={"size": size})
    refused(call(engine, "POST", "/v1/assets", body), "options")


@pytest.mark.parametrize("cap", [-5, -1, 101, 10**9])
def test_max_posts_per_day_out_of_range_is_a_400(engine: Any, cap: int) -> None:
    account(engine)
    body = campaign_body(cadence={"maxPostsPerDay": {"outbox": cap}})
    refused(call(engine, "POST", "/v1/campaigns", body), "cadence")


def test_max_posts_per_day_zero_still_keeps_a_platform_out(engine: Any) -> None:
    account(engine)
    body = campaign_body(cadence={"maxPostsPerDay": {"outbox": 0, "x": 100}})
    assert call(engine, "POST", "/v1/campaigns", body)[0] == 201


def test_a_campaign_window_longer_than_a_year_is_a_400(engine: Any) -> None:
    account(engine)
    start = future()
    long = campaign_body(startsAt=start.isoformat(), endsAt=(start + timedelta(days=367)).isoformat())
    refused(call(engine, "POST", "/v1/campaigns", long), "body")
    century = campaign_body(startsAt="2001-01-01T00:00:00Z", endsAt="2100-12-31T00:00:00Z")
    refused(call(engine, "POST", "/v1/campaigns", century), "body")
    year = campaign_body(startsAt=start.isoformat(), endsAt=(start + timedelta(days=366)).isoformat())
    assert call(engine, "POST", "/v1/campaigns", year)[0] == 201


@pytest.mark.parametrize(
    "starts",
    # the values are made when the test runs: collected ids must not depend on the clock (xdist workers
    # collect separately and refuse to run when their collections differ)
    [lambda: int(future().timestamp()), lambda: str(int(future().timestamp())), lambda: 1.5e9, lambda: True],
    ids=["unix-int", "unix-string", "unix-float", "boolean"],
)
def test_a_start_that_is_not_an_iso_8601_string_is_a_400(engine: Any, starts: Any) -> None:
    starts = starts()
    account(engine)
    refused(call(engine, "POST", "/v1/campaigns", campaign_body(startsAt=starts)), "startsAt")


def test_ids_in_paths_and_queries_are_capped(engine: Any) -> None:
    long = "a" * 3000
    for path in (
        f"/v1/requests/{long}",
        f"/v1/reviews/{long}",
        f"/v1/assets/{long}/lineage",
        f"/v1/campaigns/{long}",
        f"/v1/posts/{long}",
        f"/v1/accounts/{long}",
        "/v1/requests/abc%0A",
        "/v1/reviews/abc%0A",
    ):
        status, body = call(engine, "GET", path)
        assert status == 404, (path, status, body)
        assert body["code"] == "not_found"
    refused(call(engine, "GET", f"/v1/provenance?model={long}"), "model")
    refused(call(engine, "GET", f"/v1/provenance?campaignId={long}"), "campaignId")
    refused(call(engine, "GET", "/v1/provenance?campaignId=abc%0A"), "campaignId")
