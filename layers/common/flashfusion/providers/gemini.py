"""Google Gemini text generation through the Gemini API (generativelanguage.googleapis.com).

Shapes follow the Gemini API's v1beta ``models.generateContent`` method as Google's own type references
give it (GenerateContentRequest / GenerateContentResponse / UsageMetadata / FinishReason in the
generativelanguage v1beta and Firebase AI references): request ``{"systemInstruction": Content,
"contents": [Content], "generationConfig": {"maxOutputTokens"}}`` with the key in the ``x-goog-api-key``
header (never ``?key=``, which lands in access logs); response ``candidates[].content.parts[].text``
(parts with ``"thought": true`` are reasoning, not copy), ``candidates[].finishReason``,
``promptFeedback.blockReason``, ``usageMetadata.{promptTokenCount, candidatesTokenCount,
thoughtsTokenCount}``. Errors follow the Gemini troubleshooting guide
(ai.google.dev/gemini-api/docs/troubleshooting): ``{"error": {"code", "message", "status", "details"}}``
with 400 INVALID_ARGUMENT / FAILED_PRECONDITION, 403 PERMISSION_DENIED, 404 NOT_FOUND,
429 RESOURCE_EXHAUSTED (its ``details`` carry a ``google.rpc.RetryInfo``), 500 INTERNAL,
503 UNAVAILABLE, 504 DEADLINE_EXCEEDED. The system instruction is the shared brand-kit text
(providers.prompting), so every text vendor is told the same rules.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from flashfusion.models import ContentType
from flashfusion.providers.base import GeneratedContent, GenerationJob
from flashfusion.providers.http import (
    MAX_MESSAGE,
    raise_for_status,
    retry_after_seconds,
    transport_errors,
)
from flashfusion.providers.prompting import brand_instructions
from flashfusion.providers.vendor_io import HttpVendor, check_job, fetch_api_key, redacting

PROVIDER = "gemini"
BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
DATASET_TAG = "vendor:gemini"  # Google does not publish Gemini's training data
# Thinking models (2.5 Pro) can take most of a minute; the Generate Lambda has 110 s in all.
TIMEOUT = httpx.Timeout(connect=5.0, read=90.0, write=30.0, pool=5.0)

# Candidate.FinishReason values that mean "the model refused or was stopped by a filter": the same
# prompt will be refused again, so these are ProviderRejected (fall back), not retried.
REFUSAL_FINISH_REASONS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "LANGUAGE",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
    }
)
# ErrorInfo reasons Google returns with HTTP 400 for a bad key: a credentials problem, not a bad prompt.
AUTH_REASONS = frozenset({"API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def request_body(job: GenerationJob) -> dict[str, Any]:
    body: dict[str, Any] = {
        "systemInstruction": {"parts": [{"text": brand_instructions(job.brand_kit, job.channel)}]},
        "contents": [{"role": "user", "parts": [{"text": job.prompt}]}],
    }
    max_tokens = job.options.max_output_tokens or job.model.limits.max_output_tokens
    if max_tokens:
        body["generationConfig"] = {"maxOutputTokens": max_tokens}
    return body


def _google_error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _retry_delay(details: list[Any]) -> float | None:
    """google.rpc.RetryInfo.retryDelay ("22s"): Google's 429s often carry it instead of Retry-After."""
    for detail in details:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def raise_for_google_error(response: httpx.Response, model: str) -> None:
    """providers.http's mapping, plus the cases where Google's status code alone misleads."""
    if response.status_code < 400:
        return
    error = _google_error(response)
    status = str(error.get("status", ""))
    raw_details = error.get("details")
    details: list[Any] = raw_details if isinstance(raw_details, list) else []
    reasons = {str(d.get("reason")) for d in details if isinstance(d, dict) and d.get("reason")}
    said = str(error.get("message", ""))[:MAX_MESSAGE]
    message = f"{PROVIDER} answered {response.status_code} {status}: {said}"
    if reasons & AUTH_REASONS:
        raise ProviderAuthError(message, provider=PROVIDER, model=model)
    if status == "FAILED_PRECONDITION":
        # "Free tier not available in your country / enable billing": the account, not the prompt.
        raise ProviderAuthError(message, provider=PROVIDER, model=model)
    if response.status_code == 429:
        retry_after = retry_after_seconds(response)
        raise ProviderThrottled(
            message,
            provider=PROVIDER,
            model=model,
            retry_after=retry_after if retry_after is not None else _retry_delay(details),
        )
    try:
        raise_for_status(response, PROVIDER, model)
    except ProviderError as mapped:
        if error:
            # Same class as the shared mapping; Google's status name says more than the bare code.
            mapped.args = (message,)
        raise


