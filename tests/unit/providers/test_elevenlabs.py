"""The ElevenLabs music adapter against a mocked api.elevenlabs.io.

The request follows the Compose music reference (POST /v1/music, ``xi-api-key``); error bodies follow
ElevenLabs' documented ``{"detail": {"status", "message"}}`` shape, FastAPI's 422 list, and the music
API's ``bad_prompt`` refusal with a ``prompt_suggestion``.
"""

from __future__ import annotations

import json
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
from flashfusion.providers.elevenlabs import BASE_URL, DATASET_TAG, OUTPUT_FORMAT, ElevenLabsProvider, length_ms
from flashfusion.routing.pricing import cost_of
from tests.unit.providers.vendor_cases import MP3, KeyStore, assert_clean, context, job, spec

KEY = "sk_test_0123456789abcdef0123456789abcdef0123456789ab"
PROMPT = "Warm cinematic acoustic track with rising strings, hopeful, 100 BPM"
MODEL = "elevenlabs/music_v1"


def detail(status: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"detail": {"status": status, "message": message, **extra}}


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(KEY, "elevenlabs")


@pytest.fixture
def provider(keys: KeyStore) -> ElevenLabsProvider:
    return ElevenLabsProvider(context(keys))


def compose(api: respx.MockRouter) -> respx.Route:
    return api.post(f"{BASE_URL}/music")


def test_is_a_sync_provider_and_reads_the_key_only_when_called(provider: ElevenLabsProvider, keys: KeyStore) -> None:
    sync: Provider = provider
    assert sync.name == "elevenlabs"
    assert keys.calls == []


def test_compose_sends_the_documented_request_and_returns_the_mp3(
    provider: ElevenLabsProvider, api: respx.MockRouter
) -> None:
    model = spec(MODEL)
    r = compose(api).mock(return_value=httpx.Response(200, content=MP3, headers={"Content-Type": "audio/mpeg"}))
    content = provider.generate(job(model, PROMPT))
    request = r.calls.last.request
    assert request.headers["xi-api-key"] == KEY
    assert "authorization" not in request.headers
    assert request.url.params["output_format"] == OUTPUT_FORMAT == "mp3_44100_128"
    body = json.loads(request.content)
    assert body["prompt"] == PROMPT
    assert body["music_length_ms"] == 30_000  # the matrix's default 30 s
    assert body["model_id"] == "music_v1"
    assert body["force_instrumental"] is True
    assert isinstance(body["seed"], int)
    assert content.data == MP3
    assert (content.mime_type, content.extension) == ("audio/mpeg", "mp3")
    assert content.dataset_tag == DATASET_TAG
    assert content.usage == {"audioSeconds": 30.0}
    assert cost_of(model, content.usage) == pytest.approx(0.249)  # 30 s x $0.0083


@pytest.mark.parametrize(("seconds", "expected_ms"), [(5, 10_000), (45.5, 45_500), (900, 300_000)])
def test_length_is_clamped_to_the_model_range(seconds: float, expected_ms: int) -> None:
    assert length_ms(job(spec(MODEL), PROMPT, duration_seconds=seconds)) == expected_ms


def test_a_bad_prompt_refusal_is_rejected_with_the_suggestion(
    provider: ElevenLabsProvider, api: respx.MockRouter
) -> None:
    body = detail(
        "bad_prompt",
        "Your prompt references copyrighted material.",
        data={"prompt_suggestion": "An upbeat 1960s British rock song with jangly guitars"},
    )
    compose(api).mock(return_value=httpx.Response(400, json=body))
    with pytest.raises(ProviderRejected) as caught:
        provider.generate(job(spec(MODEL), "A song like the Beatles"))
    message = str(caught.value)
    assert "bad_prompt" in message
    assert "copyrighted" in message
    assert "jangly guitars" in message
    assert_clean(caught.value, KEY, "elevenlabs", MODEL)


