"""Where an account's credentials go: URL-valued settings need the admin group, must pass the outbound-URL
policy (400 naming the field), and every change is recorded (AccountDestinationChanged, hosts only)."""

from __future__ import annotations

from typing import Any

import pytest

from flashfusion.outbound import use_resolver
from tests.helpers import ORG, body_of, claims
from tests.workflow.review_helpers import event_queue, received_events

ADMIN = {**claims(), "cognito:groups": "[admins]"}
MEMBER = claims()
BLUESKY = {"accountId": "bsky-main", "platform": "bluesky", "handle": "@aurora.example"}


def call(engine: Any, method: str, path: str, body: Any, caller: dict[str, str]) -> tuple[int, Any]:
    response = engine.api(method, path, body, caller)
    return response["statusCode"], body_of(response) if response.get("body") else None


def stored_settings(engine: Any, account_id: str) -> dict[str, str]:
    status, answer = call(engine, "GET", f"/v1/accounts/{account_id}", None, MEMBER)
    assert status == 200, answer
    settings: dict[str, str] = answer["settings"]
    return settings


@pytest.fixture
def bluesky(engine: Any) -> str:
    status, answer = call(engine, "POST", "/v1/accounts", BLUESKY, MEMBER)  # no URL setting: no role needed
    assert status == 201, answer
    return "bsky-main"


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        ("pdsUrl", "http://169.254.169.254"),
        ("pdsUrl", "https://169.254.169.254/latest/meta-data"),
        ("instanceUrl", "https://10.0.0.1"),
        ("url", "https://[fd00:ec2::254]/"),
        ("url", "https://metadata.google.internal/"),
        ("pdsUrl", "http://pds.attacker.example"),
    ],
)
def test_patching_a_url_setting_to_an_internal_or_plain_http_destination_is_a_400_naming_it(
    engine: Any, bluesky: str, setting: str, url: str
) -> None:
    status, answer = call(engine, "PATCH", f"/v1/accounts/{bluesky}", {"settings": {setting: url}}, ADMIN)

    assert status == 400, answer
    assert answer["code"] == "invalid_request"
    assert [f["field"] for f in answer["errors"]] == [f"settings.{setting}"]
    assert stored_settings(engine, bluesky) == {}


def test_a_host_resolving_to_a_private_address_is_a_400(engine: Any, bluesky: str) -> None:
    with use_resolver(lambda _host: ["10.1.2.3"]):
        status, answer = call(
            engine, "PATCH", f"/v1/accounts/{bluesky}", {"settings": {"pdsUrl": "https://pds.aurora.example"}}, ADMIN
        )
    assert status == 400, answer
    assert answer["errors"][0]["field"] == "settings.pdsUrl"


def test_creating_an_account_with_an_internal_url_is_a_400(engine: Any) -> None:
    body = {**BLUESKY, "settings": {"pdsUrl": "http://169.254.169.254"}}
    status, answer = call(engine, "POST", "/v1/accounts", body, ADMIN)
    assert status == 400, answer
    assert answer["errors"][0]["field"] == "settings.pdsUrl"
    assert call(engine, "GET", "/v1/accounts/bsky-main", None, MEMBER)[0] == 404


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_changing_where_credentials_go_needs_the_admin_group(engine: Any, method: str) -> None:
    if method == "PATCH":
        assert call(engine, "POST", "/v1/accounts", BLUESKY, MEMBER)[0] == 201
        status, answer = call(
            engine, "PATCH", "/v1/accounts/bsky-main", {"settings": {"pdsUrl": "https://pds.aurora.example"}}, MEMBER
        )
    else:
        body = {**BLUESKY, "settings": {"pdsUrl": "https://pds.aurora.example"}}
        status, answer = call(engine, "POST", "/v1/accounts", body, MEMBER)

    assert status == 403, answer
    assert answer["code"] == "forbidden"
    if method == "PATCH":
        assert stored_settings(engine, "bsky-main") == {}


def test_other_settings_and_the_handle_need_no_role(engine: Any) -> None:
    assert call(engine, "POST", "/v1/accounts", {**BLUESKY, "platform": "linkedin"}, MEMBER)[0] == 201
    status, answer = call(
        engine,
        "PATCH",
        "/v1/accounts/bsky-main",
        {"handle": "@new", "settings": {"authorUrn": "urn:li:person:1"}},
        MEMBER,
    )
    assert status == 200, answer


def test_an_admin_change_is_stored_and_recorded_without_credentials(engine: Any, bluesky: str) -> None:
    queue = event_queue(engine)
    url = "https://pds.aurora.example/?token=sekrit-query"

    status, answer = call(engine, "PATCH", f"/v1/accounts/{bluesky}", {"settings": {"pdsUrl": url}}, ADMIN)

    assert status == 200, answer
    assert stored_settings(engine, bluesky) == {"pdsUrl": url}
    (event,) = [e for e in received_events(engine, queue) if e["detail-type"] == "AccountDestinationChanged"]
    assert event["detail"] == {
        "orgId": ORG,
        "accountId": bluesky,
        "platform": "bluesky",
        "userId": "user-1",
        "changes": [{"setting": "pdsUrl", "oldHost": "", "newHost": "pds.aurora.example"}],
    }
    assert "sekrit" not in str(event)
