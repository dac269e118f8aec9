"""The generic-HTTP adapter against a mocked operator endpoint speaking the contract in its docstring."""

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
from flashfusion.providers.base import AsyncProvider, PendingJob, Provider
from flashfusion.providers.generic_http import GenericHttpProvider
from flashfusion.routing.matrix import ModelSpec
from flashfusion.routing.pricing import cost_of
from tests.unit.providers.vendor_cases import MP3, PNG, KeyStore, assert_clean, context, job, spec

KEY = "gh_test_operator_key_0123456789abcdef"
MJ_ENDPOINT = "https://mj-gateway.example.test/v1/generate"
SUNO_ENDPOINT = "https://music.example.test/suno"
PROMPT = "A hiker on a misty ridge at sunrise, teal and orange palette"
MUSIC_PROMPT = "Uplifting folk-pop jingle with handclaps"


def midjourney(**changes: Any) -> ModelSpec:
    return spec("midjourney/v6", **{"endpoint": MJ_ENDPOINT, "mode": "sync", "enabled": True, **changes})


def suno(**changes: Any) -> ModelSpec:
    return spec("suno/v3", **{"endpoint": SUNO_ENDPOINT, "enabled": True, **changes})


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(KEY, "generic-http")


@pytest.fixture
def provider(keys: KeyStore) -> GenericHttpProvider:
    return GenericHttpProvider(context(keys))


def test_serves_both_sync_and_async_use(provider: GenericHttpProvider, keys: KeyStore) -> None:
    sync: Provider = provider
    assert sync.name == "generic-http"
    assert isinstance(provider, AsyncProvider)
    assert keys.calls == []


# --- sync: 200 with media -------------------------------------------------------------------------


def test_sync_posts_the_contract_and_returns_the_media(provider: GenericHttpProvider, api: respx.MockRouter) -> None:
    model = midjourney()
    r = api.post(MJ_ENDPOINT).mock(return_value=httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"}))
    content = provider.generate(job(model, PROMPT, size="1024x1024", aspect_ratio="1:1"))
    request = r.calls.last.request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["idempotency-key"] == "req-0001"
    assert json.loads(request.content) == {
        "model": "midjourney-v6",
        "prompt": PROMPT,
        "contentType": "image",
        "options": {"size": "1024x1024", "aspectRatio": "1:1"},
    }
    assert content.data == PNG
    assert (content.mime_type, content.extension) == ("image/png", "png")
    assert content.vendor_model == "midjourney-v6"
    assert content.dataset_tag == "vendor:midjourney-v6"
    assert content.parameters["endpointHost"] == "mj-gateway.example.test"
    assert content.usage == {"images": 1.0}
    assert cost_of(model, content.usage) == pytest.approx(0.1)


def test_sync_answered_with_a_job_is_a_configuration_error(
    provider: GenericHttpProvider, api: respx.MockRouter
) -> None:
    api.post(MJ_ENDPOINT).mock(return_value=httpx.Response(202, json={"id": "job-1"}))
    with pytest.raises(ProviderRejected, match="mode to async"):
        provider.generate(job(midjourney(), PROMPT))


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"<html>login</html>", "text/html; charset=utf-8"), (b"", "image/png"), (MP3, "audio/mpeg")],
    ids=["html", "empty", "wrong-medium"],
)
def test_media_of_the_wrong_kind_is_unavailable(
    provider: GenericHttpProvider, api: respx.MockRouter, content: bytes, content_type: str
) -> None:
    api.post(MJ_ENDPOINT).mock(
        return_value=httpx.Response(200, content=content, headers={"Content-Type": content_type})
    )
    with pytest.raises(ProviderUnavailable, match="expected image/"):
        provider.generate(job(midjourney(), PROMPT))


# --- async: 202, then poll ------------------------------------------------------------------------


