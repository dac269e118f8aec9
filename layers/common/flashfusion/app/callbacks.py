"""Callbacks: a request's ``callbackUrl`` receives a signed POST when the request needs review and when it
ends (succeeded, failed, cancelled, rejected, review expired, queued for budget).

The POST is signed as the webhook publisher signs (``X-FlashFusion-Signature: t=<unix>,v1=<HMAC-SHA256 of
"t." + body>`` with the organisation's callback secret) and carries ``Idempotency-Key: <requestId>:<event>``
so a receiver can drop repeats. The URL passes the outbound policy at every send (https, public addresses
only, no redirects followed). A 2xx is delivered; a 429, a 5xx or no answer raises ``CallbackFailed`` so the
invocation is retried with backoff (Lambda's asynchronous retries, then the dead-letter queue); any other
answer is the receiver refusing: recorded, not retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.roles import require_admin
from flashfusion.errors import FlashFusionError, Forbidden, UnsafeDestination
from flashfusion.models import RequestStatus
from flashfusion.observability import logger
from flashfusion.outbound import check_url
from flashfusion.publishers.webhook import SIGNATURE_HEADER, sign

TIMEOUT_SECONDS = 10.0
EVENTS = {
    RequestStatus.NEEDS_REVIEW: "request.needs_review",
    RequestStatus.SUCCEEDED: "request.succeeded",
    RequestStatus.FAILED: "request.failed",
    RequestStatus.CANCELLED: "request.cancelled",
    RequestStatus.REJECTED: "request.rejected",
    RequestStatus.REVIEW_EXPIRED: "request.review_expired",
    RequestStatus.QUEUED: "request.queued",
}


class CallbackFailed(FlashFusionError):
    """The receiver did not take the callback (429, 5xx, no answer): the invocation is retried."""


def rotate_secret(caller: Caller, deps: Deps) -> str:
    """A new signing secret for the organisation's callbacks (admin role); the previous one stops signing."""
    require_admin(caller, deps, "creating the callback signing secret")
    if deps.callback_secrets is None:
        raise Forbidden("callbacks are not available in this deployment")
    secret = deps.callback_secrets.rotate(caller.org_id)
    logger.info("callback secret rotated", extra={"orgId": caller.org_id, "by": caller.user_id})
    deps.emit("CallbackSecretRotated", {"orgId": caller.org_id, "by": caller.user_id})
    return secret


def default_client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)


def payload(item: dict[str, Any], event: str) -> dict[str, Any]:
    request_id = str(item["requestId"])
    body: dict[str, Any] = {
        "event": event,
        "requestId": request_id,
        "status": item.get("status"),
        "statusUrl": f"/v1/requests/{request_id}",
        "occurredAt": item.get("updatedAt"),
    }
    if item.get("asset"):
        body["asset"] = item["asset"]
    if item.get("error"):
        body["error"] = item["error"]
    review = item.get("review") or {}
    if event == EVENTS[RequestStatus.NEEDS_REVIEW] and review.get("reviewId"):
        body["reviewUrl"] = f"/v1/reviews/{review['reviewId']}"
    return body


def deliver(
    org_id: str,
    request_id: str,
    deps: Deps,
    *,
    expect: RequestStatus | None = None,
    client: Callable[[], httpx.Client] = default_client,
) -> str:
    """Send the request's callback for its current status; what happened, in a word."""
    item = deps.requests.get_item(org_id, request_id)
    url = ((item or {}).get("request") or {}).get("callbackUrl")
    if not item or not url:
        return "none"
    try:
        status = RequestStatus(str(item.get("status")))
    except ValueError:
        return "none"
    if expect is not None and status != expect:
        return "stale"  # the request moved on (a review decided at once): that status has its own callback
    event = EVENTS.get(status)
    if event is None:
        return "not-final"
    secret = deps.callback_secrets.get(org_id) if deps.callback_secrets is not None else None
    if secret is None:
        logger.warning("callback not sent: no signing secret", extra={"requestId": request_id})
        return "no-secret"
    try:
        target = check_url(str(url))
    except UnsafeDestination as error:
        logger.warning("callback not sent: unsafe URL", extra={"requestId": request_id, "reason": str(error)})
        return "refused-url"
    body = json.dumps(payload(item, event), separators=(",", ":"), default=str).encode("utf-8")
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "FlashFusion-Callbacks/1",
        "Idempotency-Key": f"{request_id}:{event}",
        SIGNATURE_HEADER: f"t={stamp},v1={sign(body, secret, stamp)}",
    }
    try:
        with client() as http:
            response = http.post(target, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise CallbackFailed(f"callback for {request_id} ({event}) got no answer: {type(error).__name__}") from error
    if response.status_code == 429 or response.status_code >= 500:
        raise CallbackFailed(f"callback for {request_id} ({event}): the receiver answered {response.status_code}")
    if not 200 <= response.status_code < 300:
        logger.warning(
            "callback refused by the receiver", extra={"requestId": request_id, "status": response.status_code}
        )
        return "refused"
    return "delivered"
