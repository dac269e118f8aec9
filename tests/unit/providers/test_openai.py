"""The OpenAI adapter against a mocked api.openai.com.

Every request the adapter sends and every response body served back is validated against the schema
OpenAI's published OpenAPI description gives for that operation (tests/unit/providers/openapi_spec.py),
so the fixtures cannot drift into shapes written from memory.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from flashfusion.models import BrandKit, ContentType, prompt_hash
from flashfusion.providers.base import (
    AsyncProvider,
    GeneratedContent,
    GenerationJob,
    GenerationOptions,
    PendingJob,
    Provider,
    ProviderContext,
)
from flashfusion.providers.openai import BASE_URL, OpenAIProvider, nearest_sora_seconds
from flashfusion.providers.prompting import brand_instructions
from flashfusion.routing.matrix import ModelSpec, load_matrix_file
from flashfusion.routing.pricing import cost_of
from tests.unit.providers import openapi_spec as spec

MATRIX = load_matrix_file()
API_KEY = "sk-test-FAKEKEY0123456789abcdefWXYZ"
VIDEO_ID = "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5"
PROMPT = "Write a LinkedIn post announcing our spring hiking collection"
VIDEO_PROMPT = "A hiker crests a misty ridge at sunrise, wide shot, the Aurora logo on her backpack"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


# --- builders -------------------------------------------------------------------------------------


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\x1e\x90\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = tiny_png()


def kit() -> BrandKit:
    return BrandKit.model_validate(
        {
            "kitId": "aurora-core",
            "name": "Aurora Outdoor Co",
            "voice": {"brandName": "Aurora Outdoor", "requiredTerms": ["Aurora Outdoor", "#TrailReady"]},
            "legal": {"bannedTerms": ["cheap", "guaranteed"]},
        }
    )


def job(
    model_id: str,
    *,
    content_type: ContentType | None = None,
    prompt: str = PROMPT,
    channel: str | None = "linkedin",
    options: GenerationOptions | None = None,
) -> GenerationJob:
    model = MATRIX.get(model_id)
    return GenerationJob(
        request_id="req-1",
        content_type=content_type or model.medium,
        prompt=prompt,
        prompt_hash=prompt_hash(prompt),
        model=model,
        brand_kit=kit(),
        channel=channel,
        options=options or GenerationOptions(),
    )


def video_job(options: GenerationOptions | None = None) -> GenerationJob:
    return job("openai/sora-2", prompt=VIDEO_PROMPT, channel=None, options=options)


def message(*content: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": list(content),
    }


def output_text(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


REASONING = {"id": "rs_67ccd3a9e8c48190b2f3a0e4c1d6f3a904becb25c45c1d41", "type": "reasoning", "summary": []}
COPY = "Spring is here at Aurora Outdoor. Our new hiking collection is light, tough and #TrailReady."


def response_body(
    *,
    output: list[dict[str, Any]] | None = None,
    status: str = "completed",
    model: str = "gpt-5-2025-08-07",
    usage: tuple[int, int] = (812, 164),
    incomplete: str | None = None,
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Responses API `Response` object as POST /v1/responses returns it (validated in each test)."""
    return {
        "id": "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
        "object": "response",
        "created_at": 1760000000,
        "status": status,
        "completed_at": 1760000004 if status == "completed" else None,
        "error": error,
        "incomplete_details": {"reason": incomplete} if incomplete else None,
        "instructions": "You write marketing copy for the brand Aurora Outdoor.",
        "max_output_tokens": None,
        "model": model,
        "output": [REASONING, message(output_text(COPY))] if output is None else output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": "medium", "summary": None},
        "store": False,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": usage[0],
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": usage[1],
            "output_tokens_details": {"reasoning_tokens": usage[1] // 2},
            "total_tokens": usage[0] + usage[1],
        },
        "metadata": {},
    }


