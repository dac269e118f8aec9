"""Mastodon (and compatible servers) through the REST API of the account's instance.

settings["instanceUrl"] (https), credentials["accessToken"] (a user token with write:media and
write:statuses). Media: ``POST /api/v2/media`` (multipart ``file`` + ``description``); 200 means
processed, 202 means still processing, polled with ``GET /api/v1/media/:id`` (206 while processing,
200 when done; bounded). Then ``POST /api/v1/statuses`` with ``status`` and ``media_ids[]``, and the
post's idempotency key as ``Idempotency-Key``: Mastodon keeps keys for an hour and answers a repeat
with the first status, so a retried publish does not post twice.

Errors: 401 ``{"error": "The access token is invalid"}`` (and 403) -> PublishAuthExpired; 429 ->
PublishRateLimited until ``X-RateLimit-Reset`` (an ISO 8601 timestamp); 422 ``{"error": "Validation
failed: ..."}`` and other 4xx -> PublishRejected; 5xx -> PublishUnavailable.

Docs: https://docs.joinmastodon.org/methods/media/, https://docs.joinmastodon.org/methods/statuses/#create,
https://docs.joinmastodon.org/api/rate-limits/, https://docs.joinmastodon.org/entities/Error/.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from flashfusion.errors import PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import (
    HttpPublisher,
    body_json,
    first_string,
    guarded,
    json_object,
    reset_seconds,
    retry_after_seconds,
    status_error,
)
from flashfusion.scheduling.models import PlatformAccount

PLATFORM = "mastodon"
MAX_MEDIA_POLLS = 20
MEDIA_POLL_S = 2.0


class MastodonPublisher(HttpPublisher):
    platform = PLATFORM

    def __init__(self, *, max_media_polls: int = MAX_MEDIA_POLLS, **plumbing: Any) -> None:
        super().__init__(**plumbing)
        self._max_media_polls = max_media_polls

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        token = self._credential(credentials, "accessToken")
        instance = account.settings.get("instanceUrl", "").rstrip("/")
        parts = urlsplit(instance)
        if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
            raise PublishRejected("mastodon: settings.instanceUrl must be https://<host>", platform=PLATFORM)
        instance = self._destination(instance, "instanceUrl")
        headers = {"Authorization": f"Bearer {token}"}
        with guarded(PLATFORM, [token]), self._client_factory() as client:
            form: dict[str, Any] = {"status": content.text}
            if content.media:
                form["media_ids[]"] = [self._upload(client, instance, headers, content)]
            status_headers = dict(headers)
            if content.idempotency_key:
                status_headers["Idempotency-Key"] = content.idempotency_key
            response = client.post(f"{instance}/api/v1/statuses", data=form, headers=status_headers)
            self._check(response)
            body = json_object(response, PLATFORM)
        status_id, url = body.get("id"), body.get("url")
        if not isinstance(status_id, str) or not status_id:
            raise PublishUnavailable("mastodon answered without a status id", platform=PLATFORM)
        return PublishResult(
            platform_post_id=status_id,
            url=url if isinstance(url, str) else None,
            raw={k: body.get(k) for k in ("id", "uri", "url", "created_at", "visibility")},
        )

    def _upload(self, client: httpx.Client, instance: str, headers: dict[str, str], content: PublishContent) -> str:
        assert content.media is not None
        data = {"description": content.alt_text} if content.alt_text else {}
        response = client.post(
            f"{instance}/api/v2/media",
            files={"file": (content.media_name or "media", content.media, content.media_mime_type)},
            data=data,
            headers=headers,
        )
        self._check(response)
        media_id = json_object(response, PLATFORM).get("id")
        if not isinstance(media_id, str) or not media_id:
            raise PublishUnavailable("mastodon media upload answered without an id", platform=PLATFORM)
        if response.status_code == 202:
            self._wait_for_media(client, instance, headers, media_id)
        return media_id

    def _wait_for_media(self, client: httpx.Client, instance: str, headers: dict[str, str], media_id: str) -> None:
        for _ in range(self._max_media_polls):
            self._sleep(MEDIA_POLL_S)
            response = client.get(f"{instance}/api/v1/media/{media_id}", headers=headers)
            self._check(response)
            if response.status_code == 200:
                return  # 206 Partial Content: still processing
        raise PublishUnavailable("mastodon media still processing after the polls allowed", platform=PLATFORM)

    def _check(self, response: httpx.Response) -> None:
        if response.status_code < 300:
            return
        reason = first_string(body_json(response), "error", "error_description") or response.reason_phrase
        now = self._clock()
        retry_after = None
        if response.status_code == 429:
            retry_after = reset_seconds(response.headers.get("x-ratelimit-reset"), now)
            if retry_after is None:
                retry_after = retry_after_seconds(response.headers.get("retry-after"), now)
        raise status_error(response, PLATFORM, reason, retry_after=retry_after)
