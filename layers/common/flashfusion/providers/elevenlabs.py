"""Premium music from the ElevenLabs Music API (compose), answered in one call with the audio bytes.

Shapes follow the official SDK generated from ElevenLabs' API definition (elevenlabs/elevenlabs-python,
``music/raw_client.py``: "Compose a song from a prompt") and ElevenLabs' own music reference
(elevenlabs/skills ``music/references/api_reference.md``):

- ``POST https://api.elevenlabs.io/v1/music?output_format=mp3_44100_128`` with the key in the
  ``xi-api-key`` header; JSON ``{"prompt", "music_length_ms", "model_id", "force_instrumental",
  "seed"}``; ``music_length_ms`` 10,000-300,000 for ``music_v1``. The answer is the audio itself.
- Errors: ``{"detail": {"status": "<code>", "message": "..."}}`` (ElevenLabs help centre, "API error
  code 400 or 401": ``invalid_api_key``, ``quota_exceeded``...); 422 is FastAPI's
  ``{"detail": [{"loc", "msg", "type"}]}`` (the SDK's HttpValidationError); 429 carries
  ``too_many_concurrent_requests`` or ``system_busy``. A prompt naming artists, bands or copyrighted
  lyrics is refused as ``bad_prompt`` with a ``prompt_suggestion`` (``bad_composition_plan`` for
  plans): ProviderRejected. Where the suggestion sits in the body is not documented, so both
  ``detail.prompt_suggestion`` and ``detail.data.prompt_suggestion`` are read.
"""

from __future__ import annotations

from typing import Any

import httpx

from flashfusion.errors import ProviderError, ProviderRejected, ProviderUnavailable
from flashfusion.models import ContentType
from flashfusion.providers.base import GeneratedContent, GenerationJob
from flashfusion.providers.http import MAX_MESSAGE, raise_for_status, transport_errors
from flashfusion.providers.vendor_io import HttpVendor, check_job, fetch_api_key, redacting
from flashfusion.routing.pricing import seconds_for

PROVIDER = "elevenlabs"
BASE_URL = "https://api.elevenlabs.io/v1"
OUTPUT_FORMAT = "mp3_44100_128"  # the API's default for v1 models; available on every plan
DATASET_TAG = "vendor:elevenlabs"  # ElevenLabs does not publish its music model's training data
# Composing answers only when the track is done. The Generate Lambda has 110 s in all, so the wait
# is capped below that; a track that takes longer fails as ProviderTimeout and falls back.
TIMEOUT = httpx.Timeout(connect=5.0, read=90.0, write=30.0, pool=5.0)
MIN_LENGTH_MS, MAX_LENGTH_MS = 10_000, 300_000
REFUSALS = frozenset({"bad_prompt", "bad_composition_plan"})


def length_ms(job: GenerationJob) -> int:
    seconds = seconds_for(job.model, job.options.duration_seconds)
    return min(MAX_LENGTH_MS, max(MIN_LENGTH_MS, round(seconds * 1000)))


def request_body(job: GenerationJob) -> dict[str, Any]:
    return {
        "prompt": job.prompt,
        "music_length_ms": length_ms(job),
        "model_id": job.model.vendor_model,
        # Vocals could sing words the brand linter never sees (it reads text, not audio), so ask for
        # an instrumental: background music is what marketing assets use.
        "force_instrumental": True,
        "seed": int(job.prompt_hash[:8], 16) & 0x7FFFFFFF,
    }


def error_detail(response: httpx.Response) -> tuple[str, str, str | None]:
    """(status code name, message, prompt suggestion) from an ElevenLabs error body."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:MAX_MESSAGE], None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        data = detail.get("data") if isinstance(detail.get("data"), dict) else {}
        suggestion = detail.get("prompt_suggestion") or (data or {}).get("prompt_suggestion")
        return (
            str(detail.get("status") or detail.get("code") or ""),
            str(detail.get("message") or "")[:MAX_MESSAGE],
            str(suggestion)[:MAX_MESSAGE] if suggestion else None,
        )
    if isinstance(detail, list):  # FastAPI validation errors
        messages = [
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        ]
        return "validation_error", "; ".join(messages)[:MAX_MESSAGE], None
    if isinstance(detail, str):
        return "", detail[:MAX_MESSAGE], None
    return "", response.text[:MAX_MESSAGE], None


def raise_for_elevenlabs_error(response: httpx.Response, model: str) -> None:
    if response.status_code < 400:
        return
    status, message, suggestion = error_detail(response)
    text = f"{PROVIDER} answered {response.status_code}{f' {status}' if status else ''}: {message}"
    if status in REFUSALS:
        # ToS refusal (copyrighted artists/lyrics): the prompt must change, whatever the HTTP code.
        if suggestion:
            text += f" (suggested prompt: {suggestion})"
        raise ProviderRejected(text, provider=PROVIDER, model=model)
    try:
        raise_for_status(response, PROVIDER, model)
    except ProviderError as mapped:
        # Same class as the shared mapping, with ElevenLabs' own status name in the message.
        mapped.args = (text,)
        raise


def is_mp3(data: bytes) -> bool:
    # An ID3 tag, or an MPEG audio frame sync (11 set bits).
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and (data[1] & 0xE0) == 0xE0)


class ElevenLabsProvider(HttpVendor):
    name = PROVIDER

    base_url = BASE_URL
    timeout = TIMEOUT

    def generate(self, job: GenerationJob) -> GeneratedContent:
        check_job(job, PROVIDER, frozenset({ContentType.MUSIC}))
        body = request_body(job)
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.post(
                    f"{BASE_URL}/music",
                    params={"output_format": OUTPUT_FORMAT},
                    headers={"xi-api-key": key, "Content-Type": "application/json"},
                    json=body,
                    timeout=TIMEOUT,
                )
            raise_for_elevenlabs_error(response, job.model.id)
        data = response.content
        if not is_mp3(data):
            raise ProviderUnavailable(
                f"{PROVIDER} answered 200 without MP3 audio ({response.headers.get('content-type', 'no type')})",
                provider=PROVIDER,
                model=job.model.id,
            )
        seconds = body["music_length_ms"] / 1000
        return GeneratedContent(
            data=data,
            mime_type="audio/mpeg",
            extension="mp3",
            vendor_model=job.model.vendor_model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage={"audioSeconds": seconds},
            parameters={
                "musicLengthMs": body["music_length_ms"],
                "outputFormat": OUTPUT_FORMAT,
                "forceInstrumental": True,
                "seed": body["seed"],
            },
        )
