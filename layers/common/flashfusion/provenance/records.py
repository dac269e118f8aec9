"""Build the provenance record of a saved asset version from what the workflow learned."""

from __future__ import annotations

from flashfusion.models import (
    AssetRequest,
    AttemptRecord,
    Generation,
    LintReport,
    Provenance,
    RouteDecision,
    ValidatedRequest,
)

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def build_provenance(
    request: AssetRequest,
    validated: ValidatedRequest,
    route: RouteDecision,
    generation: Generation,
    lint: LintReport,
    attempts: list[AttemptRecord],
    bucket: str,
    key: str,
) -> Provenance:
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
        prompt_hash=validated.prompt_hash,
        dataset_tag=generation.dataset_tag,
        generated_at=generation.generated_at,
        brand_kit_id=validated.brand_kit_id,
        brand_kit_version=validated.brand_kit_version,
        lint_passed=lint.compliant,
        lint_results=lint.result_per_rule(),
        auto_fixes=generation.auto_fixes,
        attempts=attempts,
        fallback_chain=[f.model for f in route.failed] + [route.model],
        cost=generation.cost,
        latency_ms=generation.latency_ms,
        output_hash=generation.output_hash,
        bucket=bucket,
        key=key,
    )


def object_metadata(provenance: Provenance) -> dict[str, str]:
    """S3 user metadata that travels with the object: enough to find its record and know it is synthetic."""
    return {
        "ffo-ai-generated": "true",
        "ffo-digital-source-type": DIGITAL_SOURCE_TYPE,
        "ffo-model": provenance.model,
        "ffo-request-id": provenance.request_id,
        "ffo-asset-version": str(provenance.version),
        "ffo-prompt-sha256": provenance.prompt_hash,
        "ffo-output-sha256": provenance.output_hash,
    }
