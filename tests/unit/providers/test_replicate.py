"""The Replicate adapter against a mocked api.replicate.com and replicate.delivery.

Prediction bodies follow Replicate's HTTP API reference and prediction lifecycle page; error bodies
are Replicate's problem documents ({"title", "detail", "status"}) and the rate-limit page's 429 body.
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
from flashfusion.providers.base import AsyncProvider, PendingJob
from flashfusion.providers.replicate import (
    BASE_URL,
    DATASET_TAG,
    PINNED_VERSIONS,
    ReplicateProvider,
    VendorModel,
    parse_vendor_model,
)
from flashfusion.routing.pricing import cost_of
from tests.unit.providers.vendor_cases import KeyStore, assert_clean, context, job, spec, wav

KEY = "r8_TESTkey0123456789abcdefghijklmnopqrstu"
PROMPT = "Upbeat acoustic folk with hand claps, for a spring hiking video"
PREDICTION_ID = "gm3qorzdhgbfurvjtvhg6dckhu"
VERSION = PINNED_VERSIONS["meta/musicgen"]
OUTPUT_URL = "https://replicate.delivery/yhqm/abc123/out.wav"
SMALL = "replicate/musicgen-large"
LARGE = "replicate/musicgen-stereo-large"


def prediction(status: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": PREDICTION_ID,
        "model": "meta/musicgen",
        "version": VERSION,
        "input": {"prompt": PROMPT, "duration": 15, "model_version": "melody-large", "output_format": "wav"},
        "logs": "",
        "output": None,
        "data_removed": False,
        "error": None,
        "status": status,
        "created_at": "2026-11-28T10:00:00.000Z",
        "urls": {
            "cancel": f"{BASE_URL}/predictions/{PREDICTION_ID}/cancel",
            "get": f"{BASE_URL}/predictions/{PREDICTION_ID}",
            "web": f"https://replicate.com/p/{PREDICTION_ID}",
        },
    }
    body.update(fields)
    return body


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"title": title, "detail": detail, "status": status}


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(KEY, "replicate")


@pytest.fixture
def provider(keys: KeyStore) -> ReplicateProvider:
    return ReplicateProvider(context(keys))


def create_route(api: respx.MockRouter) -> respx.Route:
    return api.post(f"{BASE_URL}/predictions")


def get_route(api: respx.MockRouter) -> respx.Route:
    return api.get(f"{BASE_URL}/predictions/{PREDICTION_ID}")


def pending(duration: int = 15) -> PendingJob:
    return PendingJob(
        vendor_job_id=PREDICTION_ID,
        poll_after_seconds=5,
        state={"duration": duration, "version": VERSION, "modelVersion": "melody-large", "seed": 1},
    )


# --- submit ---------------------------------------------------------------------------------------


def test_is_an_async_provider_and_reads_the_key_only_when_called(provider: ReplicateProvider, keys: KeyStore) -> None:
    assert isinstance(provider, AsyncProvider)
    assert provider.name == "replicate"
    assert keys.calls == []


def test_submit_creates_a_versioned_prediction(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    r = create_route(api).mock(return_value=httpx.Response(201, json=prediction("starting")))
    result = provider.submit(job(spec(SMALL), PROMPT))
    request = r.calls.last.request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert "prefer" not in request.headers  # asynchronous: no "Prefer: wait" holding the Lambda
    body = json.loads(request.content)
    assert body["version"] == VERSION
    assert body["input"]["prompt"] == PROMPT
    assert body["input"]["duration"] == 15  # the matrix's default seconds
    assert body["input"]["output_format"] == "wav"
    # The basic row names the mono "large" variant.
    assert body["input"]["model_version"] == "large"
    assert isinstance(body["input"]["seed"], int)
    assert result.vendor_job_id == PREDICTION_ID
    assert result.poll_after_seconds == 5
    assert result.state["duration"] == 15
    assert result.state["modelVersion"] == "large"


def test_the_stereo_row_asks_for_the_stereo_large_model(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    r = create_route(api).mock(return_value=httpx.Response(201, json=prediction("starting")))
    provider.submit(job(spec(LARGE), PROMPT, duration_seconds=45))
    body = json.loads(r.calls.last.request.content)
    assert body["input"]["model_version"] == "stereo-large"
    assert body["input"]["duration"] == 30  # clamped to the matrix's maxSeconds


def test_an_unpinned_model_uses_the_official_model_endpoint(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    r = api.post(f"{BASE_URL}/models/acme/tunes/predictions").mock(
        return_value=httpx.Response(201, json=prediction("starting"))
    )
    provider.submit(job(spec(SMALL, vendor_model="acme/tunes"), PROMPT))
    body = json.loads(r.calls.last.request.content)
    assert "version" not in body
    assert "model_version" not in body["input"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("meta/musicgen:melody", VendorModel("meta/musicgen", VERSION, "melody-large")),
        ("meta/musicgen:stereo-large", VendorModel("meta/musicgen", VERSION, "stereo-large")),
        ("meta/musicgen@" + "a" * 64 + ":large", VendorModel("meta/musicgen", "a" * 64, "large")),
        ("acme/tunes", VendorModel("acme/tunes", None, None)),
    ],
)
def test_parse_vendor_model(value: str, expected: VendorModel) -> None:
    assert parse_vendor_model(value) == expected


def test_a_malformed_pinned_version_is_rejected_before_any_call(
    provider: ReplicateProvider, api: respx.MockRouter
) -> None:
    r = create_route(api)
    with pytest.raises(ProviderRejected, match="64-hex"):
        provider.submit(job(spec(SMALL, vendor_model="meta/musicgen@latest:melody"), PROMPT))
    assert not r.called


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, problem(401, "Unauthenticated", "You did not pass a valid authentication token"), ProviderAuthError),
        (
            402,
            problem(402, "Insufficient credit", "You have insufficient credit to run this model."),
            ProviderAuthError,
        ),
        (
            422,
            problem(
                422,
                "Invalid version or not permitted",
                "The specified version does not exist (or perhaps you don't have permission to use it?)",
            ),
            ProviderRejected,
        ),
        (
            422,
            problem(422, "Input validation failed", "- input.model_version: model_version must be one of ..."),
            ProviderRejected,
        ),
        (500, problem(500, "Internal server error", "Something went wrong"), ProviderUnavailable),
        (503, problem(503, "Service unavailable", "Try again later"), ProviderUnavailable),
    ],
)
def test_submit_errors_map_to_typed_errors(
    provider: ReplicateProvider, api: respx.MockRouter, status: int, body: dict[str, Any], expected: type[ProviderError]
) -> None:
    create_route(api).mock(return_value=httpx.Response(status, json=body))
    with pytest.raises(expected) as caught:
        provider.submit(job(spec(SMALL), PROMPT))
    assert type(caught.value) is expected
    assert body["detail"][:30] in str(caught.value)
    assert_clean(caught.value, KEY, "replicate", SMALL)


@pytest.mark.parametrize(
    ("headers", "detail", "retry_after"),
    [
        ({"Retry-After": "5"}, "Request was throttled. Expected available in 1 second.", 5.0),
        ({}, "Request was throttled. Expected available in 1 second.", 1.0),
        ({}, "Request was throttled. Your rate limit resets in ~30s.", 30.0),
        ({}, "Request was throttled.", None),
    ],
)
def test_429_honours_retry_after_or_the_wait_replicate_states(
    provider: ReplicateProvider,
    api: respx.MockRouter,
    headers: dict[str, str],
    detail: str,
    retry_after: float | None,
) -> None:
    create_route(api).mock(return_value=httpx.Response(429, json={"detail": detail}, headers=headers))
    with pytest.raises(ProviderThrottled) as caught:
        provider.submit(job(spec(SMALL), PROMPT))
    assert caught.value.retry_after == retry_after
    assert_clean(caught.value, KEY, "replicate", SMALL)


def test_submit_timeout_is_provider_timeout(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    create_route(api).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(ProviderTimeout) as caught:
        provider.submit(job(spec(SMALL), PROMPT))
    assert_clean(caught.value, KEY, "replicate", SMALL)


# --- poll -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["starting", "processing"])
def test_poll_reports_running_predictions(provider: ReplicateProvider, api: respx.MockRouter, status: str) -> None:
    r = get_route(api).mock(return_value=httpx.Response(200, json=prediction(status)))
    result = provider.poll(job(spec(SMALL), PROMPT), pending())
    assert (result.status, result.poll_after_seconds) == ("running", 5)
    assert r.calls.last.request.headers["authorization"] == f"Bearer {KEY}"


def test_poll_running_then_succeeded_downloads_the_wav(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    model = spec(SMALL)
    audio = wav()
    get_route(api).mock(
        side_effect=[
            httpx.Response(200, json=prediction("starting")),
            httpx.Response(200, json=prediction("processing", logs="  2%|▏ | 10/500")),
            httpx.Response(
                200,
                json=prediction(
                    "succeeded",
                    output=OUTPUT_URL,
                    metrics={"predict_time": 12.3, "total_time": 14.1},
                    completed_at="2026-11-28T10:00:14.100Z",
                ),
            ),
        ]
    )
    cdn = api.get(OUTPUT_URL).mock(
        return_value=httpx.Response(200, content=audio, headers={"Content-Type": "audio/wav"})
    )
    the_job = job(model, PROMPT)
    assert provider.poll(the_job, pending()).status == "running"
    assert provider.poll(the_job, pending()).status == "running"
    done = provider.poll(the_job, pending())
    assert done.status == "succeeded"
    assert done.content is not None
    assert done.content.data == audio
    assert (done.content.mime_type, done.content.extension) == ("audio/wav", "wav")
    assert done.content.dataset_tag == DATASET_TAG
    assert done.content.usage == {"audioSeconds": 15.0, "computeSeconds": 12.3}
    # Replicate bills compute time: 12.3 s at the row's per-compute-second price, not the audio seconds
    assert cost_of(model, done.content.usage) == pytest.approx(12.3 * model.prices.per_compute_second)
    assert cost_of(model, done.content.usage) != pytest.approx(15 * model.prices.per_second)
    assert done.content.parameters["version"] == VERSION
    assert "authorization" not in cdn.calls.last.request.headers  # replicate.delivery gets no key


def test_a_list_output_uses_its_first_url(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    get_route(api).mock(return_value=httpx.Response(200, json=prediction("succeeded", output=[OUTPUT_URL], metrics={})))
    api.get(OUTPUT_URL).mock(return_value=httpx.Response(200, content=wav()))
    done = provider.poll(job(spec(SMALL), PROMPT), pending())
    assert done.content is not None
    assert done.content.usage == {"audioSeconds": 15.0}  # no predict_time reported: no compute charge


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        ("failed", "NSFW content detected. Try running it again, or try a different prompt.", ProviderRejected),
        ("failed", "CUDA out of memory. Tried to allocate 2.00 GiB", ProviderUnavailable),
        ("failed", None, ProviderUnavailable),
        ("canceled", None, ProviderUnavailable),
        ("aborted", None, ProviderUnavailable),
    ],
)
def test_failed_or_canceled_predictions_are_typed(
    provider: ReplicateProvider, api: respx.MockRouter, status: str, error: str | None, expected: type[ProviderError]
) -> None:
    get_route(api).mock(return_value=httpx.Response(200, json=prediction(status, error=error)))
    with pytest.raises(expected) as caught:
        provider.poll(job(spec(SMALL), PROMPT), pending())
    assert type(caught.value) is expected
    assert status in str(caught.value)
    if error:
        assert error[:20] in str(caught.value)
    assert_clean(caught.value, KEY, "replicate", SMALL)


def test_success_without_output_or_with_a_non_wav_is_unavailable(
    provider: ReplicateProvider, api: respx.MockRouter
) -> None:
    get_route(api).mock(
        side_effect=[
            httpx.Response(200, json=prediction("succeeded", output=None)),
            httpx.Response(200, json=prediction("succeeded", output=OUTPUT_URL)),
        ]
    )
    api.get(OUTPUT_URL).mock(return_value=httpx.Response(200, content=b"<html>oops</html>"))
    with pytest.raises(ProviderUnavailable, match="output URL"):
        provider.poll(job(spec(SMALL), PROMPT), pending())
    with pytest.raises(ProviderUnavailable, match="not a WAV"):
        provider.poll(job(spec(SMALL), PROMPT), pending())


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, ProviderAuthError), (404, ProviderRejected), (429, ProviderThrottled), (502, ProviderUnavailable)],
)
def test_poll_http_errors_are_typed(
    provider: ReplicateProvider, api: respx.MockRouter, status: int, expected: type[ProviderError]
) -> None:
    get_route(api).mock(return_value=httpx.Response(status, json=problem(status, "Error", "Something")))
    with pytest.raises(expected) as caught:
        provider.poll(job(spec(SMALL), PROMPT), pending())
    assert_clean(caught.value, KEY, "replicate", SMALL)


def test_poll_timeout_is_provider_timeout(provider: ReplicateProvider, api: respx.MockRouter) -> None:
    get_route(api).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(ProviderTimeout):
        provider.poll(job(spec(SMALL), PROMPT), pending())
