"""The X publisher against a mocked api.x.com, with the shapes X documents."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.x import XPublisher
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import MP4, NOW_EPOCH, PNG, Sleeps, fixed_clock, multipart_parts

TOKEN = "x-user-token-VGhpcyBpcyBub3QgYSByZWFsIHRva2Vu"
CREDS = {"accessToken": TOKEN}
ACCOUNT = PlatformAccount(account_id="acc-x", platform="x", handle="@aurora_outdoor")
TWEETS = "https://api.x.com/2/tweets"
UPLOAD = "https://api.x.com/2/media/upload"
MEDIA_ID = "1880028106020515840"

# https://docs.x.com/x-api/posts/creation-of-a-post (201 response: data.id, data.text)
CREATED = {"data": {"id": "1346889436626259968", "text": "Spring is here #TrailReady"}}
# https://docs.x.com/x-api/media/upload-media (response: data.id, media_key, size, expires_after_secs)
IMAGE_UPLOADED = {"data": {"id": MEDIA_ID, "media_key": f"3_{MEDIA_ID}", "size": len(PNG), "expires_after_secs": 86400}}
# https://docs.x.com/x-api/media/quickstart/media-upload-chunked (INIT response)
INITIALIZED = {"data": {"id": MEDIA_ID, "media_key": f"7_{MEDIA_ID}", "expires_after_secs": 1295999}}
# https://docs.x.com/x-api/media/get-media-upload-status (processing_info.state pending/in_progress/succeeded)
FINALIZED = {
    "data": {
        "id": MEDIA_ID,
        "media_key": f"7_{MEDIA_ID}",
        "size": len(MP4),
        "expires_after_secs": 86400,
        "processing_info": {"state": "pending", "check_after_secs": 5},
    }
}
IN_PROGRESS = {
    "data": {
        "id": MEDIA_ID,
        "processing_info": {"state": "in_progress", "check_after_secs": 30, "progress_percent": 40},
    }
}
SUCCEEDED = {"data": {"id": MEDIA_ID, "processing_info": {"state": "succeeded", "progress_percent": 100}}}
# RFC 7807 problem bodies as X sends them (https://docs.x.com/x-api/posts/creation-of-a-post errors,
# duplicate seen verbatim in https://github.com/akrherz/iembot/issues/163).
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
# https://docs.x.com/fundamentals/rate-limits (429 body; x-rate-limit-reset is a Unix timestamp)
TOO_MANY = {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}


def publisher(sleeps: Sleeps | None = None, chunk_size: int = 4 * 1024 * 1024) -> XPublisher:
    return XPublisher(clock=fixed_clock, sleep=sleeps or Sleeps(), chunk_size=chunk_size)


def test_text_only_post(api: respx.MockRouter) -> None:
    route = api.post(TWEETS).respond(201, json=CREATED)

    result = publisher().publish(ACCOUNT, CREDS, PublishContent(text="Spring is here #TrailReady"))

    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {"text": "Spring is here #TrailReady"}
    assert result.platform_post_id == "1346889436626259968"
    assert result.url == "https://x.com/aurora_outdoor/status/1346889436626259968"


def test_image_post_uploads_then_attaches(api: respx.MockRouter) -> None:
    upload = api.post(UPLOAD).respond(200, json=IMAGE_UPLOADED)
    tweet = api.post(TWEETS).respond(201, json=CREATED)

    content = PublishContent(text="New kit", media=PNG, media_mime_type="image/png", media_name="kit.png")
    publisher().publish(ACCOUNT, CREDS, content)

    parts = multipart_parts(upload.calls.last.request)
    assert parts["media"] == ("kit.png", "image/png", PNG)
    assert parts["media_category"][2] == b"tweet_image"
    assert upload.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(tweet.calls.last.request.content) == {"text": "New kit", "media": {"media_ids": [MEDIA_ID]}}


def test_video_goes_through_chunked_upload_and_waits_for_processing(api: respx.MockRouter, sleeps: Sleeps) -> None:
    init = api.post(f"{UPLOAD}/initialize").respond(200, json=INITIALIZED)
    append = api.post(f"{UPLOAD}/{MEDIA_ID}/append").respond(200)
    finalize = api.post(f"{UPLOAD}/{MEDIA_ID}/finalize").respond(200, json=FINALIZED)
    status = api.get(UPLOAD, params={"command": "STATUS", "media_id": MEDIA_ID})
    status.side_effect = [httpx.Response(200, json=IN_PROGRESS), httpx.Response(200, json=SUCCEEDED)]
    tweet = api.post(TWEETS).respond(201, json=CREATED)

    content = PublishContent(text="Trail film", media=MP4, media_mime_type="video/mp4")
    publisher(sleeps, chunk_size=24).publish(ACCOUNT, CREDS, content)

    assert json.loads(init.calls.last.request.content) == {
        "media_type": "video/mp4",
        "total_bytes": len(MP4),
        "media_category": "tweet_video",
    }
    segments = [multipart_parts(call.request) for call in append.calls]
    assert [s["segment_index"][2] for s in segments] == [b"0", b"1", b"2"]
    assert b"".join(s["media"][2] for s in segments) == MP4
    assert finalize.called
    assert status.call_count == 2
    assert sleeps.calls == [5.0, 10.0]  # check_after_secs, capped at 10 s
    assert json.loads(tweet.calls.last.request.content)["media"] == {"media_ids": [MEDIA_ID]}


def test_failed_processing_is_rejected(api: respx.MockRouter) -> None:
    api.post(f"{UPLOAD}/initialize").respond(200, json=INITIALIZED)
    api.post(f"{UPLOAD}/{MEDIA_ID}/append").respond(200)
    failed = {
        "data": {
            "id": MEDIA_ID,
            "processing_info": {
                "state": "failed",
                "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"},
            },
        }
    }
    api.post(f"{UPLOAD}/{MEDIA_ID}/finalize").respond(200, json=failed)

    with pytest.raises(PublishRejected, match="Unsupported video format"):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="x", media=MP4, media_mime_type="video/mp4"))


def test_expired_token(api: respx.MockRouter) -> None:
    api.post(TWEETS).respond(401, json=UNAUTHORIZED)

    with pytest.raises(PublishAuthExpired) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hello"))
    assert TOKEN not in str(caught.value)


def test_rate_limited_uses_reset_header(api: respx.MockRouter) -> None:
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(NOW_EPOCH + 900)}
    api.post(TWEETS).respond(429, json=TOO_MANY, headers=headers)

    with pytest.raises(PublishRateLimited) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hello"))
    assert caught.value.retry_after == 900
    assert "Rate limit exceeded" in str(caught.value)


def test_duplicate_content_is_rejected_with_x_detail(api: respx.MockRouter) -> None:
    api.post(TWEETS).respond(403, json=DUPLICATE)

    with pytest.raises(PublishRejected, match="duplicate content"):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hello"))


def test_server_error_is_unavailable(api: respx.MockRouter) -> None:
    api.post(TWEETS).respond(503, text="Service Unavailable")

    with pytest.raises(PublishUnavailable):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hello"))


def test_timeout_is_unavailable_without_token(api: respx.MockRouter) -> None:
    api.post(TWEETS).mock(side_effect=httpx.ReadTimeout(f"timed out Bearer {TOKEN}"))

    with pytest.raises(PublishUnavailable) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hello"))
    assert TOKEN not in str(caught.value)


def test_missing_token_is_rejected_before_any_call(api: respx.MockRouter) -> None:
    with pytest.raises(PublishRejected):
        publisher().publish(ACCOUNT, {}, PublishContent(text="hello"))
    assert not api.calls
