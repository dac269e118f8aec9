"""The Runway adapter against a mocked api.dev.runwayml.com and output CDN.

Request and task bodies follow Runway's API reference and its SDK's generated types (image_to_video
params, task_retrieve_response); error bodies follow the API errors page ({"error": "..."}) and the
task failures page (failureCode values).
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import replace
from typing import Any

import httpx
import pytest
import respx
from PIL import Image

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from flashfusion.models import BrandColor, BrandKit, ContentType
from flashfusion.providers.base import AsyncProvider, PendingJob
from flashfusion.providers.runway import (
    API_VERSION,
    BASE_URL,
    DATASET_TAG,
    RunwayProvider,
    duration_for,
    first_frame_png,
    frame_colors,
    ratio_for,
)
from flashfusion.routing.pricing import cost_of
from tests.unit.providers.vendor_cases import KIT, MP4, KeyStore, assert_clean, context, job, spec

KEY = "key_" + "0123456789abcdef" * 8  # Runway keys: key_ + 128 hex characters
PROMPT = "A hiker crests a misty ridge at sunrise, slow push in"
TASK_ID = "17f20503-6c24-4c16-946b-35dbbce2af2f"
OUTPUT_URL = "https://dnznrvs05pmza.cloudfront.net/17f20503/output.mp4?_jwt=eyJhbGciOi.signed"
MODEL = "runway/gen4_turbo"


def task(status: str, **fields: Any) -> dict[str, Any]:
    return {"id": TASK_ID, "status": status, "createdAt": "2026-11-28T10:00:00.000Z", **fields}


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(KEY, "runway")


@pytest.fixture
def provider(keys: KeyStore) -> RunwayProvider:
    return RunwayProvider(context(keys))


def create_route(api: respx.MockRouter) -> respx.Route:
    return api.post(f"{BASE_URL}/image_to_video")


def task_route(api: respx.MockRouter) -> respx.Route:
    return api.get(f"{BASE_URL}/tasks/{TASK_ID}")


def pending(duration: int = 5) -> PendingJob:
    return PendingJob(vendor_job_id=TASK_ID, poll_after_seconds=10, state={"duration": duration, "ratio": "1280:720"})


def frame_of(body: dict[str, Any]) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert body["promptImage"].startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(body["promptImage"][len(prefix) :])))


# --- submit ---------------------------------------------------------------------------------------


def test_is_an_async_provider_and_reads_the_key_only_when_called(provider: RunwayProvider, keys: KeyStore) -> None:
    assert isinstance(provider, AsyncProvider)
    assert provider.name == "runway"
    assert keys.calls == []


def test_submit_sends_the_documented_image_to_video_request(provider: RunwayProvider, api: respx.MockRouter) -> None:
    r = create_route(api).mock(return_value=httpx.Response(200, json={"id": TASK_ID}))
    result = provider.submit(job(spec(MODEL), PROMPT))
    request = r.calls.last.request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["x-runway-version"] == API_VERSION == "2024-11-06"
    body = json.loads(request.content)
    assert set(body) == {"model", "promptImage", "promptText", "ratio", "duration", "seed"}
    assert body["model"] == "gen4_turbo"
    assert body["promptText"] == PROMPT
    assert body["ratio"] == "1280:720"
    assert body["duration"] == 5  # the matrix's default seconds
    assert 0 <= body["seed"] < 2**32
    assert result == PendingJob(
        vendor_job_id=TASK_ID,
        poll_after_seconds=10,
        state={"model": "gen4_turbo", "ratio": "1280:720", "duration": 5, "seed": body["seed"]},
    )


def test_the_first_frame_is_a_brand_palette_gradient_at_the_output_size(
    provider: RunwayProvider, api: respx.MockRouter
) -> None:
    r = create_route(api).mock(return_value=httpx.Response(200, json={"id": TASK_ID}))
    provider.submit(job(spec(MODEL), PROMPT, aspect_ratio="9:16"))
    body = json.loads(r.calls.last.request.content)
    assert body["ratio"] == "720:1280"
    frame = frame_of(body).convert("RGB")
    assert frame.size == (720, 1280)
    # Aurora Teal (primary) in one corner, Ember (accent) in the opposite one.
    assert frame.getpixel((0, 0)) == (0x0F, 0x6E, 0x6E)
    assert frame.getpixel((719, 1279)) == (0xF2, 0x8C, 0x28)
    assert len(body["promptImage"]) < 5 * 1024 * 1024  # Runway's data URI limit


def test_the_same_request_asks_for_the_same_seed(provider: RunwayProvider, api: respx.MockRouter) -> None:
    r = create_route(api).mock(return_value=httpx.Response(200, json={"id": TASK_ID}))
    provider.submit(job(spec(MODEL), PROMPT))
    provider.submit(job(spec(MODEL), PROMPT))
    first, second = (json.loads(call.request.content)["seed"] for call in r.calls)
    assert first == second


def test_gen3a_turbo_uses_its_own_ratios_and_durations(provider: RunwayProvider, api: respx.MockRouter) -> None:
    r = create_route(api).mock(return_value=httpx.Response(200, json={"id": TASK_ID}))
    provider.submit(job(spec("runway/gen3a_turbo"), PROMPT, duration_seconds=8, aspect_ratio="1:1"))
    body = json.loads(r.calls.last.request.content)
    assert body["model"] == "gen3a_turbo"
    assert body["ratio"] == "1280:768"  # no square output: the default orientation
    assert body["duration"] == 10  # 5 or 10 only
    assert frame_of(body).size == (1280, 768)


@pytest.mark.parametrize(
    ("model", "aspect", "size", "expected"),
    [
        ("gen4_turbo", "1:1", None, "960:960"),
        ("gen4_turbo", None, "1104x832", "1104:832"),
        ("gen4_turbo", "2:1", None, "1280:720"),
        ("gen3a_turbo", "9:16", None, "768:1280"),
    ],
)
def test_ratio_for(model: str, aspect: str | None, size: str | None, expected: str) -> None:
    assert ratio_for(model, aspect, size) == expected


def test_duration_is_clamped_to_the_matrix_limits() -> None:
    assert duration_for(job(spec(MODEL), PROMPT, duration_seconds=30)) == 10
    assert duration_for(job(spec(MODEL), PROMPT, duration_seconds=2)) == 5
    assert duration_for(job(spec("runway/gen3a_turbo"), PROMPT, duration_seconds=6)) == 5


def test_frame_colours_fall_back_when_the_palette_is_thin() -> None:
    mono = KIT.model_copy(update={"palette": [BrandColor(name="Ink", hex="#112233", role="text")]})
    start, end = frame_colors(mono)
    assert start == (0x11, 0x22, 0x33)
    assert end != start
    bare = BrandKit(kit_id="k", name="Bare")
    assert Image.open(io.BytesIO(first_frame_png(bare, "960:960"))).size == (960, 960)


# --- submit errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (400, {"error": "promptImage: Invalid data URI."}, {}, ProviderRejected),
        (400, {"error": "model: Invalid enum value. Expected 'gen4_turbo' | 'gen4.5'"}, {}, ProviderRejected),
        (401, {"error": "Invalid API key"}, {}, ProviderAuthError),
        (429, {"error": "You have exceeded the rate limit."}, {"Retry-After": "12"}, ProviderThrottled),
        (502, {"error": "Bad gateway"}, {}, ProviderUnavailable),
        (503, {"error": "Service unavailable"}, {}, ProviderUnavailable),
        (504, {"error": "Gateway timeout"}, {}, ProviderTimeout),
    ],
)
def test_submit_errors_map_to_typed_errors(
    provider: RunwayProvider,
    api: respx.MockRouter,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    expected: type[ProviderError],
) -> None:
    create_route(api).mock(return_value=httpx.Response(status, json=body, headers=headers))
    with pytest.raises(expected) as caught:
        provider.submit(job(spec(MODEL), PROMPT))
    assert type(caught.value) is expected
    assert body["error"] in str(caught.value)
    assert_clean(caught.value, KEY, "runway", MODEL)
    if status == 429:
        assert isinstance(caught.value, ProviderThrottled)
        assert caught.value.retry_after == 12.0


def test_submit_timeout_is_provider_timeout(provider: RunwayProvider, api: respx.MockRouter) -> None:
    create_route(api).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(ProviderTimeout) as caught:
        provider.submit(job(spec(MODEL), PROMPT))
    assert_clean(caught.value, KEY, "runway", MODEL)


def test_submit_without_a_task_id_is_unavailable(provider: RunwayProvider, api: respx.MockRouter) -> None:
    create_route(api).mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(ProviderUnavailable, match="task id"):
        provider.submit(job(spec(MODEL), PROMPT))


def test_a_job_for_another_medium_is_refused_before_any_call(provider: RunwayProvider, api: respx.MockRouter) -> None:
    r = create_route(api)
    with pytest.raises(ProviderRejected, match="makes video, not text"):
        provider.submit(replace(job(spec(MODEL), PROMPT), content_type=ContentType.TEXT))
    assert not r.called


# --- poll -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "progress"),
    [(task("PENDING"), None), (task("THROTTLED"), None), (task("RUNNING", progress=0.42), 0.42)],
)
def test_poll_reports_running_tasks(
    provider: RunwayProvider, api: respx.MockRouter, body: dict[str, Any], progress: float | None
) -> None:
    r = task_route(api).mock(return_value=httpx.Response(200, json=body))
    result = provider.poll(job(spec(MODEL), PROMPT), pending())
    assert result.status == "running"
    assert result.progress == progress
    assert result.poll_after_seconds == 10
    assert r.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert r.calls.last.request.headers["x-runway-version"] == API_VERSION


def test_poll_running_then_succeeded_downloads_the_mp4(provider: RunwayProvider, api: respx.MockRouter) -> None:
    model = spec(MODEL)
    task_route(api).mock(
        side_effect=[
            httpx.Response(200, json=task("PENDING")),
            httpx.Response(200, json=task("RUNNING", progress=0.5)),
            httpx.Response(200, json=task("SUCCEEDED", output=[OUTPUT_URL])),
        ]
    )
    cdn = api.get(OUTPUT_URL).mock(return_value=httpx.Response(200, content=MP4, headers={"Content-Type": "video/mp4"}))
    the_job = job(model, PROMPT)
    assert provider.poll(the_job, pending()).status == "running"
    assert provider.poll(the_job, pending()).progress == 0.5
    done = provider.poll(the_job, pending())
    assert done.status == "succeeded"
    assert done.content is not None
    assert done.content.data == MP4
    assert (done.content.mime_type, done.content.extension) == ("video/mp4", "mp4")
    assert done.content.vendor_model == "gen4_turbo"
    assert done.content.dataset_tag == DATASET_TAG
    assert done.content.usage == {"videoSeconds": 5.0}
    assert cost_of(model, done.content.usage) == pytest.approx(0.25)  # 5 s x $0.05
    assert done.content.parameters["taskId"] == TASK_ID
    # The pre-signed CDN URL gets no credentials.
    assert "authorization" not in cdn.calls.last.request.headers
    assert "x-runway-version" not in cdn.calls.last.request.headers


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("SAFETY.INPUT.TEXT", ProviderRejected),
        ("SAFETY.OUTPUT.VIDEO", ProviderRejected),
        ("INPUT_PREPROCESSING.SAFETY.TEXT", ProviderRejected),
        ("INTERNAL.BAD_OUTPUT.CODE01", ProviderRejected),
        ("ASSET.INVALID", ProviderRejected),
        ("INPUT_PREPROCESSING.INTERNAL", ProviderUnavailable),
        ("INTERNAL", ProviderUnavailable),
        (None, ProviderUnavailable),
    ],
)
def test_failed_tasks_map_by_failure_code(
    provider: RunwayProvider, api: respx.MockRouter, code: str | None, expected: type[ProviderError]
) -> None:
    fields: dict[str, Any] = {"failure": "The generation failed."}
    if code:
        fields["failureCode"] = code
    task_route(api).mock(return_value=httpx.Response(200, json=task("FAILED", **fields)))
    with pytest.raises(expected) as caught:
        provider.poll(job(spec(MODEL), PROMPT), pending())
    assert type(caught.value) is expected
    assert (code or "no failureCode") in str(caught.value)
    assert_clean(caught.value, KEY, "runway", MODEL)


@pytest.mark.parametrize("body", [task("CANCELLED"), task("EXPLODED"), task("SUCCEEDED", output=[])])
def test_cancelled_unknown_or_empty_tasks_are_unavailable(
    provider: RunwayProvider, api: respx.MockRouter, body: dict[str, Any]
) -> None:
    task_route(api).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(ProviderUnavailable):
        provider.poll(job(spec(MODEL), PROMPT), pending())


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(200, content=b"<html>expired</html>", headers={"Content-Type": "text/html"}),
            ProviderUnavailable,
        ),
        (httpx.Response(403, content=b"<Error>AccessDenied</Error>"), ProviderUnavailable),
        (httpx.Response(429, headers={"Retry-After": "3"}), ProviderThrottled),
    ],
    ids=["not-an-mp4", "expired-link", "cdn-throttled"],
)
def test_download_failures_are_typed(
    provider: RunwayProvider, api: respx.MockRouter, response: httpx.Response, expected: type[ProviderError]
) -> None:
    task_route(api).mock(return_value=httpx.Response(200, json=task("SUCCEEDED", output=[OUTPUT_URL])))
    api.get(OUTPUT_URL).mock(return_value=response)
    with pytest.raises(expected) as caught:
        provider.poll(job(spec(MODEL), PROMPT), pending())
    assert "_jwt" not in str(caught.value)  # the signed URL stays out of the message
    assert_clean(caught.value, KEY, "runway", MODEL)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, ProviderAuthError), (404, ProviderRejected), (429, ProviderThrottled), (503, ProviderUnavailable)],
)
def test_poll_http_errors_are_typed(
    provider: RunwayProvider, api: respx.MockRouter, status: int, expected: type[ProviderError]
) -> None:
    task_route(api).mock(return_value=httpx.Response(status, json={"error": "nope"}))
    with pytest.raises(expected) as caught:
        provider.poll(job(spec(MODEL), PROMPT), pending())
    assert_clean(caught.value, KEY, "runway", MODEL)


def test_poll_timeout_is_provider_timeout(provider: RunwayProvider, api: respx.MockRouter) -> None:
    task_route(api).mock(side_effect=httpx.ConnectTimeout("timed out"))
    with pytest.raises(ProviderTimeout):
        provider.poll(job(spec(MODEL), PROMPT), pending())
