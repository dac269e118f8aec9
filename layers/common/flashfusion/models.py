"""Pydantic models that cross a boundary: API bodies, workflow state, DynamoDB records.

JSON uses camelCase (``model_dump(by_alias=True)``); Python uses snake_case. Models that come from
outside (API bodies, files) forbid unknown fields, so a misspelt field is an error, not a silent no-op.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

# Re-exported: every model that crosses a boundary can be imported from here.
from flashfusion.brandkit import ApprovalStep as ApprovalStep
from flashfusion.brandkit import BrandColor as BrandColor
from flashfusion.brandkit import BrandKit as BrandKit
from flashfusion.brandkit import LegalRules as LegalRules
from flashfusion.brandkit import VoiceRules as VoiceRules
from flashfusion.modelbase import CamelModel as CamelModel
from flashfusion.modelbase import Identifier as Identifier
from flashfusion.scheduling.models import ScheduleRequest

MAX_PROMPT_CHARS = 4000


def utcnow() -> datetime:
    return datetime.now(UTC)


class ContentType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    MUSIC = "music"


class Tier(StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    PREMIUM = "premium"


class Latency(StrEnum):
    REALTIME = "realtime"
    BATCH = "batch"


class RequestStatus(StrEnum):
    ACCEPTED = "accepted"
    VALIDATING = "validating"
    ROUTING = "routing"
    GENERATING = "generating"
    LINTING = "linting"
    SAVING = "saving"
    QUEUED = "queued"
    SUCCEEDED = "succeeded"
    NEEDS_REVIEW = "needs_review"
    REVIEW_EXPIRED = "review_expired"
    REJECTED = "rejected"
    REGENERATING = "regenerating"
    TRANSLATING = "translating"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset(
    {
        RequestStatus.SUCCEEDED,
        RequestStatus.FAILED,
        RequestStatus.REJECTED,
        RequestStatus.REVIEW_EXPIRED,
        RequestStatus.QUEUED,
        RequestStatus.CANCELLED,
    }
)
"""Statuses after which the request's execution has ended on purpose (queued: the batch worker restarts it)."""

ReviewDecisionKind = Literal["approve", "approve_with_edits", "regenerate", "reject"]
ReviewOutcomeKind = Literal["approve", "approve_with_edits", "regenerate", "reject", "expired"]


FaultKind = Literal["throttle", "unavailable", "timeout", "rejected", "auth", "stall"]
"""stall: an async job that never finishes (its polls keep answering "running")."""
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PROMPT_CHARS)]
ClientRequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,128}$")]
Locale = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")]
"""A BCP 47 language tag as marketing teams write them: fr-FR, de-DE, ja-JP, pt-BR, zh-Hans-CN, es-419."""


class Fault(CamelModel):
    """A fault the local engine injects: ``kind`` on ``model`` for ``times`` calls (None: every call)."""

    model: str | None = Field(default=None, description="model id; None means every model")
    kind: FaultKind
    times: int | None = Field(default=None, ge=1, le=20)


MIN_SIDE_PX = 64
MAX_SIDE_PX = 4096
"""Each side of an image or video size: the smallest and largest any model in the matrix makes."""


def _sides_in_range(size: str) -> str:
    width, height = (int(side) for side in size.split("x"))
    if not (MIN_SIDE_PX <= width <= MAX_SIDE_PX and MIN_SIDE_PX <= height <= MAX_SIDE_PX):
        raise ValueError(f"each side must be {MIN_SIDE_PX}-{MAX_SIDE_PX} px")
    return size


Size = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$"), AfterValidator(_sides_in_range)]


class OutputOptions(CamelModel):
    """What the output should be like, beyond the prompt; None lets the model decide."""

    size: Size | None = Field(default=None, description='images and video, "WIDTHxHEIGHT"')
    quality: Literal["standard", "hd", "low", "medium", "high", "premium"] | None = None
    duration_seconds: float | None = Field(default=None, gt=0, le=600, description="video and music")
    aspect_ratio: Literal["16:9", "9:16", "1:1", "4:5"] | None = None
    max_output_tokens: int | None = Field(default=None, ge=16, le=32000, description="text")


