"""Amazon Bedrock adapter: Nova text (Converse), Nova Canvas images (InvokeModel), Nova Reel video
(StartAsyncInvoke, then GetAsyncInvoke). Authentication is the function's IAM role through the injected
boto3 client; there is no API key.

Request and response shapes, as documented (checked against the docs and botocore's bedrock-runtime
service model, which Stubber enforces in tests/unit/providers/test_bedrock.py):

- Converse: API reference https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
  and user guide .../bedrock/latest/userguide/conversation-inference-call.html. Request ``system`` =
  [{"text"}], ``messages`` = [{"role": "user", "content": [{"text"}]}], ``inferenceConfig.maxTokens``;
  response ``output.message.content[].text``, ``stopReason`` (end_turn, max_tokens, guardrail_intervened,
  content_filtered, malformed_model_output, ...), ``usage.inputTokens/outputTokens``.
  Needs bedrock:InvokeModel.
- Nova Canvas: .../nova/latest/userguide/image-gen-req-resp-structure.html. Body {"taskType": "TEXT_IMAGE",
  "textToImageParams": {"text" (1-1024 chars)}, "imageGenerationConfig": {"width", "height",
  "quality": "standard"|"premium", "seed", "numberOfImages"}}; response {"images": [base64], "error"}.
  Seed range 0..858,993,459 (AWS code example InvokeModel_AmazonNovaImageGeneration). Errors
  (.../nova/latest/userguide/image-gen-errors.html): a blocked prompt is a ValidationException "This request
  has been blocked by our content filters..."; a blocked output is a 200 whose body has an "error" string.
- Nova Reel: .../nova/latest/userguide/video-gen-access.html. ``start_async_invoke(modelId, modelInput,
  outputDataConfig={"s3OutputDataConfig": {"s3Uri"}})``; TEXT_VIDEO = {"textToVideoParams": {"text"
  (1-512 chars)}, "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720",
  "seed"}}; longer videos (nova-reel-v1:1 only) are MULTI_SHOT_AUTOMATED with "multiShotAutomatedParams"
  and durationSeconds a multiple of 6 in [12, 120] (.../video-gen-code-examples2.html). "Amazon Nova creates
  a folder for each invocation ID" holding output.mp4; the AWS example text_to_video.py reads the video at
  ``get_async_invoke()["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"] + "/output.mp4"``. GetAsyncInvoke
  (.../APIReference/API_runtime_GetAsyncInvoke.html): status InProgress | Completed | Failed, failureMessage.
  A blocked video is status Failed with "The generated video has been blocked by our content filters."
  (.../nova/latest/userguide/video-gen-errors.html). StartAsyncInvoke's clientRequestToken (1-256 chars of
  [!-~]) is an idempotency token; the call needs bedrock:InvokeModel, and because Bedrock writes the video
  "on your behalf" the calling role needs s3:PutObject on the output prefix (video-gen-access.html).

Videos land at s3://<assets bucket>/<staging>/<org id>/<request id>/bedrock/<invocation id>/output.mp4,
inside the organisation's staging area, where the Generate step's ``AssetStore.stage_from`` picks them up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
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
from flashfusion.providers.prompting import brand_instructions, restyle_prompt
from flashfusion.routing.matrix import ModelSpec
from flashfusion.routing.pricing import DEFAULT_IMAGE_SIZE, seconds_for
from flashfusion.storage import keys

PROVIDER = "bedrock"
SERVICE = "bedrock-runtime"
# Amazon does not publish what Nova was trained on; provenance says so rather than inventing a tag.
DATASET_TAG = "vendor-undisclosed"
STAGING_SUBPREFIX = "bedrock"
MAX_MESSAGE = 300

TEXT_MIME = "text/plain; charset=utf-8"
CONTENT_FILTER_STOPS = frozenset({"content_filtered", "guardrail_intervened"})

CANVAS_MAX_SEED = 858_993_459
CANVAS_QUALITY = {  # the request's quality words -> Nova Canvas's two levels (and its price keys)
    "standard": "standard",
    "low": "standard",
    "medium": "standard",
    "premium": "premium",
    "hd": "premium",
    "high": "premium",
}
_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*$")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"

REEL_MAX_SEED = 2_147_483_646
REEL_DIMENSION = "1280x720"
REEL_ASPECT_RATIO = "16:9"
REEL_FPS = 24
REEL_SHOT_SECONDS = 6
REEL_MAX_SECONDS = 120
REEL_OUTPUT_FILE = "output.mp4"

# botocore ClientError codes -> typed errors. Codes are what Bedrock runtime declares per operation
# (botocore's service model), plus the generic codes AWS front doors answer with.
THROTTLED_CODES = frozenset(
    {"ThrottlingException", "ServiceQuotaExceededException", "TooManyRequests", "TooManyRequestsException"}
)
TIMEOUT_CODES = frozenset({"ModelTimeoutException", "RequestTimeout", "RequestTimeoutException"})
UNAVAILABLE_CODES = frozenset(
    {
        "InternalServerException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "InternalFailure",
        "ServiceUnavailable",
    }
)
AUTH_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "IncompleteSignature",
        "MissingAuthenticationToken",
    }
)
REJECTED_CODES = frozenset(
    {"ValidationException", "ModelErrorException", "ResourceNotFoundException", "ConflictException"}
)
CONTENT_FILTER = re.compile(r"content filter|blocked by|responsible ai|guardrail", re.IGNORECASE)


def _trim(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _retry_after(error: ClientError) -> float | None:
    headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    try:
        return max(0.0, float(headers["retry-after"]))
    except (KeyError, TypeError, ValueError):
        return None


def map_client_error(error: ClientError, model: str) -> ProviderError:
    """A Bedrock error answer -> the typed error the state machine retries or catches by name."""
    info = error.response.get("Error", {}) or {}
    code = str(info.get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    message = _trim(f"{PROVIDER} {code or status or 'error'}: {info.get('Message') or error}")
    # Known codes first: ModelNotReadyException answers 429 but is a cold model, not a rate limit.
    if code in THROTTLED_CODES:
        return ProviderThrottled(message, provider=PROVIDER, model=model, retry_after=_retry_after(error))
    if code in TIMEOUT_CODES:
        return ProviderTimeout(message, provider=PROVIDER, model=model)
    if code in UNAVAILABLE_CODES:
        return ProviderUnavailable(message, provider=PROVIDER, model=model)
    if code in AUTH_CODES:
        return ProviderAuthError(message, provider=PROVIDER, model=model)
    if code in REJECTED_CODES or CONTENT_FILTER.search(message):
        return ProviderRejected(message, provider=PROVIDER, model=model)
    # A code this table does not know: classify by HTTP status, as the HTTP adapters do.
    if status == 429:
        return ProviderThrottled(message, provider=PROVIDER, model=model, retry_after=_retry_after(error))
    if status in (401, 403):
        return ProviderAuthError(message, provider=PROVIDER, model=model)
    if status in (408, 504):
        return ProviderTimeout(message, provider=PROVIDER, model=model)
    if isinstance(status, int) and status >= 500:
        return ProviderUnavailable(message, provider=PROVIDER, model=model)
    return ProviderRejected(message, provider=PROVIDER, model=model)


def map_botocore_error(error: BotoCoreError, model: str) -> ProviderError:
    """A failure before any answer arrived (network, credentials, our own parameters)."""
    message = _trim(f"{PROVIDER}: {error}")
    # ConnectTimeoutError is also a ConnectionError: test the timeouts first.
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return ProviderTimeout(message, provider=PROVIDER, model=model)
    if isinstance(error, NoCredentialsError | PartialCredentialsError | CredentialRetrievalError):
        return ProviderAuthError(message, provider=PROVIDER, model=model)
    if isinstance(error, ParamValidationError):
        # Our request broke the service model: retrying cannot help, another model may.
        return ProviderRejected(message, provider=PROVIDER, model=model)
    # EndpointConnectionError, ConnectionClosedError and other transport failures.
    return ProviderUnavailable(message, provider=PROVIDER, model=model)


@contextmanager
def bedrock_errors(model: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        raise map_client_error(error, model) from error
    except BotoCoreError as error:
        raise map_botocore_error(error, model) from error


def failed_job_error(failure_message: str, model: str) -> ProviderError:
    """A Nova Reel job that ended Failed -> a typed error, from the only thing we get: its message."""
    message = _trim(f"{PROVIDER} async invoke failed: {failure_message}")
    lowered = failure_message.lower()
    if CONTENT_FILTER.search(failure_message) or "validation" in lowered or "invalid" in lowered:
        return ProviderRejected(message, provider=PROVIDER, model=model)
    if "throttl" in lowered or "quota" in lowered or "too many" in lowered:
        return ProviderThrottled(message, provider=PROVIDER, model=model)
    if "timed out" in lowered or "timeout" in lowered:
        return ProviderTimeout(message, provider=PROVIDER, model=model)
    if "access denied" in lowered or "not authorized" in lowered or "permission" in lowered:
        # Typically Bedrock could not write the output to S3 with the caller's permissions.
        return ProviderAuthError(message, provider=PROVIDER, model=model)
    return ProviderUnavailable(message, provider=PROVIDER, model=model)


def derive_seed(prompt_hash: str, maximum: int) -> int:
    """A seed in [0, maximum] fixed by the prompt hash: the same prompt asks for the same picture."""
    digest = hashlib.sha256(prompt_hash.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % (maximum + 1)


def max_output_tokens(job: GenerationJob) -> int | None:
    """The request's cap, never above the matrix's limit for the model; None lets the model decide."""
    asked, limit = job.options.max_output_tokens, job.model.limits.max_output_tokens
    if asked and limit:
        return min(asked, limit)
    return asked or limit


def image_size(job: GenerationJob) -> tuple[int, int]:
    size = job.options.size or job.model.limits.default_size or DEFAULT_IMAGE_SIZE
    match = _SIZE.fullmatch(size)
    if not match:
        raise ProviderRejected(f"image size {size!r} is not WIDTHxHEIGHT", provider=PROVIDER, model=job.model.id)
    width, height = int(match.group(1)), int(match.group(2))
    if job.model.limits.sizes and f"{width}x{height}" not in job.model.limits.sizes:
        raise ProviderRejected(
            f"{job.model.id} does not make {width}x{height} images", provider=PROVIDER, model=job.model.id
        )
    return width, height


CANVAS_MAX_COLOURS = 10
CANVAS_MAX_TEXT = 1024
CANVAS_SIDE = (320, 4096)
CANVAS_TARGET_PIXELS = 1024 * 1024
"""Nova Canvas sides are multiples of 16 in 320..4096 with at most 4,194,304 pixels; a restyled photo is made
at about a megapixel in the photo's own shape (priced as 1024x1024 when square, the default price otherwise)."""