def parse_text(body: dict[str, Any], model: str) -> tuple[str, str]:
    """(text, finishReason) of the first candidate; a block or refusal raises ProviderRejected."""
    feedback = body.get("promptFeedback") or {}
    if feedback.get("blockReason"):
        raise ProviderRejected(
            f"{PROVIDER} blocked the prompt: {feedback['blockReason']}", provider=PROVIDER, model=model
        )
    candidates = body.get("candidates") or []
    if not candidates:
        raise ProviderUnavailable(f"{PROVIDER} returned no candidates", provider=PROVIDER, model=model)
    candidate = candidates[0]
    finish = str(candidate.get("finishReason") or "")
    if finish in REFUSAL_FINISH_REASONS:
        raise ProviderRejected(f"{PROVIDER} stopped the answer: finishReason {finish}", provider=PROVIDER, model=model)
    parts = (candidate.get("content") or {}).get("parts") or []
    # Parts marked "thought" are the model's reasoning summary, not the copy.
    text = "".join(p.get("text", "") for p in parts if isinstance(p, dict) and not p.get("thought")).strip()
    if not text:
        if finish == "MAX_TOKENS":
            # Thinking used the whole budget: the same request fails the same way, so fall back.
            raise ProviderRejected(
                f"{PROVIDER} reached maxOutputTokens before writing any text", provider=PROVIDER, model=model
            )
        raise ProviderUnavailable(
            f"{PROVIDER} returned an empty answer (finishReason {finish or 'none'})",
            provider=PROVIDER,
            model=model,
        )
    return text, finish


def usage_of(body: dict[str, Any]) -> dict[str, float]:
    meta = body.get("usageMetadata") or {}
    # Thinking tokens are billed at the output rate (Gemini pricing: "output price, including
    # thinking tokens") but reported apart from candidatesTokenCount.
    output = float(meta.get("candidatesTokenCount", 0)) + float(meta.get("thoughtsTokenCount", 0))
    return {"inputTokens": float(meta.get("promptTokenCount", 0)), "outputTokens": output}


class GeminiProvider(HttpVendor):
    name = PROVIDER

    base_url = BASE_URL
    timeout = TIMEOUT

    def generate(self, job: GenerationJob) -> GeneratedContent:
        check_job(job, PROVIDER, frozenset({ContentType.TEXT}))
        model = job.model.vendor_model
        payload = request_body(job)
        key = fetch_api_key(self._ctx, PROVIDER, job.model.id)
        with redacting(key):
            with transport_errors(PROVIDER, job.model.id):
                response = self.client.post(
                    f"{BASE_URL}/models/{model}:generateContent",
                    headers={"x-goog-api-key": key, "Content-Type": "application/json"},
                    json=payload,
                    timeout=TIMEOUT,
                )
            raise_for_google_error(response, job.model.id)
            try:
                body = response.json()
            except ValueError as error:
                raise ProviderUnavailable(
                    f"{PROVIDER} answered with a body that is not JSON", provider=PROVIDER, model=job.model.id
                ) from error
            text, finish = parse_text(body, job.model.id)
        version = str(body.get("modelVersion") or model)
        return GeneratedContent(
            data=(text + "\n").encode("utf-8"),
            mime_type="text/plain; charset=utf-8",
            extension="txt",
            vendor_model=model,
            offline=False,
            dataset_tag=DATASET_TAG,
            usage=usage_of(body),
            parameters={
                "modelVersion": version,
                "finishReason": finish,
                "responseId": body.get("responseId"),
                "maxOutputTokens": payload.get("generationConfig", {}).get("maxOutputTokens"),
            },
        )
