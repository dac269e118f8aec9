"""X (Twitter) through API v2: optional media upload, then ``POST /2/tweets``.

Auth is an OAuth 2.0 user-context bearer token (credentials["accessToken"], scopes tweet.write,
users.read, media.write). Images go through the one-shot ``POST /2/media/upload`` (media_category
tweet_image); video and GIFs through the chunked flow ``/2/media/upload/initialize`` ->
``/{id}/append`` (one multipart part per segment) -> ``/{id}/finalize`` -> ``GET /2/media/upload
?command=STATUS`` until processing succeeds.

Docs: https://docs.x.com/x-api/posts/creation-of-a-post, https://docs.x.com/x-api/media/upload-media,
https://docs.x.com/x-api/media/media-upload-initialize, https://docs.x.com/x-api/media/get-media-upload-status,
https://docs.x.com/x-api/media/quickstart/media-upload-chunked, https://docs.x.com/fundamentals/rate-limits.
"""

from __future__ import annotations

from typing import Any

import httpx

from flashfusion.errors import PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import (
    HttpPublisher,
    body_json,
    first_string,
    guarded,
    json_object,
    seconds_until_epoch,
    status_error,
)
from flashfusion.scheduling.models import PlatformAccount

API = "https://api.x.com/2"
PLATFORM = "x"
# X takes segments up to 5 MB; 4 MiB keeps each APPEND well inside it.
CHUNK_SIZE = 4 * 1024 * 1024
MAX_STATUS_POLLS = 30
MAX_POLL_SLEEP_S = 10.0


class XPublisher(HttpPublisher):
    platform = PLATFORM

    def __init__(
        self, *, chunk_size: int = CHUNK_SIZE, max_status_polls: int = MAX_STATUS_POLLS, **plumbing: Any
    ) -> None:
        super().__init__(**plumbing)
        self._chunk_size = chunk_size
        self._max_status_polls = max_status_polls

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        token = self._credential(credentials, "accessToken")
        headers = {"Authorization": f"Bearer {token}"}
        with guarded(PLATFORM, [token]), self._client_factory() as client:
            body: dict[str, Any] = {"text": content.text}
            if content.media:
                media_id = self._upload(client, headers, content)
                body["media"] = {"media_ids": [media_id]}
            response = client.post(f"{API}/tweets", json=body, headers=headers)
            self._check(response)
            data = json_object(response, PLATFORM).get("data")
            post_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(post_id, str) or not post_id:
                raise PublishUnavailable("x answered without data.id", platform=PLATFORM)
        handle = account.handle.lstrip("@")
        return PublishResult(platform_post_id=post_id, url=f"https://x.com/{handle}/status/{post_id}", raw=data)

    # --- errors --------------------------------------------------------------------------------------

    def _check(self, response: httpx.Response) -> None:
        if response.status_code < 300:
            return
        body = body_json(response)
        # v2 errors are RFC 7807 problems ({"title", "detail", "type", "status"}); older paths answer
        # {"errors": [{"message", "code"}]}.
        reason = first_string(body, "detail", "title", "error")
        if not reason and isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
            reason = first_string(body["errors"][0], "detail", "message", "title")
        retry_after = seconds_until_epoch(response.headers.get("x-rate-limit-reset"), self._clock())
        if response.status_code == 403:
            # 403 on a create is X refusing the content (duplicate, policy), not the token.
            raise PublishRejected(f"x answered 403: {reason or 'forbidden'}", platform=PLATFORM)
        raise status_error(response, PLATFORM, reason or response.reason_phrase, retry_after=retry_after)

    # --- media ---------------------------------------------------------------------------------------

    def _upload(self, client: httpx.Client, headers: dict[str, str], content: PublishContent) -> str:
        assert content.media is not None
        mime = content.media_mime_type or "application/octet-stream"
        if mime.startswith("video/") or mime == "image/gif":
            return self._chunked(client, headers, content.media, mime)
        name = content.media_name or "image"
        response = client.post(
            f"{API}/media/upload",
            files={"media": (name, content.media, mime)},
            data={"media_category": "tweet_image", "media_type": mime},
            headers=headers,
        )
        self._check(response)
        return self._media_id(response)

    def _media_id(self, response: httpx.Response) -> str:
        data = json_object(response, PLATFORM).get("data")
        media_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(media_id, str) or not media_id:
            raise PublishUnavailable("x media upload answered without data.id", platform=PLATFORM)
        return media_id

    def _chunked(self, client: httpx.Client, headers: dict[str, str], media: bytes, mime: str) -> str:
        category = "tweet_gif" if mime == "image/gif" else "tweet_video"
        response = client.post(
            f"{API}/media/upload/initialize",
            json={"media_type": mime, "total_bytes": len(media), "media_category": category},
            headers=headers,
        )
        self._check(response)
        media_id = self._media_id(response)
        for index, start in enumerate(range(0, len(media), self._chunk_size)):
            chunk = media[start : start + self._chunk_size]
            response = client.post(
                f"{API}/media/upload/{media_id}/append",
                files={"media": ("chunk", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
                headers=headers,
            )
            self._check(response)
        response = client.post(f"{API}/media/upload/{media_id}/finalize", headers=headers)
        self._check(response)
        self._wait_for_processing(client, headers, media_id, json_object(response, PLATFORM))
        return media_id

    def _wait_for_processing(
        self, client: httpx.Client, headers: dict[str, str], media_id: str, body: dict[str, Any]
    ) -> None:
        for _ in range(self._max_status_polls + 1):
            data = body.get("data")
            info = data.get("processing_info") if isinstance(data, dict) else None
            if not isinstance(info, dict) or info.get("state") == "succeeded":
                return  # no processing_info: the media is ready as soon as FINALIZE answers
            if info.get("state") == "failed":
                error = info.get("error")
                reason = first_string(error, "message", "name") if isinstance(error, dict) else ""
                raise PublishRejected(f"x could not process the media: {reason or 'failed'}", platform=PLATFORM)
            wait = info.get("check_after_secs")
            self._sleep(min(float(wait), MAX_POLL_SLEEP_S) if isinstance(wait, int | float) else 1.0)
            response = client.get(
                f"{API}/media/upload", params={"command": "STATUS", "media_id": media_id}, headers=headers
            )
            self._check(response)
            body = json_object(response, PLATFORM)
        raise PublishUnavailable("x media still processing after the polls allowed", platform=PLATFORM)