def test_a_bad_prompt_is_rejected_whatever_the_status_code(provider: ElevenLabsProvider, api: respx.MockRouter) -> None:
    body = detail("bad_prompt", "Prompt violates our Terms of Service.", prompt_suggestion="Calm piano")
    compose(api).mock(return_value=httpx.Response(403, json=body))
    with pytest.raises(ProviderRejected, match="Calm piano"):
        provider.generate(job(spec(MODEL), PROMPT))


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "needle"),
    [
        (401, detail("invalid_api_key", "Invalid API key"), {}, ProviderAuthError, "invalid_api_key"),
        (
            401,
            detail("quota_exceeded", "You have insufficient quota to complete the request."),
            {},
            ProviderAuthError,
            "quota",
        ),
        (
            422,
            {
                "detail": [
                    {
                        "loc": ["body", "music_length_ms"],
                        "msg": "ensure this value is less than 300000",
                        "type": "value_error",
                    }
                ]
            },
            {},
            ProviderRejected,
            "body.music_length_ms",
        ),
        (
            429,
            detail("too_many_concurrent_requests", "Too many concurrent requests."),
            {"Retry-After": "4"},
            ProviderThrottled,
            "too_many_concurrent_requests",
        ),
        (429, detail("system_busy", "We are experiencing heavy traffic."), {}, ProviderThrottled, "system_busy"),
        (500, detail("internal_error", "Internal server error"), {}, ProviderUnavailable, "internal_error"),
        (503, {"detail": "Service unavailable"}, {}, ProviderUnavailable, "Service unavailable"),
    ],
    ids=["bad-key", "quota", "validation", "concurrency", "busy", "internal", "unavailable"],
)
def test_error_bodies_map_to_typed_errors(
    provider: ElevenLabsProvider,
    api: respx.MockRouter,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    expected: type[ProviderError],
    needle: str,
) -> None:
    compose(api).mock(return_value=httpx.Response(status, json=body, headers=headers))
    with pytest.raises(expected) as caught:
        provider.generate(job(spec(MODEL), PROMPT))
    assert type(caught.value) is expected
    assert needle in str(caught.value)
    assert_clean(caught.value, KEY, "elevenlabs", MODEL)
    if headers:
        assert isinstance(caught.value, ProviderThrottled)
        assert caught.value.retry_after == 4.0


@pytest.mark.parametrize(
    ("failure", "expected"),
    [(httpx.ReadTimeout("timed out"), ProviderTimeout), (httpx.ConnectError("refused"), ProviderUnavailable)],
)
def test_transport_failures_are_typed(
    provider: ElevenLabsProvider, api: respx.MockRouter, failure: Exception, expected: type[ProviderError]
) -> None:
    compose(api).mock(side_effect=failure)
    with pytest.raises(expected) as caught:
        provider.generate(job(spec(MODEL), PROMPT))
    assert_clean(caught.value, KEY, "elevenlabs", MODEL)


def test_a_200_that_is_not_audio_is_unavailable(provider: ElevenLabsProvider, api: respx.MockRouter) -> None:
    compose(api).mock(return_value=httpx.Response(200, json={"status": "ok"}))
    with pytest.raises(ProviderUnavailable, match="without MP3 audio"):
        provider.generate(job(spec(MODEL), PROMPT))


def test_a_key_echoed_by_the_vendor_is_redacted(provider: ElevenLabsProvider, api: respx.MockRouter) -> None:
    compose(api).mock(return_value=httpx.Response(401, json=detail("invalid_api_key", f"Invalid API key: {KEY}")))
    with pytest.raises(ProviderAuthError) as caught:
        provider.generate(job(spec(MODEL), PROMPT))
    assert "[redacted]" in str(caught.value)
    assert_clean(caught.value, KEY, "elevenlabs", MODEL)


def test_a_prompt_over_the_model_limit_is_rejected_before_any_call(
    provider: ElevenLabsProvider, api: respx.MockRouter
) -> None:
    r = compose(api)
    with pytest.raises(ProviderRejected, match="2000"):
        provider.generate(job(spec(MODEL), "x" * 2001))
    assert not r.called
