from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ffo.devcert import DevChain, dev_chain, dev_signing_key
from flashfusion.provenance import credentials, xmp
from flashfusion.provenance.credentials import (
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    HUMAN_EDITS,
    TRAINED_ALGORITHMIC_MEDIA,
    CredentialsError,
    Ingredient,
    ManifestSpec,
    read_credentials,
    sign_embedded,
    sign_sidecar,
)
from flashfusion.provenance.signing import PemSigningKey
from tests.unit.provenance import (
    decode_image,
    decode_mp4_frames,
    decode_wav,
    make_jpeg,
    make_mp4,
    make_png,
    make_wav,
)

ASSERTION = {
    "requestId": "req-42",
    "assetId": "ast-7",
    "version": 1,
    "promptSha256": "c0ffee" * 10 + "abcd",
    "brandKit": {"id": "acme-2026", "version": 3},
    "lintPassed": True,
    "review": {"reviewer": None, "decision": None},
}


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev-ca")


@pytest.fixture(scope="module")
def ca(ca_dir: Path) -> DevChain:
    return dev_chain(ca_dir)


@pytest.fixture(scope="module")
def key(ca_dir: Path) -> PemSigningKey:
    return dev_signing_key(ca_dir)


def spec_for(mime_type: str, title: str = "asset", **changes: object) -> ManifestSpec:
    values: dict[str, object] = {
        "title": title,
        "mime_type": mime_type,
        "model_id": "ffo-image-standard",
        "provider": "offline",
        "vendor_model": "offline-image-1",
        "assertion": ASSERTION,
    }
    values.update(changes)
    return ManifestSpec(**values)  # type: ignore[arg-type]


def _offset_in_png(data: bytes) -> int:
    return data.index(b"IDAT") + 12


def _offset_in_jpeg(data: bytes) -> int:
    return len(data) - 8  # entropy-coded scan data, just before EOI


def _offset_in_mp4(data: bytes) -> int:
    return data.index(b"mdat") + 16


def _offset_in_wav(data: bytes) -> int:
    return data.index(b"data") + 40


MEDIA: list[tuple[str, Callable[[], bytes], Callable[[bytes], object], Callable[[bytes], int]]] = [
    ("image/png", make_png, lambda d: decode_image(d).size, _offset_in_png),
    ("image/jpeg", make_jpeg, lambda d: decode_image(d).size, _offset_in_jpeg),
    ("video/mp4", make_mp4, decode_mp4_frames, _offset_in_mp4),
    ("audio/wav", make_wav, decode_wav, _offset_in_wav),
]
IDS = [m[0] for m in MEDIA]


@pytest.mark.parametrize(("mime", "make", "decode", "_offset"), MEDIA, ids=IDS)
def test_sign_then_read_gives_back_the_spec(
    mime: str,
    make: Callable[[], bytes],
    decode: Callable[[bytes], object],
    _offset: Callable[[bytes], int],
    key: PemSigningKey,
    ca: DevChain,
) -> None:
    original = make()
    signed = sign_embedded(original, spec_for(mime, title=f"v1.{mime.split('/')[1]}"), key)
    assert decode(signed) == decode(original)  # still plays / decodes the same

    report = read_credentials(signed, mime, trust_anchors_pem=ca.certificate_pem)
    assert report.present
    assert report.signature_valid
    assert report.trusted
    assert report.validation_state == "Trusted"
    assert report.errors == []
    assert report.title == f"v1.{mime.split('/')[1]}"
    assert report.claim_generator == "FlashFusion Orchestrator 0.1.0"
    assert [(a.action, a.digital_source_type, a.software_agent) for a in report.actions] == [
        ("c2pa.created", TRAINED_ALGORITHMIC_MEDIA, "ffo-image-standard")
    ]
    assert report.assertion == ASSERTION
    assert report.ingredients == []
    assert report.signer_subject == "FlashFusion Local Development Signer — not trusted"
    assert report.signing_algorithm == "Es256"
    assert report.xmp_digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    packet = xmp.read_xmp(signed, mime)
    assert packet is not None
    assert xmp.ffo_properties(packet)["requestId"] == "req-42"
    assert xmp.creator_tool(packet) == "ffo-image-standard"


