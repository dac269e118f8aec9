"""Build the provenance record of a stored asset version from what the workflow learned."""

from __future__ import annotations

from typing import Literal

from flashfusion.models import (
    AssetRequest,
    AttemptRecord,
    Generation,
    LintReport,
    Provenance,
    ReviewOutcome,
    Revision,
    RouteDecision,
    ValidatedRequest,
)

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)
DIGITAL_SOURCE_TYPE = TRAINED_ALGORITHMIC_MEDIA

VersionStatus = Literal["published", "superseded", "rejected", "expired"]


def digital_source_type(generation: Generation) -> str:
    """AI output as made is trainedAlgorithmicMedia; once a person edited it, it is a composite."""
    return COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA if generation.human_edited else TRAINED_ALGORITHMIC_MEDIA


def build_provenance(
    request: AssetRequest,
    validated: ValidatedRequest,
    route: RouteDecision | None,
    generation: Generation,
    lint: LintReport | None,
    attempts: list[AttemptRecord],
    bucket: str,
    key: str,
    *,
    revision: Revision | None = None,
    review: ReviewOutcome | None = None,
    status: VersionStatus = "published",
    parent_asset_id: str | None = None,
    parent_version: int | None = None,
    prompt_hash: str | None = None,
) -> Provenance:
    revision = revision or Revision()
    same_asset_parent = generation.parent_version is not None
    return Provenance(
        asset_id=generation.asset_id,
        version=generation.version,
        org_id=request.org_id,
        request_id=request.request_id,
        content_type=generation.content_type,
        model=generation.model,
        provider=generation.provider,
        vendor_model=generation.vendor_model,
        offline=generation.offline,
        parameters=generation.parameters,
        prompt_hash=prompt_hash or revision.prompt_hash or validated.prompt_hash,
        dataset_tag=generation.dataset_tag,
        generated_at=generation.generated_at,
        brand_kit_id=validated.brand_kit_id,
        brand_kit_version=validated.brand_kit_version,
        lint_passed=bool(lint and lint.compliant),
        lint_results=lint.result_per_rule() if lint else {},
        human_edited=generation.human_edited,
        auto_fixes=generation.auto_fixes,
        reviewer=review.reviewer if review else None,
        decision=review.decision if review else None,
        review_id=review.review_id if review else None,
        review_comment=review.comment if review else None,
        review_round=revision.round,
        feedback=list(revision.feedback),
        parent_asset_id=parent_asset_id or (generation.asset_id if same_asset_parent else None),
        parent_version=parent_version if parent_version is not None else generation.parent_version,
        locale=generation.locale,
        translation=generation.translation,
        source=generation.source,
        campaign_id=request.campaign_id,
        status=status,
        attempts=attempts,
        # served from an earlier result: no model was called for this version
        fallback_chain=(
            ([f.model for f in route.failed] + [route.model])
            if route and generation.served_from is None
            else [generation.model]
        ),
        cost=generation.cost,
        latency_ms=generation.latency_ms,
        output_hash=generation.output_hash,
        bucket=bucket,
        key=key,
        mime_type=generation.mime_type,
        served_from=generation.served_from,
    )


def object_metadata(provenance: Provenance) -> dict[str, str]:
    """S3 user metadata that travels with the object: enough to find its record and know it is synthetic."""
    metadata = {
        "ffo-ai-generated": "true",
        "ffo-digital-source-type": (
            COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA if provenance.human_edited else TRAINED_ALGORITHMIC_MEDIA
        ),
        "ffo-model": provenance.model,
        "ffo-request-id": provenance.request_id,
        "ffo-asset-version": str(provenance.version),
        "ffo-prompt-sha256": provenance.prompt_hash,
        "ffo-output-sha256": provenance.output_hash,
        "ffo-status": provenance.status,
    }
    if provenance.human_edited:
        metadata["ffo-human-edited"] = "true"
    if provenance.parent_asset_id:
        metadata["ffo-parent"] = f"{provenance.parent_asset_id}/{provenance.parent_version}"
    if provenance.locale:
        metadata["ffo-locale"] = provenance.locale
    return metadata