Operation = Literal["generate", "brand_style"]
"""generate: a new asset from the prompt. brand_style: the organisation's own photo (an upload of
``POST /v1/uploads``) in the brand's look: palette, logo, optional headline."""
UploadId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
MAX_HEADLINE_CHARS = 120


class BrandStyleOptions(CamelModel):
    """``operation: brand_style``: which upload to restyle, and how."""

    source_upload_id: UploadId = Field(description="the uploadId of POST /v1/uploads (PNG, JPEG or WebP)")
    headline: str | None = Field(
        default=None, min_length=1, max_length=MAX_HEADLINE_CHARS, description="set on the photo in the brand font"
    )
    strength: float | None = Field(
        default=None,
        ge=0.05,
        le=1.0,
        description="how far toward the palette (0.05-1); default: the least that passes the kit's colour check",
    )
    place_logo: StrictBool = Field(default=True, description="place the kit's logo where the kit allows it")


class SourceImage(CamelModel):
    """The organisation's upload a brand_style output was made from (its provenance ingredient)."""

    upload_id: str
    key: str
    mime_type: str
    sha256: str


class AssetSubmission(CamelModel):
    """What an API client sends to ``POST /v1/assets``. The organisation comes from the caller's token."""

    content_type: ContentType
    prompt: Prompt
    tier: Tier = Tier.STANDARD
    latency: Latency = Latency.REALTIME
    brand_kit_id: Identifier
    channel: str | None = Field(default=None, max_length=32)
    sponsored: StrictBool = Field(
        default=False,
        description="a paid or sponsored post: lint requires a disclosure the brand kit accepts (e.g. #ad)",
    )
    options: OutputOptions = Field(default_factory=OutputOptions)
    client_request_id: ClientRequestId | None = None
    locales: list[Locale] = Field(
        default_factory=list, max_length=20, description="translate the saved asset into each of these"
    )
    campaign_id: Identifier | None = Field(default=None, description="the saved asset joins this campaign")
    schedule: ScheduleRequest | None = Field(default=None, description="post the saved asset, or plan it")
    faults: list[Fault] = Field(default_factory=list, max_length=10)
    callback_url: str | None = Field(
        default=None,
        max_length=2048,
        description="an https URL that receives a signed POST when the request needs review and when it ends",
    )
    cache: Literal["use", "bypass"] = Field(
        default="use",
        description="use: an earlier result of the same brief, kit version, model and options, or a pre-generated "
        "candidate close enough to it, may serve this request (no new vendor call); bypass: always generate anew",
    )

    operation: Operation = Field(
        default="generate", description="generate (default), or brand_style: an uploaded photo in the brand's look"
    )
    style: BrandStyleOptions | None = Field(default=None, description="operation brand_style: the source and how")

    @field_validator("locales")
    @classmethod
    def _distinct_locales(cls, locales: list[str]) -> list[str]:
        if len(set(locales)) != len(locales):
            raise ValueError("each locale at most once")
        return locales

    @model_validator(mode="after")
    def _style_goes_with_brand_style(self) -> AssetSubmission:
        if self.operation == "brand_style":
            if self.content_type != ContentType.IMAGE:
                raise ValueError("operation brand_style makes an image: contentType must be image")
            if self.style is None:
                raise ValueError("operation brand_style needs style.sourceUploadId (an upload of POST /v1/uploads)")
        elif self.style is not None:
            raise ValueError("style is for operation brand_style only")
        return self


class Speculation(CamelModel):
    """A request the product made itself, ahead of demand (flashfusion.app.prefetch): charged to the
    organisation's speculative ledger, never posted, never called back."""

    candidate_id: str
    expires_at: datetime
    expected: float = Field(default=0.0, description="requests the forecast expects this candidate to serve")


class AssetRequest(AssetSubmission):
    """A submission bound to its organisation and caller: the workflow's input."""

    request_id: str
    org_id: Identifier
    user_id: str
    submitted_at: datetime = Field(default_factory=utcnow)
    speculative: Speculation | None = Field(default=None, description="set only on pre-generated requests")