def test_async_submit_poll_running_then_succeeded(provider: GenericHttpProvider, api: respx.MockRouter) -> None:
    model = suno()
    submit = api.post(SUNO_ENDPOINT).mock(return_value=httpx.Response(202, json={"id": "job 42"}))
    status = api.get(f"{SUNO_ENDPOINT}/job%2042").mock(
        side_effect=[
            httpx.Response(200, json={"status": "running"}),
            httpx.Response(200, json={"status": "running", "progress": 0.5}),
            httpx.Response(
                200, json={"status": "succeeded", "outputUrl": "https://cdn.example.net/out/42.mp3?sig=abc"}
            ),
        ]
    )
    cdn = api.get("https://cdn.example.net/out/42.mp3?sig=abc").mock(
        return_value=httpx.Response(200, content=MP3, headers={"Content-Type": "audio/mpeg"})
    )
    the_job = job(model, MUSIC_PROMPT)
    pending = provider.submit(the_job)
    assert pending == PendingJob(vendor_job_id="job 42", poll_after_seconds=10, state={})
    body = json.loads(submit.calls.last.request.content)
    assert body == {"model": "suno-v3", "prompt": MUSIC_PROMPT, "contentType": "music", "options": {}}
    first = provider.poll(the_job, pending)
    assert (first.status, first.progress) == ("running", None)
    assert provider.poll(the_job, pending).progress == 0.5
    done = provider.poll(the_job, pending)
    assert done.status == "succeeded"
    assert done.content is not None
    assert done.content.data == MP3
    assert (done.content.mime_type, done.content.extension) == ("audio/mpeg", "mp3")
    assert done.content.usage == {"audioSeconds": 60.0}  # the row's default seconds
    assert cost_of(model, done.content.usage) == pytest.approx(0.6)
    assert status.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in cdn.calls.last.request.headers  # another origin: no key


def test_a_same_origin_poll_url_and_output_get_the_key(provider: GenericHttpProvider, api: respx.MockRouter) -> None:
    api.post(SUNO_ENDPOINT).mock(return_value=httpx.Response(202, json={"id": 7, "pollUrl": "/jobs/7"}))
    poll = api.get("https://music.example.test/jobs/7").mock(
        return_value=httpx.Response(200, json={"status": "succeeded", "outputUrl": "/files/7.mp3"})
    )
    output = api.get("https://music.example.test/files/7.mp3").mock(
        return_value=httpx.Response(200, content=MP3, headers={"Content-Type": "audio/mpeg"})
    )
    the_job = job(suno(), MUSIC_PROMPT, duration_seconds=30)
    pending = provider.submit(the_job)
    assert pending.vendor_job_id == "7"
    assert pending.state == {"pollUrl": "https://music.example.test/jobs/7"}
    done = provider.poll(the_job, pending)
    assert done.content is not None
    assert done.content.usage == {"audioSeconds": 30.0}
    assert poll.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert output.calls.last.request.headers["authorization"] == f"Bearer {KEY}"


def test_a_poll_url_on_another_origin_gets_no_key(provider: GenericHttpProvider, api: respx.MockRouter) -> None:
    the_job = job(suno(), MUSIC_PROMPT)
    pending = PendingJob(vendor_job_id="9", state={"pollUrl": "https://status.other.test/9"})
    poll = api.get("https://status.other.test/9").mock(return_value=httpx.Response(200, json={"status": "running"}))
    assert provider.poll(the_job, pending).status == "running"
    assert "authorization" not in poll.calls.last.request.headers


@pytest.mark.parametrize(
    ("body", "expected", "needle"),
    [
        ({"status": "failed", "error": "prompt refused by the content filter"}, ProviderRejected, "content filter"),
        ({"status": "failed", "error": "GPU pool exhausted", "retryable": True}, ProviderUnavailable, "GPU pool"),
        ({"status": "failed"}, ProviderRejected, "no error given"),
        ({"status": "queued"}, ProviderUnavailable, "unknown job status"),
        ({"status": "succeeded"}, ProviderUnavailable, "outputUrl"),
        (["not", "an", "object"], ProviderUnavailable, "JSON object"),
    ],
)
def test_failed_or_malformed_jobs_are_typed(
    provider: GenericHttpProvider, api: respx.MockRouter, body: Any, expected: type[ProviderError], needle: str
) -> None:
    api.get(f"{SUNO_ENDPOINT}/1").mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(expected) as caught:
        provider.poll(job(suno(), MUSIC_PROMPT), PendingJob(vendor_job_id="1"))
    assert type(caught.value) is expected
    assert needle in str(caught.value)
    assert_clean(caught.value, KEY, "generic-http", "suno/v3")


