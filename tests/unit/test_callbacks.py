"""Request callbacks: signed as webhooks are, sent only to public https URLs, retried when the receiver
cannot take them, given up when it refuses them."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from flashfusion.app import callbacks
from flashfusion.app.callbacks import CallbackFailed, deliver
from flashfusion.models import RequestStatus
from flashfusion.publishers.webhook import SIGNATURE_HEADER, verify_signature

URL = "https://hooks.example.com/flashfusion"
SECRET = "s3cr3t-for-tests"


def deps(status: str = "succeeded", url: str | None = URL, secret: str | None = SECRET, **item: Any) -> Any:
    record = {
        "requestId": "req-1",
        "orgId": "acme",
        "status": status,
        "updatedAt": "2026-12-05T10:00:00Z",
        "request": {"callbackUrl": url} if url else {},
        **item,
    }
    return SimpleNamespace(
        requests=SimpleNamespace(get_item=lambda org, request_id: record if org == "acme" else None),
        callback_secrets=SimpleNamespace(get=lambda org: secret),
    )


@respx.mock
def test_a_succeeded_request_posts_a_signed_body_the_receiver_can_verify() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(204))
    asset = {"assetId": "a-1", "version": 1}
    assert deliver("acme", "req-1", deps(asset=asset)) == "delivered"
    sent = route.calls.last.request
    body = json.loads(sent.content)
    assert body["event"] == "request.succeeded"
    assert body["asset"] == asset
    assert body["statusUrl"] == "/v1/requests/req-1"
    assert sent.headers["Idempotency-Key"] == "req-1:request.succeeded"
    assert verify_signature(sent.content, sent.headers[SIGNATURE_HEADER], SECRET)
    assert not verify_signature(sent.content, sent.headers[SIGNATURE_HEADER], "another secret")


@respx.mock
@pytest.mark.parametrize("answer", [429, 500, 503])
def test_a_receiver_that_cannot_take_it_makes_the_delivery_retry(answer: int) -> None:
    respx.post(URL).mock(return_value=httpx.Response(answer))
    with pytest.raises(CallbackFailed, match=str(answer)):
        deliver("acme", "req-1", deps())


@respx.mock
def test_no_answer_makes_the_delivery_retry() -> None:
    respx.post(URL).mock(side_effect=httpx.ConnectTimeout("slow"))
    with pytest.raises(CallbackFailed, match="no answer"):
        deliver("acme", "req-1", deps())


@respx.mock
@pytest.mark.parametrize("answer", [301, 400, 404, 410])
def test_a_refusal_or_a_redirect_is_not_retried_nor_followed(answer: int) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(answer, headers={"location": "https://evil.example/"}))
    assert deliver("acme", "req-1", deps()) == "refused"
    assert route.call_count == 1


@respx.mock
@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/x", "https://169.254.169.254/latest", "https://localhost/x", "https://10.0.0.1/"]
)
def test_unsafe_urls_are_never_called(url: str) -> None:
    route = respx.route().mock(return_value=httpx.Response(200))
    assert deliver("acme", "req-1", deps(url=url)) == "refused-url"
    assert route.call_count == 0


@respx.mock
def test_nothing_is_sent_without_a_url_a_secret_or_a_final_status() -> None:
    route = respx.route().mock(return_value=httpx.Response(200))
    assert deliver("acme", "req-1", deps(url=None)) == "none"
    assert deliver("acme", "req-1", deps(secret=None)) == "no-secret"
    assert deliver("acme", "req-1", deps(status="generating")) == "not-final"
    assert deliver("other", "req-1", deps()) == "none"
    assert deliver("acme", "req-1", deps(status="succeeded"), expect=RequestStatus.NEEDS_REVIEW) == "stale"
    assert route.call_count == 0


def test_every_final_status_and_review_has_an_event_name() -> None:
    from flashfusion.models import FINAL_STATUSES

    assert set(callbacks.EVENTS) == set(FINAL_STATUSES) | {RequestStatus.NEEDS_REVIEW}
