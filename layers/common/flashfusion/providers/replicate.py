"""Music generation on Replicate (Meta's MusicGen), as submit then poll.

Shapes follow Replicate's HTTP API reference (replicate.com/docs/reference/http: predictions.create,
predictions.get, models.predictions.create), its prediction lifecycle page (statuses starting,
processing, succeeded, failed, canceled, aborted), its rate-limit page (429 with a body like
``{"detail": "Request was throttled. Expected available in 1 second."}``) and the meta/musicgen
version's API page (input ``model_version``, ``prompt``, ``duration``, ``output_format``, ``seed``,
output: one URI).

Which endpoint: meta/musicgen is a community model, billed by hardware time, not one of Replicate's
"official models" (always-on, billed by output). Official models are called with
``POST /v1/models/{owner}/{name}/predictions`` and no version; community models need a version id,
so this adapter sends ``POST /v1/predictions`` with ``{"version": <64-hex id>, "input": {...}}`` for
models it has a pinned version for, and uses the official-model endpoint otherwise.

The matrix's ``vendorModel`` reads ``owner/name:variant``: ``variant`` is MusicGen's
``model_version`` input (``stereo-melody-large``, ``stereo-large``, ``melody-large``, ``large`` in the
current version). ``owner/name@<version id>:variant`` pins another version without a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from flashfusion.errors import ProviderAuthError, ProviderRejected, ProviderThrottled, ProviderUnavailable
from flashfusion.models import ContentType
from flashfusion.providers.base import (
    GeneratedContent,
    GenerationJob,
    PendingJob,
    PollResult,
)
from flashfusion.providers.http import (
    raise_for_status,
    retry_after_seconds,
    transport_errors,
    vendor_message,
)
from flashfusion.providers.vendor_io import HttpVendor, check_job, download, fetch_api_key, json_object, redacting
from flashfusion.routing.pricing import seconds_for

PROVIDER = "replicate"
BASE_URL = "https://api.replicate.com/v1"
# MusicGen's authors (Meta) describe its training data: 20K hours of licensed music (its model card).
DATASET_TAG = "vendor:meta-musicgen"
TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)

PINNED_VERSIONS = {
    # meta/musicgen's current version (model_version: stereo-melody-large, stereo-large,
    # melody-large, large). Re-pin here, or per row with "owner/name@<id>:variant".
    "meta/musicgen": "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb",
}
VARIANT_ALIASES = {
    # The first MusicGen versions called the 1.5B melody model "melody"; the current version only
    # offers the 3.3B "melody-large", and rejects "melody" with a 422.
    "melody": "melody-large",
}
RUNNING = frozenset({"starting", "processing"})
# Words in a failed prediction's error that mean the input was refused, not that the run broke.
_REFUSAL = re.compile(r"nsfw|safety|content polic|flagged|not allowed|input validation", re.IGNORECASE)
_WAIT = re.compile(r"(?:in|~)\s*~?(\d+(?:\.\d+)?)\s*s(?:ec(?:ond)?s?)?\b", re.IGNORECASE)
_VERSION_ID = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class VendorModel:
    owner_name: str
    version: str | None
    variant: str | None


def parse_vendor_model(value: str) -> VendorModel:
    base, _, variant = value.partition(":")
    owner_name, _, version = base.partition("@")
    if version and not _VERSION_ID.match(version):
        raise ValueError(f"replicate vendorModel {value!r}: the version after '@' must be a 64-hex id")
    variant = VARIANT_ALIASES.get(variant, variant)
    return VendorModel(owner_name, version or PINNED_VERSIONS.get(owner_name), variant or None)


def duration_for(job: GenerationJob) -> int:
    return max(1, round(seconds_for(job.model, job.options.duration_seconds)))


def seed_for(prompt_hash: str) -> int:
    """A seed from the prompt hash, so a repeated request asks for the same take (fits an int32)."""
    return int(prompt_hash[:8], 16) & 0x7FFFFFFF


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After, or the wait Replicate states in the 429 body ("available in 1 second", "~30s")."""
    seconds = retry_after_seconds(response)
    if seconds is not None:
        return seconds
    match = _WAIT.search(vendor_message(response))
    return float(match.group(1)) if match else None


def raise_for_replicate_error(response: httpx.Response, model: str) -> None:
    status = response.status_code
    if status < 400:
        return
    # Replicate's errors are problem documents: {"title", "detail", "status"}.
    message = f"{PROVIDER} answered {status}: {vendor_message(response)}"
    if status == 429:
        raise ProviderThrottled(message, provider=PROVIDER, model=model, retry_after=retry_after(response))
    if status == 402:
        # "Insufficient credit": the account must be topped up; retrying or another prompt won't help.
        raise ProviderAuthError(message, provider=PROVIDER, model=model)
    raise_for_status(response, PROVIDER, model)


