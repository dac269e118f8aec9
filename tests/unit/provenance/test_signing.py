from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import ExtendedKeyUsageOID
from moto import mock_aws
from moto.kms.utils import ECDSAPrivateKey

from ffo.devcert import CA_COMMON_NAME, DOCUMENT_SIGNING, DevChain, dev_chain, dev_signing_key, issue_leaf
from flashfusion.aws.kms_signing import KmsSigningKey
from flashfusion.provenance import credentials
from flashfusion.provenance.signing import (
    PemSigningKey,
    SigningKey,
    SigningKeyError,
    der_to_raw_ecdsa,
    raw_to_der_ecdsa,
    verify_raw_signature,
)
from tests.unit.provenance import make_png


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev-ca")


@pytest.fixture(scope="module")
def ca(ca_dir: Path) -> DevChain:
    return dev_chain(ca_dir)


@pytest.fixture(scope="module")
def pem_key(ca_dir: Path) -> PemSigningKey:
    return dev_signing_key(ca_dir)


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_pem_key_signs_raw_r_s_that_verifies(pem_key: PemSigningKey) -> None:
    assert isinstance(pem_key, SigningKey)
    assert pem_key.algorithm == "es256"
    signature = pem_key.sign(b"claim bytes")
    assert len(signature) == 64  # COSE ES256: r || s, 32 bytes each, never DER
    public = pem_key.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert verify_raw_signature(public, b"claim bytes", signature)
    assert not verify_raw_signature(public, b"claim bytez", signature)
    assert "PRIVATE" not in repr(pem_key)


def test_der_and_raw_conversions_round_trip() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for _ in range(20):  # short r or s values (leading zeros) must keep their fixed width
        der = key.sign(b"x", ec.ECDSA(hashes.SHA256()))
        raw = der_to_raw_ecdsa(der)
        assert len(raw) == 64
        assert raw_to_der_ecdsa(raw) == der
    with pytest.raises(SigningKeyError, match="not valid DER"):
        der_to_raw_ecdsa(b"\x01\x02")


def test_from_secret_parses_the_json_secret(pem_key: PemSigningKey, ca_dir: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    ca = dev_chain(ca_dir)
    chain = issue_leaf(ca, key.public_key()) + ca.certificate_pem
    secret = json.dumps({"privateKeyPem": _pem(key).decode(), "certificateChainPem": chain.decode()})
    loaded = PemSigningKey.from_secret(secret)
    assert loaded.certificate_chain_pem == chain
    public = loaded.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert verify_raw_signature(public, b"data", loaded.sign(b"data"))


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("not json", "signing secret is not JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"privateKeyPem": "x"}', "missing string field\\(s\\): certificateChainPem"),
        ('{"certificateChainPem": 3}', "privateKeyPem, certificateChainPem"),
        ('{"privateKeyPem": "-----BEGIN NOPE-----", "certificateChainPem": "x"}', "privateKeyPem is not"),
    ],
)
def test_malformed_secret_is_a_clear_error(secret: str, message: str) -> None:
    with pytest.raises(SigningKeyError, match=message) as info:
        PemSigningKey.from_secret(secret)
    assert "BEGIN NOPE" not in str(info.value)  # the secret's content is never echoed


