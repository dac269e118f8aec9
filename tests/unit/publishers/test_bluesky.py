"""The Bluesky publisher against a mocked PDS, with the XRPC shapes the AT Protocol docs give."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
import respx

from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.bluesky import (
    BlueskyPublisher,
    facets_for,
    grapheme_count,
)
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import NOW_EPOCH, PNG, fixed_clock

PDS = "https://bsky.social/xrpc"
DID = "did:plc:u5cwb2mwiv2bfq53cjufe6yn"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
ACCOUNT = PlatformAccount(account_id="acc-bsky", platform="bluesky", handle="@aurora.bsky.social")
PASSWORD_CREDS = {"identifier": "aurora.bsky.social", "appPassword": APP_PASSWORD}


def jwt(sub: str, tag: str) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    header = part({"alg": "ES256K", "typ": "at+jwt"})
    return f"{header}.{part({'scope': 'com.atproto.appPass', 'sub': sub, 'jti': tag})}.c2lnbmF0dXJl"


ACCESS = jwt(DID, "access-1")
REFRESH = jwt(DID, "refresh-1")
NEW_ACCESS = jwt(DID, "access-2")
NEW_REFRESH = jwt(DID, "refresh-2")

# https://docs.bsky.app/docs/api/com-atproto-server-create-session (output: accessJwt, refreshJwt, handle, did)
SESSION = {"accessJwt": ACCESS, "refreshJwt": REFRESH, "handle": "aurora.bsky.social", "did": DID, "active": True}
REFRESHED = {"accessJwt": NEW_ACCESS, "refreshJwt": NEW_REFRESH, "handle": "aurora.bsky.social", "did": DID}
# https://docs.bsky.app/docs/advanced-guides/posts (createRecord -> uri + cid)
CREATED = {
    "uri": f"at://{DID}/app.bsky.feed.post/3k4duaz5vfs2b",
    "cid": "bafyreibjifzpqj6o6wcq3hejh7y4z4z2vmiklkvykc57tw3pcbx3kxifpm",
}
# https://docs.bsky.app/docs/advanced-guides/posts#images-embeds (uploadBlob -> blob)
BLOB = {
    "$type": "blob",
    "ref": {"$link": "bafkreibabalobzn6cd366ukcsjycp4yymjymgfxcv6xczmlgpemzkz3cfa"},
    "mimeType": "image/png",
    "size": len(PNG),
}
# XRPC error bodies, verbatim from https://github.com/Preloading/TwitterAPIBridge/issues/2 and
# https://github.com/MarshalX/atproto/issues/158 (ratelimit-* headers alongside).
EXPIRED = {"error": "ExpiredToken", "message": "Token has expired"}
REVOKED = {"error": "ExpiredToken", "message": "Token has been revoked"}
BAD_PASSWORD = {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
RATE_LIMITED = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}


def publisher(sink: list[dict[str, str]] | None = None) -> BlueskyPublisher:
    return BlueskyPublisher(clock=fixed_clock, session_sink=sink.append if sink is not None else None)


def test_text_post_with_app_password(api: respx.MockRouter) -> None:
    session = api.post(f"{PDS}/com.atproto.server.createSession").respond(200, json=SESSION)
    create = api.post(f"{PDS}/com.atproto.repo.createRecord").respond(200, json=CREATED)

    result = publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text="Hello from the trail"))

    assert json.loads(session.calls.last.request.content) == {
        "identifier": "aurora.bsky.social",
        "password": APP_PASSWORD,
    }
    request = create.calls.last.request
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert json.loads(request.content) == {
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "Hello from the trail",
            "createdAt": "2026-03-02T12:00:00.000Z",
        },
    }
    assert result.platform_post_id == CREATED["uri"]
    assert result.url == "https://bsky.app/profile/aurora.bsky.social/post/3k4duaz5vfs2b"


def test_facets_use_utf8_byte_offsets_with_emoji(api: respx.MockRouter) -> None:
    text = "🌲 Trail time! https://aurora.example/spring. #TrailReady ✨ #2026"
    session = api.post(f"{PDS}/com.atproto.server.createSession").respond(200, json=SESSION)
    create = api.post(f"{PDS}/com.atproto.repo.createRecord").respond(200, json=CREATED)

    publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text=text))

    assert session.called
    facets = json.loads(create.calls.last.request.content)["record"]["facets"]
    # "🌲" is 4 bytes, so the link starts at byte 17 though it is character 14.
    assert facets == [
        {
            "index": {"byteStart": 17, "byteEnd": 46},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://aurora.example/spring"}],
        },
        {
            "index": {"byteStart": 48, "byteEnd": 59},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "TrailReady"}],
        },
    ]
    encoded = text.encode()
    assert encoded[17:46].decode() == "https://aurora.example/spring"
    assert encoded[48:59].decode() == "#TrailReady"


def test_image_post_uploads_blob_then_embeds_with_alt(api: respx.MockRouter) -> None:
    api.post(f"{PDS}/com.atproto.server.createSession").respond(200, json=SESSION)
    upload = api.post(f"{PDS}/com.atproto.repo.uploadBlob").respond(200, json={"blob": BLOB})
    create = api.post(f"{PDS}/com.atproto.repo.createRecord").respond(200, json=CREATED)

    content = PublishContent(text="New kit", media=PNG, media_mime_type="image/png", alt_text="A blue tent at dusk")
    publisher().publish(ACCOUNT, PASSWORD_CREDS, content)

    request = upload.calls.last.request
    assert request.content == PNG
    assert request.headers["content-type"] == "image/png"
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert json.loads(create.calls.last.request.content)["record"]["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [{"alt": "A blue tent at dusk", "image": BLOB}],
    }


def test_stored_session_refreshes_once_on_expired_token(api: respx.MockRouter) -> None:
    create = api.post(f"{PDS}/com.atproto.repo.createRecord")
    create.side_effect = [httpx.Response(400, json=EXPIRED), httpx.Response(200, json=CREATED)]
    refresh = api.post(f"{PDS}/com.atproto.server.refreshSession").respond(200, json=REFRESHED)
    sink: list[dict[str, str]] = []

    result = publisher(sink).publish(ACCOUNT, {"accessJwt": ACCESS, "refreshJwt": REFRESH}, PublishContent(text="hi"))

    assert refresh.calls.last.request.headers["authorization"] == f"Bearer {REFRESH}"
    assert [call.request.headers["authorization"] for call in create.calls] == [
        f"Bearer {ACCESS}",
        f"Bearer {NEW_ACCESS}",
    ]
    assert json.loads(create.calls.last.request.content)["repo"] == DID  # read from the JWT's sub
    assert sink == [{"accessJwt": NEW_ACCESS, "refreshJwt": NEW_REFRESH, "did": DID, "handle": "aurora.bsky.social"}]
    assert result.platform_post_id == CREATED["uri"]


def test_refresh_failing_is_auth_expired(api: respx.MockRouter) -> None:
    api.post(f"{PDS}/com.atproto.repo.createRecord").respond(400, json=EXPIRED)
    api.post(f"{PDS}/com.atproto.server.refreshSession").respond(400, json=REVOKED)

    with pytest.raises(PublishAuthExpired, match="revoked") as caught:
        publisher().publish(ACCOUNT, {"accessJwt": ACCESS, "refreshJwt": REFRESH}, PublishContent(text="hi"))
    assert ACCESS not in str(caught.value)
    assert REFRESH not in str(caught.value)


def test_expired_token_twice_is_not_refreshed_again(api: respx.MockRouter) -> None:
    create = api.post(f"{PDS}/com.atproto.repo.createRecord").respond(400, json=EXPIRED)
    refresh = api.post(f"{PDS}/com.atproto.server.refreshSession").respond(200, json=REFRESHED)

    with pytest.raises(PublishAuthExpired):
        publisher().publish(ACCOUNT, {"accessJwt": ACCESS, "refreshJwt": REFRESH}, PublishContent(text="hi"))
    assert refresh.call_count == 1
    assert create.call_count == 2


def test_wrong_app_password_is_auth_expired(api: respx.MockRouter) -> None:
    api.post(f"{PDS}/com.atproto.server.createSession").respond(401, json=BAD_PASSWORD)

    with pytest.raises(PublishAuthExpired, match="Invalid identifier or password") as caught:
        publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text="hi"))
    assert APP_PASSWORD not in str(caught.value)


def test_rate_limited_uses_ratelimit_reset(api: respx.MockRouter) -> None:
    headers = {
        "ratelimit-limit": "30",
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(NOW_EPOCH + 240),
        "ratelimit-policy": "30;w=300",
    }
    api.post(f"{PDS}/com.atproto.server.createSession").respond(429, json=RATE_LIMITED, headers=headers)

    with pytest.raises(PublishRateLimited) as caught:
        publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text="hi"))
    assert caught.value.retry_after == 240


def test_invalid_record_is_rejected_with_reason(api: respx.MockRouter) -> None:
    api.post(f"{PDS}/com.atproto.server.createSession").respond(200, json=SESSION)
    body = {
        "error": "InvalidRequest",
        "message": "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
    }
    api.post(f"{PDS}/com.atproto.repo.createRecord").respond(400, json=body)

    with pytest.raises(PublishRejected, match="300 graphemes"):
        publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text="hi"))


def test_server_error_is_unavailable(api: respx.MockRouter) -> None:
    api.post(f"{PDS}/com.atproto.server.createSession").respond(200, json=SESSION)
    api.post(f"{PDS}/com.atproto.repo.createRecord").respond(
        502, json={"error": "UpstreamFailure", "message": "Upstream Failure"}
    )

    with pytest.raises(PublishUnavailable):
        publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text="hi"))


def test_grapheme_limit_is_checked_before_any_call(api: respx.MockRouter) -> None:
    thumbs = "👍🏽"  # two code points, one grapheme
    assert grapheme_count(thumbs * 300) == 300
    api.post(f"{PDS}/com.atproto.server.createSession").respond(200, json=SESSION)
    api.post(f"{PDS}/com.atproto.repo.createRecord").respond(200, json=CREATED)
    publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text=thumbs * 300))

    before = len(api.calls)
    with pytest.raises(PublishRejected, match="300 graphemes"):
        publisher().publish(ACCOUNT, PASSWORD_CREDS, PublishContent(text=thumbs * 301))
    assert len(api.calls) == before


def test_custom_pds_and_hashtag_inside_url_is_not_a_tag(api: respx.MockRouter) -> None:
    account = ACCOUNT.model_copy(update={"settings": {"pdsUrl": "https://pds.aurora.example/"}})
    api.post("https://pds.aurora.example/xrpc/com.atproto.server.createSession").respond(200, json=SESSION)
    create = api.post("https://pds.aurora.example/xrpc/com.atproto.repo.createRecord").respond(200, json=CREATED)

    publisher().publish(account, PASSWORD_CREDS, PublishContent(text="See https://aurora.example/a#b"))

    facets = json.loads(create.calls.last.request.content)["record"]["facets"]
    assert [f["features"][0]["$type"] for f in facets] == ["app.bsky.richtext.facet#link"]


def test_facets_for_plain_text_is_empty() -> None:
    assert facets_for("no links or tags here, just #1") == []


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        ("hello", 5),
        ("👍🏽", 1),  # skin tone modifier
        ("👩\u200d💻", 1),  # ZWJ sequence
        ("🇫🇷🇯🇵", 2),  # flags are pairs of regional indicators
        ("e\u0301te\u0301", 3),  # combining acute accents: "été"
        ("❤\ufe0f", 1),  # variation selector
    ],
)
def test_grapheme_counts(text: str, graphemes: int) -> None:
    assert grapheme_count(text) == graphemes
