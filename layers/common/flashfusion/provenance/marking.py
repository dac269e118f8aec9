"""Mark a stored version as AI-made, in the file: XMP (IPTC digital source type) and a signed C2PA manifest.

Formats that can carry a manifest (PNG, JPEG, MP4, WAV) get it embedded; text gets a sidecar manifest
stored next to it. Without a signing key (a deployment that turned signing off) the file still gets
its XMP where the format has a place for it, and the record says why it carries no manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flashfusion.media_types import base_type
from flashfusion.models import ContentCredentials, Provenance
from flashfusion.provenance.records import (
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    TRAINED_ALGORITHMIC_MEDIA,
)

if TYPE_CHECKING:
    from flashfusion.provenance.signing import SigningKey

EMBEDDABLE = {
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "video/mp4": "video/mp4",
    "audio/wav": "audio/wav",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
}
SIDECAR = {"text/plain", "text/markdown"}


@dataclass(frozen=True)
class ParentFile:
    """The stored file a version was derived from: the manifest's parentOf ingredient."""

    data: bytes
    mime_type: str
    title: str


@dataclass(frozen=True)
class Marked:
    data: bytes
    sidecar: bytes | None
    credentials: ContentCredentials


def action_of(record: Provenance) -> str:
    if record.translation:
        return "translated"
    if record.human_edited:
        return "edited"
    if record.source is not None and record.parent_version is None:
        return "styled"  # brand_style: the organisation's photo, recoloured (and marked with logo or headline)
    return "created"


def source_type_of(record: Provenance) -> str:
    """A person's edit, or an organisation's photo the pipeline restyled, is a composite: not all of it is
    the model's."""
    composite = record.human_edited or action_of(record) == "styled"
    return COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA if composite else TRAINED_ALGORITHMIC_MEDIA


def assertion_of(record: Provenance) -> dict[str, Any]:
    """What the custom assertion says: enough to find the record and check it against the file."""
    data: dict[str, Any] = {
        "orgId": record.org_id,
        "requestId": record.request_id,
        "assetId": record.asset_id,
        "version": record.version,
        "model": record.model,
        "provider": record.provider,
        "offline": record.offline,
        "promptSha256": record.prompt_hash,
        "outputSha256": record.output_hash,
        "brandKitId": record.brand_kit_id,
        "brandKitVersion": record.brand_kit_version,
        "lintPassed": record.lint_passed,
        "humanEdited": record.human_edited,
        "status": record.status,
    }
    optional = {
        "reviewer": record.reviewer,
        "decision": record.decision,
        "parentAssetId": record.parent_asset_id,
        "parentVersion": record.parent_version,
        "locale": record.locale,
        "campaignId": record.campaign_id,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


class Marker:
    """Marks files with a signing key obtained on first use (KMS or Secrets Manager; None: signing off)."""

    def __init__(self, signing_key: Callable[[], SigningKey | None], off_reason: str = "signing is turned off") -> None:
        self._signing_key = signing_key
        self._off_reason = off_reason

    def spec_for(self, mime: str, record: Provenance, parent: ParentFile | None) -> Any:
        from flashfusion.provenance import credentials

        translated = record.translation or {}
        return credentials.ManifestSpec(
            title=f"{record.asset_id} v{record.version}",
            mime_type=EMBEDDABLE.get(mime, mime),
            model_id=record.model,
            provider=record.provider,
            vendor_model=record.vendor_model,
            digital_source_type=(
                COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA if action_of(record) == "styled" else TRAINED_ALGORITHMIC_MEDIA
            ),
            human_edited=record.human_edited,
            action=action_of(record),
            parent=(
                credentials.Ingredient(data=parent.data, mime_type=base_type(parent.mime_type), title=parent.title)
                if parent
                else None
            ),
            assertion=assertion_of(record),
            placed=tuple(str(p) for p in record.parameters.get("placed") or ()),
            source_language=str(translated.get("sourceLanguage") or "und") if record.translation else None,
            target_language=record.locale if record.translation else None,
        )

    def mark(self, data: bytes, mime_type: str, record: Provenance, parent: ParentFile | None) -> Marked:
        from flashfusion.provenance import credentials, xmp

        mime = base_type(mime_type)
        embeddable = EMBEDDABLE.get(mime)
        spec = self.spec_for(mime, record, parent)
        packet = credentials.xmp_packet_for(spec)
        source_type = source_type_of(record)
        key = self._signing_key()
        if key is None:
            return Marked(
                xmp.embed_xmp(data, embeddable, packet) if embeddable else data,
                None,
                ContentCredentials(
                    kind="none",
                    stored_hash="",
                    xmp_digital_source_type=source_type if embeddable else None,
                    reason=self._off_reason,
                ),
            )
        if embeddable:
            signed = credentials.sign_embedded(data, spec, key, packet)
            # Read back before storing: proof the file verifies, and the manifest label for the record.
            report = credentials.read_credentials(signed, embeddable)
            return Marked(
                signed,
                None,
                ContentCredentials(
                    kind="embedded",
                    stored_hash="",
                    manifest_label=report.active_manifest,
                    signer=report.signer_subject,
                    xmp_digital_source_type=report.xmp_digital_source_type,
                ),
            )
        if mime in SIDECAR:
            sidecar = credentials.sign_sidecar(data, spec, key)
            report = credentials.read_credentials(data, mime, sidecar=sidecar)
            return Marked(
                data,
                sidecar,
                ContentCredentials(
                    kind="sidecar", stored_hash="", manifest_label=report.active_manifest, signer=report.signer_subject
                ),
            )
        return Marked(
            data,
            None,
            ContentCredentials(kind="none", stored_hash="", reason=f"{mime} can carry neither a manifest nor XMP"),
        )