def canvas_reference(pixels: Any) -> tuple[bytes, tuple[int, int]]:
    """The photo as Nova Canvas takes a reference image (PNG at the output's size), and that size."""
    import io

    from PIL import Image

    height, width = pixels.shape[:2]
    scale = (CANVAS_TARGET_PIXELS / (width * height)) ** 0.5
    low, high = CANVAS_SIDE

    def side(value: float) -> int:
        return int(min(high, max(low, round(value / 16) * 16)))

    size = (side(width * scale), side(height * scale))
    image = Image.fromarray(pixels).convert("RGB").resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), size


def canvas_quality(job: GenerationJob) -> str:
    quality = (job.options.quality or "standard").strip().lower()
    if quality not in CANVAS_QUALITY:
        raise ProviderRejected(
            f"image quality {job.options.quality!r} is unknown", provider=PROVIDER, model=job.model.id
        )
    return CANVAS_QUALITY[quality]


def reel_seconds(job: GenerationJob) -> int:
    """Nova Reel makes whole 6-second shots: the requested length rounded to the nearest shot."""
    wanted = seconds_for(job.model, job.options.duration_seconds)
    shots = math.floor(wanted / REEL_SHOT_SECONDS + 0.5)
    return min(max(shots, 1) * REEL_SHOT_SECONDS, REEL_MAX_SECONDS)