@pytest.mark.parametrize(("mime", "make", "_decode", "offset"), MEDIA, ids=IDS)
def test_a_flipped_media_byte_is_detected(
    mime: str,
    make: Callable[[], bytes],
    _decode: Callable[[bytes], object],
    offset: Callable[[bytes], int],
    key: PemSigningKey,
    ca: DevChain,
) -> None:
    signed = bytearray(sign_embedded(make(), spec_for(mime), key))
    at = offset(bytes(signed))
    signed[at] ^= 0x01
    report = read_credentials(bytes(signed), mime, trust_anchors_pem=ca.certificate_pem)
    assert report.present
    assert not report.signature_valid
    assert not report.trusted
    assert report.validation_state == "Invalid"
    assert any(e.code.endswith("Hash.mismatch") for e in report.errors), report.errors


def test_without_trust_anchor_valid_but_untrusted(key: PemSigningKey) -> None:
    report = read_credentials(sign_embedded(make_png(), spec_for("image/png"), key), "image/png")
    assert report.signature_valid
    assert not report.trusted
    assert report.validation_state == "Valid"
    assert [e.code for e in report.errors] == ["signingCredential.untrusted"]


def test_another_ca_does_not_make_it_trusted(key: PemSigningKey, tmp_path: Path) -> None:
    stranger = dev_chain(tmp_path / "other-ca")
    signed = sign_embedded(make_png(), spec_for("image/png"), key)
    report = read_credentials(signed, "image/png", trust_anchors_pem=stranger.certificate_pem)
    assert report.signature_valid
    assert not report.trusted


def test_human_edit_of_a_signed_parent(key: PemSigningKey, ca: DevChain) -> None:
    v1 = sign_embedded(make_jpeg(), spec_for("image/jpeg", title="v1.jpg"), key)
    edited = make_jpeg(colour=(200, 200, 20))
    spec = spec_for(
        "image/jpeg",
        title="v2.jpg",
        action="edited",
        human_edited=True,
        parent=Ingredient(data=v1, mime_type="image/jpeg", title="v1.jpg"),
        assertion={**ASSERTION, "version": 2, "review": {"reviewer": "ana", "decision": "approve_with_edits"}},
    )
    v2 = sign_embedded(edited, spec, key)
    report = read_credentials(v2, "image/jpeg", trust_anchors_pem=ca.certificate_pem)
    assert report.trusted
    assert [(a.action, a.digital_source_type, a.software_agent) for a in report.actions] == [
        ("c2pa.opened", None, None),
        ("c2pa.edited", HUMAN_EDITS, None),  # a person's action: no software agent
    ]
    assert report.actions[0].parameters["ingredients"]  # opened points at the parent ingredient
    assert [(i.title, i.relationship) for i in report.ingredients] == [("v1.jpg", "parentOf")]
    assert report.ingredients[0].active_manifest  # the parent's own credentials came along
    assert report.assertion is not None
    assert report.assertion["review"]["decision"] == "approve_with_edits"
    assert report.xmp_digital_source_type == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def test_model_edit_names_the_model(key: PemSigningKey) -> None:
    v1 = sign_embedded(make_png(), spec_for("image/png", title="v1.png"), key)
    spec = spec_for("image/png", action="edited", parent=Ingredient(v1, "image/png", "v1.png"), model_id="ffo-fix")
    report = read_credentials(sign_embedded(make_png(colour=(1, 2, 3)), spec, key), "image/png")
    assert [(a.action, a.digital_source_type, a.software_agent) for a in report.actions] == [
        ("c2pa.opened", None, None),
        ("c2pa.edited", TRAINED_ALGORITHMIC_MEDIA, "ffo-fix"),
    ]
    assert report.xmp_digital_source_type == TRAINED_ALGORITHMIC_MEDIA


def test_created_then_human_edited_in_one_manifest(key: PemSigningKey) -> None:
    report = read_credentials(sign_embedded(make_png(), spec_for("image/png", human_edited=True), key), "image/png")
    assert report.signature_valid
    assert [(a.action, a.software_agent) for a in report.actions] == [
        ("c2pa.created", "ffo-image-standard"),
        ("c2pa.edited", None),
    ]
    assert report.xmp_digital_source_type == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def test_regeneration_records_the_rejected_version_as_input(key: PemSigningKey) -> None:
    v1 = sign_embedded(make_png(), spec_for("image/png", title="v1.png"), key)
    spec = spec_for("image/png", title="v2.png", parent=Ingredient(v1, "image/png", "v1.png"))
    report = read_credentials(sign_embedded(make_png(colour=(9, 9, 9)), spec, key), "image/png")
    assert report.signature_valid
    assert [a.action for a in report.actions] == ["c2pa.created"]
    assert [(i.title, i.relationship) for i in report.ingredients] == [("v1.png", "inputTo")]


