"""The Mastodon publisher against a mocked instance, with the shapes docs.joinmastodon.org gives."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
import respx

from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.mastodon import MastodonPublisher
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import PNG, Sleeps, fixed_clock, multipart_parts

TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
CREDS = {"accessToken": TOKEN}
INSTANCE = "https://mastodon.social"
ACCOUNT = PlatformAccount(
    account_id="acc-masto", platform="mastodon", handle="@aurora@mastodon.social", settings={"instanceUrl": INSTANCE}
)
STATUSES = f"{INSTANCE}/api/v1/statuses"
MEDIA_V2 = f"{INSTANCE}/api/v2/media"
MEDIA_ID = "22348641"
KEY = "post-123:acc-masto"

# https://docs.joinmastodon.org/methods/statuses/#create (200: Status entity)
STATUS = {
    "id": "103704874086360371",
    "created_at": "2026-03-02T12:00:00.000Z",
    "visibility": "public",
    "uri": "https://mastodon.social/users/aurora/statuses/103704874086360371",
    "url": "https://mastodon.social/@aurora/103704874086360371",
    "content": "<p>Spring is here</p>",
    "media_attachments": [],
}
# https://docs.joinmastodon.org/methods/media/#v2 (200 processed / 202 with url null while processing)
ATTACHMENT_PROCESSING = {
    "id": MEDIA_ID,
    "type": "image",
    "url": None,
    "preview_url": "https://files.mastodon.social/media_attachments/files/022/348/641/small/cebc6d51.png",
    "description": "A blue tent",
    "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
}
ATTACHMENT_READY = ATTACHMENT_PROCESSING | {
    "url": "https://files.mastodon.social/media_attachments/files/022/348/641/original/cebc6d51.png"
}
# https://docs.joinmastodon.org/entities/Error/ and https://docs.joinmastodon.org/methods/statuses/#create (401, 422)
INVALID_TOKEN = {"error": "The access token is invalid"}
VALIDATION = {"error": "Validation failed: Text character limit of 500 exceeded"}
# https://docs.joinmastodon.org/api/rate-limits/ (X-RateLimit-Reset is an ISO 8601 timestamp)
RATE_HEADERS = {
    "X-RateLimit-Limit": "300",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": "2026-03-02T12:05:00.000Z",
}


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode())


def publisher(sleeps: Sleeps | None = None) -> MastodonPublisher:
    return MastodonPublisher(clock=fixed_clock, sleep=sleeps or Sleeps())


def test_text_status_with_idempotency_key(api: respx.MockRouter) -> None:
    route = api.post(STATUSES).respond(200, json=STATUS)

    result = publisher().publish(ACCOUNT, CREDS, PublishContent(text="Spring is here", idempotency_key=KEY))

    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["idempotency-key"] == KEY
    assert form(request) == {"status": ["Spring is here"]}
    assert result.platform_post_id == "103704874086360371"
    assert result.url == "https://mastodon.social/@aurora/103704874086360371"


def test_retry_with_same_key_sends_same_header(api: respx.MockRouter) -> None:
    # Mastodon answers a repeated key with the first status: both calls carry the same key.
    route = api.post(STATUSES).respond(200, json=STATUS)

    first = publisher().publish(ACCOUNT, CREDS, PublishContent(text="Spring", idempotency_key=KEY))
    second = publisher().publish(ACCOUNT, CREDS, PublishContent(text="Spring", idempotency_key=KEY))

    assert [c.request.headers["idempotency-key"] for c in route.calls] == [KEY, KEY]
    assert first.platform_post_id == second.platform_post_id


def test_image_processed_at_once(api: respx.MockRouter) -> None:
    upload = api.post(MEDIA_V2).respond(200, json=ATTACHMENT_READY)
    status = api.post(STATUSES).respond(200, json=STATUS)

    content = PublishContent(
        text="New kit", media=PNG, media_mime_type="image/png", media_name="kit.png", alt_text="A blue tent"
    )
    publisher().publish(ACCOUNT, CREDS, content)

    parts = multipart_parts(upload.calls.last.request)
    assert parts["file"] == ("kit.png", "image/png", PNG)
    assert parts["description"][2] == b"A blue tent"
    assert upload.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    assert form(status.calls.last.request) == {"status": ["New kit"], "media_ids[]": [MEDIA_ID]}


def test_image_202_is_polled_until_processed(api: respx.MockRouter, sleeps: Sleeps) -> None:
    api.post(MEDIA_V2).respond(202, json=ATTACHMENT_PROCESSING)
    poll = api.get(f"{INSTANCE}/api/v1/media/{MEDIA_ID}")
    poll.side_effect = [httpx.Response(206, json=ATTACHMENT_PROCESSING), httpx.Response(200, json=ATTACHMENT_READY)]
    status = api.post(STATUSES).respond(200, json=STATUS)

    content = PublishContent(text="New kit", media=PNG, media_mime_type="image/png", idempotency_key=KEY)
    publisher(sleeps).publish(ACCOUNT, CREDS, content)

    assert poll.call_count == 2
    assert sleeps.calls == [2.0, 2.0]
    assert form(status.calls.last.request)["media_ids[]"] == [MEDIA_ID]
    assert status.calls.last.request.headers["idempotency-key"] == KEY


def test_media_never_processed_is_unavailable_and_posts_nothing(api: respx.MockRouter) -> None:
    api.post(MEDIA_V2).respond(202, json=ATTACHMENT_PROCESSING)
    api.get(f"{INSTANCE}/api/v1/media/{MEDIA_ID}").respond(206, json=ATTACHMENT_PROCESSING)
    status = api.post(STATUSES).respond(200, json=STATUS)

    content = PublishContent(text="x", media=PNG, media_mime_type="image/png")
    with pytest.raises(PublishUnavailable, match="processing"):
        MastodonPublisher(clock=fixed_clock, sleep=Sleeps(), max_media_polls=3).publish(ACCOUNT, CREDS, content)
    assert not status.called


def test_invalid_token(api: respx.MockRouter) -> None:
    api.post(STATUSES).respond(401, json=INVALID_TOKEN)

    with pytest.raises(PublishAuthExpired, match="access token is invalid") as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))
    assert TOKEN not in str(caught.value)


def test_rate_limited_until_iso_reset(api: respx.MockRouter) -> None:
    api.post(STATUSES).respond(429, json={"error": "Too many requests"}, headers=RATE_HEADERS)

    with pytest.raises(PublishRateLimited) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))
    assert caught.value.retry_after == 300


def test_validation_failure_is_rejected(api: respx.MockRouter) -> None:
    api.post(STATUSES).respond(422, json=VALIDATION)

    with pytest.raises(PublishRejected, match="character limit of 500"):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="x" * 501))


def test_server_error_is_unavailable(api: respx.MockRouter) -> None:
    api.post(STATUSES).respond(503, text="<html>503</html>")

    with pytest.raises(PublishUnavailable):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))


def test_instance_url_must_be_https(api: respx.MockRouter) -> None:
    account = ACCOUNT.model_copy(update={"settings": {"instanceUrl": "http://mastodon.social"}})
    with pytest.raises(PublishRejected, match="instanceUrl"):
        publisher().publish(account, CREDS, PublishContent(text="hi"))
    assert not api.calls