class ServedFrom(CamelModel):
    """Where a version served without a new vendor call came from: the earlier version it copies."""

    asset_id: str
    version: int
    kind: Literal["cache", "pregenerated"]
    generated_at: datetime = Field(description="when the earlier version was generated")
    request_id: str | None = Field(default=None, description="the request that generated it")
    candidate_id: str | None = Field(default=None, description="pregenerated: the candidate that served")


def normalise_prompt(prompt: str) -> str:
    """NFC, collapsed whitespace, lower case: two prompts that read the same hash the same."""
    return " ".join(unicodedata.normalize("NFC", prompt).split()).lower()


def prompt_hash(prompt: str) -> str:
    return hashlib.sha256(normalise_prompt(prompt).encode("utf-8")).hexdigest()


class ReviewPolicy(CamelModel):
    """How long a human review may take, and how many regenerations a reviewer may ask for."""

    timeout_seconds: int
    heartbeat_seconds: int
    max_regenerations: int
    approvals: list[ApprovalStep] = Field(default_factory=list, description="the kit's approval steps, in order")


class ValidatedRequest(CamelModel):
    brand_kit_id: str
    brand_kit_version: int
    prompt_hash: str
    review: ReviewPolicy | None = None
    locale_count: int = Field(default=0, description="how many translations the Map state makes")
    has_campaign: bool = Field(default=False, description="the saved asset joins request.campaignId")
    wants_posts: bool = Field(default=False, description="request.schedule asks for posts")
    validated_at: datetime = Field(default_factory=utcnow)


class Revision(CamelModel):
    """Which version of the asset the workflow is making now, and from what."""

    version: int = 1
    parent_version: int | None = None
    round: int = Field(default=0, description="regeneration rounds a reviewer asked for so far")
    feedback: list[str] = Field(default_factory=list, description="reviewer feedback, oldest first")
    prompt_hash: str | None = Field(default=None, description="hash of the prompt with the feedback in it")


class ReviewOutcome(CamelModel):
    """What the reviewer decided: the API hands it to the waiting workflow (SendTaskSuccess)."""

    review_id: str
    decision: ReviewOutcomeKind
    reviewer: str | None = None
    comment: str | None = Field(default=None, max_length=2000)
    feedback: str | None = Field(default=None, max_length=2000)
    edited_staging_key: str | None = None
    edited_mime_type: str | None = None
    decided_at: datetime = Field(default_factory=utcnow)


class FailedAttempt(CamelModel):
    model: str
    error: str
    message: str


class PassedOver(CamelModel):
    model: str
    reason: str
    over_budget: bool = False
    estimated_cost_usd: float | None = None


class RouteDecision(CamelModel):
    """The model to call now, the models to fall back to, and why."""

    model: str
    provider: str
    chain: list[str] = Field(default_factory=list, description="fallbacks, in order, not yet tried")
    failed: list[FailedAttempt] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    passed_over: list[PassedOver] = Field(default_factory=list)
    estimated_cost_usd: float = 0.0
    remaining_budget_usd: float | None = None
    reservation_id: str | None = None


class AttemptRecord(CamelModel):
    """One call of one model, as the Generate step saw it (retries included)."""

    model: str
    provider: str
    outcome: Literal["succeeded", "failed"]
    error: str | None = None
    message: str | None = Field(default=None, max_length=500, description="the vendor's reason, for the audit")
    latency_ms: int = Field(
        default=0, description="the vendor's generation time (a job API: submission to the poll that found it done)"
    )
    cost_usd: float | None = Field(default=None, description="what a successful call was billed (USD)")
    at: datetime = Field(default_factory=utcnow)


class Cost(CamelModel):
    usd: float = 0.0
    units: dict[str, float] = Field(default_factory=dict, description="per-medium units, e.g. tokens")


