"""Runway video generation (Gen-4 Turbo, Gen-3 Alpha Turbo) through the Runway API, as submit then poll.

Shapes follow Runway's API reference and guides (docs.dev.runwayml.com) and the request/response types
of the official SDK generated from its OpenAPI spec (runwayml/sdk-python, image_to_video_create_params
and task_retrieve_response):

- ``POST https://api.dev.runwayml.com/v1/image_to_video`` with ``Authorization: Bearer <key>`` and the
  required ``X-Runway-Version: 2024-11-06`` header; body ``{"model", "promptImage", "promptText",
  "ratio", "duration", "seed"}``; answer ``{"id": "<task id>"}``.
- Neither model accepts a text-only request: ``promptImage`` is required for gen4_turbo and
  gen3a_turbo, and ``/v1/text_to_video`` serves only other models (veo3*, gen4.5). So the adapter
  paints a first frame from the brand kit palette and sends it as a ``data:image/png;base64`` URI
  (Runway's input guide allows data URIs up to 5 MB).
- ``GET /v1/tasks/{id}`` -> ``{"status": PENDING|THROTTLED|RUNNING|SUCCEEDED|FAILED|CANCELLED,
  "progress"?, "output"?: [url], "failure"?, "failureCode"?}``; output URLs expire in 24-48 hours.
- HTTP errors (API errors page): 400 ``{"error": "..."}``, 401 bad key, 429 rate/daily limits,
  502/503/504 load shedding. Task failure codes (task failures page): ``SAFETY.*`` and
  ``INPUT_PREPROCESSING.SAFETY.*`` are moderation (do not retry); ``INTERNAL.BAD_OUTPUT.*`` "may be
  retried but is not likely to succeed" (so: fall back); ``INPUT_PREPROCESSING.INTERNAL`` and other
  internal failures are Runway's side.

Note: gen3a_turbo is gone from the current SDK's model list, and Comfy's Runway partner-node docs
report Gen-3 Alpha Turbo reached end of life on 2026-07-30. The adapter still speaks its documented
shape; if Runway answers 400 for the model, that is ProviderRejected and the workflow falls back.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx

from flashfusion.errors import ProviderRejected, ProviderUnavailable
from flashfusion.models import BrandKit, ContentType
from flashfusion.providers.base import (
    GeneratedContent,
    GenerationJob,
    PendingJob,
    PollResult,
)
from flashfusion.providers.http import raise_for_status, transport_errors
from flashfusion.providers.vendor_io import HttpVendor, check_job, download, fetch_api_key, json_object, redacting
from flashfusion.routing.pricing import seconds_for

PROVIDER = "runway"
BASE_URL = "https://api.dev.runwayml.com/v1"
API_VERSION = "2024-11-06"
DATASET_TAG = "vendor:runway"  # Runway does not publish its models' training data
# Creating a task and reading its status answer at once; the body carries a small PNG.
TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)

# Output resolutions each model accepts, by the aspect ratio a request asks for. The first entry is
# the default. gen3a_turbo only ever had the two 1280x768 orientations.
RATIOS: dict[str, dict[str, str]] = {
    "gen4_turbo": {
        "16:9": "1280:720",
        "9:16": "720:1280",
        "1:1": "960:960",
        "4:3": "1104:832",
        "3:4": "832:1104",
        "21:9": "1584:672",
    },
    "gen3a_turbo": {"16:9": "1280:768", "9:16": "768:1280"},
}
FIXED_DURATIONS = {"gen3a_turbo": (5, 10)}
"""Models that take only some durations; the others take any whole number of seconds in range."""

RUNNING = frozenset({"PENDING", "THROTTLED", "RUNNING"})
# Failure-code prefixes that say "this input will not work": moderation, unusable assets, and
# outputs Runway's quality checks reject (its docs: retrying is "not likely to succeed").
REJECTED_FAILURES = ("SAFETY.", "INPUT_PREPROCESSING.SAFETY", "INTERNAL.BAD_OUTPUT", "ASSET.")
FALLBACK_COLORS = ("#1F2A33", "#0F6E6E")
MAX_PROMPT_IMAGE_BYTES = 3 * 1024 * 1024  # base64 grows it by a third; Runway caps data URIs at 5 MB


def ratio_for(model: str, aspect_ratio: str | None, size: str | None) -> str:
    table = RATIOS.get(model, RATIOS["gen4_turbo"])
    if size:
        wanted = size.replace("x", ":")
        if wanted in table.values():
            return wanted
    if aspect_ratio and aspect_ratio in table:
        return table[aspect_ratio]
    return next(iter(table.values()))


def duration_for(job: GenerationJob) -> int:
    seconds = round(seconds_for(job.model, job.options.duration_seconds))
    allowed = FIXED_DURATIONS.get(job.model.vendor_model)
    if allowed:
        return min(allowed, key=lambda value: (abs(value - seconds), value))
    return max(1, seconds)


def seed_for(prompt_hash: str) -> int:
    """A seed from the prompt hash: the same request asks Runway for the same take (0..2**32-1)."""
    return int(prompt_hash[:8], 16)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def frame_colors(kit: BrandKit) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two palette colours for the gradient: primary into accent (or secondary, or background)."""
    by_role: dict[str, str] = {}
    for color in kit.palette:
        by_role.setdefault(color.role, color.hex)
    start = by_role.get("primary") or (kit.palette[0].hex if kit.palette else FALLBACK_COLORS[0])
    end = (
        by_role.get("accent")
        or by_role.get("secondary")
        or by_role.get("background")
        or (kit.palette[-1].hex if len(kit.palette) > 1 else FALLBACK_COLORS[1])
    )
    return _rgb(start), _rgb(end)