def test_explicit_xmp_packet_is_embedded(key: PemSigningKey) -> None:
    packet = xmp.build_xmp(COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, creator_tool="caller")
    signed = sign_embedded(make_wav(), spec_for("audio/wav"), key, xmp_packet=packet)
    assert xmp.read_xmp(signed, "audio/wav") == packet
    assert read_credentials(signed, "audio/wav").signature_valid


TEXT = b"Spring is here: meet the new Acme range.\n"


@pytest.mark.parametrize("mime", ["text/plain", "text/markdown"])
def test_text_sidecar_verifies_and_detects_changes(mime: str, key: PemSigningKey, ca: DevChain) -> None:
    store = sign_sidecar(TEXT, spec_for(mime, title="post.txt", model_id="ffo-text-standard"), key)
    assert store[4:8] == b"jumb"  # a standalone JUMBF manifest store (.c2pa)
    report = read_credentials(TEXT, mime, sidecar=store, trust_anchors_pem=ca.certificate_pem)
    assert report.trusted
    assert report.assertion == ASSERTION
    assert [(a.action, a.software_agent) for a in report.actions] == [("c2pa.created", "ffo-text-standard")]
    assert report.xmp_digital_source_type is None

    tampered = read_credentials(
        TEXT.replace(b"Acme", b"Acne"), mime, sidecar=store, trust_anchors_pem=ca.certificate_pem
    )
    assert not tampered.signature_valid
    assert "assertion.dataHash.mismatch" in [e.code for e in tampered.errors]
    assert not read_credentials(TEXT + b" ", mime, sidecar=store).signature_valid


def test_text_translation_sidecar_with_text_parent(key: PemSigningKey) -> None:
    spec = spec_for(
        "text/plain",
        title="post.de.txt",
        action="translated",
        source_language="en",
        target_language="de",
        parent=Ingredient(TEXT, "text/plain", "post.txt"),
    )
    german = "Der Frühling ist da.\n".encode()
    report = read_credentials(german, "text/plain", sidecar=sign_sidecar(german, spec, key))
    assert report.signature_valid
    translated = report.actions[1]
    assert translated.action == "c2pa.translated"
    assert translated.parameters == {"sourceLanguage": "en", "targetLanguage": "de"}
    assert [(i.title, i.relationship) for i in report.ingredients] == [("post.txt", "parentOf")]


def test_garbage_sidecar_is_invalid_not_a_crash() -> None:
    report = read_credentials(TEXT, "text/plain", sidecar=b"not a manifest store")
    assert not report.signature_valid
    assert report.validation_state == "Invalid"
    assert report.errors


def test_unsigned_media_has_no_credentials() -> None:
    report = read_credentials(make_png(), "image/png")
    assert not report.present
    assert not report.signature_valid
    assert report.xmp_digital_source_type is None


def test_spec_errors_are_clear(key: PemSigningKey) -> None:
    with pytest.raises(CredentialsError, match="use sign_sidecar"):
        sign_embedded(TEXT, spec_for("text/plain"), key)
    with pytest.raises(CredentialsError, match=r"cannot embed XMP in 'image/gif'"):
        sign_embedded(b"GIF89a", spec_for("image/gif"), key)
    with pytest.raises(CredentialsError, match="needs the parent ingredient"):
        sign_embedded(make_png(), spec_for("image/png", action="edited"), key)
    parent = Ingredient(make_png(), "image/png", "v1.png")
    with pytest.raises(CredentialsError, match="source_language and target_language"):
        sign_embedded(make_png(), spec_for("image/png", action="translated", parent=parent), key)
    with pytest.raises(CredentialsError, match="JSON-serialisable"):
        sign_embedded(make_png(), spec_for("image/png", assertion={"when": object()}), key)


def test_settings_keep_c2pa_offline() -> None:
    settings = credentials._settings(verify_trust=True)
    assert settings["verify"]["remote_manifest_fetch"] is False
    assert settings["verify"]["ocsp_fetch"] is False
    assert settings["core"]["allowed_network_hosts"] == []
    assert "trust" not in settings


def test_signing_on_several_threads(key: PemSigningKey, ca: DevChain) -> None:
    def one(index: int) -> bool:
        signed = sign_embedded(make_png(colour=(index, 0, 0)), spec_for("image/png", title=f"{index}.png"), key)
        return read_credentials(signed, "image/png", trust_anchors_pem=ca.certificate_pem).trusted

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(one, range(8)))


def test_report_serialises_as_camel_case_json(key: PemSigningKey) -> None:
    report = read_credentials(sign_embedded(make_png(), spec_for("image/png"), key), "image/png")
    payload = report.to_json()
    assert payload["signatureValid"] is True
    assert payload["actions"][0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert payload["assertion"] == ASSERTION
