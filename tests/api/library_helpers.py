"""Provenance records and stored files written straight through the repositories (as the SaveAsset step
writes them), so library tests can hold many versions without running the workflow for each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import ORG

START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def store_version(
    asset_id: str,
    version: int = 1,
    *,
    org: str = ORG,
    minutes: int = 0,
    content_type: str = "text",
    status: str = "published",
    campaign_id: str | None = None,
    data: bytes = b"Aurora Outdoor: spring is here.",
    **overrides: Any,
) -> dict[str, Any]:
    """A stored version (file + provenance record) of ``asset_id``, generated ``minutes`` after START."""
    from flashfusion.models import Cost, Provenance
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    deps = get_deps()
    extension = {"text": "txt", "image": "png", "video": "mp4", "music": "mp3"}[content_type]
    mime = {"text": "text/plain", "image": "image/png", "video": "video/mp4", "music": "audio/mpeg"}[content_type]
    key = keys.asset_object_key(org, asset_id, version, extension)
    deps.assets.put(org, key, data, mime, {})
    fields: dict[str, Any] = {
        "asset_id": asset_id,
        "version": version,
        "org_id": org,
        "request_id": f"req-{asset_id}",
        "content_type": content_type,
        "model": f"local/{content_type}-standard",
        "provider": "local",
        "vendor_model": "offline",
        "offline": True,
        "prompt_hash": "0" * 64,
        "dataset_tag": "local",
        "generated_at": START + timedelta(minutes=minutes),
        "brand_kit_id": "aurora-core",
        "brand_kit_version": 1,
        "lint_passed": True,
        "lint_results": {"voice.sentiment": True, "legal.banned-terms": True},
        "campaign_id": campaign_id,
        "status": status,
        "cost": Cost(usd=0.01),
        "latency_ms": 10,
        "output_hash": f"{asset_id}-{version}",
        "bucket": deps.assets.bucket,
        "key": key,
        "mime_type": mime,
    }
    fields.update(overrides)
    record = Provenance(**fields)
    deps.provenance.put(record)
    return record.to_json()


def error_code(body: dict[str, Any]) -> str:
    """The error's code, in the API's error body as it is (``error``) or as problem details (``code``)."""
    return str(body.get("code") or body.get("error"))


def error_fields(body: dict[str, Any]) -> list[str]:
    """The fields an error names: ``fields`` today, ``errors`` in problem details."""
    return [str(f["field"]) for f in body.get("errors") or body.get("fields") or []]