class PendingGeneration(CamelModel):
    """A vendor job in flight (video, music): the state machine waits, then polls it."""

    status: Literal["pending"] = "pending"
    asset_id: str
    model: str
    provider: str
    vendor_job_id: str
    job_state: dict[str, Any] = Field(default_factory=dict)
    submitted_at: datetime = Field(default_factory=utcnow)
    poll_after_seconds: int = 10
    waited_seconds: float = 0.0
    """The waits the state machine was asked for so far (the clock can lag them on the local engine)."""
    polls: int = 0
    progress: float | None = None


class Generation(CamelModel):
    """A generated output staged in S3, waiting for lint and save."""

    status: Literal["ready"] = "ready"
    asset_id: str
    version: int = 1
    content_type: ContentType
    model: str
    provider: str
    vendor_model: str
    offline: bool
    dataset_tag: str
    staging_key: str
    mime_type: str
    extension: str
    output_hash: str
    size_bytes: int
    latency_ms: int
    cost: Cost
    parameters: dict[str, Any] = Field(default_factory=dict)
    generated_at: datetime = Field(default_factory=utcnow)
    auto_fixes: list[str] = Field(default_factory=list, description="rule ids the AutoFix step applied, each once")
    autofix_rounds: int = 0
    human_edited: bool = False
    parent_version: int | None = None
    locale: str | None = None
    translation: dict[str, Any] | None = Field(default=None, description="source, locale, engine; None: original")
    served_from: ServedFrom | None = Field(default=None, description="a cached or pre-generated result served it")
    source: SourceImage | None = Field(default=None, description="brand_style: the upload it was made from")


Severity = Literal["error", "warning", "suggestion"]


class TextSpan(CamelModel):
    start: int
    end: int
    text: str


class ImageBox(CamelModel):
    x: int
    y: int
    width: int
    height: int


class TimeRange(CamelModel):
    start_seconds: float
    end_seconds: float


class Fix(CamelModel):
    """A mechanical fix: replace ``span`` (or insert at ``span.start`` when empty) with ``text``."""

    kind: Literal["replace", "insert", "trim"]
    span: TextSpan
    text: str = ""


Location = TextSpan | ImageBox | TimeRange


class Violation(CamelModel):
    rule_id: str
    severity: Severity
    message: str
    location: Location | None = None
    suggestion: str | None = None
    fix: Fix | None = None
    count: int = Field(default=1, ge=1, description="how many times this finding occurs (repeats are one violation)")
    locations: list[Location] = Field(
        default_factory=list, description="when count > 1: where the first occurrences are (location is the first)"
    )


class NotChecked(CamelModel):
    """A check that could not run here: the report says so, never that it passed."""

    check: str
    reason: str


class LintReport(CamelModel):
    compliant: bool
    violations: list[Violation] = Field(default_factory=list)
    rules_checked: list[str] = Field(default_factory=list)
    not_checked: list[NotChecked] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict, description="e.g. colour compliance share, LUFS")
    auto_fixable: bool = Field(default=False, description="not compliant, and some violation carries a fix")
    checked_at: datetime = Field(default_factory=utcnow)
    report_key: str | None = Field(
        default=None, description="the full report (every finding, every fix) as JSON in the staging area"
    )
    findings: int | None = Field(default=None, description="findings in the full report, repeats counted")
    omitted: int = Field(default=0, ge=0, description="violations left out of this summary to keep it small")

    def result_per_rule(self) -> dict[str, bool]:
        failed = {v.rule_id for v in self.violations if v.severity == "error"}
        return {rule: rule not in failed for rule in self.rules_checked}