def reel_model_input(prompt: str, seconds: int, seed: int) -> dict[str, Any]:
    config = {"durationSeconds": seconds, "fps": REEL_FPS, "dimension": REEL_DIMENSION, "seed": seed}
    if seconds == REEL_SHOT_SECONDS:
        return {
            "taskType": "TEXT_VIDEO",
            "textToVideoParams": {"text": prompt},
            "videoGenerationConfig": config,
        }
    # TEXT_VIDEO accepts 6 seconds only; longer videos are one prompt over automated shots.
    return {
        "taskType": "MULTI_SHOT_AUTOMATED",
        "multiShotAutomatedParams": {"text": prompt},
        "videoGenerationConfig": config,
    }


def reel_output_prefix(staging_prefix: str, org_id: str, request_id: str) -> str:
    """The S3 key prefix Nova Reel writes into: ``<staging>/<org id>/<request id>/bedrock``.

    Inside the organisation's staging area, because that is the only place ``AssetStore.stage_from``
    accepts a vendor-written output from. ``keys.staging_object_key`` checks both ids are safe key
    parts (no "/", no "#"), so a crafted id cannot point Bedrock at another folder.
    """
    return keys.staging_object_key(staging_prefix, org_id, request_id, STAGING_SUBPREFIX)


def idempotency_token(request_id: str, model_id: str, model_input: dict[str, Any], s3_uri: str) -> str:
    """Same request, same body -> same token, so a retried submit never starts a second paid video.

    The body's hash is part of the token so a regenerate with a new prompt is a new job, not a
    ConflictException or the first job handed back.
    """
    body = json.dumps({"model": model_id, "input": model_input, "output": s3_uri}, sort_keys=True)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    return f"{request_id[:200]}-{digest}"


