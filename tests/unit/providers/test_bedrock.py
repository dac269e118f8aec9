"""The Bedrock adapter against a real bedrock-runtime client with botocore's Stubber.

Stubber checks every request against the service model (names, types, required members, patterns)
and every canned response against the output shape, so these tests fail if the adapter sends or
expects something Bedrock would not. No test reaches the network.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from flashfusion.models import BrandKit, ContentType, prompt_hash
from flashfusion.providers import bedrock
from flashfusion.providers.base import AsyncProvider, GenerationJob, GenerationOptions, PendingJob, ProviderContext
from flashfusion.providers.bedrock import (
    CANVAS_MAX_SEED,
    REEL_MAX_SEED,
    BedrockProvider,
    derive_seed,
    idempotency_token,
    map_botocore_error,
)
from flashfusion.providers.prompting import brand_instructions
from flashfusion.routing import pricing
from flashfusion.routing.matrix import ModelSpec, load_matrix_file
from flashfusion.storage import keys
from flashfusion.storage.assets import AssetStore
from tests.helpers import ORG, ROOT

MATRIX = load_matrix_file()
LITE = MATRIX.get("bedrock/amazon.nova-lite-v1:0")
PRO = MATRIX.get("bedrock/amazon.nova-pro-v1:0")
CANVAS = MATRIX.get("bedrock/amazon.nova-canvas-v1:0")
REEL = MATRIX.get("bedrock/amazon.nova-reel-v1:1")
KIT = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
BUCKET = "ffo-assets-test"
STAGING = "staging"
REQUEST_ID = "req-0001"
ARN = "arn:aws:bedrock:us-east-1:123456789012:async-invoke/abcdefgh1234"
INVOCATION_ID = "abcdefgh1234"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
TEXT_PROMPT = "Write a LinkedIn post announcing our spring hiking collection"
IMAGE_PROMPT = "A teal tent on a snowy ridge at sunrise"
VIDEO_PROMPT = "Slow drone shot over a misty pine forest at dawn, a teal tent in a clearing"


def job_for(
    spec: ModelSpec,
    prompt: str,
    *,
    request_id: str = REQUEST_ID,
    org_id: str = ORG,
    channel: str | None = "linkedin",
    **options: Any,
) -> GenerationJob:
    return GenerationJob(
        request_id=request_id,
        content_type=spec.medium,
        prompt=prompt,
        prompt_hash=prompt_hash(prompt),
        model=spec,
        brand_kit=KIT,
        channel=channel,
        options=GenerationOptions(**options),
        org_id=org_id,
    )


class JsonBody:
    """Matches an InvokeModel body (bytes) by its JSON value, not by its exact serialisation."""

    def __init__(self, expected: dict[str, Any]) -> None:
        self.expected = expected

    def __eq__(self, other: object) -> bool:
        return isinstance(other, bytes | str) and json.loads(other) == self.expected

    def __hash__(self) -> int:
        return hash(json.dumps(self.expected, sort_keys=True))

    def __repr__(self) -> str:
        return f"JsonBody({self.expected!r})"


def body(payload: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(payload).encode("utf-8")
    return {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"}


def converse_response(
    texts: list[str], stop: str = "end_turn", tokens_in: int = 1200, tokens_out: int = 300
) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": t} for t in texts]}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out},
        "metrics": {"latencyMs": 840},
    }


def async_invoke(status: str, s3_uri: str, failure: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "invocationArn": ARN,
        "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-reel-v1:1",
        "clientRequestToken": "token",
        "status": status,
        "submitTime": datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": s3_uri}},
    }
    if failure is not None:
        response["failureMessage"] = failure
    return response


@pytest.fixture
def client() -> Any:
    # One attempt: the state machine does the retrying, and the network-error tests must not sleep.
    return boto3.client("bedrock-runtime", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def requested() -> list[str]:
    return []


@pytest.fixture
def provider(client: Any, requested: list[str]) -> BedrockProvider:
    def aws_client(service: str) -> Any:
        requested.append(service)
        return client

    def no_key(name: str) -> str:
        raise AssertionError(f"the Bedrock adapter must not ask for an API key ({name})")

    ctx = ProviderContext(api_key=no_key, aws_client=aws_client, assets_bucket=BUCKET, staging_prefix=STAGING)
    return BedrockProvider(ctx)


BASE_URI = f"s3://{BUCKET}/{STAGING}/{ORG}/{REQUEST_ID}/bedrock"


# -- the adapter as a whole ---------------------------------------------------------------------------


def test_is_a_sync_and_an_async_provider_named_bedrock(provider: BedrockProvider, requested: list[str]) -> None:
    assert provider.name == "bedrock"
    assert isinstance(provider, AsyncProvider)
    assert requested == []  # the client is made on first use, not when the adapter is built


# -- text: Converse -----------------------------------------------------------------------------------


def test_text_sends_brand_instructions_and_prompt_and_parses_converse(
    provider: BedrockProvider, stubber: Stubber, requested: list[str]
) -> None:
    job = job_for(PRO, TEXT_PROMPT, max_output_tokens=500)
    answer = "Aurora Outdoor's spring hiking collection is here.\n\nLight boots, warm layers. #hiking"
    stubber.add_response(
        "converse",
        converse_response(["  " + answer + "  "]),
        expected_params={
            "modelId": "amazon.nova-pro-v1:0",
            "system": [{"text": brand_instructions(KIT, "linkedin")}],
            "messages": [{"role": "user", "content": [{"text": TEXT_PROMPT}]}],
            "inferenceConfig": {"maxTokens": 500},
        },
    )
    content = provider.generate(job)
    assert content.data == (answer + "\n").encode("utf-8")
    assert content.mime_type == "text/plain; charset=utf-8"
    assert content.extension == "txt"
    assert content.vendor_model == "amazon.nova-pro-v1:0"
    assert content.offline is False
    assert content.source_uri is None
    assert content.cost_usd is None  # Bedrock reports usage, not a price: the matrix prices it
    assert content.usage == {"inputTokens": 1200.0, "outputTokens": 300.0}
    assert content.parameters["stopReason"] == "end_turn"
    assert requested == ["bedrock-runtime"]


def test_text_usage_is_priced_with_the_matrix_spec(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response("converse", converse_response(["Hello from Aurora Outdoor."], tokens_in=1200, tokens_out=300))
    content = provider.generate(job_for(PRO, TEXT_PROMPT))
    # Nova Pro: $0.80 per million input tokens, $3.20 per million output tokens.
    assert pricing.cost_of(PRO, content.usage) == pytest.approx(1200 * 0.8 / 1e6 + 300 * 3.2 / 1e6)
    assert pricing.cost_of(LITE, content.usage) == pytest.approx(1200 * 0.06 / 1e6 + 300 * 0.24 / 1e6)


def test_text_without_a_token_limit_lets_the_model_decide(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response(
        "converse",
        converse_response(["Copy."]),
        expected_params={
            "modelId": "amazon.nova-lite-v1:0",
            "system": [{"text": brand_instructions(KIT, None)}],
            "messages": [{"role": "user", "content": [{"text": TEXT_PROMPT}]}],
        },
    )
    provider.generate(job_for(LITE, TEXT_PROMPT, channel=None))


def test_text_token_request_never_exceeds_the_matrix_limit(provider: BedrockProvider, stubber: Stubber) -> None:
    capped = LITE.model_copy(update={"limits": LITE.limits.model_copy(update={"max_output_tokens": 800})})
    stubber.add_response(
        "converse",
        converse_response(["Copy."]),
        expected_params={
            "modelId": "amazon.nova-lite-v1:0",
            "system": ANY,
            "messages": ANY,
            "inferenceConfig": {"maxTokens": 800},
        },
    )
    provider.generate(job_for(capped, TEXT_PROMPT, max_output_tokens=5000))
    stubber.add_response(
        "converse",
        converse_response(["Copy."]),
        expected_params={"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": {"maxTokens": 800}},
    )
    provider.generate(job_for(capped, TEXT_PROMPT))  # no request cap: the matrix limit applies


def test_text_joins_every_text_block(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response("converse", converse_response(["First part. ", "Second part."]))
    assert provider.generate(job_for(LITE, TEXT_PROMPT)).data == b"First part. Second part.\n"


@pytest.mark.parametrize("stop", ["content_filtered", "guardrail_intervened"])
def test_text_refused_by_filters_is_rejected(provider: BedrockProvider, stubber: Stubber, stop: str) -> None:
    stubber.add_response("converse", converse_response(["The generated text has been blocked."], stop=stop))
    with pytest.raises(ProviderRejected, match=stop) as raised:
        provider.generate(job_for(LITE, TEXT_PROMPT))
    assert raised.value.provider == "bedrock"
    assert raised.value.model == LITE.id


def test_text_malformed_output_is_transient_and_empty_output_rejected(
    provider: BedrockProvider, stubber: Stubber
) -> None:
    stubber.add_response("converse", converse_response(["{"], stop="malformed_model_output"))
    with pytest.raises(ProviderUnavailable):
        provider.generate(job_for(LITE, TEXT_PROMPT))
    stubber.add_response("converse", converse_response(["   "]))
    with pytest.raises(ProviderRejected, match="no text"):
        provider.generate(job_for(LITE, TEXT_PROMPT))


# -- images: Nova Canvas ------------------------------------------------------------------------------


def canvas_body(prompt: str, width: int, height: int, quality: str) -> dict[str, Any]:
    return {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": prompt},
        "imageGenerationConfig": {
            "width": width,
            "height": height,
            "quality": quality,
            "numberOfImages": 1,
            "seed": derive_seed(prompt_hash(prompt), CANVAS_MAX_SEED),
        },
    }


def test_image_invokes_nova_canvas_and_decodes_the_png(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response(
        "invoke_model",
        body({"images": [base64.b64encode(PNG).decode("ascii")], "error": None}),
        expected_params={
            "modelId": "amazon.nova-canvas-v1:0",
            "body": JsonBody(canvas_body(IMAGE_PROMPT, 1024, 1024, "standard")),
            "contentType": "application/json",
            "accept": "application/json",
        },
    )
    content = provider.generate(job_for(CANVAS, IMAGE_PROMPT))
    assert content.data == PNG
    assert (content.mime_type, content.extension) == ("image/png", "png")
    assert content.usage == {"images": 1.0}
    assert content.parameters["size"] == "1024x1024"
    assert content.parameters["quality"] == "standard"
    params = content.parameters
    assert pricing.cost_of(CANVAS, content.usage, size=params["size"], quality=params["quality"]) == 0.04


def test_image_size_and_quality_come_from_the_options(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response(
        "invoke_model",
        body({"images": [base64.b64encode(PNG).decode("ascii")]}),
        expected_params={
            "modelId": "amazon.nova-canvas-v1:0",
            "body": JsonBody(canvas_body(IMAGE_PROMPT, 2048, 2048, "premium")),
            "contentType": "application/json",
            "accept": "application/json",
        },
    )
    content = provider.generate(job_for(CANVAS, IMAGE_PROMPT, size="2048x2048", quality="hd"))
    params = content.parameters
    assert pricing.cost_of(CANVAS, content.usage, size=params["size"], quality=params["quality"]) == 0.08


def test_image_blocked_output_is_rejected(provider: BedrockProvider, stubber: Stubber) -> None:
    # Output deflection is a 200 with an "error" field, not an exception (Nova "Error handling").
    stubber.add_response(
        "invoke_model",
        body({"images": [], "error": "All of the generated images have been blocked by our content filters."}),
    )
    with pytest.raises(ProviderRejected, match="blocked by our content filters"):
        provider.generate(job_for(CANVAS, IMAGE_PROMPT))


def test_image_blocked_prompt_is_rejected(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_client_error(
        "invoke_model",
        service_error_code="ValidationException",
        service_message="This request has been blocked by our content filters. "
        "Please adjust your text prompt to submit a new request.",
        http_status_code=400,
    )
    with pytest.raises(ProviderRejected, match="content filters"):
        provider.generate(job_for(CANVAS, IMAGE_PROMPT))


@pytest.mark.parametrize(
    "payload",
    [{"images": []}, {"images": ["not base64!"]}, {"images": [base64.b64encode(b"GIF89a").decode()]}],
)
def test_image_without_a_usable_image_is_a_vendor_failure(
    provider: BedrockProvider, stubber: Stubber, payload: dict[str, Any]
) -> None:
    stubber.add_response("invoke_model", body(payload))
    with pytest.raises(ProviderUnavailable):
        provider.generate(job_for(CANVAS, IMAGE_PROMPT))


@pytest.mark.parametrize(("size", "quality"), [("big", None), ("1024x1024", "ultra")])
def test_image_bad_options_are_rejected_before_any_call(
    provider: BedrockProvider, stubber: Stubber, size: str, quality: str | None
) -> None:
    with pytest.raises(ProviderRejected):
        provider.generate(job_for(CANVAS, IMAGE_PROMPT, size=size, quality=quality))


def test_seeds_are_fixed_by_the_prompt_and_in_range() -> None:
    first, second = prompt_hash("a teal tent"), prompt_hash("a red tent")
    assert derive_seed(first, CANVAS_MAX_SEED) == derive_seed(first, CANVAS_MAX_SEED)
    assert derive_seed(first, CANVAS_MAX_SEED) != derive_seed(second, CANVAS_MAX_SEED)
    for n in range(200):
        assert 0 <= derive_seed(prompt_hash(f"prompt {n}"), CANVAS_MAX_SEED) <= CANVAS_MAX_SEED
        assert 0 <= derive_seed(prompt_hash(f"prompt {n}"), REEL_MAX_SEED) <= REEL_MAX_SEED


# -- video: Nova Reel, submit then poll ---------------------------------------------------------------


def reel_input(prompt: str, seconds: int, task: str = "TEXT_VIDEO") -> dict[str, Any]:
    params = "textToVideoParams" if task == "TEXT_VIDEO" else "multiShotAutomatedParams"
    return {
        "taskType": task,
        params: {"text": prompt},
        "videoGenerationConfig": {
            "durationSeconds": seconds,
            "fps": 24,
            "dimension": "1280x720",
            "seed": derive_seed(prompt_hash(prompt), REEL_MAX_SEED),
        },
    }


def test_video_submit_starts_an_async_invoke_into_the_staging_prefix(
    provider: BedrockProvider, stubber: Stubber
) -> None:
    model_input = reel_input(VIDEO_PROMPT, 6)
    stubber.add_response(
        "start_async_invoke",
        {"invocationArn": ARN},
        expected_params={
            "modelId": "amazon.nova-reel-v1:1",
            "modelInput": model_input,
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": BASE_URI}},
            "clientRequestToken": idempotency_token(REQUEST_ID, "amazon.nova-reel-v1:1", model_input, BASE_URI),
        },
    )
    pending = provider.submit(job_for(REEL, VIDEO_PROMPT))
    assert pending.vendor_job_id == ARN
    assert pending.poll_after_seconds == REEL.poll_seconds == 30
    assert pending.state["s3Uri"] == BASE_URI
    assert pending.state["durationSeconds"] == 6
    # The output folder is in the organisation's staging area, in the request's own folder.
    bucket_name, key = pending.state["s3Uri"].removeprefix("s3://").split("/", 1)
    assert bucket_name == BUCKET
    assert key.startswith(f"{STAGING}/")
    assert key.startswith(keys.staging_prefix_of(STAGING, ORG))
    assert key == keys.staging_object_key(STAGING, ORG, REQUEST_ID, "bedrock")


def test_video_idempotency_token_is_stable_per_request_body() -> None:
    same = idempotency_token(REQUEST_ID, "m", reel_input(VIDEO_PROMPT, 6), BASE_URI)
    assert same == idempotency_token(REQUEST_ID, "m", reel_input(VIDEO_PROMPT, 6), BASE_URI)
    assert same.startswith(REQUEST_ID + "-")
    assert same != idempotency_token(REQUEST_ID, "m", reel_input(VIDEO_PROMPT + " with snow", 6), BASE_URI)
    assert same != idempotency_token("req-0002", "m", reel_input(VIDEO_PROMPT, 6), BASE_URI)
    assert len(idempotency_token("r" * 300, "m", {}, BASE_URI)) <= 256


@pytest.mark.parametrize(
    ("requested_seconds", "seconds", "task"),
    [
        (None, 6, "TEXT_VIDEO"),
        (8.0, 6, "TEXT_VIDEO"),
        (10.0, 12, "MULTI_SHOT_AUTOMATED"),
        (18.0, 18, "MULTI_SHOT_AUTOMATED"),
        (500.0, 120, "MULTI_SHOT_AUTOMATED"),
    ],
)
def test_video_length_is_whole_six_second_shots(
    provider: BedrockProvider, stubber: Stubber, requested_seconds: float | None, seconds: int, task: str
) -> None:
    stubber.add_response(
        "start_async_invoke",
        {"invocationArn": ARN},
        expected_params={
            "modelId": "amazon.nova-reel-v1:1",
            "modelInput": reel_input(VIDEO_PROMPT, seconds, task),
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": BASE_URI}},
            "clientRequestToken": ANY,
        },
    )
    pending = provider.submit(job_for(REEL, VIDEO_PROMPT, duration_seconds=requested_seconds))
    assert pending.state["durationSeconds"] == seconds


@pytest.mark.parametrize("options", [{"aspect_ratio": "9:16"}, {"aspect_ratio": "1:1"}, {"size": "720x1280"}])
def test_video_shapes_nova_reel_cannot_make_are_rejected(
    provider: BedrockProvider, stubber: Stubber, options: dict[str, Any]
) -> None:
    with pytest.raises(ProviderRejected, match="1280x720"):
        provider.submit(job_for(REEL, VIDEO_PROMPT, **options))


@pytest.mark.parametrize(
    ("request_id", "org_id"), [("../../orgs/globex", ORG), (REQUEST_ID, "../globex"), (REQUEST_ID, "a#b")]
)
def test_video_ids_cannot_leave_their_folder(
    provider: BedrockProvider, stubber: Stubber, request_id: str, org_id: str
) -> None:
    with pytest.raises(ProviderRejected):
        provider.submit(job_for(REEL, VIDEO_PROMPT, request_id=request_id, org_id=org_id))


def test_video_needs_the_organisation(provider: BedrockProvider, stubber: Stubber) -> None:
    # Without it the video could not be staged afterwards: refuse before paying for it.
    with pytest.raises(ProviderRejected, match="organisation"):
        provider.submit(job_for(REEL, VIDEO_PROMPT, org_id=""))


def test_video_needs_an_assets_bucket(client: Any) -> None:
    ctx = ProviderContext(api_key=lambda _: "", aws_client=lambda _: client, assets_bucket="")
    with pytest.raises(ProviderRejected, match="bucket"):
        BedrockProvider(ctx).submit(job_for(REEL, VIDEO_PROMPT))


def test_video_and_sync_entry_points_do_not_mix(provider: BedrockProvider) -> None:
    with pytest.raises(ProviderRejected, match="submit and poll"):
        provider.generate(job_for(REEL, VIDEO_PROMPT))
    with pytest.raises(ProviderRejected, match="use generate"):
        provider.submit(job_for(LITE, TEXT_PROMPT))


def pending_job() -> PendingJob:
    return PendingJob(
        vendor_job_id=ARN,
        poll_after_seconds=30,
        state={"invocationArn": ARN, "s3Uri": BASE_URI, "taskType": "TEXT_VIDEO", "durationSeconds": 6, "seed": 7},
    )


def test_video_poll_in_progress_is_running(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response(
        "get_async_invoke", async_invoke("InProgress", BASE_URI), expected_params={"invocationArn": ARN}
    )
    result = provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job())
    assert result.status == "running"
    assert result.content is None
    assert result.poll_after_seconds == 30


def test_video_poll_completed_points_at_the_invocation_folder(provider: BedrockProvider, stubber: Stubber) -> None:
    # GetAsyncInvoke reports the invocation's own folder; the video is output.mp4 inside it.
    stubber.add_response("get_async_invoke", async_invoke("Completed", f"{BASE_URI}/{INVOCATION_ID}"))
    result = provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job())
    assert result.status == "succeeded"
    content = result.content
    assert content is not None
    assert content.data == b""
    assert content.source_uri == f"{BASE_URI}/{INVOCATION_ID}/output.mp4"
    assert content.source_uri.startswith(f"s3://{BUCKET}/{STAGING}/")
    assert (content.mime_type, content.extension) == ("video/mp4", "mp4")
    assert content.usage == {"videoSeconds": 6.0}
    assert content.parameters["invocationArn"] == ARN
    # Nova Reel: $0.08 per second of video.
    assert pricing.cost_of(REEL, content.usage) == pytest.approx(0.48)


def test_video_source_uri_is_accepted_by_the_asset_store(provider: BedrockProvider, stubber: Stubber) -> None:
    # The contract with the Generate step: AssetStore.stage_from copies only from the org's staging area.
    class FakeS3:
        def __init__(self) -> None:
            self.read: list[tuple[str, str]] = []
            self.written: list[str] = []

        def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
            self.read.append((Bucket, Key))
            return {"Body": io.BytesIO(b"mp4 bytes")}

        def put_object(self, **kwargs: Any) -> dict[str, Any]:
            self.written.append(kwargs["Key"])
            return {}

    stubber.add_response("get_async_invoke", async_invoke("Completed", f"{BASE_URI}/{INVOCATION_ID}"))
    content = provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job()).content
    assert content is not None
    assert content.source_uri is not None
    s3 = FakeS3()
    staged, data = AssetStore(s3, BUCKET, STAGING).stage_from(
        ORG, REQUEST_ID, "asset.mp4", content.source_uri, content.mime_type
    )
    assert data == b"mp4 bytes"
    assert s3.read == [(BUCKET, f"{STAGING}/{ORG}/{REQUEST_ID}/bedrock/{INVOCATION_ID}/output.mp4")]
    assert staged == s3.written[0]
    with pytest.raises(PermissionError):  # and another organisation cannot take it
        AssetStore(s3, BUCKET, STAGING).stage_from("globex", REQUEST_ID, "a.mp4", content.source_uri, "video/mp4")


def test_video_poll_completed_with_the_submitted_uri_adds_the_invocation_folder(
    provider: BedrockProvider, stubber: Stubber
) -> None:
    stubber.add_response("get_async_invoke", async_invoke("Completed", BASE_URI + "/"))
    result = provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job())
    assert result.content is not None
    assert result.content.source_uri == f"{BASE_URI}/{INVOCATION_ID}/output.mp4"


def test_video_output_outside_the_request_folder_is_refused(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_response("get_async_invoke", async_invoke("Completed", f"s3://{BUCKET}/orgs/globex/assets"))
    with pytest.raises(ProviderRejected, match="outside"):
        provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job())


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ("The generated video has been blocked by our content filters.", ProviderRejected),
        ("Internal server error", ProviderUnavailable),
        ("Access Denied: Bedrock could not write to the S3 output location", ProviderAuthError),
        ("Request was throttled", ProviderThrottled),
        ("The job timed out", ProviderTimeout),
    ],
)
def test_video_poll_failed_raises_a_typed_error(
    provider: BedrockProvider, stubber: Stubber, failure: str, expected: type[ProviderError]
) -> None:
    stubber.add_response("get_async_invoke", async_invoke("Failed", BASE_URI, failure=failure))
    with pytest.raises(expected, match="async invoke failed") as raised:
        provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job())
    assert type(raised.value) is expected
    assert failure in str(raised.value)


def test_video_poll_errors_are_mapped(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_client_error("get_async_invoke", service_error_code="ThrottlingException", http_status_code=429)
    with pytest.raises(ProviderThrottled):
        provider.poll(job_for(REEL, VIDEO_PROMPT), pending_job())


def test_video_submit_errors_are_mapped(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_client_error(
        "start_async_invoke",
        service_error_code="ServiceQuotaExceededException",
        service_message="Too many concurrent async invocations",
        http_status_code=400,
    )
    with pytest.raises(ProviderThrottled):
        provider.submit(job_for(REEL, VIDEO_PROMPT))


# -- error mapping ------------------------------------------------------------------------------------

# Codes and statuses as botocore's bedrock-runtime model declares them.
CLIENT_ERRORS: list[tuple[str, int, type[ProviderError]]] = [
    ("ThrottlingException", 429, ProviderThrottled),
    ("ServiceQuotaExceededException", 400, ProviderThrottled),
    ("TooManyRequests", 429, ProviderThrottled),
    ("ModelTimeoutException", 408, ProviderTimeout),
    ("InternalServerException", 500, ProviderUnavailable),
    ("ServiceUnavailableException", 503, ProviderUnavailable),
    ("ModelNotReadyException", 429, ProviderUnavailable),  # 429, yet a cold model, not a rate limit
    ("AccessDeniedException", 403, ProviderAuthError),
    ("UnrecognizedClientException", 403, ProviderAuthError),
    ("ValidationException", 400, ProviderRejected),
    ("ModelErrorException", 424, ProviderRejected),
    ("ResourceNotFoundException", 404, ProviderRejected),
    # Codes the table does not know fall back to the HTTP status.
    ("SomethingNewException", 429, ProviderThrottled),
    ("SomethingNewException", 502, ProviderUnavailable),
    ("SomethingNewException", 401, ProviderAuthError),
    ("SomethingNewException", 504, ProviderTimeout),
    ("SomethingNewException", 418, ProviderRejected),
]


@pytest.mark.parametrize(("code", "status", "expected"), CLIENT_ERRORS)
def test_client_errors_map_to_typed_errors(
    provider: BedrockProvider, stubber: Stubber, code: str, status: int, expected: type[ProviderError]
) -> None:
    stubber.add_client_error("converse", service_error_code=code, service_message="details", http_status_code=status)
    with pytest.raises(expected) as raised:
        provider.generate(job_for(LITE, TEXT_PROMPT))
    assert type(raised.value) is expected
    assert code in str(raised.value)
    assert raised.value.provider == "bedrock"
    assert raised.value.model == LITE.id


def test_content_filter_message_is_rejected_whatever_the_code(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_client_error(
        "converse",
        service_error_code="SomethingNewException",
        service_message="This request has been blocked by our content filters.",
        http_status_code=503,
    )
    with pytest.raises(ProviderRejected):
        provider.generate(job_for(LITE, TEXT_PROMPT))


def test_throttle_keeps_retry_after(provider: BedrockProvider, stubber: Stubber) -> None:
    stubber.add_client_error(
        "converse",
        service_error_code="ThrottlingException",
        http_status_code=429,
        response_meta={"HTTPHeaders": {"retry-after": "3"}},
    )
    with pytest.raises(ProviderThrottled) as raised:
        provider.generate(job_for(LITE, TEXT_PROMPT))
    assert raised.value.retry_after == 3.0


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"), ProviderTimeout),
        (ConnectTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"), ProviderTimeout),
        (EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"), ProviderUnavailable),
        (
            ConnectionClosedError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
            ProviderUnavailable,
        ),
        (NoCredentialsError(), ProviderAuthError),
    ],
)
def test_transport_errors_map_to_typed_errors(
    provider: BedrockProvider, client: Any, error: Exception, expected: type[ProviderError]
) -> None:
    # Raised where the HTTP request would go out, so botocore's own handling runs as in Lambda.
    def fail(**_: Any) -> None:
        raise error

    client.meta.events.register("before-send.bedrock-runtime.Converse", fail)
    with pytest.raises(expected) as raised:
        provider.generate(job_for(LITE, TEXT_PROMPT))
    assert type(raised.value) is expected
    assert raised.value.__cause__ is error


def test_a_read_timeout_while_streaming_the_image_is_a_timeout(provider: BedrockProvider, stubber: Stubber) -> None:
    class SlowBody(StreamingBody):
        def read(self, amt: int | None = None) -> bytes:
            raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")

    stubber.add_response("invoke_model", {"body": SlowBody(io.BytesIO(b"{}"), 2), "contentType": "application/json"})
    with pytest.raises(ProviderTimeout):
        provider.generate(job_for(CANVAS, IMAGE_PROMPT))


def test_our_own_bad_parameters_are_rejected() -> None:
    error = map_botocore_error(ParamValidationError(report="Invalid type for parameter modelInput"), LITE.id)
    assert type(error) is ProviderRejected


def test_music_is_not_a_bedrock_medium(provider: BedrockProvider) -> None:
    job = replace(job_for(LITE, "a jingle"), content_type=ContentType.MUSIC)
    with pytest.raises(ProviderRejected, match="music"):
        provider.generate(job)


def test_module_documents_its_sources() -> None:
    doc = bedrock.__doc__ or ""
    for source in ("API_runtime_Converse", "image-gen-req-resp-structure", "video-gen-access", "GetAsyncInvoke"):
        assert source in doc
