"""Typed errors.

The Lambda runtime reports an unhandled exception's class name as the Step Functions error name, so
these class names are part of the state machine's contract: the ASL retries and catches by them.
Renaming one is a breaking change to statemachine/*.asl.json.
"""

from __future__ import annotations

import json


class FlashFusionError(Exception):
    """Base class of every error the orchestrator raises on purpose."""


class ProviderError(FlashFusionError):
    """A model provider could not produce the asset."""

    def __init__(self, message: str, *, provider: str = "", model: str = "") -> None:
        super().__init__(message)
        self.provider = provider
        self.model = model


class ProviderThrottled(ProviderError):
    """The vendor asked us to slow down (HTTP 429); transient, retried with backoff."""

    def __init__(self, message: str, *, provider: str = "", model: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, provider=provider, model=model)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The vendor failed (5xx, connection error); transient, retried then falls back."""


class ProviderTimeout(ProviderError):
    """The vendor did not answer in time; transient, retried then falls back."""


class ProviderRejected(ProviderError):
    """The vendor refused this prompt (content policy, bad request); not retried, falls back."""


class ProviderAuthError(ProviderError):
    """The vendor refused our credentials (401/403); not retried, falls back."""


class GenerationTimedOut(ProviderError):
    """A vendor job ran past the model's maximum wait; not retried (polling again would not help), falls back."""


class SpeculationNeedsReview(FlashFusionError):
    """A pre-generated (speculative) request's output needs a person's review: nobody asked for it, so it is
    dropped (its candidate fails) rather than put in a reviewer's queue."""


class BudgetExceeded(FlashFusionError):
    """The organisation's budget cannot cover the estimated cost."""


class FallbackChainExhausted(FlashFusionError):
    """Every model in the fallback chain failed; the message lists what each one said."""


class BundlePartFailed(FlashFusionError):
    """A part the bundle cannot do without could not be made (its own fallback chain ran out): the bundle fails."""


class NoModelAvailable(FlashFusionError):
    """No enabled model serves this content type and tier."""


class BrandKitNotFound(FlashFusionError):
    """The request names a brand kit the organisation does not have."""


class BrandKitVersionExists(FlashFusionError):
    """A brand kit version is immutable; new content needs a new version number."""


class ProvenanceConflict(FlashFusionError):
    """A provenance record already exists for this asset version with other content."""


class RequestNotFound(FlashFusionError):
    """No request with this id exists in the caller's organisation."""


class RequestConflict(FlashFusionError):
    """The request has already ended (succeeded, failed, cancelled...): it cannot be cancelled now."""

    def __init__(self, message: str, *, status: str = "") -> None:
        super().__init__(message)
        self.status = status


class TranslationSkipped(FlashFusionError):
    """This asset cannot be translated into the locale (music, a vendor image's baked-in text); not retried."""


class ReviewNotFound(FlashFusionError):
    """No review with this id exists in the caller's organisation."""


class LintJobNotFound(FlashFusionError):
    """No lint job with this id in the caller's organisation (another organisation's job is not found either)."""


class UploadNotFound(FlashFusionError):
    """No upload with this id in the caller's organisation (another organisation's id finds nothing)."""


class AssetNotFound(FlashFusionError):
    """No asset with this id exists in the caller's organisation."""


class ReviewConflict(FlashFusionError):
    """The review was already decided or has expired: a second decision would resume the workflow twice."""

    def __init__(self, message: str, *, status: str = "") -> None:
        super().__init__(message)
        self.status = status


