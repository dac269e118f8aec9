"""Facebook Pages and Instagram publishers against a mocked graph.facebook.com."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.meta import FacebookPagePublisher, InstagramPublisher
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import PNG, Sleeps, fixed_clock, multipart_parts

TOKEN = "EAAGm0PX4ZCpsBAPageTokenFAKE0123456789"
PAGE_ID = "546349135390552"
IG_USER = "17841405822304914"
GRAPH = "https://graph.facebook.com/v23.0"
PAGE = PlatformAccount(account_id="acc-fb", platform="facebook", handle="Aurora Outdoor", settings={"pageId": PAGE_ID})
IG = PlatformAccount(account_id="acc-ig", platform="instagram", handle="aurora", settings={"igUserId": IG_USER})
MEDIA_URL = "https://assets.example-bucket.s3.amazonaws.com/orgs/o1/assets/a1/1.jpg?X-Amz-Signature=abc"
CONTAINER = "17889455560051444"
IG_MEDIA = "17920238422030506"

# https://developers.facebook.com/docs/pages-api/posts (feed -> {"id": page-post-id})
FEED_CREATED = {"id": f"{PAGE_ID}_1116689038356556"}
# https://developers.facebook.com/docs/pages-api/posts (photos -> {"id": photo-id, "post_id": page-post-id})
PHOTO_CREATED = {"id": "1116692661689527", "post_id": f"{PAGE_ID}_1116692695022857"}
# https://developers.facebook.com/docs/graph-api/guides/error-handling (error object shape, codes)
EXPIRED = {
    "error": {
        "message": "Error validating access token: Session has expired on Monday, 02-Mar-26 10:00:00 PST.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "EJplcsCHuLu",
    }
}
PAGE_THROTTLED = {
    "error": {
        "message": "(#32) Page request limit reached",
        "type": "OAuthException",
        "code": 32,
        "fbtrace_id": "AbCdEfGh",
    }
}
INVALID_PARAM = {
    "error": {
        "message": "(#100) The parameter message is required",
        "type": "OAuthException",
        "code": 100,
        "fbtrace_id": "A1b2C3",
    }
}
POLICY_BLOCK = {
    "error": {
        "message": "It looks like you were misusing this feature by going too fast.",
        "type": "OAuthException",
        "code": 368,
        "error_subcode": 1390008,
        "error_user_msg": "You're temporarily blocked from posting because this content goes against our standards.",
        "fbtrace_id": "Zz9",
    }
}
TRANSIENT = {
    "error": {
        "message": "An unexpected error has occurred. Please retry your request later.",
        "type": "OAuthException",
        "code": 2,
        "is_transient": True,
        "fbtrace_id": "Q1",
    }
}
# https://developers.facebook.com/docs/graph-api/overview/rate-limiting (BUC header, minutes to regain access)
BUC_USAGE = json.dumps(
    {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 25,
                "total_time": 25,
                "estimated_time_to_regain_access": 19,
            }
        ]
    }
)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def facebook() -> FacebookPagePublisher:
    return FacebookPagePublisher(clock=fixed_clock)


def instagram(sleeps: Sleeps | None = None) -> InstagramPublisher:
    return InstagramPublisher(clock=fixed_clock, sleep=sleeps or Sleeps())


# --- Facebook --------------------------------------------------------------------------------------


def test_facebook_text_post(api: respx.MockRouter) -> None:
    route = api.post(f"{GRAPH}/{PAGE_ID}/feed").respond(200, json=FEED_CREATED)

    result = facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="Hello Fans!"))

    assert form(route.calls.last.request) == {"message": "Hello Fans!", "access_token": TOKEN}
    assert TOKEN not in str(route.calls.last.request.url)
    assert result.platform_post_id == FEED_CREATED["id"]
    assert result.url == f"https://www.facebook.com/{FEED_CREATED['id']}"


def test_facebook_photo_upload(api: respx.MockRouter) -> None:
    route = api.post(f"{GRAPH}/{PAGE_ID}/photos").respond(200, json=PHOTO_CREATED)

    content = PublishContent(text="New kit", media=PNG, media_mime_type="image/png", media_name="kit.png")
    result = facebook().publish(PAGE, {"pageAccessToken": TOKEN}, content)

    parts = multipart_parts(route.calls.last.request)
    assert parts["source"] == ("kit.png", "image/png", PNG)
    assert parts["message"][2] == b"New kit"
    assert parts["access_token"][2] == TOKEN.encode()
    assert result.platform_post_id == PHOTO_CREATED["post_id"]


def test_facebook_photo_by_url(api: respx.MockRouter) -> None:
    route = api.post(f"{GRAPH}/{PAGE_ID}/photos").respond(200, json=PHOTO_CREATED)

    facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="Kit", media_url=MEDIA_URL))

    assert form(route.calls.last.request) == {"message": "Kit", "url": MEDIA_URL, "access_token": TOKEN}


def test_facebook_expired_token(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{PAGE_ID}/feed").respond(400, json=EXPIRED)

    with pytest.raises(PublishAuthExpired, match="subcode 463") as caught:
        facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="hi"))
    assert TOKEN not in str(caught.value)


def test_facebook_rate_limited_reads_buc_header(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{PAGE_ID}/feed").respond(
        400, json=PAGE_THROTTLED, headers={"X-Business-Use-Case-Usage": BUC_USAGE}
    )

    with pytest.raises(PublishRateLimited) as caught:
        facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="hi"))
    assert caught.value.retry_after == 19 * 60


def test_facebook_http_429_without_usage_header(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{PAGE_ID}/feed").respond(429, json={"error": {"message": "slow down", "code": 4}})

    with pytest.raises(PublishRateLimited) as caught:
        facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="hi"))
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("body", "reason"), [(INVALID_PARAM, "parameter message"), (POLICY_BLOCK, "temporarily blocked")]
)
def test_facebook_rejected_with_graph_message(api: respx.MockRouter, body: dict[str, object], reason: str) -> None:
    api.post(f"{GRAPH}/{PAGE_ID}/feed").respond(400, json=body)

    with pytest.raises(PublishRejected, match=reason):
        facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="hi"))


@pytest.mark.parametrize(("status", "body"), [(500, TRANSIENT), (503, {"error": {"message": "down", "code": 1}})])
def test_facebook_transient_is_unavailable(api: respx.MockRouter, status: int, body: dict[str, object]) -> None:
    api.post(f"{GRAPH}/{PAGE_ID}/feed").respond(status, json=body)

    with pytest.raises(PublishUnavailable):
        facebook().publish(PAGE, {"pageAccessToken": TOKEN}, PublishContent(text="hi"))


# --- Instagram -------------------------------------------------------------------------------------


def test_instagram_text_only_is_rejected_before_any_call(api: respx.MockRouter) -> None:
    with pytest.raises(PublishRejected, match="image or video"):
        instagram().publish(IG, {"accessToken": TOKEN}, PublishContent(text="just words"))
    assert not api.calls


def test_instagram_image_container_then_publish(api: respx.MockRouter) -> None:
    # https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing
    # (POST /media -> {"id": container}; POST /media_publish -> {"id": ig media id})
    media = api.post(f"{GRAPH}/{IG_USER}/media").respond(200, json={"id": CONTAINER})
    publish = api.post(f"{GRAPH}/{IG_USER}/media_publish").respond(200, json={"id": IG_MEDIA})
    api.get(f"{GRAPH}/{IG_MEDIA}").respond(
        200, json={"permalink": "https://www.instagram.com/p/DA1b2C3d4E5/", "id": IG_MEDIA}
    )

    content = PublishContent(
        text="New kit #TrailReady", media_url=MEDIA_URL, media_mime_type="image/jpeg", alt_text="A tent"
    )
    result = instagram().publish(IG, {"accessToken": TOKEN}, content)

    assert form(media.calls.last.request) == {
        "caption": "New kit #TrailReady",
        "access_token": TOKEN,
        "image_url": MEDIA_URL,
        "alt_text": "A tent",
    }
    assert form(publish.calls.last.request) == {"creation_id": CONTAINER, "access_token": TOKEN}
    assert result.platform_post_id == IG_MEDIA
    assert result.url == "https://www.instagram.com/p/DA1b2C3d4E5/"


def test_instagram_reel_polls_container_until_finished(api: respx.MockRouter, sleeps: Sleeps) -> None:
    media = api.post(f"{GRAPH}/{IG_USER}/media").respond(200, json={"id": CONTAINER})
    # https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
    status = api.get(f"{GRAPH}/{CONTAINER}")
    status.side_effect = [
        httpx.Response(200, json={"status_code": "IN_PROGRESS", "id": CONTAINER}),
        httpx.Response(200, json={"status_code": "IN_PROGRESS", "id": CONTAINER}),
        httpx.Response(200, json={"status_code": "FINISHED", "id": CONTAINER}),
    ]
    api.post(f"{GRAPH}/{IG_USER}/media_publish").respond(200, json={"id": IG_MEDIA})
    api.get(f"{GRAPH}/{IG_MEDIA}").respond(500)  # permalink lookup failing must not fail the publish

    content = PublishContent(text="Trail film", media_url=MEDIA_URL, media_mime_type="video/mp4")
    result = instagram(sleeps).publish(IG, {"accessToken": TOKEN}, content)

    sent = form(media.calls.last.request)
    assert sent["media_type"] == "REELS"
    assert sent["video_url"] == MEDIA_URL
    assert status.call_count == 3
    assert status.calls.last.request.url.params["fields"] == "status_code,status"
    assert sleeps.calls == [3.0, 3.0]
    assert result.platform_post_id == IG_MEDIA
    assert result.url is None


def test_instagram_container_error_is_rejected(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{IG_USER}/media").respond(200, json={"id": CONTAINER})
    api.get(f"{GRAPH}/{CONTAINER}").respond(
        200, json={"status_code": "ERROR", "status": "Error: 2207026", "id": CONTAINER}
    )

    content = PublishContent(text="x", media_url=MEDIA_URL, media_mime_type="video/mp4")
    with pytest.raises(PublishRejected, match="2207026"):
        instagram().publish(IG, {"accessToken": TOKEN}, content)


def test_instagram_container_never_finishes_is_unavailable(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{IG_USER}/media").respond(200, json={"id": CONTAINER})
    api.get(f"{GRAPH}/{CONTAINER}").respond(200, json={"status_code": "IN_PROGRESS", "id": CONTAINER})

    content = PublishContent(text="x", media_url=MEDIA_URL, media_mime_type="video/mp4")
    with pytest.raises(PublishUnavailable, match="IN_PROGRESS"):
        InstagramPublisher(clock=fixed_clock, sleep=Sleeps(), max_container_polls=4).publish(
            IG, {"accessToken": TOKEN}, content
        )


def test_instagram_expired_token(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{IG_USER}/media").respond(400, json=EXPIRED)

    with pytest.raises(PublishAuthExpired):
        instagram().publish(IG, {"accessToken": TOKEN}, PublishContent(text="x", media_url=MEDIA_URL))


def test_instagram_rate_limited_from_app_usage(api: respx.MockRouter) -> None:
    usage = json.dumps({"call_count": 100, "total_cputime": 20, "total_time": 30, "estimated_time_to_regain_access": 5})
    body = {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}}
    api.post(f"{GRAPH}/{IG_USER}/media").respond(400, json=body, headers={"X-App-Usage": usage})

    with pytest.raises(PublishRateLimited) as caught:
        instagram().publish(IG, {"accessToken": TOKEN}, PublishContent(text="x", media_url=MEDIA_URL))
    assert caught.value.retry_after == 300


def test_instagram_rejects_bad_image(api: respx.MockRouter) -> None:
    body = {
        "error": {
            "message": "Only photo or video can be accepted as media type.",
            "type": "OAuthException",
            "code": 9004,
            "error_subcode": 2207052,
            "fbtrace_id": "A",
        }
    }
    api.post(f"{GRAPH}/{IG_USER}/media").respond(400, json=body)

    with pytest.raises(PublishRejected, match="Only photo or video"):
        instagram().publish(IG, {"accessToken": TOKEN}, PublishContent(text="x", media_url=MEDIA_URL))


def test_instagram_server_error_is_unavailable(api: respx.MockRouter) -> None:
    api.post(f"{GRAPH}/{IG_USER}/media").respond(502, text="<html>Bad Gateway</html>")

    with pytest.raises(PublishUnavailable):
        instagram().publish(IG, {"accessToken": TOKEN}, PublishContent(text="x", media_url=MEDIA_URL))
