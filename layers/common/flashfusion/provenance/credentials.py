"""C2PA Content Credentials for saved assets: sign into the file (PNG, JPEG, MP4, WAV) or as a sidecar (text).

EU AI Act Art. 50 asks for machine-readable marking of synthetic media. The active manifest says what
made the asset version: a first generation is one ``c2pa.created`` action with digital source type
``trainedAlgorithmicMedia`` and the model as ``softwareAgent``; a new version of an earlier one (human
edit, model edit, translation) lists the earlier version as a ``parentOf`` ingredient, opens it
(``c2pa.opened``) and then says what changed (``c2pa.edited`` / ``c2pa.translated``). A human edit
carries digital source type ``humanEdits`` and no ``softwareAgent``, which is how C2PA tells a person's
action from a tool's. FlashFusion's own facts (request, asset, version, prompt hash, brand kit, lint,
review) go in the custom assertion ``com.flashfusion.provenance``, exactly as the caller passes them.

Network: every c2pa operation runs in its own ``c2pa.Context`` built from ``_BASE_SETTINGS``, which turns
off remote-manifest fetching and OCSP, allows no network host, and no signer is given a TSA URL, so
neither signing nor reading ever leaves the process (tests and the offline engine rely on it). A Context
per call also means no global ``load_settings`` state is shared between the engine's handler threads.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import c2pa
from pydantic import ConfigDict, Field

from flashfusion import __version__
from flashfusion.modelbase import CamelModel
from flashfusion.provenance import xmp
from flashfusion.provenance.signing import SigningKey

CUSTOM_ASSERTION_LABEL = "com.flashfusion.provenance"
CLAIM_GENERATOR = "FlashFusion Orchestrator"
TRAINED_ALGORITHMIC_MEDIA = xmp.TRAINED_ALGORITHMIC_MEDIA
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = xmp.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
HUMAN_EDITS = xmp.HUMAN_EDITS
PARENT_INGREDIENT_LABEL = "parent"
# Formats c2pa cannot embed a manifest into: they get a sidecar (.c2pa) instead.
SIDECAR_MIME_TYPES = frozenset({"text/plain", "text/markdown"})
# Failure codes that say "not on the trust list" rather than "altered or badly signed".
_TRUST_ONLY_FAILURES = frozenset({"signingCredential.untrusted"})
_ALGORITHMS = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ps384": c2pa.C2paSigningAlg.PS384,
    "ps512": c2pa.C2paSigningAlg.PS512,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}
# XMP ffo: properties copied from the custom assertion when present (flat, short, useful to DAMs).
_XMP_FIELDS = ("requestId", "assetId", "version", "promptSha256")

_BASE_SETTINGS: dict[str, Any] = {
    "version": 1,
    "core": {"allowed_network_hosts": []},
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
    "builder": {
        # The claim already describes the asset; a thumbnail would re-encode a copy of it (time, bytes).
        "thumbnail": {"enabled": False},
        # We write the action list ourselves; c2pa's automatic ones would duplicate or contradict it.
        "actions": {
            "auto_created_action": {"enabled": False},
            "auto_opened_action": {"enabled": False},
            "auto_placed_action": {"enabled": False},
        },
    },
}


class CredentialsError(ValueError):
    """Content Credentials cannot be made or read for this input (unsupported type, bad spec, c2pa error)."""


@dataclass(frozen=True)
class Ingredient:
    """An earlier asset version this one was made from (its own credentials, if any, are kept)."""

    data: bytes
    mime_type: str
    title: str


@dataclass(frozen=True)
class ManifestSpec:
    """What the manifest of one asset version states."""

    title: str
    mime_type: str
    model_id: str
    provider: str
    vendor_model: str
    digital_source_type: str = TRAINED_ALGORITHMIC_MEDIA
    human_edited: bool = False
    action: Literal["created", "edited", "translated", "styled"] = "created"
    """styled: an uploaded photo recoloured toward the brand (c2pa.color_adjustments), and c2pa.edited when
    something was placed on it (``placed``: logo, headline)."""
    parent: Ingredient | None = None
    assertion: Mapping[str, Any] = field(default_factory=dict)
    # c2pa.translated requires both (BCP 47 tags, e.g. "en", "de-DE").
    source_language: str | None = None
    target_language: str | None = None
    description: str | None = None
    placed: tuple[str, ...] = ()

    @property
    def asset_digital_source_type(self) -> str:
        """The source type of the saved file as a whole (XMP): AI output a person edited is a composite."""
        if self.human_edited and self.digital_source_type == TRAINED_ALGORITHMIC_MEDIA:
            return COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
        return self.digital_source_type


class CredentialAction(CamelModel):
    model_config = ConfigDict(frozen=True)

    action: str
    digital_source_type: str | None = None
    software_agent: str | None = None
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)


class CredentialIngredient(CamelModel):
    model_config = ConfigDict(frozen=True)

    title: str | None = None
    relationship: str | None = None
    format: str | None = None
    active_manifest: str | None = None


class ValidationIssue(CamelModel):
    model_config = ConfigDict(frozen=True)

    code: str
    explanation: str | None = None
    url: str | None = None


class CredentialReport(CamelModel):
    """What a reader learns from an asset's Content Credentials (and its XMP)."""

    model_config = ConfigDict(frozen=True)

    present: bool
    active_manifest: str | None = None
    claim_generator: str | None = None
    title: str | None = None
    actions: list[CredentialAction] = Field(default_factory=list)
    ingredients: list[CredentialIngredient] = Field(default_factory=list)
    assertion: dict[str, Any] | None = Field(default=None, description=f"the {CUSTOM_ASSERTION_LABEL} assertion")
    signer_subject: str | None = Field(default=None, description="common name of the signing certificate")
    signer_issuer: str | None = Field(default=None, description="issuer organisation of the signing certificate")
    signing_algorithm: str | None = None
    signature_valid: bool = Field(
        default=False, description="signature, assertion hashes and hard binding to these bytes all verify"
    )
    trusted: bool = Field(default=False, description="signature_valid and the certificate chains to a trust anchor")
    validation_state: str | None = Field(default=None, description="c2pa's verdict: Invalid, Valid or Trusted")
    errors: list[ValidationIssue] = Field(default_factory=list)
    xmp_digital_source_type: str | None = None


