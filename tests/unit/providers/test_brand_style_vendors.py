"""brand_style on the vendors that offer it: Bedrock Nova Canvas COLOR_GUIDED_GENERATION (the kit's palette and
the photo as reference image, through a real bedrock-runtime client under botocore's Stubber) and OpenAI's
POST /v1/images/edits (multipart, its form checked against the CreateImageEditRequest schema of OpenAI's published
OpenAPI description, tests/fixtures/openai). Both come back with the kit's logo placed, priced from the matrix,
and with the vendors' documented errors mapped to the typed ones."""

from __future__ import annotations

import base64
import io
import json
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

import boto3
import httpx
import numpy as np
import pytest
import respx
from botocore.config import Config
from botocore.stub import ANY, Stubber
from PIL import Image

from flashfusion.errors import ProviderRejected, ProviderThrottled
from flashfusion.models import BrandKit, prompt_hash
from flashfusion.providers.base import GenerationJob, ProviderContext, StyleSource
from flashfusion.providers.bedrock import BedrockProvider
from flashfusion.providers.openai import BASE_URL, OpenAIProvider
from flashfusion.routing import pricing
from flashfusion.routing.matrix import ModelSpec, load_matrix_file
from tests.helpers import ORG, ROOT
from tests.photos import encoded, scene
from tests.unit.providers import openapi_spec as spec
from tests.unit.providers.test_bedrock import JsonBody, body

MATRIX = load_matrix_file()
CANVAS = MATRIX.get("bedrock/amazon.nova-canvas-v1:0")
GPT_IMAGE = MATRIX.get("openai/gpt-image-1")
KIT = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
LOGO = (ROOT / "events" / "brand" / "aurora-logo.png").read_bytes()
PROMPT = "Our spring trail photo in the brand look"
API_KEY = "sk-test-FAKEKEY0123456789abcdefWXYZ"
SOURCE = encoded(scene(41, 300, 400))  # landscape JPEG
VENDOR_PNG = encoded(scene(42, 768, 1024), "PNG")  # what a vendor answers (no logo in it)


def job(model: ModelSpec) -> GenerationJob:
    return GenerationJob(
        request_id="req-style",
        content_type=model.medium,
        prompt=PROMPT,
        prompt_hash=prompt_hash(PROMPT),
        model=model,
        brand_kit=KIT,
        org_id=ORG,
        style=StyleSource(
            data=SOURCE,
            mime_type="image/jpeg",
            load_brand_file=lambda key: LOGO if key == KIT.logos[0].file else b"",
        ),
    )


# --- Bedrock Nova Canvas -------------------------------------------------------------------------