class ResourceConflict(FlashFusionError):
    """The request conflicts with the resource's current state (it exists already, it changed meanwhile): a 409;
    ``fields`` says which field, when one is at fault."""

    def __init__(self, message: str, fields: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []


class RegenerationLimitReached(FlashFusionError):
    """The reviewer asked for another regeneration but the brand kit's rounds are used up."""


class Forbidden(FlashFusionError):
    """The caller is authenticated but may not do this (e.g. decide a review without the reviewer role)."""


class LinkInvalid(FlashFusionError):
    """A shared review link's token is malformed, badly signed or names no link of that review (401): one
    answer for all of them, so a caller learns nothing by trying tokens."""


class LinkGone(FlashFusionError):
    """A shared review link that did exist has expired or was revoked (410): ask its sender for a new one."""


class Unauthenticated(FlashFusionError):
    """The token does not say who is calling: no subject, or a missing or malformed organisation claim (401)."""


class UnsafeDestination(FlashFusionError):
    """An outbound URL that must not receive a request (not https, or a private/internal host).

    Raised by ``flashfusion.outbound``; each caller turns it into its own error (PublishRejected,
    ProviderRejected, a 400 naming the field).
    """


class ReviewUnavailable(FlashFusionError):
    """The workflow could not be resumed just now (a transient Step Functions error); try again."""


class InvalidRequest(FlashFusionError):
    """The request is malformed; ``fields`` says which field and what is wrong with it."""

    def __init__(self, message: str, fields: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []


class KeyTooLarge(InvalidRequest):
    """A DynamoDB key attribute would exceed DynamoDB's limit (partition key 2,048 bytes, sort key 1,024):
    refused before the call, as DynamoDB would (moto does not)."""


class StateTooLarge(FlashFusionError):
    """A step's result would take the workflow state past its budget (flashfusion.limits): refused as an
    ordinary error, which the failure path catches, rather than Step Functions' uncatchable
    States.DataLimitExceeded."""


class ItemTooLarge(InvalidRequest):
    """DynamoDB refused a write because the item would exceed 400 KB (attribute names and values as
    UTF-8): typed, so the caller sees which write and why instead of a bare ValidationException."""


class FaultInjectionNotAllowed(InvalidRequest):
    """Fault injection was requested outside the local engine."""


class UnsupportedMedia(FlashFusionError):
    """An asset that cannot be decoded within the memory bound: too many pixels declared (a decompression
    bomb), frames too large, or a file no decoder reads. Not retried: the same bytes fail the same way.
    Linting reports it (``ffo lint`` exit 2; the workflow's lint report, an error violation)."""


class AwsThrottled(FlashFusionError):
    """An AWS service (Rekognition, DynamoDB, Scheduler…) still throttled after botocore's own retries;
    transient: the state machine retries it with backoff (see flashfusion.aws.throttling)."""

    def __init__(self, message: str, *, service: str = "", code: str = "") -> None:
        super().__init__(message)
        self.service = service
        self.code = code


TRANSIENT_PROVIDER_ERRORS = ("ProviderThrottled", "ProviderUnavailable", "ProviderTimeout")
"""Error names the Generate state retries before it falls back."""


def readable_cause(cause: str) -> str:
    """A Step Functions cause for a Lambda error is the JSON error payload: keep its message."""
    try:
        payload = json.loads(cause)
    except (TypeError, ValueError):
        return cause
    if isinstance(payload, dict) and "errorMessage" in payload:
        return str(payload["errorMessage"])
    return cause


class SigningNotConfigured(FlashFusionError):
    """Content signing is on but its key or certificate chain is missing: refused before anything is paid for."""


class PostsNotScheduled(FlashFusionError):
    """The asset is saved, but some posts the request asked for could not be scheduled (the reasons in the
    cause): recorded on the request as ``followUpError``."""


class PublishError(FlashFusionError):
    """A platform could not take a post."""

    def __init__(self, message: str, *, platform: str = "") -> None:
        super().__init__(message)
        self.platform = platform


class PublishAuthExpired(PublishError):
    """The account's token is expired or revoked: the account needs re-authorising; never retried blindly."""


class PublishRateLimited(PublishError):
    """The platform asked us to wait; ``retry_after`` seconds (from its reset headers) when it said."""

    def __init__(self, message: str, *, platform: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, platform=platform)
        self.retry_after = retry_after


class PublishRejected(PublishError):
    """The platform refused the content itself (too long, bad media, policy): the post fails with its reason."""


class PublishUnavailable(PublishError):
    """The platform failed (5xx, timeout, connection) or answered something unknown: retried, then dead-lettered."""
