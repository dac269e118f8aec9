"""What the vendor adapters share beyond providers.http: the API key, output downloads, redaction.

- ``fetch_api_key`` asks the context for a key at call time (never at import or construction), and
  turns a missing secret into ProviderAuthError so the workflow falls back instead of crashing.
- ``redacting`` is defence in depth: if a vendor ever echoes our key in an error body, the message
  that reaches logs and the Step Functions history says ``[redacted]`` instead.
- ``download`` fetches an output the vendor left at a (pre-signed) URL. It sends no credentials,
  because those URLs live on CDNs, not on the vendor's API host, and maps failures to the typed
  errors: an expired link (403/404) is ProviderUnavailable, since polling again yields a fresh link.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import httpx

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from flashfusion.models import ContentType
from flashfusion.providers.base import GenerationJob, ProviderContext
from flashfusion.providers.http import DEFAULT_TIMEOUT, make_client, retry_after_seconds, transport_errors

MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024
"""A 10-second 1080p clip is tens of MB; anything this large is a wrong URL, not an output."""
# The Generate and poll Lambdas have 110 s (template.yaml): a download must leave time to stage it.
DOWNLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=5.0)
REDACTED = "[redacted]"


def check_job(job: GenerationJob, provider: str, media: frozenset[ContentType]) -> None:
    """Refuse, before spending anything, a job this adapter or this model cannot serve."""
    spec = job.model
    problem = None
    if job.content_type != spec.medium:
        problem = f"{spec.vendor_model} makes {spec.medium.value}, not {job.content_type.value}"
    elif spec.medium not in media:
        problem = f"this adapter has no {spec.medium.value} models"
    elif len(job.prompt) > spec.limits.max_prompt_chars:
        problem = (
            f"the prompt is {len(job.prompt)} characters, {spec.vendor_model} takes {spec.limits.max_prompt_chars}"
        )
    if problem:
        raise ProviderRejected(f"{provider}: {problem}", provider=provider, model=spec.id)


def fetch_api_key(ctx: ProviderContext, provider: str, model: str) -> str:
    try:
        key = ctx.api_key(provider)
    except Exception as error:
        # Only the exception's type: a secret store's message names the secret, which is enough
        # for the operator and keeps any value out of the workflow history.
        raise ProviderAuthError(
            f"{provider}: no API key available ({type(error).__name__})", provider=provider, model=model
        ) from error
    if not key or not key.strip():
        raise ProviderAuthError(f"{provider}: the API key is empty", provider=provider, model=model)
    return key.strip()


@contextmanager
def redacting(secret: str) -> Iterator[None]:
    """Rewrite a ProviderError's message in place if it contains ``secret`` (type and fields kept)."""
    try:
        yield
    except ProviderError as error:
        text = str(error)
        if secret and secret in text:
            error.args = (text.replace(secret, REDACTED),)
        raise


def download(
    client: httpx.Client,
    url: str,
    *,
    provider: str,
    model: str,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    headers: dict[str, str] | None = None,
    follow_redirects: bool | None = None,
) -> tuple[bytes, str]:
    """The bytes at ``url`` and their content type. ``headers`` only for same-origin URLs."""
    with (
        transport_errors(provider, model),
        client.stream(
            "GET",
            url,
            headers=headers or {},
            timeout=DOWNLOAD_TIMEOUT,
            follow_redirects=client.follow_redirects if follow_redirects is None else follow_redirects,
        ) as response,
    ):
        if response.status_code >= 400:
            # The URL is left out of the message: pre-signed URLs carry their own credentials.
            message = f"{provider}: downloading the output failed with HTTP {response.status_code}"
            if response.status_code == 429:
                raise ProviderThrottled(
                    message, provider=provider, model=model, retry_after=retry_after_seconds(response)
                )
            raise ProviderUnavailable(message, provider=provider, model=model)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ProviderUnavailable(
                    f"{provider}: the output is larger than {max_bytes} bytes", provider=provider, model=model
                )
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get("content-type", "")


class HttpVendor:
    """The client plumbing every HTTP adapter shares: a client injected for tests, else one made on
    first use with the vendor's base URL and timeouts. No credentials live on the client: each call
    adds the key it reads when needed."""

    name: str = ""
    base_url: str = ""
    timeout: httpx.Timeout = DEFAULT_TIMEOUT
    headers: ClassVar[dict[str, str]] = {}
    follow_redirects: bool = True

    def __init__(self, ctx: ProviderContext, client: httpx.Client | None = None) -> None:
        self._ctx = ctx
        self._client = client

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client(
                self.base_url, dict(self.headers), self.timeout, follow_redirects=self.follow_redirects
            )
        return self._client


def json_object(response: httpx.Response, provider: str, model: str) -> dict[str, Any]:
    """The vendor's JSON object body; anything else is the vendor misbehaving (retried, then fallback)."""
    try:
        body = response.json()
    except ValueError as error:
        raise ProviderUnavailable(
            f"{provider} answered with a body that is not JSON", provider=provider, model=model
        ) from error
    if not isinstance(body, dict):
        raise ProviderUnavailable(f"{provider} answered with unexpected JSON", provider=provider, model=model)
    return body
