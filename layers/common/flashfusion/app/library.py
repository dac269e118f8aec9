"""The asset library: ``GET /v1/assets`` (the organisation's stored versions, filtered, newest first) and
``GET /v1/assets/{id}`` (every version of one asset with a short-lived download URL, its lint summary and
its content-credentials summary).

Everything comes from the provenance records (one per stored version, written when the version is saved)
and the stored objects' sizes; nothing here writes. Download URLs are presigned S3 GETs of the version's
own key, and only of a key under the caller's organisation's prefix.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from flashfusion.app.api_models import ApiModel
from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.pages import DEFAULT_LIMIT, check_limit, decode_token, encode_token
from flashfusion.errors import AssetNotFound, InvalidRequest
from flashfusion.media_types import mime_for_key
from flashfusion.modelbase import MAX_YEAR, MIN_YEAR, parse_instant
from flashfusion.models import ContentType, Provenance, utcnow
from flashfusion.storage import keys
from flashfusion.storage.library import AssetLibrary, LibraryFilter

DOWNLOAD_SECONDS = 900
"""How long a download URL works: long enough to start a download, short enough that a leaked URL soon dies."""
MAX_ID_CHARS = 128
LISTING = "assets"
VersionStatus = Literal["published", "superseded", "rejected", "expired"]
VERSION_STATUSES: tuple[str, ...] = ("published", "superseded", "rejected", "expired")


class Download(ApiModel):
    url: str = Field(description="a presigned HTTPS GET of this version's file")
    expires_at: datetime


class LintSummary(ApiModel):
    passed: bool = Field(description="the version met the brand kit (or a reviewer approved it)")
    rules_checked: int
    failed_rules: list[str] = Field(default_factory=list, description="rule ids that failed, as recorded")
    auto_fixes: list[str] = Field(default_factory=list, description="rule ids fixed mechanically before saving")


class CredentialsSummary(ApiModel):
    kind: Literal["embedded", "sidecar", "none"] = Field(description="how the file carries its C2PA manifest")
    manifest_label: str | None = None
    signer: str | None = Field(default=None, description="the signing certificate's subject")
    digital_source_type: str | None = Field(default=None, description="IPTC digital source type written in XMP")
    stored_hash: str = Field(description="SHA-256 of the stored file, manifest included")
    sidecar: Download | None = Field(default=None, description="the .c2pa manifest of a format that cannot embed one")
    reason: str | None = Field(default=None, description="why nothing was embedded, when kind is none")


class AssetVersion(ApiModel):
    version: int
    status: VersionStatus = Field(description="published: the request's result; otherwise kept for the audit")
    mime_type: str
    size_bytes: int | None = Field(default=None, description="absent when the stored file is gone")
    download: Download | None = Field(default=None, description="absent when the stored file is gone")
    generated_at: datetime
    model: str
    provider: str
    offline: bool
    request_id: str
    locale: str | None = None
    human_edited: bool = False
    reviewer: str | None = None
    decision: str | None = None
    parent_asset_id: str | None = None
    parent_version: int | None = None
    lint: LintSummary
    credentials: CredentialsSummary | None = None


class DerivedAsset(ApiModel):
    asset_id: str
    asset_url: str


class Asset(ApiModel):
    """``GET /v1/assets/{assetId}``."""

    asset_id: str
    content_type: ContentType
    request_id: str
    campaign_id: str | None = None
    brand_kit_id: str
    brand_kit_version: int
    current_version: int = Field(description="the newest published version, else the newest version")
    versions: list[AssetVersion] = Field(description="oldest first")
    derived: list[DerivedAsset] = Field(default_factory=list, description="assets made from this one (translations)")
    lineage_url: str


class AssetSummary(ApiModel):
    """One stored version in ``GET /v1/assets``."""

    asset_id: str
    version: int
    status: VersionStatus
    content_type: ContentType
    mime_type: str
    model: str
    generated_at: datetime
    request_id: str
    campaign_id: str | None = None
    locale: str | None = None
    lint_passed: bool
    asset_url: str


class AssetPage(ApiModel):
    items: list[AssetSummary] = Field(description="stored versions, newest first")
    next_token: str | None = Field(default=None, description="opaque; pass it as nextToken (absent on the last page)")


def _bad(field: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {problem}", [{"field": field, "problem": problem}])


def _is_id(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and keys.is_key_part(value)


def _instant(query: dict[str, str], name: str) -> datetime | None:
    if not query.get(name):
        return None
    try:
        return parse_instant(query[name])
    except ValueError as error:
        raise _bad(name, f"an ISO 8601 date and time with Z or an offset, years {MIN_YEAR}-{MAX_YEAR}") from error


def _limit(query: dict[str, str]) -> int:
    raw = query.get("limit") or str(DEFAULT_LIMIT)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise _bad("limit", "a whole number between 1 and 100")
    return check_limit(int(raw))


def library_filter(query: dict[str, str]) -> LibraryFilter:
    """The filters of ``GET /v1/assets``; a 400 naming the field for each one that is malformed."""
    campaign = query.get("campaignId") or None
    if campaign is not None and not _is_id(campaign):
        raise _bad("campaignId", f"a campaign id of at most {MAX_ID_CHARS} characters [A-Za-z0-9._:-]")
    medium = query.get("medium") or None
    if medium is not None and medium not in {c.value for c in ContentType}:
        raise _bad("medium", "one of " + ", ".join(c.value for c in ContentType))
    status = query.get("status") or None
    if status is not None and status not in VERSION_STATUSES:
        raise _bad("status", "one of " + ", ".join(VERSION_STATUSES))
    since, until = _instant(query, "since"), _instant(query, "until")
    if since and until and since > until:
        raise _bad("until", "must not be before since")
    return LibraryFilter(campaign_id=campaign, medium=medium, status=status, since=since, until=until)


def list_assets(caller: Caller, query: dict[str, str], deps: Deps) -> AssetPage:
    wanted = library_filter(query)
    limit = _limit(query)
    start = decode_token(caller.org_id, LISTING, query.get("nextToken"))
    try:
        records, last = AssetLibrary(deps.provenance.table).page(caller.org_id, wanted, limit=limit, start_key=start)
    except ValueError as error:
        raise _bad("nextToken", str(error)) from error
    return AssetPage(items=[_summary(r) for r in records], next_token=encode_token(caller.org_id, LISTING, last))


def _summary(record: Provenance) -> AssetSummary:
    return AssetSummary(
        asset_id=record.asset_id,
        version=record.version,
        status=record.status,
        content_type=record.content_type,
        mime_type=record.mime_type or mime_for_key(record.key),
        model=record.model,
        generated_at=record.generated_at,
        request_id=record.request_id,
        campaign_id=record.campaign_id,
        locale=record.locale,
        lint_passed=record.lint_passed,
        asset_url=f"/v1/assets/{record.asset_id}",
    )


def get_asset(caller: Caller, asset_id: str, deps: Deps) -> Asset:
    """Every stored version of the caller's organisation's asset; another organisation's id is a 404."""
    if not _is_id(asset_id):
        raise AssetNotFound(f"asset {asset_id[:MAX_ID_CHARS]} not found")
    records = deps.provenance.versions(caller.org_id, asset_id)
    if not records:
        raise AssetNotFound(f"asset {asset_id} not found")
    expires_at = utcnow() + timedelta(seconds=DOWNLOAD_SECONDS)
    versions = [_version(caller.org_id, r, deps, expires_at) for r in records]
    published = [r.version for r in records if r.status == "published"]
    first = records[0]
    return Asset(
        asset_id=asset_id,
        content_type=first.content_type,
        request_id=first.request_id,
        campaign_id=next((r.campaign_id for r in records if r.campaign_id), None),
        brand_kit_id=first.brand_kit_id,
        brand_kit_version=records[-1].brand_kit_version,
        current_version=max(published) if published else records[-1].version,
        versions=versions,
        derived=[
            DerivedAsset(asset_id=child, asset_url=f"/v1/assets/{child}")
            for child in deps.provenance.children(caller.org_id, asset_id)
        ],
        lineage_url=f"/v1/assets/{asset_id}/lineage",
    )


