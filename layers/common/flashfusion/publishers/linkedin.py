"""LinkedIn through the versioned REST Posts API, with images through the Images API.

Every call carries ``LinkedIn-Version: YYYYMM`` (account.settings["linkedinVersion"] or
DEFAULT_VERSION) and ``X-Restli-Protocol-Version: 2.0.0``. The author is a person or organisation URN
(account.settings["authorUrn"]); the token is a 3-legged OAuth access token with w_member_social /
w_organization_social (credentials["accessToken"]). An image is ``POST /rest/images?action=
initializeUpload`` -> ``PUT`` the bytes to the returned uploadUrl -> the post with
``content.media.id`` = the image URN. The post URN comes back in the ``x-restli-id`` header (201).

Docs: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api,
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api,
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from flashfusion.errors import PublishAuthExpired, PublishRejected, PublishUnavailable
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.publishers.http import (
    HttpPublisher,
    body_json,
    first_string,
    guarded,
    json_object,
    retry_after_seconds,
    short,
    status_error,
)
from flashfusion.scheduling.models import PlatformAccount

API = "https://api.linkedin.com/rest"
PLATFORM = "linkedin"
# LinkedIn sunsets each monthly version about a year after release; override per account in settings.
DEFAULT_VERSION = "202510"
# serviceErrorCode values LinkedIn sends with 401 for an invalid, revoked or expired token.
TOKEN_ERROR_CODES = frozenset({65600, 65601, 65602})
# "little text" (the commentary format) reserves these; unescaped, a "(" can silently cut the post.
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")


_HASHTAG = re.compile(r"(?<!\w)#(\w+)")


def escape_commentary(text: str) -> str:
    """Plain text -> "little text": reserved characters escaped, #tags kept as hashtag templates."""
    out: list[str] = []
    last = 0
    for match in _HASHTAG.finditer(text):
        out.append(_RESERVED.sub(r"\\\1", text[last : match.start()]))
        out.append("{hashtag|\\#|" + _RESERVED.sub(r"\\\1", match.group(1)) + "}")
        last = match.end()
    out.append(_RESERVED.sub(r"\\\1", text[last:]))
    return "".join(out)


def _seconds_to_utc_midnight(now: datetime) -> float:
    # LinkedIn's daily limits reset at midnight UTC and its 429s carry no reset header.
    today = now.astimezone(UTC).date()
    midnight = datetime.combine(today + timedelta(days=1), time(0, 0), tzinfo=UTC)
    return max(0.0, (midnight - now).total_seconds())


class LinkedInPublisher(HttpPublisher):
    platform = PLATFORM

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        token = self._credential(credentials, "accessToken")
        author = account.settings.get("authorUrn", "")
        if not author.startswith(("urn:li:person:", "urn:li:organization:")):
            raise PublishRejected(
                "linkedin: settings.authorUrn must be a person or organization URN", platform=PLATFORM
            )
        if content.media and not (content.media_mime_type or "").startswith("image/"):
            raise PublishRejected("linkedin: only image media is supported by this publisher", platform=PLATFORM)
        headers = {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": account.settings.get("linkedinVersion", DEFAULT_VERSION),
            "X-Restli-Protocol-Version": "2.0.0",
        }
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_commentary(content.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        with guarded(PLATFORM, [token]), self._client_factory() as client:
            if content.media:
                image_urn = self._upload_image(client, headers, author, content.media, content.media_mime_type)
                media: dict[str, Any] = {"id": image_urn}
                if content.alt_text:
                    media["altText"] = content.alt_text
                body["content"] = {"media": media}
            response = client.post(f"{API}/posts", json=body, headers=headers)
            self._check(response)
            urn = response.headers.get("x-restli-id", "")
            if not urn:
                raise PublishUnavailable("linkedin created the post but sent no x-restli-id", platform=PLATFORM)
        return PublishResult(platform_post_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/", raw={"id": urn})

    def _upload_image(
        self, client: httpx.Client, headers: dict[str, str], owner: str, data: bytes, mime: str | None
    ) -> str:
        response = client.post(
            f"{API}/images",
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": owner}},
            headers=headers,
        )
        self._check(response)
        value = json_object(response, PLATFORM).get("value")
        upload_url = value.get("uploadUrl") if isinstance(value, dict) else None
        image = value.get("image") if isinstance(value, dict) else None
        if not isinstance(upload_url, str) or not isinstance(image, str):
            raise PublishUnavailable("linkedin initializeUpload answered without uploadUrl/image", platform=PLATFORM)
        if not upload_url.startswith("https://"):
            raise PublishUnavailable("linkedin upload URL is not HTTPS", platform=PLATFORM)
        put_headers = {"Authorization": headers["Authorization"], "Content-Type": mime or "application/octet-stream"}
        self._check(client.put(upload_url, content=data, headers=put_headers))
        return image

    def _check(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        body = body_json(response)
        reason = first_string(body, "message", "code")
        code = body.get("serviceErrorCode") if isinstance(body, dict) else None
        if isinstance(body, dict) and isinstance(body.get("errorDetails"), dict):
            inputs = body["errorDetails"].get("inputErrors")
            if isinstance(inputs, list) and inputs and isinstance(inputs[0], dict):
                detail = first_string(inputs[0], "code", "description")
                if detail and detail not in reason:
                    reason = f"{reason} ({detail})" if reason else detail
        if status == 401 or code in TOKEN_ERROR_CODES:
            suffix = f" [serviceErrorCode {code}]" if isinstance(code, int) else ""
            raise PublishAuthExpired(short(f"linkedin answered {status}: {reason}{suffix}"), platform=PLATFORM)
        retry_after = None
        if status == 429:
            now = self._clock()
            retry_after = retry_after_seconds(response.headers.get("retry-after"), now)
            if retry_after is None:
                retry_after = _seconds_to_utc_midnight(now)
        raise status_error(response, PLATFORM, reason or response.reason_phrase, retry_after=retry_after)
