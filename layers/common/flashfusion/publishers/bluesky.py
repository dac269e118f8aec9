"""Bluesky through the AT Protocol XRPC API of the account's PDS (settings["pdsUrl"], default bsky.social).

Session: credentials["identifier"] + credentials["appPassword"] -> ``com.atproto.server.createSession``,
or a stored credentials["accessJwt"] / ["refreshJwt"] (+ ["did"]). An ``ExpiredToken`` answer is
refreshed once with ``com.atproto.server.refreshSession`` (the refresh JWT as bearer) and the call
retried; a second failure is PublishAuthExpired. The refresh rotates both tokens: pass
``session_sink`` to persist the new pair (it receives accessJwt, refreshJwt, did, handle).

Post: ``com.atproto.repo.uploadBlob`` for an image (raw bytes, its MIME type), then
``com.atproto.repo.createRecord`` with an ``app.bsky.feed.post`` record: text, createdAt, facets for
links and hashtags (byte offsets into the UTF-8 text, not character offsets), and an
``app.bsky.embed.images`` embed with alt text. Text over 300 graphemes, or an image over the 1,000,000
byte blob limit, is rejected before any call.

Docs: https://docs.bsky.app/docs/advanced-guides/posts, https://docs.bsky.app/docs/tutorials/creating-a-post,
https://docs.bsky.app/docs/api/com-atproto-server-create-session,
https://docs.bsky.app/docs/api/com-atproto-server-refresh-session,
https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob,
https://docs.bsky.app/docs/advanced-guides/rate-limits.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC
from typing import Any

import httpx

from flashfusion.errors import PublishAuthExpired, PublishRejected, PublishUnavailable
from flashfusion.linting.counting.graphemes import grapheme_count
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import (
    Clock,
    HttpPublisher,
    body_json,
    first_string,
    guarded,
    json_object,
    seconds_until_epoch,
    status_error,
)
from flashfusion.scheduling.models import PlatformAccount

PLATFORM = "bluesky"
DEFAULT_PDS = "https://bsky.social"
MAX_GRAPHEMES = 300
MAX_IMAGE_BYTES = 1_000_000
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
AUTH_ERRORS = frozenset({"AuthenticationRequired", "AccountTakedown", "AuthFactorTokenRequired"})

SessionSink = Callable[[dict[str, str]], None]


_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?:(?<=\s)|^)#([^\s#]+)")
_TRAILING = ".,;:!?)]}'\""


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def facets_for(text: str) -> list[dict[str, Any]]:
    """Link and hashtag facets with UTF-8 byte offsets (what the app.bsky.richtext.facet lexicon wants)."""
    facets: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(url)
        taken.append((start, end))
        facets.append(
            {
                "index": {"byteStart": _byte_offset(text, start), "byteEnd": _byte_offset(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        start = match.start()
        end = match.start(1) + len(tag)
        if not tag or tag.isdigit() or len(tag) > 64 or any(a <= start < b for a, b in taken):
            continue
        facets.append(
            {
                "index": {"byteStart": _byte_offset(text, start), "byteEnd": _byte_offset(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    facets.sort(key=lambda facet: int(facet["index"]["byteStart"]))
    return facets


def _jwt_subject(token: str) -> str:
    """The DID a stored access JWT was issued to (read, not verified: the PDS verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ""
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) else ""


