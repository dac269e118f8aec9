"""GET /v1/assets and GET /v1/assets/{id}: the organisation's stored versions, filtered and paged, and one
asset's versions with download URLs, lint and content-credentials summaries; GET /v1/requests/{id} links
to the asset."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.api.library_helpers import START, error_code, error_fields, store_version
from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission


def call(engine: Any, method: str, path: str, org: str = ORG, body: Any = None) -> tuple[int, Any]:
    response = engine.api(method, path, body, claims(org))
    return response["statusCode"], body_of(response) if response.get("body") else None


def listing(engine: Any, org: str = ORG, **params: Any) -> tuple[int, Any]:
    return call(engine, "GET", "/v1/assets" + ("?" + urlencode(params) if params else ""), org)


def every_page(engine: Any, **params: Any) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    token: str | None = None
    for _ in range(50):
        status, page = listing(engine, **params, **({"nextToken": token} if token else {}))
        assert status == 200, page
        assert len(page["items"]) <= params.get("limit", 50)
        seen += [(i["assetId"], i["version"]) for i in page["items"]]
        token = page.get("nextToken")
        if not token:
            return seen
    raise AssertionError("the pages never ended")


def field_of(answer: tuple[int, Any]) -> str:
    status, body = answer
    assert status == 400, answer
    assert error_code(body) == "invalid_request", body
    return error_fields(body)[0]


@pytest.fixture
def library(engine: Any) -> dict[str, dict[str, Any]]:
    """Seven versions of five assets, a minute apart: texts, images, a superseded version, a campaign's."""
    made = {
        "t1": store_version("t1", minutes=0),
        "i1": store_version("i1", minutes=1, content_type="image", data=b"\x89PNG fake"),
        "t2v1": store_version("t2", 1, minutes=2, status="superseded"),
        "t2v2": store_version("t2", 2, minutes=3, human_edited=True, reviewer="rita", decision="approve_with_edits"),
        "c1": store_version("c1", minutes=4, campaign_id="spring"),
        "i2": store_version("i2", minutes=5, content_type="image", data=b"\x89PNG other"),
        "t3": store_version("t3", minutes=6, lint_passed=False, lint_results={"voice.sentiment": False, "x": True}),
    }
    store_version("theirs", org=OTHER_ORG, minutes=3)
    return made


def test_the_list_is_newest_first_and_pages_through_every_version_once(engine: Any, library: dict[str, Any]) -> None:
    everything = every_page(engine, limit=2)

    expected = [("t3", 1), ("i2", 1), ("c1", 1), ("t2", 2), ("t2", 1), ("i1", 1), ("t1", 1)]
    assert everything == expected
    status, page = listing(engine, limit=3)
    assert status == 200
    first = page["items"][0]
    assert first["assetUrl"] == "/v1/assets/t3"
    assert first["contentType"] == "text"
    assert first["mimeType"] == "text/plain"
    assert first["lintPassed"] is False
    assert page["nextToken"]