class BedrockProvider:
    """Text and images in one call (Provider), video as submit then poll (AsyncProvider)."""

    name = PROVIDER

    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self._client: Any = None

    @property
    def client(self) -> Any:
        # Created on first use, so building the adapter costs nothing when a step never calls it.
        if self._client is None:
            self._client = self.ctx.aws_client(SERVICE)
        return self._client

    # -- sync: text and images -------------------------------------------------------------------

    def generate(self, job: GenerationJob) -> GeneratedContent:
        if job.content_type == ContentType.TEXT:
            return self._converse(job)
        if job.content_type == ContentType.IMAGE:
            return self._canvas_styled(job) if job.style is not None else self._canvas(job)
        if job.content_type == ContentType.VIDEO:
            raise ProviderRejected(
                f"{job.model.id} makes video asynchronously: submit and poll",
                provider=PROVIDER,
                model=job.model.id,
            )
        raise ProviderRejected(f"bedrock has no {job.content_type} model", provider=PROVIDER, model=job.model.id)

    def _converse(self, job: GenerationJob) -> GeneratedContent:
        spec = job.model
        request: dict[str, Any] = {
            "modelId": spec.vendor_model,
            "system": [{"text": brand_instructions(job.brand_kit, job.channel)}],
            "messages": [{"role": "user", "content": [{"text": job.prompt}]}],
        }
        max_tokens = max_output_tokens(job)
        if max_tokens:
            request["inferenceConfig"] = {"maxTokens": max_tokens}
        with bedrock_errors(spec.id):
            response = self.client.converse(**request)
        stop = str(response.get("stopReason", ""))
        if stop in CONTENT_FILTER_STOPS:
            raise ProviderRejected(
                f"{PROVIDER} refused the prompt (stopReason {stop})", provider=PROVIDER, model=spec.id
            )
        if stop == "malformed_model_output":
            # A model-side glitch, not the prompt: worth a retry.
            raise ProviderUnavailable(
                f"{PROVIDER} returned malformed output (stopReason {stop})", provider=PROVIDER, model=spec.id
            )
        blocks = response.get("output", {}).get("message", {}).get("content", [])
        text = "".join(block["text"] for block in blocks if isinstance(block.get("text"), str)).strip()
        if not text:
            raise ProviderRejected(
                f"{PROVIDER} returned no text (stopReason {stop or 'none'})", provider=PROVIDER, model=spec.id
            )
        usage = response.get("usage", {})
        return GeneratedContent(
            data=(text + "\n").encode("utf-8"),
            mime_type=TEXT_MIME,
            extension="txt",
            vendor_model=spec.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage={
                "inputTokens": float(usage.get("inputTokens", 0)),
                "outputTokens": float(usage.get("outputTokens", 0)),
            },
            # "max_tokens" here means the copy was cut short: the linter and a reviewer should know.
            parameters={
                "api": "converse",
                "maxTokens": max_tokens,
                "stopReason": stop,
                "channel": job.channel,
            },
        )

    def _canvas(self, job: GenerationJob) -> GeneratedContent:
        spec = job.model
        width, height = image_size(job)
        quality = canvas_quality(job)
        seed = derive_seed(job.prompt_hash, CANVAS_MAX_SEED)
        body = {
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": job.prompt},
            "imageGenerationConfig": {
                "width": width,
                "height": height,
                "quality": quality,
                "numberOfImages": 1,
                "seed": seed,
            },
        }
        data, mime_type, extension = self._invoke_canvas(spec, body)
        return GeneratedContent(
            data=data,
            mime_type=mime_type,
            extension=extension,
            vendor_model=spec.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage={"images": 1.0},
            # size and quality are the price keys: pricing.cost_of(spec, usage, size=..., quality=...).
            parameters={
                "taskType": "TEXT_IMAGE",
                "size": f"{width}x{height}",
                "quality": quality,
                "seed": seed,
            },
        )

    def _canvas_styled(self, job: GenerationJob) -> GeneratedContent:
        """brand_style: COLOR_GUIDED_GENERATION with the kit's palette (at most 10 colours) and the organisation's
        photo as the reference image; then the kit's logo and headline placed as the offline path places them."""
        from flashfusion.providers.offline_brand_style import decode_source, marked_vendor_output

        spec, style = job.model, job.style
        assert style is not None  # generate() routes only brand_style jobs here
        colours = [c.hex.upper() for c in job.brand_kit.palette[:CANVAS_MAX_COLOURS]]
        if not colours:
            raise ProviderRejected(
                "the brand kit has no palette to guide the colours", provider=PROVIDER, model=spec.id
            )
        reference, (width, height) = canvas_reference(decode_source(style))
        quality = canvas_quality(job)
        seed = derive_seed(job.prompt_hash, CANVAS_MAX_SEED)
        body = {
            "taskType": "COLOR_GUIDED_GENERATION",
            "colorGuidedGenerationParams": {
                "colors": colours,
                "referenceImage": base64.b64encode(reference).decode("ascii"),
                "text": restyle_prompt(job, CANVAS_MAX_TEXT),
            },
            "imageGenerationConfig": {
                "width": width,
                "height": height,
                "quality": quality,
                "numberOfImages": 1,
                "seed": seed,
            },
        }
        data, _, _ = self._invoke_canvas(spec, body)
        marked, parameters = marked_vendor_output(data, job)
        return GeneratedContent(
            data=marked,
            mime_type="image/png",
            extension="png",
            vendor_model=spec.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage={"images": 1.0},
            parameters={
                **parameters,
                "taskType": "COLOR_GUIDED_GENERATION",
                "size": f"{width}x{height}",
                "quality": quality,
                "seed": seed,
            },
        )

    def _invoke_canvas(self, spec: ModelSpec, body: dict[str, Any]) -> tuple[bytes, str, str]:
        """One Nova Canvas InvokeModel: the image's bytes, type and extension (errors mapped)."""
        with bedrock_errors(spec.id):
            response = self.client.invoke_model(
                modelId=spec.vendor_model,
                body=json.dumps(body).encode("utf-8"),
                contentType="application/json",
                accept="application/json",
            )
            raw = response["body"].read()  # streamed: a read timeout lands here, inside the mapping
        try:
            payload = json.loads(raw)
        except ValueError as error:
            raise ProviderUnavailable(
                f"{PROVIDER} answered with a body that is not JSON", provider=PROVIDER, model=spec.id
            ) from error
        if payload.get("error"):
            # Output deflection: a 200 whose image the content filters withheld.
            raise ProviderRejected(_trim(f"{PROVIDER}: {payload['error']}"), provider=PROVIDER, model=spec.id)
        images = payload.get("images") or []
        try:
            data = base64.b64decode(images[0], validate=True) if images else b""
        except (binascii.Error, TypeError, ValueError) as error:
            raise ProviderUnavailable(
                f"{PROVIDER} returned an image that is not base64", provider=PROVIDER, model=spec.id
            ) from error
        if data.startswith(_PNG):
            mime_type, extension = "image/png", "png"
        elif data.startswith(_JPEG):
            mime_type, extension = "image/jpeg", "jpg"
        else:
            raise ProviderUnavailable(f"{PROVIDER} returned no PNG or JPEG image", provider=PROVIDER, model=spec.id)
        return data, mime_type, extension

    # -- async: video ----------------------------------------------------------------------------

    def output_uri(self, job: GenerationJob) -> str:
        """Where Nova Reel writes this request's video (it adds ``/<invocation id>/output.mp4``)."""
        if not self.ctx.assets_bucket:
            raise ProviderRejected(
                "no assets bucket is configured for Bedrock video output",
                provider=PROVIDER,
                model=job.model.id,
            )
        if not job.org_id:
            # Refuse before paying for a video nobody could stage: stage_from only takes org folders.
            raise ProviderRejected(
                "Bedrock video output needs the job's organisation id", provider=PROVIDER, model=job.model.id
            )
        try:
            prefix = reel_output_prefix(self.ctx.staging_prefix, job.org_id, job.request_id)
        except ValueError as error:
            raise ProviderRejected(str(error), provider=PROVIDER, model=job.model.id) from error
        # No trailing slash: Bedrock appends "/<invocation id>" itself (AWS's example passes none).
        return f"s3://{self.ctx.assets_bucket}/{prefix}"

    def submit(self, job: GenerationJob) -> PendingJob:
        spec = job.model
        if job.content_type != ContentType.VIDEO:
            raise ProviderRejected(
                f"{spec.id} answers {job.content_type} in one call: use generate",
                provider=PROVIDER,
                model=spec.id,
            )
        # Nova Reel makes 1280x720 only: a vertical or square request goes to a model that can.
        if job.options.aspect_ratio not in (None, REEL_ASPECT_RATIO) or job.options.size not in (
            None,
            REEL_DIMENSION,
        ):
            raise ProviderRejected(
                f"{spec.vendor_model} makes {REEL_DIMENSION} ({REEL_ASPECT_RATIO}) video only",
                provider=PROVIDER,
                model=spec.id,
            )
        seconds = reel_seconds(job)
        seed = derive_seed(job.prompt_hash, REEL_MAX_SEED)
        model_input = reel_model_input(job.prompt, seconds, seed)
        s3_uri = self.output_uri(job)
        token = idempotency_token(job.request_id, spec.vendor_model, model_input, s3_uri)
        with bedrock_errors(spec.id):
            response = self.client.start_async_invoke(
                modelId=spec.vendor_model,
                modelInput=model_input,
                outputDataConfig={"s3OutputDataConfig": {"s3Uri": s3_uri}},
                clientRequestToken=token,
            )
        arn = str(response["invocationArn"])
        return PendingJob(
            vendor_job_id=arn,
            poll_after_seconds=spec.poll_seconds,
            state={
                "invocationArn": arn,
                "s3Uri": s3_uri,
                "taskType": model_input["taskType"],
                "durationSeconds": seconds,
                "seed": seed,
            },
        )

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        spec = job.model
        with bedrock_errors(spec.id):
            response = self.client.get_async_invoke(invocationArn=pending.vendor_job_id)
        status = response.get("status")
        if status == "InProgress":
            return PollResult(status="running", poll_after_seconds=spec.poll_seconds)
        if status == "Failed":
            raise failed_job_error(str(response.get("failureMessage") or "no failure message"), spec.id)
        if status != "Completed":
            raise ProviderUnavailable(
                f"{PROVIDER} async invoke is in unknown status {status!r}", provider=PROVIDER, model=spec.id
            )
        source_uri = self._video_uri(job, pending, response)
        seconds = float(pending.state.get("durationSeconds") or reel_seconds(job))
        content = GeneratedContent(
            data=b"",
            mime_type="video/mp4",
            extension="mp4",
            vendor_model=spec.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage={"videoSeconds": seconds},
            parameters={
                "taskType": pending.state.get("taskType"),
                "durationSeconds": seconds,
                "fps": REEL_FPS,
                "dimension": REEL_DIMENSION,
                "seed": pending.state.get("seed"),
                "invocationArn": pending.vendor_job_id,
            },
            source_uri=source_uri,
        )
        return PollResult(status="succeeded", content=content, progress=1.0)

    def _video_uri(self, job: GenerationJob, pending: PendingJob, response: dict[str, Any]) -> str:
        # Recomputed from the job, not read from pending.state: the state document travels through
        # Step Functions, and the URI we hand on must stay inside this request's staging folder.
        base = self.output_uri(job)
        reported = str(response.get("outputDataConfig", {}).get("s3OutputDataConfig", {}).get("s3Uri") or base)
        folder = reported.rstrip("/")
        if folder == base:
            # The service echoed the URI we sent: the video is in the invocation's own folder below it.
            folder = f"{base}/{pending.vendor_job_id.rsplit('/', 1)[-1]}"
        if not folder.startswith(base + "/"):
            raise ProviderRejected(
                f"{PROVIDER} reported output {reported!r} outside {base!r}",
                provider=PROVIDER,
                model=job.model.id,
            )
        return f"{folder}/{REEL_OUTPUT_FILE}"
