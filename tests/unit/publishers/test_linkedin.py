"""The LinkedIn publisher against a mocked api.linkedin.com, with the shapes LinkedIn documents."""

from __future__ import annotations

import json

import pytest
import respx

from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.linkedin import DEFAULT_VERSION, LinkedInPublisher, escape_commentary
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import PNG, fixed_clock

TOKEN = "AQV-linkedin-token-0123456789abcdefghijklmnop"
CREDS = {"accessToken": TOKEN}
AUTHOR = "urn:li:organization:5515715"
ACCOUNT = PlatformAccount(
    account_id="acc-li", platform="linkedin", handle="Aurora Outdoor", settings={"authorUrn": AUTHOR}
)
POSTS = "https://api.linkedin.com/rest/posts"
IMAGES = "https://api.linkedin.com/rest/images"
SHARE = "urn:li:share:6844785523593134080"
IMAGE_URN = "urn:li:image:C4E10AQFoyyAjHPMQuQ"
UPLOAD_URL = "https://www.linkedin.com/dms-uploads/C4E10AQFoyyAjHPMQuQ/uploaded-image/0?ca=vector_ads&cn=uploads"

# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
# (initializeUpload response: value.uploadUrlExpiresAt, value.uploadUrl, value.image)
INITIALIZED = {"value": {"uploadUrlExpiresAt": 1650567510704, "uploadUrl": UPLOAD_URL, "image": IMAGE_URN}}
# 401 bodies as LinkedIn sends them (REVOKED_ACCESS_TOKEN seen verbatim in
# https://github.com/jclusso/omniauth-linkedin-openid/issues/6; 65600 in
# https://github.com/xcarpentier/react-native-linkedin/issues/80).
REVOKED = {
    "status": 401,
    "serviceErrorCode": 65601,
    "code": "REVOKED_ACCESS_TOKEN",
    "message": "The token used in the request has been revoked by the user",
}
EXPIRED = {
    "serviceErrorCode": 65602,
    "code": "EXPIRED_ACCESS_TOKEN",
    "message": "The token used in the request has expired",
    "status": 401,
}
# 422 duplicate, verbatim from https://github.com/Arisamiga/Linkedin-RSS/issues/5
DUPLICATE = {
    "errorDetailType": "com.linkedin.common.error.BadRequest",
    "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
    "Content is a duplicate of urn:li:share:7141138937766391808",
    "errorDetails": {
        "inputErrors": [{"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}]
    },
    "status": 422,
}
# https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits (429, daily reset at midnight UTC)
THROTTLED = {
    "status": 429,
    "serviceErrorCode": 101,
    "code": "TOO_MANY_REQUESTS",
    "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
}


def publisher() -> LinkedInPublisher:
    return LinkedInPublisher(clock=fixed_clock)


def test_text_post_sends_versioned_headers_and_reads_restli_id(api: respx.MockRouter) -> None:
    route = api.post(POSTS).respond(201, headers={"x-restli-id": SHARE})

    result = publisher().publish(ACCOUNT, CREDS, PublishContent(text="Spring is here (finally)!"))

    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["linkedin-version"] == DEFAULT_VERSION
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    assert json.loads(request.content) == {
        "author": AUTHOR,
        "commentary": "Spring is here \\(finally\\)!",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert result.platform_post_id == SHARE
    assert result.url == f"https://www.linkedin.com/feed/update/{SHARE}/"


def test_account_version_overrides_default(api: respx.MockRouter) -> None:
    route = api.post(POSTS).respond(201, headers={"x-restli-id": SHARE})
    account = ACCOUNT.model_copy(update={"settings": {"authorUrn": AUTHOR, "linkedinVersion": "202601"}})

    publisher().publish(account, CREDS, PublishContent(text="hi"))

    assert route.calls.last.request.headers["linkedin-version"] == "202601"


def test_image_post_initializes_uploads_then_posts(api: respx.MockRouter) -> None:
    init = api.post(IMAGES, params={"action": "initializeUpload"}).respond(200, json=INITIALIZED)
    put = api.put(UPLOAD_URL).respond(201)
    post = api.post(POSTS).respond(201, headers={"x-restli-id": SHARE})

    content = PublishContent(text="New kit", media=PNG, media_mime_type="image/png", alt_text="A blue tent")
    publisher().publish(ACCOUNT, CREDS, content)

    assert json.loads(init.calls.last.request.content) == {"initializeUploadRequest": {"owner": AUTHOR}}
    assert init.calls.last.request.headers["linkedin-version"] == DEFAULT_VERSION
    assert put.calls.last.request.content == PNG
    assert put.calls.last.request.headers["content-type"] == "image/png"
    assert json.loads(post.calls.last.request.content)["content"] == {
        "media": {"id": IMAGE_URN, "altText": "A blue tent"}
    }


@pytest.mark.parametrize("body", [REVOKED, EXPIRED])
def test_revoked_or_expired_token(api: respx.MockRouter, body: dict[str, object]) -> None:
    api.post(POSTS).respond(401, json=body)

    with pytest.raises(PublishAuthExpired) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))
    assert str(body["serviceErrorCode"]) in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_rate_limited_waits_until_utc_midnight(api: respx.MockRouter) -> None:
    api.post(POSTS).respond(429, json=THROTTLED)

    with pytest.raises(PublishRateLimited) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))
    assert caught.value.retry_after == 12 * 3600  # the fixed clock is 12:00 UTC


def test_rate_limited_prefers_retry_after(api: respx.MockRouter) -> None:
    api.post(POSTS).respond(429, json=THROTTLED, headers={"Retry-After": "120"})

    with pytest.raises(PublishRateLimited) as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))
    assert caught.value.retry_after == 120


def test_duplicate_is_rejected_with_linkedin_reason(api: respx.MockRouter) -> None:
    api.post(POSTS).respond(422, json=DUPLICATE)

    with pytest.raises(PublishRejected, match="duplicate") as caught:
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))
    assert "DUPLICATE_POST" in str(caught.value)


def test_bad_request_is_rejected(api: respx.MockRouter) -> None:
    body = {"message": "/commentary :: Field Value validation failed in REQUEST_BODY", "status": 400}
    api.post(POSTS).respond(400, json=body)

    with pytest.raises(PublishRejected, match="commentary"):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))


def test_server_error_is_unavailable(api: respx.MockRouter) -> None:
    api.post(POSTS).respond(504, json={"message": "Gateway Timeout", "status": 504})

    with pytest.raises(PublishUnavailable):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi"))


def test_missing_author_or_video_is_rejected_before_any_call(api: respx.MockRouter) -> None:
    no_author = ACCOUNT.model_copy(update={"settings": {}})
    with pytest.raises(PublishRejected, match="authorUrn"):
        publisher().publish(no_author, CREDS, PublishContent(text="hi"))
    with pytest.raises(PublishRejected, match="image"):
        publisher().publish(ACCOUNT, CREDS, PublishContent(text="hi", media=b"x", media_mime_type="video/mp4"))
    assert not api.calls


def test_escape_commentary_reserved_characters() -> None:
    assert escape_commentary("a_b *c* [d] {e} <f> @g ~i | \\ x#y") == (
        "a\\_b \\*c\\* \\[d\\] \\{e\\} \\<f\\> \\@g \\~i \\| \\\\ x\\#y"
    )


def test_escape_commentary_keeps_hashtags_as_templates() -> None:
    assert escape_commentary("Get out there #TrailReady (now)") == ("Get out there {hashtag|\\#|TrailReady} \\(now\\)")