# --- settings and signer -------------------------------------------------------------------------


def _settings(*, verify_trust: bool, trust_anchors_pem: bytes | None = None) -> dict[str, Any]:
    settings = json.loads(json.dumps(_BASE_SETTINGS))
    settings["verify"]["verify_trust"] = verify_trust
    if trust_anchors_pem:
        settings["trust"] = {"user_anchors": trust_anchors_pem.decode("ascii")}
    return settings


def _context(*, verify_trust: bool, trust_anchors_pem: bytes | None = None) -> c2pa.Context:
    return c2pa.Context.from_dict(_settings(verify_trust=verify_trust, trust_anchors_pem=trust_anchors_pem))


class _CallbackSigner:
    """Wraps the key for c2pa's callback, keeping the key's own exception (c2pa only logs it)."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.error: BaseException | None = None

    def __call__(self, data: bytes) -> bytes:
        try:
            return self.key.sign(data)
        except Exception as exc:
            self.error = exc
            raise


def _sign(
    spec: ManifestSpec, key: SigningKey, data: bytes, *, sidecar: bool, prepare: Callable[[c2pa.Builder], None]
) -> tuple[bytes, bytes]:
    """(signed asset bytes, manifest store bytes) for ``data``."""
    algorithm = _ALGORITHMS.get(key.algorithm.lower())
    if algorithm is None:
        raise CredentialsError(f"signing algorithm {key.algorithm!r} is not one c2pa supports: {sorted(_ALGORITHMS)}")
    callback = _CallbackSigner(key)
    try:
        # Signing does not judge trust (that is the reader's call, with its own anchors); c2pa still
        # verifies the fresh signature and bindings after signing (verify_after_sign, on by default).
        with (
            _context(verify_trust=False) as context,
            c2pa.Signer.from_callback(callback, algorithm, key.certificate_chain_pem.decode("ascii"), None) as signer,
            c2pa.Builder(manifest_definition(spec), context=context) as builder,
        ):
            prepare(builder)
            if sidecar:
                builder.set_no_embed()
            output = io.BytesIO()
            store = builder.sign(signer, spec.mime_type, io.BytesIO(data), output)
    except c2pa.C2paError as exc:
        if callback.error is not None:
            raise CredentialsError(f"signing key {key!r} failed: {callback.error}") from callback.error
        raise CredentialsError(f"c2pa could not sign {spec.mime_type} {spec.title!r}: {exc}") from exc
    return output.getvalue(), store


# --- the manifest --------------------------------------------------------------------------------


def _software_agent(spec: ManifestSpec) -> dict[str, Any]:
    return {"name": spec.model_id, "version": spec.vendor_model, "com.flashfusion.provider": spec.provider}


def _model_action(action: str, spec: ManifestSpec) -> dict[str, Any]:
    return {"action": action, "digitalSourceType": spec.digital_source_type, "softwareAgent": _software_agent(spec)}


def _human_edit() -> dict[str, Any]:
    # No softwareAgent: a person did this. humanEdits is IPTC's source type for human changes.
    return {"action": "c2pa.edited", "digitalSourceType": HUMAN_EDITS, "description": "edited by a human reviewer"}


def manifest_actions(spec: ManifestSpec) -> list[dict[str, Any]]:
    """The ``c2pa.actions`` list for ``spec`` (C2PA: created/opened first, and only once)."""
    if spec.action == "created":
        actions = [_model_action("c2pa.created", spec)]
        if spec.human_edited:  # approved with edits: the model made it, then a person changed it
            actions.append(_human_edit())
        return actions
    if spec.parent is None:
        raise CredentialsError(f"action {spec.action!r} needs the parent ingredient it was made from")
    opened = {"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT_INGREDIENT_LABEL]}}
    if spec.action == "edited":
        return [opened, _human_edit() if spec.human_edited else _model_action("c2pa.edited", spec)]
    if spec.action == "styled":
        adjusted = _model_action("c2pa.color_adjustments", spec)
        adjusted["description"] = "recoloured toward the brand kit's palette"
        actions = [opened, adjusted]
        if spec.placed:
            edited = _model_action("c2pa.edited", spec)
            edited["description"] = "placed on the photo: " + ", ".join(spec.placed)
            actions.append(edited)
        return actions
    if not (spec.source_language and spec.target_language):
        raise CredentialsError("a translated asset needs source_language and target_language (c2pa.translated)")
    translated = _model_action("c2pa.translated", spec)
    translated["parameters"] = {"sourceLanguage": spec.source_language, "targetLanguage": spec.target_language}
    return [opened, translated, *([_human_edit()] if spec.human_edited else [])]


def manifest_definition(spec: ManifestSpec) -> dict[str, Any]:
    """The c2pa Builder JSON for ``spec``."""
    try:
        custom = json.loads(json.dumps(dict(spec.assertion)))
    except (TypeError, ValueError) as exc:
        raise CredentialsError(f"{CUSTOM_ASSERTION_LABEL} assertion must be JSON-serialisable: {exc}") from exc
    return {
        "claim_generator_info": [{"name": CLAIM_GENERATOR, "version": __version__}],
        "title": spec.title,
        "format": spec.mime_type,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": manifest_actions(spec)}},
            {"label": CUSTOM_ASSERTION_LABEL, "data": custom},
        ],
    }


def _add_parent(spec: ManifestSpec) -> Callable[[c2pa.Builder], None]:
    def prepare(builder: c2pa.Builder) -> None:
        parent = spec.parent
        if parent is None:
            return
        relationship = "inputTo" if spec.action == "created" else "parentOf"
        ingredient = {"title": parent.title, "relationship": relationship, "label": PARENT_INGREDIENT_LABEL}
        # The parent's embedded manifest (PNG, JPEG, MP4, WAV) is carried into this one and validated on
        # read. A text parent is recorded by title, format and relationship: its credentials live in a
        # sidecar, which c2pa's ingredient reader does not take.
        builder.add_ingredient_from_stream(ingredient, parent.mime_type, io.BytesIO(parent.data))

    return prepare


def xmp_packet_for(spec: ManifestSpec) -> bytes:
    """The XMP packet FlashFusion embeds next to the manifest (IPTC source type, model, ffo: fields)."""
    properties = {
        name: value
        for name in _XMP_FIELDS
        if isinstance(value := spec.assertion.get(name), str | int) and not isinstance(value, bool)
    }
    return xmp.build_xmp(
        spec.asset_digital_source_type,
        creator_tool=spec.model_id,
        title=spec.title,
        description=spec.description,
        properties={"modelId": spec.model_id, "provider": spec.provider, **properties},
    )


# --- public API ----------------------------------------------------------------------------------


def sign_embedded(data: bytes, spec: ManifestSpec, key: SigningKey, xmp_packet: bytes | None = None) -> bytes:
    """``data`` (PNG, JPEG, MP4 or WAV) with XMP and a signed C2PA manifest embedded.

    XMP goes in first (``xmp_packet`` or one built from ``spec``), because the C2PA hard binding hashes
    the whole file: anything written after signing would break it.
    """
    if spec.mime_type in SIDECAR_MIME_TYPES:
        raise CredentialsError(f"{spec.mime_type} cannot carry an embedded manifest: use sign_sidecar")
    try:
        marked = xmp.embed_xmp(data, spec.mime_type, xmp_packet if xmp_packet is not None else xmp_packet_for(spec))
    except xmp.XmpError as exc:
        raise CredentialsError(f"cannot mark {spec.mime_type} {spec.title!r}: {exc}") from exc
    signed, _store = _sign(spec, key, marked, sidecar=False, prepare=_add_parent(spec))
    return signed


def sign_sidecar(data: bytes, spec: ManifestSpec, key: SigningKey) -> bytes:
    """A standalone C2PA manifest store (``.c2pa`` bytes) whose hard binding covers ``data`` exactly.

    For text/plain and text/markdown, c2pa (0.91 core) signs with ``set_no_embed()``: it writes a
    ``c2pa.hash.data`` assertion over every byte of the text (no exclusions, nothing embedded) and
    returns the manifest store, which a reader validates against the text with
    ``Reader(mime, text, manifest_data=store)``. One changed byte → ``assertion.dataHash.mismatch``.
    """
    _output, store = _sign(spec, key, data, sidecar=True, prepare=_add_parent(spec))
    if not store:
        raise CredentialsError(f"c2pa returned no manifest store for {spec.mime_type} {spec.title!r}")
    return store


def _agent_name(agent: Any) -> str | None:
    if isinstance(agent, Mapping):
        name = agent.get("name")
        return str(name) if name is not None else None
    return str(agent) if agent is not None else None


def _issues(entries: Any) -> list[ValidationIssue]:
    return [
        ValidationIssue(code=str(e.get("code")), explanation=e.get("explanation"), url=e.get("url"))
        for e in entries or []
        if isinstance(e, Mapping)
    ]


def _xmp_source_type(data: bytes, mime_type: str) -> str | None:
    try:
        packet = xmp.read_xmp(data, mime_type)
        return xmp.digital_source_type(packet) if packet else None
    except xmp.XmpError:
        return None  # text has no XMP; a damaged packet is not a reason to hide the C2PA verdict


def _report(reader: c2pa.Reader, xmp_type: str | None) -> CredentialReport:
    manifest = reader.get_active_manifest() or {}
    results = reader.get_validation_results() or {}
    active = results.get("activeManifest") or {}
    failures = _issues(active.get("failure"))
    successes = {issue.code for issue in _issues(active.get("success"))}
    errors = list(failures)
    for delta in results.get("ingredientDeltas") or []:
        errors.extend(_issues(((delta or {}).get("validationDeltas") or {}).get("failure")))

    actions: list[CredentialAction] = []
    custom: dict[str, Any] | None = None
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label.startswith("c2pa.actions"):
            for act in (assertion.get("data") or {}).get("actions") or []:
                actions.append(
                    CredentialAction(
                        action=str(act.get("action")),
                        digital_source_type=act.get("digitalSourceType"),
                        software_agent=_agent_name(act.get("softwareAgent")),
                        description=act.get("description"),
                        parameters=act.get("parameters") or {},
                    )
                )
        elif label == CUSTOM_ASSERTION_LABEL:
            custom = assertion.get("data")

    generators = manifest.get("claim_generator_info") or []
    generator = generators[0] if generators and isinstance(generators[0], Mapping) else {}
    generator_text = " ".join(str(generator[k]) for k in ("name", "version") if generator.get(k)) or manifest.get(
        "claim_generator"
    )
    signature = manifest.get("signature_info") or {}
    integrity_ok = (
        bool(manifest)
        and "claimSignature.validated" in successes
        and not any(issue.code not in _TRUST_ONLY_FAILURES for issue in failures)
    )
    return CredentialReport(
        present=True,
        active_manifest=manifest.get("label"),
        claim_generator=generator_text,
        title=manifest.get("title"),
        actions=actions,
        ingredients=[
            CredentialIngredient(
                title=i.get("title"),
                relationship=i.get("relationship"),
                format=i.get("format"),
                active_manifest=i.get("active_manifest"),
            )
            for i in manifest.get("ingredients") or []
        ],
        assertion=custom,
        signer_subject=signature.get("common_name"),
        signer_issuer=signature.get("issuer"),
        signing_algorithm=signature.get("alg"),
        signature_valid=integrity_ok,
        trusted=integrity_ok and "signingCredential.trusted" in successes,
        validation_state=reader.get_validation_state(),
        errors=errors,
        xmp_digital_source_type=xmp_type,
    )


def read_credentials(
    data: bytes,
    mime_type: str,
    sidecar: bytes | None = None,
    trust_anchors_pem: bytes | None = None,
) -> CredentialReport:
    """Read and verify the Content Credentials of ``data`` (embedded, or in ``sidecar`` for text).

    Without ``trust_anchors_pem`` nothing is trusted (c2pa ships no trust list and fetches none), so a
    valid asset reads ``signature_valid=True, trusted=False`` with ``signingCredential.untrusted`` listed.
    """
    xmp_type = _xmp_source_type(data, mime_type) if mime_type not in SIDECAR_MIME_TYPES else None
    try:
        with (
            _context(verify_trust=True, trust_anchors_pem=trust_anchors_pem) as context,
            c2pa.Reader(mime_type, io.BytesIO(data), sidecar, context=context) as reader,
        ):
            return _report(reader, xmp_type)
    except c2pa.C2paError.ManifestNotFound:
        return CredentialReport(present=False, xmp_digital_source_type=xmp_type)
    except c2pa.C2paError as exc:
        # A manifest store that cannot even be parsed is an integrity failure, not a crash.
        return CredentialReport(
            present=sidecar is not None,
            validation_state="Invalid",
            errors=[ValidationIssue(code="c2pa.error", explanation=f"{type(exc).__name__}: {exc}")],
            xmp_digital_source_type=xmp_type,
        )
