"""The Gemini adapter against a mocked generativelanguage.googleapis.com.

Bodies are shaped as the Gemini API reference documents GenerateContentResponse and as the
troubleshooting guide documents Google's error envelope {"error": {"code", "message", "status", "details"}}.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from flashfusion.providers.base import Provider
from flashfusion.providers.gemini import BASE_URL, DATASET_TAG, GeminiProvider
from flashfusion.providers.prompting import brand_instructions
from flashfusion.routing.pricing import cost_of
from tests.unit.providers.vendor_cases import KIT, KeyStore, assert_clean, context, job, spec

KEY = "AIzaSyTEST-gemini-0123456789abcdefghijk"
PROMPT = "Write a LinkedIn post announcing our spring hiking collection"
COPY = "Aurora Outdoor's spring collection is here: light packs, waterproof boots, trails waiting."


def answer(
    text: str = COPY,
    finish: str = "STOP",
    *,
    prompt_tokens: int = 412,
    output_tokens: int = 58,
    thoughts: int | None = None,
    parts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": output_tokens,
        "totalTokenCount": prompt_tokens + output_tokens + (thoughts or 0),
    }
    if thoughts is not None:
        usage["thoughtsTokenCount"] = thoughts
    return {
        "candidates": [
            {
                "content": {"parts": parts if parts is not None else [{"text": text}], "role": "model"},
                "finishReason": finish,
                "index": 0,
            }
        ],
        "usageMetadata": usage,
        "modelVersion": "gemini-2.5-flash",
        "responseId": "mDm4aJ2nL9ef1PIP5fyw2A8",
    }


def google_error(code: int, status: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    return {"error": error}


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(KEY, "gemini")


@pytest.fixture
def provider(keys: KeyStore) -> GeminiProvider:
    return GeminiProvider(context(keys))


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    # Anything not routed here fails the test: nothing reaches the internet.
    with respx.mock(assert_all_called=False) as router:
        yield router


def route(api: respx.MockRouter, model: str = "gemini-2.5-flash") -> respx.Route:
    return api.post(f"{BASE_URL}/models/{model}:generateContent")


def sent(r: respx.Route) -> tuple[httpx.Request, dict[str, Any]]:
    request = r.calls.last.request
    return request, json.loads(request.content)


# --- success --------------------------------------------------------------------------------------


def test_is_a_sync_provider_and_reads_the_key_only_when_called(
    provider: GeminiProvider, keys: KeyStore, api: respx.MockRouter
) -> None:
    sync: Provider = provider
    assert sync.name == "gemini"
    assert keys.calls == []  # constructing the adapter reads no secret
    route(api).mock(return_value=httpx.Response(200, json=answer()))
    provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert keys.calls == ["gemini"]


def test_sends_the_key_in_the_header_and_the_brand_kit_as_system_instruction(
    provider: GeminiProvider, api: respx.MockRouter
) -> None:
    r = route(api).mock(return_value=httpx.Response(200, json=answer()))
    provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT, channel="linkedin"))
    request, body = sent(r)
    assert request.headers["x-goog-api-key"] == KEY
    assert KEY not in str(request.url)  # never the ?key= query form, which ends up in access logs
    assert request.url.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert body["contents"] == [{"role": "user", "parts": [{"text": PROMPT}]}]
    # The shared brand-kit instructions (providers.prompting), with the kit's name and terms in them.
    system = body["systemInstruction"]["parts"][0]["text"]
    assert system == brand_instructions(KIT, "linkedin")
    assert "Aurora Outdoor" in system
    for term in KIT.legal.banned_terms:
        assert term in system
    assert "generationConfig" not in body  # no limit asked: the model's default applies


def test_returns_the_text_with_usage_priced_by_the_matrix(provider: GeminiProvider, api: respx.MockRouter) -> None:
    model = spec("gemini/gemini-2.5-flash")
    route(api).mock(return_value=httpx.Response(200, json=answer(prompt_tokens=41_200, output_tokens=5_800)))
    content = provider.generate(job(model, PROMPT))
    assert content.data.decode("utf-8") == COPY + "\n"
    assert content.mime_type == "text/plain; charset=utf-8"
    assert content.extension == "txt"
    assert content.vendor_model == "gemini-2.5-flash"
    assert content.offline is False
    assert content.dataset_tag == DATASET_TAG
    assert content.usage == {"inputTokens": 41_200.0, "outputTokens": 5_800.0}
    assert content.cost_usd is None
    # 41,200 x $0.30/M + 5,800 x $2.50/M
    assert cost_of(model, content.usage) == pytest.approx(0.02686)
    assert content.parameters["finishReason"] == "STOP"
    assert content.parameters["responseId"] == "mDm4aJ2nL9ef1PIP5fyw2A8"


def test_thinking_tokens_are_billed_as_output_and_thought_parts_are_not_copy(
    provider: GeminiProvider, api: respx.MockRouter
) -> None:
    parts: list[dict[str, Any]] = [
        {"text": "Planning the post...", "thought": True},
        {"text": "Spring is here. "},
        {"text": "Go outside."},
    ]
    route(api, "gemini-2.5-pro").mock(
        return_value=httpx.Response(200, json=answer(parts=parts, output_tokens=20, thoughts=300))
    )
    content = provider.generate(job(spec("gemini/gemini-2.5-pro"), PROMPT))
    assert content.data == b"Spring is here. Go outside.\n"
    assert content.usage == {"inputTokens": 412.0, "outputTokens": 320.0}


def test_max_output_tokens_goes_in_generation_config(provider: GeminiProvider, api: respx.MockRouter) -> None:
    r = route(api, "gemini-2.5-flash-lite").mock(return_value=httpx.Response(200, json=answer()))
    provider.generate(job(spec("gemini/gemini-2.5-flash-lite"), PROMPT, max_output_tokens=256))
    assert sent(r)[1]["generationConfig"] == {"maxOutputTokens": 256}


def test_text_cut_at_max_tokens_is_still_returned(provider: GeminiProvider, api: respx.MockRouter) -> None:
    route(api).mock(return_value=httpx.Response(200, json=answer("Spring is", "MAX_TOKENS")))
    content = provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert content.data == b"Spring is\n"
    assert content.parameters["finishReason"] == "MAX_TOKENS"


# --- refusals in a 200 answer ---------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "OTHER"])
def test_a_blocked_prompt_is_rejected(provider: GeminiProvider, api: respx.MockRouter, reason: str) -> None:
    body = {"promptFeedback": {"blockReason": reason}, "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}}
    route(api).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(ProviderRejected, match=reason) as caught:
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert_clean(caught.value, KEY, "gemini", "gemini/gemini-2.5-flash")


@pytest.mark.parametrize("finish", ["SAFETY", "PROHIBITED_CONTENT", "RECITATION", "SPII", "BLOCKLIST"])
def test_an_answer_stopped_by_a_filter_is_rejected(
    provider: GeminiProvider, api: respx.MockRouter, finish: str
) -> None:
    candidate_without_text = answer(finish=finish, parts=[])
    route(api).mock(return_value=httpx.Response(200, json=candidate_without_text))
    with pytest.raises(ProviderRejected, match=finish):
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))


def test_thinking_that_eats_the_whole_budget_is_rejected(provider: GeminiProvider, api: respx.MockRouter) -> None:
    route(api).mock(return_value=httpx.Response(200, json=answer(finish="MAX_TOKENS", parts=[], thoughts=256)))
    with pytest.raises(ProviderRejected, match="maxOutputTokens"):
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT, max_output_tokens=256))


@pytest.mark.parametrize(
    "body",
    [{"candidates": [], "usageMetadata": {}}, answer(parts=[{"text": "   "}]), "not json"],
    ids=["no-candidates", "empty-text", "not-json"],
)
def test_an_answer_without_text_is_unavailable(provider: GeminiProvider, api: respx.MockRouter, body: Any) -> None:
    response = httpx.Response(200, text=body) if isinstance(body, str) else httpx.Response(200, json=body)
    route(api).mock(return_value=response)
    with pytest.raises(ProviderUnavailable):
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))


# --- Google's documented error bodies -------------------------------------------------------------

RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "22s"}
QUOTA_FAILURE = {
    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
    "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests"}],
}
KEY_INVALID = {
    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
    "reason": "API_KEY_INVALID",
    "domain": "googleapis.com",
    "metadata": {"service": "generativelanguage.googleapis.com"},
}


@pytest.mark.parametrize(
    ("status", "body", "expected", "needle"),
    [
        (
            400,
            google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
            ProviderRejected,
            "INVALID_ARGUMENT",
        ),
        (
            400,
            google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [KEY_INVALID]),
            ProviderAuthError,
            "API key not valid",
        ),
        (
            400,
            google_error(400, "FAILED_PRECONDITION", "User location is not supported for the API use."),
            ProviderAuthError,
            "FAILED_PRECONDITION",
        ),
        (
            403,
            google_error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers."),
            ProviderAuthError,
            "PERMISSION_DENIED",
        ),
        (
            404,
            google_error(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta."),
            ProviderRejected,
            "NOT_FOUND",
        ),
        (500, google_error(500, "INTERNAL", "An internal error has occurred."), ProviderUnavailable, "INTERNAL"),
        (
            503,
            google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
            ProviderUnavailable,
            "overloaded",
        ),
        (
            504,
            google_error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
            ProviderTimeout,
            "DEADLINE_EXCEEDED",
        ),
    ],
    ids=[
        "invalid-argument",
        "bad-key",
        "failed-precondition",
        "permission-denied",
        "not-found",
        "internal",
        "unavailable",
        "deadline",
    ],
)
def test_error_bodies_map_to_typed_errors(
    provider: GeminiProvider,
    api: respx.MockRouter,
    status: int,
    body: dict[str, Any],
    expected: type[ProviderError],
    needle: str,
) -> None:
    route(api).mock(return_value=httpx.Response(status, json=body))
    with pytest.raises(expected) as caught:
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert type(caught.value) is expected
    assert needle in str(caught.value)
    assert_clean(caught.value, KEY, "gemini", "gemini/gemini-2.5-flash")


def test_429_with_retry_after_header_throttles_for_that_long(provider: GeminiProvider, api: respx.MockRouter) -> None:
    body = google_error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", [QUOTA_FAILURE])
    route(api).mock(return_value=httpx.Response(429, json=body, headers={"Retry-After": "7"}))
    with pytest.raises(ProviderThrottled) as caught:
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert caught.value.retry_after == 7.0
    assert "RESOURCE_EXHAUSTED" in str(caught.value)
    assert_clean(caught.value, KEY, "gemini", "gemini/gemini-2.5-flash")


def test_429_without_header_uses_googles_retry_info(provider: GeminiProvider, api: respx.MockRouter) -> None:
    body = google_error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", [QUOTA_FAILURE, RETRY_INFO])
    route(api).mock(return_value=httpx.Response(429, json=body))
    with pytest.raises(ProviderThrottled) as caught:
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert caught.value.retry_after == 22.0


@pytest.mark.parametrize(
    ("failure", "expected"),
    [(httpx.ReadTimeout("timed out"), ProviderTimeout), (httpx.ConnectError("refused"), ProviderUnavailable)],
)
def test_transport_failures_are_typed(
    provider: GeminiProvider, api: respx.MockRouter, failure: Exception, expected: type[ProviderError]
) -> None:
    route(api).mock(side_effect=failure)
    with pytest.raises(expected) as caught:
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert_clean(caught.value, KEY, "gemini", "gemini/gemini-2.5-flash")


def test_a_key_echoed_by_the_vendor_is_redacted(provider: GeminiProvider, api: respx.MockRouter) -> None:
    body = google_error(400, "INVALID_ARGUMENT", f"API key {KEY} not valid.", [KEY_INVALID])
    route(api).mock(return_value=httpx.Response(400, json=body))
    with pytest.raises(ProviderAuthError) as caught:
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert "[redacted]" in str(caught.value)
    assert_clean(caught.value, KEY, "gemini", "gemini/gemini-2.5-flash")


def test_a_missing_secret_is_an_auth_error(keys: KeyStore, provider: GeminiProvider, api: respx.MockRouter) -> None:
    keys.fail = True
    r = route(api)
    with pytest.raises(ProviderAuthError, match="no API key"):
        provider.generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert not r.called


def test_a_prompt_over_the_model_limit_is_rejected_before_any_call(
    provider: GeminiProvider, api: respx.MockRouter
) -> None:
    r = route(api)
    with pytest.raises(ProviderRejected, match="characters"):
        provider.generate(job(spec("gemini/gemini-2.5-flash"), "x" * 4001))
    assert not r.called


def test_an_injected_client_is_used(keys: KeyStore, api: respx.MockRouter) -> None:
    r = route(api).mock(return_value=httpx.Response(200, json=answer()))
    with httpx.Client() as client:
        GeminiProvider(context(keys), client).generate(job(spec("gemini/gemini-2.5-flash"), PROMPT))
    assert r.called
