"""What every HTTP vendor adapter shares: a client with timeouts, and vendor errors -> typed errors.

429 (and Retry-After) -> ProviderThrottled; 5xx, timeouts, connection failures -> ProviderUnavailable
or ProviderTimeout; 401/403 -> ProviderAuthError; other 4xx (content policy, bad request, unknown
model) -> ProviderRejected. The state machine retries the first three and falls back on the rest.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from flashfusion.errors import (
    ProviderAuthError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=5.0)
MAX_MESSAGE = 300


def make_client(
    base_url: str, headers: dict[str, str], timeout: httpx.Timeout = DEFAULT_TIMEOUT, *, follow_redirects: bool = True
) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers=headers, timeout=timeout, follow_redirects=follow_redirects)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds (RFC 9110 allows delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def vendor_message(response: httpx.Response) -> str:
    """The vendor's own error message when its body has one (most use {"error": {"message": ...}})."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:MAX_MESSAGE]
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            for key in ("message", "detail", "error", "status"):
                if isinstance(error.get(key), str):
                    return str(error[key])[:MAX_MESSAGE]
        if isinstance(error, str):
            return error[:MAX_MESSAGE]
        for key in ("message", "detail"):
            if isinstance(body.get(key), str):
                return str(body[key])[:MAX_MESSAGE]
    return response.text[:MAX_MESSAGE]


def raise_for_status(response: httpx.Response, provider: str, model: str) -> None:
    status = response.status_code
    if status < 400:
        return
    message = f"{provider} answered {status}: {vendor_message(response)}"
    if status == 429:
        raise ProviderThrottled(message, provider=provider, model=model, retry_after=retry_after_seconds(response))
    if status in (401, 403):
        raise ProviderAuthError(message, provider=provider, model=model)
    if status in (408, 504):
        raise ProviderTimeout(message, provider=provider, model=model)
    if status >= 500:
        raise ProviderUnavailable(message, provider=provider, model=model)
    raise ProviderRejected(message, provider=provider, model=model)


@contextmanager
def transport_errors(provider: str, model: str) -> Iterator[None]:
    """Network failures become typed errors (the response never arrived)."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise ProviderTimeout(f"{provider} did not answer in time: {error}", provider=provider, model=model) from error
    except httpx.TransportError as error:
        raise ProviderUnavailable(f"{provider} unreachable: {error}", provider=provider, model=model) from error