def failure_error(prediction: dict[str, Any], model: str) -> ProviderRejected | ProviderUnavailable:
    status = str(prediction.get("status"))
    error = str(prediction.get("error") or "no error given")[:300]
    message = f"{PROVIDER} prediction {status}: {error}"
    if status == "failed" and _REFUSAL.search(error):
        return ProviderRejected(message, provider=PROVIDER, model=model)
    # A crash, a cold-boot deadline, a cancellation: the model's side, worth another try or model.
    return ProviderUnavailable(message, provider=PROVIDER, model=model)


def output_url(output: Any) -> str | None:
    if isinstance(output, str):
        return output
    if isinstance(output, list) and output and isinstance(output[0], str):
        return output[0]
    if isinstance(output, dict):
        for value in output.values():
            if isinstance(value, str) and value.startswith("http"):
                return value
    return None


def target_is_musicgen(job: GenerationJob) -> bool:
    return job.model.vendor_model.partition(":")[0].partition("@")[0] == "meta/musicgen"


def is_wav(data: bytes) -> bool:
    return len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE"


class ReplicateProvider(HttpVendor):
    name = PROVIDER

    base_url = BASE_URL
    timeout = TIMEOUT

    def request(self, job: GenerationJob) -> tuple[str, dict[str, Any]]:
        """(URL, body) of the prediction to create."""
        try:
            target = parse_vendor_model(job.model.vendor_model)
        except ValueError as error:
            raise ProviderRejected(str(error), provider=PROVIDER, model=job.model.id) from error
        model_input: dict[str, Any] = {
            "prompt": job.prompt,
            "duration": duration_for(job),
            "output_format": "wav",
            "seed": seed_for(job.prompt_hash),
        }
        if target.variant:
            model_input["model_version"] = target.variant
        if target.version:
            return f"{BASE_URL}/predictions", {"version": target.version, "input": model_input}
        return f"{BASE_URL}/models/{target.owner_name}/predictions", {"input": model_input}

    def submit(self, job: GenerationJob) -> PendingJob:
        check_job(job, PROVIDER, frozenset({ContentType.MUSIC}))
        url, body = self.request(job)
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.post(url, headers={"Authorization": f"Bearer {key}"}, json=body, timeout=TIMEOUT)
            raise_for_replicate_error(response, job.model.id)
            prediction = _json(response, job.model.id)
        prediction_id = prediction.get("id")
        if not isinstance(prediction_id, str) or not prediction_id:
            raise ProviderUnavailable(
                f"{PROVIDER} answered without a prediction id", provider=PROVIDER, model=job.model.id
            )
        return PendingJob(
            vendor_job_id=prediction_id,
            poll_after_seconds=job.model.poll_seconds,
            state={
                "duration": body["input"]["duration"],
                "version": body.get("version"),
                "modelVersion": body["input"].get("model_version"),
                "seed": body["input"]["seed"],
            },
        )

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.get(
                    f"{BASE_URL}/predictions/{pending.vendor_job_id}",
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=TIMEOUT,
                )
            raise_for_replicate_error(response, job.model.id)
            prediction = _json(response, job.model.id)
        status = str(prediction.get("status", ""))
        if status in RUNNING:
            return PollResult(status="running", poll_after_seconds=job.model.poll_seconds)
        if status != "succeeded":
            # failed, canceled, aborted, or a status this adapter does not know
            raise failure_error(prediction, job.model.id)
        url = output_url(prediction.get("output"))
        if not url:
            raise ProviderUnavailable(
                f"{PROVIDER} prediction succeeded without an output URL", provider=PROVIDER, model=job.model.id
            )
        data, _ = download(self.client, url, provider=PROVIDER, model=job.model.id)
        if not is_wav(data):
            raise ProviderUnavailable(f"{PROVIDER} output is not a WAV file", provider=PROVIDER, model=job.model.id)
        metrics = prediction.get("metrics") or {}
        predict_time = metrics.get("predict_time")
        usage = {"audioSeconds": float(pending.state.get("duration") or duration_for(job))}
        if isinstance(predict_time, int | float):
            usage["computeSeconds"] = float(predict_time)
        version = str(prediction.get("version") or pending.state.get("version") or "")
        return PollResult(
            status="succeeded",
            content=GeneratedContent(
                data=data,
                mime_type="audio/wav",
                extension="wav",
                vendor_model=job.model.vendor_model,
                offline=False,
                dataset_tag=DATASET_TAG if target_is_musicgen(job) else f"vendor:{PROVIDER}",
                usage=usage,
                parameters={
                    "predictionId": pending.vendor_job_id,
                    "version": version or None,
                    "modelVersion": pending.state.get("modelVersion"),
                    "duration": usage["audioSeconds"],
                    "seed": pending.state.get("seed"),
                    "outputFormat": "wav",
                },
            ),
        )


def _json(response: httpx.Response, model: str) -> dict[str, Any]:
    return json_object(response, PROVIDER, model)