class BlueskyPublisher(HttpPublisher):
    platform = PLATFORM

    def __init__(self, *, session_sink: SessionSink | None = None, **plumbing: Any) -> None:
        super().__init__(**plumbing)
        self._session_sink = session_sink

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        if grapheme_count(content.text) > MAX_GRAPHEMES:
            raise PublishRejected(f"bluesky posts are at most {MAX_GRAPHEMES} graphemes", platform=PLATFORM)
        if content.media is not None:
            if not (content.media_mime_type or "").startswith("image/"):
                raise PublishRejected("bluesky: only image media is supported by this publisher", platform=PLATFORM)
            if len(content.media) > MAX_IMAGE_BYTES:
                raise PublishRejected(f"bluesky images are at most {MAX_IMAGE_BYTES} bytes", platform=PLATFORM)
        password = credentials.get("appPassword") or credentials.get("password", "")
        if not credentials.get("accessJwt") and not (credentials.get("identifier") and password):
            raise PublishRejected("bluesky: credentials need identifier + appPassword, or accessJwt", platform=PLATFORM)
        pds = self._destination(account.settings.get("pdsUrl") or DEFAULT_PDS, "pdsUrl")
        secrets = [credentials.get(k, "") for k in ("accessJwt", "refreshJwt")] + [password]
        with guarded(PLATFORM, secrets), self._client_factory() as client:
            call = _Session(client, pds, credentials, password, self._clock, self._session_sink)
            record: dict[str, Any] = {
                "$type": "app.bsky.feed.post",
                "text": content.text,
                "createdAt": self._clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            facets = facets_for(content.text)
            if facets:
                record["facets"] = facets
            if content.media is not None:
                uploaded = call.xrpc(
                    "com.atproto.repo.uploadBlob",
                    content=content.media,
                    headers={"Content-Type": content.media_mime_type or "application/octet-stream"},
                )
                blob = uploaded.get("blob")
                if not isinstance(blob, dict):
                    raise PublishUnavailable("bluesky uploadBlob answered without a blob", platform=PLATFORM)
                record["embed"] = {
                    "$type": "app.bsky.embed.images",
                    "images": [{"alt": content.alt_text or "", "image": blob}],
                }
            created = call.xrpc(
                "com.atproto.repo.createRecord",
                json={"repo": call.did, "collection": "app.bsky.feed.post", "record": record},
            )
        uri = created.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            raise PublishUnavailable("bluesky createRecord answered without an at:// uri", platform=PLATFORM)
        rkey = uri.rsplit("/", 1)[-1]
        handle = account.handle.lstrip("@") or call.did
        return PublishResult(
            platform_post_id=uri,
            url=f"https://bsky.app/profile/{handle}/post/{rkey}",
            raw={"uri": uri, "cid": created.get("cid")},
        )


class _Session:
    """One publish's XRPC session: bearer calls, one refresh on ExpiredToken, typed errors."""

    def __init__(
        self,
        client: httpx.Client,
        pds: str,
        credentials: dict[str, str],
        password: str,
        clock: Clock,
        sink: SessionSink | None,
    ) -> None:
        self._client = client
        self._pds = pds
        self._clock = clock
        self._sink = sink
        self._refreshed = False
        self.access = credentials.get("accessJwt", "")
        self.refresh = credentials.get("refreshJwt", "")
        self.did = credentials.get("did", "") or _jwt_subject(self.access)
        self.handle = ""
        if not self.access:
            self._adopt(
                self._post(
                    "com.atproto.server.createSession",
                    json={"identifier": credentials["identifier"], "password": password},
                )
            )
        if not self.did:
            raise PublishRejected("bluesky: no DID for the stored session (set credentials.did)", platform=PLATFORM)

    def _adopt(self, body: dict[str, Any]) -> None:
        access, refresh = body.get("accessJwt"), body.get("refreshJwt")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise PublishUnavailable("bluesky session answered without tokens", platform=PLATFORM)
        self.access, self.refresh = access, refresh
        self.did = str(body.get("did") or self.did)
        self.handle = str(body.get("handle") or "")

    def _post(self, nsid: str, *, bearer: str | None = None, **kwargs: Any) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}))
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        response = self._client.post(f"{self._pds}/xrpc/{nsid}", headers=headers, **kwargs)
        if response.status_code >= 300:
            raise self._error(response)
        return json_object(response, PLATFORM)

    def xrpc(self, nsid: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return self._post(nsid, bearer=self.access, **dict(kwargs))
        except PublishAuthExpired as error:
            if self._refreshed or not self.refresh or getattr(error, "xrpc_error", "") not in TOKEN_ERRORS:
                raise
        self._refreshed = True
        try:
            self._adopt(self._post("com.atproto.server.refreshSession", bearer=self.refresh))
        except PublishAuthExpired as error:
            raise PublishAuthExpired(f"bluesky session refresh failed: {error}", platform=PLATFORM) from None
        if self._sink is not None:
            self._sink({"accessJwt": self.access, "refreshJwt": self.refresh, "did": self.did, "handle": self.handle})
        return self._post(nsid, bearer=self.access, **dict(kwargs))

    def _error(self, response: httpx.Response) -> Exception:
        body = body_json(response)
        name = first_string(body, "error")
        reason = first_string(body, "message") or name or response.reason_phrase
        label = f"{name}: {reason}" if name and name != reason else reason
        if name in TOKEN_ERRORS or name in AUTH_ERRORS or response.status_code == 401:
            error = PublishAuthExpired(f"bluesky answered {response.status_code}: {label}", platform=PLATFORM)
            error.xrpc_error = name  # read by _Session.xrpc: only token errors are refreshed
            return error
        retry_after = seconds_until_epoch(response.headers.get("ratelimit-reset"), self._clock())
        return status_error(response, PLATFORM, label, retry_after=retry_after)
