"""A generic signed webhook: the post as JSON to account.settings["url"], signed Stripe-style.

Body (UTF-8 JSON, exactly these keys)::

    {"postId", "platform", "text", "media": {"url", "mimeType", "sha256"} | null, "idempotencyKey", "sentAt"}

``postId`` is the content's ``post_id`` when PublishContent carries one, else the idempotency key
(stable per post and account).

Headers: ``Idempotency-Key`` and ``X-FlashFusion-Signature: t=<unix seconds>,v1=<hex>`` where
``v1 = HMAC-SHA256(key=credentials["signingSecret"], msg=f"{t}." + raw body bytes)``.

Verifying on the receiving side (what ``verify_signature`` does):

1. Read the raw request body before any JSON parsing (re-serialising changes the bytes).
2. Split the header on ",", take ``t`` and every ``v1`` (several during a secret rotation).
3. Reject when ``|now - t|`` exceeds the tolerance (300 s): it stops replays of captured requests.
4. Compute HMAC-SHA256 of ``f"{t}.".encode() + body`` with the shared secret, hex-encode it and
   compare with ``hmac.compare_digest`` against each ``v1``; accept on any match.
5. De-duplicate on ``Idempotency-Key``: a retried delivery carries the same key.

Answers: 2xx -> published (id from the response JSON ``id`` if any, else the idempotency key);
401/403 -> PublishAuthExpired; 429 (+Retry-After) -> PublishRateLimited; other 4xx ->
PublishRejected; 5xx, timeouts, connection errors, redirects -> PublishUnavailable.

Destination rules (no SSRF): ``flashfusion.outbound`` (https only, public hosts only, checked at send
time); redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flashfusion.errors import PublishRejected
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import (
    HttpPublisher,
    body_json,
    first_string,
    guarded,
    retry_after_seconds,
    status_error,
    utc_now,
)
from flashfusion.scheduling.models import PlatformAccount

PLATFORM = "webhook"
SIGNATURE_HEADER = "X-FlashFusion-Signature"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    body: bytes, header: str, secret: str, tolerance_s: int = 300, *, now: float | None = None
) -> bool:
    """True when ``header`` is a valid, fresh X-FlashFusion-Signature of ``body`` under ``secret``."""
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates or not secret:
        return False
    current = utc_now().timestamp() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = sign(body, secret, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


class WebhookPublisher(HttpPublisher):
    platform = PLATFORM

    def payload(self, account: PlatformAccount, content: PublishContent) -> dict[str, Any]:
        media: dict[str, Any] | None = None
        if content.media is not None or content.media_url:
            media = {
                "url": content.media_url,
                "mimeType": content.media_mime_type,
                "sha256": hashlib.sha256(content.media).hexdigest() if content.media is not None else None,
            }
        return {
            # PublishContent has no post id yet; the key is stable per (post, account), so it stands in.
            "postId": getattr(content, "post_id", None) or content.idempotency_key,
            "platform": account.platform,
            "text": content.text,
            "media": media,
            "idempotencyKey": content.idempotency_key,
            "sentAt": self._clock().isoformat().replace("+00:00", "Z"),
        }

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        secret = credentials.get("signingSecret", "")
        url = account.settings.get("url", "")
        if not secret:
            raise PublishRejected("webhook: credentials have no signingSecret", platform=PLATFORM)
        if not content.idempotency_key:
            raise PublishRejected("webhook: an idempotency key is required", platform=PLATFORM)
        url = self._destination(url, "url")
        body = json.dumps(self.payload(account, content), separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": content.idempotency_key,
            SIGNATURE_HEADER: sign(body, secret, int(self._clock().timestamp())),
            "User-Agent": "FlashFusion-Webhook/1",
        }
        with guarded(PLATFORM, [secret]), self._client_factory() as client:
            response = client.post(url, content=body, headers=headers)
        answer = body_json(response)
        if response.status_code >= 300 or response.status_code < 200:
            reason = first_string(answer, "error", "message", "detail") or response.reason_phrase
            if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
                reason = first_string(answer["error"], "message", "detail") or reason
            retry_after = retry_after_seconds(response.headers.get("retry-after"), self._clock())
            raise status_error(response, PLATFORM, reason, retry_after=retry_after)
        remote_id = answer.get("id") if isinstance(answer, dict) else None
        post_id = str(remote_id) if isinstance(remote_id, str | int) and remote_id != "" else content.idempotency_key
        link = answer.get("url") if isinstance(answer, dict) else None
        return PublishResult(
            platform_post_id=post_id,
            url=link if isinstance(link, str) else None,
            raw=answer if isinstance(answer, dict) else {},
        )
