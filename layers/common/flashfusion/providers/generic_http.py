"""A provider for an operator's own HTTP endpoint: the contract behind the disabled Midjourney/Suno rows.

Midjourney and Suno publish no official API, so their matrix rows ship disabled. An operator who is
entitled to an endpoint serving such a model (their own gateway, a licensed reseller) sets the row's
``endpoint``, stores a key as the ``generic-http`` secret, and enables the row. The endpoint speaks
this contract, which this module defines (no vendor document applies):

Submit -- ``POST {endpoint}``
    Headers: ``Authorization: Bearer <key>``, ``Content-Type: application/json``,
    ``Idempotency-Key: <request id>`` (the same request may be submitted again after a retry).
    Body::

        {"model": "<vendorModel>", "prompt": "...", "contentType": "image|video|music|text",
         "options": {"size"?, "quality"?, "durationSeconds"?, "aspectRatio"?, "maxOutputTokens"?}}

    Answers, one of:

    - ``200`` with the media bytes; ``Content-Type`` names the type (``image/png``, ``audio/mpeg``...).
      For rows with ``mode: sync``.
    - ``202`` with JSON ``{"id": "<job id>", "pollUrl"?: "<url>"}``. For rows with ``mode: async``.
    - An error: ``4xx``/``5xx``, optionally JSON ``{"error": {"message": "..."}}`` or
      ``{"error": "..."}``; mapped like every vendor (429 + Retry-After throttles, 401/403 auth,
      other 4xx rejected, 5xx unavailable).

Poll -- ``GET {pollUrl}``, or ``GET {endpoint}/{id}`` without one. Answers ``200`` JSON::

    {"status": "running" | "succeeded" | "failed", "progress"?: 0..1, "outputUrl"?: "<url>",
     "error"?: "<message>", "retryable"?: false}

``succeeded`` needs ``outputUrl``; the adapter downloads it. ``failed`` is ProviderRejected, or
ProviderUnavailable when ``retryable`` is true.

Safety rules the adapter enforces: the endpoint, pollUrl and outputUrl pass ``flashfusion.outbound``
(https, public hosts only, checked at each call), redirects are never followed; the key
is sent only to URLs on the endpoint's own origin, so a ``pollUrl`` or ``outputUrl`` on another host
(a CDN, say) is fetched without it. A ``202`` to a sync call or a ``200`` to an async submit is a
configuration error (ProviderRejected): a synchronous Lambda cannot wait on a job, and a job's state
cannot carry media bytes between polls.

Usage is priced from what was asked: one image, or the requested seconds of video or audio.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from flashfusion.errors import ProviderRejected, ProviderUnavailable, UnsafeDestination
from flashfusion.models import ContentType
from flashfusion.outbound import check_url
from flashfusion.providers.base import (
    GeneratedContent,
    GenerationJob,
    PendingJob,
    PollResult,
)
from flashfusion.providers.http import raise_for_status, transport_errors
from flashfusion.providers.vendor_io import HttpVendor, check_job, download, fetch_api_key, redacting
from flashfusion.routing.pricing import seconds_for

PROVIDER = "generic-http"
# A sync row waits for the media in one call; the Generate Lambda has 110 s in all.
TIMEOUT = httpx.Timeout(connect=5.0, read=90.0, write=30.0, pool=5.0)
ALL_MEDIA = frozenset(ContentType)
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "text/plain": "txt",
    "text/markdown": "md",
}
MEDIA_PREFIX = {
    ContentType.IMAGE: "image/",
    ContentType.VIDEO: "video/",
    ContentType.MUSIC: "audio/",
    ContentType.TEXT: "text/",
}


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def checked_endpoint(job: GenerationJob) -> str:
    endpoint = (job.model.endpoint or "").strip()
    if not endpoint:
        raise ProviderRejected(
            f"{PROVIDER}: model {job.model.id} has no endpoint configured", provider=PROVIDER, model=job.model.id
        )
    return checked_url(job, endpoint, "endpoint")


def checked_url(job: GenerationJob, url: str, what: str) -> str:
    """``url`` under the outbound-URL policy (https, public hosts only; checked at each call)."""
    try:
        return check_url(url)
    except UnsafeDestination as error:
        # The bearer key must never travel in clear text, nor to an internal host.
        raise ProviderRejected(
            f"{PROVIDER}: the {what} of {job.model.id} is refused: {error}", provider=PROVIDER, model=job.model.id
        ) from None


def options_of(job: GenerationJob) -> dict[str, Any]:
    options = job.options
    values = {
        "size": options.size,
        "quality": options.quality,
        "durationSeconds": options.duration_seconds,
        "aspectRatio": options.aspect_ratio,
        "maxOutputTokens": options.max_output_tokens,
    }
    return {name: value for name, value in values.items() if value is not None}


def request_body(job: GenerationJob) -> dict[str, Any]:
    return {
        "model": job.model.vendor_model,
        "prompt": job.prompt,
        "contentType": job.content_type.value,
        "options": options_of(job),
    }


def usage_for(job: GenerationJob) -> dict[str, float]:
    if job.content_type == ContentType.IMAGE:
        return {"images": 1.0}
    if job.content_type == ContentType.VIDEO:
        return {"videoSeconds": seconds_for(job.model, job.options.duration_seconds)}
    if job.content_type == ContentType.MUSIC:
        return {"audioSeconds": seconds_for(job.model, job.options.duration_seconds)}
    return {}


def media_type(content_type_header: str) -> str:
    return content_type_header.split(";")[0].strip().lower()


class GenericHttpProvider(HttpVendor):
    name = PROVIDER

    base_url = ""
    timeout = TIMEOUT
    # A redirect could carry the key (or the request) to an internal host: never followed.
    follow_redirects = False

    def _post(self, job: GenerationJob) -> httpx.Response:
        check_job(job, PROVIDER, ALL_MEDIA)
        endpoint = checked_endpoint(job)
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.post(
                    endpoint,
                    headers={"Authorization": f"Bearer {key}", "Idempotency-Key": job.request_id},
                    json=request_body(job),
                    timeout=TIMEOUT,
                    follow_redirects=False,
                )
            raise_for_status(response, PROVIDER, job.model.id)
        return response

    def _content(self, job: GenerationJob, data: bytes, content_type: str, **parameters: Any) -> GeneratedContent:
        mime = media_type(content_type)
        expected = MEDIA_PREFIX[job.content_type]
        if not data or not mime.startswith(expected):
            raise ProviderUnavailable(
                f"{PROVIDER}: expected {expected}* media, got {mime or 'no content type'} ({len(data)} bytes)",
                provider=PROVIDER,
                model=job.model.id,
            )
        return GeneratedContent(
            data=data,
            mime_type=content_type if mime.startswith("text/") else mime,
            extension=EXTENSIONS.get(mime, mime.split("/")[-1] or "bin"),
            vendor_model=job.model.vendor_model,
            offline=False,
            # The operator's endpoint is a conduit: the tag names the model it serves.
            dataset_tag=f"vendor:{job.model.vendor_model}",
            usage=usage_for(job),
            parameters={"endpointHost": urlsplit(checked_endpoint(job)).netloc, **options_of(job), **parameters},
        )

    def generate(self, job: GenerationJob) -> GeneratedContent:
        """Synchronous use (a row with ``mode: sync``): the endpoint answers 200 with the media."""
        response = self._post(job)
        if response.status_code == 202:
            raise ProviderRejected(
                f"{PROVIDER}: the endpoint started a job (202) for a sync call; set the row's mode to async",
                provider=PROVIDER,
                model=job.model.id,
            )
        return self._content(job, response.content, response.headers.get("content-type", ""))

    def submit(self, job: GenerationJob) -> PendingJob:
        """Asynchronous use (a row with ``mode: async``): the endpoint answers 202 with a job id."""
        response = self._post(job)
        if response.status_code != 202:
            raise ProviderRejected(
                f"{PROVIDER}: the endpoint answered {response.status_code}, not 202, to an async submit;"
                " set the row's mode to sync if it answers with media",
                provider=PROVIDER,
                model=job.model.id,
            )
        try:
            body = response.json()
        except ValueError as error:
            raise ProviderUnavailable(
                f"{PROVIDER}: the 202 answer is not JSON", provider=PROVIDER, model=job.model.id
            ) from error
        job_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(job_id, str | int) or job_id == "":
            raise ProviderUnavailable(f"{PROVIDER}: the 202 answer has no id", provider=PROVIDER, model=job.model.id)
        state: dict[str, Any] = {}
        poll_url = body.get("pollUrl")
        if isinstance(poll_url, str) and poll_url:
            state["pollUrl"] = urljoin(checked_endpoint(job) + "/", poll_url)
        return PendingJob(vendor_job_id=str(job_id), poll_after_seconds=job.model.poll_seconds, state=state)

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        endpoint = checked_endpoint(job)
        url = str(pending.state.get("pollUrl") or f"{endpoint}/{quote(pending.vendor_job_id, safe='')}")
        url = checked_url(job, url, "pollUrl")
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        same_origin = origin(url) == origin(endpoint)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.get(
                    url,
                    headers={"Authorization": f"Bearer {key}"} if same_origin else {},
                    timeout=TIMEOUT,
                    follow_redirects=False,
                )
            raise_for_status(response, PROVIDER, job.model.id)
            try:
                body = response.json()
            except ValueError as error:
                raise ProviderUnavailable(
                    f"{PROVIDER}: the poll answer is not JSON", provider=PROVIDER, model=job.model.id
                ) from error
            if not isinstance(body, dict):
                raise ProviderUnavailable(
                    f"{PROVIDER}: the poll answer is not a JSON object", provider=PROVIDER, model=job.model.id
                )
            status = body.get("status")
            if status == "running":
                progress = body.get("progress")
                return PollResult(
                    status="running",
                    progress=float(progress) if isinstance(progress, int | float) else None,
                    poll_after_seconds=job.model.poll_seconds,
                )
            if status == "failed":
                message = f"{PROVIDER} job failed: {str(body.get('error') or 'no error given')[:300]}"
                if body.get("retryable") is True:
                    raise ProviderUnavailable(message, provider=PROVIDER, model=job.model.id)
                raise ProviderRejected(message, provider=PROVIDER, model=job.model.id)
            if status != "succeeded":
                raise ProviderUnavailable(
                    f"{PROVIDER}: unknown job status {status!r}", provider=PROVIDER, model=job.model.id
                )
            output_url = body.get("outputUrl")
            if not isinstance(output_url, str) or not output_url:
                raise ProviderUnavailable(
                    f"{PROVIDER}: the job succeeded without an outputUrl", provider=PROVIDER, model=job.model.id
                )
            output_url = checked_url(job, urljoin(endpoint + "/", output_url), "outputUrl")
            headers = {"Authorization": f"Bearer {key}"} if origin(output_url) == origin(endpoint) else None
            data, content_type = download(
                self.client, output_url, provider=PROVIDER, model=job.model.id, headers=headers, follow_redirects=False
            )
        return PollResult(
            status="succeeded", content=self._content(job, data, content_type, jobId=pending.vendor_job_id)
        )