def test_async_submit_answered_with_media_is_a_configuration_error(
    provider: GenericHttpProvider, api: respx.MockRouter
) -> None:
    api.post(SUNO_ENDPOINT).mock(return_value=httpx.Response(200, content=MP3, headers={"Content-Type": "audio/mpeg"}))
    with pytest.raises(ProviderRejected, match="mode to sync"):
        provider.submit(job(suno(), MUSIC_PROMPT))


@pytest.mark.parametrize("body", [{}, {"id": ""}, "not json"], ids=["no-id", "empty-id", "not-json"])
def test_a_202_without_a_job_id_is_unavailable(provider: GenericHttpProvider, api: respx.MockRouter, body: Any) -> None:
    response = httpx.Response(202, text=body) if isinstance(body, str) else httpx.Response(202, json=body)
    api.post(SUNO_ENDPOINT).mock(return_value=response)
    with pytest.raises(ProviderUnavailable):
        provider.submit(job(suno(), MUSIC_PROMPT))


# --- configuration and vendor errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "needle"),
    [
        (None, "no endpoint"),
        ("", "no endpoint"),
        ("http://mj-gateway.example.test/v1", "https://"),
        ("ftp://x.test/", "https://"),
    ],
)
def test_an_unusable_endpoint_is_rejected_before_any_call(
    provider: GenericHttpProvider, keys: KeyStore, endpoint: str | None, needle: str
) -> None:
    with pytest.raises(ProviderRejected, match=needle):
        provider.generate(job(midjourney(endpoint=endpoint), PROMPT))
    assert keys.calls == []  # refused before the secret was even read


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://localhost:8080/gen",
        "https://127.0.0.1/gen",
        "https://169.254.169.254/latest",
        "https://[fd00:ec2::254]/",
    ],
)
def test_internal_endpoints_are_refused(
    provider: GenericHttpProvider, keys: KeyStore, api: respx.MockRouter, endpoint: str
) -> None:
    with pytest.raises(ProviderRejected, match="refused"):
        provider.generate(job(midjourney(endpoint=endpoint), PROMPT))
    assert keys.calls == []
    assert not api.calls


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (400, {"error": {"message": "prompt violates the content policy"}}, {}, ProviderRejected),
        (401, {"error": "invalid token"}, {}, ProviderAuthError),
        (403, {"error": "not entitled to this model"}, {}, ProviderAuthError),
        (429, {"error": "slow down"}, {"Retry-After": "9"}, ProviderThrottled),
        (500, {"error": "boom"}, {}, ProviderUnavailable),
        (503, {"error": "maintenance"}, {}, ProviderUnavailable),
    ],
)
def test_endpoint_errors_map_to_typed_errors(
    provider: GenericHttpProvider,
    api: respx.MockRouter,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    expected: type[ProviderError],
) -> None:
    api.post(MJ_ENDPOINT).mock(return_value=httpx.Response(status, json=body, headers=headers))
    with pytest.raises(expected) as caught:
        provider.generate(job(midjourney(), PROMPT))
    assert type(caught.value) is expected
    assert_clean(caught.value, KEY, "generic-http", "midjourney/v6")
    if status == 429:
        assert isinstance(caught.value, ProviderThrottled)
        assert caught.value.retry_after == 9.0


@pytest.mark.parametrize(
    ("failure", "expected"),
    [(httpx.ReadTimeout("timed out"), ProviderTimeout), (httpx.ConnectError("refused"), ProviderUnavailable)],
)
def test_transport_failures_are_typed(
    provider: GenericHttpProvider, api: respx.MockRouter, failure: Exception, expected: type[ProviderError]
) -> None:
    api.post(SUNO_ENDPOINT).mock(side_effect=failure)
    with pytest.raises(expected) as caught:
        provider.submit(job(suno(), MUSIC_PROMPT))
    assert_clean(caught.value, KEY, "generic-http", "suno/v3")


def test_poll_timeout_is_provider_timeout(provider: GenericHttpProvider, api: respx.MockRouter) -> None:
    api.get(f"{SUNO_ENDPOINT}/1").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(ProviderTimeout):
        provider.poll(job(suno(), MUSIC_PROMPT), PendingJob(vendor_job_id="1"))