def test_the_list_filters_by_medium_status_campaign_and_time(engine: Any, library: dict[str, Any]) -> None:
    assert every_page(engine, medium="image", limit=1) == [("i2", 1), ("i1", 1)]
    assert every_page(engine, status="superseded") == [("t2", 1)]
    assert every_page(engine, campaignId="spring") == [("c1", 1)]
    window = {"since": START.replace(minute=2).isoformat(), "until": START.replace(minute=4).isoformat()}
    assert every_page(engine, **window) == [("c1", 1), ("t2", 2), ("t2", 1)]
    assert every_page(engine, medium="text", status="published", limit=1) == [
        ("t3", 1),
        ("c1", 1),
        ("t2", 2),
        ("t1", 1),
    ]
    assert every_page(engine, medium="music") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"medium": "podcast"}, "medium"),
        ({"status": "deleted"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2030-01-01T00:00:00"}, "until"),
        ({"since": "2030-02-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"}, "until"),
        ({"campaignId": "a#b"}, "campaignId"),
        ({"nextToken": "not-a-token"}, "nextToken"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(engine: Any, params: dict[str, str], field: str) -> None:
    assert field_of(listing(engine, **params)) == field


def test_another_organisations_versions_and_tokens_are_not_visible(engine: Any, library: dict[str, Any]) -> None:
    assert every_page(engine) == [
        ("t3", 1), ("i2", 1), ("c1", 1), ("t2", 2), ("t2", 1), ("i1", 1), ("t1", 1),
    ]  # fmt: skip
    status, theirs = listing(engine, org=OTHER_ORG)
    assert status == 200
    assert [i["assetId"] for i in theirs["items"]] == ["theirs"]

    _, mine = listing(engine, limit=1)
    assert field_of(listing(engine, org=OTHER_ORG, nextToken=mine["nextToken"])) == "nextToken"
    # a token of the campaign list is not a token of the whole library either
    _, by_campaign = listing(engine, campaignId="spring", limit=1)
    assert "nextToken" not in by_campaign or by_campaign["nextToken"] is None

    for org, asset in ((OTHER_ORG, "t1"), (ORG, "theirs")):
        status, answer = call(engine, "GET", f"/v1/assets/{asset}", org)
        assert status == 404, answer
        assert error_code(answer) == "not_found"


def test_an_asset_lists_every_version_with_a_short_lived_download_of_its_own_key(
    engine: Any, library: dict[str, Any]
) -> None:
    status, asset = call(engine, "GET", "/v1/assets/t2")

    assert status == 200, asset
    assert asset["assetId"] == "t2"
    assert asset["currentVersion"] == 2
    assert asset["lineageUrl"] == "/v1/assets/t2/lineage"
    assert [(v["version"], v["status"]) for v in asset["versions"]] == [(1, "superseded"), (2, "published")]
    latest = asset["versions"][1]
    assert latest["sizeBytes"] == len(b"Aurora Outdoor: spring is here.")
    assert latest["mimeType"] == "text/plain"
    assert latest["humanEdited"] is True
    assert latest["reviewer"] == "rita"
    url = urlparse(latest["download"]["url"])
    assert url.path.endswith(f"/orgs/{ORG}/assets/t2/2.txt")
    signed = parse_qs(url.query)
    now = time.time()
    if "X-Amz-Expires" in signed:  # SigV4
        assert signed["X-Amz-Expires"] == ["900"]
    else:  # SigV2: the instant it expires
        assert now + 880 <= int(signed["Expires"][0]) <= now + 920
    expires_at = datetime.fromisoformat(latest["download"]["expiresAt"]).timestamp()
    assert now + 880 <= expires_at <= now + 920
    assert latest["lint"] == {
        "passed": True,
        "rulesChecked": 2,
        "failedRules": [],
        "autoFixes": [],
    }


def test_the_lint_summary_names_the_failed_rules(engine: Any, library: dict[str, Any]) -> None:
    status, asset = call(engine, "GET", "/v1/assets/t3")

    assert status == 200, asset
    (version,) = asset["versions"]
    assert version["lint"]["passed"] is False
    assert version["lint"]["failedRules"] == ["voice.sentiment"]
    assert version["lint"]["rulesChecked"] == 2


def test_a_version_whose_file_is_gone_has_no_download(engine: Any) -> None:
    from flashfusion.wiring import get_deps

    record = store_version("gone")
    get_deps().assets.s3.delete_object(Bucket=record["bucket"], Key=record["key"])

    status, asset = call(engine, "GET", "/v1/assets/gone")

    assert status == 200, asset
    assert "download" not in asset["versions"][0] or asset["versions"][0]["download"] is None
    assert asset["versions"][0].get("sizeBytes") is None


@pytest.mark.parametrize("asset_id", ["nope", "a#b", "x" * 300, "ORG%23acme"])
def test_an_unknown_or_malformed_asset_id_is_a_404(engine: Any, asset_id: str) -> None:
    status, answer = call(engine, "GET", f"/v1/assets/{asset_id}")
    assert status == 404, answer


def test_a_saved_request_links_to_its_asset_and_the_asset_downloads_with_its_credentials(engine: Any) -> None:
    status, accepted = call(engine, "POST", "/v1/assets", body=submission())
    assert status == 202, accepted
    description = engine.wait_for_execution(engine.execution_arn(accepted["requestId"]), timeout=60)
    assert description["status"] == "SUCCEEDED", description

    status, record = call(engine, "GET", f"/v1/requests/{accepted['requestId']}")
    assert status == 200, record
    asset_id = record["asset"]["assetId"]
    assert record["assetUrl"] == f"/v1/assets/{asset_id}"

    status, asset = call(engine, "GET", record["assetUrl"])
    assert status == 200, asset
    (version,) = asset["versions"]
    assert version["status"] == "published"
    assert version["requestId"] == accepted["requestId"]
    stored = engine.client("s3").get_object(Bucket=record["asset"]["bucket"], Key=record["asset"]["key"])
    assert version["sizeBytes"] == stored["ContentLength"] > 0
    assert urlparse(version["download"]["url"]).path.endswith(record["asset"]["key"])
    assert version["credentials"]["kind"] in ("embedded", "sidecar", "none")
    assert len(version["credentials"]["storedHash"]) == 64
    if version["credentials"]["kind"] == "sidecar":
        assert urlparse(version["credentials"]["sidecar"]["url"]).path.endswith(".c2pa")

    status, other = call(engine, "GET", record["assetUrl"], OTHER_ORG)
    assert status == 404, other
    status, other_request = call(engine, "GET", f"/v1/requests/{accepted['requestId']}", OTHER_ORG)
    assert status == 404, other_request


def test_a_request_without_a_saved_asset_has_no_asset_link(engine: Any) -> None:
    from flashfusion.models import AssetRequest
    from flashfusion.wiring import get_deps

    request = AssetRequest.model_validate({**submission(), "requestId": "r-unsaved", "orgId": ORG, "userId": "u"})
    get_deps().requests.create(request, "hash")

    status, record = call(engine, "GET", "/v1/requests/r-unsaved")

    assert status == 200, record
    assert record.get("assetUrl") is None
