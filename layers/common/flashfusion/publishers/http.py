"""What every HTTP publisher shares: a client with timeouts, reset-header parsing, status -> typed error.

The mapping every platform starts from (each adapter refines it with the platform's own error body):
401/403 -> PublishAuthExpired (the account needs re-authorising), 429 -> PublishRateLimited with the
platform's reset, 408 and 5xx, timeouts and connection failures -> PublishUnavailable, any other 4xx ->
PublishRejected with the platform's reason. Messages never carry a token: ``guarded`` scrubs every
secret of the call out of any PublishError raised inside it.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from flashfusion.errors import (
    PublishAuthExpired,
    PublishError,
    PublishRateLimited,
    PublishRejected,
    PublishUnavailable,
    UnsafeDestination,
)
from flashfusion.outbound import Resolver, check_url

# Publishing is a handful of small calls; media uploads get the longer write timeout.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=60.0, pool=5.0)
MAX_MESSAGE = 300
REDACTED = "[redacted]"

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
ClientFactory = Callable[[], httpx.Client]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_client_factory() -> httpx.Client:
    # Redirects are not followed: a redirect could carry the bearer token (or a webhook) somewhere else.
    return httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=False)


def no_sleep(_seconds: float) -> None:
    """For tests: polling loops run instantly."""


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)


# --- reset headers ------------------------------------------------------------------------------------


def _clamp(seconds: float) -> float:
    return max(0.0, seconds)


def seconds_until_epoch(value: str | None, now: datetime) -> float | None:
    """A reset given as Unix epoch seconds (X's x-rate-limit-reset, Bluesky's ratelimit-reset)."""
    if not value:
        return None
    try:
        return _clamp(float(value) - now.timestamp())
    except ValueError:
        return None


def seconds_until_iso(value: str | None, now: datetime) -> float | None:
    """A reset given as an ISO 8601 timestamp (Mastodon's X-RateLimit-Reset)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _clamp((parsed - now).total_seconds())


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as RFC 9110 allows it: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return _clamp(float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _clamp((parsed - now).total_seconds())


def reset_seconds(value: str | None, now: datetime) -> float | None:
    """Any of the shapes above, for headers whose format varies between servers.

    A number above 10^9 is an epoch (2001 onwards); a smaller one is a delay in seconds.
    """
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return seconds_until_iso(value, now) or retry_after_seconds(value, now)
    return seconds_until_epoch(value, now) if number > 1e9 else _clamp(number)


# --- bodies and messages ------------------------------------------------------------------------------


def body_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def json_object(response: httpx.Response, platform: str) -> dict[str, Any]:
    body = body_json(response)
    if not isinstance(body, dict):
        raise PublishUnavailable(
            f"{platform} answered {response.status_code} with a body that is not a JSON object", platform=platform
        )
    return body


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        # Short values ("1", "") would shred ordinary words; real tokens are long.
        if secret and len(secret) >= 6 and secret in text:
            text = text.replace(secret, REDACTED)
    return text


@contextmanager
def guarded(platform: str, secrets: Iterable[str]) -> Iterator[None]:
    """Network failures become PublishUnavailable, and no error leaves with a secret in its message."""
    secret_list = [s for s in secrets if s]
    try:
        yield
    except PublishError as error:
        error.args = (scrub(str(error), secret_list),)
        raise
    except httpx.TimeoutException as error:
        raise PublishUnavailable(
            scrub(f"{platform} did not answer in time ({type(error).__name__})", secret_list), platform=platform
        ) from None
    except httpx.TransportError as error:
        raise PublishUnavailable(
            scrub(f"{platform} unreachable: {type(error).__name__}: {error}", secret_list), platform=platform
        ) from None


def status_error(
    response: httpx.Response,
    platform: str,
    reason: str,
    *,
    retry_after: float | None = None,
) -> PublishError:
    """The typed error for a failed response; ``reason`` is the platform's own words."""
    status = response.status_code
    message = short(f"{platform} answered {status}: {reason}" if reason else f"{platform} answered {status}")
    if status in (401, 403):
        return PublishAuthExpired(message, platform=platform)
    if status == 429:
        return PublishRateLimited(message, platform=platform, retry_after=retry_after)
    if status == 408 or status >= 500:
        return PublishUnavailable(message, platform=platform)
    if 300 <= status < 400:
        return PublishUnavailable(f"{message} (redirects are not followed)", platform=platform)
    return PublishRejected(message, platform=platform)


def first_string(body: Any, *keys: str) -> str:
    """The first string value among ``keys`` of a JSON object (error bodies name their reason differently)."""
    if isinstance(body, dict):
        for key in keys:
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


class HttpPublisher:
    """What every HTTP publisher keeps: the injected client factory, clock and sleep (tests replace them)."""

    platform = ""

    def __init__(
        self,
        *,
        client_factory: ClientFactory = default_client_factory,
        clock: Clock = utc_now,
        sleep: Sleep = real_sleep,
        resolver: Resolver | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._clock = clock
        self._sleep = sleep
        self._resolver = resolver

    def _destination(self, url: str, field: str) -> str:
        """``url`` (an account setting named ``field``) checked against the outbound-URL policy, at send
        time (DNS can change after the API accepted it); PublishRejected before any call otherwise."""
        try:
            return check_url(url, resolver=self._resolver)
        except UnsafeDestination as error:
            raise PublishRejected(f"{self.platform} settings.{field}: {error}", platform=self.platform) from None

    def _credential(self, credentials: dict[str, str], *names: str) -> str:
        """The first of ``names`` the account's secret holds; refused before any call when it has none."""
        for name in names:
            if credentials.get(name):
                return credentials[name]
        raise PublishRejected(f"{self.platform}: credentials have no {names[0]}", platform=self.platform)