def _download(org_id: str, key: str | None, deps: Deps, expires_at: datetime) -> Download | None:
    # Only the organisation's own keys are ever signed, whatever a record says.
    if not key or not key.startswith(keys.asset_prefix_of(org_id)):
        return None
    return Download(url=deps.assets.presigned_get(key, DOWNLOAD_SECONDS), expires_at=expires_at)


def _version(org_id: str, record: Provenance, deps: Deps, expires_at: datetime) -> AssetVersion:
    size = deps.assets.saved_size(org_id, record.key) if record.key.startswith(keys.asset_prefix_of(org_id)) else None
    credentials = record.credentials
    return AssetVersion(
        version=record.version,
        status=record.status,
        mime_type=record.mime_type or mime_for_key(record.key),
        size_bytes=size,
        download=_download(org_id, record.key, deps, expires_at) if size is not None else None,
        generated_at=record.generated_at,
        model=record.model,
        provider=record.provider,
        offline=record.offline,
        request_id=record.request_id,
        locale=record.locale,
        human_edited=record.human_edited,
        reviewer=record.reviewer,
        decision=record.decision,
        parent_asset_id=record.parent_asset_id,
        parent_version=record.parent_version,
        lint=LintSummary(
            passed=record.lint_passed,
            rules_checked=len(record.lint_results),
            failed_rules=sorted(rule for rule, ok in record.lint_results.items() if not ok),
            auto_fixes=record.auto_fixes,
        ),
        credentials=None
        if credentials is None
        else CredentialsSummary(
            kind=credentials.kind,
            manifest_label=credentials.manifest_label,
            signer=credentials.signer,
            digital_source_type=credentials.xmp_digital_source_type,
            stored_hash=credentials.stored_hash,
            sidecar=_download(org_id, credentials.sidecar_key, deps, expires_at),
            reason=credentials.reason,
        ),
    )