def first_frame_png(kit: BrandKit, ratio: str) -> bytes:
    """A diagonal gradient in the brand colours at the output resolution, as PNG bytes.

    No brand name or other text on it: Runway's task-failure guide names overlaid text in input
    images as a cause of INTERNAL.BAD_OUTPUT failures and recommends adding text to the output.
    """
    from PIL import Image  # Pillow is only needed here; importing lazily keeps other adapters light.

    width, height = (int(part) for part in ratio.split(":"))
    start, end = frame_colors(kit)
    # Build a small gradient and let Pillow scale it: smooth, fast, and compresses to a few KB.
    small_w, small_h = 64, max(1, round(64 * height / width))
    small = Image.new("RGB", (small_w, small_h))
    span = (small_w - 1) + (small_h - 1) or 1
    small.putdata(
        [
            tuple(round(s + (e - s) * (x + y) / span) for s, e in zip(start, end, strict=True))
            for y in range(small_h)
            for x in range(small_w)
        ]
    )
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # default zlib level: ~30 KB in ~50 ms; "optimize" triples the time
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def failure_error(task: dict[str, Any], model: str) -> ProviderRejected | ProviderUnavailable:
    code = str(task.get("failureCode") or "")
    reason = str(task.get("failure") or "no reason given")[:300]
    message = f"{PROVIDER} task failed ({code or 'no failureCode'}): {reason}"
    if code.startswith(REJECTED_FAILURES):
        return ProviderRejected(message, provider=PROVIDER, model=model)
    return ProviderUnavailable(message, provider=PROVIDER, model=model)


def is_mp4(data: bytes) -> bool:
    return len(data) >= 12 and data[4:8] == b"ftyp"


class RunwayProvider(HttpVendor):
    name = PROVIDER

    base_url = BASE_URL
    timeout = TIMEOUT

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": API_VERSION}

    def request_body(self, job: GenerationJob) -> dict[str, Any]:
        model = job.model.vendor_model
        ratio = ratio_for(model, job.options.aspect_ratio, job.options.size)
        png = first_frame_png(job.brand_kit, ratio)
        if len(png) > MAX_PROMPT_IMAGE_BYTES:  # cannot happen for a gradient; guards future frames
            raise ProviderRejected(
                f"{PROVIDER}: the first frame is too large for a data URI", provider=PROVIDER, model=job.model.id
            )
        return {
            "model": model,
            "promptImage": data_uri(png),
            "promptText": job.prompt,
            "ratio": ratio,
            "duration": duration_for(job),
            "seed": seed_for(job.prompt_hash),
        }

    def submit(self, job: GenerationJob) -> PendingJob:
        check_job(job, PROVIDER, frozenset({ContentType.VIDEO}))
        body = self.request_body(job)
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.post(
                    f"{BASE_URL}/image_to_video", headers=self._headers(key), json=body, timeout=TIMEOUT
                )
            raise_for_status(response, PROVIDER, job.model.id)
            task_id = _json(response, job.model.id).get("id")
        if not isinstance(task_id, str) or not task_id:
            raise ProviderUnavailable(f"{PROVIDER} answered without a task id", provider=PROVIDER, model=job.model.id)
        return PendingJob(
            vendor_job_id=task_id,
            poll_after_seconds=job.model.poll_seconds,
            state={"model": body["model"], "ratio": body["ratio"], "duration": body["duration"], "seed": body["seed"]},
        )

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.get(
                    f"{BASE_URL}/tasks/{pending.vendor_job_id}", headers=self._headers(key), timeout=TIMEOUT
                )
            raise_for_status(response, PROVIDER, job.model.id)
            task = _json(response, job.model.id)
        status = str(task.get("status", ""))
        if status in RUNNING:
            progress = task.get("progress")
            return PollResult(
                status="running",
                progress=float(progress) if isinstance(progress, int | float) else None,
                poll_after_seconds=job.model.poll_seconds,
            )
        if status == "FAILED":
            raise failure_error(task, job.model.id)
        if status == "CANCELLED":
            raise ProviderUnavailable(f"{PROVIDER} task was cancelled", provider=PROVIDER, model=job.model.id)
        if status != "SUCCEEDED":
            raise ProviderUnavailable(
                f"{PROVIDER} task has an unknown status {status!r}", provider=PROVIDER, model=job.model.id
            )
        outputs = task.get("output") or []
        if not outputs or not isinstance(outputs[0], str):
            raise ProviderUnavailable(
                f"{PROVIDER} task succeeded without an output URL", provider=PROVIDER, model=job.model.id
            )
        data, _ = download(self.client, outputs[0], provider=PROVIDER, model=job.model.id)
        if not is_mp4(data):
            raise ProviderUnavailable(f"{PROVIDER} output is not an MP4 file", provider=PROVIDER, model=job.model.id)
        duration = float(pending.state.get("duration") or duration_for(job))
        return PollResult(
            status="succeeded",
            content=GeneratedContent(
                data=data,
                mime_type="video/mp4",
                extension="mp4",
                vendor_model=job.model.vendor_model,
                offline=False,
                dataset_tag=DATASET_TAG,
                usage={"videoSeconds": duration},
                parameters={
                    "taskId": pending.vendor_job_id,
                    "ratio": pending.state.get("ratio"),
                    "duration": duration,
                    "seed": pending.state.get("seed"),
                    "apiVersion": API_VERSION,
                    "promptImage": "brand-palette-gradient",
                },
            ),
        )


def _json(response: httpx.Response, model: str) -> dict[str, Any]:
    return json_object(response, PROVIDER, model)
