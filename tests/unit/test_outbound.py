"""The one outbound-URL policy, and every publisher/provider whose URL comes from settings uses it."""

from __future__ import annotations

import httpx
import pytest
import respx

from flashfusion.errors import PublishRejected, PublishUnavailable, UnsafeDestination
from flashfusion.outbound import check_url, is_url_setting, use_resolver
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.bluesky import BlueskyPublisher
from flashfusion.publishers.mastodon import MastodonPublisher
from flashfusion.publishers.webhook import WebhookPublisher
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import fixed_clock

PUBLIC = ["93.184.215.14"]

REFUSED = [
    ("http://pds.aurora.example", PUBLIC),
    ("http://169.254.169.254", PUBLIC),
    ("https://169.254.169.254/latest/meta-data", PUBLIC),
    ("https://[fd00:ec2::254]/", PUBLIC),
    ("https://metadata.google.internal/computeMetadata/v1", PUBLIC),
    ("https://10.0.0.1", PUBLIC),
    ("https://localhost", PUBLIC),
    ("https://0.0.0.0", PUBLIC),
    ("https://[::1]/", PUBLIC),
    ("https://224.0.0.1/", PUBLIC),
    ("https://240.0.0.1/", PUBLIC),
    ("https://100.64.0.1/", PUBLIC),
    ("https://evil.aurora.example", ["169.254.169.254"]),
    ("https://evil.aurora.example", ["10.1.2.3"]),
    ("https://evil.aurora.example", ["::ffff:127.0.0.1"]),
    ("https://evil.aurora.example", ["93.184.215.14", "192.168.1.10"]),
    ("https://evil.aurora.example", []),
    ("https://user:pw@pds.aurora.example", PUBLIC),
    ("ftp://pds.aurora.example", PUBLIC),
    ("", PUBLIC),
]


@pytest.mark.parametrize(("url", "addresses"), REFUSED)
def test_the_policy_refuses_internal_and_non_https_destinations(url: str, addresses: list[str]) -> None:
    with pytest.raises(UnsafeDestination):
        check_url(url, resolver=lambda _host: addresses)


def test_the_policy_accepts_a_public_https_host() -> None:
    assert check_url("https://pds.aurora.example/", resolver=lambda _h: PUBLIC) == "https://pds.aurora.example"


def test_the_process_default_resolver_is_used_and_swappable() -> None:
    with use_resolver(lambda _h: ["10.0.0.7"]), pytest.raises(UnsafeDestination, match="private"):
        check_url("https://pds.aurora.example")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("pdsUrl", "x", True),
        ("instanceUrl", "", True),
        ("url", None, True),
        ("hook", "https://a.b", True),
        ("pageId", "1", False),
    ],
)
def test_url_valued_settings_are_recognised(key: str, value: object, expected: bool) -> None:
    assert is_url_setting(key, value) is expected


def content() -> PublishContent:
    return PublishContent(text="hello", idempotency_key="post-1:acc")


@pytest.mark.parametrize(("url", "addresses"), REFUSED[:16])
def test_bluesky_never_sends_the_app_password_to_an_internal_pds(url: str, addresses: list[str]) -> None:
    account = PlatformAccount(account_id="acc-bsky", platform="bluesky", handle="@a", settings={"pdsUrl": url})
    with respx.mock(assert_all_called=False) as api:
        api.route().respond(200, json={})
        with pytest.raises(PublishRejected, match="pdsUrl"):
            BlueskyPublisher(clock=fixed_clock, resolver=lambda _h: addresses).publish(
                account, {"identifier": "aurora", "appPassword": "abcd-efgh-ijkl-mnop"}, content()
            )
        assert not api.calls


@pytest.mark.parametrize(
    ("url", "addresses"), [r for r in REFUSED[:16] if r[0].startswith("https://") and "/" not in r[0][8:].rstrip("/")]
)
def test_mastodon_never_sends_the_token_to_an_internal_instance(url: str, addresses: list[str]) -> None:
    account = PlatformAccount(account_id="acc-m", platform="mastodon", handle="@a", settings={"instanceUrl": url})
    with respx.mock(assert_all_called=False) as api:
        api.route().respond(200, json={"id": "1"})
        with pytest.raises(PublishRejected):
            MastodonPublisher(clock=fixed_clock, resolver=lambda _h: addresses).publish(
                account, {"accessToken": "token-123456"}, content()
            )
        assert not api.calls


def test_webhook_uses_the_same_policy() -> None:
    account = PlatformAccount(
        account_id="acc-w", platform="webhook", handle="@w", settings={"url": "https://hooks.aurora.example"}
    )
    with respx.mock(assert_all_called=False) as api:
        api.route().respond(200, json={})
        with pytest.raises(PublishRejected, match=r"settings\.url"):
            WebhookPublisher(clock=fixed_clock, resolver=lambda _h: ["169.254.169.254"]).publish(
                account, {"signingSecret": "s3cret-value"}, content()
            )
        assert not api.calls


def test_a_redirect_from_the_pds_is_not_followed() -> None:
    account = PlatformAccount(
        account_id="acc-bsky", platform="bluesky", handle="@a", settings={"pdsUrl": "https://pds.aurora.example"}
    )
    with respx.mock(assert_all_called=False) as api:
        api.post("https://pds.aurora.example/xrpc/com.atproto.server.createSession").mock(
            return_value=httpx.Response(307, headers={"Location": "http://169.254.169.254/steal"})
        )
        inner = api.route(host="169.254.169.254").respond(200, json={})
        with pytest.raises(PublishUnavailable, match=r"redirect|307"):
            BlueskyPublisher(clock=fixed_clock).publish(
                account, {"identifier": "aurora", "appPassword": "abcd-efgh-ijkl-mnop"}, content()
            )
        assert not inner.called
