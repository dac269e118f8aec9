"""The signed webhook publisher: payload, Stripe-style signature, answers and destination rules."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
import respx

from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.webhook import SIGNATURE_HEADER, WebhookPublisher, sign, verify_signature
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import NOW, NOW_EPOCH, PNG, fixed_clock

SECRET = "whsec_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
CREDS = {"signingSecret": SECRET}
URL = "https://hooks.aurora.example/flashfusion"
ACCOUNT = PlatformAccount(account_id="acc-hook", platform="webhook", handle="CMS", settings={"url": URL})
KEY = "post-123:acc-hook"
PUBLIC = ["93.184.215.14"]


def publisher(addresses: list[str] | None = None) -> WebhookPublisher:
    return WebhookPublisher(clock=fixed_clock, resolver=lambda _host: addresses if addresses is not None else PUBLIC)


def content(**extra: object) -> PublishContent:
    return PublishContent(text="Spring is here", idempotency_key=KEY, **extra)


def test_posts_signed_json_and_reads_id(api: respx.MockRouter) -> None:
    route = api.post(URL).respond(201, json={"id": "cms-789", "url": "https://cms.aurora.example/p/789"})

    result = publisher().publish(ACCOUNT, CREDS, content())

    request = route.calls.last.request
    assert json.loads(request.content) == {
        "postId": KEY,
        "platform": "webhook",
        "text": "Spring is here",
        "media": None,
        "idempotencyKey": KEY,
        "sentAt": "2026-03-02T12:00:00Z",
    }
    assert request.headers["idempotency-key"] == KEY
    assert request.headers["content-type"] == "application/json"
    signature = request.headers[SIGNATURE_HEADER]
    assert signature.startswith(f"t={NOW_EPOCH},v1=")
    assert verify_signature(request.content, signature, SECRET, now=NOW.timestamp())
    assert result.platform_post_id == "cms-789"
    assert result.url == "https://cms.aurora.example/p/789"


def test_media_is_described_with_its_hash(api: respx.MockRouter) -> None:
    route = api.post(URL).respond(204)
    media_url = "https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=x"

    result = publisher().publish(ACCOUNT, CREDS, content(media=PNG, media_mime_type="image/png", media_url=media_url))

    sent = json.loads(route.calls.last.request.content)
    assert sent["media"] == {"url": media_url, "mimeType": "image/png", "sha256": hashlib.sha256(PNG).hexdigest()}
    assert result.platform_post_id == KEY  # no JSON id in the answer: the idempotency key


def test_signature_round_trip_and_tampering() -> None:
    body = b'{"text":"hello"}'
    header = sign(body, SECRET, NOW_EPOCH)

    assert verify_signature(body, header, SECRET, now=NOW_EPOCH + 10)
    assert not verify_signature(b'{"text":"hellO"}', header, SECRET, now=NOW_EPOCH)
    assert not verify_signature(body, header, "whsec_other", now=NOW_EPOCH)
    assert not verify_signature(body, header, SECRET, now=NOW_EPOCH + 301)  # replayed too late
    assert not verify_signature(body, header.replace(f"t={NOW_EPOCH}", f"t={NOW_EPOCH + 1}"), SECRET, now=NOW_EPOCH)
    assert not verify_signature(body, "v1=deadbeef", SECRET, now=NOW_EPOCH)
    assert not verify_signature(body, "t=abc,v1=00", SECRET, now=NOW_EPOCH)
    # During a secret rotation a receiver may see several v1 values; any match is enough.
    rotated = f"{header},v1={sign(body, 'whsec_new', NOW_EPOCH).split('v1=')[1]}"
    assert verify_signature(body, rotated, "whsec_new", now=NOW_EPOCH)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_auth_expired(api: respx.MockRouter, status: int) -> None:
    api.post(URL).respond(status, json={"error": "bad signature"})

    with pytest.raises(PublishAuthExpired, match="bad signature") as caught:
        publisher().publish(ACCOUNT, CREDS, content())
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(("retry_after", "expected"), [("120", 120.0), ("Mon, 02 Mar 2026 12:10:00 GMT", 600.0)])
def test_rate_limited_reads_retry_after(api: respx.MockRouter, retry_after: str, expected: float) -> None:
    api.post(URL).respond(429, json={"error": "slow down"}, headers={"Retry-After": retry_after})

    with pytest.raises(PublishRateLimited) as caught:
        publisher().publish(ACCOUNT, CREDS, content())
    assert caught.value.retry_after == expected


def test_other_4xx_is_rejected_with_reason(api: respx.MockRouter) -> None:
    api.post(URL).respond(422, json={"error": {"message": "text too long for the CMS"}})

    with pytest.raises(PublishRejected, match="too long for the CMS"):
        publisher().publish(ACCOUNT, CREDS, content())


def test_5xx_timeout_and_redirect_are_unavailable(api: respx.MockRouter) -> None:
    route = api.post(URL)
    route.side_effect = [
        httpx.Response(500, text="boom"),
        httpx.ConnectTimeout("timed out"),
        httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
    ]
    for _ in range(3):
        with pytest.raises(PublishUnavailable):
            publisher().publish(ACCOUNT, CREDS, content())
    assert route.call_count == 3  # the redirect was not followed


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://hooks.aurora.example/x", PUBLIC),  # plain http to a public host
        ("https://internal.aurora.example/x", ["10.0.0.5"]),
        ("https://metadata.aurora.example/x", ["169.254.169.254"]),
        ("https://169.254.169.254/latest/meta-data/", []),
        ("https://[::1]/x", []),
        ("https://mapped.aurora.example/x", ["::ffff:127.0.0.1"]),
        ("https://mixed.aurora.example/x", ["93.184.215.14", "192.168.1.10"]),
        ("https://user:pass@hooks.aurora.example/x", PUBLIC),
        ("ftp://hooks.aurora.example/x", PUBLIC),
    ],
)
def test_internal_destinations_are_refused(api: respx.MockRouter, url: str, addresses: list[str]) -> None:
    account = ACCOUNT.model_copy(update={"settings": {"url": url}})

    with pytest.raises(PublishRejected):
        publisher(addresses).publish(account, CREDS, content())
    assert not api.calls


@pytest.mark.parametrize("url", ["http://localhost:8080/hook", "http://127.0.0.1:9000/hook", "https://localhost/hook"])
def test_localhost_is_refused_too(api: respx.MockRouter, url: str) -> None:
    # In Lambda, 127.0.0.1:9001 is the runtime API: no local-testing exception.
    account = ACCOUNT.model_copy(update={"settings": {"url": url}})

    with pytest.raises(PublishRejected):
        publisher().publish(account, CREDS, content())
    assert not api.calls


def test_missing_secret_or_key_is_rejected_before_any_call(api: respx.MockRouter) -> None:
    with pytest.raises(PublishRejected, match="signingSecret"):
        publisher().publish(ACCOUNT, {}, content())
    with pytest.raises(PublishRejected, match="idempotency"):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="x"))
    assert not api.calls