def test_mismatched_or_wrong_curve_key_is_refused(pem_key: PemSigningKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(SigningKeyError, match="is not for privateKeyPem"):
        PemSigningKey(_pem(other), pem_key.certificate_chain_pem)
    with pytest.raises(SigningKeyError, match="EC P-256"):
        PemSigningKey(_pem(ec.generate_private_key(ec.SECP384R1())), pem_key.certificate_chain_pem)
    with pytest.raises(SigningKeyError, match=r"not valid PEM|empty"):
        PemSigningKey(_pem(other), b"no certificates here")


def test_dev_ca_is_created_once_and_reused(tmp_path: Path) -> None:
    first = dev_chain(tmp_path / "ca")
    second = dev_chain(tmp_path / "ca")
    assert first.certificate == second.certificate
    assert (tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o077 == 0
    assert CA_COMMON_NAME in first.certificate.subject.rfc4514_string()
    constraints = first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca


def test_dev_leaf_follows_the_c2pa_certificate_profile(ca: DevChain, pem_key: PemSigningKey) -> None:
    leaf = pem_key.certificate
    assert leaf.version == x509.Version.v3
    assert leaf.issuer == ca.certificate.subject
    assert leaf.signature_hash_algorithm is not None
    assert leaf.signature_hash_algorithm.name == "sha256"
    key_usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert key_usage.critical
    assert key_usage.value.digital_signature
    assert not key_usage.value.key_cert_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert DOCUMENT_SIGNING in eku
    assert ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ca_ski.digest
    chain = x509.load_pem_x509_certificates(pem_key.certificate_chain_pem)
    assert [c.subject for c in chain] == [leaf.subject, ca.certificate.subject]  # leaf first


def _kms_digest_sign(self: ECDSAPrivateKey, message: bytes, signing_algorithm: str) -> bytes:
    # What AWS KMS does for MessageType=DIGEST: sign the given SHA-256 digest as is, without hashing again.
    assert signing_algorithm == "ECDSA_SHA_256"
    assert len(message) == 32, "KmsSigningKey sends 32-byte digests only"
    return self.private_key.sign(message, ec.ECDSA(Prehashed(hashes.SHA256())))


@pytest.fixture
def kms(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # moto 5.2.5 ignores MessageType on Sign (its own docstring: "DIGEST is not yet implemented") and
    # hashes the digest a second time, which real KMS does not. Only that step is replaced: key
    # creation, GetPublicKey, the Sign API call and its parameters all go through moto as they are.
    monkeypatch.setattr(ECDSAPrivateKey, "sign", _kms_digest_sign)
    with mock_aws():
        yield boto3.client("kms", region_name="us-east-1")


def _kms_key(kms: object, ca: DevChain) -> KmsSigningKey:
    created = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Description="ffo c2pa test")  # type: ignore[attr-defined]
    key_id = created["KeyMetadata"]["KeyId"]
    public_der = kms.get_public_key(KeyId=key_id)["PublicKey"]  # type: ignore[attr-defined]
    public = serialization.load_der_public_key(public_der)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    chain = issue_leaf(ca, public, "FlashFusion KMS test signer") + ca.certificate_pem
    return KmsSigningKey(kms, key_id, chain)


def test_kms_key_signs_a_verifiable_raw_signature(kms: object, ca: DevChain) -> None:
    key = _kms_key(kms, ca)
    signature = key.sign(b"sig structure")
    assert len(signature) == 64
    public = key.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert verify_raw_signature(public, b"sig structure", signature)
    # KMS signed the SHA-256 digest of exactly these bytes: cryptography agrees independently.
    public.verify(raw_to_der_ecdsa(signature), b"sig structure", ec.ECDSA(hashes.SHA256()))


def test_kms_key_signs_a_manifest_that_reads_back_valid(kms: object, ca: DevChain) -> None:
    key = _kms_key(kms, ca)
    spec = credentials.ManifestSpec(
        title="kms.png",
        mime_type="image/png",
        model_id="ffo-image-standard",
        provider="offline",
        vendor_model="offline-image-1",
        assertion={"requestId": "req-kms"},
    )
    signed = credentials.sign_embedded(make_png(), spec, key)
    report = credentials.read_credentials(signed, "image/png", trust_anchors_pem=ca.certificate_pem)
    assert report.signature_valid
    assert report.trusted
    assert report.signer_subject == "FlashFusion KMS test signer"
    assert report.assertion == {"requestId": "req-kms"}


def test_moto_still_double_hashes_digests() -> None:
    # Canary for the shim in the kms fixture: when moto implements DIGEST, this fails and the shim goes.
    with mock_aws():
        client = boto3.client("kms", region_name="us-east-1")
        key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
        assert isinstance(public, ec.EllipticCurvePublicKey)
        digest = hashlib.sha256(b"data").digest()
        der = client.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")[
            "Signature"
        ]
        public.verify(der, digest, ec.ECDSA(hashes.SHA256()))  # = a signature of sha256(digest), not of data


def test_kms_failure_surfaces_the_kms_error(kms: object, ca: DevChain) -> None:
    good = _kms_key(kms, ca)
    key = KmsSigningKey(kms, "alias/ffo-missing", good.certificate_chain_pem)
    spec = credentials.ManifestSpec(
        title="kms.png", mime_type="image/png", model_id="m", provider="p", vendor_model="v"
    )
    with pytest.raises(credentials.CredentialsError, match=r"signing key KmsSigningKey.*failed.*NotFound"):
        credentials.sign_embedded(make_png(), spec, key)
