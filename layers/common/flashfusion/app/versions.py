"""Storing one asset version: its file with content credentials, then its provenance record.

Every version the workflow makes is stored this way, whatever became of it: the published result, a
version a reviewer sent back (superseded), rejected or let expire, and each translation. A retried
store of a version that already has its record returns what was stored, so the record and the file
never disagree.
"""

from __future__ import annotations

import hashlib

from flashfusion.app.deps import Deps
from flashfusion.media_types import mime_for_key
from flashfusion.models import AssetRef, Generation, Provenance, SavedAsset, WorkflowState
from flashfusion.provenance.marking import ParentFile
from flashfusion.provenance.records import VersionStatus, build_provenance, object_metadata
from flashfusion.storage import keys


def _asset_ref(record: Provenance) -> AssetRef:
    return AssetRef(
        asset_id=record.asset_id,
        version=record.version,
        bucket=record.bucket,
        key=record.key,
        model=record.model,
        mime_type=record.mime_type or mime_for_key(record.key),
        sidecar_key=record.credentials.sidecar_key if record.credentials else None,
        served_from=record.served_from,
    )


def parent_file(deps: Deps, org_id: str, asset_id: str, version: int) -> ParentFile | None:
    """The stored file of a parent version, for the C2PA ingredient of the version derived from it."""
    try:
        record = deps.provenance.get(org_id, asset_id, version)
    except KeyError:
        return None
    data, _ = deps.assets.read(record.key)
    mime = record.mime_type or mime_for_key(record.key)
    return ParentFile(data=data, mime_type=mime, title=f"{asset_id} v{version}")


def store_version(
    state: WorkflowState,
    deps: Deps,
    generation: Generation,
    *,
    status: VersionStatus,
    parent_asset_id: str | None = None,
    parent_version: int | None = None,
) -> SavedAsset:
    request = state.request
    org_id = request.org_id
    try:
        existing = deps.provenance.get(org_id, generation.asset_id, generation.version)
    except KeyError:
        existing = None
    if existing is not None and existing.output_hash == generation.output_hash:
        return SavedAsset(asset=_asset_ref(existing), provenance=existing)

    validated = state.validated
    if validated is None:
        raise ValueError("workflow state has no 'validated': the state machine passed the wrong input")
    record = deps.requests.get(org_id, request.request_id)
    key = keys.asset_object_key(org_id, generation.asset_id, generation.version, generation.extension)
    provenance = build_provenance(
        request,
        validated,
        state.route,
        generation,
        state.lint,
        record.attempts if generation.locale is None else [],
        bucket=deps.assets.bucket,
        key=key,
        revision=state.revision,
        review=state.review,
        status=status,
        parent_asset_id=parent_asset_id,
        parent_version=parent_version,
    )
    data = deps.assets.read_staged(org_id, generation.staging_key)
    parent = None
    if provenance.parent_asset_id and provenance.parent_version is not None:
        parent = parent_file(deps, org_id, provenance.parent_asset_id, provenance.parent_version)
    elif provenance.source is not None:  # brand_style: the organisation's upload is what was opened and edited
        parent = ParentFile(
            data=deps.assets.read_staged(org_id, provenance.source.key),
            mime_type=provenance.source.mime_type,
            title=f"upload {provenance.source.upload_id}",
        )
    marked = deps.marker.mark(data, generation.mime_type, provenance, parent)
    sidecar_key = None
    if marked.sidecar is not None:
        sidecar_key = keys.sidecar_object_key(org_id, generation.asset_id, generation.version)
        deps.assets.put(org_id, sidecar_key, marked.sidecar, "application/c2pa", {"ffo-manifest-for": key})
    credentials = marked.credentials.model_copy(
        update={"stored_hash": hashlib.sha256(marked.data).hexdigest(), "sidecar_key": sidecar_key}
    )
    provenance = provenance.model_copy(update={"credentials": credentials})
    deps.assets.put(org_id, key, marked.data, generation.mime_type, object_metadata(provenance))
    deps.provenance.put(provenance)
    return SavedAsset(asset=_asset_ref(provenance), provenance=provenance)
