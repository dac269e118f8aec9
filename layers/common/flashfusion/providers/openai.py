"""OpenAI: text through the Responses API, images through Images, video through Sora's job API.

Shapes follow OpenAI's published OpenAPI description (CreateResponse/Response, CreateImageRequest/
ImagesResponse, CreateVideoJsonBody/VideoResource, ErrorResponse); the unit tests validate their
fixtures against it. Text and images answer in one call; Sora is submit -> poll -> download.

The API key is read from the context on each call (Powertools caches the secret) and only ever travels
in the Authorization header: every error message leaving this module is scrubbed of it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from flashfusion.errors import (
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from flashfusion.models import ContentType
from flashfusion.providers.base import (
    GeneratedContent,
    GenerationJob,
    PendingJob,
    PollResult,
    ProviderContext,
)
from flashfusion.providers.http import make_client, raise_for_status, transport_errors
from flashfusion.providers.prompting import brand_instructions, restyle_prompt
from flashfusion.providers.vendor_io import check_job, fetch_api_key, redacting
from flashfusion.routing.matrix import ModelSpec
from flashfusion.routing.pricing import DEFAULT_IMAGE_SIZE, seconds_for

BASE_URL = "https://api.openai.com/v1"
DATASET_TAG = "vendor:openai"

# The Generate Lambda has 110 s: a reasoning model or gpt-image-1 can take most of a minute, so the
# read timeout is longer than the shared default but still leaves time to stage the output in S3.
GENERATE_TIMEOUT = httpx.Timeout(connect=5.0, read=90.0, write=30.0, pool=5.0)
# Submit and status calls answer at once; the MP4 download is a few MB.
JOB_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=5.0)

# Sora takes `seconds` as one of these strings (VideoSeconds), not any number.
SORA_SECONDS = (4, 8, 12)
ASPECT_SIZES = {"16:9": "1280x720", "9:16": "720x1280"}

# Quality words differ by image model family; a request names one family's word and a fallback may land
# on another, so each family maps the others' words onto its own (pricing keys use the mapped word).
_QUALITY = {
    "dall-e-2": dict.fromkeys(("standard", "hd", "low", "medium", "high"), "standard"),  # its only quality
    "dall-e-3": {"standard": "standard", "hd": "hd", "low": "standard", "medium": "standard", "high": "hd"},
    "gpt-image": {"standard": "medium", "hd": "high", "low": "low", "medium": "medium", "high": "high"},
}
# An explicit default, never "auto": the price of "auto" is unknown until the image exists.
_DEFAULT_QUALITY = {"dall-e-2": "standard", "dall-e-3": "standard", "gpt-image": "medium"}

# Error codes OpenAI uses when its safety systems refuse a prompt or an output (images, Sora, Responses).
_POLICY_CODE = re.compile(r"moderation|policy|safety|sentinel|content_filter|invalid_prompt|unsafe|bio_", re.I)
# OpenAI echoes a masked key in 401 messages ("sk-abc***wxyz"); never pass any part of one on.
_KEY_SHAPE = re.compile(r"\bsk-[A-Za-z0-9_*\-.]{3,}")

# What each entry point serves: text and images answer in one call, Sora is a job.
_SYNC_MEDIA = frozenset({ContentType.TEXT, ContentType.IMAGE})
_ASYNC_MEDIA = frozenset({ContentType.VIDEO})

_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"))


def _family(spec: ModelSpec) -> str:
    for family in ("dall-e-2", "dall-e-3", "gpt-image"):
        if spec.vendor_model.startswith(family):
            return family
    raise ProviderRejected(
        f"openai: {spec.vendor_model} is not an image model this adapter knows",
        provider="openai",
        model=spec.id,
    )


def nearest_sora_seconds(seconds: float) -> int:
    """The allowed clip length closest to the request; a tie goes to the longer clip."""
    return min(SORA_SECONDS, key=lambda allowed: (abs(allowed - seconds), -allowed))


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) and code else None


def _sniff_image(data: bytes, spec: ModelSpec) -> tuple[str, str]:
    for magic, mime, ext in _MAGIC:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise ProviderUnavailable(
        "openai returned image data that is not PNG, JPEG or WebP", provider="openai", model=spec.id
    )


def _usage_number(usage: Any, key: str) -> float | None:
    value = usage.get(key) if isinstance(usage, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class OpenAIProvider:
    name = "openai"

    def __init__(self, ctx: ProviderContext, client: httpx.Client | None = None) -> None:
        self._ctx = ctx
        self._client = client

    # --- the one HTTP path ---------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        # Created on first use so constructing the adapter (registry, cold start) costs nothing.
        if self._client is None:
            self._client = make_client(BASE_URL, {"Accept": "application/json"}, GENERATE_TIMEOUT)
        return self._client

    @staticmethod
    @contextmanager
    def _masked_keys() -> Iterator[None]:
        """OpenAI's 401 echoes a masked key (first and last characters): scrub any key-shaped text too."""
        try:
            yield
        except ProviderError as error:
            error.args = (_KEY_SHAPE.sub("sk-[redacted]", str(error)),)
            raise

    def _call(
        self,
        method: str,
        path: str,
        spec: ModelSpec,
        timeout: httpx.Timeout,
        body: dict[str, Any] | None = None,
        accept: str = "application/json",
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        """``files``: send ``body`` as multipart/form-data fields with these files (image edits), not JSON."""
        key = fetch_api_key(self._ctx, self.name, spec.id)
        with redacting(key), self._masked_keys():
            headers = {"Authorization": f"Bearer {key}", "Accept": accept}
            payload: dict[str, Any] = {"json": body} if files is None else {"data": body or {}, "files": files}
            with transport_errors(self.name, spec.id):
                response = self._http().request(
                    method, f"{BASE_URL}{path}", headers=headers, timeout=timeout, **payload
                )
            self._raise_for_status(response, spec)
            return response

    def _raise_for_status(self, response: httpx.Response, spec: ModelSpec) -> None:
        try:
            raise_for_status(response, self.name, spec.id)
        except ProviderRejected as error:
            # The code ("content_policy_violation", "moderation_blocked") is what tells a reader why.
            code = _error_code(response)
            if code and code not in str(error):
                error.args = (f"{error} ({code})",)
            raise

    def _json(self, response: httpx.Response, spec: ModelSpec) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ProviderUnavailable(
                f"openai answered {response.status_code} with a body that is not a JSON object",
                provider=self.name,
                model=spec.id,
            )
        return body

    # --- entry points --------------------------------------------------------------------------------

    def generate(self, job: GenerationJob) -> GeneratedContent:
        self._check_served(job, asynchronous=False)
        if job.content_type == ContentType.TEXT:
            return self._text(job)
        if job.style is not None:
            return self._image_edit(job)
        return self._image(job)

    def submit(self, job: GenerationJob) -> PendingJob:
        spec = job.model
        self._check_served(job, asynchronous=True)
        size = self._video_size(job)
        seconds = nearest_sora_seconds(seconds_for(spec, job.options.duration_seconds))
        body = {"model": spec.vendor_model, "prompt": job.prompt, "seconds": str(seconds), "size": size}
        video = self._json(self._call("POST", "/videos", spec, JOB_TIMEOUT, body), spec)
        video_id = video.get("id")
        if not isinstance(video_id, str) or not video_id:
            raise ProviderUnavailable(
                "openai accepted the video job but returned no id", provider=self.name, model=spec.id
            )
        if video.get("status") == "failed":
            raise self._video_failure(video, spec)
        return PendingJob(
            vendor_job_id=video_id,
            poll_after_seconds=spec.poll_seconds,
            state={"seconds": seconds, "size": size, "model": str(video.get("model") or spec.vendor_model)},
        )

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        spec = job.model
        self._check_served(job, asynchronous=True)
        video_id = pending.vendor_job_id
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", video_id):
            # The id goes into a URL path: refuse anything that could walk to another endpoint.
            raise ProviderRejected(f"openai: malformed video id {video_id!r}", provider=self.name, model=spec.id)
        video = self._json(self._call("GET", f"/videos/{video_id}", spec, JOB_TIMEOUT), spec)
        status = video.get("status")
        if status in ("queued", "in_progress"):
            progress = _usage_number(video, "progress")
            return PollResult("running", progress=progress, poll_after_seconds=spec.poll_seconds)
        if status == "failed":
            raise self._video_failure(video, spec)
        if status != "completed":
            raise ProviderUnavailable(
                f"openai video {video_id} is in an unknown state {status!r}",
                provider=self.name,
                model=spec.id,
            )
        download = self._call("GET", f"/videos/{video_id}/content", spec, DOWNLOAD_TIMEOUT, accept="video/mp4")
        data = download.content
        if not data:
            raise ProviderUnavailable(f"openai video {video_id} downloaded empty", provider=self.name, model=spec.id)
        # The vendor's own record of the clip length is what it bills; the submitted value is the backup.
        seconds = _to_number(video.get("seconds")) or float(
            pending.state.get("seconds") or seconds_for(spec, job.options.duration_seconds)
        )
        size = str(video.get("size") or pending.state.get("size") or "")
        return PollResult(
            "succeeded",
            content=GeneratedContent(
                data=data,
                mime_type="video/mp4",
                extension="mp4",
                vendor_model=str(video.get("model") or pending.state.get("model") or spec.vendor_model),
                offline=False,
                dataset_tag=DATASET_TAG,
                usage={"videoSeconds": seconds},
                parameters={"videoId": video_id, "size": size, "seconds": seconds},
            ),
            progress=100.0,
            poll_after_seconds=spec.poll_seconds,
        )

    # --- text ----------------------------------------------------------------------------------------

    def _text(self, job: GenerationJob) -> GeneratedContent:
        spec = job.model
        body: dict[str, Any] = {
            "model": spec.vendor_model,
            "instructions": brand_instructions(job.brand_kit, job.channel),
            "input": job.prompt,
            # Brand prompts need not sit in OpenAI's 30-day response store; we keep our own provenance.
            "store": False,
        }
        max_tokens = job.options.max_output_tokens or spec.limits.max_output_tokens
        if max_tokens:
            body["max_output_tokens"] = max_tokens
        response = self._json(self._call("POST", "/responses", spec, GENERATE_TIMEOUT, body), spec)
        text = self._response_text(response, spec)
        usage: dict[str, float] = {}
        for theirs, ours in (("input_tokens", "inputTokens"), ("output_tokens", "outputTokens")):
            value = _usage_number(response.get("usage"), theirs)
            if value is not None:
                usage[ours] = value
        parameters: dict[str, Any] = {"responseId": response.get("id")}
        if max_tokens:
            parameters["maxOutputTokens"] = max_tokens
        return GeneratedContent(
            data=text.encode("utf-8"),
            mime_type="text/plain; charset=utf-8",
            extension="txt",
            vendor_model=str(response.get("model") or spec.vendor_model),
            offline=False,
            dataset_tag=DATASET_TAG,
            usage=usage,
            parameters=parameters,
        )

    def _response_text(self, response: dict[str, Any], spec: ModelSpec) -> str:
        status = response.get("status")
        if status == "failed":
            error = _object(response.get("error"))
            code = str(error.get("code") or "")
            message = f"openai response failed: {error.get('message') or 'no reason given'} ({code or 'no code'})"
            if code == "rate_limit_exceeded":
                raise ProviderThrottled(message, provider=self.name, model=spec.id)
            if code == "server_error" or not code:
                raise ProviderUnavailable(message, provider=self.name, model=spec.id)
            raise ProviderRejected(message, provider=self.name, model=spec.id)
        if status == "incomplete":
            details = response.get("incomplete_details")
            reason = details.get("reason") if isinstance(details, dict) else None
            raise ProviderRejected(
                f"openai response incomplete: {reason or 'no reason given'}",
                provider=self.name,
                model=spec.id,
            )
        if status not in (None, "completed"):
            raise ProviderUnavailable(f"openai response ended {status!r}", provider=self.name, model=spec.id)

        texts: list[str] = []
        output = response.get("output")
        for item in output if isinstance(output, list) else []:
            # Reasoning and tool items precede the message on reasoning models; only messages are copy.
            if not isinstance(item, dict) or item.get("type") != "message":
                continue
            content = item.get("content")
            for part in content if isinstance(content, list) else []:
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "refusal":
                    raise ProviderRejected(
                        f"openai refused: {part.get('refusal') or 'no reason given'}",
                        provider=self.name,
                        model=spec.id,
                    )
                if part.get("type") == "output_text" and isinstance(part.get("text"), str):
                    texts.append(part["text"])
        text = "".join(texts).strip()
        if not text:
            raise ProviderRejected("openai response has no output text", provider=self.name, model=spec.id)
        return text + "\n"

    # --- images --------------------------------------------------------------------------------------

    def _image(self, job: GenerationJob) -> GeneratedContent:
        spec = job.model
        family = _family(spec)
        size = job.options.size or spec.limits.default_size or DEFAULT_IMAGE_SIZE
        if spec.limits.sizes and size not in spec.limits.sizes:
            raise ProviderRejected(
                f"openai: {spec.vendor_model} cannot make {size} images; it makes {', '.join(spec.limits.sizes)}",
                provider=self.name,
                model=spec.id,
            )
        requested = (job.options.quality or "").lower()
        quality = _QUALITY[family].get(requested, _DEFAULT_QUALITY[family])
        body: dict[str, Any] = {"model": spec.vendor_model, "prompt": job.prompt, "n": 1, "size": size}
        if family == "gpt-image":
            # GPT image models always answer in base64 and reject response_format; pin PNG explicitly.
            body["quality"] = quality
            body["output_format"] = "png"
        else:
            body["response_format"] = "b64_json"
            if family == "dall-e-3":
                body["quality"] = quality
        answer = self._json(self._call("POST", "/images/generations", spec, GENERATE_TIMEOUT, body), spec)
        return self._image_content(answer, spec, size, quality)

    def _image_content(self, answer: dict[str, Any], spec: ModelSpec, size: str, quality: str) -> GeneratedContent:
        """An ``ImagesResponse`` (generations and edits answer alike) as the generated content."""
        data = answer.get("data")
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        encoded = first.get("b64_json")
        if not isinstance(encoded, str) or not encoded:
            raise ProviderUnavailable("openai returned no b64_json image", provider=self.name, model=spec.id)
        try:
            image = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ProviderUnavailable(
                "openai returned b64_json that is not base64", provider=self.name, model=spec.id
            ) from None
        mime, ext = _sniff_image(image, spec)
        usage: dict[str, float] = {"images": 1.0}
        for theirs, ours in (("input_tokens", "inputTokens"), ("output_tokens", "outputTokens")):
            value = _usage_number(answer.get("usage"), theirs)
            if value is not None:
                usage[ours] = value
        # The vendor says what it actually made (gpt-image-1); that is what the price table needs.
        parameters: dict[str, Any] = {
            "size": str(answer.get("size") or size),
            "quality": str(answer.get("quality") or quality),
            "n": 1,
        }
        if isinstance(first.get("revised_prompt"), str):
            parameters["revisedPrompt"] = first["revised_prompt"]
        return GeneratedContent(
            data=image,
            mime_type=mime,
            extension=ext,
            vendor_model=spec.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage=usage,
            parameters=parameters,
        )

    def _image_edit(self, job: GenerationJob) -> GeneratedContent:
        """brand_style: ``POST /v1/images/edits`` (multipart) with the organisation's photo and the palette in
        the prompt; then the kit's logo and headline placed as the offline path places them."""
        from flashfusion.providers.offline_brand_style import decode_source, marked_vendor_output

        spec, style = job.model, job.style
        assert style is not None  # generate() routes only brand_style jobs here
        if _family(spec) != "gpt-image":
            raise ProviderRejected(
                f"openai: {spec.vendor_model} does not restyle photos here", provider=self.name, model=spec.id
            )
        height, width = decode_source(style).shape[:2]
        size = job.options.size or (
            "1536x1024" if width > height * 1.2 else "1024x1536" if height > width * 1.2 else "1024x1024"
        )
        if spec.limits.sizes and size not in spec.limits.sizes:
            raise ProviderRejected(
                f"openai: {spec.vendor_model} cannot make {size} images; it makes {', '.join(spec.limits.sizes)}",
                provider=self.name,
                model=spec.id,
            )
        quality = _QUALITY["gpt-image"].get((job.options.quality or "").lower(), _DEFAULT_QUALITY["gpt-image"])
        form = {
            "model": spec.vendor_model,
            "prompt": restyle_prompt(job),
            "n": "1",
            "size": size,
            "quality": quality,
            "output_format": "png",
            "input_fidelity": "high",  # keep the photo's faces and structure
        }
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(style.mime_type, "png")
        files = {"image": (f"source.{ext}", style.data, style.mime_type)}
        answer = self._json(self._call("POST", "/images/edits", spec, GENERATE_TIMEOUT, form, files=files), spec)
        content = self._image_content(answer, spec, size, quality)
        marked, parameters = marked_vendor_output(content.data, job)
        return GeneratedContent(
            data=marked,
            mime_type="image/png",
            extension="png",
            vendor_model=content.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage=content.usage,
            parameters={**content.parameters, **parameters, "api": "images/edits"},
        )

    # --- video ---------------------------------------------------------------------------------------

    def _video_size(self, job: GenerationJob) -> str:
        spec = job.model
        size = job.options.size
        if size is None and job.options.aspect_ratio:
            size = ASPECT_SIZES.get(job.options.aspect_ratio)
            if size is None:
                raise ProviderRejected(
                    f"openai: {spec.vendor_model} has no {job.options.aspect_ratio} size "
                    f"(one of {', '.join(ASPECT_SIZES)})",
                    provider=self.name,
                    model=spec.id,
                )
        size = size or spec.limits.default_size or ASPECT_SIZES["16:9"]
        if spec.limits.sizes and size not in spec.limits.sizes:
            raise ProviderRejected(
                f"openai: {spec.vendor_model} cannot make {size} video; it makes {', '.join(spec.limits.sizes)}",
                provider=self.name,
                model=spec.id,
            )
        return size

    def _video_failure(self, video: dict[str, Any], spec: ModelSpec) -> ProviderError:
        error = _object(video.get("error"))
        code = str(error.get("code") or "")
        message = (
            f"openai video {video.get('id')} failed: {error.get('message') or 'no reason given'} ({code or 'no code'})"
        )
        message = _KEY_SHAPE.sub("sk-[redacted]", message)
        if code and _POLICY_CODE.search(code):
            return ProviderRejected(message, provider=self.name, model=spec.id)
        return ProviderUnavailable(message, provider=self.name, model=spec.id)

    # --- guards --------------------------------------------------------------------------------------

    def _check_served(self, job: GenerationJob, *, asynchronous: bool) -> None:
        check_job(job, self.name, _SYNC_MEDIA | _ASYNC_MEDIA)
        spec = job.model
        if asynchronous and spec.medium in _SYNC_MEDIA:
            problem = f"{spec.vendor_model} answers in one call: use generate, not submit/poll"
        elif not asynchronous and spec.medium in _ASYNC_MEDIA:
            problem = f"{spec.vendor_model} runs as a job: use submit and poll, not generate"
        else:
            return
        raise ProviderRejected(f"openai: {problem}", provider=self.name, model=spec.id)


def _edit_size(width: int, height: int) -> str:
    """The GPT image size nearest the photo's shape: landscape, portrait or square."""
    if width > height * 1.2:
        return "1536x1024"
    if height > width * 1.2:
        return "1024x1536"
    return "1024x1024"


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _to_number(value: Any) -> float | None:
    """VideoResource.seconds is a string ("8"); accept a number too."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