class Provenance(CamelModel):
    """The audit record of one asset version."""

    asset_id: str
    version: int
    org_id: str
    request_id: str
    content_type: ContentType
    model: str
    provider: str
    vendor_model: str
    offline: bool
    parameters: dict[str, Any] = Field(default_factory=dict)
    prompt_hash: str
    dataset_tag: str
    generated_at: datetime
    brand_kit_id: str
    brand_kit_version: int
    lint_passed: bool
    lint_results: dict[str, bool] = Field(default_factory=dict)
    human_edited: bool = False
    auto_fixes: list[str] = Field(default_factory=list, description="mechanical fixes applied before saving")
    reviewer: str | None = None
    decision: str | None = None
    review_id: str | None = None
    review_comment: str | None = None
    review_round: int = 0
    feedback: list[str] = Field(default_factory=list, description="reviewer feedback that shaped this version")
    parent_asset_id: str | None = None
    parent_version: int | None = None
    locale: str | None = None
    translation: dict[str, Any] | None = None
    source: SourceImage | None = Field(default=None, description="brand_style: the upload it was made from")
    campaign_id: str | None = None
    status: Literal["published", "superseded", "rejected", "expired"] = Field(
        default="published", description="published: the request's result; otherwise kept for the audit"
    )
    attempts: list[AttemptRecord] = Field(default_factory=list)
    fallback_chain: list[str] = Field(default_factory=list, description="models tried, in order")
    cost: Cost
    latency_ms: int
    output_hash: str
    bucket: str
    key: str
    mime_type: str | None = None
    credentials: ContentCredentials | None = None
    recorded_at: datetime = Field(default_factory=utcnow)
    served_from: ServedFrom | None = Field(
        default=None, description="this version copies an earlier one (exact cache or pre-generated candidate)"
    )


class ContentCredentials(CamelModel):
    """How the stored file carries its provenance (C2PA manifest, XMP), and the hash of what was stored."""

    kind: Literal["embedded", "sidecar", "none"]
    stored_hash: str = Field(description="SHA-256 of the stored object (with its manifest)")
    manifest_label: str | None = None
    sidecar_key: str | None = None
    signer: str | None = Field(default=None, description="the signing certificate's subject")
    xmp_digital_source_type: str | None = None
    reason: str | None = Field(default=None, description="why nothing was embedded, when kind is none")


class AssetRef(CamelModel):
    asset_id: str
    version: int
    bucket: str
    key: str
    model: str
    mime_type: str
    sidecar_key: str | None = None
    served_from: ServedFrom | None = Field(
        default=None, description="served from an earlier result (cache) or a pre-generated candidate"
    )


class LocaleOutcome(CamelModel):
    """What became of one requested translation."""

    locale: str
    status: Literal["succeeded", "non_compliant", "failed", "skipped"]
    asset: AssetRef | None = None
    lint_passed: bool | None = None
    violations: list[Violation] = Field(default_factory=list)
    error: str | None = None
    stand_in: bool = False


class ReviewRef(CamelModel):
    review_id: str
    status: str
    round: int = 0


class SavedAsset(CamelModel):
    asset: AssetRef
    provenance: Provenance


class ErrorInfo(CamelModel):
    type: str
    message: str


class RequestRecord(CamelModel):
    """The status document behind ``GET /v1/requests/{id}``."""

    request_id: str
    org_id: str
    user_id: str
    status: RequestStatus
    content_type: ContentType
    tier: Tier
    created_at: datetime
    updated_at: datetime
    asset: AssetRef | None = None
    violations: list[Violation] = Field(default_factory=list)
    lint: LintReport | None = None
    attempts: list[AttemptRecord] = Field(default_factory=list)
    error: ErrorInfo | None = None
    review: ReviewRef | None = None
    translations: dict[str, LocaleOutcome] = Field(default_factory=dict)
    follow_up_error: ErrorInfo | None = Field(
        default=None, description="the asset is saved, but joining its campaign or scheduling its posts failed"
    )

    @computed_field(description="GET this for every version of the saved asset and a download URL")  # type: ignore[prop-decorator]
    @property
    def asset_url(self) -> str | None:
        return f"/v1/assets/{self.asset.asset_id}" if self.asset else None


class WorkflowState(CamelModel):
    """The Step Functions state document; each step adds its part under its own key."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    request: AssetRequest
    validated: ValidatedRequest | None = None
    route: RouteDecision | None = None
    last_error: dict[str, Any] | None = None
    generation: Annotated[Generation | PendingGeneration, Field(discriminator="status")] | None = None
    lint: LintReport | None = None
    saved: SavedAsset | None = None
    revision: Revision = Field(default_factory=Revision)
    review: ReviewOutcome | None = None
    locale: str | None = Field(default=None, description="inside the translation Map: the target locale")
    translated: SavedAsset | None = None
