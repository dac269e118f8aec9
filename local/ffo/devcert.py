"""The local development certificate authority: signs Content Credentials offline, trusted by nobody.

c2pa refuses self-signed signing certificates, so the local engine needs a two-level chain: a dev root
CA (created once and cached on disk, so assets signed on different runs verify against the same
anchor) and end-entity certificates issued from it, either for a fresh key (``dev_signing_key``) or for
an arbitrary public key such as a moto KMS key's (``issue_leaf``).

The leaf follows the C2PA certificate profile (C2PA 2.x "Certificate Profile", checked by c2pa-rs):
X.509 v3; an ECDSA P-256 key signed with ecdsa-with-SHA256; Key Usage present, critical, with
digitalSignature; Extended Key Usage present, non-empty, without anyExtendedKeyUsage, containing
id-kp-emailProtection and/or id-kp-documentSigning; Basic Constraints CA=false; Authority and Subject
Key Identifiers; inside its validity window when signing; and not self-signed.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from flashfusion.provenance.signing import PemSigningKey

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no lock (nothing there runs test workers in parallel on one checkout)
    fcntl = None

CA_COMMON_NAME = "FlashFusion Local Development CA — not trusted"
LEAF_COMMON_NAME = "FlashFusion Local Development Signer — not trusted"
ORGANIZATION = "FlashFusion Orchestrator (local development)"
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
CA_VALID_DAYS = 3650
LEAF_VALID_DAYS = 365
# Backdated so a clock a little behind on another machine still finds the certificate valid.
CLOCK_SKEW = dt.timedelta(hours=1)
# id-kp-documentSigning (RFC 9336): the EKU C2PA names for claim signing besides emailProtection.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")


@dataclass(frozen=True)
class DevChain:
    """The dev root CA: its certificate (the trust anchor to pass to the reader) and its key."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str, organization: str = ORGANIZATION) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _create_ca(common_name: str = CA_COMMON_NAME, organization: str = ORGANIZATION) -> DevChain:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    name = _name(common_name, organization)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=CA_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return DevChain(certificate=certificate, private_key=key)


def _write_private(path: Path, data: bytes) -> None:
    # 0600 from the start: the dev key is worthless outside this machine, but it is still a key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def dev_chain(directory: Path) -> DevChain:
    """The dev root CA cached under ``directory`` (e.g. ``out/.ffo-dev-ca``); created on first use.

    A CA that has expired (or is about to) is replaced, since leaves issued from it would fail the
    validity check anyway.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory / ".lock"):  # test workers (pytest-xdist) may create it at the same moment
        return _dev_chain(directory)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _dev_chain(directory: Path) -> DevChain:
    cert_path = directory / CA_CERT_FILE
    key_path = directory / CA_KEY_FILE
    if cert_path.is_file() and key_path.is_file():
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        fresh = certificate.not_valid_after_utc > _now() + dt.timedelta(days=LEAF_VALID_DAYS)
        if isinstance(key, ec.EllipticCurvePrivateKey) and fresh:
            return DevChain(certificate=certificate, private_key=key)
    directory.mkdir(parents=True, exist_ok=True)
    chain = _create_ca()
    _write_private(
        key_path,
        chain.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    cert_path.write_bytes(chain.certificate_pem)
    return chain


def create_ca(common_name: str, organization: str) -> DevChain:
    """A new self-signed root CA (EC P-256) that may issue end-entity certificates only (path length 0)."""
    return _create_ca(common_name, organization)


def issue_leaf(
    ca: DevChain,
    public_key: ec.EllipticCurvePublicKey,
    subject_cn: str = LEAF_COMMON_NAME,
    organization: str = ORGANIZATION,
) -> bytes:
    """A C2PA-profile end-entity certificate (PEM) for ``public_key``, issued by the dev CA."""
    if not isinstance(public_key.curve, ec.SECP256R1):
        raise ValueError(f"dev leaf certificates are for EC P-256 keys (es256), got curve {public_key.curve.name}")
    now = _now()
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(subject_cn, organization))
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + dt.timedelta(days=LEAF_VALID_DAYS), ca.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca.private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def dev_signing_material(directory: Path, subject_cn: str = LEAF_COMMON_NAME) -> tuple[bytes, bytes]:
    """A fresh ES256 private key (PEM) and its chain (leaf + the cached dev CA, the CA included for readers)."""
    ca = dev_chain(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf_pem = issue_leaf(ca, key.public_key(), subject_cn)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, leaf_pem + ca.certificate_pem


def dev_signing_key(directory: Path, subject_cn: str = LEAF_COMMON_NAME) -> PemSigningKey:
    return PemSigningKey(*dev_signing_material(directory, subject_cn))


REVIEW_LINK_KEY_FILE = "review-link-key"


def dev_review_link_key(directory: Path) -> str:
    """The local stack's shared-review-link signing key (64 hex characters), created once (0600) under
    ``directory``: links made before an ``ffo serve`` restart keep working after it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / REVIEW_LINK_KEY_FILE
    with _locked(directory / ".review-link.lock"):
        if not path.is_file():
            _write_private(path, secrets.token_hex(32).encode("ascii"))
        return path.read_text("ascii").strip()