def images_body(*, revised_prompt: str | None = None, gpt_image: bool = False) -> dict[str, Any]:
    """An `ImagesResponse` as POST /v1/images/generations returns it with b64_json."""
    image: dict[str, Any] = {"b64_json": base64.b64encode(PNG).decode("ascii")}
    if revised_prompt:
        image["revised_prompt"] = revised_prompt
    body: dict[str, Any] = {"created": 1760000000, "data": [image]}
    if gpt_image:
        body |= {
            "background": "opaque",
            "output_format": "png",
            "size": "1024x1024",
            "quality": "medium",
            "usage": {
                "input_tokens": 50,
                "input_tokens_details": {"text_tokens": 50, "image_tokens": 0},
                "output_tokens": 1056,
                "total_tokens": 1106,
            },
        }
    return body


def video_body(
    status: str = "queued",
    progress: int = 0,
    seconds: str = "4",
    size: str = "1280x720",
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A `VideoResource` as POST /v1/videos and GET /v1/videos/{id} return it."""
    done = status in ("completed", "failed")
    return {
        "id": VIDEO_ID,
        "object": "video",
        "model": "sora-2",
        "status": status,
        "progress": progress,
        "created_at": 1760000000,
        "completed_at": 1760000090 if done else None,
        "expires_at": 1760086490 if status == "completed" else None,
        "prompt": VIDEO_PROMPT,
        "size": size,
        "seconds": seconds,
        "remixed_from_video_id": None,
        "error": error,
    }


def error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    spec.validate("ErrorResponse", body)
    return body


def served(path: str, method: str, body: dict[str, Any], status: str = "200") -> dict[str, Any]:
    """Validate a fixture against the schema the spec gives for that operation, then hand it back."""
    spec.validate(spec.response_schema(path, method, status), body)
    return body


def sent(route: respx.Route) -> dict[str, Any]:
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = json.loads(request.content)
    return body


def priced(model_id: str, content: GeneratedContent) -> float:
    return cost_of(
        MATRIX.get(model_id),
        content.usage,
        size=content.parameters.get("size"),
        quality=content.parameters.get("quality"),
    )


# --- fixtures -------------------------------------------------------------------------------------


@dataclass
class KeyStore:
    calls: int = 0

    def __call__(self, provider: str) -> str:
        assert provider == "openai"
        self.calls += 1
        return API_KEY


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore()


@pytest.fixture
def provider(keys: KeyStore) -> OpenAIProvider:
    return OpenAIProvider(ProviderContext(api_key=keys, aws_client=lambda service: None))


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    # assert_all_mocked (the default): a request to anything not routed here fails, never goes out.
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


# --- the adapter's shape --------------------------------------------------------------------------


def test_satisfies_both_provider_protocols(provider: OpenAIProvider) -> None:
    sync: Provider = provider
    assert sync.name == "openai"
    assert isinstance(provider, AsyncProvider)
    assert spec.document()["servers"][0]["url"] == BASE_URL


def test_the_key_is_read_lazily_and_per_call(provider: OpenAIProvider, keys: KeyStore, api: respx.MockRouter) -> None:
    assert keys.calls == 0  # constructing the adapter (cold start, registry) reads no secret
    api.post("/responses").mock(return_value=httpx.Response(200, json=response_body()))
    provider.generate(job("openai/gpt-5"))
    assert keys.calls == 1


def test_the_spec_authenticates_with_a_bearer_key() -> None:
    schemes = spec.document()["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {"type": "http", "scheme": "bearer"}


# --- text: the Responses API ----------------------------------------------------------------------


def test_text_request_is_a_create_response_with_the_brand_kit_as_instructions(
    provider: OpenAIProvider, api: respx.MockRouter
) -> None:
    route = api.post("/responses").mock(
        return_value=httpx.Response(200, json=served("/responses", "post", response_body()))
    )
    provider.generate(job("openai/gpt-5-mini"))

    body = sent(route)
    spec.validate_request(spec.request_schema("/responses", "post"), body)
    assert body["model"] == "gpt-5-mini"
    assert body["input"] == PROMPT
    assert body["store"] is False
    assert "max_output_tokens" not in body  # neither the request nor the matrix sets one
    instructions = body["instructions"]
    assert instructions == brand_instructions(kit(), "linkedin")  # the house's shared brand prompt
    assert "Aurora Outdoor" in instructions
    assert '"#TrailReady"' in instructions
    assert '"cheap"' in instructions
    assert '"guaranteed"' in instructions
    assert "LinkedIn" in instructions


def test_text_output_is_the_message_text_after_the_reasoning_item(
    provider: OpenAIProvider, api: respx.MockRouter
) -> None:
    api.post("/responses").mock(return_value=httpx.Response(200, json=served("/responses", "post", response_body())))
    content = provider.generate(job("openai/gpt-5"))

    assert content.data == (COPY + "\n").encode("utf-8")
    assert content.mime_type == "text/plain; charset=utf-8"
    assert content.extension == "txt"
    assert content.offline is False
    assert content.vendor_model == "gpt-5-2025-08-07"  # the snapshot that answered, for provenance
    assert content.usage == {"inputTokens": 812.0, "outputTokens": 164.0}
    assert content.cost_usd is None
    assert content.parameters["responseId"].startswith("resp_")


def test_text_joins_every_output_text_part(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    output = [message(output_text("Spring is here. "), output_text("Get #TrailReady with Aurora Outdoor."))]
    body = served("/responses", "post", response_body(output=output))
    api.post("/responses").mock(return_value=httpx.Response(200, json=body))
    text = provider.generate(job("openai/gpt-5-nano")).data.decode("utf-8")
    assert text == "Spring is here. Get #TrailReady with Aurora Outdoor.\n"


def test_text_parses_the_example_response_in_openais_spec(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    # Not schema-validated: OpenAI's own example predates required fields (logprobs) of its schema.
    example = spec.component("Response")["example"]
    api.post("/responses").mock(return_value=httpx.Response(200, json=example))
    content = provider.generate(job("openai/gpt-5"))
    assert content.data.decode("utf-8").startswith("The image depicts a scenic landscape")
    assert content.usage == {"inputTokens": 328.0, "outputTokens": 52.0}


def test_max_output_tokens_is_sent_when_the_request_sets_it(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    route = api.post("/responses").mock(return_value=httpx.Response(200, json=response_body()))
    content = provider.generate(job("openai/gpt-5", options=GenerationOptions(max_output_tokens=400)))
    body = sent(route)
    spec.validate_request("CreateResponse", body)
    assert body["max_output_tokens"] == 400
    assert content.parameters["maxOutputTokens"] == 400


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        # 812 input and 164 output tokens at the matrix's list prices per million tokens
        ("openai/gpt-5", 812 * 1.25 / 1e6 + 164 * 10.0 / 1e6),
        ("openai/gpt-5-mini", 812 * 0.25 / 1e6 + 164 * 2.0 / 1e6),
        ("openai/gpt-5-nano", 812 * 0.05 / 1e6 + 164 * 0.4 / 1e6),
    ],
)
def test_text_usage_prices_through_the_matrix(
    provider: OpenAIProvider, api: respx.MockRouter, model_id: str, expected: float
) -> None:
    api.post("/responses").mock(return_value=httpx.Response(200, json=response_body()))
    content = provider.generate(job(model_id))
    assert priced(model_id, content) == pytest.approx(round(expected, 6))


def test_a_refusal_is_rejected_with_the_models_reason(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    refusal = {"type": "refusal", "refusal": "I can't help with creating that content."}
    body = served("/responses", "post", response_body(output=[REASONING, message(refusal)]))
    api.post("/responses").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(ProviderRejected, match="I can't help with creating that content") as caught:
        provider.generate(job("openai/gpt-5"))
    assert caught.value.provider == "openai"
    assert caught.value.model == "openai/gpt-5"


@pytest.mark.parametrize("reason", ["content_filter", "max_output_tokens"])
def test_an_incomplete_response_is_rejected_with_its_reason(
    provider: OpenAIProvider, api: respx.MockRouter, reason: str
) -> None:
    partial = [REASONING, message(output_text("Spring is here at Aur"))]
    body = served("/responses", "post", response_body(status="incomplete", incomplete=reason, output=partial))
    api.post("/responses").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(ProviderRejected, match=f"incomplete: {reason}"):
        provider.generate(job("openai/gpt-5"))


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        ("server_error", ProviderUnavailable),
        ("rate_limit_exceeded", ProviderThrottled),
        ("invalid_prompt", ProviderRejected),
    ],
)
def test_a_failed_response_maps_its_error_code(
    provider: OpenAIProvider, api: respx.MockRouter, code: str, error_type: type[ProviderError]
) -> None:
    error = {"code": code, "message": "The response could not be generated."}
    body = served("/responses", "post", response_body(status="failed", output=[], error=error))
    api.post("/responses").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(error_type, match="could not be generated") as caught:
        provider.generate(job("openai/gpt-5"))
    assert type(caught.value) is error_type


def test_a_response_without_output_text_is_rejected(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    body = served("/responses", "post", response_body(output=[REASONING]))
    api.post("/responses").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(ProviderRejected, match="no output text"):
        provider.generate(job("openai/gpt-5"))


def test_an_unreadable_success_body_is_unavailable(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    api.post("/responses").mock(return_value=httpx.Response(200, text="<html>upstream hiccup</html>"))
    with pytest.raises(ProviderUnavailable, match="not a JSON object"):
        provider.generate(job("openai/gpt-5"))


# --- images ---------------------------------------------------------------------------------------


def test_dall_e_2_asks_for_b64_json_and_decodes_a_png(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    route = api.post("/images/generations").mock(
        return_value=httpx.Response(200, json=served("/images/generations", "post", images_body()))
    )
    content = provider.generate(job("openai/dall-e-2", prompt="A misty ridge at sunrise"))

    body = sent(route)
    spec.validate_request(spec.request_schema("/images/generations", "post"), body)
    assert body == {
        "model": "dall-e-2",
        "prompt": "A misty ridge at sunrise",
        "n": 1,
        "size": "1024x1024",  # the matrix's default size
        "response_format": "b64_json",
    }
    assert content.data == PNG
    assert (content.mime_type, content.extension) == ("image/png", "png")
    assert content.usage == {"images": 1.0}
    assert priced("openai/dall-e-2", content) == pytest.approx(0.02)


def test_dall_e_3_sends_the_requested_size_and_quality(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    revised = "A photorealistic misty mountain ridge at sunrise, seen from a low angle"
    body = served("/images/generations", "post", images_body(revised_prompt=revised))
    route = api.post("/images/generations").mock(return_value=httpx.Response(200, json=body))
    options = GenerationOptions(size="1024x1792", quality="hd")
    content = provider.generate(job("openai/dall-e-3", prompt="A misty ridge at sunrise", options=options))

    request = sent(route)
    spec.validate_request("CreateImageRequest", request)
    assert request["model"] == "dall-e-3"
    assert (request["size"], request["quality"], request["n"]) == ("1024x1792", "hd", 1)
    assert request["response_format"] == "b64_json"
    assert content.parameters["revisedPrompt"] == revised
    assert priced("openai/dall-e-3", content) == pytest.approx(0.12)


def test_dall_e_3_defaults_to_standard_quality(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    route = api.post("/images/generations").mock(return_value=httpx.Response(200, json=images_body()))
    content = provider.generate(job("openai/dall-e-3", prompt="A misty ridge at sunrise"))
    assert sent(route)["quality"] == "standard"
    assert priced("openai/dall-e-3", content) == pytest.approx(0.04)


def test_gpt_image_1_never_sends_response_format_and_reports_its_tokens(
    provider: OpenAIProvider, api: respx.MockRouter
) -> None:
    body = served("/images/generations", "post", images_body(gpt_image=True))
    route = api.post("/images/generations").mock(return_value=httpx.Response(200, json=body))
    content = provider.generate(job("openai/gpt-image-1", prompt="A misty ridge at sunrise"))

    request = sent(route)
    spec.validate_request("CreateImageRequest", request)
    assert "response_format" not in request
    assert request["output_format"] == "png"
    assert request["quality"] == "medium"  # explicit: "auto" could not be priced before the call
    assert content.data == PNG
    assert content.usage == {"images": 1.0, "inputTokens": 50.0, "outputTokens": 1056.0}
    assert content.parameters["quality"] == "medium"
    assert priced("openai/gpt-image-1", content) == pytest.approx(0.042)


def test_gpt_image_1_maps_dall_e_quality_words(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    route = api.post("/images/generations").mock(return_value=httpx.Response(200, json=images_body()))
    options = GenerationOptions(size="1536x1024", quality="hd")
    content = provider.generate(job("openai/gpt-image-1", prompt="A misty ridge", options=options))
    assert sent(route)["quality"] == "high"
    assert priced("openai/gpt-image-1", content) == pytest.approx(0.25)


def test_an_image_size_the_model_cannot_make_is_rejected_without_a_call(
    provider: OpenAIProvider, api: respx.MockRouter
) -> None:
    route = api.post("/images/generations")
    with pytest.raises(ProviderRejected, match="cannot make 1792x1024"):
        provider.generate(job("openai/dall-e-2", options=GenerationOptions(size="1792x1024")))
    assert not route.called


def test_a_content_policy_refusal_is_rejected_with_a_readable_message(
    provider: OpenAIProvider, api: respx.MockRouter
) -> None:
    refusal = error_body(
        "Your request was rejected as a result of our safety system. Your prompt may contain text "
        "that is not allowed by our safety system.",
        "invalid_request_error",
        "content_policy_violation",
    )
    api.post("/images/generations").mock(return_value=httpx.Response(400, json=refusal))
    with pytest.raises(ProviderRejected) as caught:
        provider.generate(job("openai/dall-e-3", prompt="Something our safety system refuses"))
    assert str(caught.value) == (
        "openai answered 400: Your request was rejected as a result of our safety system. Your prompt may "
        "contain text that is not allowed by our safety system. (content_policy_violation)"
    )


def test_image_data_that_is_not_an_image_is_unavailable(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    body = {"created": 1760000000, "data": [{"b64_json": base64.b64encode(b"not an image").decode()}]}
    api.post("/images/generations").mock(
        return_value=httpx.Response(200, json=served("/images/generations", "post", body))
    )
    with pytest.raises(ProviderUnavailable, match="not PNG"):
        provider.generate(job("openai/gpt-image-1"))


def test_an_image_url_instead_of_b64_json_is_unavailable(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    body = served("/images/generations", "post", {"created": 1760000000, "data": [{"url": "https://x.test/a.png"}]})
    api.post("/images/generations").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(ProviderUnavailable, match="no b64_json"):
        provider.generate(job("openai/dall-e-2"))


# --- video: Sora ----------------------------------------------------------------------------------


def test_sora_submit_sends_a_create_video_json_body(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    route = api.post("/videos").mock(return_value=httpx.Response(200, json=served("/videos", "post", video_body())))
    pending = provider.submit(video_job())

    body = sent(route)
    spec.validate_request(spec.request_schema("/videos", "post"), body)
    assert body == {"model": "sora-2", "prompt": VIDEO_PROMPT, "seconds": "4", "size": "1280x720"}
    assert pending.vendor_job_id == VIDEO_ID
    assert pending.poll_after_seconds == MATRIX.get("openai/sora-2").poll_seconds == 15
    assert pending.state["seconds"] == 4


@pytest.mark.parametrize(
    ("options", "seconds", "size"),
    [
        (GenerationOptions(duration_seconds=8, aspect_ratio="9:16"), "8", "720x1280"),
        (GenerationOptions(duration_seconds=10), "12", "1280x720"),
        (GenerationOptions(duration_seconds=30, size="720x1280"), "12", "720x1280"),
        (GenerationOptions(duration_seconds=1), "4", "1280x720"),
    ],
)
def test_sora_submit_snaps_duration_and_size_to_what_sora_accepts(
    provider: OpenAIProvider, api: respx.MockRouter, options: GenerationOptions, seconds: str, size: str
) -> None:
    route = api.post("/videos").mock(return_value=httpx.Response(200, json=video_body(seconds=seconds, size=size)))
    provider.submit(video_job(options))
    body = sent(route)
    spec.validate_request("CreateVideoJsonBody", body)
    assert (body["seconds"], body["size"]) == (seconds, size)


@pytest.mark.parametrize(("asked", "allowed"), [(4, 4), (5, 4), (6, 8), (7, 8), (10, 12), (12, 12), (15, 12)])
def test_nearest_sora_seconds(asked: float, allowed: int) -> None:
    assert nearest_sora_seconds(asked) == allowed
    assert str(allowed) in spec.component("VideoSeconds")["enum"]


def test_sora_rejects_an_aspect_ratio_it_has_no_size_for(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    route = api.post("/videos")
    with pytest.raises(ProviderRejected, match="no 1:1 size"):
        provider.submit(video_job(GenerationOptions(aspect_ratio="1:1")))
    assert not route.called


def test_sora_submit_poll_running_then_completed_downloads_the_mp4(
    provider: OpenAIProvider, api: respx.MockRouter
) -> None:
    api.post("/videos").mock(return_value=httpx.Response(200, json=served("/videos", "post", video_body(seconds="8"))))
    status = api.get(f"/videos/{VIDEO_ID}").mock(
        side_effect=[
            httpx.Response(200, json=served("/videos/{video_id}", "get", video_body("queued", 0, "8"))),
            httpx.Response(200, json=served("/videos/{video_id}", "get", video_body("in_progress", 42, "8"))),
            httpx.Response(200, json=served("/videos/{video_id}", "get", video_body("completed", 100, "8"))),
        ]
    )
    assert "video/mp4" in spec.response_media_types("/videos/{video_id}/content", "get")
    download = api.get(f"/videos/{VIDEO_ID}/content").mock(
        return_value=httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"})
    )
    sora = video_job(GenerationOptions(duration_seconds=8))

    pending = provider.submit(sora)
    queued = provider.poll(sora, pending)
    assert (queued.status, queued.progress, queued.content) == ("running", 0.0, None)
    running = provider.poll(sora, pending)
    assert (running.status, running.progress, running.poll_after_seconds) == ("running", 42.0, 15)
    assert not download.called

    done = provider.poll(sora, pending)
    assert done.status == "succeeded"
    assert done.content is not None
    assert done.content.data == MP4
    assert (done.content.mime_type, done.content.extension) == ("video/mp4", "mp4")
    assert done.content.usage == {"videoSeconds": 8.0}
    assert done.content.vendor_model == "sora-2"
    assert done.content.parameters["videoId"] == VIDEO_ID
    assert priced("openai/sora-2", done.content) == pytest.approx(0.8)
    assert status.call_count == 3
    assert download.calls.last.request.headers["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        ("moderation_blocked", ProviderRejected),
        ("content_policy_violation", ProviderRejected),
        ("internal_error", ProviderUnavailable),
        ("video_generation_failed", ProviderUnavailable),
    ],
)
def test_a_failed_sora_job_raises_by_its_error(
    provider: OpenAIProvider, api: respx.MockRouter, code: str, error_type: type[ProviderError]
) -> None:
    failure = {"code": code, "message": "Your request was blocked by our moderation system."}
    body = served("/videos/{video_id}", "get", video_body("failed", 37, error=failure))
    api.get(f"/videos/{VIDEO_ID}").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(error_type) as caught:
        provider.poll(video_job(), PendingJob(VIDEO_ID))
    assert type(caught.value) is error_type
    assert str(caught.value) == (
        f"openai video {VIDEO_ID} failed: Your request was blocked by our moderation system. ({code})"
    )


def test_a_malformed_video_id_never_reaches_the_url(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    with pytest.raises(ProviderRejected, match="malformed video id"):
        provider.poll(video_job(), PendingJob("../files/file_123"))


# --- vendor errors, on every endpoint -------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    call: Callable[[OpenAIProvider], object]


ENDPOINTS = {
    "text": Endpoint("POST", "/responses", lambda p: p.generate(job("openai/gpt-5"))),
    "image": Endpoint("POST", "/images/generations", lambda p: p.generate(job("openai/gpt-image-1"))),
    "video-submit": Endpoint("POST", "/videos", lambda p: p.submit(video_job())),
    "video-poll": Endpoint("GET", f"/videos/{VIDEO_ID}", lambda p: p.poll(video_job(), PendingJob(VIDEO_ID))),
    "video-download": Endpoint(
        "GET", f"/videos/{VIDEO_ID}/content", lambda p: p.poll(video_job(), PendingJob(VIDEO_ID))
    ),
}


def route_for(api: respx.MockRouter, name: str) -> respx.Route:
    endpoint = ENDPOINTS[name]
    if name == "video-download":  # the status call succeeds; the download is what fails
        api.get(f"/videos/{VIDEO_ID}").mock(return_value=httpx.Response(200, json=video_body("completed", 100)))
    return api.route(method=endpoint.method, path=endpoint.path)


def raised(provider: OpenAIProvider, name: str) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        ENDPOINTS[name].call(provider)
    error = caught.value
    assert API_KEY not in str(error)
    assert API_KEY not in repr(error.args)
    assert error.provider == "openai"
    return error


@pytest.mark.parametrize("name", ENDPOINTS)
def test_429_with_retry_after_is_throttled(provider: OpenAIProvider, api: respx.MockRouter, name: str) -> None:
    body = error_body(
        "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 7s.",
        "requests",
        "rate_limit_exceeded",
    )
    spec.validate(spec.response_schema("/responses", "post", "429"), body)
    route_for(api, name).mock(return_value=httpx.Response(429, json=body, headers={"Retry-After": "7"}))
    error = raised(provider, name)
    assert isinstance(error, ProviderThrottled)
    assert error.retry_after == 7.0
    assert "Rate limit reached" in str(error)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_401_is_an_auth_error_and_the_echoed_key_is_redacted(
    provider: OpenAIProvider, api: respx.MockRouter, name: str
) -> None:
    body = error_body(
        f"Incorrect API key provided: {API_KEY[:8]}{'*' * 20}{API_KEY[-4:]}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    )
    route = route_for(api, name).mock(return_value=httpx.Response(401, json=body))
    error = raised(provider, name)
    assert isinstance(error, ProviderAuthError)
    assert "Incorrect API key provided: sk-[redacted]" in str(error)
    assert API_KEY[-4:] not in str(error)
    assert route.calls.last.request.headers["authorization"] == f"Bearer {API_KEY}"


def test_403_is_an_auth_error(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    body = error_body(
        "Your organization must be verified to use the model `gpt-image-1`.", "invalid_request_error", None
    )
    api.post("/images/generations").mock(return_value=httpx.Response(403, json=body))
    assert isinstance(raised(provider, "image"), ProviderAuthError)


def test_a_key_echoed_in_full_never_leaves_the_adapter(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    body = error_body(f"Invalid header: Bearer {API_KEY}", "invalid_request_error", "invalid_header")
    api.post("/responses").mock(return_value=httpx.Response(400, json=body))
    error = raised(provider, "text")
    assert isinstance(error, ProviderRejected)
    assert "[redacted]" in str(error)


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "The server had an error while processing your request. Sorry about that!"),
        (503, "The engine is currently overloaded, please try again later."),
    ],
)
def test_5xx_is_unavailable(
    provider: OpenAIProvider, api: respx.MockRouter, name: str, status: int, message: str
) -> None:
    route_for(api, name).mock(return_value=httpx.Response(status, json=error_body(message, "server_error", None)))
    error = raised(provider, name)
    assert type(error) is ProviderUnavailable
    assert str(error) == f"openai answered {status}: {message}"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_read_timeout_is_a_timeout(provider: OpenAIProvider, api: respx.MockRouter, name: str) -> None:
    route_for(api, name).mock(side_effect=httpx.ReadTimeout("timed out"))
    assert type(raised(provider, name)) is ProviderTimeout


def test_a_connection_failure_is_unavailable(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    api.post("/responses").mock(side_effect=httpx.ConnectError("connection refused"))
    assert type(raised(provider, "text")) is ProviderUnavailable


def test_a_bad_request_is_rejected_with_its_code(provider: OpenAIProvider, api: respx.MockRouter) -> None:
    body = error_body(
        "Invalid value: '4s'. Supported values are: '4', '8', and '12'.",
        "invalid_request_error",
        "invalid_value",
        "seconds",
    )
    api.post("/videos").mock(return_value=httpx.Response(400, json=body))
    error = raised(provider, "video-submit")
    assert type(error) is ProviderRejected
    assert str(error).endswith("(invalid_value)")


def test_a_missing_key_is_an_auth_error_that_says_nothing_of_the_secret(api: respx.MockRouter) -> None:
    def broken_store(provider: str) -> str:
        raise RuntimeError(f"secret flashfusion/{provider} value {API_KEY} is malformed")

    route = api.post("/responses")
    adapter = OpenAIProvider(ProviderContext(api_key=broken_store, aws_client=lambda service: None))
    with pytest.raises(ProviderAuthError) as caught:
        adapter.generate(job("openai/gpt-5"))
    assert str(caught.value) == "openai: no API key available (RuntimeError)"
    assert API_KEY not in str(caught.value)
    assert not route.called


def test_an_injected_client_is_used(keys: KeyStore) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=response_body())

    client = httpx.Client(transport=httpx.MockTransport(handler))
    adapter = OpenAIProvider(ProviderContext(api_key=keys, aws_client=lambda service: None), client=client)
    adapter.generate(job("openai/gpt-5"))
    assert [str(r.url) for r in seen] == ["https://api.openai.com/v1/responses"]


# --- what each entry point serves -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda p: p.generate(job("openai/gpt-5", content_type=ContentType.IMAGE)), "makes text, not image"),
        (lambda p: p.generate(job("openai/dall-e-3", content_type=ContentType.MUSIC)), "makes image, not music"),
        (lambda p: p.generate(video_job()), "use submit and poll"),
        (lambda p: p.submit(job("openai/gpt-5")), "use generate"),
        (lambda p: p.poll(job("openai/dall-e-2"), PendingJob(VIDEO_ID)), "use generate"),
        (lambda p: p.submit(job("openai/gpt-5", content_type=ContentType.VIDEO)), "makes text, not video"),
    ],
)
def test_a_content_type_the_model_does_not_serve_is_rejected(
    provider: OpenAIProvider, api: respx.MockRouter, call: Callable[[OpenAIProvider], object], match: str
) -> None:
    with pytest.raises(ProviderRejected, match=match):
        call(provider)
    assert not api.calls


def test_a_prompt_over_the_models_limit_is_rejected_without_a_call(
    provider: OpenAIProvider, api: respx.MockRouter, keys: KeyStore
) -> None:
    with pytest.raises(ProviderRejected, match="prompt is 1001 characters, dall-e-2 takes 1000"):
        provider.generate(job("openai/dall-e-2", prompt="x" * 1001))
    assert not api.calls
    assert keys.calls == 0


def test_every_openai_row_of_the_matrix_is_served(provider: OpenAIProvider) -> None:
    rows: list[ModelSpec] = [m for m in MATRIX.models if m.provider == "openai"]
    assert {m.vendor_model for m in rows} == {
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "dall-e-2",
        "dall-e-3",
        "gpt-image-1",
        "sora-2",
    }
    image_sizes = spec.component("CreateImageRequest")["properties"]["size"]["anyOf"][1]["enum"]
    video_sizes = spec.component("VideoSize")["enum"]
    for row in rows:
        assert (row.mode == "async") == (row.medium == ContentType.VIDEO)
        if row.medium == ContentType.IMAGE:
            assert set(row.limits.sizes) <= set(image_sizes), row.id
        if row.medium == ContentType.VIDEO:
            assert set(row.limits.sizes) <= set(video_sizes), row.id