@pytest.fixture
def bedrock_client() -> Any:
    return boto3.client("bedrock-runtime", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def canvas(bedrock_client: Any) -> BedrockProvider:
    def no_key(name: str) -> str:
        raise AssertionError("Bedrock needs no API key")

    return BedrockProvider(ProviderContext(api_key=no_key, aws_client=lambda _: bedrock_client))


def test_canvas_is_asked_for_colour_guided_generation_with_the_palette_and_the_photo(
    canvas: BedrockProvider, bedrock_client: Any
) -> None:
    sent: dict[str, Any] = {}

    class Capture(JsonBody):
        def __eq__(self, other: object) -> bool:
            assert isinstance(other, bytes | str)
            sent.update(json.loads(other))
            return True

    with Stubber(bedrock_client) as stub:
        stub.add_response(
            "invoke_model",
            body({"images": [base64.b64encode(VENDOR_PNG).decode("ascii")], "error": None}),
            expected_params={
                "modelId": "amazon.nova-canvas-v1:0",
                "body": Capture({}),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        content = canvas.generate(job(CANVAS))
        stub.assert_no_pending_responses()

    assert sent["taskType"] == "COLOR_GUIDED_GENERATION"
    params = sent["colorGuidedGenerationParams"]
    assert params["colors"] == [c.hex.upper() for c in KIT.palette]
    assert 1 <= len(params["text"]) <= 1024
    assert PROMPT in params["text"]
    reference = Image.open(io.BytesIO(base64.b64decode(params["referenceImage"])))
    config = sent["imageGenerationConfig"]
    assert reference.size == (config["width"], config["height"])
    assert config["width"] % 16 == 0
    assert config["height"] % 16 == 0
    assert config["width"] > config["height"]  # the photo's own shape
    assert config["numberOfImages"] == 1

    assert content.mime_type == "image/png"
    assert content.offline is False
    assert content.parameters["operation"] == "brand_style"
    assert content.parameters["placed"] == ["logo"]  # the kit's logo placed on the vendor's output
    assert pricing.cost_of(CANVAS, content.usage, content.parameters["size"], content.parameters["quality"]) > 0


def test_canvas_filter_refusal_is_rejected(canvas: BedrockProvider, bedrock_client: Any) -> None:
    with Stubber(bedrock_client) as stub:
        stub.add_response(
            "invoke_model",
            body({"images": [], "error": "All of the generated images have been blocked by our content filters."}),
            expected_params={"modelId": ANY, "body": ANY, "contentType": ANY, "accept": ANY},
        )
        with pytest.raises(ProviderRejected, match="content filters"):
            canvas.generate(job(CANVAS))


def test_canvas_throttling_is_throttled(canvas: BedrockProvider, bedrock_client: Any) -> None:
    with Stubber(bedrock_client) as stub:
        stub.add_client_error(
            "invoke_model", service_error_code="ThrottlingException", service_message="Too many", http_status_code=429
        )
        with pytest.raises(ProviderThrottled):
            canvas.generate(job(CANVAS))


# --- OpenAI images/edits -------------------------------------------------------------------------


def edits_body() -> dict[str, Any]:
    body_: dict[str, Any] = {
        "created": 1760000000,
        "data": [{"b64_json": base64.b64encode(VENDOR_PNG).decode("ascii")}],
        "background": "opaque",
        "output_format": "png",
        "size": "1536x1024",
        "quality": "medium",
        "usage": {
            "input_tokens": 1200,
            "input_tokens_details": {"text_tokens": 80, "image_tokens": 1120},
            "output_tokens": 1568,
            "total_tokens": 2768,
        },
    }
    spec.validate(spec.response_schema("/images/edits", "post", "200"), body_)
    return body_


def form_of(request: httpx.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The multipart form the adapter sent: its text fields and its files."""
    raw = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
    message = BytesParser(policy=default_policy).parsebytes(raw)
    fields: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if part.get_filename():
            files[str(name)] = payload
        else:
            fields[str(name)] = payload.decode()
    return fields, files


@pytest.fixture
def openai() -> OpenAIProvider:
    return OpenAIProvider(ProviderContext(api_key=lambda _: API_KEY, aws_client=lambda _: None))


def test_openai_edits_get_the_photo_as_multipart_and_answer_priced_with_the_logo_placed(
    openai: OpenAIProvider,
) -> None:
    with respx.mock(base_url=BASE_URL) as api:
        route = api.post("/images/edits").mock(return_value=httpx.Response(200, json=edits_body()))
        content = openai.generate(job(GPT_IMAGE))

    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    fields, files = form_of(request)
    assert files == {"image": SOURCE}
    form = {**fields, "n": int(fields["n"]), "image": "<binary>"}
    spec.validate_request("CreateImageEditRequest", form)
    assert fields["model"] == "gpt-image-1"
    assert fields["size"] == "1536x1024"  # a landscape photo
    assert fields["input_fidelity"] == "high"
    assert "#0F6E6E" in fields["prompt"]

    assert content.parameters["api"] == "images/edits"
    assert content.parameters["placed"] == ["logo"]
    assert content.usage["images"] == 1.0
    cost = pricing.cost_of(GPT_IMAGE, content.usage, content.parameters["size"], content.parameters["quality"])
    assert cost == pytest.approx(0.063)
    assert np.asarray(Image.open(io.BytesIO(content.data))).shape[:2] == (768, 1024)


@pytest.mark.parametrize(
    ("status", "error", "raised"),
    [
        (
            400,
            {
                "message": "Your request was rejected by the safety system.",
                "type": "image_generation_user_error",
                "param": None,
                "code": "moderation_blocked",
            },
            ProviderRejected,
        ),
        (
            429,
            {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"},
            ProviderThrottled,
        ),
    ],
)
def test_openai_edit_errors_are_typed(
    openai: OpenAIProvider, status: int, error: dict[str, Any], raised: type[Exception]
) -> None:
    spec.validate("ErrorResponse", {"error": error})
    with respx.mock(base_url=BASE_URL) as api:
        api.post("/images/edits").mock(return_value=httpx.Response(status, json={"error": error}))
        with pytest.raises(raised):
            openai.generate(job(GPT_IMAGE))
