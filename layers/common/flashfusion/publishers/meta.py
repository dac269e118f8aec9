"""Facebook Pages and Instagram (professional accounts) through the Graph API.

Facebook: ``POST /{page-id}/feed`` (message) for text, ``POST /{page-id}/photos`` (the image bytes as
``source``, or ``url`` when only a presigned URL is known, plus ``message``) for an image, with a Page
access token (credentials["pageAccessToken"], or "accessToken"); settings["pageId"].

Instagram: ``POST /{ig-user-id}/media`` with image_url (or media_type=REELS + video_url) and caption ->
a container id; a video container is polled with ``GET /{container-id}?fields=status_code`` until
FINISHED (bounded); then ``POST /{ig-user-id}/media_publish`` with creation_id. Instagram fetches the
media itself, so PublishContent.media_url (a presigned HTTPS URL) is required; settings["igUserId"],
credentials["accessToken"]. Tokens travel in the form body of POSTs (never a URL a log might keep).

Errors are ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``: 190/102 (and
the token subcodes) -> PublishAuthExpired; 4/17/32/613, the 80001-80014 business-use-case codes or
HTTP 429 -> PublishRateLimited, waiting ``estimated_time_to_regain_access`` minutes from the
X-Business-Use-Case-Usage / X-App-Usage / X-Page-Usage headers; 1/2, is_transient or 5xx ->
PublishUnavailable; anything else (100 invalid parameter, 368 policy block...) -> PublishRejected.

Docs: https://developers.facebook.com/docs/pages-api/posts,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container,
https://developers.facebook.com/docs/graph-api/guides/error-handling,
https://developers.facebook.com/docs/graph-api/overview/rate-limiting.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from flashfusion.errors import (
    PublishAuthExpired,
    PublishError,
    PublishRateLimited,
    PublishRejected,
    PublishUnavailable,
)
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import (
    Clock,
    HttpPublisher,
    body_json,
    guarded,
    json_object,
    retry_after_seconds,
    short,
)
from flashfusion.scheduling.models import PlatformAccount

GRAPH = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
AUTH_CODES = frozenset({102, 190})
# Subcodes that mean the token itself is dead (expired 463, password changed 460, invalid 467, ...).
AUTH_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
RATE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-page-usage", "x-ad-account-usage")
MAX_CONTAINER_POLLS = 20
CONTAINER_POLL_S = 3.0


def _regain_seconds(response: httpx.Response) -> float | None:
    """The longest estimated_time_to_regain_access (minutes) any usage header reports, in seconds."""
    minutes: list[float] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            value = node.get("estimated_time_to_regain_access")
            if isinstance(value, int | float) and not isinstance(value, bool):
                minutes.append(float(value))
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    for name in USAGE_HEADERS:
        raw = response.headers.get(name)
        if raw:
            try:
                collect(json.loads(raw))
            except ValueError:
                continue
    return max(minutes) * 60.0 if minutes else None


def graph_error(response: httpx.Response, platform: str, clock: Clock) -> PublishError:
    """The typed error for a failed Graph API response."""
    body = body_json(response)
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    reason = error.get("error_user_msg") or error.get("message") or response.reason_phrase
    tags = ", ".join(f"{k} {v}" for k, v in (("code", code), ("subcode", subcode)) if v is not None)
    message = short(f"{platform} answered {response.status_code}: {reason}" + (f" ({tags})" if tags else ""))
    status = response.status_code
    if code in AUTH_CODES or subcode in AUTH_SUBCODES:
        return PublishAuthExpired(message, platform=platform)
    if code in RATE_CODES or status == 429:
        retry_after = _regain_seconds(response)
        if retry_after is None:
            retry_after = retry_after_seconds(response.headers.get("retry-after"), clock())
        return PublishRateLimited(message, platform=platform, retry_after=retry_after)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500 or status == 408:
        return PublishUnavailable(message, platform=platform)
    if status < 400:
        return PublishUnavailable(message, platform=platform)
    return PublishRejected(message, platform=platform)


class _GraphPublisher(HttpPublisher):
    platform = "meta"

    def __init__(self, *, max_container_polls: int = MAX_CONTAINER_POLLS, **plumbing: Any) -> None:
        super().__init__(**plumbing)
        self._max_container_polls = max_container_polls

    def _base(self, account: PlatformAccount) -> str:
        return f"{GRAPH}/{account.settings.get('graphVersion', DEFAULT_VERSION)}"

    def _ok(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 300:
            raise graph_error(response, self.platform, self._clock)
        body = json_object(response, self.platform)
        if isinstance(body.get("error"), dict):  # batch-style answers can carry an error with a 200
            raise graph_error(response, self.platform, self._clock)
        return body

    def _setting(self, account: PlatformAccount, key: str) -> str:
        value = account.settings.get(key, "")
        if not value.isdigit():
            raise PublishRejected(
                f"{self.platform}: settings.{key} must be the numeric Graph API id", platform=self.platform
            )
        return value


class FacebookPagePublisher(_GraphPublisher):
    platform = "facebook"

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        token = self._credential(credentials, "pageAccessToken", "accessToken")
        page_id = self._setting(account, "pageId")
        has_image = bool(content.media) or bool(content.media_url)
        if has_image and not (content.media_mime_type or "image/").startswith("image/"):
            raise PublishRejected("facebook: only image media is supported by this publisher", platform=self.platform)
        base = self._base(account)
        with guarded(self.platform, [token]), self._client_factory() as client:
            if content.media:
                response = client.post(
                    f"{base}/{page_id}/photos",
                    data={"message": content.text, "access_token": token},
                    files={"source": (content.media_name or "image", content.media, content.media_mime_type)},
                )
            elif content.media_url:
                response = client.post(
                    f"{base}/{page_id}/photos",
                    data={"message": content.text, "url": content.media_url, "access_token": token},
                )
            else:
                response = client.post(f"{base}/{page_id}/feed", data={"message": content.text, "access_token": token})
            body = self._ok(response)
        # /photos answers {"id": photo id, "post_id": page post id}; /feed answers {"id": page post id}.
        post_id = body.get("post_id") or body.get("id")
        if not isinstance(post_id, str) or not post_id:
            raise PublishUnavailable("facebook answered without an id", platform=self.platform)
        return PublishResult(platform_post_id=post_id, url=f"https://www.facebook.com/{post_id}", raw=body)


class InstagramPublisher(_GraphPublisher):
    platform = "instagram"

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        token = credentials.get("accessToken", "")
        if not token:
            raise PublishRejected("instagram: credentials have no accessToken", platform=self.platform)
        ig_user = self._setting(account, "igUserId")
        if not content.media_url:
            # Instagram has no text-only posts and fetches media itself from a public URL.
            raise PublishRejected(
                "instagram needs an image or video (a media_url it can fetch)", platform=self.platform
            )
        if not content.media_url.startswith("https://"):
            raise PublishRejected("instagram: media_url must be HTTPS", platform=self.platform)
        video = (content.media_mime_type or "").startswith("video/")
        params: dict[str, str] = {"caption": content.text, "access_token": token}
        if video:
            params |= {"media_type": "REELS", "video_url": content.media_url}
        else:
            params["image_url"] = content.media_url
            if content.alt_text:
                params["alt_text"] = content.alt_text
        base = self._base(account)
        with guarded(self.platform, [token]), self._client_factory() as client:
            container = self._ok(client.post(f"{base}/{ig_user}/media", data=params)).get("id")
            if not isinstance(container, str) or not container:
                raise PublishUnavailable("instagram answered without a container id", platform=self.platform)
            if video:
                self._wait_until_finished(client, base, container, token)
            published = self._ok(
                client.post(f"{base}/{ig_user}/media_publish", data={"creation_id": container, "access_token": token})
            )
            media_id = published.get("id")
            if not isinstance(media_id, str) or not media_id:
                raise PublishUnavailable("instagram media_publish answered without an id", platform=self.platform)
            url = self._permalink(client, base, media_id, token)
        return PublishResult(platform_post_id=media_id, url=url, raw={"id": media_id, "containerId": container})

    def _wait_until_finished(self, client: httpx.Client, base: str, container: str, token: str) -> None:
        for attempt in range(self._max_container_polls):
            if attempt:
                self._sleep(CONTAINER_POLL_S)
            body = self._ok(
                client.get(f"{base}/{container}", params={"fields": "status_code,status", "access_token": token})
            )
            status = body.get("status_code")
            if status == "FINISHED":
                return
            if status in ("ERROR", "EXPIRED"):
                detail = body.get("status") if isinstance(body.get("status"), str) else status
                raise PublishRejected(f"instagram could not process the media: {detail}", platform=self.platform)
            if status == "PUBLISHED":
                return
        raise PublishUnavailable(
            "instagram container still IN_PROGRESS after the polls allowed", platform=self.platform
        )

    def _permalink(self, client: httpx.Client, base: str, media_id: str, token: str) -> str | None:
        # The post exists now: a failed lookup must not fail the publish (a retry would post twice).
        try:
            response = client.get(f"{base}/{media_id}", params={"fields": "permalink", "access_token": token})
            link = self._ok(response).get("permalink")
        except (PublishError, httpx.HTTPError):
            return None
        return link if isinstance(link, str) else None
